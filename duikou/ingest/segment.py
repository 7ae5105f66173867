"""Sentence segmentation for Chinese news text, with offsets.

Contract: ``sentence_spans(text)`` returns ``(start, end)`` code-point pairs, end-exclusive,
in order, non-overlapping, each non-empty and without leading/trailing whitespace. Rules:

* A line break always ends a sentence: headings, list items and captions without end
  punctuation are sentences of their own.
* Inside a line a sentence ends after a run of 。！？!? extended over any closing quotes or
  brackets that follow (”’」』）)】》). Semicolons do not end sentences. Inside an open
  quotation (“…” or 「…」) a terminator ends the sentence only when the quote closes right
  after it, so "“哇!好多图书啊,还有绘本。”" stays one sentence.
* An ellipsis (…… or ...) ends a sentence only where it is followed by a closing quote and
  then the line ends, or by the line end: a mid-line ellipsis ("送教入校……在這場") stays
  inside its sentence, as readers of such lists expect.
* ``sentence_spans(text, spans)`` never cuts through an entity span: sentences that a span
  would straddle are merged.
"""

from __future__ import annotations

from collections.abc import Iterable

from duikou.spans import Span

_TERMINATORS = "。！？!?"
_CLOSERS = "”’」』）)】》"
_OPEN_QUOTES = {"“": "”", "「": "」", "『": "』"}


def _line_spans(text: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    start = 0
    for i, ch in enumerate(text):
        if ch == "\n":
            out.append((start, i))
            start = i + 1
    out.append((start, len(text)))
    return out


def _ends_in_line(text: str, a: int, b: int) -> list[int]:
    """Sentence end offsets inside ``text[a:b]`` (exclusive ends)."""
    ends: list[int] = []
    open_stack: list[str] = []
    i = a
    while i < b:
        ch = text[i]
        if ch in _OPEN_QUOTES:
            open_stack.append(_OPEN_QUOTES[ch])
        elif open_stack and ch == open_stack[-1]:
            open_stack.pop()
        if ch not in _TERMINATORS:
            i += 1
            continue
        j = i
        while j < b and text[j] in _TERMINATORS:
            j += 1
        closes_quote = j < b and open_stack and text[j] == open_stack[-1]
        while j < b and text[j] in _CLOSERS:
            if open_stack and text[j] == open_stack[-1]:
                open_stack.pop()
            j += 1
        if not open_stack or closes_quote:
            if closes_quote:
                open_stack.clear()
            ends.append(j)
        i = j
    return ends


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def sentence_spans(text: str, spans: Iterable[Span] = ()) -> list[tuple[int, int]]:
    raw: list[tuple[int, int]] = []
    for a, b in _line_spans(text):
        cur = a
        for end in _ends_in_line(text, a, b):
            raw.append((cur, end))
            cur = end
        raw.append((cur, b))
    trimmed = [_trim(text, a, b) for a, b in raw]
    sents = [(a, b) for a, b in trimmed if b > a]
    return _merge_across(sents, spans)


def _merge_across(sents: list[tuple[int, int]], spans: Iterable[Span]) -> list[tuple[int, int]]:
    cuts = sorted(spans, key=lambda s: s.start)
    if not cuts:
        return sents
    merged: list[tuple[int, int]] = []
    for a, b in sents:
        if merged and any(s.start < merged[-1][1] and s.end > merged[-1][1] for s in cuts):
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged
