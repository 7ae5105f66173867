"""Figure and date normalisation for MONEY, PEOPLE, COUNT, QUANTITY and DATE spans.

Public API
----------
``normalise(label, text, *, doc_date=None, context_before="", context_after="")`` returns a
dict with exactly the keys :data:`NORMALISATION_KEYS` (``value``, ``value_max``, ``unit``,
``approx``, ``date``); keys that do not apply are ``None``. ``parse_number(text)`` reads a
bare numeral (Arabic, full-width, Chinese, Traditional or mixed such as ``1.2亿``).

Contract
--------
* ``label`` must be a schema label name, else ``ValueError``. Labels outside
  :data:`duikou.schema.NORMALISED_LABELS` (DONOR, ORG, ...) give all ``None``.
* Human text never raises: whatever cannot be read with confidence gives all ``None``.
  The rule throughout is *return None rather than guess*.
* ``doc_date`` is the publication date, ISO ``YYYY-MM-DD`` or ``None``; a malformed one is a
  caller error and raises ``ValueError``.
* A pinyin gloss in brackets inside the span (``20萬(wàn)畝``) is dropped before reading.
* ``context_before`` / ``context_after`` are the characters adjacent to the span in the
  document; only a qualifier touching the span is used (the end of ``context_before``, the
  start of ``context_after``).

Figures (MONEY, PEOPLE, COUNT, QUANTITY)
----------------------------------------
* ``value`` is the number as written, scaled by 十/百/千/万/亿 and by the unit's factor in
  :data:`UNIT_TABLE` (斤 → 0.5 kg, 吨 → 1000 kg, 厘米 → 0.01 m); an ``int`` when integral,
  else a ``float``. Exact decimal arithmetic is used, so ``2210.2万`` is ``22102000``.
* ``unit`` is the canonical unit from :data:`UNIT_TABLE` (the single source of truth). With
  no unit written, MONEY defaults to 元 and PEOPLE to 人; other labels give ``None``. A word
  after the number that is not a known unit or qualifier (``一些学校``, ``5把``) gives all
  ``None``: an unknown unit is not guessed.
* ``approx`` is one string or ``None``. Qualifiers and their meaning:
  ``over`` 余/多/几/以上/超过/超/突破/逾/多于/高于/有余; ``about`` 约/大约/大概/约合/左右/上下/许, 来 between the number and the unit (十来个, not
  3年来 'over the past 3 years'), and
  上万/上千/上百/上亿 (an order of magnitude, read as ``value`` 10000 etc. ``about``);
  ``nearly`` 近/将近/接近 (but 近 before a duration that opens a clause or is followed by
  来/以来 is "the past N years": ``近3年,`` and ``近3年来`` are exact, ``历时近3年`` is
  ``nearly``); ``at_least`` 至少/不少于/不低于/最少; ``at_most`` 不超过/不多于/
  最多/至多/以内/以下/之内/不到/不足; ``range`` for ranges. When several apply (``约3000余名``)
  the most specific one wins, by :data:`APPROX_PRECEDENCE`:
  range > at_least > at_most > over > nearly > about (so ``约3000余名`` → ``over``).
* ``十几`` / ``二十几万`` read like ``十余`` (``over``); ``数十``, ``几十``, ``若干``, ``一些``,
  ``成千上万``, ``多名`` → all ``None``.
* Ranges ``5-8人``, ``3至5所``, ``2100-2500元``, ``5万元-8万元`` give the lower bound in
  ``value``, the upper in ``value_max`` and ``approx`` ``range``. A multiplier written only on
  the upper bound carries to a bare lower bound when that keeps the order (``3-5万`` →
  30000..50000, but ``5000-2万`` → 5000..20000). Adjacent Chinese digits are a range
  (``两三个`` → 2..3, ``五六十人`` → 50..60). An inverted range gives all ``None``.

Dates (DATE)
------------
``date`` is an ISO-style partial date: ``2022``, ``2022-06``, ``2022-06-14``, or a range
``start/end`` of such (``2020-05-26/2020-05-28``, ``2018/2020``).

* Month or month-day without a year takes the year of ``doc_date``, or the year before
  when it would otherwise fall after the publication date (news reports look back: 12月底 in
  an article of 2019-01-20 is 2018-12); with ``doc_date`` ``None`` it gives ``None``. A day alone (``14日``) is ``None`` (the month is ambiguous).
* 今年/本年/去年/上年/前年/明年 resolve against ``doc_date``'s year, 本月/上月 against its
  month, 今天/昨天/前天 against its day; ``None`` without ``doc_date``. ``今(28)日`` /
  ``昨(27)日`` is that relative day when its day of the month is the bracketed one, allowing
  a page dated up to three days later (``今(28)日`` on 2021-09-29 → ``2021-09-28``); else
  ``None``.
* Vague parts reduce precision to the unit they qualify instead of failing:
  ``12月底``/``五月中旬`` → ``YYYY-12``/``YYYY-05`` (year from the text or ``doc_date``),
  ``2022年底``/``2022年上半年``/``2022年第一季度``/``2016年秋季``/``今年春节`` →
  the year; 月份 reads as 月. Anchors are dropped:
  ``2018年以来`` → ``2018``, ``从4月25日`` → ``YYYY-04-25``, ``6月14日上午`` → day.
* Purely vague expressions (目前, 日前, 近年, 近日, 年底 alone) → ``None``; so are two-digit
  years, impossible dates and ranges whose end precedes their start (``12月28日-1月3日``
  is not silently moved across a year).
"""

