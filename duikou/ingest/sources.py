"""Seed metadata (``seeds/sources.yaml``) → cleaned source documents.

Every seed listed is checked against its raw file (sha256), decoded and cleaned with
:mod:`duikou.ingest.clean`. Duplicates (same raw bytes or same clean text) and
near-duplicates (the same article from a mirror or a Big5 gateway: :func:`overlap` of
their Han characters, Traditional folded to Simplified, at least :data:`NEAR_DUPLICATE`)
are errors naming both files; a raw file in ``seeds/`` that the metadata does not list is an
error too, so nothing is silently dropped.

Entries carry ``status``: ``gold`` (annotated; enters the dataset) or ``pending`` (collected
and cleaned, not yet annotated; the build lists and skips it). Entries added from the web
also record ``url``, ``query`` (the search that found the page) and ``retrieved`` (date).
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from duikou.errors import IngestError, Problem
from duikou.ingest.clean import CleanDocument, ingest_bytes
from duikou.ingest.furniture import DEFAULT_RULESET, RULESETS
from duikou.jsonio import atomic_write_bytes, atomic_write_text

SCRIPTS = ("simplified", "traditional")
_FIELDS = ("id", "file", "title", "outlet", "date", "script", "sha256", "cleaning")
STATUSES = ("gold", "pending")
ARTICLE_SUFFIXES = (".txt", ".html", ".htm")
SHINGLE = 8  # Han characters per shingle
NEAR_DUPLICATE = 0.5  # share of the shorter text's shingles found in the other


@dataclass
class SourceDoc:
    id: str
    file: str
    title: str | None
    outlet: str | None
    date: str | None
    script: str
    raw_sha256: str
    clean: CleanDocument
    status: str = "gold"
    url: str | None = None
    pairing: str | None = None
    pairing_group: str | None = None
    cleaning: int = DEFAULT_RULESET

    @property
    def text(self) -> str:
        return self.clean.text


def read_metadata(seeds: Path) -> list[dict]:
    path = seeds / "sources.yaml"
    if not path.is_file():
        raise IngestError(Problem("missing metadata file; expected seeds/sources.yaml",
                                  file=str(path), code="DK-INGEST-004"))
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = data.get("documents")
    if not isinstance(entries, list) or not entries:
        raise IngestError(Problem("expected a non-empty list under 'documents'", file=str(path),
                                  code="DK-INGEST-005"))
    problems = []
    for n, e in enumerate(entries):
        missing = [f for f in _FIELDS if not isinstance(e, dict) or f not in e]
        if missing:
            problems.append(Problem(f"entry {n}: missing fields {missing}", file=str(path),
                                    code="DK-INGEST-006"))
        elif e["script"] not in SCRIPTS:
            problems.append(Problem(f"script must be one of {SCRIPTS}, found {e['script']!r}",
                                    file=str(path), doc_id=e["id"], code="DK-INGEST-007"))
        elif e.get("status", "gold") not in STATUSES:
            problems.append(Problem(f"status must be one of {STATUSES}, found "
                                    f"{e.get('status')!r}", file=str(path), doc_id=e["id"],
                                    code="DK-INGEST-012"))
        elif isinstance(e["cleaning"], bool) or e["cleaning"] not in RULESETS:
            problems.append(Problem(f"cleaning must be one of {RULESETS} (the ruleset the "
                                    f"text was cleaned with), found {e['cleaning']!r}",
                                    file=str(path), doc_id=e["id"], code="DK-INGEST-023"))
        elif Path(e["file"]).name != e["file"] or not str(e["file"]).strip():
            problems.append(Problem(f"file must be a plain file name inside seeds/, found "
                                    f"{e['file']!r}", file=str(path), doc_id=e["id"],
                                    code="DK-INGEST-013"))
    if problems:
        raise IngestError(problems)
    return entries


def load_sources(seeds: Path) -> list[SourceDoc]:
    """All seed documents in metadata order, cleaned; raises IngestError listing problems."""
    entries = read_metadata(seeds)
    problems: list[Problem] = []
    docs: list[SourceDoc] = []
    listed = {e["file"] for e in entries}
    for f in sorted(seeds.iterdir()):
        if f.suffix.lower() in ARTICLE_SUFFIXES and f.name not in listed:
            problems.append(Problem("article file not listed in seeds/sources.yaml; add an "
                                    "entry (or remove the file)", file=str(f),
                                    code="DK-INGEST-008"))
    for e in entries:
        try:
            docs.append(_load_one(seeds, e))
        except IngestError as exc:
            problems.extend(exc.problems)
    problems.extend(_duplicates(docs))
    if problems:
        raise IngestError(problems)
    return docs


def _load_one(seeds: Path, e: dict) -> SourceDoc:
    path = seeds / e["file"]
    if not path.is_file():
        raise IngestError(Problem("listed in sources.yaml but the file does not exist",
                                  file=str(path), doc_id=e["id"], code="DK-INGEST-009"))
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != e["sha256"]:
        raise IngestError(Problem(f"raw file sha256 is {digest}, sources.yaml says "
                                  f"{e['sha256']}: the file changed", file=str(path),
                                  doc_id=e["id"], code="DK-INGEST-010"))
    clean = ingest_bytes(data, file=str(path), ruleset=e["cleaning"])
    return SourceDoc(e["id"], e["file"], e["title"], e["outlet"], e["date"], e["script"],
                     digest, clean, e.get("status", "gold"), e.get("url"), e.get("pairing"),
                     e.get("pairing_group"), e["cleaning"])


def _duplicates(docs: list[SourceDoc]) -> list[Problem]:
    problems: list[Problem] = []
    seen_ids: dict[str, str] = {}
    seen_raw: dict[str, str] = {}
    seen_text: dict[str, str] = {}
    for d in docs:
        for key, table, what in ((d.id, seen_ids, "document id"),
                                 (d.raw_sha256, seen_raw, "raw file"),
                                 (d.clean.text_sha256, seen_text, "clean article text")):
            if key in table:
                problems.append(Problem(f"duplicate {what}: same as {table[key]}", file=d.file,
                                        doc_id=d.id, code="DK-INGEST-011"))
            else:
                table[key] = d.file
    shingles = [(d, han_shingles(d.text)) for d in docs]
    for i, (a, sa) in enumerate(shingles):
        for b, sb in shingles[:i]:
            share = overlap(sa, sb)
            if NEAR_DUPLICATE <= share < 1.0 or (share == 1.0 and a.text != b.text):
                problems.append(Problem(
                    f"near-duplicate article: {share:.0%} of the shorter text's "
                    f"{SHINGLE}-character Han shingles also occur in {b.file} ({b.id}); a "
                    "mirror or script twin is one document, keep one", file=a.file,
                    doc_id=a.id, code="DK-INGEST-014"))
    return problems


def han_shingles(text: str) -> frozenset[str]:
    """The :data:`SHINGLE`-character runs of ``text``'s Han characters, after NFKC and
    Traditional → Simplified folding (so a Big5 gateway copy matches its original)."""
    han = "".join(c for c in to_simplified(unicodedata.normalize("NFKC", text))
                  if "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf")
    return frozenset(han[i:i + SHINGLE] for i in range(len(han) - SHINGLE + 1))


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the smaller shingle set found in the other (0.0 when either is empty).

    >>> overlap(frozenset({"a", "b"}), frozenset({"b", "c", "d"}))
    0.5
    """
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


