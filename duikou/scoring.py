"""Span-level scoring of predicted entities against gold, under four matching schemes.

Inputs are span lists per document (``Mapping[doc_id, list[Span]]``), never BIO tags.
Offsets are code points, end-exclusive (see :mod:`duikou.spans`). Spans are compared by
their key ``(start, end, label)``; duplicates of a key within one document count once
(set semantics, as in seqeval). A document present on one side only contributes its spans
as false negatives (gold only) or false positives (prediction only).

Schemes
-------
``strict``
    a prediction is correct when start, end and label all equal a gold span's.
``boundary``
    same start and end, any label.
``partial``
    the spans overlap by at least one code point and have the same label.
``type``
    the spans overlap by at least one code point, any label.

Readers who know nervaluate / SemEval-2013 Task 9.1: duikou's ``strict`` is their *strict*,
``boundary`` their *exact* (boundaries only), ``partial`` their *ent_type* (right label, any
overlap); duikou's ``type`` (any overlap, any label, full credit) has no counterpart, and
their *partial* (half credit for a boundary overlap) is not computed here.

Every scheme is a **one-to-one** matching: each gold span is matched at most once and each
predicted span at most once. Candidate pairs are accepted greedily in this order
(``_pair_priority``): larger overlap first; then smaller union (so an exact match beats a
longer prediction with the same overlap); then same label before different label; then
gold ``(start, end, label)`` ascending; then prediction ``(start, end, label)`` ascending.
The order is total, so the matching is deterministic. For ``strict`` this reduces to set
intersection, which is the fast path used here.

Counting
--------
A matched pair is a true positive of the **gold** span's label; an unmatched prediction is
a false positive of its own label; an unmatched gold span is a false negative of its label.
For ``strict`` and ``partial`` both labels agree. For the label-blind schemes (``boundary``,
``type``) per-label precision is therefore "tp of gold label L / (tp of L + unmatched
predictions labelled L)"; the micro numbers are unaffected by this attribution.

Zero division (explicit convention, equal to seqeval with ``zero_division=0``): precision
is 0.0 when there are no predictions (tp + fp = 0), recall is 0.0 when there are no gold
spans (tp + fn = 0), and F1 is 0.0 when precision + recall = 0. ``per_label`` lists the
labels that occur in gold or predictions (as seqeval does); ``macro`` is the unweighted
mean of the per-label precision, recall and F1 over those labels (0.0 when there are none).
Numbers are computed with the same float operations as seqeval, so strict results equal
seqeval's ``mode="strict", scheme=IOB2`` report on the BIO view of the same spans.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence

from duikou.errors import DuikouError
from duikou.normalise import (
    CONTEXT_CHARS,
    DATE_KEYS,
    FIGURE_KEYS,
    NORMALISATION_KEYS,
    normalise,
)
from duikou.schema import NORMALISED_LABELS, Kind, kind_of
from duikou.spans import Span

SCHEMES: tuple[str, ...] = ("strict", "partial", "boundary", "type")
FIGURE_FIELDS: tuple[str, ...] = FIGURE_KEYS
DATE_FIELDS: tuple[str, ...] = DATE_KEYS
ATTR_KEYS: tuple[str, ...] = NORMALISATION_KEYS

Key = tuple[int, int, str]
Counts = dict[str, dict[str, int]]


# ---------------------------------------------------------------- metrics from counts
def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall, F1 from counts, 0.0 on zero division (see module docstring)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _row(tp: int, fp: int, fn: int) -> dict:
    p, r, f = prf(tp, fp, fn)
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "fp": fp, "fn": fn,
            "support": tp + fn}


def metrics_from_counts(counts: Counts) -> dict:
    """``{"micro", "macro", "per_label"}`` from per-label ``{"tp", "fp", "fn"}`` counts.

    Labels whose three counts are all zero are dropped (they occur on neither side).
    """
    labels = sorted(lb for lb, c in counts.items() if c["tp"] or c["fp"] or c["fn"])
    per_label = {lb: _row(counts[lb]["tp"], counts[lb]["fp"], counts[lb]["fn"])
                 for lb in labels}
    tp = sum(c["tp"] for c in per_label.values())
    fp = sum(c["fp"] for c in per_label.values())
    fn = sum(c["fn"] for c in per_label.values())
    n = len(labels)
    macro = {
        name: (math.fsum(row[name] for row in per_label.values()) / n if n else 0.0)
        for name in ("precision", "recall", "f1")
    }
    return {"micro": _row(tp, fp, fn), "macro": macro, "per_label": per_label}


# ---------------------------------------------------------------- strict fast path
def _keys(spans: Iterable[Span]) -> set[Key]:
    return {(s.start, s.end, s.label) for s in spans}


def empty_counts() -> dict[str, Counter]:
    """Accumulator for :func:`add_key_counts`: ``{"tp"|"fp"|"fn": Counter(class → n)}``."""
    return {"tp": Counter(), "fp": Counter(), "fn": Counter()}


def add_key_counts(gold: set[tuple], pred: set[tuple], acc: dict[str, Counter]) -> None:
    """Add the exact-match counts of two key sets to ``acc``, each key counted under its last
    element (a span's label, a relation's type).

    >>> acc = empty_counts()
    >>> add_key_counts({(0, 3, "DONOR"), (5, 8, "MONEY")}, {(0, 3, "DONOR")}, acc)
    >>> as_counts(acc)
    {'DONOR': {'tp': 1, 'fp': 0, 'fn': 0}, 'MONEY': {'tp': 0, 'fp': 0, 'fn': 1}}
    """
    both = gold & pred
    acc["tp"].update(k[-1] for k in both)
    acc["fp"].update(k[-1] for k in pred - both)
    acc["fn"].update(k[-1] for k in gold - both)


def as_counts(c: dict[str, Counter]) -> Counts:
    """``{class: {"tp", "fp", "fn"}}`` of an accumulator, classes sorted."""
    labels = set(c["tp"]) | set(c["fp"]) | set(c["fn"])
    return {lb: {k: c[k][lb] for k in ("tp", "fp", "fn")} for lb in sorted(labels)}


def _strict_doc(gold: Sequence[Span], pred: Sequence[Span], acc: dict[str, Counter]) -> None:
    add_key_counts(_keys(gold), _keys(pred), acc)


def strict_counts(
    gold: Mapping[str, Sequence[Span]],
    pred: Mapping[str, Sequence[Span]],
    *,
    by_document: bool = False,
) -> Counts | dict[str, Counts]:
    """Per-label strict ``{"tp", "fp", "fn"}`` counts over the union of document ids.

    With ``by_document=True`` returns ``{doc_id: {label: counts}}`` instead (documents with
    no spans on either side map to ``{}``), which the bootstrap resamples.
    """
    doc_ids = sorted(set(gold) | set(pred))
    if by_document:
        out: dict[str, Counts] = {}
        for d in doc_ids:
            acc = empty_counts()
            _strict_doc(gold.get(d, ()), pred.get(d, ()), acc)
            out[d] = as_counts(acc)
        return out
    acc = empty_counts()
    for d in doc_ids:
        _strict_doc(gold.get(d, ()), pred.get(d, ()), acc)
    return as_counts(acc)


# ---------------------------------------------------------------- greedy matching
def _overlap(a: Key, b: Key) -> int:
    return min(a[1], b[1]) - max(a[0], b[0])


def _pair_priority(g: Key, p: Key) -> tuple:
    union = max(g[1], p[1]) - min(g[0], p[0])
    return (-_overlap(g, p), union, g[2] != p[2], g, p)


def _compatible(scheme: str, g: Key, p: Key) -> bool:
    if scheme == "boundary":
        return g[0] == p[0] and g[1] == p[1]
    if _overlap(g, p) <= 0:
        return False
    return scheme == "type" or g[2] == p[2]


def _candidates(scheme: str, gold: list[Key], pred: list[Key]) -> list[tuple[Key, Key]]:
    """All compatible (gold, pred) pairs; preds sorted by start and searched by bisection."""
    pred = sorted(pred)
    starts = [p[0] for p in pred]
    longest = max((p[1] - p[0] for p in pred), default=0)
    pairs = []
    for g in gold:
        lo = bisect.bisect_left(starts, g[0] - longest + 1)
        hi = bisect.bisect_left(starts, g[1])
        pairs.extend((g, p) for p in pred[lo:hi] if _compatible(scheme, g, p))
    return pairs


def match(scheme: str, gold: Iterable[Span], pred: Iterable[Span]) -> list[tuple[Key, Key]]:
    """The one-to-one matching of one document's spans under ``scheme``, in accept order."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; expected one of {', '.join(SCHEMES)}")
    g, p = sorted(_keys(gold)), sorted(_keys(pred))
    if scheme == "strict":
        both = set(g) & set(p)
        return [(k, k) for k in sorted(both)]
    pairs = sorted(_candidates(scheme, g, p), key=lambda gp: _pair_priority(*gp))
    used_g: set[Key] = set()
    used_p: set[Key] = set()
    out = []
    for gk, pk in pairs:
        if gk not in used_g and pk not in used_p:
            used_g.add(gk)
            used_p.add(pk)
            out.append((gk, pk))
    return out


