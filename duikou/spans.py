"""Span ↔ BIO converters with exact contracts.

Offset convention, everywhere in duikou: **offsets are Unicode code-point indices into the
clean document text (Python ``str`` indices), end-exclusive**, so ``text[start:end]`` is the
span's surface string. Astral-plane characters (𠮷, 😀) count as one position; CRLF counts
as two. BIO tags are one per code point, IOB2 scheme (every span starts with ``B-``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from duikou.errors import BioError, Problem, SpanError
from duikou.schema import LABEL_NAMES, is_label


@dataclass(frozen=True, order=True)
class Span:
    """A labelled half-open interval ``[start, end)`` of code points.

    ``text`` is the surface string when known (it must then equal ``doc_text[start:end]``).
    ``attrs`` carries optional extra fields (figure normalisation, provenance) and does not
    take part in ordering or equality.
    """

    start: int
    end: int
    label: str
    text: str | None = field(default=None, compare=False)
    attrs: dict | None = field(default=None, compare=False, hash=False)

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.label)

    def to_dict(self) -> dict:
        """The entity dict (see :mod:`duikou.records`, the one record layer)."""
        return {"start": self.start, "end": self.end, "label": self.label, "text": self.text,
                **(self.attrs or {})}


def span_problems(
    text: str,
    spans: Iterable[Span],
    *,
    doc_id: str | None = None,
    file: str | None = None,
    allow_overlap: bool = False,
) -> list[Problem]:
    """Check spans against their text and the schema; return every problem found.

    Checks: integer offsets with ``0 <= start < end <= len(text)``, a known label,
    ``span.text == text[start:end]`` where ``span.text`` is given, and (unless
    ``allow_overlap``) no two spans sharing a code point, since v1 annotation is flat.
    """
    problems: list[Problem] = []

    def bad(msg: str, s: Span, code: str) -> None:
        problems.append(Problem(msg, file=file, doc_id=doc_id, start=s.start, end=s.end,
                                code=code))

    ok: list[Span] = []
    for s in spans:
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in (s.start, s.end)):
            bad(f"offsets must be integers, found {s.start!r} and {s.end!r}", s, "DK-SPAN-001")
            continue
        if not 0 <= s.start < s.end <= len(text):
            bad(f"expected 0 <= start < end <= {len(text)} (text length)", s, "DK-SPAN-007")
            continue
        if not is_label(s.label):
            bad(f"unknown label {s.label!r}; expected one of {', '.join(LABEL_NAMES)}", s,
                "DK-SPAN-008")
        if s.text is not None and text[s.start : s.end] != s.text:
            bad(f"span text {s.text!r} does not match text[start:end] = "
                f"{text[s.start:s.end]!r}", s, "DK-SPAN-009")
        ok.append(s)
    if not allow_overlap:
        ordered = sorted(ok, key=lambda s: (s.start, s.end))
        for prev, cur in zip(ordered, ordered[1:]):
            if cur.start < prev.end:
                problems.append(Problem(
                    f"overlaps span [{prev.start}, {prev.end}) {prev.label}; v1 spans are flat",
                    file=file, doc_id=doc_id, start=cur.start, end=cur.end, code="DK-SPAN-002"))
    return problems


def check_spans(text: str, spans: Iterable[Span], **where: str | None) -> None:
    """Raise :class:`SpanError` listing every problem :func:`span_problems` finds."""
    problems = span_problems(text, spans, **where)
    if problems:
        raise SpanError(problems)


def spans_to_bio(length: int, spans: Iterable[Span]) -> list[str]:
    """IOB2 tags, one per code point of a text of ``length`` code points.

    Contract: spans are flat (non-overlapping), within ``[0, length)``, non-empty. A span
    ``[s, e)`` with label ``L`` yields ``B-L`` at ``s`` and ``I-L`` on ``s+1 .. e-1``.
    Inverse of :func:`bio_to_spans` on valid input.
    """
    tags = ["O"] * length
    for s in sorted(spans, key=lambda sp: sp.start):
        if not 0 <= s.start < s.end <= length:
            raise SpanError(Problem(f"span outside [0, {length})", start=s.start, end=s.end,
                                    code="DK-SPAN-003"))
        if any(t != "O" for t in tags[s.start : s.end]):
            raise SpanError(Problem("overlapping spans cannot be tagged", start=s.start,
                                    end=s.end, code="DK-SPAN-004"))
        tags[s.start] = f"B-{s.label}"
        for i in range(s.start + 1, s.end):
            tags[i] = f"I-{s.label}"
    return tags


def bio_to_spans(
    tags: Sequence[str], *, strict: bool = True, text: str | None = None, offset: int = 0
) -> list[Span]:
    """Spans from IOB2 tags; positions are ``offset + index``.

    ``strict=True`` (for gold data) raises :class:`BioError` on an ``I-`` tag that does not
    continue a span of the same label, or on an unknown tag shape. ``strict=False`` (for model
    output) treats such an ``I-X`` as the start of a new span, the usual repair. When ``text``
    is given, each span's ``text`` is filled from ``text[start - offset : end - offset]``.
    """
    spans: list[Span] = []
    cur_label: str | None = None
    cur_start = 0

    def close(end: int) -> None:
        if cur_label is not None:
            surface = text[cur_start:end] if text is not None else None
            spans.append(Span(cur_start + offset, end + offset, cur_label, surface))

    for i, tag in enumerate(tags):
        if tag == "O":
            close(i)
            cur_label = None
            continue
        prefix, sep, label = tag.partition("-")
        if sep != "-" or prefix not in ("B", "I") or not label:
            raise BioError(Problem(f"expected 'O', 'B-LABEL' or 'I-LABEL', found {tag!r}",
                                   start=i + offset, end=i + offset + 1, code="DK-SPAN-005"))
        if prefix == "I" and cur_label == label:
            continue
        if prefix == "I" and strict:
            raise BioError(Problem(
                f"{tag!r} does not continue a {label} span (previous tag "
                f"{tags[i - 1] if i else 'none'!r}); IOB2 spans start with B-",
                start=i + offset, end=i + offset + 1, code="DK-SPAN-006"))
        close(i)
        cur_label, cur_start = label, i
    close(len(tags))
    return spans
