"""A gazetteer of Chinese administrative divisions for the CRF features.

Source: the division table ``dictionary/china_location.zip`` (``china_location.txt``) shipped
inside the ``jionlp`` package (Apache-2.0), read straight from the installed package folder:
``jionlp`` itself is never imported (its import unpacks dictionaries into site-packages and
loads much more than this needs). The table lists provinces, prefecture-level cities and
counties with their administrative codes and a curated short form each (炉霍县 → 炉霍,
甘孜藏族自治州 → 甘孜, 科尔沁右翼前旗 → 科右前旗; 甘孜县 keeps its full name so it does not
collide with the prefecture), then towns and villages without codes.

Names kept: the full name and the short form of every province, city and county, plus the
common ``short + 州`` / ``short + 县`` forms of autonomous prefectures and counties
(甘孜州, 凉山州, 临夏州) and, optionally, the towns (乡/镇/街道 level; ``levels`` below).
Names shorter than two characters are dropped. A name listed at several levels gets the
largest level (province > city > county > town). Matching is on the simplified-script form
of the text (:func:`duikou.ingest.script.simplified`, one character for one character, so offsets are kept).

:func:`load_gazetteer` reads the table once per process and level set and caches it.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.util
import zipfile
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from duikou.errors import ModelError, Problem
from duikou.ingest.script import simplified  # re-exported: the CRF features and roles use it

PACKAGE = "jionlp"
TABLE_ZIP = "dictionary/china_location.zip"
TABLE_MEMBER = "china_location.txt"
LICENCE = "Apache-2.0"
LEVELS: tuple[str, ...] = ("province", "city", "county", "town")
DEFAULT_LEVELS: tuple[str, ...] = ("province", "city", "county")
_SHORT_SUFFIXES = {"自治州": "州", "自治县": "县"}


def prefixes(words: Iterable[str]) -> frozenset[str]:
    """Every non-empty prefix of every word (the walk of :func:`greedy_matches`)."""
    return frozenset(w[:k] for w in words for k in range(1, len(w) + 1))


def greedy_matches(text: str, words: Container[str], prefix_set: Container[str]
                   ) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of the longest word starting at each position, left to right, resuming
    after each match (``prefix_set`` is :func:`prefixes` of ``words``).

    >>> w = {"炉霍", "炉霍县", "县"}
    >>> list(greedy_matches("援炉霍县县", w, prefixes(w)))
    [(1, 4), (4, 5)]
    """
    i, n = 0, len(text)
    while i < n:
        end, j = 0, i + 1
        while j <= n and text[i:j] in prefix_set:
            if text[i:j] in words:
                end = j
            j += 1
        if end:
            yield i, end
            i = end
        else:
            i += 1


@dataclass(frozen=True)
class Gazetteer:
    """Surface name → level, and where the table came from."""

    names: dict[str, str]
    prefix_set: frozenset[str]
    source: dict[str, str]

    @classmethod
    def of(cls, names: dict[str, str], source: dict[str, str] | None = None) -> Gazetteer:
        return cls(names, prefixes(names), source or {})

    def tags(self, text: str) -> list[str]:
        """Greedy longest match left to right over ``simplified(text)``: ``B-level``,
        ``I-level``, ``E-level`` inside a multi-character match, else ``O``.

        >>> Gazetteer.of({"炉霍县": "county", "炉霍": "county"}).tags("援炉霍县")
        ['O', 'B-county', 'I-county', 'E-county']
        """
        text = simplified(text)
        out = ["O"] * len(text)
        for a, b in greedy_matches(text, self.names, self.prefix_set):
            level = self.names[text[a:b]]
            out[a] = f"B-{level}"
            out[a + 1:b - 1] = [f"I-{level}"] * (b - a - 2)
            out[b - 1] = f"E-{level}"
        return out


def _package_dir() -> Path:
    spec = importlib.util.find_spec(PACKAGE)  # finds the folder without importing jionlp
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(Problem(
            f"the administrative-division gazetteer needs the {PACKAGE!r} package "
            f"(pip install 'jionlp>=1.5.31,<1.6'), which is not installed", code="DK-MODEL-042"))
    return Path(next(iter(spec.submodule_search_locations)))


WORLD_FILE = "dictionary/world_location.txt"


@functools.cache
def world_countries() -> frozenset[str]:
    """The country names of jionlp's world table (short and full forms, two characters or
    more), without China's."""
    path = _package_dir() / WORLD_FILE
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ModelError(Problem(f"cannot read jionlp's world table of countries: {exc}",
                                 file=str(path), code="DK-MODEL-060")) from None
    names: set[str] = set()
    for line in lines:
        cells = line.split("\t")
        if len(cells) >= 2 and not line.endswith(":"):
            names.update(c for c in cells[:2] if len(c) >= 2)
    return frozenset(names - {"中国", "中华人民共和国"})


