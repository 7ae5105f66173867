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
  ``over`` 余/多/几/以上/超过/超/逾/多于/高于/有余; ``about`` 约/大约/大概/约合/左右/上下/来/许 and
  上万/上千/上百/上亿 (an order of magnitude, read as ``value`` 10000 etc. ``about``);
  ``nearly`` 近/将近/接近; ``at_least`` 至少/不少于/不低于/最少; ``at_most`` 不超过/不多于/
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
  month, 今天/昨天/前天 against its day; ``None`` without ``doc_date``.
* Vague parts reduce precision to the unit they qualify instead of failing:
  ``12月底``/``五月中旬`` → ``YYYY-12``/``YYYY-05`` (year from the text or ``doc_date``),
  ``2022年底``/``2022年上半年``/``2022年第一季度`` → ``2022``. Anchors are dropped:
  ``2018年以来`` → ``2018``, ``从4月25日`` → ``YYYY-04-25``, ``6月14日上午`` → day.
* Purely vague expressions (目前, 日前, 近年, 近日, 年底 alone) → ``None``; so are two-digit
  years, impossible dates and ranges whose end precedes their start (``12月28日-1月3日``
  is not silently moved across a year).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from duikou.schema import FIGURE_LABELS, LABEL_NAMES

NORMALISATION_KEYS: tuple[str, ...] = ("value", "value_max", "unit", "approx", "date")

APPROX_PRECEDENCE: tuple[str, ...] = ("range", "at_least", "at_most", "over", "nearly", "about")

_ONE = Decimal(1)

# Surface unit (after Traditional → Simplified folding) → (canonical unit, factor). The value
# is multiplied by the factor. Longest surface form wins (人次 before 人, 个月 before 个).
UNIT_TABLE: dict[str, tuple[str, Decimal]] = {
    # money
    "元": ("元", _ONE), "块钱": ("元", _ONE), "美元": ("美元", _ONE),
    # people
    "人": ("人", _ONE), "名": ("人", _ONE), "位": ("人", _ONE), "个人": ("人", _ONE),
    "人次": ("人次", _ONE),
    # counters: each is its own canonical form
    **{c: (c, _ONE) for c in (
        "户", "个", "所", "家", "台", "次", "例", "项", "批", "枚", "头", "栋", "间", "套",
        "件", "份", "本", "册", "张", "辆", "场", "期", "届", "座", "条", "处", "支", "只",
        "株", "棵", "篇", "部", "门", "节", "堂", "轮", "架", "箱", "袋", "包", "盒", "双",
        "对", "组", "队", "班", "类", "种", "块", "所学校", "倍", "学时", "课时", "床",
    )},
    # weight (canonical kg)
    "公斤": ("kg", _ONE), "千克": ("kg", _ONE), "kg": ("kg", _ONE),
    "斤": ("kg", Decimal("0.5")), "吨": ("kg", Decimal(1000)), "克": ("kg", Decimal("0.001")),
    # area
    "亩": ("亩", _ONE), "公顷": ("公顷", _ONE), "平方米": ("m2", _ONE), "平米": ("m2", _ONE),
    "m2": ("m2", _ONE), "平方公里": ("km2", _ONE), "km2": ("km2", _ONE),
    # length
    "公里": ("km", _ONE), "千米": ("km", _ONE), "km": ("km", _ONE), "米": ("m", _ONE),
    "m": ("m", _ONE), "厘米": ("m", Decimal("0.01")), "cm": ("m", Decimal("0.01")),
    # ratio
    "%": ("%", _ONE), "个百分点": ("百分点", _ONE), "百分点": ("百分点", _ONE),
    # duration and age
    "天": ("day", _ONE), "日": ("day", _ONE), "个工作日": ("day", _ONE),
    "周": ("week", _ONE), "星期": ("week", _ONE), "个星期": ("week", _ONE),
    "个月": ("month", _ONE), "年": ("year", _ONE), "岁": ("year", _ONE),
    "周岁": ("year", _ONE), "小时": ("hour", _ONE), "个小时": ("hour", _ONE),
    "分钟": ("minute", _ONE),
    # volume and power
    "升": ("L", _ONE), "立方米": ("m3", _ONE), "千瓦": ("kW", _ONE),
}
_UNIT_KEYS = sorted(UNIT_TABLE, key=len, reverse=True)
_DEFAULT_UNIT = {"MONEY": "元", "PEOPLE": "人"}

