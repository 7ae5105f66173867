"""Figures (MONEY, PEOPLE, COUNT, QUANTITY): value, range, unit and approximation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from duikou.normalise.numbers import (
    _CN_DIGITS,
    _MULT_CHARS,
    _MULT_RUN,
    _NUMERAL_RE,
    _ONE,
    _clean,
    _decimal_of,
    _to_number,
)
from duikou.normalise.result import APPROX_PRECEDENCE, empty
from duikou.normalise.units import _UNIT_KEYS, UNIT_TABLE, unit_label

_DEFAULT_UNIT = {"MONEY": "元", "PEOPLE": "人"}

_PREFIX_QUALIFIERS: tuple[tuple[str, str], ...] = (
    ("不少于", "at_least"), ("不低于", "at_least"), ("至少", "at_least"), ("最少", "at_least"),
    ("不超过", "at_most"), ("不多于", "at_most"), ("不高于", "at_most"), ("最多", "at_most"),
    ("至多", "at_most"), ("不到", "at_most"), ("不足", "at_most"),
    ("超过", "over"), ("多于", "over"), ("高于", "over"), ("大于", "over"), ("逾", "over"),
    ("突破", "over"), ("超", "over"),
    ("将近", "nearly"), ("接近", "nearly"), ("近", "nearly"),
    ("大约", "about"), ("大概", "about"), ("约合", "about"), ("约", "about"),
)
_SUFFIX_QUALIFIERS: tuple[tuple[str, str], ...] = (
    ("以上", "over"), ("有余", "over"), ("余", "over"), ("多", "over"),
    ("开外", "over"), ("左右", "about"), ("上下", "about"), ("许", "about"),
    ("以内", "at_most"), ("之内", "at_most"), ("以下", "at_most"),
)
# Words that may start a span before the number and say nothing about precision.
_NEUTRAL_PREFIX = re.compile(
    r"(?:共计|共有|总计|合计|总共|一共|累计|多达|高达|达到|为期|历时|人民币|共|达|计|仅)"
)
# Characters after the number (before a unit) that make it approximate: 20余人, 十几个.
_INNER_MARKS = {"余": "over", "多": "over", "几": "over", "来": "about", "许": "about"}
# A context qualifier preceded by one of these characters is part of another word
# (最近, 节约, 高超), not a qualifier.
_CONTEXT_BLOCKERS = {"近": "最附临邻靠亲", "约": "节合签预契公条制邀相特简婚协", "超": "高赶"}
_CONTEXT_AFTER_OK = re.compile(r"(?:[万亿]?[元人名个次户家项所台例位批枚头栋年天周岁来來]|$)")
_RANGE_SEP = re.compile(r"-|~|—|–|至|到")
_ADJACENT = re.compile(r"([一二两三四五六七八九])([二两三四五六七八九])([十百千万亿]*)")


@dataclass
class _Reading:
    low: Decimal
    high: Decimal | None = None
    unit: str | None = None  # a key of UNIT_TABLE
    flags: list[str] = field(default_factory=list)
    end: int = 0



def _figure(label: str, text: str, before: str, after: str) -> dict:
    s = re.sub(r"个([多余半])(月|小时|星期)", r"个\2\1", _clean(text))
    s, flags = _strip_prefixes(s)
    forced = None
    if s.startswith("百分之"):
        s, forced = s[3:], "%"
    elif s.startswith("¥"):
        s, forced = s[1:], "元"
    reading = _read_figure(s)
    if reading is None:
        return empty()
    tail = _read_tail(s[reading.end:], reading)
    if tail is None or (forced and reading.unit and UNIT_TABLE[reading.unit][0] != forced):
        return empty()
    flags += reading.flags + tail + _context_flags(before, after)
    if _recent_period(_clean(text), before, after, reading):
        flags = [f for f in flags if f != "nearly"]
    return _figure_result(label, reading, forced, flags)


_DURATIONS = frozenset({"year", "month", "week", "day"})
# What may stand before a 近 that opens a clause: punctuation, closing quotes and brackets,
# a dash, or 在 as a preposition (在近3年里; not the 在 of 存在/正在/所在/现在/实在).
_CLAUSE_START = re.compile(
    r"(?:^|[,，。;；:：、!！?？(（“”\"「」『』）)》〉】—-]|(?<![存正所现实自内好])在)$")
# A verb before the period makes 来 after it "in order to" (花了近两年来筹备): nearly.
_VERB_BEFORE = re.compile("(?:了|历时|耗时|经过|经|达|长达|用|花|持续)$")


def _recent_period(span: str, before: str, after: str, reading: _Reading) -> bool:
    """Is 近 + a duration "the past N years" (exact) rather than "nearly N years"?

    It is when the 近 opens a clause (``近3年,铜仁…``) or is 最近, or when 来/以来 follows
    the period (``全市近3年来``) with no verb before it; after a verb it is "nearly"
    (``历时近3年``, ``用了近3个月``, ``花了近两年来筹备``), and so are 将近/接近 and ages.

    >>> r = _Reading(Decimal(3), unit="年")
    >>> _recent_period("近3年", "1132个。", ",铜仁有", r), _recent_period("近3年", "历时", "", r)
    (True, False)
    """
    if reading.unit is None or UNIT_TABLE[reading.unit][0] not in _DURATIONS \
            or unit_label(reading.unit) is None:  # 近60岁 is an age: nearly
        return False
    before = _clean(before) if before else ""
    after = _clean(after) if after else ""
    if span.startswith("近"):
        lead = before
    elif before.endswith("近"):
        lead = before[:-1]
    else:
        return False
    if lead.endswith("最"):
        return True  # 最近3年: the most recent three years
    if re.search("[将將接附临邻靠亲]$", lead):
        return False  # 将近/接近 (nearly), or 近 inside another word
    follows = re.search("(?:以来|来)$", span) or after.startswith(("来", "以来"))
    return bool(_CLAUSE_START.search(lead)) or (bool(follows) and not _VERB_BEFORE.search(lead))


def _figure_result(label: str, r: _Reading, forced: str | None, flags: list[str]) -> dict:
    if r.unit is not None:
        unit, factor = UNIT_TABLE[r.unit]
    else:
        unit, factor = forced or _DEFAULT_UNIT.get(label), _ONE
    out = empty()
    out["value"] = _to_number(r.low * factor)
    out["value_max"] = None if r.high is None else _to_number(r.high * factor)
    out["unit"] = unit
    out["approx"] = next((a for a in APPROX_PRECEDENCE if a in flags), None)
    return out


def _strip_prefixes(s: str) -> tuple[str, list[str]]:
    flags: list[str] = []
    changed = True
    while changed:
        changed = False
        m = _NEUTRAL_PREFIX.match(s)
        if m and len(s) > m.end():
            s, changed = s[m.end():], True
        for word, kind in _PREFIX_QUALIFIERS:
            if s.startswith(word) and len(s) > len(word):
                s, changed = s[len(word):], True
                flags.append(kind)
                break
        if re.match(r"上[十百千万亿]", s):  # 上万人次: an order of magnitude
            s, changed = s[1:], True
            flags.append("about")
    return s, flags


def _read_figure(s: str) -> _Reading | None:
    adjacent = _read_adjacent(s)
    if adjacent is not None:
        return adjacent
    first = _read_amount(s, 0)
    if first is None:
        return None
    low, core1, flags, i = first
    unit1, i = _read_unit(s, i)
    sep = _RANGE_SEP.match(s, i)
    if sep is None:
        return _Reading(low, None, unit1, flags, i)
    second = _read_amount(s, sep.end())
    if second is None:
        return None
    high, core2, flags2, j = second
    unit2, j = _read_unit(s, j)
    if unit1 and unit2 and UNIT_TABLE[unit1] != UNIT_TABLE[unit2]:
        return None
    low = _carry_multiplier(low, core1, core2)
    if low > high:
        return None
    return _Reading(low, high, unit2 or unit1, flags + flags2 + ["range"], j)


def _read_adjacent(s: str) -> _Reading | None:
    """两三个 → 2..3, 五六十 → 50..60: two consecutive Chinese digits are a range."""
    m = _ADJACENT.match(s)
    if not m:
        return None
    d1, d2 = _CN_DIGITS[m.group(1)], _CN_DIGITS[m.group(2)]
    if d2 != d1 + 1:
        return None
    mult = _decimal_of(m.group(3)) if m.group(3) else _ONE
    if mult is None:
        return None
    unit, end = _read_unit(s, m.end())
    return _Reading(d1 * mult, d2 * mult, unit, ["range"], end)


def _read_amount(s: str, i: int) -> tuple[Decimal, str, list[str], int] | None:
    """Numeral [余/多/几/来] [万/亿...] at ``i`` → (value, numeral text, flags, end)."""
    m = _NUMERAL_RE.match(s, i)
    if not m:
        return None
    end = m.end()
    if end - i > 1 and any(s.startswith(k, end - 1) for k in _UNIT_KEYS if k[0] in _MULT_CHARS):
        end -= 1  # 5千克 is 5 kg, not 5000 克
    core = s[i:end]
    value = _decimal_of(core)
    if value is None:
        return None
    flags: list[str] = []
    if s.startswith("个多", end) and s[end + 2: end + 3] in ("万", "亿"):
        end += 1  # 7个多亿 is 7亿多: the measure word stands before 多 + multiplier
    if end < len(s) and s[end] in _INNER_MARKS:
        flags.append(_INNER_MARKS[s[end]])
        end += 1
        mult = _MULT_RUN.match(s, end)
        if mult:
            factor = _decimal_of(mult.group())
            if factor is None:
                return None
            value *= factor
            end = mult.end()
    return value, core, flags, end


def _read_unit(s: str, i: int) -> tuple[str | None, int]:
    for key in _UNIT_KEYS:
        if s.startswith(key, i):
            return key, i + len(key)
    return None, i


def _carry_multiplier(low: Decimal, core1: str, core2: str) -> Decimal:
    """3-5万: the lower bound borrows the upper bound's trailing multiplier."""
    m = re.search(f"[{_MULT_CHARS}]+$", core2)
    if not m or m.start() == 0 or any(c in _MULT_CHARS for c in core1):
        return low
    mantissa, mult = _decimal_of(core2[: m.start()]), _decimal_of(m.group())
    if mantissa is None or mult is None or low > mantissa:
        return low
    return low * mult


