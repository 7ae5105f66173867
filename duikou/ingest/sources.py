"""Seed metadata (``seeds/sources.yaml``) → cleaned source documents.

Every seed listed is checked against its raw file (sha256), decoded and cleaned with
:mod:`duikou.ingest.clean`. Duplicates (same raw bytes or same clean text) are errors
naming both files; a raw file in ``seeds/`` that the metadata does not list is an error too,
so nothing is silently dropped.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml

from duikou.errors import IngestError, Problem
from duikou.ingest.clean import CleanDocument, ingest_bytes

SCRIPTS = ("simplified", "traditional")
_FIELDS = ("id", "file", "title", "outlet", "date", "script", "sha256")
ARTICLE_SUFFIXES = (".txt", ".html", ".htm")


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
    clean = ingest_bytes(data, file=str(path))
    return SourceDoc(e["id"], e["file"], e["title"], e["outlet"], e["date"], e["script"],
                     digest, clean)


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
    return problems