# Traditional (and a few variant) characters that occur in figures and dates.
_TRAD = str.maketrans(
    "萬億餘個戶兩約項頭臺檯棟間張輛場屆條週歲噸畝裡內過達於從與計幾數來將點號後當筆門雙節"
    "簡貳參陸層處隻種組隊類輪僅總纍頃時鐘開許對圓",
    "万亿余个户两约项头台台栋间张辆场届条周岁吨亩里内过达于从与计几数来将点号后当笔门双节"
    "简贰叁陆层处只种组队类轮仅总累顷时钟开许对元",
)

# ---------------------------------------------------------------------------- numerals
_CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8,
    "捌": 8, "九": 9, "玖": 9,
}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"万": 10**4, "亿": 10**8}
_MULT_CHARS = "".join(_SMALL_UNITS) + "".join(_BIG_UNITS)
_ARABIC = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"
_ARABIC_RE = re.compile(_ARABIC)
_PLAIN_ARABIC = re.compile(rf"(?:{_ARABIC})")
_NUMERAL_RE = re.compile(rf"(?:{_ARABIC}|[{''.join(_CN_DIGITS)}{_MULT_CHARS}点])+")
_MULT_RUN = re.compile(f"[{_MULT_CHARS}]+")
_POINT_RE = re.compile(rf"(.+?)点([0-9{''.join(_CN_DIGITS)}]+)([万亿]*)")


def _clean(text: str) -> str:
    """Fold width (NFKC), Traditional characters and whitespace away."""
    folded = unicodedata.normalize("NFKC", text).translate(_TRAD)
    return re.sub(r"\s+", "", folded)


def _to_number(d: Decimal) -> int | float:
    return int(d) if d == d.to_integral_value() else float(d)


def parse_number(text: str) -> float | int | None:
    """Read a bare numeral; ``None`` if ``text`` is anything else.

    Accepts Arabic digits (full-width too), thousands separators (``1,200``, ``1，200``),
    decimals, Chinese numerals (一百四十六, 两, 十万, 一千零五, 三千五 = 3500, 一万五 = 15000),
    financial numerals (壹贰叁 拾佰仟), 点 decimals (三点五万), digit strings of three or more
    digits or with 〇 (二〇二二 = 2022), mixes (1.2亿, 3万5千) and Traditional 萬/億/兩.
    Approximation marks (余, 多) are not part of a bare numeral: ``parse_number("20余")`` is
    ``None``. Returns an ``int`` when the value is integral, else a ``float``.
    """
    if not isinstance(text, str):
        return None
    d = _decimal_of(_clean(text))
    return None if d is None else _to_number(d)


def _decimal_of(s: str) -> Decimal | None:
    if not s:
        return None
    if _PLAIN_ARABIC.fullmatch(s):
        return Decimal(s.replace(",", ""))
    if "点" in s:
        return _with_point(s)
    tokens = _tokens(s)
    if tokens is None:
        return None
    if len(tokens) > 1 and all(kind in ("cn", "zero") for kind, _ in tokens):
        return _digit_string(s, tokens)
    return _combine(tokens)


def _with_point(s: str) -> Decimal | None:
    m = _POINT_RE.fullmatch(s)
    if not m:
        return None
    whole = _decimal_of(m.group(1))
    if whole is None or whole != whole.to_integral_value() or "点" in m.group(1):
        return None
    frac = "".join(str(_CN_DIGITS.get(c, c)) for c in m.group(2))
    value = Decimal(f"{int(whole)}.{frac}")
    for c in m.group(3):
        value *= _BIG_UNITS[c]
    return value


def _tokens(s: str) -> list[tuple[str, Decimal]] | None:
    """Split into (kind, value): kinds ar, cn, zero, small, big; None on a foreign char."""
    out: list[tuple[str, Decimal]] = []
    i = 0
    while i < len(s):
        m = _ARABIC_RE.match(s, i)
        if m:
            out.append(("ar", Decimal(m.group().replace(",", ""))))
            i = m.end()
            continue
        c = s[i]
        if c in _CN_DIGITS:
            out.append(("zero" if _CN_DIGITS[c] == 0 else "cn", Decimal(_CN_DIGITS[c])))
        elif c in _SMALL_UNITS:
            out.append(("small", Decimal(_SMALL_UNITS[c])))
        elif c in _BIG_UNITS:
            out.append(("big", Decimal(_BIG_UNITS[c])))
        else:
            return None
        i += 1
    return out