@functools.cache
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → Simplified characters (OpenCC ``t2s``), for comparison only: the
    corpus keeps every text in its own script."""
    return _converter().convert(text)


def add_seed(seeds: Path, raw: bytes, *, url: str, query: str | None, retrieved: str,
             script: str, outlet: str | None = None, date: str | None = None,
             pairing: str | None = None, pairing_group: str | None = None,
             note: str | None = None,
             source_name: str = "<input>", cleaning: int = DEFAULT_RULESET) -> dict:
    """Copy one raw article into ``seeds/`` byte for byte and list it in ``sources.yaml``
    with ``status: pending`` and the cleaning ruleset ``cleaning``; returns the new entry.

    Refuses (:class:`IngestError`) an article that cannot be cleaned, or that duplicates or
    near-duplicates a seed already listed. The id is the next free number plus the first 16
    hex digits of the raw file's sha256. Both writes are atomic; the metadata is appended
    last, so an interrupted call leaves at most an unlisted file, which the next load reports.
    """
    existing = load_sources(seeds)
    clean = ingest_bytes(raw, file=source_name, ruleset=cleaning)
    digest = hashlib.sha256(raw).hexdigest()
    new = SourceDoc("(new)", source_name, None, outlet, date, script, digest, clean,
                    cleaning=cleaning)
    problems = [p for p in _duplicates([*existing, new]) if p.doc_id == "(new)"]
    if script not in SCRIPTS:
        problems.append(Problem(f"script must be one of {SCRIPTS}, found {script!r}",
                                file=source_name, code="DK-INGEST-007"))
    if problems:
        raise IngestError(problems)
    number = 1 + max((int(d.id.split("_")[0]) for d in existing if d.id[:3].isdigit()),
                     default=-1)
    doc_id = f"{number:03d}_{digest[:16]}"
    entry = {"id": doc_id, "file": f"{doc_id}.txt", "title": None, "outlet": outlet,
             "date": date, "script": script, "sha256": digest, "cleaning": cleaning,
             "status": "pending",
             "url": url, "query": query, "retrieved": retrieved, "pairing": pairing,
             "pairing_group": pairing_group, "note": note}
    atomic_write_bytes(seeds / entry["file"], raw)
    meta = seeds / "sources.yaml"
    block = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, width=1000)
    text = meta.read_text(encoding="utf-8")
    atomic_write_text(meta, text.rstrip("\n") + "\n" + _indent(block))
    return entry


def _indent(block: str) -> str:
    return "".join(f"  {line}\n" for line in block.splitlines())
