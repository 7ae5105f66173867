"""Benchmark: the span-based strict scorer against seqeval on synthetic data.

``python -m duikou.eval.bench_scorer [--tokens 1000000] [--seed 0]`` builds seeded
synthetic gold and predicted spans over about ``--tokens`` code points (one BIO tag per code
point), times :func:`duikou.scoring.score` with ``schemes=("strict",)`` starting from
span lists, and seqeval's ``classification_report(mode="strict", scheme=IOB2)`` starting
from the BIO lists, checks that micro and per-label precision, recall and F1 agree (to
1e-12) and supports are equal, and prints both timings and their ratio. Not a test: timing
depends on the machine.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Sequence

from duikou.schema import LABEL_NAMES
from duikou.scoring import score
from duikou.spans import Span, spans_to_bio

DOC_LENGTH = 1000
TOLERANCE = 1e-12


def _gold_doc(rng: random.Random, length: int) -> list[Span]:
    spans, pos = [], rng.randint(0, 5)
    while pos < length:
        end = min(length, pos + rng.randint(1, 8))
        spans.append(Span(pos, end, rng.choice(LABEL_NAMES)))
        pos = end + rng.choice((0, 0, 1, 3, 6, 12))  # adjacent spans happen often
    return spans


def _perturb(rng: random.Random, s: Span, length: int) -> Span | None:
    roll = rng.random()
    if roll < 0.70:
        return s
    if roll < 0.80:
        start = min(length - 1, max(0, s.start + rng.choice((-1, 1))))
        return Span(start, max(start + 1, min(length, s.end + rng.choice((-1, 0, 1)))),
                    s.label)
    if roll < 0.90:
        return Span(s.start, s.end, rng.choice(LABEL_NAMES))
    return None  # missed


def _flat(spans: list[Span]) -> list[Span]:
    """Drop spans overlapping an earlier kept one, so the BIO view exists."""
    kept: list[Span] = []
    for s in sorted(spans):
        if not kept or s.start >= kept[-1].end:
            kept.append(s)
    return kept


def synthetic(tokens: int, seed: int) -> tuple[dict[str, int], dict, dict]:
    """``(lengths, gold, pred)`` over about ``tokens`` code points in 1000-point documents."""
    rng = random.Random(seed)
    lengths, gold, pred = {}, {}, {}
    for i in range(max(1, round(tokens / DOC_LENGTH))):
        d = f"doc{i:06d}"
        lengths[d] = DOC_LENGTH
        gold[d] = _gold_doc(rng, DOC_LENGTH)
        guessed = [p for s in gold[d] if (p := _perturb(rng, s, DOC_LENGTH)) is not None]
        spurious = [Span(a, a + rng.randint(1, 4), rng.choice(LABEL_NAMES))
                    for a in rng.sample(range(DOC_LENGTH - 4), 5)]
        pred[d] = _flat(guessed + spurious)
    return lengths, gold, pred


def _best_time(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def _compare(ours: dict, report: dict) -> float:
    """Largest absolute difference; raises AssertionError on any disagreement."""
    worst = 0.0
    labels = {k for k in report if not k.endswith(" avg")}
    assert labels == set(ours["per_label"]), (labels, set(ours["per_label"]))
    rows = [(ours["per_label"][lb], report[lb]) for lb in labels]
    rows.append((ours["micro"], report["micro avg"]))
    for row, ref in rows:
        assert row["support"] == int(ref["support"])
        for name, ref_name in (("precision", "precision"), ("recall", "recall"),
                               ("f1", "f1-score")):
            diff = abs(row[name] - float(ref[ref_name]))
            assert diff <= TOLERANCE, (name, row[name], ref[ref_name])
            worst = max(worst, diff)
    return worst


def run(tokens: int = 1_000_000, seed: int = 0, repeat: int = 3) -> dict:
    """Time both scorers on the same data and check they agree; returns the figures."""
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    lengths, gold, pred = synthetic(tokens, seed)
    ids = sorted(lengths)
    y_true = [spans_to_bio(lengths[d], gold[d]) for d in ids]
    y_pred = [spans_to_bio(lengths[d], pred[d]) for d in ids]
    ours_s, ours = _best_time(lambda: score(gold, pred, schemes=("strict",))["strict"], repeat)
    seq_s, report = _best_time(lambda: classification_report(
        y_true, y_pred, mode="strict", scheme=IOB2, output_dict=True, zero_division=0), 1)
    all_s, _ = _best_time(lambda: score(gold, pred), 1)
    worst = _compare(ours, report)
    return {
        "tokens": sum(lengths.values()), "documents": len(ids), "seed": seed,
        "gold_spans": sum(map(len, gold.values())), "pred_spans": sum(map(len, pred.values())),
        "strict_micro_f1": ours["micro"]["f1"], "max_abs_difference": worst,
        "duikou_strict_s": ours_s, "seqeval_s": seq_s, "speedup": seq_s / ours_s,
        "duikou_all_schemes_s": all_s,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m duikou.eval.bench_scorer",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="best of N for duikou")
    args = parser.parse_args(argv)
    r = run(args.tokens, args.seed, args.repeat)
    print(json.dumps(r, ensure_ascii=False, indent=2, sort_keys=True))
    print(f"duikou strict: {r['duikou_strict_s']:.3f} s   seqeval: {r['seqeval_s']:.3f} s   "
          f"ratio: {r['speedup']:.1f}x   (identical numbers, max |diff| "
          f"{r['max_abs_difference']:.1e})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
