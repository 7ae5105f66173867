"""The tagger interface: what every baseline implements, and what they all share.

A tagger is a class with

* ``train(train_docs, val_docs, *, out, scope, corpus, seed, **opts) -> Path``: learn from
  ``train_docs`` (choosing settings on ``val_docs`` or by inner cross-validation, never on
  held-out documents) and write a self-describing model folder ``out``;
* ``load(folder, *, corpus, allow_other_dataset) -> Tagger``: read that folder back;
* ``predict_spans(texts) -> list[list[Span]]``: bare spans per text (code points,
  end-exclusive, ``text`` filled).

From those the base class gives ``tag(texts, dates)`` (spans with the figure/date
normalisation attributes, from the text and its publication date) and
``predict(docs) -> docs`` (copies of the documents carrying the predicted spans). Taggers
are found by name through :mod:`duikou.baselines.registry`; adding one is one module and
one registry line.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from duikou.errors import ModelError, Problem
from duikou.normalise import NORMALISATION_KEYS, normalise_in_text
from duikou.records import Document
from duikou.spans import Span


def with_attributes(text: str, spans: Sequence[Span], doc_date: str | None) -> list[Span]:
    """The spans again, each carrying :func:`duikou.normalise.normalise_in_text` attributes
    (``doc_date`` ISO or None)."""
    return [Span(s.start, s.end, s.label, text[s.start:s.end],
                 normalise_in_text(s.label, text, s.start, s.end, doc_date=doc_date))
            for s in spans]


def renormalised(record: dict, doc: Document) -> tuple[dict, int]:
    """A prediction record (``{"id", "entities", ...}``) whose spans carry the current
    normaliser's attributes for ``doc``, and how many spans' attributes changed. Spans,
    order and other keys are kept, and a span written without attributes stays so (the scorer
    normalises it): this is what re-predicting would write after a dataset patch that only
    changes the normaliser."""
    entities = []
    changed = 0
    for e in record["entities"]:
        if not any(k in e for k in NORMALISATION_KEYS):
            entities.append(e)
            continue
        (fresh,) = with_attributes(doc.text, [Span(e["start"], e["end"], e["label"])], doc.date)
        new = {**e, **(fresh.attrs or {})}
        changed += new != e
        entities.append(new)
    return {**record, "entities": entities}, changed


class Tagger(ABC):
    """Base class of every duikou tagger (see the module docstring for the contract)."""

    #: the name in the registry and in ``duikou_model.json``
    kind: ClassVar[str]
    #: in a cross-validation fold, hold one inner document out of training for model
    #: selection (the CRF tunes by inner cross-validation instead; rules learn nothing)
    inner_validation: ClassVar[bool] = False
    #: whether ``train`` takes a pretrained encoder (``model=``)
    uses_encoder: ClassVar[bool] = False

    @classmethod
    @abstractmethod
    def train(cls, train_docs: Sequence[Document], val_docs: Sequence[Document], *,
              out: Path, scope: object, corpus: Path | None = None, seed: int = 0,
              **opts: object) -> Path:
        """Train on ``train_docs`` and write the model folder ``out``; return it."""

    @classmethod
    @abstractmethod
    def load(cls, folder: Path, *, corpus: Path | None = None,
             allow_other_dataset: bool = False) -> Tagger:
        """The tagger saved in ``folder``."""

    @classmethod
    def settings_differ(cls, info: dict, seed: int, **opts: object) -> list[str]:
        """The recorded settings of a saved model (its ``duikou_model.json`` ``info``) that
        differ from what ``train(seed=seed, **opts)`` would use now, as ``name: saved → now``
        lines; empty when reusing the model is the same as retraining it. Taggers whose
        training settings are all fixed by the data (the default) report none."""
        return []

    def use_device(self, device: str) -> None:
        """Predict on ``device`` (``cpu``, ``cuda``, ``cuda:N``); only taggers with a neural
        network (``uses_encoder``) override this, the others run on the CPU only."""
        if device != "cpu":
            raise ModelError(Problem(f"the {self.kind} tagger runs on the CPU only; found "
                                     f"device {device!r}", code="DK-MODEL-056"))

    @abstractmethod
    def predict_spans(self, texts: Sequence[str]) -> list[list[Span]]:
        """Bare spans per text."""

    def tag(self, texts: Sequence[str], dates: Sequence[str | None] | None = None
            ) -> list[list[Span]]:
        """Spans per text with normalisation attributes; ``dates[i]`` is text i's ISO
        publication date (None when unknown)."""
        dates = list(dates) if dates is not None else [None] * len(texts)
        return [with_attributes(t, spans, d)
                for t, spans, d in zip(texts, self.predict_spans(list(texts)), dates,
                                       strict=True)]

    def predict(self, docs: Sequence[Document]) -> list[Document]:
        """Copies of ``docs`` whose spans are this tagger's predictions (no relations)."""
        spans = self.tag([d.text for d in docs], [d.date for d in docs])
        return [dataclasses.replace(d, spans=s, relations=[]) for d, s in zip(docs, spans)]
