"""The span-vote ensemble (duikou.baselines.ensemble): its contract, as properties."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import duikou.baselines.ensemble
from duikou.baselines.ensemble import majority, vote, vote_with_roles
from duikou.spans import Span

LABELS = ("DONOR", "RECIPIENT", "LOC", "MONEY")


@st.composite
def member(draw) -> list[Span]:
    """One tagger's spans: non-overlapping, within 40 code points."""
    cuts = sorted(set(draw(st.lists(st.integers(0, 40), max_size=10))))
    pairs = list(zip(cuts[::2], cuts[1::2]))
    return [Span(a, b, draw(st.sampled_from(LABELS))) for a, b in pairs if a < b]


members = st.lists(member(), min_size=1, max_size=5)


@settings(max_examples=200, deadline=None)
@given(members, st.integers(1, 5))
def test_kept_spans_have_k_votes_and_never_overlap(ms: list[list[Span]], k: int) -> None:
    out = vote(ms, k)
    assert out == sorted(out)
    for s, t in zip(out, out[1:]):
        assert s.end <= t.start
    for s in out:
        assert sum(any(x.key == s.key for x in m_) for m_ in ms) >= k


@settings(max_examples=200, deadline=None)
@given(members)
def test_order_of_members_does_not_change_the_spans(ms: list[list[Span]]) -> None:
    assert [s.key for s in vote(ms)] == [s.key for s in vote(list(reversed(ms)))]


@settings(max_examples=200, deadline=None)
@given(members)
def test_a_span_every_member_predicts_is_kept(ms: list[list[Span]]) -> None:
    shared = set.intersection(*({s.key for s in m} for m in ms))
    assert shared <= {s.key for s in vote(ms)}


@settings(max_examples=100, deadline=None)
@given(member())
def test_one_member_is_returned_as_it_is(m: list[Span]) -> None:
    assert vote([m]) == sorted(m)


def test_majority_is_more_than_half() -> None:
    assert [majority(n) for n in range(1, 7)] == [1, 2, 2, 3, 3, 4]


def test_a_span_one_member_invents_is_dropped_and_a_duplicate_counts_once() -> None:
    a, b = Span(0, 2, "DONOR"), Span(4, 6, "LOC")
    assert vote([[a, b, b], [a], [a]]) == [a]


def test_the_first_members_span_object_is_returned() -> None:
    first = Span(0, 2, "MONEY", attrs={"value": 1})
    second = Span(0, 2, "MONEY", attrs={"value": 2})
    assert vote([[first], [second]])[0].attrs == {"value": 1}


def test_k_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="k must be at least 1"):
        vote([[Span(0, 1, "LOC")]], k=0)


def test_roles_make_one_role_per_entity_after_the_vote() -> None:
    text = "上海对口支援云南。上海援建学校，云南受益。"
    # each member labels the second 上海 differently; the cue 上海对口支援云南 decides
    a = [Span(0, 2, "DONOR"), Span(6, 8, "RECIPIENT"), Span(9, 11, "DONOR")]
    b = [Span(0, 2, "DONOR"), Span(6, 8, "RECIPIENT"), Span(9, 11, "LOC")]
    c = [Span(0, 2, "DONOR"), Span(6, 8, "RECIPIENT"), Span(9, 11, "RECIPIENT")]
    out = vote_with_roles(text, [a, b, c])
    labels = {text[s.start:s.end]: {t.label for t in out if text[t.start:t.end] ==
                                    text[s.start:s.end]} for s in out}
    assert labels["上海"] == {"DONOR"}
    assert labels["云南"] == {"RECIPIENT"}
    assert Span(9, 11, "DONOR") in out


def test_doctests() -> None:
    assert doctest.testmod(duikou.baselines.ensemble).failed == 0
