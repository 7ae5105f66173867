"""Character-level linear-chain CRF baseline (sklearn-crfsuite, L-BFGS).

Sequences are sentences (:func:`duikou.ingest.segment.sentence_spans`, never cutting a gold
span), one IOB2 tag per code point, features from :mod:`duikou.baselines.features` with the
:class:`~duikou.baselines.features.FeatureConfig` given to :func:`train` (default
:data:`DEFAULT_FEATURES`; the model folder records it, and a folder without one was trained
with the legacy features). ``c1``/``c2`` are tuned on the validation documents, or by
leave-one-document-out cross-validation on the training documents when there are none; test
documents are never seen. L-BFGS is deterministic, so the same inputs give the same model and
predictions.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from duikou.baselines.base import Tagger
from duikou.baselines.common import INFO_FILE, Timer, TrainingScope, write_model_info
from duikou.baselines.features import FeatureConfig, sentence_features
from duikou.baselines.gazetteer import load_gazetteer
from duikou.errors import ModelError, Problem
from duikou.ingest.segment import sentence_spans
from duikou.records import Document
from duikou.scoring import metrics_from_counts, strict_counts
from duikou.spans import Span, bio_to_spans, spans_to_bio

MODEL_FILE = "model.crfsuite"
DEFAULT_C1_GRID: tuple[float, ...] = (0.05, 0.25)
DEFAULT_C2_GRID: tuple[float, ...] = (0.01,)  # 0.01 won every v1 tuning run
DEFAULT_MAX_ITERATIONS = 150
MAX_INNER_CV_DOCS = 10
#: chosen on the train split → validation document and by inner cross-validation of the
#: train split (baselines/BENCHMARKS.md); never on a test or cross-validation held-out score
DEFAULT_FEATURES = FeatureConfig(pos=True, gazetteer=("province", "city", "county", "town"),
                                 entity_lexicons=True, sparse=True, geo=True)

Features = list[dict[str, str | float]]
Sequences = tuple[list[Features], list[list[str]]]


def document_sequences(doc: Document, config: FeatureConfig = DEFAULT_FEATURES) -> Sequences:
    """(features, tags) per sentence of ``doc``."""
    tags = spans_to_bio(len(doc.text), doc.spans)
    xs, ys = [], []
    for a, b in sentence_spans(doc.text, doc.spans):
        xs.append(sentence_features(doc.text[a:b], config))
        ys.append(tags[a:b])
    return xs, ys


def _crf(c1: float, c2: float, max_iterations: int, model_filename: str | None = None):
    import sklearn_crfsuite

    return sklearn_crfsuite.CRF(algorithm="lbfgs", c1=c1, c2=c2, max_iterations=max_iterations,
                                all_possible_transitions=True, model_filename=model_filename)


def _fit(seqs: list[Sequences], c1: float, c2: float, max_iterations: int,
         model_filename: str | None = None):
    xs = [x for d in seqs for x in d[0]]
    ys = [y for d in seqs for y in d[1]]
    if not xs:
        raise ModelError(Problem("no training sentences: the training documents are empty",
                                 code="DK-MODEL-028"))
    crf = _crf(c1, c2, max_iterations, model_filename)
    crf.fit(xs, ys)
    return crf


def _spans_from_tags(tagged: list[list[str]], sents: list[tuple[int, int]], text: str
                     ) -> list[Span]:
    spans: list[Span] = []
    for (a, b), tags in zip(sents, tagged):
        spans.extend(bio_to_spans(tags, strict=False, text=text[a:b], offset=a))
    return spans


def _f1(crf, docs: Sequence[Document], seqs: list[Sequences]) -> float:
    gold, pred = {}, {}
    for doc, (xs, _) in zip(docs, seqs):
        sents = sentence_spans(doc.text, doc.spans)
        pred[doc.id] = _spans_from_tags(crf.predict(xs) if xs else [], sents, doc.text)
        gold[doc.id] = doc.spans
    return metrics_from_counts(strict_counts(gold, pred))["micro"]["f1"]


def _grid_scores(train_seqs: list[Sequences], train_docs: Sequence[Document],
                 val_docs: Sequence[Document], grid: list[tuple[float, float]],
                 max_iterations: int, config: FeatureConfig) -> tuple[str, list[dict]]:
    """Strict micro-F1 of every grid point, on validation or by inner LOO-CV."""
    if len(grid) == 1:
        return "none (single grid point)", [{"c1": grid[0][0], "c2": grid[0][1], "f1": None}]
    if val_docs:
        val_seqs = [document_sequences(d, config) for d in val_docs]
        scores = [_f1(_fit(train_seqs, c1, c2, max_iterations), val_docs, val_seqs)
                  for c1, c2 in grid]
        return "validation", _rows(grid, scores)
    if len(train_docs) > MAX_INNER_CV_DOCS:
        # inner leave-one-document-out would cost one fit per document and grid point
        return (f"none (no validation documents and more than {MAX_INNER_CV_DOCS} training "
                "documents: first grid point)", _rows(grid[:1], [None]))
    if len(train_docs) < 2:
        return "none (fewer than two training documents)", _rows(grid, [None] * len(grid))
    scores = []
    for c1, c2 in grid:
        folds = []
        for k in range(len(train_docs)):
            inner = train_seqs[:k] + train_seqs[k + 1:]
            folds.append(_f1(_fit(inner, c1, c2, max_iterations), [train_docs[k]],
                             [train_seqs[k]]))
        scores.append(sum(folds) / len(folds))
    return "inner leave-one-document-out CV", _rows(grid, scores)


def _rows(grid: list[tuple[float, float]], scores: list[float | None]) -> list[dict]:
    return [{"c1": c1, "c2": c2, "f1": None if s is None else round(s, 6)}
            for (c1, c2), s in zip(grid, scores)]


def _best(rows: list[dict]) -> tuple[float, float]:
    """Highest F1; ties (and unscored grids) go to the earliest grid point."""
    best = max(rows, key=lambda r: -1.0 if r["f1"] is None else r["f1"])
    return best["c1"], best["c2"]


def train(train_docs: Sequence[Document], val_docs: Sequence[Document], *, out: Path,
          scope: TrainingScope, corpus: Path | None = None, seed: int = 0,
          c1_grid: Sequence[float] = DEFAULT_C1_GRID, c2_grid: Sequence[float] = DEFAULT_C2_GRID,
          max_iterations: int = DEFAULT_MAX_ITERATIONS,
          features: FeatureConfig | Mapping | None = None, progress: bool = True) -> Path:
    """Tune c1/c2, fit on all ``train_docs`` and write the model folder ``out``; returns it.

    ``features``: a :class:`FeatureConfig` or its JSON form (default
    :data:`DEFAULT_FEATURES`). ``seed`` is recorded only: L-BFGS training has no randomness.
    With ``progress``, one status line per stage goes to stderr (tuning result, final fit).
    """
    say = (lambda msg: print(f"[crf] {msg}", file=sys.stderr, flush=True)) if progress \
        else (lambda msg: None)
    config = _config(features)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    grid = [(float(c1), float(c2)) for c1 in c1_grid for c2 in c2_grid]
    if not grid:
        raise ModelError(Problem("c1_grid and c2_grid must each hold at least one value",
                                 code="DK-MODEL-029"))
    with Timer() as timer:
        train_seqs = [document_sequences(d, config) for d in train_docs]
        say(f"features for {len(train_docs)} documents in {timer.elapsed():.1f}s; tuning "
            f"{len(grid)} grid point(s) on {len(val_docs)} validation documents")
        tuning, rows = _grid_scores(train_seqs, train_docs, val_docs, grid, max_iterations,
                                    config)
        c1, c2 = _best(rows)
        say(f"tuning ({tuning}): " + ", ".join(
            f"c1={r['c1']} c2={r['c2']} F1={'—' if r['f1'] is None else format(r['f1'], '.4f')}"
            for r in rows) + f"; fitting c1={c1} c2={c2} ({timer.elapsed():.1f}s so far)")
        tmp = out / f".{MODEL_FILE}.{os.getpid()}.tmp"
        try:
            _fit(train_seqs, c1, c2, max_iterations, model_filename=str(tmp))
            os.replace(tmp, out / MODEL_FILE)
        finally:
            tmp.unlink(missing_ok=True)
        say(f"fitted in {timer.elapsed():.1f}s → {out / MODEL_FILE}")
    hyper = {"c1": c1, "c2": c2, "max_iterations": max_iterations, "algorithm": "lbfgs",
             "c1_grid": list(map(float, c1_grid)), "c2_grid": list(map(float, c2_grid)),
             "grid_scores": rows, "tuning": tuning, "features": config.describe(),
             "feature_config": config.to_json()}
    if config.gazetteer:
        hyper["gazetteer"] = load_gazetteer(tuple(config.gazetteer)).source
    write_model_info(out, kind="crf", scope=scope, seed=seed, training_time_s=timer.seconds,
                     hyperparameters=hyper, corpus=corpus)
    return out


def _config(features: FeatureConfig | Mapping | None) -> FeatureConfig:
    if features is None:
        return DEFAULT_FEATURES
    if isinstance(features, FeatureConfig):
        return features
    return FeatureConfig.from_json(features)


class CrfTagger(Tagger):
    """A trained CRF: ``predict_spans(texts)`` → spans per text (code points,
    end-exclusive)."""

    kind = "crf"

    def __init__(self, crf, config: FeatureConfig = DEFAULT_FEATURES) -> None:
        self.crf = crf
        self.config = config

    @classmethod
    def train(cls, train_docs: Sequence[Document], val_docs: Sequence[Document], *,
              out: Path, scope: TrainingScope, corpus: Path | None = None, seed: int = 0,
              **opts: object) -> Path:
        return train(train_docs, val_docs, out=out, scope=scope, corpus=corpus, seed=seed,
                     **opts)

    @classmethod
    def settings_differ(cls, info: dict, seed: int, **opts: object) -> list[str]:
        """Feature families, the c1/c2 grids and the iteration limit a saved model was
        trained with, where they differ from what training with ``opts`` would use now (a
        changed :data:`DEFAULT_FEATURES` retrains old folders under ``--reuse-models``)."""
        saved = info.get("hyperparameters", {})
        now = {"feature_config": _config(opts.get("features")).to_json(),
               "c1_grid": [float(c) for c in opts.get("c1_grid", DEFAULT_C1_GRID)],
               "c2_grid": [float(c) for c in opts.get("c2_grid", DEFAULT_C2_GRID)],
               "max_iterations": int(opts.get("max_iterations", DEFAULT_MAX_ITERATIONS))}
        was = {**saved, "feature_config": FeatureConfig.from_json(
            saved.get("feature_config")).to_json()}
        return [f"{k}: {was.get(k)!r} → {v!r}" for k, v in now.items() if was.get(k) != v]

    @classmethod
    def load(cls, folder: Path, *, corpus: Path | None = None,
             allow_other_dataset: bool = False) -> CrfTagger:
        path = Path(folder) / MODEL_FILE
        if not path.is_file():
            raise ModelError(Problem(f"CRF model file {MODEL_FILE} is missing", file=str(path),
                                     code="DK-MODEL-030"))
        info = Path(folder) / INFO_FILE
        hyper = (json.loads(info.read_text(encoding="utf-8")).get("hyperparameters", {})
                 if info.is_file() else {})
        return cls(_crf(0.0, 0.0, 1, model_filename=str(path)),
                   FeatureConfig.from_json(hyper.get("feature_config")))

    def predict_spans(self, texts: Sequence[str]) -> list[list[Span]]:
        out = []
        for text in texts:
            sents = sentence_spans(text)
            xs = [sentence_features(text[a:b], self.config) for a, b in sents]
            out.append(_spans_from_tags(self.crf.predict(xs) if xs else [], sents, text))
        return out
