"""Dates: ISO partial dates and ranges, relative words resolved against the publication
date."""

from __future__ import annotations

import re
from datetime import date, timedelta

from duikou.normalise.numbers import _CN_DIGITS, _clean, parse_number

_N = "[0-9〇零一二三四五六七八九十]+"
_CJK_POINT = re.compile(rf"(?:(?P<y>{_N})年)?(?:(?P<m>{_N})月)?(?:(?P<d>{_N})[日号])?(?P<bare>{_N})?")
_ISO_POINT = re.compile(r"(?P<y>[0-9]{4})([-./])(?P<m>[0-9]{1,2})(?:\2(?P<d>[0-9]{1,2}))?")
_DATE_PREFIX = re.compile(r"^(?:截止到|截至|截止|直到|早在|从|自|于|在|到|至)")
_DATE_SUFFIX = re.compile(
    r"(?:以来|至今|开始|以后|以前|之后|之前|前后|期间|左右|同期|当天|当日|上午|下午|晚上|中午"
    r"|凌晨|早上|夜间|起|晚|前|后|内|间)$"
)
_DATE_REDUCER = re.compile(
    r"([年月])(?:底|初|末|中旬|上旬|下旬|中|上半年|下半年|第?[一二三四1-4]季度|度|份|[春夏秋冬]季|春节)$")
_REL_YEARS = {"前年": -2, "去年": -1, "上年": -1, "今年": 0, "本年": 0, "明年": 1}
_REL_DAYS = {"今天": 0, "今日": 0, "昨天": -1, "昨日": -1, "前天": -2}
_REL_MONTHS = {"本月": 0, "当月": 0, "这个月": 0, "上月": -1, "上个月": -1}
_FIELDS = ("y", "m", "d")
# 今(28)日, 昨（27）日: a relative day with its day of the month in brackets
_BRACKETED_DAY = re.compile(r"(?P<rel>[今昨])[(（](?P<d>[0-9]{1,2})[)）][日号]")
BRACKETED_DAY_SLACK = 3  # days a page may be dated after the day it reports as 今日

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
    bracketed = _BRACKETED_DAY.fullmatch(s)
    if bracketed:
        return _bracketed_day(bracketed, doc)
    relative = _relative_whole(s, doc)
    if relative is not None or s in _REL_DAYS or s in _REL_MONTHS:
        return relative
    if any(word in s for word in _REL_YEARS):
        if doc is None:
            return None
        for word, offset in _REL_YEARS.items():
            s = s.replace(word, f"{doc.year + offset}年")
        # 今年年底 → 2009年年底 → 2009年底; 今年的10月 → 2009年10月
        s = _strip_date(s.replace("年年", "年").replace("年的", "年"))
    if re.fullmatch("[0-9]{4}", s):
        return _format_point({"y": _field_value("y", s), "m": None, "d": None})
    parts = _split_range(s)
    if parts is None:
        return None
    if len(parts) == 1:
        point = _parse_point(parts[0], None)
        return None if point is None else _format_point(_fill_year(point, _implied_year(point, doc)))
    return _date_range(parts[0], parts[1], doc)


NEAR_FUTURE_DAYS = 31  # a yearless date up to a month ahead is a plan or an announcement
LOOK_BACK_DAYS = 183  # half a year or more ahead in this year: the report looks back a year


def _implied_year(point: _Point, doc: date | None) -> int | None:
    """The year of a yearless month(-day): the publication year when it falls before the
    publication date or up to :data:`NEAR_FUTURE_DAYS` after it (5月12日前完成 in an article
    of 2009-05-09); the year before when it would fall :data:`LOOK_BACK_DAYS` or more after it
    (12月底 in an article of 2019-01-20 is December 2018); in between, ``None``: a plan for
    September in May, or last September, cannot be told apart."""
    if doc is None:
        return None
    if point.get("m") is None:
        return doc.year
    try:
        ahead = (date(doc.year, point["m"], point.get("d") or 1) - doc).days
    except ValueError:
        return None
    if ahead <= NEAR_FUTURE_DAYS:
        return doc.year
    return doc.year - 1 if ahead >= LOOK_BACK_DAYS else None


def _bracketed_day(m: re.Match, doc: date | None) -> str | None:
    """今(28)日: the relative day, checked against the bracketed day of the month. A page
    dated up to :data:`BRACKETED_DAY_SLACK` days later still names its day (a report of the
    28th posted on the 29th); otherwise the two disagree and the result is ``None``.

    >>> _bracketed_day(_BRACKETED_DAY.fullmatch("今(28)日"), date(2021, 9, 28))
    '2021-09-28'
    >>> _bracketed_day(_BRACKETED_DAY.fullmatch("今(28)日"), date(2021, 9, 20)) is None
    True
    """
    if doc is None:
        return None
    day = doc + timedelta(days=_REL_DAYS[m.group("rel") + "日"])
    for back in range(BRACKETED_DAY_SLACK + 1):
        candidate = day - timedelta(days=back)
        if candidate.day == int(m.group("d")):
            return candidate.isoformat()
    return None


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