def _matched_doc(scheme: str, gold: Sequence[Span], pred: Sequence[Span],
                 acc: dict[str, Counter]) -> None:
    pairs = match(scheme, gold, pred)
    mg = {gk for gk, _ in pairs}
    mp = {pk for _, pk in pairs}
    acc["tp"].update(gk[2] for gk in mg)
    acc["fn"].update(k[2] for k in _keys(gold) - mg)
    acc["fp"].update(k[2] for k in _keys(pred) - mp)


def scheme_counts(scheme: str, gold: Mapping[str, Sequence[Span]],
                  pred: Mapping[str, Sequence[Span]]) -> Counts:
    """Per-label counts for one scheme over the union of document ids."""
    if scheme == "strict":
        return strict_counts(gold, pred)  # type: ignore[return-value]
    acc = empty_counts()
    for d in sorted(set(gold) | set(pred)):
        _matched_doc(scheme, gold.get(d, ()), pred.get(d, ()), acc)
    return as_counts(acc)


def score(
    gold: Mapping[str, Sequence[Span]],
    pred: Mapping[str, Sequence[Span]],
    *,
    schemes: Iterable[str] = SCHEMES,
) -> dict:
    """Score predictions against gold spans.

    Returns ``{scheme: {"micro": {...}, "macro": {...}, "per_label": {label: {...}}}}`` for
    each requested scheme plus ``"n_documents"``, ``"n_gold"`` and ``"n_pred"`` (distinct
    span keys). Micro and per-label rows carry precision, recall, f1, tp, fp, fn, support;
    macro carries precision, recall, f1. Pure: inputs are not modified.
    """
    out: dict = {}
    for scheme in schemes:
        if scheme not in SCHEMES:
            raise ValueError(f"unknown scheme {scheme!r}; expected one of {', '.join(SCHEMES)}")
        out[scheme] = metrics_from_counts(scheme_counts(scheme, gold, pred))
    docs = set(gold) | set(pred)
    out["n_documents"] = len(docs)
    out["n_gold"] = sum(len(_keys(v)) for v in gold.values())
    out["n_pred"] = sum(len(_keys(v)) for v in pred.values())
    return out


