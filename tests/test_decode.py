"""IOB2-constrained Viterbi decoding (duikou.baselines.decode)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from duikou.baselines.decode import bio_transition_mask, viterbi_bio
from duikou.schema import BIO_TAGS
from duikou.spans import bio_to_spans

SMALL_TAGS = ("O", "B-A", "I-A", "B-B", "I-B")


def legal(tags: list[str]) -> bool:
    """IOB2 as the gold reader understands it (strict mode raises on an illegal I-)."""
    try:
        bio_to_spans(tags, strict=True)
    except Exception:
        return False
    return True


def tag_sets(max_labels: int = 4) -> st.SearchStrategy[tuple[str, ...]]:
    labels = st.lists(st.sampled_from(["A", "B", "C", "MONEY"]), min_size=0,
                      max_size=max_labels, unique=True)
    return labels.map(lambda ls: ("O", *(f"{p}-{x}" for x in ls for p in "BI"))).flatmap(
        lambda tags: st.permutations(list(tags)).map(tuple))


scores = st.one_of(st.floats(-30, 0, allow_nan=False), st.just(-math.inf),
                   st.floats(-1e300, 1e300, allow_nan=False))


@st.composite
def problems(draw, max_tokens: int = 40, max_labels: int = 4):
    tags = draw(tag_sets(max_labels))
    n = draw(st.integers(0, max_tokens))
    rows = draw(st.lists(st.lists(scores, min_size=len(tags), max_size=len(tags)),
                         min_size=n, max_size=n))
    return tags, np.array(rows, dtype=np.float64).reshape(n, len(tags))


@settings(max_examples=300, deadline=None)
@given(problems())
def test_never_emits_an_illegal_sequence(problem):
    tags, log_probs = problem
    path = viterbi_bio(log_probs, tags)
    assert len(path) == len(log_probs)
    assert all(0 <= i < len(tags) for i in path)
    assert legal([tags[i] for i in path])


@settings(max_examples=150, deadline=None)
@given(problems(max_tokens=4, max_labels=2))
def test_is_the_best_legal_sequence(problem):
    tags, log_probs = problem
    lp = np.maximum(log_probs, -1e9)
    path = viterbi_bio(log_probs, tags)
    best = max((sum(lp[t, j] for t, j in enumerate(seq))
                for seq in itertools.product(range(len(tags)), repeat=len(lp))
                if legal([tags[j] for j in seq])), default=0.0)
    got = sum(lp[t, j] for t, j in enumerate(path))
    assert got == pytest.approx(best, rel=1e-9, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(SMALL_TAGS), max_size=30).filter(legal), st.randoms())
def test_a_legal_argmax_is_kept(seq, rnd):
    """When the per-token argmax is already legal IOB2, decoding changes nothing."""
    lp = np.array([[rnd.uniform(-9, -2) for _ in SMALL_TAGS] for _ in seq]).reshape(
        len(seq), len(SMALL_TAGS))
    for t, tag in enumerate(seq):
        lp[t, SMALL_TAGS.index(tag)] = -0.1
    assert [SMALL_TAGS[i] for i in viterbi_bio(lp, SMALL_TAGS)] == seq


def test_repairs_by_probability_not_by_rule():
    tags = SMALL_TAGS
    # argmax: O I-A I-A; B-A is a close second at token 1, so the best legal path is O B-A I-A
    lp = np.log(np.array([[0.9, 0.02, 0.04, 0.02, 0.02],
                          [0.2, 0.35, 0.40, 0.03, 0.02],
                          [0.1, 0.05, 0.80, 0.03, 0.02]]))
    assert [tags[i] for i in viterbi_bio(lp, tags)] == ["O", "B-A", "I-A"]
    # an isolated confident I-B after an A span becomes O when B-B is unlikely
    lp = np.log(np.array([[0.05, 0.9, 0.01, 0.02, 0.02],
                          [0.30, 0.01, 0.01, 0.01, 0.67]]))
    assert [tags[i] for i in viterbi_bio(lp, tags)] == ["B-A", "O"]
    # the first token can never be I-
    assert viterbi_bio(np.log([[0.1, 0.15, 0.6, 0.1, 0.05]]), tags) == [1]


def test_mask_on_the_schema_tags():
    start_ok, step_ok = bio_transition_mask(BIO_TAGS)
    for j, t in enumerate(BIO_TAGS):
        assert start_ok[j] == (not t.startswith("I-"))
        for i, s in enumerate(BIO_TAGS):
            expected = not t.startswith("I-") or s in (f"B-{t[2:]}", t)
            assert step_ok[i, j] == expected, (s, t)


def test_edges_and_errors():
    assert viterbi_bio([], BIO_TAGS) == []
    assert viterbi_bio(np.zeros((0, len(BIO_TAGS))), BIO_TAGS) == []
    assert viterbi_bio(np.full((3, 5), -np.inf), SMALL_TAGS) == [0, 0, 0]  # all O
    with pytest.raises(ValueError, match="shape"):
        viterbi_bio(np.zeros((2, 3)), SMALL_TAGS)
    with pytest.raises(ValueError, match="NaN"):
        viterbi_bio(np.full((2, 5), np.nan), SMALL_TAGS)
    with pytest.raises(ValueError, match="'O'"):
        viterbi_bio(np.zeros((2, 2)), ("B-A", "I-A"))
    lp = np.zeros((4, 5))
    before = lp.copy()
    viterbi_bio(lp, SMALL_TAGS)
    assert (lp == before).all()
