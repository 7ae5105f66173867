"""Rule tagger: guideline boundary cases on real phrases, attributes, flat valid spans."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from duikou.baselines.rules import RulesTagger, find_spans
from duikou.ingest.sources import load_sources
from duikou.spans import span_problems
from tests.helpers import SAMPLE

ROOT = Path(__file__).resolve().parent.parent


def tagged(text: str, date: str | None = None) -> list[tuple[str, str]]:
    return [(s.text, s.label) for s in RulesTagger().tag([text], [date])[0]]


@pytest.mark.parametrize(("text", "expected"), [
    ("募集社会帮扶资金210万元", [("210万元", "MONEY")]),
    ("已发放防返贫救助基金130余万元", [("130余万元", "MONEY")]),
    ("醫療專家累計診療患者19532人次", [("19532人次", "PEOPLE")]),
    ("就業率提升至99.25%", [("99.25%", "QUANTITY")]),
    ("5月26-28日,西南医科大学", [("5月26-28日", "DATE")]),
    ("2018年以来,锦江区依托", [("2018年", "DATE")]),
    ("第六批锦江区对口支援炉霍县工作队", []),
    ("第6批工作队", []),
    ("去年7月,49岁的邱风", [("去年7月", "DATE")]),
    ("五月中旬", [("五月中旬", "DATE")]),
    ("从去年2月设立摊位到12月上旬", [("去年2月", "DATE"), ("12月上旬", "DATE")]),
    ("5月26日下午到达西昌后", [("5月26日", "DATE")]),
    ("救助困难群众、学生共计119人", [("119人", "PEOPLE")]),
    ("约3000余名党员干部", [("约3000余名", "PEOPLE")]),
    ("累計帶動培訓10萬餘名農牧民", [("10萬餘名", "PEOPLE")]),
    ("191户857人", [("191户", "COUNT"), ("857人", "PEOPLE")]),
    ("思明区共派出专家型教师2批8人次", [("2批", "COUNT"), ("8人次", "PEOPLE")]),
    ("完成常规和疑难手术近1200例", [("近1200例", "COUNT")]),
    ("全旗肉牛存欄量達50萬頭", [("50萬頭", "COUNT")]),
    ("农特产品销售额达13万元整", [("13万元整", "MONEY")]),
    ("實現全社會增收5億元以上", [("5億元以上", "MONEY")]),
    ("開展为期9天的学习培训", [("9天", "QUANTITY")]),
    ("最近3年", [("3年", "QUANTITY")]),
    ("作为95后的年轻教师", []),
    ("一人结对两名炉霍本土教师", []),
    ("金野以匹村今年能顺利实现整村脱贫摘帽", []),
])
def test_guideline_phrases(text, expected):
    assert tagged(text) == expected


def test_attributes_follow_normalise():
    spans = RulesTagger().tag(["募集210万元,约3000余名,5月26-28日"], ["2020-06-01"])[0]
    by_text = {s.text: s.attrs for s in spans}
    assert by_text["210万元"]["value"] == 2100000 and by_text["210万元"]["unit"] == "元"
    assert by_text["约3000余名"]["approx"] == "over"
    assert by_text["5月26-28日"]["date"] == "2020-05-26/2020-05-28"
    assert set(by_text["210万元"]) == {"value", "value_max", "unit", "approx", "date"}
    undated = RulesTagger().tag(["5月26-28日"])[0][0]
    assert undated.attrs["date"] is None


def test_offsets_are_code_points():
    text = "𠮷𠮷捐赠210万元"
    (span,) = find_spans(text)
    assert (span.start, span.end) == (4, 9) and text[span.start:span.end] == "210万元"


def test_seed_documents_give_valid_flat_spans_and_find_sample_figures():
    docs = load_sources(ROOT / "seeds")
    predicted = RulesTagger().tag([d.text for d in docs])
    for d, spans in zip(docs, predicted):
        assert span_problems(d.text, spans, doc_id=d.id) == []
    found = {(d.id[:3], s.text, s.label) for d, spans in zip(docs, predicted) for s in spans}
    wanted = {(p, surface, label) for p, surface, label, _ in SAMPLE
              if label in ("MONEY", "PEOPLE", "COUNT", "QUANTITY", "DATE")}
    assert wanted <= found


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789一二五十万元人次户个%年月日第岁余约近-至，。中村", max_size=40))
def test_spans_are_always_flat_and_consistent(text):
    spans = find_spans(text)
    assert span_problems(text, spans) == []
    for s in spans:
        if s.label != "DATE":
            assert any(c.isdigit() for c in s.text)
