"""Train, predict and tag with any baseline kind (``crf``, ``bert``, ``rules``).

* :func:`train_model` trains on the ``train`` split (tuning on ``validation``) or, with
  ``fold=K``, on every document not held out in fold K (tuning by inner cross-validation
  for the CRF, on an inner validation document for BERT; never on the held-out one).
  The model folder records the documents used for training *and* tuning.
* :func:`predict_model` writes predictions JSONL for a split or fold of the corpus and
  refuses documents the model was trained or tuned on.
* :func:`tag_files` ingests raw ``.txt``/``.html`` files exactly like the corpus build and
  writes the same JSONL with the clean ``"text"`` included.

Prediction lines: ``{"id", ["text"], "entities": [{start, end, label, text, value,
value_max, unit, approx, date}]}``; offsets are code points into the clean text,
end-exclusive; attributes come from :func:`duikou.figures.normalise` with the document's
date and 4 characters of context.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path

from duikou.baselines.common import (
    KINDS,
    TrainingScope,
    prediction_record,
    read_model_info,
    write_predictions,
)
from duikou.corpus.dataset import Document, load_documents
from duikou.errors import IngestError, ModelError, Problem
from duikou.spans import Span

_MODULES = {"crf": "duikou.baselines.crf", "bert": "duikou.baselines.bert",
            "rules": "duikou.baselines.rules"}
_TAGGERS = {"crf": "CrfTagger", "bert": "BertTagger", "rules": "RulesTagger"}


def _module(kind: str):
    if kind not in KINDS:
        raise ModelError(Problem(f"unknown model kind {kind!r}; expected one of {KINDS}"))
    try:
        return importlib.import_module(_MODULES[kind])
    except ModuleNotFoundError as exc:
        if exc.name != _MODULES[kind]:
            raise
        raise ModelError(Problem(f"the {kind} baseline is not available in this duikou "
                                 f"({_MODULES[kind]} is missing)")) from None


def training_documents(corpus: Path | None, split: str | None, fold: int | None, kind: str
                       ) -> tuple[list[Document], list[Document], TrainingScope]:
    """(train docs, tuning docs, scope) for ``split`` (only ``train``) or ``fold``."""
    if split is not None and fold is not None:
        raise ModelError(Problem("give either a split or a fold, not both"))
    if fold is not None:
        pool = load_documents(corpus, fold=fold, held_out=False)
        val: list[Document] = []
        if kind == "bert" and len(pool) > 1:
            # An inner validation document: the next fold's document, never fold K's.
            folds = sorted({d.fold for d in pool})
            inner = next((f for f in folds if f > fold), folds[0])
            val = [d for d in pool if d.fold == inner]
            pool = [d for d in pool if d.fold != inner]
        split_name = None
    else:
        split_name = split or "train"
        if split_name != "train":
            raise ModelError(Problem(f"models train on the 'train' split (tuning on "
                                     f"'validation'), or on a fold; found split {split_name!r}"))
        pool = load_documents(corpus, split="train")
        val = load_documents(corpus, split="validation")
    if not pool:
        raise ModelError(Problem("no training documents in this split or fold"))
    ids = sorted(d.id for d in pool + val)
    return pool, val, TrainingScope(split=split_name, fold=fold, documents=ids)


def train_model(kind: str, *, corpus: Path | None = None, split: str | None = None,
                fold: int | None = None, model: str | Path | None = None, out: Path,
                seed: int = 0, **opts: object) -> Path:
    """Train a ``kind`` model into the folder ``out`` and return it (see module docstring).

    ``model`` (a Hugging Face folder or name) is required for ``bert``, ignored otherwise;
    ``opts`` go to the kind's ``train`` (e.g. ``max_iterations``, ``c1_grid`` for the CRF).
    """
    mod = _module(kind)
    corpus = Path(corpus) if corpus is not None else None
    train_docs, val_docs, scope = training_documents(corpus, split, fold, kind)
    kwargs = dict(out=Path(out), scope=scope, corpus=corpus, seed=seed, **opts)
    if kind == "bert":
        kwargs["model"] = model if model is not None else mod.DEFAULT_MODEL
    return mod.train(train_docs, val_docs, **kwargs)


def load_tagger(model_dir: Path, *, corpus: Path | None = None,
                allow_other_dataset: bool = False) -> tuple[object, dict]:
    """(tagger, model info) after the schema/dataset checks of :func:`read_model_info`."""
    info = read_model_info(Path(model_dir), corpus=corpus,
                           allow_other_dataset=allow_other_dataset)
    cls = getattr(_module(info["kind"]), _TAGGERS[info["kind"]])
    if info["kind"] == "bert":  # BertTagger.load repeats the checks against the same corpus
        return cls.load(Path(model_dir), corpus=corpus,
                        allow_other_dataset=allow_other_dataset), info
    return cls.load(Path(model_dir)), info


def tag_texts(tagger, texts: Sequence[str], dates: Sequence[str | None]) -> list[list[Span]]:
    """The tagger's spans per text, each with normalisation attributes."""
    from duikou.baselines.rules import with_attributes

    predicted = tagger.predict(list(texts))
    return [with_attributes(t, spans, d) for t, spans, d in zip(texts, predicted, dates)]


