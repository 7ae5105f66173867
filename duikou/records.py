"""The one record layer: JSON dicts ⇄ :class:`Span`, :class:`Relation`, :class:`Document`.

Every file duikou reads or writes (gold, annotation passes, predictions, dataset rows,
Label Studio imports) holds entities in one shape::

    {"start": int, "end": int, "label": str, "text": str, <attribute>: ..., ...}

with code-point offsets into the clean document text, end-exclusive (``text[start:end]``
is the span). Attributes are the figure/date normalisation keys
(:data:`duikou.normalise.NORMALISATION_KEYS`) and ``provenance``; any other key is kept as
an attribute too, so a reader never drops what a writer put there.

Span ids
--------
A span's id within its document is ``"{start}-{end}-{label}"`` (:func:`span_id`): stable
under edits elsewhere in the document, and a relation whose end was moved or relabelled
stops resolving instead of silently pointing at another span.

>>> s = span_from_dict({"start": 3, "end": 7, "label": "MONEY", "text": "210万元"})
>>> span_id(s)
'3-7-MONEY'
>>> span_to_dict(s)
{'start': 3, 'end': 7, 'label': 'MONEY', 'text': '210万元'}
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from duikou.errors import Problem
from duikou.normalise import NORMALISATION_KEYS
from duikou.schema import RELATION_BY_NAME, RELATION_NAMES, relation_allowed
from duikou.spans import Span

SPAN_KEYS: tuple[str, ...] = ("start", "end", "label", "text")
ATTR_KEYS: tuple[str, ...] = NORMALISATION_KEYS + ("provenance",)


def span_id(span: Span) -> str:
    """The span's id within its document (see the module docstring)."""
    return f"{span.start}-{span.end}-{span.label}"


_DIGITS = re.compile(r"([0-9]+)")


def id_sort_key(value: object) -> tuple:
    """Sort key for document, task and annotation ids: runs of ASCII digits compare as
    numbers, so ``9`` comes before ``10`` and ``doc-9`` before ``doc-10``; ids that differ
    only in leading zeros fall back to plain string order.

    >>> sorted(["10", "9", "doc-10", "doc-9", "000_ab"], key=id_sort_key)
    ['000_ab', '9', '10', 'doc-9', 'doc-10']
    """
    text = str(value)
    # the odd pieces of the split are the ASCII digit runs; compared by length then digits
    # (no int(): '²' is a digit to str.isdigit, and 5,000 digits exceed int's limit)
    parts = tuple((0, len(p.lstrip("0")), p.lstrip("0")) if i % 2 else (1, 0, p)
                  for i, p in enumerate(_DIGITS.split(text)) if p)
    return parts, text


def span_from_dict(obj: object) -> Span:
    """A :class:`Span` from an entity dict; ``ValueError`` when start/end/label are missing.

    Offsets and label are not checked here: :func:`duikou.spans.span_problems` checks them
    against the document text with located messages.
    """
    if not isinstance(obj, dict) or any(k not in obj for k in ("start", "end", "label")):
        raise ValueError(f"expected an object with start, end, label; found {obj!r}")
    attrs = {k: v for k, v in obj.items() if k not in SPAN_KEYS}
    return Span(obj["start"], obj["end"], obj["label"], obj.get("text"), attrs or None)


def span_to_dict(span: Span, text: str | None = None) -> dict:
    """The entity dict of ``span``; with ``text`` (the document), ``"text"`` is filled from
    ``text[start:end]`` instead of ``span.text``."""
    d = span.to_dict()
    if text is not None:
        d["text"] = text[span.start:span.end]
    return d


@dataclass(frozen=True)
class Relation:
    """A directed, typed link between two spans of one document, by :func:`span_id`."""

    head: str
    tail: str
    type: str
    provenance: str | None = field(default=None, compare=False)  # agreed | adjudicated

    def to_dict(self) -> dict:
        d = {"head": self.head, "tail": self.tail, "type": self.type}
        if self.provenance is not None:
            d["provenance"] = self.provenance
        return d


def relation_from_dict(obj: object) -> Relation:
    if not isinstance(obj, dict) or not all(isinstance(obj.get(k), str)
                                            for k in ("head", "tail", "type")):
        raise ValueError(f"expected an object with string head, tail, type; found {obj!r}")
    prov = obj.get("provenance")
    return Relation(obj["head"], obj["tail"], obj["type"],
                    prov if isinstance(prov, str) else None)


@dataclass
class Document:
    """A clean document with its spans (gold or predicted) and relations between them."""

    id: str
    text: str
    date: str | None = None
    split: str | None = None
    fold: int | None = None
    spans: list[Span] = field(default_factory=list)
    title: str | None = None
    relations: list[Relation] = field(default_factory=list)


def relation_problems(doc: Document, *, file: str | None = None) -> list[Problem]:
    """Every relation of ``doc`` that does not fit its spans and the relation schema: an end
    that is not a span, an unknown type, labels the type does not allow at head or tail, a
    self-loop, a duplicate. Problems are located at the relation's head span."""
    by_id = {span_id(s): s for s in doc.spans}
    problems, seen = [], set()
    for r in doc.relations:
        head, tail = by_id.get(r.head), by_id.get(r.tail)
        where = dict(file=file, doc_id=doc.id, start=head.start if head else None,
                     end=head.end if head else None)
        for end in (r.head, r.tail):
            if end not in by_id:
                problems.append(Problem(f"relation {r.type} refers to span {end!r}, which is "
                                        "not a span of this document", code="DK-REL-001",
                                        **where))
        if r.type not in RELATION_BY_NAME:
            problems.append(Problem(f"relation type {r.type!r} is not one of "
                                    f"{', '.join(RELATION_NAMES)}", code="DK-REL-003", **where))
        elif head and tail and not relation_allowed(r.type, head.label, tail.label):
            rt = RELATION_BY_NAME[r.type]
            problems.append(Problem(
                f"{r.type} goes from {'/'.join(rt.heads)} to {'/'.join(rt.tails)}; found "
                f"{head.label} {r.head} -> {tail.label} {r.tail}", code="DK-REL-004", **where))
        if r.head == r.tail:
            problems.append(Problem(f"relation {r.type} from span {r.head} to itself",
                                    code="DK-REL-005", **where))
        if r in seen:
            problems.append(Problem(f"duplicate relation {r.head} -{r.type}-> {r.tail}",
                                    file=file, doc_id=doc.id, code="DK-REL-002"))
        seen.add(r)
    return problems


def document_from_row(row: Mapping, split: str | None = None) -> Document:
    """A :class:`Document` from a ``documents`` row of the dataset."""
    spans = [span_from_dict({k: e.get(k) for k in SPAN_KEYS + ATTR_KEYS})
             for e in row["entities"]]
    relations = [relation_from_dict(r) for r in row.get("relations") or ()]
    return Document(row["id"], row["text"], row.get("date"), split, row.get("fold"), spans,
                    row.get("title"), relations)


def entities_record(doc_id: str, text: str, spans: Iterable[Span], *,
                    with_text: bool = False, **extra: object) -> dict:
    """``{"id", ["text"], **extra, "entities": [...]}``: a prediction or annotation line,
    spans in document order with ``text`` filled from the document."""
    rec: dict = {"id": doc_id}
    if with_text:
        rec["text"] = text
    rec.update(extra)
    rec["entities"] = [span_to_dict(s, text) for s in sorted(spans)]
    return rec


def spans_by_id(records: Sequence[Mapping]) -> dict[str, list[Span]]:
    """Document id → spans of prediction/annotation records (already validated)."""
    return {r["id"]: [span_from_dict(e) for e in r["entities"]] for r in records}