def _digit_string(s: str, tokens: list[tuple[str, Decimal]]) -> Decimal | None:
    """二〇二二 → 2022; two plain digits (三四) are ambiguous (34 or 3-4) and give None."""
    if "两" in s or (len(tokens) < 3 and not any(k == "zero" for k, _ in tokens)):
        return None
    return Decimal("".join(str(int(v)) for _, v in tokens))


@dataclass
class _Acc:
    """Running state of :func:`_combine`."""

    total: Decimal = Decimal(0)
    section: Decimal = Decimal(0)
    current: Decimal | None = None
    single: bool = False
    zero: bool = False
    last_small: Decimal | None = None
    last_big: Decimal | None = None
    seen: bool = False


def _combine(tokens: list[tuple[str, Decimal]]) -> Decimal | None:
    acc = _Acc()
    for kind, val in tokens:
        if not _step(acc, kind, val):
            return None
        acc.seen = True
    return _finish(acc)


def _step(acc: _Acc, kind: str, val: Decimal) -> bool:
    if kind == "zero":
        if acc.current is not None:
            return False
        acc.zero = True
    elif kind in ("ar", "cn"):
        if acc.current is not None:
            return False
        acc.current = val
        acc.single = val == val.to_integral_value() and 0 <= val <= 9
    elif kind == "small":
        if acc.last_small is not None and val >= acc.last_small:
            return False
        acc.section += (acc.current if acc.current is not None else _ONE) * val
        acc.current, acc.last_small, acc.zero = None, val, False
    else:
        return _step_big(acc, val)
    return True


def _step_big(acc: _Acc, val: Decimal) -> bool:
    amount = acc.section + (acc.current or 0)
    if amount == 0 and acc.current is None:
        if acc.seen and not (acc.last_big is not None and val > acc.last_big):
            return False
        if not acc.seen:
            amount = _ONE  # a bare 万 / 亿 is one of them
    if acc.last_big is None or val > acc.last_big:
        acc.total = (acc.total + amount) * val
    elif val < acc.last_big:
        acc.total += amount * val
    else:
        return False
    acc.section, acc.current, acc.last_small, acc.zero = Decimal(0), None, None, False
    acc.last_big = val
    return True


def _finish(acc: _Acc) -> Decimal:
    if acc.current is not None:
        current = acc.current
        if acc.single and not acc.zero:
            # 三千五 = 3500, 一万五 = 15000: a trailing digit counts in the next lower unit.
            if acc.last_small is not None:
                current *= acc.last_small / 10
            elif acc.last_big is not None and acc.section == 0:
                current *= acc.last_big / 10
        acc.section += current
    return acc.total + acc.section


