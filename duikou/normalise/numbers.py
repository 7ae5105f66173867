"""Numerals: Arabic, full-width, Chinese (小写/大写), Traditional and mixed (``1.2亿``)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

_ONE = Decimal(1)

# Traditional (and a few variant) characters that occur in figures and dates.
_TRAD = str.maketrans(
    "萬億餘個戶兩約項頭臺檯棟間張輛場屆條週歲噸畝裡內過達於從與計幾數來將點號後當筆門雙節"
    "簡貳參陸層處隻種組隊類輪僅總纍頃時鐘開許對圓縣頂車電",
    "万亿余个户两约项头台台栋间张辆场届条周岁吨亩里内过达于从与计几数来将点号后当笔门双节"
    "简贰叁陆层处只种组队类轮仅总累顷时钟开许对元县顶车电",
)

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
