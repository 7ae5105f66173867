"""Train the furniture line model (``python -m duikou.ingest.train_linemodel``).

Reads the labelled lines of the training sets (default ``dev``, ``heldout``, ``fresh``,
``fresh2``: with the other defaults this regenerates the ruleset-3 model byte for byte; the
commands for the ruleset-4, -5 and -6 models are in DEVELOPING.md and
``tests/test_furniture.py``, and ``eval/FURNITURE.md`` says which batches each was held out
on), builds the features of
:mod:`duikou.ingest.linemodel` on top of the ruleset-2 decisions (``--base-ruleset``: another
ruleset's, 14 for the ruleset-15 model), and chooses the
regularisation C and the score threshold by grouped cross-validation over documents (5
folds): among the settings whose out-of-fold precision (rules + model) is at least
:data:`MIN_PRECISION`, the most precise one within :data:`RECALL_SLACK` of the best recall.
Prints that table, then fits on every training line and writes ``--out`` (atomic; same input
→ same bytes).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from duikou.ingest.bench_furniture import read_labels, set_files
from duikou.ingest.clean import decide, decode, page_lines
from duikou.ingest.furniture import LINE_MODEL_RULESETS, RULESETS
from duikou.ingest.linemodel import (
    BITS,
    MODEL_FILE,
    LineModel,
    body_lines,
    bucket,
    candidates,
    judged_headline,
    line_features,
)
from duikou.jsonio import atomic_write_text
from duikou.paths import annotation_dir, seeds_dir

MIN_PRECISION = 0.99  # the goal; removing article text is worse than keeping furniture
C_GRID = (0.1, 0.3, 1.0, 3.0)
THRESHOLDS = tuple(round(0.5 + 0.025 * i, 3) for i in range(20))  # 0.5 … 0.975
FOLDS = 5
RECALL_SLACK = 0.005
#: headline thresholds tried with --judge-headline (None: the headline is never removed)
HEAD_GRID = (None, 0.9, 0.95, 0.975, 0.99)
#: rulesets a model may be trained on top of: those without a line model of their own
BASE_RULESETS = tuple(r for r in RULESETS if r not in LINE_MODEL_RULESETS)
PRUNE = 0.01  # weights smaller than this are dropped (a 150 kB model instead of 1.5 MB)


@dataclass(frozen=True)
class Example:
    doc: str
    features: tuple[int, ...]
    furniture: bool
    rule_removed: bool  # removed by the ruleset-2 rules (the model is not asked)
    modelled: bool  # one of linemodel.candidates: the model decides
    head: bool = False  # the linemodel.judged_headline (decided at the headline threshold)


def labelled_pages(sets: tuple[str, ...], folder: Path, seeds: Path
                   ) -> Iterator[tuple[str, str, Path, list[tuple[int, str]], dict[int, bool]]]:
    """``(set, doc, raw file, page_lines, {line number: furniture?})`` of every labelled page
    of ``sets``, in set order and then document name order."""
    for name in sets:
        files, raw_dir = set_files(folder, name, seeds)
        by_doc: dict[str, dict[int, bool]] = {}
        for lab in (lab for f in files for lab in read_labels(f)):
            by_doc.setdefault(lab.doc, {})[lab.line] = lab.label == "furniture"
        for doc, labelled in sorted(by_doc.items()):
            path = raw_dir / f"{doc}.txt"
            yield name, doc, path, page_lines(decode(path.read_bytes(), file=str(path))), labelled


def examples(sets: tuple[str, ...], folder: Path, seeds: Path,
             feature_set: int = 1, headline_min_han: int = 6,
             judge_headline: bool = False, base_ruleset: int = 2) -> list[Example]:
    out: list[Example] = []
    for _, doc, path, lines, labelled in labelled_pages(sets, folder, seeds):
        norms = [norm for _, norm in lines]
        rules, cut = decide(norms, base_ruleset)
        body = body_lines(norms, rules)
        asked = set(candidates(norms, rules, cut, headline_min_han))
        head = judged_headline(norms, rules, cut, headline_min_han) \
            if judge_headline else None
        for k, (number, _) in enumerate(lines):
            if number not in labelled:
                raise ValueError(f"{path}: line {number} has no label")
            feats = tuple(sorted({bucket(f) for f in line_features(
                norms, rules, k, body, feature_set)}))
            removed = rules[k] is not None or k >= cut
            out.append(Example(doc, feats, labelled[number], removed, k in asked,
                               k == head))
    return out


def _matrix(exs: list[Example]):
    from scipy.sparse import csr_matrix

    rows, cols = [], []
    for i, e in enumerate(exs):
        rows += [i] * len(e.features)
        cols += e.features
    return csr_matrix(([1.0] * len(rows), (rows, cols)), shape=(len(exs), 1 << BITS))


def _fit(exs: list[Example], c: float):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, solver="liblinear", max_iter=1000, random_state=0)
    model.fit(_matrix(exs), [e.furniture for e in exs])
    return model


def _pruned(model) -> tuple[dict[int, float], float]:
    weights = {i: round(float(w), 4) for i, w in enumerate(model.coef_[0]) if abs(w) >= PRUNE}
    return weights, float(model.intercept_[0])


def _probs(model, exs: list[Example]) -> list[float]:
    """Probabilities of the pruned model (what ships), not of the fitted one."""
    import math

    weights, bias = _pruned(model)
    return [1 / (1 + math.exp(-max(min(bias + sum(weights.get(b, 0.0) for b in e.features),
                                       60.0), -60.0))) for e in exs]


def _groups(exs: list[Example]) -> list[int]:
    docs = sorted({e.doc for e in exs})
    return [docs.index(e.doc) % FOLDS for e in exs]


def out_of_fold(exs: list[Example], c: float) -> list[float]:
    """Out-of-fold furniture probability of every example (documents split round-robin in
    name order into :data:`FOLDS` groups)."""
    groups = _groups(exs)
    probs = [0.0] * len(exs)
    for g in range(FOLDS):
        train = [e for e, gg in zip(exs, groups) if gg != g]
        test = [i for i, gg in enumerate(groups) if gg == g]
        model = _fit(train, c)
        for i, v in zip(test, _probs(model, [exs[i] for i in test])):
            probs[i] = v
    return probs


def combined(exs: list[Example], probs: list[float], t: float,
             head_t: float | None = None) -> tuple[float, float]:
    """Precision and recall of rules + model at threshold ``t`` (and ``head_t`` for the
    judged headline; None: never removed)."""
    tp = fp = fn = 0
    for e, p in zip(exs, probs):
        removed = e.rule_removed or (e.modelled and p >= t) or (
            e.head and head_t is not None and p >= head_t)
        tp += removed and e.furniture
        fp += removed and not e.furniture
        fn += (not removed) and e.furniture
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1)


def choose(exs: list[Example], head_grid: tuple[float | None, ...] = (None,),
           min_precision: float = MIN_PRECISION
           ) -> tuple[float, float, float | None, list[tuple]]:
    """(C, threshold, headline threshold, table of (C, t, head_t, precision, recall)): among
    the settings whose out-of-fold precision is at least ``min_precision``, see the module
    docstring."""
    table = []
    for c in C_GRID:
        probs = out_of_fold(exs, c)
        table += [(c, t, h, *combined(exs, probs, t, h)) for t in THRESHOLDS
                  for h in head_grid if h is None or h >= t]
    ok = [row for row in table if row[3] >= min_precision]
    if not ok:
        raise SystemExit(f"no setting reaches precision {min_precision} out of fold")
    # precision first: among the settings within RECALL_SLACK of the best recall, the most
    # precise one (then: the higher thresholds, i.e. fewer lines judged removable)
    top = max(r[4] for r in ok)
    best = max((r for r in ok if r[4] >= top - RECALL_SLACK),
               key=lambda r: (r[3], r[4], r[1], 2.0 if r[2] is None else r[2]))
    return best[0], best[1], best[2], table


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m duikou.ingest.train_linemodel",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="dev,heldout,fresh,fresh2",
                    help="labelled sets to train on (default: those of the ruleset-3 model)")
    ap.add_argument("--out", type=Path, required=True,
                    help=f"model file to write (the ruleset-3 one is {MODEL_FILE}; replacing it "
                         "changes what cleaning ruleset 3 removes)")
    ap.add_argument("--headline-min-han", type=int, default=6,
                    help="Han characters a protected headline needs when choosing the "
                         "threshold (default 6, as for the ruleset-3 model; inference uses 2: "
                         "give 2 with --judge-headline)")
    ap.add_argument("--feature-set", type=int, choices=(1, 2, 3), default=1,
                    help="1: n-grams, shape bins, position, rule context (default; the "
                         "ruleset-3 model); 2: also credit, masthead and link cues; 3: also "
                         "the neighbouring lines' text and the distance to a paragraph")
    ap.add_argument("--judge-headline", action="store_true",
                    help="also judge the likely headline, at a second threshold chosen from "
                         f"{HEAD_GRID[1:]} or never (the ruleset-4 model; default: never)")
    ap.add_argument("--min-precision", type=float, default=MIN_PRECISION,
                    help=f"out-of-fold precision a setting must reach (default "
                         f"{MIN_PRECISION}, the goal; a higher one leaves a margin for pages "
                         "unlike the training ones)")
    ap.add_argument("--base-ruleset", type=int, default=2, choices=BASE_RULESETS,
                    help="the cleaning ruleset whose decisions the model learns on top of "
                         "(default 2, as for rulesets 3-7; 14 for ruleset 15)")
    a = ap.parse_args(argv)
    sets = tuple(a.sets.split(","))
    exs = examples(sets, annotation_dir() / "furniture", seeds_dir(), a.feature_set,
                   a.headline_min_han, a.judge_headline, a.base_ruleset)
    rules_only = combined(exs, [0.0] * len(exs), 2.0)
    print(f"{len(exs)} lines ({sum(e.furniture for e in exs)} furniture) from {len(sets)} "
          f"sets; rules alone: precision {rules_only[0]:.4f} recall {rules_only[1]:.4f}")
    c, t, head_t, table = choose(exs, HEAD_GRID if a.judge_headline else (None,),
                                 a.min_precision)
    print(f"{'C':>6}{'threshold':>11}{'headline':>10}{'precision':>11}{'recall':>9}   "
          f"(grouped {FOLDS}-fold, out of fold)")
    for row in table:
        chosen = row[:3] == (c, t, head_t)
        if chosen or (row[1] in (0.5, 0.7, 0.8, 0.9, 0.95) and row[2] in (None, 0.95)):
            mark = "  <- chosen" if chosen else ""
            head = "never" if row[2] is None else row[2]
            print(f"{row[0]:>6}{row[1]:>11}{head:>10}{row[3]:>11.4f}{row[4]:>9.4f}{mark}")
    model = _fit(exs, c)
    weights, bias = _pruned(model)
    weights[bucket("bias")] = round(weights.get(bucket("bias"), 0.0) + bias, 4)
    lm = LineModel(weights, t, sets, a.feature_set, head_t, a.base_ruleset)
    atomic_write_text(a.out, lm.to_json())
    head = "never" if head_t is None else head_t
    print(f"wrote {a.out} (C {c}, threshold {t}, headline {head}, {len(lm.weights)} weights)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
