"""Bootstrap CIs, paired significance tests and the cross-validation summary."""

from __future__ import annotations

import random
import statistics

import pytest

from duikou.errors import CorpusError
from duikou.eval.stats import bootstrap_ci, cv_summary, paired_test, unit_counts
from duikou.scoring import score
from duikou.spans import Span

LABELS = ("PER", "ORG", "LOC", "MONEY")


def predict(gold: dict, *, hit_rate: float, seed: int) -> dict:
    """Each gold span kept exactly with probability ``hit_rate``, otherwise shifted by one
    (a miss and a false positive)."""
    rng = random.Random(seed)
    return {d: [s if rng.random() < hit_rate else Span(s.start + 1, s.end + 1, s.label)
                for s in spans] for d, spans in sorted(gold.items())}


def synthetic(n_docs: int, *, hit_rate: float, seed: int) -> tuple[dict, dict]:
    """Gold: 6 flat spans per 100-char document, and a prediction from :func:`predict`."""
    rng = random.Random(seed)
    gold = {f"doc{i:04d}": [Span(15 * k + 2, 15 * k + 2 + rng.randint(2, 8), rng.choice(LABELS))
                            for k in range(6)] for i in range(n_docs)}
    return gold, predict(gold, hit_rate=hit_rate, seed=seed + 1000)


def test_bootstrap_is_seeded_and_contains_the_point_estimate() -> None:
    gold, pred = synthetic(50, hit_rate=0.7, seed=1)
    a = bootstrap_ci(gold, pred, n=300, seed=7)
    assert a == bootstrap_ci(gold, pred, n=300, seed=7)
    assert a != bootstrap_ci(gold, pred, n=300, seed=8)
    assert a["unit"] == "document" and a["n_units"] == 50
    assert a["f1"] == score(gold, pred)["strict"]["micro"]["f1"]
    assert a["f1_low"] < a["f1"] < a["f1_high"]
    assert a["precision_low"] <= a["precision"] <= a["precision_high"]
    assert a["level"] == pytest.approx(0.95)


def test_bootstrap_interval_narrows_with_more_documents() -> None:
    widths = []
    for n_docs in (20, 80, 320):
        gold, pred = synthetic(n_docs, hit_rate=0.6, seed=n_docs)
        ci = bootstrap_ci(gold, pred, n=400, seed=0)
        widths.append(ci["f1_high"] - ci["f1_low"])
    assert widths[0] > widths[1] > widths[2]
    assert widths[2] < widths[0] / 2.5  # roughly 1/sqrt(n): a factor 4 for 16x the data


def test_bootstrap_over_sentence_units() -> None:
    gold, pred = synthetic(10, hit_rate=0.5, seed=3)
    # Two sentence windows per document: [0, 45) and [45, 100).
    sentences = [(d, a, b) for d in sorted(gold) for a, b in ((0, 45), (45, 100))]
    ci = bootstrap_ci(gold, pred, unit="sentence", sentences=sentences, n=200, seed=0)
    assert ci["unit"] == "sentence" and ci["n_units"] == 20
    assert ci["f1"] == score(gold, pred)["strict"]["micro"]["f1"]
    counts, meta = unit_counts(gold, pred, unit="sentence", sentences=sentences)
    doc_counts, _ = unit_counts(gold, pred)
    assert (counts.sum(axis=0) == doc_counts.sum(axis=0)).all()
    assert meta["spans_crossing_units"] == sum(
        s.start < 45 < s.end for side in (gold, pred) for v in side.values() for s in v)


def test_sentence_units_must_cover_every_span() -> None:
    gold = {"a": [Span(0, 2, "PER"), Span(50, 52, "ORG")], "b": [Span(1, 3, "LOC")]}
    with pytest.raises(CorpusError) as info:
        bootstrap_ci(gold, gold, unit="sentence", sentences=[("a", 0, 10)], n=10)
    located = {(p.doc_id, p.start) for p in info.value.problems}
    assert located == {("a", 50), ("b", 1)}  # each uncovered span once per side, all listed
    assert len(info.value.problems) == 4
    with pytest.raises(ValueError, match="needs sentences"):
        bootstrap_ci(gold, gold, unit="sentence")


@pytest.mark.parametrize("method", ["approximate_randomisation", "paired_bootstrap"])
def test_identical_systems_are_not_different(method: str) -> None:
    gold, pred = synthetic(40, hit_rate=0.6, seed=5)
    r = paired_test(gold, pred, dict(pred), method=method, n=500, seed=0)
    assert r["diff"] == 0.0 and r["p_value"] == 1.0


@pytest.mark.parametrize("method", ["approximate_randomisation", "paired_bootstrap"])
def test_clearly_better_system_is_significant(method: str) -> None:
    gold, weak = synthetic(200, hit_rate=0.55, seed=11)
    strong = predict(gold, hit_rate=0.75, seed=12)
    r = paired_test(gold, strong, weak, method=method, n=2000, seed=0)
    assert r["diff"] > 0.1 and r["p_value"] < 0.05
    assert r == paired_test(gold, strong, weak, method=method, n=2000, seed=0)
    # The test is two-sided: swapping the systems flips the sign, not the p-value's size.
    swapped = paired_test(gold, weak, strong, method=method, n=2000, seed=0)
    assert swapped["diff"] == -r["diff"] and swapped["p_value"] < 0.05


def test_similar_systems_are_not_significant() -> None:
    gold, a = synthetic(60, hit_rate=0.6, seed=21)
    b = predict(gold, hit_rate=0.6, seed=22)
    r = paired_test(gold, a, b, n=2000, seed=0)
    assert r["p_value"] > 0.05


def test_cv_summary_mean_sd_and_pooled() -> None:
    folds = []
    for k in range(4):
        gold, pred = synthetic(10 + 10 * k, hit_rate=0.5 + 0.1 * k, seed=k)
        folds.append(score(gold, pred))
    s = cv_summary(folds)
    f1s = [f["strict"]["micro"]["f1"] for f in folds]
    assert s["n_folds"] == 4 and s["f1_per_fold"] == pytest.approx(f1s)
    assert s["f1_mean"] == pytest.approx(statistics.mean(f1s))
    assert s["f1_sd"] == pytest.approx(statistics.stdev(f1s))
    tp = sum(f["strict"]["micro"]["tp"] for f in folds)
    assert s["pooled"]["tp"] == tp
    # Pooled micro weights the bigger (better) folds more than the plain mean does.
    assert s["pooled"]["f1"] > s["f1_mean"]
    assert s["text"] == f"{s['f1_mean']:.4f} ± {s['f1_sd']:.4f}"


def test_cv_summary_accepts_raw_counts_and_rejects_garbage() -> None:
    s = cv_summary([{"tp": 8, "fp": 2, "fn": 2}, {"PER": {"tp": 1, "fp": 1, "fn": 0}}])
    assert s["f1_per_fold"] == pytest.approx([0.8, 2 / 3])
    assert s["pooled"]["tp"] == 9 and s["pooled"]["fp"] == 3
    assert cv_summary([{"tp": 1, "fp": 0, "fn": 0}])["f1_sd"] is None
    with pytest.raises(ValueError):
        cv_summary([{"accuracy": 0.9}])
    with pytest.raises(ValueError):
        cv_summary([])