def _read_table() -> tuple[str, dict[str, str]]:
    path = _package_dir() / TABLE_ZIP
    try:
        with zipfile.ZipFile(path) as z:
            raw = z.read(TABLE_MEMBER)
            y, m, d = z.getinfo(TABLE_MEMBER).date_time[:3]
            stamp = f"{y:04d}-{m:02d}-{d:02d}"
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise ModelError(Problem(f"cannot read the division table {TABLE_MEMBER} from "
                                 f"{path}: {exc}", file=str(path), code="DK-MODEL-043")) from None
    source = {"package": PACKAGE, "version": importlib.metadata.version(PACKAGE),
              "licence": LICENCE, "file": f"{TABLE_ZIP}:{TABLE_MEMBER}", "file_date": stamp,
              "sha256": hashlib.sha256(raw).hexdigest()}
    return raw.decode("utf-8"), source


def _entries(table: str, levels: frozenset[str]):
    """(name, level) for every kept name of the table (see the module docstring)."""
    for line in table.splitlines():
        depth = len(line) - len(line.lstrip("\t"))
        level = LEVELS[min(depth, 3)] if depth <= 3 else None
        if level not in levels:
            continue
        cells = line.strip().split("\t")
        full = cells[0]
        yield full, level
        if len(cells) == 3:
            for short in cells[2].split("/"):
                yield short, level
                for suffix, tail in _SHORT_SUFFIXES.items():
                    if full.endswith(suffix) and short != full:
                        yield short + tail, level


@functools.lru_cache(maxsize=4)
def load_gazetteer(levels: tuple[str, ...] = DEFAULT_LEVELS) -> Gazetteer:
    """The gazetteer for ``levels`` (a subset of :data:`LEVELS`), read once and cached."""
    unknown = sorted(set(levels) - set(LEVELS))
    if unknown:
        raise ModelError(Problem(f"unknown gazetteer levels {unknown}; expected some of {LEVELS}",
                                 code="DK-MODEL-044"))
    table, source = _read_table()
    rank = {lv: k for k, lv in enumerate(LEVELS)}
    names: dict[str, str] = {}
    for name, level in _entries(table, frozenset(levels)):
        if len(name) >= 2 and (name not in names or rank[level] < rank[names[name]]):
            names[name] = level
    return Gazetteer.of(names, {**source, "levels": ",".join(levels), "names": str(len(names))})


@functools.cache
def division_parents() -> dict[str, frozenset[str]]:
    """Every name (full and short forms, two characters or more, in simplified script) of a
    province, city or county → the names of the divisions above it (a name used by several
    divisions gets the parents of all of them).

    >>> parents = division_parents()
    >>> "四川" in parents["汶川"] and "四川省" in parents["汶川县"] and "阿坝州" in parents["汶川"]
    True
    """
    table, _ = _read_table()
    out: dict[str, set[str]] = {}
    stack: list[set[str]] = []
    for line in table.splitlines():
        depth = len(line) - len(line.lstrip("\t"))
        if depth > 2:
            continue
        names = _names_of(line.strip().split("\t"))
        stack = stack[:depth]
        above = set().union(*stack) - names
        for name in names:
            out.setdefault(name, set()).update(above)
        stack.append(names)
    return {k: frozenset(v) for k, v in out.items()}


@functools.cache
def province_rows() -> dict[str, str]:
    """The names (full and short forms, simplified script) of the provinces, autonomous
    regions, municipalities and special administrative regions → the province's full name.

    >>> rows = province_rows()
    >>> rows["广西"], rows["新疆维吾尔自治区"], "成都" in rows
    ('广西壮族自治区', '新疆维吾尔自治区', False)
    """
    table, _ = _read_table()
    out: dict[str, str] = {}
    for line in table.splitlines():
        if not line.startswith("\t"):
            cells = line.strip().split("\t")
            out.update(dict.fromkeys(_names_of(cells), simplified(cells[0])))
    return out


def _names_of(cells: list[str]) -> set[str]:
    """The full name and short forms of one table row (as :func:`_entries` reads them)."""
    full, names = cells[0], {cells[0]}
    if len(cells) == 3:
        for short in cells[2].split("/"):
            names.add(short)
            names.update(short + tail for suffix, tail in _SHORT_SUFFIXES.items()
                         if full.endswith(suffix) and short != full)
    return {simplified(n) for n in names if len(n) >= 2}


