"""The span scorer: strict numbers equal seqeval's IOB2 strict mode; other schemes by hand."""

from __future__ import annotations

import math
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from seqeval.metrics import classification_report, f1_score, precision_score, recall_score
from seqeval.scheme import IOB2

from duikou.scoring import (
    SCHEMES,
    figure_accuracy,
    match,
    metrics_from_counts,
    score,
    strict_counts,
)
from duikou.spans import Span, spans_to_bio

Docs = dict[str, list[Span]]


def _bio_views(lengths: dict[str, int], gold: Docs, pred: Docs) -> tuple[list, list]:
    ids = sorted(lengths)
    y_true = [spans_to_bio(lengths[d], gold.get(d, [])) for d in ids]
    y_pred = [spans_to_bio(lengths[d], pred.get(d, [])) for d in ids]
    return y_true, y_pred


def _close(a: float, b: float) -> bool:
    return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)


def assert_equals_seqeval(lengths: dict[str, int], gold: Docs, pred: Docs) -> None:
    """Our strict micro/per-label/macro numbers equal seqeval's IOB2 strict report.

    zero_division=0 is passed explicitly: it is seqeval's default behaviour ("warn" acts as
    0) without the warning, and it is the convention our scorer documents.
    """
    ours = score(gold, pred, schemes=("strict",))["strict"]
    y_true, y_pred = _bio_views(lengths, gold, pred)
    kw = {"mode": "strict", "scheme": IOB2, "zero_division": 0}
    micro = ours["micro"]
    assert _close(micro["precision"], precision_score(y_true, y_pred, **kw))
    assert _close(micro["recall"], recall_score(y_true, y_pred, **kw))
    assert _close(micro["f1"], f1_score(y_true, y_pred, **kw))
    if not ours["per_label"]:
        # seqeval's report cannot be built without any entity (its macro is nan).
        assert ours["macro"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # zero_division=0 must not warn
        report = classification_report(y_true, y_pred, output_dict=True, **kw)
    labels = {k for k in report if not k.endswith(" avg")}
    assert labels == set(ours["per_label"])
    for lb in labels:
        row, ref = ours["per_label"][lb], report[lb]
        assert _close(row["precision"], ref["precision"]), lb
        assert _close(row["recall"], ref["recall"]), lb
        assert _close(row["f1"], ref["f1-score"]), lb
        assert row["support"] == ref["support"]
    for name, ref_name in (("precision", "precision"), ("recall", "recall"), ("f1", "f1-score")):
        assert _close(ours["macro"][name], report["macro avg"][ref_name])
        assert _close(micro[name], report["micro avg"][ref_name])
    assert micro["support"] == report["micro avg"]["support"]


S = Span


TRICKY: dict[str, tuple[dict[str, int], Docs, Docs]] = {
    "adjacent same-label spans": (
        {"d": 6},
        {"d": [S(0, 2, "PER"), S(2, 4, "PER"), S(4, 6, "PER")]},
        {"d": [S(0, 4, "PER"), S(4, 6, "PER")]},
    ),
    "single-character spans": (
        {"d": 5},
        {"d": [S(0, 1, "LOC"), S(1, 2, "LOC"), S(4, 5, "ORG")]},
        {"d": [S(0, 1, "LOC"), S(1, 2, "ORG"), S(3, 5, "ORG")]},
    ),
    "spans at document start and end": (
        {"a": 4, "b": 3},
        {"a": [S(0, 2, "DATE"), S(2, 4, "MONEY")], "b": [S(0, 3, "PEOPLE")]},
        {"a": [S(0, 2, "DATE"), S(3, 4, "MONEY")], "b": [S(0, 3, "PEOPLE")]},
    ),
    "same boundaries, wrong label": (
        {"d": 8},
        {"d": [S(1, 4, "DONOR"), S(5, 8, "RECIPIENT")]},
        {"d": [S(1, 4, "RECIPIENT"), S(5, 8, "DONOR")]},
    ),
    "empty predictions": (
        {"a": 5, "b": 5},
        {"a": [S(0, 2, "PER")], "b": [S(1, 3, "ORG")]},
        {"a": [], "b": []},
    ),
    "empty gold": (
        {"a": 5},
        {"a": []},
        {"a": [S(0, 2, "PER"), S(3, 5, "COUNT")]},
    ),
    "labels only in gold or only in pred": (
        {"a": 10},
        {"a": [S(0, 2, "PROGRAM"), S(3, 5, "PER")]},
        {"a": [S(3, 5, "PER"), S(6, 9, "QUANTITY")]},
    ),
    "nothing anywhere": ({"a": 3, "b": 0}, {"a": [], "b": []}, {"a": [], "b": []}),
    "document missing from predictions": (
        {"a": 4, "b": 4},
        {"a": [S(0, 2, "PER")], "b": [S(0, 4, "LOC")]},
        {"a": [S(0, 2, "PER")]},
    ),
}


@pytest.mark.parametrize("case", sorted(TRICKY))
def test_strict_equals_seqeval_on_tricky_cases(case: str) -> None:
    assert_equals_seqeval(*TRICKY[case])


def test_tricky_cases_have_the_expected_counts() -> None:
    lengths, gold, pred = TRICKY["labels only in gold or only in pred"]
    per = score(gold, pred)["strict"]["per_label"]
    assert {lb: (r["tp"], r["fp"], r["fn"]) for lb, r in per.items()} == {
        "PER": (1, 0, 0), "PROGRAM": (0, 0, 1), "QUANTITY": (0, 1, 0)}
    # Zero division: no predictions of PROGRAM -> precision 0; no gold QUANTITY -> recall 0.
    assert per["PROGRAM"]["precision"] == 0.0 and per["QUANTITY"]["recall"] == 0.0
    _, gold, pred = TRICKY["adjacent same-label spans"]
    micro = score(gold, pred)["strict"]["micro"]
    assert (micro["tp"], micro["fp"], micro["fn"]) == (1, 1, 2)


@st.composite
def flat_spans(draw: st.DrawFn, length: int) -> list[Span]:
    cuts = sorted(draw(st.sets(st.integers(0, length), max_size=12)))
    labels = ("PER", "ORG", "LOC", "MONEY")
    spans = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if draw(st.booleans()):
            spans.append(Span(a, b, draw(st.sampled_from(labels))))
    return spans


@st.composite
def corpora(draw: st.DrawFn) -> tuple[dict[str, int], Docs, Docs]:
    n = draw(st.integers(1, 4))
    lengths = {f"d{i}": draw(st.integers(0, 30)) for i in range(n)}
    gold = {d: draw(flat_spans(n_)) for d, n_ in lengths.items()}
    pred = {d: draw(flat_spans(n_)) for d, n_ in lengths.items()}
    # Make exact hits likely: copy some gold spans into an otherwise empty prediction.
    for d in lengths:
        if draw(st.booleans()):
            pred[d] = [s for s in gold[d] if draw(st.booleans())]
    return lengths, gold, pred


@settings(max_examples=150, deadline=None)
@given(corpora())
def test_strict_equals_seqeval_on_random_flat_spans(case: tuple) -> None:
    assert_equals_seqeval(*case)


def test_seqeval_lenient_mode_differs_on_i_without_b() -> None:
    """Why we compare with ``mode="strict", scheme=IOB2`` and never the default.

    A predicted ``I-PER I-PER`` (no ``B-``) is not an IOB2 entity, but seqeval's default
    (lenient, CoNLL-style) mode starts a chunk there and counts it correct. precision_score
    with ``mode="strict"`` but no ``scheme`` silently falls back to that lenient counting.
    """
    y_true = [["B-PER", "I-PER", "O"]]
    y_pred = [["I-PER", "I-PER", "O"]]
    assert f1_score(y_true, y_pred) == 1.0
    assert f1_score(y_true, y_pred, mode="strict") == 1.0  # no scheme: lenient fallback
    assert f1_score(y_true, y_pred, mode="strict", scheme=IOB2, zero_division=0) == 0.0


def test_partial_and_type_use_greedy_one_to_one_matching() -> None:
    gold = {"d": [S(0, 4, "PER"), S(4, 6, "PER"), S(10, 12, "ORG")]}
    # One long prediction overlaps two gold spans: it may match only one of them (the one
    # with the larger overlap). [10, 12) LOC overlaps ORG: counts only under "type".
    pred = {"d": [S(1, 6, "PER"), S(10, 12, "LOC")]}
    r = score(gold, pred)
    micro = {s: (r[s]["micro"]["tp"], r[s]["micro"]["fp"], r[s]["micro"]["fn"]) for s in SCHEMES}
    assert micro == {"strict": (0, 2, 3), "partial": (1, 1, 2), "boundary": (1, 1, 2),
                     "type": (2, 0, 1)}
    assert match("partial", gold["d"], pred["d"]) == [((0, 4, "PER"), (1, 6, "PER"))]
    # label-blind matches are attributed to the gold label (ORG), the prediction's is unused
    assert r["type"]["per_label"]["ORG"]["tp"] == 1
    assert "LOC" not in r["type"]["per_label"]
    assert "LOC" not in r["boundary"]["per_label"]
    assert r["boundary"]["per_label"]["ORG"]["tp"] == 1


def test_greedy_tie_breaks_are_deterministic() -> None:
    gold = [S(0, 4, "PER")]
    # Same overlap (4) with both: the exact one (smaller union) wins, whatever the order.
    pred = [S(0, 6, "PER"), S(0, 4, "PER")]
    assert match("partial", gold, pred) == [((0, 4, "PER"), (0, 4, "PER"))]
    assert match("partial", gold, list(reversed(pred))) == match("partial", gold, pred)
    # Equal overlap and union: the same label wins under "type", then the earlier span.
    assert match("type", gold, [S(0, 4, "LOC"), S(0, 4, "PER")])[0][1][2] == "PER"
    two_gold = [S(0, 2, "PER"), S(2, 4, "PER")]
    assert match("type", two_gold, [S(1, 3, "ORG")]) == [((0, 2, "PER"), (1, 3, "ORG"))]


def test_score_counts_duplicate_keys_once_and_rejects_unknown_scheme() -> None:
    gold = {"d": [S(0, 2, "PER"), S(0, 2, "PER", "张三")]}
    r = score(gold, {"d": [S(0, 2, "PER")]})
    assert r["strict"]["micro"]["f1"] == 1.0 and r["n_gold"] == 1
    with pytest.raises(ValueError, match="unknown scheme"):
        score(gold, gold, schemes=("exact",))


def test_strict_counts_by_document_sum_to_total() -> None:
    lengths, gold, pred = TRICKY["spans at document start and end"]
    total = strict_counts(gold, pred)
    by_doc = strict_counts(gold, pred, by_document=True)
    assert set(by_doc) == {"a", "b"}
    summed: dict = {}
    for counts in by_doc.values():
        for lb, c in counts.items():
            row = summed.setdefault(lb, {"tp": 0, "fp": 0, "fn": 0})
            for k in row:
                row[k] += c[k]
    assert summed == total
    assert metrics_from_counts(total) == score(gold, pred, schemes=("strict",))["strict"]


def _money(start: int, end: int, text: str, **attrs: object) -> Span:
    return Span(start, end, "MONEY", text, attrs or None)


def test_figure_accuracy_compares_all_fields_on_strict_matches() -> None:
    text = "投入210万元，帮扶119人，2022年6月完成"
    gold = [
        _money(2, 7, "210万元", value=2_100_000, value_max=None, unit="元", approx=False),
        Span(10, 14, "PEOPLE", "119人", {"value": 119, "unit": "人", "approx": False}),
        Span(15, 22, "DATE", "2022年6月", {"date": "2022-06"}),
    ]
    pred = {"d": [
        _money(2, 7, "210万元", value=2_100_000.0, unit="元", approx=False),  # correct
        Span(10, 14, "PEOPLE", "119人", {"value": 119, "unit": "人", "approx": True}),
        Span(15, 22, "DATE", "2022年6月", {"date": "2022-06"}),
    ]}
    r = figure_accuracy([("d", text, gold)], pred, normaliser=None)
    assert (r["correct"], r["total"]) == (2, 3)
    assert r["fields"]["approx"] == {"correct": 1, "total": 2, "accuracy": 0.5}
    assert r["fields"]["date"]["total"] == 1 and r["fields"]["value"]["correct"] == 2
    assert r["per_label"]["PEOPLE"]["accuracy"] == 0.0


def test_figure_accuracy_compares_integers_beyond_float_range() -> None:
    text = "投入210万元"
    huge = 10 ** 400
    gold = [_money(2, 7, "210万元", value=huge, unit="元", approx=False)]
    for value, correct in [(huge, 1), (huge + 1, 0), (2.5, 0)]:
        pred = {"d": [_money(2, 7, "210万元", value=value, unit="元", approx=False)]}
        r = figure_accuracy([("d", text, gold)], pred, normaliser=None)
        assert r["fields"]["value"]["correct"] == correct


def test_figure_accuracy_normalises_predictions_without_attributes() -> None:
    text = "投入210万元"
    gold = [_money(2, 7, "210万元", value=2_100_000, unit="元", approx=False)]
    calls: list[tuple] = []

    def toy_normaliser(label: str, surface: str, *, doc_date: str | None = None,
                       context_before: str = "", context_after: str = "") -> dict:
        calls.append((label, surface, doc_date, context_before, context_after))
        return {"value": 2_100_000, "value_max": None, "unit": "元", "approx": False,
                "date": None}

    pred = {"d": [Span(2, 7, "MONEY", "210万元")]}
    r = figure_accuracy([("d", text, gold)], pred, doc_dates={"d": "2022-06-01"},
                        normaliser=toy_normaliser)
    assert r["accuracy"] == 1.0 and r["pred_normalised"] == 1
    assert calls == [("MONEY", "210万元", "2022-06-01", "投入", "")]
    # Unmatched (shifted) spans are not evaluated at all.
    shifted = {"d": [Span(3, 7, "MONEY", "10万元")]}
    assert figure_accuracy([("d", text, gold)], shifted, normaliser=toy_normaliser)["total"] == 0


def test_figure_accuracy_counts_bare_predictions_wrong_when_the_normaliser_fails() -> None:
    def failing(label: str, text: str, **kw: object) -> dict:
        raise ValueError("cannot read")

    gold = [_money(0, 3, "5万元", value=50_000, unit="元", approx=False)]
    r = figure_accuracy([("d", "5万元", gold)], {"d": [Span(0, 3, "MONEY")]},
                        normaliser=failing)
    assert (r["correct"], r["total"], r["pred_without_attrs"]) == (0, 1, 1)


@settings(max_examples=100, deadline=None)
@given(corpora())
def test_scheme_counts_are_consistent_one_to_one_matchings(case: tuple) -> None:
    _, gold, pred = case
    r = score(gold, pred)
    tps = {s: r[s]["micro"]["tp"] for s in SCHEMES}
    for s in SCHEMES:
        m = r[s]["micro"]
        assert m["tp"] + m["fn"] == r["n_gold"] and m["tp"] + m["fp"] == r["n_pred"]
        for d in gold:
            pairs = match(s, gold[d], pred[d])
            assert len({g for g, _ in pairs}) == len({p for _, p in pairs}) == len(pairs)
    # With flat spans an exact pair outranks every competitor, so looser schemes never
    # lose a strict match.
    assert tps["strict"] <= tps["partial"] and tps["strict"] <= tps["boundary"] <= tps["type"]


def test_benchmark_script_agrees_with_seqeval_on_a_small_corpus() -> None:
    """Runs the benchmark's agreement check (not its timing) on 20,000 code points."""
    from duikou.eval.bench_scorer import main, run

    r = run(tokens=20_000, seed=3, repeat=1)
    assert r["tokens"] == 20_000 and r["max_abs_difference"] <= 1e-12
    assert 0.3 < r["strict_micro_f1"] < 0.95
    assert main(["--tokens", "3000", "--repeat", "1"]) == 0


def test_figure_accuracy_uses_duikou_figures_by_default() -> None:
    figures = pytest.importorskip("duikou.normalise")
    text = "6月投入210万元，帮扶119人"
    date = Span(0, 2, "DATE", "6月")
    money = Span(4, 9, "MONEY", "210万元")
    people = Span(12, 16, "PEOPLE", "119人")
    expected_date = figures.normalise("DATE", "6月", doc_date="2022-06-01")
    assert expected_date["date"] is not None  # the year comes from doc_date
    gold = [
        Span(0, 2, "DATE", "6月", expected_date),
        Span(4, 9, "MONEY", "210万元", figures.normalise("MONEY", "210万元")),
        Span(12, 16, "PEOPLE", "119人", {"value": 120, "unit": "人", "approx": None}),
    ]
    r = figure_accuracy([("d", text, gold)], {"d": [date, money, people]},
                        doc_dates={"d": "2022-06-01"})
    assert r["normaliser"] == "duikou.normalise.normalise"
    assert (r["correct"], r["total"], r["pred_normalised"]) == (2, 3, 3)
    assert r["per_label"]["PEOPLE"]["correct"] == 0


@settings(max_examples=150, deadline=None)
@given(corpora())
def test_strict_and_boundary_equal_nervaluate_strict_and_exact(case: tuple) -> None:
    """A second oracle: nervaluate (SemEval-2013 9.1 schemes; inclusive ends)."""
    nervaluate = pytest.importorskip("nervaluate")
    lengths, gold, pred = case
    docs = sorted(lengths)

    def as_lists(side: Docs) -> list[list[dict]]:
        return [[{"label": s.label, "start": s.start, "end": s.end - 1} for s in side[d]]
                for d in docs]

    labels = sorted({s.label for side in (gold, pred) for d in docs for s in side[d]}) or ["X"]
    # nervaluate cannot read a first document without spans: lead with one agreed span
    # and take it off its counts again.
    lead = [{"label": labels[0], "start": 0, "end": 0}]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = nervaluate.Evaluator([lead, *as_lists(gold)], [lead, *as_lists(pred)],
                                      tags=labels).evaluate()
    ours = score(gold, pred)
    for mine, their in (("strict", "strict"), ("boundary", "exact")):
        m, t = ours[mine]["micro"], theirs["overall"][their]
        assert (m["tp"], m["tp"] + m["fp"], m["tp"] + m["fn"]) == (
            t.correct - 1, t.actual - 1, t.possible - 1), (mine, m, t)