from __future__ import annotations

import re
from decimal import InvalidOperation

from duikou.normalise.dates import _date, _parse_doc_date
from duikou.normalise.figures import _figure
from duikou.normalise.numbers import parse_number
from duikou.normalise.result import (
    APPROX_PRECEDENCE,
    DATE_KEYS,
    FIGURE_KEYS,
    NORMALISATION_KEYS,
    empty,
)
from duikou.normalise.units import NON_FIGURE_WORDS, UNIT_TABLE, unit_label
from duikou.schema import LABEL_NAMES, Kind, kind_of

__all__ = ["APPROX_PRECEDENCE", "CONTEXT_CHARS", "DATE_KEYS", "FIGURE_KEYS", "NON_FIGURE_WORDS",
           "NORMALISATION_KEYS",
           "UNIT_TABLE", "normalise", "normalise_in_text", "parse_number", "unit_label"]


CONTEXT_CHARS = 4  # code points either side of a span that qualifiers may come from
# A pinyin reading in brackets after a character (萬(wàn), 個(gè)), as some Traditional
# gateways print them; at least one tone-marked vowel, so "(a)" or "(km)" is never taken. The
# bracket may be full-width, or a "?" where a gateway lost the character it annotated. Dropped
# inside figure spans before they are read, and by the furniture rules before matching.
PINYIN_GLOSS = re.compile(
    r"[(（?][a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ][a-züāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]*[)）]")


def normalise_in_text(label: str, text: str, start: int, end: int, *,
                      doc_date: str | None = None) -> dict:
    """:func:`normalise` for the span ``text[start:end]`` with :data:`CONTEXT_CHARS` of
    context either side: the one way the corpus build, the taggers and the scorer call it."""
    return normalise(label, text[start:end], doc_date=doc_date,
                     context_before=text[max(0, start - CONTEXT_CHARS):start],
                     context_after=text[end:end + CONTEXT_CHARS])


def normalise(
    label: str,
    text: str,
    *,
    doc_date: str | None = None,
    context_before: str = "",
    context_after: str = "",
) -> dict:
    """Normalise one span; see the module docstring for the full contract.

    Returns a new dict with exactly the keys :data:`NORMALISATION_KEYS`. Raises
    ``ValueError`` for a label that is not in the schema or a malformed ``doc_date``; never
    raises for unreadable span text (all values are then ``None``).
    """
    if not isinstance(label, str) or label not in LABEL_NAMES:
        raise ValueError(f"unknown label {label!r}; expected one of {', '.join(LABEL_NAMES)}")
    doc = _parse_doc_date(doc_date)
    if not isinstance(text, str) or not text.strip():
        return empty()
    text = PINYIN_GLOSS.sub("", text)
    try:
        kind = kind_of(label)
        if kind is Kind.FIGURE:
            return _figure(label, text, context_before or "", context_after or "")
        if kind is Kind.DATE:
            out = empty()
            out["date"] = _date(text, doc)
            return out
    except (InvalidOperation, OverflowError):
        return empty()
    return empty()
