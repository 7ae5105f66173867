"""Safe validation of a submitted prediction JSONL file.

The file is parsed with :mod:`json` only (no eval, no pickle); its size is checked against
``max_bytes`` before a single byte is read. Each non-blank line must be a JSON object
``{"id": str, "entities": [{"start": int, "end": int, "label": str, "text"?: str, ...}]}``;
optional figure attributes (value, value_max, unit, approx, date) are kept in
``Span.attrs``, other entity keys are ignored. Offsets are code points, end-exclusive.
Every problem found is collected and raised once as :class:`SubmissionError`, each with the
file, ``"line N"`` in ``Problem.extra`` (1-based), the document id and offsets where known.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from pathlib import Path

from duikou.errors import Problem, SubmissionError, short_repr
from duikou.jsonio import loads, read_bounded
from duikou.normalise import NORMALISATION_KEYS
from duikou.records import Document, Relation, relation_from_dict, relation_problems
from duikou.spans import Span, span_problems

ATTR_KEYS: tuple[str, ...] = NORMALISATION_KEYS
REQUIRED_ENTITY_KEYS: tuple[str, ...] = ("start", "end", "label")
NUMBER_KEYS: tuple[str, ...] = ("value", "value_max")


def _read_text(path: Path, max_bytes: int) -> str:
    """The file's UTF-8 text, read through :func:`duikou.jsonio.read_bounded`."""
    where = str(path)
    data = read_bounded(path, max_bytes, error=SubmissionError)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SubmissionError(Problem(
            f"expected UTF-8, found an invalid byte at byte offset {exc.start}", file=where,
            code="DK-SUBMIT-006")) \
            from exc
    if not text.strip():
        raise SubmissionError(Problem(
            "file is empty; expected one JSON line per document "
            '({"id": ..., "entities": [...]})', file=where, code="DK-SUBMIT-007"))
    return text


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _parse_line(raw: str, loc: dict, problems: list[Problem]) -> dict | None:
    """One JSON object, or None after recording why it is not one."""
    try:
        obj = loads(raw, parse_constant=_reject_constant)
    except ValueError as exc:
        problems.append(Problem(f"malformed JSON: {exc}", **loc,
                                code=getattr(exc, "code", "DK-SUBMIT-008")))
        return None
    if not isinstance(obj, dict):
        problems.append(Problem(
            f"expected a JSON object with 'id' and 'entities', found {type(obj).__name__}",
            **loc, code="DK-SUBMIT-009"))
        return None
    ok = True
    if not isinstance(obj.get("id"), str):
        problems.append(Problem(f"expected a string 'id', found {obj.get('id')!r}", **loc,
                                code="DK-SUBMIT-010"))
        ok = False
    if not isinstance(obj.get("entities"), list):
        problems.append(Problem(
            f"expected an 'entities' list, found {type(obj.get('entities')).__name__}",
            doc_id=obj.get("id") if ok else None, **loc, code="DK-SUBMIT-011"))
        ok = False
    return obj if ok else None


def _entity_problem(ent: dict) -> tuple[str, str] | None:
    """What is wrong with an entity object before span checks, as (message, code)."""
    missing = [key for key in REQUIRED_ENTITY_KEYS if key not in ent]
    start, end, text = ent.get("start"), ent.get("end"), ent.get("text")
    bad = [key for key in NUMBER_KEYS if not _finite_or_absent(ent.get(key))]
    if missing:
        return f"entity lacks {', '.join(missing)}", "DK-SUBMIT-013"
    if isinstance(start, bool) or isinstance(end, bool):
        return f"offsets must be integers, found {start!r} and {end!r}", "DK-SUBMIT-014"
    if text is not None and not isinstance(text, str):
        return f"expected 'text' to be a string, found {text!r}", "DK-SUBMIT-015"
    if bad:
        return (f"expected {' and '.join(bad)} to be a finite number within float range, "
                f"found {short_repr(ent[bad[0]])}", "DK-SUBMIT-020")
    return None


