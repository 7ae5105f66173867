"""The one unit table: surface unit → canonical unit and factor, grouped by the figure
label the unit implies. The normaliser and the rules tagger both read it."""

from __future__ import annotations

from decimal import Decimal

from duikou.normalise.numbers import _ONE, _clean

# Surface unit (after Traditional → Simplified folding) → (canonical unit, factor), grouped
# by the figure label the unit implies (None: the number is not a figure, e.g. an age). The
# value is multiplied by the factor. Longest surface form wins (人次 before 人, 个月 before 个).
_UNIT_GROUPS: tuple[tuple[str | None, dict[str, tuple[str, Decimal]]], ...] = (
    ("MONEY", {"元": ("元", _ONE), "块钱": ("元", _ONE), "美元": ("美元", _ONE)}),
    ("PEOPLE", {"人": ("人", _ONE), "名": ("人", _ONE), "位": ("人", _ONE),
                "个人": ("人", _ONE), "人次": ("人次", _ONE)}),
    # counters: each is its own canonical form
    ("COUNT", {c: (c, _ONE) for c in (
        "户", "个", "所", "家", "台", "次", "例", "项", "批", "枚", "头", "栋", "间", "套",
        "件", "份", "本", "册", "张", "辆", "场", "期", "届", "座", "条", "处", "支", "只",
        "株", "棵", "篇", "部", "门", "节", "堂", "轮", "架", "箱", "袋", "包", "盒", "双",
        "对", "组", "队", "班", "类", "种", "块", "所学校", "学时", "课时", "床",
        # places, product lines and others that the dataset-2 value check found uncounted
        "县", "市", "县市", "州市", "省市", "方面", "车次", "款", "桶", "顶",
    )}),
    ("QUANTITY", {
        "倍": ("倍", _ONE),
        # weight (canonical kg)
        "公斤": ("kg", _ONE), "千克": ("kg", _ONE), "kg": ("kg", _ONE),
        "斤": ("kg", Decimal("0.5")), "吨": ("kg", Decimal(1000)),
        "克": ("kg", Decimal("0.001")),
        # area
        "亩": ("亩", _ONE), "公顷": ("公顷", _ONE), "平方米": ("m2", _ONE),
        "平米": ("m2", _ONE), "m2": ("m2", _ONE), "平方公里": ("km2", _ONE),
        "km2": ("km2", _ONE),
        # length
        "公里": ("km", _ONE), "千米": ("km", _ONE), "km": ("km", _ONE), "米": ("m", _ONE),
        "m": ("m", _ONE), "厘米": ("m", Decimal("0.01")), "cm": ("m", Decimal("0.01")),
        # ratio
        "%": ("%", _ONE), "个百分点": ("百分点", _ONE), "百分点": ("百分点", _ONE),
        # duration
        "天": ("day", _ONE), "日": ("day", _ONE), "个工作日": ("day", _ONE),
        "周": ("week", _ONE), "星期": ("week", _ONE), "个星期": ("week", _ONE),
        "个月": ("month", _ONE), "年": ("year", _ONE),
        # 春秋 (springs and autumns) counts years: 20个春秋 is 20 years
        "个春秋": ("year", _ONE), "春秋": ("year", _ONE), "小时": ("hour", _ONE),
        "个小时": ("hour", _ONE), "分钟": ("minute", _ONE),
        # volume and power
        "升": ("L", _ONE), "立方米": ("m3", _ONE), "千瓦": ("kW", _ONE),
        "千瓦时": ("kWh", _ONE), "度电": ("kWh", _ONE),
        "微克": ("kg", Decimal("1e-9")),
        # 成 is a tenth: 近7成 is nearly 70 %
        "成": ("%", Decimal(10)),
    }),
    # ages read as years when normalised, but an age is not an aid figure
    (None, {"岁": ("year", _ONE), "周岁": ("year", _ONE)}),
)
UNIT_TABLE: dict[str, tuple[str, Decimal]] = {
    surface: unit for _, group in _UNIT_GROUPS for surface, unit in group.items()}
# Words after a number that make it no figure at all: anniversaries, generations (90后).
NON_FIGURE_WORDS: tuple[str, ...] = ("周年", "后")
_UNIT_KEYS = sorted(UNIT_TABLE, key=len, reverse=True)


def unit_label(surface: str) -> str | None:
    """The figure label a unit word implies (``MONEY`` for 元, ``PEOPLE`` for 人次, ...), or
    None for ages and other non-figure words; ``KeyError`` for an unknown word. Traditional
    and full-width forms fold first (萬元 is not a unit; 個月 is 个月).

    >>> unit_label("人次"), unit_label("個月"), unit_label("周歲")
    ('PEOPLE', 'QUANTITY', None)
    """
    folded = _clean(surface)
    if folded in NON_FIGURE_WORDS:
        return None
    for label, group in _UNIT_GROUPS:
        if folded in group:
            return label
    raise KeyError(surface)