def _target_documents(corpus: Path | None, split: str | None, fold: int | None,
                      info: dict) -> list[Document]:
    if split is not None and fold is not None:
        raise ModelError(Problem("give either a split or a fold, not both"))
    if split is None and fold is None:
        fold = info.get("trained_on", {}).get("fold")
        split = "test" if fold is None else None
    if fold is not None:
        return load_documents(corpus, fold=fold, held_out=True)
    return load_documents(corpus, split=split)


def predict_model(model_dir: Path, *, corpus: Path | None = None, split: str | None = None,
                  fold: int | None = None, out: Path, allow_other_dataset: bool = False
                  ) -> Path:
    """Predict a split (default ``test``, or the model's own held-out fold) into ``out``.

    Raises :class:`ModelError` when any target document was used to train or tune the
    model (all such documents are listed).
    """
    corpus = Path(corpus) if corpus is not None else None
    tagger, info = load_tagger(model_dir, corpus=corpus, allow_other_dataset=allow_other_dataset)
    docs = _target_documents(corpus, split, fold, info)
    seen = set(info.get("trained_on", {}).get("documents", []))
    leaked = [Problem("the model was trained or tuned on this document; predict another "
                      "split or the model's held-out fold", file=str(model_dir), doc_id=d.id)
              for d in docs if d.id in seen]
    if leaked:
        raise ModelError(leaked)
    spans = tag_texts(tagger, [d.text for d in docs], [d.date for d in docs])
    write_predictions(Path(out), [prediction_record(d.id, d.text, s) for d, s in zip(docs, spans)])
    return Path(out)


def _iso_date(value: str | None) -> str | None:
    """A publication date found by ingestion, or None when it is not a real calendar date."""
    from datetime import date

    try:
        return date.fromisoformat(value).isoformat() if value else None
    except ValueError:
        return None


def _ingest_all(files: Sequence[Path]) -> list[tuple[str, str, str | None]]:
    """(id, clean text, ISO date or None) per file; one IngestError listing every failure."""
    from duikou.corpus.ingest import ingest_bytes

    docs, problems = [], []
    for f in files:
        path = Path(f)
        if not path.is_file():
            problems.append(Problem("file not found; expected a .txt or .html article",
                                    file=str(path)))
            continue
        try:
            doc = ingest_bytes(path.read_bytes(), file=str(path))
        except IngestError as exc:
            problems.extend(exc.problems)
            continue
        if not doc.text.strip():
            problems.append(Problem("no article text left after cleaning", file=str(path)))
            continue
        docs.append((str(f), doc.text, _iso_date(doc.meta.get("date"))))
    if problems:
        raise IngestError(problems)
    return docs


def tag_files(model_dir: Path, files: Sequence[Path], out: Path, *,
              corpus: Path | None = None, allow_other_dataset: bool = False) -> Path:
    """Tag raw article files (ids are the paths as given) and write JSONL with text."""
    tagger, _ = load_tagger(model_dir, corpus=corpus, allow_other_dataset=allow_other_dataset)
    docs = _ingest_all(files)
    spans = tag_texts(tagger, [t for _, t, _ in docs], [d for _, _, d in docs])
    write_predictions(Path(out), [prediction_record(i, t, s, with_text=True)
                                  for (i, t, _), s in zip(docs, spans)])
    return Path(out)