# ---------------------------------------------------------------- figure normalisation
Normaliser = Callable[..., dict]


def _has_attrs(span: Span) -> bool:
    return bool(span.attrs) and any(k in span.attrs for k in ATTR_KEYS)


def _same(a: object, b: object) -> bool:
    numeric = (int, float)
    if isinstance(a, numeric) and isinstance(b, numeric) and not isinstance(a, bool) \
            and not isinstance(b, bool):
        try:
            return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
        except OverflowError:
            return a == b
    return a == b


def _fields(label: str) -> tuple[str, ...]:
    return DATE_FIELDS if kind_of(label) is Kind.DATE else FIGURE_FIELDS


class _FigureTally:
    """Accumulates per-field, per-label and overall correctness of figure attributes."""

    def __init__(self) -> None:
        self.fields: dict[str, list[int]] = {f: [0, 0] for f in ATTR_KEYS}
        self.labels: dict[str, list[int]] = {}
        self.total = [0, 0]

    def add(self, label: str, gold_attrs: dict, pred_attrs: dict | None) -> None:
        """Record one matched span; ``pred_attrs=None`` (unavailable) is wrong on every field."""
        ok_all = True
        for f in _fields(label):
            ok = pred_attrs is not None and _same(gold_attrs.get(f), pred_attrs.get(f))
            self.fields[f][0] += ok
            self.fields[f][1] += 1
            ok_all = ok_all and ok
        row = self.labels.setdefault(label, [0, 0])
        row[0] += ok_all
        row[1] += 1
        self.total[0] += ok_all
        self.total[1] += 1

    @staticmethod
    def _acc(pair: list[int]) -> dict:
        return {"correct": pair[0], "total": pair[1],
                "accuracy": pair[0] / pair[1] if pair[1] else 0.0}

    def result(self) -> dict:
        return {
            **self._acc(self.total),
            "fields": {f: self._acc(v) for f, v in self.fields.items()},
            "per_label": {lb: self._acc(v) for lb, v in sorted(self.labels.items())},
        }