# ---------------------------------------------------------------------------- figures
_PREFIX_QUALIFIERS: tuple[tuple[str, str], ...] = (
    ("不少于", "at_least"), ("不低于", "at_least"), ("至少", "at_least"), ("最少", "at_least"),
    ("不超过", "at_most"), ("不多于", "at_most"), ("不高于", "at_most"), ("最多", "at_most"),
    ("至多", "at_most"), ("不到", "at_most"), ("不足", "at_most"),
    ("超过", "over"), ("多于", "over"), ("高于", "over"), ("大于", "over"), ("逾", "over"),
    ("超", "over"),
    ("将近", "nearly"), ("接近", "nearly"), ("近", "nearly"),
    ("大约", "about"), ("大概", "about"), ("约合", "about"), ("约", "about"),
)
_SUFFIX_QUALIFIERS: tuple[tuple[str, str], ...] = (
    ("以上", "over"), ("有余", "over"), ("余", "over"), ("多", "over"),
    ("左右", "about"), ("上下", "about"), ("许", "about"),
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
_CONTEXT_AFTER_OK = re.compile(r"(?:[万亿]?[元人名个次户家项所台例位批枚头栋年天周岁]|$)")
_RANGE_SEP = re.compile(r"-|~|—|–|至|到")
_ADJACENT = re.compile(r"([一二两三四五六七八九])([二两三四五六七八九])([十百千万亿]*)")


@dataclass
class _Reading:
    low: Decimal
    high: Decimal | None = None
    unit: str | None = None  # a key of UNIT_TABLE
    flags: list[str] = field(default_factory=list)
    end: int = 0


def _empty() -> dict:
    return dict.fromkeys(NORMALISATION_KEYS)


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
        return _empty()
    tail = _read_tail(s[reading.end:], reading)
    if tail is None or (forced and reading.unit and UNIT_TABLE[reading.unit][0] != forced):
        return _empty()
    flags += reading.flags + tail + _context_flags(before, after)
    return _figure_result(label, reading, forced, flags)


def _figure_result(label: str, r: _Reading, forced: str | None, flags: list[str]) -> dict:
    if r.unit is not None:
        unit, factor = UNIT_TABLE[r.unit]
    else:
        unit, factor = forced or _DEFAULT_UNIT.get(label), _ONE
    out = _empty()
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


# ---------------------------------------------------------------------------- dates
_N = "[0-9〇零一二三四五六七八九十]+"
_CJK_POINT = re.compile(rf"(?:(?P<y>{_N})年)?(?:(?P<m>{_N})月)?(?:(?P<d>{_N})[日号])?(?P<bare>{_N})?")
_ISO_POINT = re.compile(r"(?P<y>[0-9]{4})([-./])(?P<m>[0-9]{1,2})(?:\2(?P<d>[0-9]{1,2}))?")
_DATE_PREFIX = re.compile(r"^(?:截止到|截至|截止|直到|早在|从|自|于|在|到|至)")
_DATE_SUFFIX = re.compile(
    r"(?:以来|至今|开始|以后|以前|之后|之前|前后|期间|左右|同期|当天|当日|上午|下午|晚上|中午"
    r"|凌晨|早上|夜间|起|晚|前|后|内|间)$"
)
_DATE_REDUCER = re.compile(r"([年月])(?:底|初|末|中旬|上旬|下旬|中|上半年|下半年|第?[一二三四1-4]季度|度)$")
_REL_YEARS = {"前年": -2, "去年": -1, "上年": -1, "今年": 0, "本年": 0, "明年": 1}
_REL_DAYS = {"今天": 0, "今日": 0, "昨天": -1, "昨日": -1, "前天": -2}
_REL_MONTHS = {"本月": 0, "当月": 0, "这个月": 0, "上月": -1, "上个月": -1}
_FIELDS = ("y", "m", "d")

_Point = dict[str, int | None]


def _parse_doc_date(doc_date: str | None) -> date | None:
    if doc_date is None:
        return None
    if not isinstance(doc_date, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", doc_date):
        raise ValueError(f"doc_date must be ISO YYYY-MM-DD or None, found {doc_date!r}")
    try:
        return date.fromisoformat(doc_date)
    except ValueError as exc:
        raise ValueError(f"doc_date {doc_date!r} is not a real calendar date") from exc


def _date(text: str, doc: date | None) -> str | None:
    s = _strip_date(_clean(text))
    relative = _relative_whole(s, doc)
    if relative is not None or s in _REL_DAYS or s in _REL_MONTHS:
        return relative
    if any(word in s for word in _REL_YEARS):
        if doc is None:
            return None
        for word, offset in _REL_YEARS.items():
            s = s.replace(word, f"{doc.year + offset}年")
        s = _strip_date(s)
    if re.fullmatch("[0-9]{4}", s):
        return _format_point({"y": _field_value("y", s), "m": None, "d": None})
    parts = _split_range(s)
    if parts is None:
        return None
    if len(parts) == 1:
        point = _parse_point(parts[0], None)
        return None if point is None else _format_point(_fill_year(point, _implied_year(point, doc)))
    return _date_range(parts[0], parts[1], doc)


def _implied_year(point: _Point, doc: date | None) -> int | None:
    """The year of a yearless month(-day): the publication year, or the year before when the
    month(-day) would fall after the publication date (a report looks back: 12月底 in an
    article of 2019-01-20 is December 2018)."""
    if doc is None:
        return None
    if point.get("m") is not None and (point["m"], point.get("d") or 1) > (doc.month, doc.day):
        return doc.year - 1
    return doc.year


def _strip_date(s: str) -> str:
    previous = None
    while s != previous:
        previous = s
        s = _DATE_PREFIX.sub("", s) if len(s) > 2 else s
        s = _DATE_REDUCER.sub(r"\1", s)
        stripped = _DATE_SUFFIX.sub("", s)
        s = stripped if stripped else s
    return s


def _relative_whole(s: str, doc: date | None) -> str | None:
    if doc is None:
        return None
    if s in _REL_DAYS:
        return (doc + timedelta(days=_REL_DAYS[s])).isoformat()
    if s in _REL_MONTHS:
        months = doc.year * 12 + doc.month - 1 + _REL_MONTHS[s]
        return f"{months // 12:04d}-{months % 12 + 1:02d}"
    return None


def _split_range(s: str) -> list[str] | None:
    if not s:
        return None
    if _ISO_POINT.fullmatch(s):
        return [s]
    for pattern in (r"至|到|~|—+|–", r"-", r"/"):
        parts = re.split(pattern, s)
        if len(parts) == 2:
            left, right = (_strip_date(p) for p in parts)
            return [left, right] if left and right else None
        if len(parts) > 2:
            return None
    return [s]


def _parse_point(s: str, bare_field: str | None) -> _Point | None:
    """Fields y/m/d of one date; a bare trailing number fills ``bare_field`` (ranges)."""
    m = _ISO_POINT.fullmatch(s) or _CJK_POINT.fullmatch(s)
    if not m or not s:
        return None
    groups = m.groupdict()
    bare = groups.pop("bare", None)
    if bare is not None:
        if bare_field is None or groups[bare_field] is not None:
            return None
        groups[bare_field] = bare
    point: _Point = {}
    for name in _FIELDS:
        raw = groups.get(name)
        point[name] = None if raw is None else _field_value(name, raw)
        if raw is not None and point[name] is None:
            return None
    return point if any(v is not None for v in point.values()) else None


def _field_value(name: str, raw: str) -> int | None:
    if name == "y":
        if re.fullmatch("[0-9]{4}", raw):
            value = int(raw)
        elif len(raw) == 4 and all(c in _CN_DIGITS for c in raw):
            value = int("".join(str(_CN_DIGITS[c]) for c in raw))
        else:
            return None
        return value if 1000 <= value <= 2999 else None
    number = parse_number(raw)
    limit = 12 if name == "m" else 31
    return number if isinstance(number, int) and 1 <= number <= limit else None


def _first_field(point: _Point) -> str:
    return next(name for name in _FIELDS if point[name] is not None)


def _fill_year(point: _Point, year: int | None) -> _Point | None:
    if point["y"] is None:
        if point["m"] is None or year is None:
            return None
        point = {**point, "y": year}
    return point


def _format_point(point: _Point | None) -> str | None:
    if point is None:
        return None
    y, m, d = point["y"], point["m"], point["d"]
    if y is None or (d is not None and m is None):
        return None
    if m is None:
        return f"{y:04d}"
    if d is None:
        return f"{y:04d}-{m:02d}"
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def _date_range(left_text: str, right_text: str, doc: date | None) -> str | None:
    right = _parse_point(right_text, None)
    if right is None:
        return None
    left = _parse_point(left_text, _first_field(right))
    if left is None:
        return None
    for name in _FIELDS[: _FIELDS.index(_first_field(right))]:
        right[name] = left[name]  # 5月26-28日: the end inherits year and month
    if left["y"] is None:
        left["y"] = right["y"]
    year = _implied_year(left, doc)
    start, end = _format_point(_fill_year(left, year)), _format_point(_fill_year(right, year))
    if start is None or end is None or start > end[: len(start)]:
        return None
    return f"{start}/{end}"


# ---------------------------------------------------------------------------- public
CONTEXT_CHARS = 4  # code points either side of a span that qualifiers may come from


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
        return _empty()
    try:
        if label in FIGURE_LABELS:
            return _figure(label, text, context_before or "", context_after or "")
        if label == "DATE":
            out = _empty()
            out["date"] = _date(text, doc)
            return out
    except (InvalidOperation, OverflowError):
        return _empty()
    return _empty()