def _read_tail(rest: str, reading: _Reading) -> list[str] | None:
    """Qualifiers after the figure; None when an unknown word follows a unit-less number."""
    flags: list[str] = []
    if rest.startswith("半") and reading.unit and reading.high is None:
        reading.low += Decimal("0.5")  # 一年半, 3个半月
        rest = rest[1:]
    found = True
    while rest and found:
        found = False
        for word, kind in _SUFFIX_QUALIFIERS:
            if rest.startswith(word):
                flags.append(kind)
                rest, found = rest[len(word):], True
                break
    if rest and (reading.unit is None or re.search(r"[0-9]", rest)):
        return None
    return flags


def _context_flags(before: str, after: str) -> list[str]:
    flags: list[str] = []
    before = re.sub(r"\s+$", "", _clean(before)) if before else ""
    after = _clean(after) if after else ""
    for word, kind in sorted(_PREFIX_QUALIFIERS, key=lambda p: -len(p[0])):
        if before.endswith(word):
            prev = before[-len(word) - 1: -len(word)]
            if not prev or prev not in _CONTEXT_BLOCKERS.get(word, ""):
                flags.append(kind)
            break
    for word, kind in _SUFFIX_QUALIFIERS:
        if after.startswith(word):
            if _blocked_after(word, after):
                break
            flags.append(kind)
            break
    return flags


def _blocked_after(word: str, after: str) -> bool:
    """Is ``word`` at the start of ``after`` part of another word (许可, 以下简称, 上下游)?"""
    if word in ("余", "多"):
        return not _CONTEXT_AFTER_OK.match(after, 1)
    nxt = after[len(word): len(word) + 1]
    if word == "许":
        return True
    blockers = {"以下": "简是列几称", "上下": "游级文班车楼铺"}.get(word, "")
    return bool(nxt) and nxt in blockers
