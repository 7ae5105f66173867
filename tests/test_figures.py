"""Tests for duikou.normalise: figure and date normalisation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from duikou.normalise import (
    APPROX_PRECEDENCE,
    NORMALISATION_KEYS,
    UNIT_TABLE,
    normalise,
    normalise_in_text,
    parse_number,
)
from duikou.schema import FIGURE_LABELS, LABEL_NAMES, NORMALISED_LABELS

M, P, C, Q = "MONEY", "PEOPLE", "COUNT", "QUANTITY"

# (label, span text, value, unit, approx): real spans from the seed corpus.
CORPUS_FIGURES = [
    (M, "210万元", 2100000, "元", None),
    (M, "130余万元", 1300000, "元", "over"),
    (P, "119人", 119, "人", None),
    (C, "6个", 6, "个", None),
    (C, "60个", 60, "个", None),
    (C, "81户", 81, "户", None),
    (C, "14户", 14, "户", None),
    (C, "1户", 1, "户", None),
    (C, "191户", 191, "户", None),
    (P, "857人", 857, "人", None),
    (M, "100万", 1000000, "元", None),
    (C, "26个", 26, "个", None),
    (C, "228家", 228, "家", None),
    (C, "19所", 19, "所", None),
    (C, "21家", 21, "家", None),
    (P, "约3000余名", 3000, "人", "over"),
    (M, "2800余万元", 28000000, "元", "over"),
    (C, "109个", 109, "个", None),
    (P, "20余人", 20, "人", "over"),
    (M, "4000左右", 4000, "元", "about"),
    (P, "146名", 146, "人", None),
    (P, "40人", 40, "人", None),
    (Q, "一年", 1, "year", None),
    (P, "2100多名", 2100, "人", "over"),
    (P, "141名", 141, "人", None),
    (M, "53.1万元", 531000, "元", None),
    (M, "近4000元", 4000, "元", "nearly"),
    (M, "650万元", 6500000, "元", None),
    (C, "1栋", 1, "栋", None),
    (M, "263万", 2630000, "元", None),
    (M, "140万", 1400000, "元", None),
    (P, "50余名", 50, "人", "over"),
    (P, "20多名", 20, "人", "over"),
    (P, "80余名", 80, "人", "over"),
    (C, "200余台", 200, "台", "over"),
    (C, "221例", 221, "例", None),
    (C, "2500例", 2500, "例", None),
    (C, "12次", 12, "次", None),
    (C, "36次", 36, "次", None),
    (P, "750人次", 750, "人次", None),
    (P, "45人", 45, "人", None),
    (M, "65万元", 650000, "元", None),
    (M, "15万元", 150000, "元", None),
    (P, "7名", 7, "人", None),
    (P, "80名", 80, "人", None),
    (M, "5万元", 50000, "元", None),
    (C, "44户", 44, "户", None),
    (M, "1500元", 1500, "元", None),
    (C, "3个", 3, "个", None),
    (C, "9个", 9, "个", None),
    (P, "3名", 3, "人", None),
    (P, "1名", 1, "人", None),
    (P, "9人", 9, "人", None),
    (C, "3所", 3, "所", None),
    (Q, "99.25%", 99.25, "%", None),
    (P, "19532人次", 19532, "人次", None),
    (C, "197例", 197, "例", None),
    (C, "930次", 930, "次", None),
    (P, "1016人次", 1016, "人次", None),
    (Q, "761.5公斤", 761.5, "kg", None),
    (Q, "316.8公斤", 316.8, "kg", None),
    (P, "6名", 6, "人", None),
    (P, "57名", 57, "人", None),
    (M, "110万元", 1100000, "元", None),
    (C, "2家", 2, "家", None),
    (P, "15名", 15, "人", None),
    (C, "55項", 55, "项", None),
    (C, "15個", 15, "个", None),
    (P, "153名", 153, "人", None),
    (C, "50萬頭", 500000, "头", None),
    (C, "3萬戶", 30000, "户", None),
    (C, "400家", 400, "家", None),
    (P, "58名", 58, "人", None),
    (P, "50多名", 50, "人", "over"),
    (C, "500多次", 500, "次", "over"),
    (P, "10萬餘名", 100000, "人", "over"),
    (C, "30多項", 30, "项", "over"),
    (C, "60多個", 60, "个", "over"),
    (M, "1億元", 100000000, "元", None),
    (M, "5億元以上", 500000000, "元", "over"),
    (C, "13个", 13, "个", None),
    (M, "13万元", 130000, "元", None),
    (C, "67500枚", 67500, "枚", None),
    (M, "8万元", 80000, "元", None),
    (P, "48名", 48, "人", None),
    (P, "60余名", 60, "人", "over"),
    (C, "20余次", 20, "次", "over"),
    (P, "40余名", 40, "人", "over"),
    (P, "100余名", 100, "人", "over"),
    (C, "38441个", 38441, "个", None),
    (C, "5台", 5, "台", None),
    (M, "123.6万元", 1236000, "元", None),
    (P, "12名", 12, "人", None),
    (Q, "9天", 9, "day", None),
    (Q, "为期9天", 9, "day", None),
    (C, "5次", 5, "次", None),
    (Q, "49岁", 49, "year", None),
    (C, "近1200例", 1200, "例", "nearly"),
    (Q, "4周", 4, "week", None),
    (C, "32所", 32, "所", None),
    (P, "800多名", 800, "人", "over"),
    (P, "7人次", 7, "人次", None),
    (P, "179人", 179, "人", None),
    (M, "34万元", 340000, "元", None),
    (C, "200多户", 200, "户", "over"),
    (M, "984万元", 9840000, "元", None),
    (P, "近900人", 900, "人", "nearly"),
    (C, "1个", 1, "个", None),
    (M, "324万元", 3240000, "元", None),
    (C, "17户", 17, "户", None),
    (M, "2210.2万元", 22102000, "元", None),
    (P, "135人", 135, "人", None),
    (C, "2批", 2, "批", None),
    (P, "8人次", 8, "人次", None),
]


@pytest.mark.parametrize(("label", "text", "value", "unit", "approx"), CORPUS_FIGURES)
def test_corpus_figures(label: str, text: str, value: float, unit: str, approx: str | None):
    out = normalise(label, text)
    assert out == {"value": value, "value_max": None, "unit": unit, "approx": approx,
                   "date": None}
    assert type(out["value"]) is type(value)


# (label, text, context_before, context_after, value, unit, approx)
CONTEXT_CASES = [
    (P, "3000余名", "约", "", 3000, "人", "over"),  # about + over: over is more specific
    (P, "3000名", "约", "", 3000, "人", "about"),
    (M, "1億元", "", "以上", 100000000, "元", "over"),
    (M, "5亿元", "投入", "以上的资金", 500000000, "元", "over"),
    (M, "4000", "每月工资", "左右", 4000, "元", "about"),
    (C, "1200例", "接近", "", 1200, "例", "nearly"),
    (P, "900人", "近", "", 900, "人", "nearly"),
    (P, "900人", "最近", "", 900, "人", None),  # 最近 is "recently", not "nearly"
    (M, "5万元", "节约", "", 50000, "元", None),  # 节约 is "save", not "about"
    (P, "50人", "不少于", "", 50, "人", "at_least"),
    (P, "50人", "至少", "", 50, "人", "at_least"),
    (P, "30人", "", "以内", 30, "人", "at_most"),
    (P, "30人", "不超过", "", 30, "人", "at_most"),
    (M, "3万元", "超过", "", 30000, "元", "over"),
    (M, "3万元", "逾", "", 30000, "元", "over"),
    (C, "5个", "", "多功能", 5, "个", None),  # 多功能 is a word, not a qualifier
    (C, "3个", "", "许可证", 3, "个", None),
    (C, "8家", "", "上下游企业", 8, "家", None),
    (Q, "50岁", "", "上下", 50, "year", "about"),
    (P, "20人", "", "以下简称", 20, "人", None),
    (Q, "30公里", "距县城", "开外的村", 30, "km", "over"),  # 开外: beyond
]

# Found by reading every dataset-2 figure against its text (annotation/figure_check/)
VALUE_CHECK_CASES = [
    (M, "7个多亿", 700000000, "元", "over"),  # 个 before 多 + multiplier: 7亿多
    (C, "18县", 18, "县", None), (C, "87縣", 87, "县", None), (C, "4市", 4, "市", None),
    (C, "12县市", 12, "县市", None), (C, "3州市", 3, "州市", None),
    (C, "16省市", 16, "省市", None), (C, "8方面", 8, "方面", None),
    (C, "21車次", 21, "车次", None), (C, "350余款", 350, "款", "over"),
    (C, "346桶", 346, "桶", None), (C, "731萬頂", 7310000, "顶", None),
    (Q, "1462万千瓦时", 14620000, "kWh", None),  # kWh, not kW
    (Q, "近7成", 70, "%", "nearly"),  # 成 is a tenth
    (Q, "3萬度電", 30000, "kWh", None),
    (Q, "1个多百分点", 1, "个", "over"),  # 个多 + a unit, not + 万/亿: as before
]


@pytest.mark.parametrize(("label", "text", "value", "unit", "approx"), VALUE_CHECK_CASES)
def test_value_check_findings(label, text, value, unit, approx):
    out = normalise(label, text)
    assert (out["value"], out["unit"], out["approx"]) == (value, unit, approx)


@pytest.mark.parametrize(
    ("label", "text", "before", "after", "value", "unit", "approx"), CONTEXT_CASES
)
def test_context_qualifiers(label, text, before, after, value, unit, approx):
    out = normalise(label, text, context_before=before, context_after=after)
    assert (out["value"], out["unit"], out["approx"]) == (value, unit, approx)


def test_qualifier_inside_and_via_context_agree():
    inside = normalise(M, "5億元以上")
    outside = normalise(M, "5億元", context_after="以上")
    assert inside == outside
    assert normalise(P, "约3000余名") == normalise(P, "3000余名", context_before="约")


# (label, text, value, value_max, unit)
RANGE_CASES = [
    (P, "5-8人", 5, 8, "人"),
    (C, "3至5所", 3, 5, "所"),
    (M, "2100-2500元", 2100, 2500, "元"),
    (M, "3-5万元", 30000, 50000, "元"),
    (M, "5000-2万元", 5000, 20000, "元"),
    (M, "5万元-8万元", 50000, 80000, "元"),
    (P, "5人至8人", 5, 8, "人"),
    (C, "两三个", 2, 3, "个"),
    (P, "五六十人", 50, 60, "人"),
    (Q, "3～5天", 3, 5, "day"),
    (Q, "10-20公斤", 10, 20, "kg"),
    (P, "三到五名", 3, 5, "人"),
]


@pytest.mark.parametrize(("label", "text", "value", "value_max", "unit"), RANGE_CASES)
def test_ranges(label, text, value, value_max, unit):
    out = normalise(label, text)
    assert (out["value"], out["value_max"], out["unit"], out["approx"]) == (
        value, value_max, unit, "range")


# Cases that must give all None rather than a guess.
NONE_FIGURES = [
    (P, "若干人"),
    (C, "一些学校"),
    (C, "数十个"),
    (P, "几十人"),
    (P, "数百名"),
    (P, "成千上万"),
    (P, "多名"),
    (C, "5把"),  # unknown unit is not guessed
    (C, "8-5个"),  # inverted range
    (M, "5万元-8人"),  # units disagree
    (P, "好几百人"),
    (C, "第三"),
    (M, "大量资金"),
    (P, ""),
    (C, "12,00个"),  # malformed thousands separator
]


@pytest.mark.parametrize(("label", "text"), NONE_FIGURES)
def test_unparseable_figures_give_none(label: str, text: str):
    assert normalise(label, text) == dict.fromkeys(NORMALISATION_KEYS)


# Traditional script, full-width digits, separators, Chinese numerals, unit factors.
SCRIPT_CASES = [
    (P, "２０２２人", 2022, "人", None),
    (M, "１．５万元", 15000, "元", None),
    (Q, "９９．２５％", 99.25, "%", None),
    (P, "1,200人", 1200, "人", None),
    (P, "1，200人", 1200, "人", None),
    (M, "1,234,567.5元", 1234567.5, "元", None),
    (P, "一百四十六名", 146, "人", None),
    (P, "兩名", 2, "人", None),
    (C, "十个", 10, "个", None),
    (P, "十万人", 100000, "人", None),
    (P, "二十余人", 20, "人", "over"),
    (M, "一千二百元", 1200, "元", None),
    (M, "1.2亿", 120000000, "元", None),
    (M, "3万多元", 30000, "元", "over"),
    (M, "一百零五萬元", 1050000, "元", None),
    (P, "約500人", 500, "人", "about"),
    (P, "一千〇五人", 1005, "人", None),
    (P, "上万人次", 10000, "人次", "about"),
    (C, "十几个", 10, "个", "over"),
    (Q, "3斤", 1.5, "kg", None),
    (Q, "2吨", 2000, "kg", None),
    (Q, "5千克", 5, "kg", None),
    (Q, "3千米", 3, "km", None),
    (Q, "一年半", 1.5, "year", None),
    (Q, "3个多月", 3, "month", "over"),
    (Q, "百分之三十", 30, "%", None),
    (M, "¥2000", 2000, "元", None),
    (M, "三点五万元", 35000, "元", None),
    (Q, "49亩", 49, "亩", None),
    (P, "20来人", 20, "人", "about"),
    (Q, "一年多", 1, "year", "over"),
    (M, "壹仟贰佰元", 1200, "元", None),
    (P, "共计50人", 50, "人", None),
    (P, "百余名", 100, "人", "over"),
]


@pytest.mark.parametrize(("label", "text", "value", "unit", "approx"), SCRIPT_CASES)
def test_scripts_numerals_and_units(label, text, value, unit, approx):
    out = normalise(label, text)
    assert (out["value"], out["unit"], out["approx"]) == (value, unit, approx)
    assert out["value_max"] is None and out["date"] is None


# (text, doc_date, expected date)
DATE_CASES = [
    ("2022年6月", None, "2022-06"),
    ("5月26-28日", "2020-06-01", "2020-05-26/2020-05-28"),
    ("2012年", None, "2012"),
    ("2024-01-17", None, "2024-01-17"),
    ("2024/1/7", None, "2024-01-07"),
    ("去年7月", "2019-01-20", "2018-07"),
    ("去年", "2019-01-20", "2018"),
    ("前年", "2019-01-20", "2017"),
    ("今年5月", "2022-09-01", "2022-05"),
    ("2017年8月", None, "2017-08"),
    ("12月底", "2022-03-01", "2021-12"),
    ("12月底", "2022-12-31", "2022-12"),
    ("12月上旬", "2019-04-11", "2018-12"),
    ("10月底", "2019-01-20", "2018-10"),
    ("5月26-28日", "2020-05-27", "2020-05-26/2020-05-28"),
    ("12月28日-1月3日", "2019-02-01", None),
    ("2018年以来", None, "2018"),
    ("2018年", None, "2018"),
    ("2021年2月", None, "2021-02"),
    ("5月14日", "2022-07-01", "2022-05-14"),
    ("從4月25日", "2021-05-05", "2021-04-25"),
    ("从4月25日起", "2021-05-05", "2021-04-25"),
    ("五月中旬", "2022-06-01", "2022-05"),
    ("2022年底", None, "2022"),
    ("2022年上半年", None, "2022"),
    ("2022年第一季度", None, "2022"),
    ("二〇二二年六月十四日", None, "2022-06-14"),
    ("２０２２年６月１４日", None, "2022-06-14"),
    ("2018-2020年", None, "2018/2020"),
    ("2022年5-6月", None, "2022-05/2022-06"),
    ("2022年5月26日至6月2日", None, "2022-05-26/2022-06-02"),
    ("2021年12月28日-2022年1月3日", None, "2021-12-28/2022-01-03"),
    ("今年以来", "2022-05-05", "2022"),
    ("昨天", "2022-03-01", "2022-02-28"),
    ("上个月", "2022-01-09", "2021-12"),
    ("6月14日上午", "2022-07-01", "2022-06-14"),
    ("2022年度", None, "2022"),
]


@pytest.mark.parametrize(("text", "doc_date", "expected"), DATE_CASES)
def test_dates(text: str, doc_date: str | None, expected: str):
    out = normalise("DATE", text, doc_date=doc_date)
    assert out == {"value": None, "value_max": None, "unit": None, "approx": None,
                   "date": expected}


NONE_DATES = [
    ("5月26-28日", None),  # no year known
    ("五月中旬", None),
    ("12月上旬", None),
    ("去年7月", None),  # relative without a publication date
    ("今年", None),
    ("目前", "2022-01-01"),
    ("日前", "2022-01-01"),
    ("近年", "2022-01-01"),
    ("近日", "2022-01-01"),
    ("年底", "2022-01-01"),
    ("14日", "2022-01-01"),  # a day alone: month ambiguous
    ("22年", None),  # two-digit year
    ("2022年2月30日", None),  # impossible date
    ("2022年13月", None),
    ("12月28日-1月3日", "2022-01-05"),  # end before start: no year guessing
    ("春节期间", "2022-01-05"),
]


@pytest.mark.parametrize(("text", "doc_date"), NONE_DATES)
def test_vague_or_unresolvable_dates_give_none(text: str, doc_date: str | None):
    assert normalise("DATE", text, doc_date=doc_date) == dict.fromkeys(NORMALISATION_KEYS)


def test_a_yearless_date_is_placed_by_its_distance_from_the_publication_date():
    # up to a month ahead: this year (a plan, an announcement)
    assert normalise("DATE", "5月14日", doc_date="2022-05-14")["date"] == "2022-05-14"
    assert normalise("DATE", "5月12日前", doc_date="2009-05-09")["date"] == "2009-05-12"
    assert normalise("DATE", "8月份", doc_date="2010-07-10")["date"] == "2010-08"
    # half a year or more ahead: the report looks back to last year
    assert normalise("DATE", "12月底", doc_date="2019-01-20")["date"] == "2018-12"
    assert normalise("DATE", "9月14日", doc_date="2022-01-10")["date"] == "2021-09-14"
    # in between: last May or this coming May cannot be told apart
    assert normalise("DATE", "5月14日", doc_date="2022-01-10")["date"] is None
    assert normalise("DATE", "9月份", doc_date="2009-05-09")["date"] is None
    assert normalise("DATE", "5月14日")["date"] is None


def test_month_written_with_fen_and_this_years_end():
    assert normalise("DATE", "2015年6月份", doc_date=None)["date"] == "2015-06"
    assert normalise("DATE", "今年3月份", doc_date="2017-09-15")["date"] == "2017-03"
    assert normalise("DATE", "今年年底", doc_date="2009-03-01")["date"] == "2009"


def test_result_has_exactly_the_keys():
    assert NORMALISATION_KEYS == ("value", "value_max", "unit", "approx", "date")
    for label in LABEL_NAMES:
        assert tuple(normalise(label, "3名")) == NORMALISATION_KEYS


@pytest.mark.parametrize("label", [lb for lb in LABEL_NAMES if lb not in NORMALISED_LABELS])
def test_non_normalised_labels_give_none(label: str):
    assert normalise(label, "210万元", doc_date="2022-01-01") == dict.fromkeys(
        NORMALISATION_KEYS)


@pytest.mark.parametrize("label", ["money", "FOO", "", None, 3])
def test_unknown_label_raises(label):
    with pytest.raises(ValueError, match="unknown label"):
        normalise(label, "210万元")


@pytest.mark.parametrize("doc_date", ["2022/01/01", "2022-1-1", "yesterday", "2022-02-30"])
def test_malformed_doc_date_raises(doc_date: str):
    with pytest.raises(ValueError, match="doc_date"):
        normalise("DATE", "5月14日", doc_date=doc_date)


def test_figure_labels_ignore_doc_date_and_dates_ignore_values():
    assert normalise(M, "2022年6月", doc_date="2022-01-01")["date"] is None
    assert normalise("DATE", "210万元")["value"] is None


def test_unit_table_is_consistent():
    canonical = {canon for canon, _ in UNIT_TABLE.values()}
    assert {"元", "人", "人次", "户", "kg", "%", "day", "week", "month", "year"} <= canonical
    for surface, (canon, factor) in UNIT_TABLE.items():
        out = normalise("QUANTITY", f"2{surface}")
        assert out["unit"] == canon, surface
        assert out["value"] == pytest.approx(float(2 * factor)), surface


def test_approx_precedence_is_complete():
    assert set(APPROX_PRECEDENCE) == {"range", "at_least", "at_most", "over", "nearly", "about"}
    assert set(FIGURE_LABELS) == {M, P, C, Q}


PARSE_CASES = [
    ("0", 0), ("〇", 0), ("零", 0), ("十", 10), ("两", 2), ("十万", 100000),
    ("一百四十六", 146), ("一千二百", 1200), ("一千零五", 1005), ("三千五", 3500),
    ("一万五", 15000), ("二十万零三百", 200300), ("二〇二二", 2022), ("1.2亿", 120000000),
    ("130万", 1300000), ("3万5千", 35000), ("10萬", 100000), ("1億", 100000000),
    ("三点五万", 35000), ("壹仟贰佰", 1200), ("万", 10000), ("3万亿", 3 * 10**12),
    ("1,200", 1200), ("1，200", 1200), ("２０２２", 2022), (" 12 ", 12), ("0.5", 0.5),
]


@pytest.mark.parametrize(("text", "expected"), PARSE_CASES)
def test_parse_number(text: str, expected: float):
    assert parse_number(text) == expected
    assert type(parse_number(text)) is type(expected)


@pytest.mark.parametrize(
    "text", ["", "abc", "20余", "5人", "三四", "十百", "万万", "12,00", "-5", "点五", "一些", None]
)
def test_parse_number_rejects_non_numerals(text):
    assert parse_number(text) is None


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_parse_number_arabic_roundtrip(n: int):
    assert parse_number(str(n)) == n
    assert parse_number(f"{n:,}") == n
    assert parse_number(f"{n:,}".replace(",", "，")) == n


_DIGITS = "零一二三四五六七八九"


def to_chinese(n: int) -> str:
    """Standard Chinese rendering of 0 <= n < 100000 (一万零五百, 十二, 一百一十)."""
    if n == 0:
        return "零"
    out, zero_pending, started = "", False, False
    for place, unit in ((10000, "万"), (1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // place % 10
        if digit == 0:
            zero_pending = zero_pending or started
            continue
        if zero_pending:
            out, zero_pending = out + "零", False
        out, started = out + _DIGITS[digit] + unit, True
    return out[1:] if out.startswith("一十") else out


def test_to_chinese_renderer_itself():
    assert [to_chinese(n) for n in (0, 10, 12, 105, 110, 10500, 99999)] == [
        "零", "十", "十二", "一百零五", "一百一十", "一万零五百", "九万九千九百九十九"]


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=0, max_value=99999))
def test_parse_number_chinese_roundtrip(n: int):
    assert parse_number(to_chinese(n)) == n


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=12))
def test_normalise_never_raises_on_text(text: str):
    for label in NORMALISED_LABELS:
        out = normalise(label, text, doc_date="2022-06-01", context_before=text,
                        context_after=text)
        assert tuple(out) == NORMALISATION_KEYS


def test_normalise_in_text_reads_qualifiers_next_to_the_span():
    from duikou.normalise import CONTEXT_CHARS, normalise_in_text

    text = "共投入约100万元资金,帮助20余人。"
    a = text.index("100万元")
    got = normalise_in_text("MONEY", text, a, a + 5)
    assert (got["value"], got["unit"], got["approx"]) == (1000000, "元", "about")
    far = "约" + "的" * CONTEXT_CHARS + "100万元"
    got = normalise_in_text("MONEY", far, len(far) - 5, len(far))
    assert got["approx"] is None


def test_qualifiers_found_by_reading_the_dataset_2_values():
    # 突破 (exceeded) before a span, 多 after a span followed by 来 (for more than N years)
    assert normalise_in_text("MONEY", "累计突破2000万元", 4, 10)["approx"] == "over"
    assert normalise_in_text("QUANTITY", "6年多来", 0, 2)["approx"] == "over"
    assert normalise_in_text("QUANTITY", "30年来", 0, 3)["approx"] is None


def test_pinyin_glosses_inside_a_span_are_dropped():
    got = normalise("QUANTITY", "20萬(wàn)畝")
    assert (got["value"], got["unit"]) == (200000, "亩")
    assert normalise("COUNT", "405個(gè)")["value"] == 405


def test_seasons_festivals_and_de_reduce_to_what_they_name():
    assert normalise("DATE", "2016年秋季")["date"] == "2016"
    assert normalise("DATE", "今年春节", doc_date="2018-03-01")["date"] == "2018"
    assert normalise("DATE", "今年的10月1日", doc_date="2010-09-20")["date"] == "2010-10-01"
    assert normalise("DATE", "五月份", doc_date="2010-05-05")["date"] == "2010-05"


def test_the_three_values_the_value_check_left_for_a_patch():
    """Dataset 2.1.2 (annotation/figure_check/findings2.tsv, findings3.tsv)."""
    # 近 + a duration opening a clause, or followed by 来: "the past N years", exact
    text = "精准帮扶项目1132个。近3年,铜仁有41.9万名"
    a = text.index("近3年")
    got = normalise_in_text("QUANTITY", text, a, a + 3)
    assert (got["value"], got["unit"], got["approx"]) == (3, "year", None)
    assert normalise("QUANTITY", "近3年", context_after="来")["approx"] is None
    assert normalise("QUANTITY", "3年", context_before="。近", context_after="来")["approx"] is None
    # after a verb it is "nearly"; so is 近 before anything but a duration
    assert normalise("QUANTITY", "近3年", context_before="历时")["approx"] == "nearly"
    assert normalise("QUANTITY", "3个月", context_before="用了近")["approx"] == "nearly"
    assert normalise("MONEY", "近500万元", context_before="。")["approx"] == "nearly"
    assert normalise("QUANTITY", "3年", context_before="。最近")["approx"] is None
    # 春秋 counts years
    got = normalise("QUANTITY", "20個(gè)春秋")
    assert (got["value"], got["unit"], got["approx"]) == (20, "year", None)
    # 今(28)日 is today, the 28th
    assert normalise("DATE", "今(28)日", doc_date="2021-09-28")["date"] == "2021-09-28"
    assert normalise("DATE", "今（28）日上午", doc_date="2021-09-29")["date"] == "2021-09-28"
    assert normalise("DATE", "昨(27)日", doc_date="2021-09-28")["date"] == "2021-09-27"
    assert normalise("DATE", "今(30)日", doc_date="2021-10-01")["date"] == "2021-09-30"
    assert normalise("DATE", "今(28)日", doc_date="2021-09-20")["date"] is None  # disagree
    assert normalise("DATE", "今(28)日")["date"] is None


# (text, before, after, approx): 近 before a duration, as the review of 2.1.2 probed it
RECENT_CASES = [
    ("近3年", "1132个。", ",铜仁有", None), ("近3年", "，", "", None), ("近3年", "”", "", None),
    ("近3年", "——", "", None), ("近3年", "在", "里", None), ("近3年", "，最", "投入", None),
    ("近3年来", "全市", "投入", None), ("近3年", "全市", "来投入", None),
    ("近3年以来", "全市", "", None),
    ("近3年", "历时", "", "nearly"), ("近3年来", "历时", "", "nearly"),
    ("近两年", "他花了", "来筹备", "nearly"), ("近3个月", "用了", "来完成", "nearly"),
    ("近3年", "问题存在", "之久", "nearly"), ("近3年", "将", "来", "nearly"),
    ("近3年", "，接", "来", "nearly"), ("近60岁", "，", "的他", "nearly"),
    ("60岁", "，近", "", "nearly"),
]


@pytest.mark.parametrize(("text", "before", "after", "approx"), RECENT_CASES)
def test_jin_before_a_duration_is_the_recent_period_only_where_it_opens_one(
        text, before, after, approx):
    assert normalise("QUANTITY", text, context_before=before,
                     context_after=after)["approx"] == approx
