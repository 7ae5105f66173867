"""Consistency audit of gold spans: the places a careful reader should look at again.

Four checks, per document (offsets are code points, end-exclusive):

``label-conflict``
    the same surface string annotated with different labels in one document (roles are
    decided per entity per document, so a name should keep its label);
``unannotated-mention``
    an occurrence of an annotated party or entity name (kind party or entity) that no span
    covers;
``digit-outside``
    a run of digits that no span covers (ordinals, ages and codes are legitimate, but each
    must be looked at; digits inside a name or programme span are covered by it, G2);
``edge``
    a span that starts or ends with whitespace, starts or ends with a quotation mark that
    encloses it, starts with a lead-in word (verb, preposition, 共计/累计/达, …) or ends with a
    title (同志, 书记, 主任, …); figures and dates also when they start with a lead-in word
    (共计, 累计, 达, 约有, …, G14), which names may legitimately start with (和田, 向阳).

A hit is *resolved* by fixing the gold, or *justified* by a line in the justification file
(``annotation/audit_justified.jsonl``): ``{"doc", "check", "start", "end", "reason"}``. The
audit lists every hit that is neither; ``duikou annotation audit`` exits 1 while any remain.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from duikou.errors import AnnotationError, Problem
from duikou.jsonio import read_jsonl_lines
from duikou.records import id_sort_key
from duikou.schema import Kind, kind_of
from duikou.spans import Span

CHECKS = ("label-conflict", "unannotated-mention", "digit-outside", "edge")
_DIGITS = re.compile(r"[0-9０-９]+")
_QUOTES = "“”「」『』‘’\"'《》〈〉"
_OPENING = {"“": "”", "「": "」", "『": "』", "‘": "’", "《": "》", "〈": "〉", '"': '"', "'": "'"}
LEAD_INS: tuple[str, ...] = (
    "向", "在", "对", "為", "为", "给", "與", "与", "和", "及", "援", "帮扶", "幫扶", "支援",
    "捐赠", "捐贈", "投入", "共计", "共計", "累计", "累計", "合计", "合計", "总计", "總計",
    "共", "达", "達", "约有", "有", "仅", "僅", "价值", "價值", "人均", "每",
)
TITLES: tuple[str, ...] = (
    "同志", "老师", "老師", "医生", "醫生", "教授", "书记", "書記", "院长", "院長", "校长",
    "校長", "队长", "隊長", "领队", "領隊", "主任", "局长", "局長", "县长", "縣長", "市长",
    "市長", "省长", "省長", "部长", "部長", "主席", "总经理", "總經理", "董事长", "董事長",
    "厅长", "廳長", "一行",
)


@dataclass(frozen=True)
class Hit:
    doc: str
    check: str
    start: int
    end: int
    text: str
    detail: str

    @property
    def key(self) -> tuple[str, str, int, int]:
        return (self.doc, self.check, self.start, self.end)


def _covered(spans: Sequence[Span], length: int, kinds: set[Kind] | None = None) -> list[bool]:
    cov = [False] * length
    for s in spans:
        if kinds is None or kind_of(s.label) in kinds:
            cov[s.start:s.end] = [True] * (s.end - s.start)
    return cov


def label_conflicts(doc: str, text: str, spans: Sequence[Span]) -> list[Hit]:
    by_surface: dict[str, set[str]] = defaultdict(set)
    for s in spans:
        by_surface[text[s.start:s.end]].add(s.label)
    return [Hit(doc, "label-conflict", s.start, s.end, text[s.start:s.end],
                f"also labelled {', '.join(sorted(by_surface[text[s.start:s.end]] - {s.label}))}")
            for s in spans if len(by_surface[text[s.start:s.end]]) > 1]


def unannotated_mentions(doc: str, text: str, spans: Sequence[Span]) -> list[Hit]:
    cov = _covered(spans, len(text))
    names = {text[s.start:s.end]: s.label for s in spans
             if kind_of(s.label) in (Kind.PARTY, Kind.ENTITY) and s.end - s.start >= 2}
    hits = []
    for name, label in sorted(names.items()):
        for m in re.finditer(re.escape(name), text):
            if not any(cov[m.start():m.end()]):
                hits.append(Hit(doc, "unannotated-mention", m.start(), m.end(), name,
                                f"annotated as {label} elsewhere in the document"))
    return hits


def digits_outside(doc: str, text: str, spans: Sequence[Span]) -> list[Hit]:
    cov = _covered(spans, len(text))  # inside any span is fine: spans are flat (G2)
    return [Hit(doc, "digit-outside", m.start(), m.end(), m.group(),
                "digits in no figure or date span")
            for m in _DIGITS.finditer(text) if not any(cov[m.start():m.end()])]


def edge_problems(doc: str, text: str, spans: Sequence[Span]) -> list[Hit]:
    hits = []
    for s in spans:
        surface = text[s.start:s.end]
        why = _edge_reason(surface, kind_of(s.label).normalised)
        if why:
            hits.append(Hit(doc, "edge", s.start, s.end, surface, f"{s.label}: {why}"))
    return hits


def _edge_reason(surface: str, figure: bool) -> str | None:
    if surface != surface.strip():
        return "starts or ends with whitespace"
    first, last = surface[0], surface[-1]
    if first in _OPENING and surface.endswith(_OPENING[first]) and len(surface) > 1:
        return "quotation marks enclose the whole span (G4)"
    if last in _QUOTES and first not in _OPENING:
        return "ends with a quotation mark"
    # lead-ins only for figures and dates (G14): names may start with 和, 向, 达 (和田, 向阳)
    lead = next((w for w in LEAD_INS if surface.startswith(w) and len(surface) > len(w)),
                None) if figure else None
    if lead:
        return f"starts with the lead-in {lead!r}"
    title = next((w for w in TITLES if surface.endswith(w) and len(surface) > len(w)), None)
    if title:
        return f"ends with the title {title!r} (G3)"
    return None


def audit_document(doc: str, text: str, spans: Sequence[Span]) -> list[Hit]:
    """Every hit of every check in one document, in check order then offset order."""
    found = (label_conflicts(doc, text, spans) + unannotated_mentions(doc, text, spans)
             + digits_outside(doc, text, spans) + edge_problems(doc, text, spans))
    return sorted(found, key=lambda h: (CHECKS.index(h.check), h.start, h.end))


def read_justified(path: Path) -> dict[tuple[str, str, int, int], str]:
    """Justified hits: key → reason; AnnotationError for a line without a reason."""
    if not Path(path).is_file():
        return {}
    problems: list[Problem] = []
    out: dict[tuple[str, str, int, int], str] = {}
    for n, rec in read_jsonl_lines(Path(path), problems=problems):
        ok = isinstance(rec, dict) and rec.get("check") in CHECKS and all(
            isinstance(rec.get(k), int) for k in ("start", "end")) and rec.get("reason")
        if not ok:
            problems.append(Problem("expected {doc, check, start, end, reason} with a known "
                                    "check and a non-empty reason", file=str(path),
                                    extra=f"line {n}", code="DK-ANN-024"))
            continue
        out[(rec["doc"], rec["check"], rec["start"], rec["end"])] = rec["reason"]
    if problems:
        raise AnnotationError(problems)
    return out


def audit(texts: Mapping[str, str], gold: Mapping[str, Sequence[Span]],
          justified: Mapping[tuple[str, str, int, int], str] | None = None
          ) -> tuple[list[Hit], int]:
    """(unresolved hits, number of justified hits) over every gold document."""
    justified = justified or {}
    hits = [h for doc in sorted(gold, key=id_sort_key) for h in audit_document(doc, texts[doc], gold[doc])]
    open_hits = [h for h in hits if h.key not in justified]
    return open_hits, len(hits) - len(open_hits)


def render(hits: Sequence[Hit], texts: Mapping[str, str], n_justified: int) -> str:
    lines = []
    for check in CHECKS:
        group = [h for h in hits if h.check == check]
        lines.append(f"{check}: {len(group)}")
        for h in group:
            t = texts[h.doc]
            ctx = f"{t[max(0, h.start - 8):h.start]}[{h.text}]{t[h.end:h.end + 8]}"
            lines.append(f"  {h.doc} [{h.start}, {h.end}) {ctx.replace(chr(10), '⏎')}  "
                         f"— {h.detail}")
    lines.append(f"{len(hits)} unresolved, {n_justified} justified")
    return "\n".join(lines)
