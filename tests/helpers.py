"""Shared test helpers: a small gold annotation file for the real seed texts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from duikou.annotation.gold import annotation_record, write_annotations
from duikou.errors import DuikouError
from duikou.ingest.sources import load_sources
from duikou.spans import Span

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

# (doc prefix, surface, label, occurrence) — a few real mentions, enough to exercise every
# span code path of the build without depending on the full gold file.
SAMPLE = [
    ("000", "锦江区", "DONOR", 1), ("000", "炉霍县", "RECIPIENT", 1), ("000", "210万元", "MONEY", 1),
    ("000", "2022年6月", "DATE", 1), ("000", "胡军", "PER", 1),
    ("001", "西南医科大学", "DONOR", 1), ("001", "45人", "PEOPLE", 1),
    ("002", "19532人次", "PEOPLE", 1), ("002", "99.25%", "QUANTITY", 1),
    ("003", "南明区", "DONOR", 1), ("003", "13个", "COUNT", 1),
    ("004", "临夏市", "RECIPIENT", 1), ("004", "984万元", "MONEY", 1),
]


def v1_seeds(out: Path) -> Path:
    """A seeds folder with only the five documents of dataset 1 (the ones SAMPLE names):
    small and fast for tests that train taggers, whatever the real corpus grows to."""
    import shutil

    import yaml

    meta = yaml.safe_load((SEEDS / "sources.yaml").read_text(encoding="utf-8"))
    keep = [e for e in meta["documents"] if e["id"][:3] in {p for p, *_ in SAMPLE}]
    out.mkdir(parents=True)
    for e in keep:
        shutil.copyfile(SEEDS / e["file"], out / e["file"])
    (out / "sources.yaml").write_text(yaml.safe_dump({"documents": keep}, allow_unicode=True,
                                                     sort_keys=False), encoding="utf-8")
    return out


def sample_gold(seeds: Path, out: Path) -> dict[str, list[Span]]:
    docs = {d.id[:3]: d for d in load_sources(seeds) if d.status == "gold"}
    by_doc: dict[str, list[Span]] = {d.id: [] for d in docs.values()}
    for prefix, surface, label, k in SAMPLE:
        d = docs[prefix]
        pos = -1
        for _ in range(k):
            pos = d.text.index(surface, pos + 1)
        by_doc[d.id].append(Span(pos, pos + len(surface), label, surface,
                                 {"provenance": "manual"}))
    write_annotations(out, [annotation_record(i, docs[i[:3]].text, s) for i, s in by_doc.items()])
    return by_doc


@contextmanager
def raises_code(error: type[DuikouError], *codes: str) -> Iterator[pytest.ExceptionInfo]:
    """Like ``pytest.raises(error)``, and the error must carry every one of ``codes``
    (tests match on the catalogue's stable codes, never on message text)."""
    with pytest.raises(error) as info:
        yield info
    missing = [c for c in codes if c not in info.value.codes]
    assert not missing, f"expected codes {missing}, found {info.value.codes}: {info.value}"