def _entity_span(ent: object, k: int, doc_id: str, loc: dict,
                 problems: list[Problem]) -> Span | None:
    """A Span from entity ``k`` of a document, or None after recording the problem."""
    where = {"file": loc["file"], "doc_id": doc_id, "extra": f"{loc['extra']}, entity {k}"}
    if not isinstance(ent, dict):
        problems.append(Problem(f"expected an entity object, found {type(ent).__name__}",
                                **where, code="DK-SUBMIT-012"))
        return None
    found = _entity_problem(ent)
    start, end = ent.get("start"), ent.get("end")
    if found:
        problems.append(Problem(found[0], **where, code=found[1],
                                start=start if _plain_int(start) else None,
                                end=end if _plain_int(end) else None))
        return None
    attrs = {key: ent[key] for key in ATTR_KEYS if key in ent}
    return Span(start, end, ent["label"], ent.get("text"), attrs or None)


def _plain_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _finite_or_absent(value: object) -> bool:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return True
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _doc_spans(obj: dict, text: str, loc: dict, problems: list[Problem]) -> list[Span]:
    doc_id = obj["id"]
    spans = []
    for k, ent in enumerate(obj["entities"]):
        span = _entity_span(ent, k, doc_id, loc, problems)
        if span is not None:
            spans.append(span)
    found = span_problems(text, spans, doc_id=doc_id, file=loc["file"])
    problems.extend(dataclasses.replace(p, extra=loc["extra"]) for p in found)
    return sorted(spans) if not found else []


def validate_predictions(
    path: Path,
    docs: Mapping[str, str],
    *,
    max_bytes: int = 50_000_000,
) -> dict[str, list[Span]]:
    """Validate a prediction JSONL against the documents ``{doc_id: clean text}``.

    Checks: size <= ``max_bytes`` (before reading), UTF-8, non-empty; each non-blank line a
    JSON object with a string ``id`` and an ``entities`` list; every document of ``docs``
    present exactly once and no unknown id; each entity an object with integer offsets
    ``0 <= start < end <= len(text)``, a schema label, ``text == text[start:end]`` where
    given, and no two spans of a document overlapping. Returns ``{doc_id: spans sorted by
    (start, end, label)}`` for every document of ``docs``; raises :class:`SubmissionError`
    listing every problem otherwise.
    """
    return {d: spans for d, (spans, _) in _validate(path, docs, max_bytes, False).items()}


def validate_relation_predictions(
    path: Path,
    docs: Mapping[str, str],
    *,
    max_bytes: int = 50_000_000,
) -> dict[str, tuple[list[Span], list[Relation]]]:
    """As :func:`validate_predictions`, for a file whose lines also carry
    ``"relations": [{"head": span id, "tail": span id, "type": str}, ...]`` between the
    line's own entities (span ids ``start-end-LABEL``, :func:`duikou.records.span_id`).
    Each relation must fit the relation schema (:func:`duikou.records.relation_problems`);
    a missing ``relations`` key means no relations. Returns ``{doc_id: (spans, relations)}``.
    """
    return _validate(path, docs, max_bytes, True)


def _doc_relations(obj: dict, spans: list[Span], loc: dict,
                   problems: list[Problem]) -> list[Relation]:
    raw = obj.get("relations", [])
    if not isinstance(raw, list):
        problems.append(Problem(f"expected 'relations' to be a list, found {type(raw).__name__}",
                                doc_id=obj["id"], code="DK-REL-006", **loc))
        return []
    rels = []
    for k, r in enumerate(raw):
        try:
            rels.append(relation_from_dict(r))
        except ValueError as exc:
            problems.append(Problem(f"relation {k}: {exc}", doc_id=obj["id"], code="DK-REL-006",
                                    **loc))
    found = relation_problems(Document(obj["id"], "", spans=spans, relations=rels),
                              file=loc["file"])
    problems.extend(dataclasses.replace(p, extra=loc["extra"]) for p in found)
    return rels if not found else []


