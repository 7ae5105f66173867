"""Uncertainty and significance for strict micro F1: bootstrap CIs, paired tests, CV summary.

Everything here works on per-unit strict micro counts ``(tp, fp, fn)``. A unit is a
document (default) or a sentence window ``(doc_id, start, end)`` (end-exclusive code
points). Resampling a unit carries all of its counts, so micro F1 of a resample is computed
from summed counts exactly as :func:`duikou.scoring.score` does. All randomness comes
from ``numpy.random.default_rng(seed)``: equal arguments give equal results.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from duikou.errors import CorpusError, Problem
from duikou.scoring import prf, strict_counts
from duikou.spans import Span

Docs = Mapping[str, Sequence[Span]]
Sentence = tuple[str, int, int]
UNITS = ("document", "sentence")
METHODS = ("approximate_randomisation", "paired_bootstrap")
_BATCH_CELLS = 2_000_000  # replicates x units per numpy batch, bounds memory


# ---------------------------------------------------------------- per-unit counts
def _micro(counts: Mapping[str, Mapping[str, int]]) -> tuple[int, int, int]:
    return (sum(c["tp"] for c in counts.values()), sum(c["fp"] for c in counts.values()),
            sum(c["fn"] for c in counts.values()))


def _doc_unit_counts(gold: Docs, pred: Docs) -> tuple[list[str], np.ndarray]:
    by_doc = strict_counts(gold, pred, by_document=True)
    ids = sorted(by_doc)
    return ids, np.array([_micro(by_doc[d]) for d in ids], dtype=np.int64).reshape(-1, 3)


def _index_sentences(sentences: Iterable[Sentence]) -> dict[str, list[tuple[int, int, int]]]:
    """Per document, sorted ``(start, end, unit_index)`` windows."""
    index: dict[str, list[tuple[int, int, int]]] = {}
    for i, (doc_id, start, end) in enumerate(sentences):
        index.setdefault(doc_id, []).append((start, end, i))
    for windows in index.values():
        windows.sort()
    return index


def _unit_of(windows: list[tuple[int, int, int]], span: Span) -> tuple[int, int, int] | None:
    """The window containing ``span.start`` (spans crossing a boundary go by their start)."""
    pos = bisect.bisect_right(windows, (span.start, math.inf, math.inf)) - 1
    if pos >= 0 and windows[pos][0] <= span.start < windows[pos][1]:
        return windows[pos]
    return None


def _split_by_unit(docs: Docs, index: dict, side: str, problems: list[Problem],
                   crossing: list[int]) -> dict[int, list[Span]]:
    out: dict[int, list[Span]] = {}
    for doc_id in sorted(docs):
        for s in docs[doc_id]:
            window = _unit_of(index.get(doc_id, []), s)
            if window is None:
                problems.append(Problem(f"{side} span {s.label} starts in no sentence unit",
                                        doc_id=doc_id, start=s.start, end=s.end,
                                        code="DK-EVAL-001"))
                continue
            crossing[0] += s.end > window[1]
            out.setdefault(window[2], []).append(s)
    return out


def _sentence_unit_counts(gold: Docs, pred: Docs, sentences: Sequence[Sentence]
                          ) -> tuple[np.ndarray, int]:
    """Counts per sentence unit, and how many spans cross a unit's end.

    Each span goes to the unit containing its start, so a gold span and an identical
    prediction always land in the same unit and per-unit counts sum to the global counts.
    Raises :class:`CorpusError` listing every span that starts in no unit.
    """
    index = _index_sentences(sentences)
    problems: list[Problem] = []
    crossing = [0]
    g = _split_by_unit(gold, index, "gold", problems, crossing)
    p = _split_by_unit(pred, index, "predicted", problems, crossing)
    if problems:
        raise CorpusError(problems)
    units = {str(i): g.get(i, []) for i in range(len(sentences))}
    by_unit = strict_counts(units, {str(i): v for i, v in p.items()}, by_document=True)
    rows = [_micro(by_unit[str(i)]) for i in range(len(sentences))]
    return np.array(rows, dtype=np.int64).reshape(-1, 3), crossing[0]


def unit_counts(gold: Docs, pred: Docs, *, unit: str = "document",
                sentences: Sequence[Sentence] | None = None) -> tuple[np.ndarray, dict]:
    """``(n_units, 3)`` array of strict micro ``tp, fp, fn`` per unit, plus unit metadata."""
    if unit == "document":
        ids, counts = _doc_unit_counts(gold, pred)
        return counts, {"unit": "document", "n_units": len(ids)}
    if unit == "sentence":
        if sentences is None:
            raise ValueError('unit="sentence" needs sentences=[(doc_id, start, end), ...]')
        sentences = list(sentences)
        counts, crossing = _sentence_unit_counts(gold, pred, sentences)
        return counts, {"unit": "sentence", "n_units": len(sentences),
                        "spans_crossing_units": crossing}
    raise ValueError(f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}")


# ---------------------------------------------------------------- vectorised F1
def _f1(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> np.ndarray:
    """Strict micro F1 per replicate with the scorer's zero-division convention."""
    tp, fp, fn = (np.asarray(x, dtype=np.float64) for x in (tp, fp, fn))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        r = np.where(tp + fn > 0, tp / (tp + fn), 0.0)
        return np.where(p + r > 0, 2 * p * r / (p + r), 0.0)


