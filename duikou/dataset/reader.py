"""Read the built dataset folder back as documents (for baselines, evaluation, Label Studio).

This reads the JSONL files listed in the manifest directly (fast, no cache); the public way
for users is ``datasets.load_dataset("corpus")``, which reads the same files.
"""

from __future__ import annotations

from pathlib import Path

from duikou import paths
from duikou.dataset.splits import SPLIT_NAMES
from duikou.dataset.stats import read_rows
from duikou.errors import CorpusError, Problem
from duikou.records import Document, document_from_row

__all__ = ["Document", "load_documents", "n_folds"]


def load_documents(corpus: Path | None = None, *, split: str | None = None,
                   fold: int | None = None, held_out: bool = True) -> list[Document]:
    """Documents sorted by id; ``split`` selects one split; ``fold`` selects the documents held
    out in that fold (``held_out=True``) or the rest (``held_out=False``)."""
    corpus = Path(corpus) if corpus else paths.corpus_dir()
    docs: list[Document] = []
    for sp in SPLIT_NAMES:
        docs += [document_from_row(row, sp) for row in read_rows(corpus, "documents", sp)]
    if split is not None:
        if split not in SPLIT_NAMES:
            raise CorpusError(Problem(f"unknown split {split!r}; expected one of {SPLIT_NAMES}",
                                      code="DK-CORPUS-007"))
        docs = [d for d in docs if d.split == split]
    if fold is not None:
        folds = sorted({d.fold for d in docs})
        if fold not in folds:
            raise CorpusError(Problem(f"unknown fold {fold}; expected one of {folds}",
                                      code="DK-CORPUS-008"))
        docs = [d for d in docs if (d.fold == fold) == held_out]
    return sorted(docs, key=lambda d: d.id)


def n_folds(corpus: Path | None = None) -> int:
    return len({d.fold for d in load_documents(corpus)})
