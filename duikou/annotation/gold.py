"""Annotation JSONL files (gold, annotation passes): read with full validation, write atomically.

One line per document: ``{"id", "text_sha256", "entities": [{"start", "end", "label",
"text", "provenance"?, ...}], ...}`` with code-point offsets (end-exclusive) into the clean
document text. ``text_sha256`` pins the text the offsets refer to: if the corpus text has
changed since annotation, the document is reported, never silently shifted.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from duikou.errors import AnnotationError, Problem
from duikou.ingest.clean import sha256_text
from duikou.jsonio import read_jsonl_lines, write_jsonl
from duikou.records import id_sort_key, span_from_dict
from duikou.spans import Span, span_problems


def read_records(path: Path, texts: Mapping[str, str]) -> list[tuple[dict, list[Span]]]:
    """Every record with its validated spans; duplicates are allowed only for different
    ``annotator`` values (Label Studio imports keep several annotators per document).
    Raises AnnotationError listing every problem found."""
    path = Path(path)
    if not path.is_file():
        raise AnnotationError(Problem("annotation file does not exist", file=str(path),
                                      code="DK-ANN-006"))
    problems: list[Problem] = []
    lines = read_jsonl_lines(path, problems=problems)
    if not lines and not problems:
        raise AnnotationError(Problem("annotation file is empty", file=str(path),
                                      code="DK-ANN-007"))
    out: list[tuple[dict, list[Span]]] = []
    seen: set[tuple[str, object]] = set()
    for lineno, rec in lines:
        got = _read_record(rec, lineno, str(path), texts, problems)
        if got is None:
            continue
        rec, spans = got
        key = (rec["id"], rec.get("annotator"))
        if key in seen:
            problems.append(Problem("duplicate document: annotated on an earlier line too "
                                    "(by the same annotator)", file=str(path), doc_id=rec["id"],
                                    extra=f"line {lineno}", code="DK-ANN-008"))
            continue
        seen.add(key)
        out.append((rec, spans))
    if problems:
        raise AnnotationError(problems)
    return out


def read_annotations(path: Path, texts: Mapping[str, str], *,
                     require_all: bool = True) -> dict[str, list[Span]]:
    """Spans per document id of a single-annotator file (gold or one pass); raises
    AnnotationError listing every problem found.

    ``texts`` maps document id → current clean text. Checks: valid JSON objects, known and
    unique ids, ``text_sha256`` equal to the current text's, spans valid for the text (see
    :func:`duikou.spans.span_problems`), and (``require_all``) every document present.
    """
    problems: list[Problem] = []
    out: dict[str, list[Span]] = {}
    try:
        records = read_records(path, texts)
    except AnnotationError as exc:
        records, problems = [], list(exc.problems)
    for rec, spans in records:
        if rec["id"] in out:
            problems.append(Problem("duplicate document: annotated on an earlier line too",
                                    file=str(path), doc_id=rec["id"], code="DK-ANN-009"))
        out[rec["id"]] = spans
    if require_all and not any(p.code in ("DK-ANN-006", "DK-ANN-007") for p in problems):
        for doc_id in sorted(set(texts) - set(out), key=id_sort_key):
            problems.append(Problem("document missing from the annotation file", file=str(path),
                                    doc_id=doc_id, code="DK-ANN-010"))
    if problems:
        raise AnnotationError(problems)
    return out


def _read_record(rec, lineno, file, texts, problems) -> tuple[dict, list[Span]] | None:
    where = f"line {lineno}"
    if not isinstance(rec, dict) or not isinstance(rec.get("id"), str):
        problems.append(Problem("expected an object with a string 'id'", file=file, extra=where,
                                code="DK-ANN-012"))
        return None
    doc_id = rec["id"]
    if doc_id not in texts:
        problems.append(Problem("unknown document id (not in the corpus)", file=file,
                                doc_id=doc_id, extra=where, code="DK-ANN-013"))
        return None
    text = texts[doc_id]
    if rec.get("text_sha256") != sha256_text(text):
        problems.append(Problem(
            f"text_sha256 {rec.get('text_sha256')!r} does not match the current document text "
            f"({sha256_text(text)}): the text changed since annotation; re-align the spans",
            file=file, doc_id=doc_id, extra=where, code="DK-ANN-014"))
        return None
    spans = _spans(rec.get("entities"), file, doc_id, where, problems)
    if spans is None:
        return None
    found = span_problems(text, spans, doc_id=doc_id, file=file)
    problems.extend(found)
    return (rec, sorted(spans)) if not found else None


def _spans(entities, file, doc_id, where, problems) -> list[Span] | None:
    if not isinstance(entities, list):
        problems.append(Problem("expected 'entities' to be a list", file=file, doc_id=doc_id,
                                extra=where, code="DK-ANN-015"))
        return None
    spans = []
    for e in entities:
        try:
            spans.append(span_from_dict(e))
        except ValueError as exc:
            problems.append(Problem(str(exc), file=file, doc_id=doc_id, extra=where,
                                    code="DK-ANN-016"))
    return spans


def annotation_record(doc_id: str, text: str, spans: list[Span], **extra: object) -> dict:
    rec: dict = {"id": doc_id, "text_sha256": sha256_text(text)}
    rec.update(extra)
    rec["entities"] = [s.to_dict() for s in sorted(spans)]
    return rec


def write_annotations(path: Path, records: list[dict]) -> None:
    write_jsonl(path, sorted(records, key=lambda r: id_sort_key(r["id"])))
