"""Train, predict and tag with any baseline kind (``crf``, ``bert``, ``rules``).

* :func:`train_model` trains on the ``train`` split (tuning on ``validation``) or, with
  ``fold=K``, on every document not held out in fold K (tuning by inner cross-validation
  for the CRF, on an inner validation document for BERT; never on the held-out one).
  The model folder records the documents used for training *and* tuning.
* :func:`predict_model` writes predictions JSONL for a split or fold of the corpus and
  refuses documents the model was trained or tuned on.
* :func:`tag_files` ingests raw ``.txt``/``.html`` files exactly like the corpus build and
  writes the same JSONL with the clean ``"text"``, the publication ``"date"`` the ingestion
  found (ISO or null; relative dates resolve against it) and ``"removed"`` (lines the
  cleaning removed, per rule) included; ``duikou relate --tagged`` and ``duikou ledger
  --tagged`` read it.

Prediction lines: ``{"id", ["text"], "entities": [{start, end, label, text, value,
value_max, unit, approx, date}]}``; offsets are code points into the clean text,
end-exclusive; attributes come from :func:`duikou.normalise.normalise` with the document's
date and 4 characters of context.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from duikou.baselines.base import Tagger
from duikou.baselines.common import TrainingScope, read_model_info, write_predictions
from duikou.baselines.registry import tagger_class
from duikou.dataset.reader import load_documents
from duikou.errors import IngestError, ModelError, Problem
from duikou.ingest.clean import ingest_bytes
from duikou.records import Document, entities_record


def training_documents(corpus: Path | None, split: str | None, fold: int | None,
                       inner_validation: bool
                       ) -> tuple[list[Document], list[Document], TrainingScope]:
    """(train docs, tuning docs, scope) for ``split`` (only ``train``) or ``fold``."""
    if split is not None and fold is not None:
        raise ModelError(Problem("give either a split or a fold, not both", code="DK-MODEL-003"))
    if fold is not None:
        pool = load_documents(corpus, fold=fold, held_out=False)
        val: list[Document] = []
        if inner_validation and len(pool) > 1:
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
                                     f"'validation'), or on a fold; found split {split_name!r}",
                                     code="DK-MODEL-004"))
        pool = load_documents(corpus, split="train")
        val = load_documents(corpus, split="validation")
    if not pool:
        raise ModelError(Problem("no training documents in this split or fold",
                                 code="DK-MODEL-005"))
    ids = sorted(d.id for d in pool + val)
    return pool, val, TrainingScope(split=split_name, fold=fold, documents=ids)


def train_model(kind: str, *, corpus: Path | None = None, split: str | None = None,
                fold: int | None = None, model: str | Path | None = None, out: Path,
                seed: int = 0, **opts: object) -> Path:
    """Train a ``kind`` model into the folder ``out`` and return it (see module docstring).

    ``model`` (a Hugging Face folder or name) is required for ``bert``, ignored otherwise;
    ``opts`` go to the kind's ``train`` (e.g. ``max_iterations``, ``c1_grid`` for the CRF;
    ``steps``, ``lr``, ``device``, ... for BERT: :class:`duikou.baselines.bert.Settings`).
    """
    cls = tagger_class(kind)
    corpus = Path(corpus) if corpus is not None else None
    train_docs, val_docs, scope = training_documents(corpus, split, fold,
                                                     cls.inner_validation)
    if cls.uses_encoder and model is not None:
        opts["model"] = model
    return cls.train(train_docs, val_docs, out=Path(out), scope=scope, corpus=corpus,
                     seed=seed, **opts)


def load_tagger(model_dir: Path, *, corpus: Path | None = None,
                allow_other_dataset: bool = False, device: str | None = None
                ) -> tuple[Tagger, dict]:
    """(tagger, model info) after the schema/dataset checks of :func:`read_model_info`;
    ``device`` (e.g. ``cuda``) moves a neural tagger there (default: the CPU)."""
    info = read_model_info(Path(model_dir), corpus=corpus,
                           allow_other_dataset=allow_other_dataset)
    tagger = tagger_class(info["kind"]).load(Path(model_dir), corpus=corpus,
                                             allow_other_dataset=allow_other_dataset)
    if device is not None:
        tagger.use_device(device)
    return tagger, info


def _target_documents(corpus: Path | None, split: str | None, fold: int | None,
                      info: dict) -> list[Document]:
    if split is not None and fold is not None:
        raise ModelError(Problem("give either a split or a fold, not both", code="DK-MODEL-006"))
    if split is None and fold is None:
        fold = info.get("trained_on", {}).get("fold")
        split = "test" if fold is None else None
    if fold is not None:
        return load_documents(corpus, fold=fold, held_out=True)
    return load_documents(corpus, split=split)


def predict_model(model_dir: Path, *, corpus: Path | None = None, split: str | None = None,
                  fold: int | None = None, out: Path, allow_other_dataset: bool = False,
                  device: str | None = None) -> Path:
    """Predict a split (default ``test``, or the model's own held-out fold) into ``out``.

    Raises :class:`ModelError` when any target document was used to train or tune the
    model (all such documents are listed).
    """
    corpus = Path(corpus) if corpus is not None else None
    tagger, info = load_tagger(model_dir, corpus=corpus, allow_other_dataset=allow_other_dataset,
                               device=device)
    docs = _target_documents(corpus, split, fold, info)
    seen = set(info.get("trained_on", {}).get("documents", []))
    leaked = [Problem("the model was trained or tuned on this document; predict another "
                      "split or the model's held-out fold", file=str(model_dir), doc_id=d.id,
                      code="DK-MODEL-007")
              for d in docs if d.id in seen]
    if leaked:
        raise ModelError(leaked)
    predicted = tagger.predict(docs)
    write_predictions(Path(out), [entities_record(d.id, d.text, d.spans) for d in predicted])
    return Path(out)


def _iso_date(value: str | None) -> str | None:
    """A publication date found by ingestion, or None when it is not a real calendar date."""
    try:
        return date.fromisoformat(value).isoformat() if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class _Article:
    id: str
    text: str
    date: str | None
    removed: dict[str, int]


def _ingest_all(files: Sequence[Path], cleaning: int | None = None) -> list[_Article]:
    """The clean article of every file (cleaning ruleset ``cleaning``, default the
    ingestion default); one IngestError listing every failure."""
    docs, problems, seen = [], [], set()
    for f in files:
        path = Path(f)
        if str(f) in seen:
            problems.append(Problem("the same file is given twice; tag it once (its path is "
                                    "the document id)", file=str(path), code="DK-MODEL-050"))
            continue
        seen.add(str(f))
        if not path.is_file():
            problems.append(Problem("file not found; expected a .txt or .html article",
                                    file=str(path), code="DK-MODEL-008"))
            continue
        try:
            doc = (ingest_bytes(path.read_bytes(), file=str(path)) if cleaning is None else
                   ingest_bytes(path.read_bytes(), file=str(path), ruleset=cleaning))
        except IngestError as exc:
            problems.extend(exc.problems)
            continue
        if not doc.text.strip():
            problems.append(Problem("no article text left after cleaning", file=str(path),
                                    code="DK-MODEL-009"))
            continue
        docs.append(_Article(str(f), doc.text, _iso_date(doc.meta.get("date")),
                             doc.removed_lines()))
    if problems:
        raise IngestError(problems)
    return docs


@dataclass(frozen=True)
class TagResult:
    """Where :func:`tag_files` wrote, how many files, and the lines cleaning removed per
    rule over all of them."""

    out: Path
    files: int
    removed: dict[str, int]

    def summary(self) -> str:
        total = sum(self.removed.values())
        rules = ", ".join(f"{rule} {n}" for rule, n in self.removed.items())
        cleaned = f"cleaning removed {total} line(s): {rules}" if total else \
            "cleaning removed nothing"
        return f"tagged {self.files} file(s) into {self.out}; {cleaned}"


def tag_files(model_dir: Path, files: Sequence[Path], out: Path, *,
              corpus: Path | None = None, allow_other_dataset: bool = False,
              device: str | None = None, cleaning: int | None = None) -> TagResult:
    """Tag raw article files (ids are the paths as given) and write JSONL with text and the
    lines cleaning removed per rule (``"removed"``); ``cleaning`` picks the ruleset."""
    tagger, _ = load_tagger(model_dir, corpus=corpus, allow_other_dataset=allow_other_dataset,
                            device=device)
    docs = _ingest_all(files, cleaning)
    spans = tagger.tag([d.text for d in docs], [d.date for d in docs])
    write_predictions(Path(out), [entities_record(d.id, d.text, s, with_text=True,
                                                  date=d.date, removed=d.removed)
                                  for d, s in zip(docs, spans)])
    total: Counter[str] = Counter()
    for d in docs:
        total.update(d.removed)
    return TagResult(Path(out), len(docs), dict(sorted(total.items())))
