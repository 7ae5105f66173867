"""A rule-based relation baseline: who helped whom, with how much, when.

It runs on any spans of a document — gold spans (relation classification alone) or a
tagger's predicted spans (the end-to-end pipeline) — and follows the decisions of the
guidelines' §9 with surface cues only:

* **AID**: in a sentence with an aid cue (援, 帮扶, 支援, 协作, 捐, 结对…), each DONOR entity →
  each RECIPIENT entity of the sentence, through their closest pair of mentions;
* **AMOUNT**: a figure in a sentence with an aid cue, whose clause has no "not aid" cue
  (生产总值, 收入, 人均, 招商, 计划…, §9.1 R4 and §9.7 D11–D17) and which is not a share,
  duration, variety or batch, is linked to its giver (the DONOR mention of its clause, else
  the nearest of the sentence, before the figure first, else the nearest preceding DONOR
  mention within :data:`LOOKBACK` sentences) and to each RECIPIENT named in the sentence
  (D10; one mention per name, chosen the same way);
* **TIME**: a linked figure → the DATE of its clause, else the nearest of its sentence;
* **PART_OF**: a figure after 其中/包括 → the nearest earlier figure of the same label in the
  sentence, before that cue.

The cue lists were written from the guidelines (§9, §9.7), not tuned on any split.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from duikou.ingest.segment import sentence_spans
from duikou.records import Relation, span_id
from duikou.schema import FIGURE_LABELS
from duikou.spans import Span

AID_CUES = re.compile(r"援|帮扶|支援|协作|協作|扶贫|扶貧|捐|结对|結對|对口|對口|帮助|幫助|"
                      r"资助|資助|投入|支持|助力|共建|選派|选派|派出|培训|培訓|采购|採購|消费|消費")
NOT_AID = re.compile(r"生产总值|生產總值|GDP|收入|人口|工资|工資|发生率|發生率|增长|增長|"
                     r"排名|位居|海拔|面积|面積|距离|距離|公里|岁|歲|总人口|增幅|下降|降至|"
                     r"人均|户均|戶均|县均|縣均|年均|每|率|招商|引进|引進|签约|簽約|协议|協議|"
                     r"订单|訂單|拟|擬|计划|計劃|预计|預計|力争|力爭|目标|目標|脱贫|脫貧")
# Figures that are never amounts (§9.7 D13–D15): shares, durations, varieties, batches, events.
NOT_AMOUNT = re.compile(r"[%％倍]|[年天月周週]$|个月$|個月$|[种種款类類批期届屆场場]$|批次$")
PART_CUES = re.compile(r"其中|包括|含")
CLAUSE_BREAK = re.compile(r"[，,；;。！？!?]")
LOOKBACK = 3


def _clause(text: str, a: int, b: int, start: int, end: int) -> tuple[int, int]:
    """The clause of ``text[a:b]`` around ``[start, end)`` as offsets."""
    left = max((m.end() for m in CLAUSE_BREAK.finditer(text, a, start)), default=a)
    m = CLAUSE_BREAK.search(text, end, b)
    return left, m.start() if m else b


def _nearest(target: Span, cands: Sequence[Span], clause: tuple[int, int] | None = None
             ) -> Span | None:
    """The candidate in ``target``'s clause closest to it (§9.7 D6), else the candidate
    closest before ``target``, else closest after."""
    if clause is not None:
        inside = [c for c in cands if clause[0] <= c.start and c.end <= clause[1]]
        if inside:
            return min(inside, key=lambda c: (abs(c.start - target.start), c.start))
    before = [c for c in cands if c.end <= target.start]
    if before:
        return max(before, key=lambda c: c.end)
    after = [c for c in cands if c.start >= target.end]
    return min(after, key=lambda c: c.start) if after else None


def _closest_pair(xs: Sequence[Span], ys: Sequence[Span]) -> tuple[Span, Span]:
    return min(((x, y) for x in xs for y in ys),
               key=lambda p: (abs(p[0].start - p[1].start), p[0].start, p[1].start))


def _by_name(text: str, spans: Sequence[Span]) -> dict[str, list[Span]]:
    out: dict[str, list[Span]] = {}
    for s in spans:
        out.setdefault(text[s.start:s.end], []).append(s)
    return out


def _aid(text: str, sent: list[Span]) -> list[Relation]:
    donors: dict[str, list[Span]] = {}
    recips: dict[str, list[Span]] = {}
    for s in sent:
        side = donors if s.label == "DONOR" else recips if s.label == "RECIPIENT" else None
        if side is not None:
            side.setdefault(text[s.start:s.end], []).append(s)
    out = []
    for dm in donors.values():
        for rm in recips.values():
            d, r = _closest_pair(dm, rm)
            out.append(Relation(span_id(d), span_id(r), "AID"))
    return out


def relate(text: str, spans: Sequence[Span]) -> list[Relation]:
    """Relations between ``spans`` of the document ``text`` (see the module docstring)."""
    spans = sorted(spans)
    sents = sentence_spans(text, spans)
    by_sent: list[list[Span]] = [[s for s in spans if a <= s.start and s.end <= b]
                                 for a, b in sents]
    out: list[Relation] = []
    for k, ((a, b), sent) in enumerate(zip(sents, by_sent)):
        if AID_CUES.search(text, a, b):
            out += _aid(text, sent)
        donors = [s for s in sent if s.label == "DONOR"]
        recips = [s for s in sent if s.label == "RECIPIENT"]
        dates = [s for s in sent if s.label == "DATE"]
        earlier = [s for j in range(max(0, k - LOOKBACK), k) for s in by_sent[j]
                   if s.label == "DONOR"]
        figures = [s for s in sent if s.label in FIGURE_LABELS]
        for f in figures:
            ca, cb = _clause(text, a, b, f.start, f.end)
            if (not AID_CUES.search(text, a, b) or NOT_AID.search(text, ca, cb)
                    or NOT_AMOUNT.search(text[f.start:f.end])):
                continue
            giver = _nearest(f, donors, (ca, cb)) or (earlier[-1] if earlier else None)
            receivers = [_nearest(f, ms, (ca, cb)) for ms in _by_name(text, recips).values()]
            for head in [giver, *receivers]:
                if head is not None:
                    out.append(Relation(span_id(head), span_id(f), "AMOUNT"))
            if giver is None and not receivers:
                continue
            when = _nearest(f, dates, (ca, cb))
            if when is not None:
                out.append(Relation(span_id(f), span_id(when), "TIME"))
            cue = PART_CUES.search(text, a, f.start)
            if cue:
                totals = [t for t in figures if t.label == f.label and t.end <= cue.start()]
                if totals:
                    out.append(Relation(span_id(f), span_id(totals[-1]), "PART_OF"))
    return list(dict.fromkeys(out))