def validate_articles(path: Path, *, with_relations: bool = False,
                      max_bytes: int = 50_000_000) -> list[Document]:
    """Validate a file of articles that carry their own text, as ``duikou tag`` writes them
    (``{"id", "text", "date"?, "entities", "relations"?}`` per line), and return them as
    Documents in file order. The spans (and, with ``with_relations``, the relations) are
    checked against each line's own ``text`` as :func:`validate_predictions` checks them
    against the corpus; ``date`` may be absent, null or ISO ``YYYY-MM-DD`` (the publication
    date that relative dates and the ledger resolve against)."""
    path = Path(path)
    problems: list[Problem] = []
    out: list[Document] = []
    for loc, obj in _records(path, max_bytes, problems, {}):
        doc_id = obj["id"]
        text, date = obj.get("text"), obj.get("date")
        if not isinstance(text, str):
            problems.append(Problem(
                f"expected the article's 'text' as a string (duikou tag writes it), found "
                f"{short_repr(text)}", doc_id=doc_id, **loc, code="DK-SUBMIT-023"))
            continue
        surrogate = next((i for i, c in enumerate(text) if "\ud800" <= c <= "\udfff"), None)
        if surrogate is not None:
            problems.append(Problem("the text holds a lone surrogate (\\ud800-\\udfff), which "
                                    "is not a character; expected valid Unicode text",
                                    doc_id=doc_id, start=surrogate, end=surrogate + 1, **loc,
                                    code="DK-SUBMIT-025"))
            continue
        if date is not None and not _iso_day(date):
            problems.append(Problem(f"expected 'date' as ISO YYYY-MM-DD or null, found "
                                    f"{short_repr(date)}", doc_id=doc_id, **loc,
                                    code="DK-SUBMIT-024"))
            continue
        spans = _doc_spans(obj, text, loc, problems)
        rels = _doc_relations(obj, spans, loc, problems) if with_relations else []
        out.append(Document(doc_id, text, date, spans=spans, relations=rels))
    if problems:
        raise SubmissionError(problems)
    return out


def _records(path: Path, max_bytes: int, problems: list[Problem], seen: dict[str, int]):
    """(location, object) of every well-formed line whose id is new; ``seen`` gets each id's
    line number, ``problems`` what is wrong with the other lines."""
    where = str(path)
    for n, raw in enumerate(_read_text(path, max_bytes).split("\n"), start=1):
        if not raw.strip():
            continue
        loc = {"file": where, "extra": f"line {n}"}
        obj = _parse_line(raw, loc, problems)
        if obj is None:
            continue
        if obj["id"] in seen:
            problems.append(Problem(f"duplicate document; first given on line {seen[obj['id']]}",
                                    file=where, doc_id=obj["id"], extra=f"line {n}",
                                    code="DK-SUBMIT-016"))
            continue
        seen[obj["id"]] = n
        yield loc, obj


def _iso_day(value: object) -> bool:
    """ISO ``YYYY-MM-DD`` and a real day (not a week date such as 2021-W01-1)."""
    from datetime import date

    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _validate(path: Path, docs: Mapping[str, str], max_bytes: int,
              with_relations: bool) -> dict[str, tuple[list[Span], list[Relation]]]:
    path = Path(path)
    where = str(path)
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    out: dict[str, tuple[list[Span], list[Relation]]] = {}
    for loc, obj in _records(path, max_bytes, problems, seen):
        doc_id = obj["id"]
        if doc_id not in docs:
            problems.append(Problem("unknown document id; it is not in the evaluation set",
                                    file=where, doc_id=doc_id, extra=loc["extra"],
                                    code="DK-SUBMIT-017"))
            continue
        spans = _doc_spans(obj, docs[doc_id], loc, problems)
        rels = _doc_relations(obj, spans, loc, problems) if with_relations else []
        out[doc_id] = (spans, rels)
    problems.extend(
        Problem("document missing from the predictions; expected one line for it",
                file=where, doc_id=d, code="DK-SUBMIT-018")
        for d in sorted(set(docs) - set(seen)))
    if problems:
        raise SubmissionError(problems)
    return {d: out[d] for d in sorted(docs)}
