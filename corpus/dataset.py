"""Read the built dataset folder back as documents (for baselines, evaluation, Label Studio).

This reads the JSONL files listed in the manifest directly (fast, no cache); the public way
for users is ``datasets.load_dataset("corpus")``, which reads the same files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from duikou import paths
from duikou.corpus.splits import SPLIT_NAMES
from duikou.errors import CorpusError, Problem
from duikou.spans import Span

ATTR_KEYS = ("value", "value_max", "unit", "approx", "date", "provenance")


@dataclass
class Document:
    id: str
    text: str
    date: str | None
    split: str
    fold: int
    spans: list[Span]
    title: str | None = None


def load_documents(corpus: Path | None = None, *, split: str | None = None,
                   fold: int | None = None, held_out: bool = True) -> list[Document]:
    """Documents sorted by id; ``split`` selects one split; ``fold`` selects the documents held
    out in that fold (``held_out=True``) or the rest (``held_out=False``)."""
    corpus = Path(corpus) if corpus else paths.corpus_dir()
    docs: list[Document] = []
    for sp in SPLIT_NAMES:
        path = corpus / "data" / "documents" / f"{sp}.jsonl"
        if not path.is_file():
            raise CorpusError(Problem("dataset file missing: run `duikou corpus build`",
                                      file=str(path)))
        for line in path.read_text(encoding="utf-8").splitlines():
            if line:
                docs.append(_document(json.loads(line), sp))
    if split is not None:
        if split not in SPLIT_NAMES:
            raise CorpusError(Problem(f"unknown split {split!r}; expected one of {SPLIT_NAMES}"))
        docs = [d for d in docs if d.split == split]
    if fold is not None:
        folds = sorted({d.fold for d in docs})
        if fold not in folds:
            raise CorpusError(Problem(f"unknown fold {fold}; expected one of {folds}"))
        docs = [d for d in docs if (d.fold == fold) == held_out]
    return sorted(docs, key=lambda d: d.id)


def _document(row: dict, split: str) -> Document:
    spans = [Span(e["start"], e["end"], e["label"], e["text"],
                  {k: e.get(k) for k in ATTR_KEYS}) for e in row["entities"]]
    return Document(row["id"], row["text"], row["date"], split, row["fold"], spans, row["title"])


def n_folds(corpus: Path | None = None) -> int:
    return len({d.fold for d in load_documents(corpus)})
