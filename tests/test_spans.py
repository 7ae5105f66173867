from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from duikou.errors import BioError, SpanError
from duikou.schema import BIO_TAGS, LABEL_NAMES
from duikou.spans import Span, bio_to_spans, check_spans, span_problems, spans_to_bio
from tests.helpers import raises_code


@st.composite
def flat_spans(draw):
    length = draw(st.integers(0, 60))
    cuts = sorted(draw(st.sets(st.integers(0, length), max_size=20)))
    spans = []
    for a, b in zip(cuts, cuts[1:]):
        if draw(st.booleans()):
            spans.append(Span(a, b, draw(st.sampled_from(LABEL_NAMES))))
    return length, spans


@given(flat_spans())
def test_spans_bio_round_trip(case):
    length, spans = case
    tags = spans_to_bio(length, spans)
    assert len(tags) == length
    assert set(tags) <= set(BIO_TAGS)
    assert bio_to_spans(tags) == spans


@given(flat_spans())
def test_bio_offset_shifts_positions(case):
    length, spans = case
    shifted = bio_to_spans(spans_to_bio(length, spans), offset=7)
    assert [(s.start - 7, s.end - 7, s.label) for s in shifted] == [s.key for s in spans]


def test_adjacent_same_label_spans_stay_apart():
    spans = [Span(0, 2, "LOC"), Span(2, 4, "LOC")]
    assert spans_to_bio(4, spans) == ["B-LOC", "I-LOC", "B-LOC", "I-LOC"]
    assert bio_to_spans(["B-LOC", "I-LOC", "B-LOC", "I-LOC"]) == spans


def test_astral_characters_count_as_one_position():
    text = "𠮷😀锦江区援助"
    span = Span(2, 5, "DONOR", "锦江区")
    check_spans(text, [span])
    assert spans_to_bio(len(text), [span])[2] == "B-DONOR"


def test_strict_bio_rejects_orphan_inside_tag():
    with raises_code(BioError, "DK-SPAN-006"):
        bio_to_spans(["O", "I-PER", "I-PER"])


def test_lenient_bio_repairs_orphan_inside_tag():
    assert bio_to_spans(["O", "I-PER", "I-PER", "I-LOC"], strict=False) == [
        Span(1, 3, "PER"), Span(3, 4, "LOC")]


def test_bio_rejects_malformed_tag():
    with raises_code(BioError, "DK-SPAN-005"):
        bio_to_spans(["X-PER"])


def test_span_problems_lists_every_problem_with_location():
    text = "锦江区援助炉霍县"
    spans = [Span(0, 3, "DONOR", "锦江区"), Span(2, 4, "LOC"), Span(5, 99, "RECIPIENT"),
             Span(5, 8, "NOPE"), Span(5, 8, "RECIPIENT", "炉霍")]
    problems = span_problems(text, spans, doc_id="d1", file="f.jsonl")
    messages = " | ".join(str(p) for p in problems)
    assert "outside" not in messages  # the message states the expectation instead
    assert "expected 0 <= start < end <= 8" in messages
    assert "unknown label 'NOPE'" in messages
    assert "does not match" in messages
    assert "overlaps span [0, 3)" in messages
    assert all(p.doc_id == "d1" and p.file == "f.jsonl" for p in problems)


def test_check_spans_raises_span_error():
    with raises_code(SpanError, "DK-SPAN-007"):
        check_spans("abc", [Span(0, 4, "LOC")], doc_id="d9")


def test_spans_to_bio_rejects_overlap():
    with raises_code(SpanError, "DK-SPAN-004"):
        spans_to_bio(5, [Span(0, 3, "LOC"), Span(2, 4, "ORG")])