def _prf_arrays(totals: np.ndarray) -> dict[str, np.ndarray]:
    tp, fp, fn = totals[:, 0].astype(np.float64), totals[:, 1], totals[:, 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        r = np.where(tp + fn > 0, tp / (tp + fn), 0.0)
    return {"precision": p, "recall": r, "f1": _f1(tp, fp, fn)}


def _batches(n: int, n_units: int) -> Iterable[int]:
    size = max(1, _BATCH_CELLS // max(1, n_units))
    for start in range(0, n, size):
        yield min(size, n - start)


def _resampled_totals(counts: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``(n, 3)`` summed counts of ``n`` bootstrap resamples (units drawn with replacement)."""
    k = len(counts)
    out = []
    for b in _batches(n, k):
        idx = rng.integers(0, k, size=(b, k))
        out.append(counts[idx].sum(axis=1))
    return np.concatenate(out) if out else np.zeros((0, 3), dtype=np.int64)


# ---------------------------------------------------------------- bootstrap CI
def bootstrap_ci(
    gold: Docs,
    pred: Docs,
    *,
    unit: str = "document",
    n: int = 1000,
    seed: int = 0,
    alpha: float = 0.05,
    sentences: Sequence[Sentence] | None = None,
) -> dict:
    """Percentile bootstrap CI of strict micro F1 (and P, R) resampling units.

    Units (documents, or the ``sentences`` windows with ``unit="sentence"``) are drawn with
    replacement ``n`` times; the ``(1 - alpha)`` interval is the ``alpha/2`` and
    ``1 - alpha/2`` quantiles of the resampled statistic. Returns the point estimates
    ``precision``/``recall``/``f1`` (on all data), ``f1_low``/``f1_high`` and likewise for
    precision and recall, ``unit``, ``n_units``, ``n``, ``seed``, ``alpha``, ``level``.
    """
    if n < 1 or not 0 < alpha < 1:
        raise ValueError(f"expected n >= 1 and 0 < alpha < 1, found n={n}, alpha={alpha}")
    counts, meta = unit_counts(gold, pred, unit=unit, sentences=sentences)
    if len(counts) == 0:
        raise ValueError("no units to resample: gold and predictions are empty")
    rng = np.random.default_rng(seed)
    reps = _prf_arrays(_resampled_totals(counts, n, rng))
    p, r, f = prf(*(int(x) for x in counts.sum(axis=0)))
    out: dict = {**meta, "n": n, "seed": seed, "alpha": alpha, "level": 1 - alpha,
                 "precision": p, "recall": r, "f1": f}
    for name, values in reps.items():
        low, high = np.quantile(values, [alpha / 2, 1 - alpha / 2])
        out[f"{name}_low"], out[f"{name}_high"] = float(low), float(high)
    return out


# ---------------------------------------------------------------- paired tests
def _aligned_counts(gold: Docs, pred_a: Docs, pred_b: Docs, unit: str,
                    sentences: Sequence[Sentence] | None) -> tuple[np.ndarray, np.ndarray, dict]:
    # Give both systems the same unit list: every gold/predicted document id on either side.
    ids = set(gold) | set(pred_a) | set(pred_b)
    full_gold = {d: gold.get(d, ()) for d in ids}
    a, meta = unit_counts(full_gold, {d: pred_a.get(d, ()) for d in ids}, unit=unit,
                          sentences=sentences)
    b, _ = unit_counts(full_gold, {d: pred_b.get(d, ()) for d in ids}, unit=unit,
                       sentences=sentences)
    return a, b, meta


def _ar_diffs(a: np.ndarray, b: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """F1 differences after swapping each unit's A/B counts with probability 1/2."""
    base_a, base_b = a.sum(axis=0), b.sum(axis=0)
    delta = (b - a).astype(np.float64)
    out = []
    for size in _batches(n, len(a)):
        swap = rng.integers(0, 2, size=(size, len(a))).astype(np.float64)
        moved = swap @ delta  # (size, 3): how much of B replaces A; exact below 2**53
        ta, tb = base_a + moved, base_b - moved
        out.append(_f1(*ta.T) - _f1(*tb.T))
    return np.concatenate(out)


def _bootstrap_diffs(a: np.ndarray, b: np.ndarray, n: int,
                     rng: np.random.Generator) -> np.ndarray:
    """F1(A) - F1(B) on ``n`` paired resamples of units (the same units for both)."""
    out = []
    for size in _batches(n, len(a)):
        idx = rng.integers(0, len(a), size=(size, len(a)))
        ta, tb = a[idx].sum(axis=1), b[idx].sum(axis=1)
        out.append(_f1(*ta.T) - _f1(*tb.T))
    return np.concatenate(out)


def paired_test(
    gold: Docs,
    pred_a: Docs,
    pred_b: Docs,
    *,
    method: str = "approximate_randomisation",
    n: int = 10000,
    seed: int = 0,
    unit: str = "document",
    sentences: Sequence[Sentence] | None = None,
) -> dict:
    """Two-sided test of ``F1(A) - F1(B) = 0`` for strict micro F1, paired by unit.

    ``approximate_randomisation``: each unit's A and B counts are swapped with probability
    1/2; p = (1 + #{|d*| >= |d|}) / (n + 1). ``paired_bootstrap``: units are resampled
    jointly; the replicate differences are centred on the observed one (the null shift) and
    p = (1 + #{|d* - d| >= |d|}) / (n + 1). Identical systems give p = 1.0. Returns
    ``f1_a``, ``f1_b``, ``diff`` (A - B), ``p_value``, ``method``, ``n``, ``seed``, ``unit``,
    ``n_units``.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    if n < 1:
        raise ValueError(f"expected n >= 1, found {n}")
    a, b, meta = _aligned_counts(gold, pred_a, pred_b, unit, sentences)
    f1_a, f1_b = prf(*(int(x) for x in a.sum(axis=0)))[2], prf(*(int(x) for x in b.sum(axis=0)))[2]
    observed = f1_a - f1_b
    rng = np.random.default_rng(seed)
    if method == "approximate_randomisation":
        extreme = np.abs(_ar_diffs(a, b, n, rng)) >= abs(observed) - 1e-12
    else:
        extreme = np.abs(_bootstrap_diffs(a, b, n, rng) - observed) >= abs(observed) - 1e-12
    p_value = (1 + int(extreme.sum())) / (n + 1)
    return {**meta, "method": method, "n": n, "seed": seed, "f1_a": f1_a, "f1_b": f1_b,
            "diff": observed, "p_value": p_value}


# ---------------------------------------------------------------- cross-validation
def _fold_counts(fold: Mapping) -> tuple[int, int, int]:
    """tp/fp/fn of one fold: a :func:`score` result, a micro row, or per-label counts."""
    if "strict" in fold:
        fold = fold["strict"]
    if "micro" in fold:
        fold = fold["micro"]
    if all(k in fold for k in ("tp", "fp", "fn")):
        return int(fold["tp"]), int(fold["fp"]), int(fold["fn"])
    if fold and all(isinstance(v, Mapping) and "tp" in v for v in fold.values()):
        return _micro(fold)
    raise ValueError("expected a score() result, a micro row or per-label counts with "
                     f"tp/fp/fn; found keys {sorted(fold)}")


def cv_summary(per_fold_scores: list[dict]) -> dict:
    """Mean ± sample standard deviation (ddof=1) of per-fold strict micro F1, plus pooled.

    Each fold is a :func:`duikou.scoring.score` result (its strict micro tp/fp/fn are
    used), a ``{"tp", "fp", "fn"}`` row, or per-label counts as from ``strict_counts``.
    Per-fold F1 is recomputed from those counts. ``pooled`` is micro P/R/F1 from the counts
    summed over folds. ``f1_sd`` is None for a single fold (undefined).
    """
    if not per_fold_scores:
        raise ValueError("cv_summary needs at least one fold")
    counts = [_fold_counts(f) for f in per_fold_scores]
    f1s = [prf(*c)[2] for c in counts]
    k = len(f1s)
    mean = math.fsum(f1s) / k
    sd = math.sqrt(math.fsum((x - mean) ** 2 for x in f1s) / (k - 1)) if k > 1 else None
    tp, fp, fn = (sum(c[i] for c in counts) for i in range(3))
    p, r, f = prf(tp, fp, fn)
    text = f"{mean:.4f} ± {sd:.4f}" if sd is not None else f"{mean:.4f}"
    return {"n_folds": k, "f1_per_fold": f1s, "f1_mean": mean, "f1_sd": sd, "text": text,
            "pooled": {"precision": p, "recall": r, "f1": f, "tp": tp, "fp": fp, "fn": fn}}