def _pred_attrs(span: Span, text: str, doc_date: str | None,
                normaliser: Normaliser | None, context: int) -> dict | None:
    if _has_attrs(span):
        return dict(span.attrs or {})
    if normaliser is None:
        return None
    try:
        return normaliser(span.label, text[span.start:span.end], doc_date=doc_date,
                          context_before=text[max(0, span.start - context):span.start],
                          context_after=text[span.end:span.end + context])
    except (DuikouError, ValueError):
        return None  # an unparseable prediction simply scores as wrong


def figure_accuracy(
    gold_docs: Iterable[tuple[str, str, Sequence[Span]]],
    pred: Mapping[str, Sequence[Span]],
    *,
    doc_dates: Mapping[str, str] | None = None,
    normaliser: Normaliser | None = None,
    context: int | None = None,
) -> dict:
    """Accuracy of figure/date normalisation on strictly matched spans.

    ``gold_docs`` are ``(doc_id, text, spans)`` whose MONEY/PEOPLE/COUNT/QUANTITY/DATE spans
    carry the gold attributes in ``Span.attrs`` (keys value, value_max, unit, approx, date;
    a missing key means None). A matched pair is correct when every field of its kind is
    equal: value, value_max, unit, approx for figures (numbers compared with a 1e-9
    relative tolerance), date for DATE. Predicted spans without any attribute key are
    normalised with ``normaliser`` (default: :func:`duikou.normalise.normalise`,
    called with the span text, ``doc_date`` from ``doc_dates`` and ``context`` code points
    (default ``duikou.normalise.CONTEXT_CHARS``, the width the corpus build uses)
    either side); if it raises ``DuikouError``/``ValueError``,
    such spans count as wrong on every field (``pred_without_attrs``).
    Gold spans without attributes are skipped and counted in ``gold_without_attrs``.

    Returns overall ``correct``/``total``/``accuracy``, ``fields`` and ``per_label`` with
    the same triple, and ``pred_normalised``, ``pred_without_attrs``,
    ``gold_without_attrs``, ``normaliser`` (its dotted name or None).
    """
    if normaliser is None:
        normaliser = normalise
    if context is None:
        context = CONTEXT_CHARS
    tally = _FigureTally()
    extra = Counter({"pred_normalised": 0, "pred_without_attrs": 0, "gold_without_attrs": 0})
    wanted = set(NORMALISED_LABELS)
    for doc_id, text, gold_spans in gold_docs:
        by_key = {s.key: s for s in pred.get(doc_id, ()) if s.label in wanted}
        doc_date = (doc_dates or {}).get(doc_id)
        for g in sorted(gold_spans):
            p = by_key.get(g.key)
            if g.label not in wanted or p is None:
                continue
            if not _has_attrs(g):
                extra["gold_without_attrs"] += 1
                continue
            attrs = _pred_attrs(p, text, doc_date, normaliser, context)
            if attrs is None:
                extra["pred_without_attrs"] += 1
            elif not _has_attrs(p):
                extra["pred_normalised"] += 1
            tally.add(g.label, g.attrs or {}, attrs)
    name = None if normaliser is None else \
        f"{getattr(normaliser, '__module__', '?')}.{getattr(normaliser, '__name__', '?')}"
    return {**tally.result(), **dict(extra), "normaliser": name}
