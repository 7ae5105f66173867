"""Deterministic regex tagger for MONEY, PEOPLE, COUNT, QUANTITY and DATE.

Follows the boundary rules of ``annotation/GUIDELINES.md`` (G13-G15, 4.7-4.11):

* figures contain an Arabic digit (ASCII or full-width); span = optional prefix
  approximator (约 近 将近 逾 超过 超 不足 不到) + number [+ 余/多/来] [+ 万/亿] + unit
  [+ 左右/以上/以下/上下/整]; lead-in words (共计, 累计, 达, 价值, ...) stay outside because
  the span starts at an approximator or the number;
* the unit decides the label (人次/人/名/位 → PEOPLE, 户/个/所/... → COUNT, 元 → MONEY,
  %/公斤/亩/天/... → QUANTITY); ages (岁), anniversaries (周年) and ordinals (第6批) give
  nothing;
* DATE: four-digit years, (relative year +) month [+ day] [+ 上旬/中旬/下旬/初/底/末],
  ranges joined by - ~ — 至 到 (5月26-28日 is one span), ISO dates; anchors such as
  以来/起/上午 stay outside. Bare relative words (今年, 去年) are not dates.

Spans never overlap (dates first, then figures, leftmost-longest) and carry the
:func:`duikou.normalise.normalise` attributes (document date, 4 characters of context).
Offsets are code points, end-exclusive.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from duikou.baselines.base import Tagger
from duikou.baselines.common import TrainingScope, write_model_info
from duikou.normalise import unit_label
from duikou.records import Document
from duikou.schema import DATE_LABELS, NORMALISED_LABELS
from duikou.spans import Span

RULES_VERSION = "1"

_D = "[0-9０-９]"
_NUM = rf"{_D}+(?:[,，]{_D}{{3}})*(?:[.．]{_D}+)?"
_MULT = "[十百千万亿萬億]{0,2}"
_INNER = "[余餘多来來]"
_PREFIX = (r"(?:将近|將近|超过|超過|不足|不到|逾|(?<![节合签预制契公条邀相特简婚协])[约約]"
           r"|(?<![最附临邻靠亲接将將])近|(?<![高赶])超)")
_SUFFIX = r"(?:左右|以上|以下(?![简是列几称])|上下(?![游级文班车楼铺])|整(?![体个治改合顿理齐]))"

# The unit words this tagger recognises, Traditional forms included. Which label each
# implies (None: an age, anniversary or generation, so no figure) comes from the one unit
# table, :func:`duikou.normalise.unit_label`.
_UNIT_WORDS: tuple[str, ...] = (
    "元", "块钱", "美元", "圓",
    "人次", "人", "名", "位", "个人", "個人",
    "户", "戶", "个", "個", "所", "家", "台", "臺", "次", "例", "项", "項", "批", "枚",
    "头", "頭", "栋", "棟", "间", "間", "套", "件", "份", "本", "册", "张", "張", "辆",
    "輛", "场", "場", "期", "届", "屆", "座", "条", "條", "处", "處", "支", "只", "隻",
    "株", "棵", "篇", "部", "门", "門", "节", "節", "堂", "轮", "輪", "架", "箱", "袋",
    "盒", "双", "雙", "组", "組", "队", "隊", "种", "種", "类", "類", "床", "课时", "学时",
    "%", "％", "个百分点", "百分点", "公斤", "千克", "kg", "斤", "吨", "噸", "克", "亩",
    "畝", "公顷", "平方米", "平米", "平方公里", "公里", "千米", "米", "厘米", "天", "个工作日",
    "周", "週", "个星期", "星期", "个月", "個月", "年", "小时", "個小時", "个小时", "小時",
    "分钟", "分鐘", "倍", "升", "立方米", "千瓦", "个春秋", "個春秋",
    "岁", "歲", "周岁", "周歲", "周年", "週年", "后", "後",
)
_UNITS: dict[str, str | None] = {w: unit_label(w) for w in _UNIT_WORDS}
_UNIT_RE = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
_FIGURE = re.compile(
    rf"(?<![0-9０-９.．A-Za-z第])(?P<pre>{_PREFIX})?(?P<num>{_NUM}{_MULT}"
    rf"(?:[-~～—–至到]{_NUM}{_MULT})?)(?P<inner>{_INNER}{_MULT})?(?P<unit>{_UNIT_RE})"
    rf"(?![民])(?P<suf>{_SUFFIX})?"
)

_CN_MONTH = "(?:十[一二]|[一二三四五六七八九十])"
_CN_DAY = "(?:[二三]?十[一二三四五六七八九]?|[一二三四五六七八九十]|三十一?)"
_YEAR = rf"(?<![0-9０-９])(?:{_D}{{4}}|[〇零一二三四五六七八九]{{4}})年"
_REL_YEAR = "(?:去年|今年|前年|明年|上年|本年)"
_MONTH = rf"(?:(?<![0-9０-９]){_D}{{1,2}}|{_CN_MONTH})月"
_DAYNUM = rf"(?:{_D}{{1,2}}|{_CN_DAY})"
_DAY = rf"{_DAYNUM}[日号號]"
_SEP = "[-~～—–至到]"
_PART = "(?:上旬|中旬|下旬|初|底|末)"
_DATE = re.compile(
    rf"(?:{_YEAR}|{_REL_YEAR})?{_MONTH}"
    rf"(?:{_DAYNUM}(?:[日号號]?{_SEP}(?:{_MONTH})?{_DAY})|{_DAY}(?:{_SEP}(?:{_MONTH})?{_DAY})?"
    rf"|{_PART}|{_SEP}{_MONTH})?"
    rf"|(?<![0-9０-９]){_D}{{4}}年?{_SEP}{_D}{{4}}年"
    rf"|(?<![0-9０-９]){_D}{{4}}[-./]{_D}{{1,2}}[-./]{_D}{{1,2}}(?![0-9０-９])"
    rf"|{_YEAR}"
)
FIGURE_UNITS = _UNITS


def _figure_label(m: re.Match) -> str | None:
    label = _UNITS[m.group("unit")]
    if m.group("unit") == "年":
        digits = re.sub(r"[^0-9０-９]", "", m.group("num"))
        if len(digits) >= 4:  # 2018年 is a date, handled by the DATE pattern
            return None
    return label


def find_spans(text: str) -> list[Span]:
    """Rule spans in ``text`` without attributes, sorted, non-overlapping."""
    taken = [False] * len(text)
    spans: list[Span] = []

    def add(start: int, end: int, label: str) -> None:
        if not any(taken[start:end]):
            spans.append(Span(start, end, label, text[start:end]))
            for i in range(start, end):
                taken[i] = True

    for m in _DATE.finditer(text):
        add(m.start(), m.end(), DATE_LABELS[0])
    for m in _FIGURE.finditer(text):
        label = _figure_label(m)
        if label is not None:
            add(m.start(), m.end(), label)
    return sorted(spans)


class RulesTagger(Tagger):
    """The rule tagger behind the same interface as the learned taggers."""

    kind = "rules"

    @classmethod
    def train(cls, train_docs: Sequence[Document], val_docs: Sequence[Document], *,
              out: Path, scope: TrainingScope, corpus: Path | None = None, seed: int = 0,
              **opts: object) -> Path:
        return train(train_docs, val_docs, out=out, scope=scope, corpus=corpus, seed=seed)

    @classmethod
    def load(cls, folder: Path | None = None, *, corpus: Path | None = None,
             allow_other_dataset: bool = False) -> RulesTagger:
        return cls()

    def predict_spans(self, texts: Sequence[str]) -> list[list[Span]]:
        return [find_spans(t) for t in texts]


def train(train_docs: Sequence[Document], val_docs: Sequence[Document], *, out: Path, scope: TrainingScope,
          corpus: Path | None = None, seed: int = 0, **opts: object) -> Path:
    """Write a rules model folder (nothing is learned; the documents are only recorded)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_model_info(out, kind="rules", scope=scope, seed=seed, training_time_s=0.0,
                     hyperparameters={"rules_version": RULES_VERSION,
                                      "labels": list(NORMALISED_LABELS)},
                     corpus=corpus)
    return out
