"""A combined tagger: the rules tagger for the figure/date labels where it is better, a learned
base tagger (the CRF, or BERT-type; with or without document-level roles) for everything else.

Which labels go to the rules is decided on the **validation documents only** (per label,
strict F1 of the rules tagger against the base trained on the training documents; the rules
win a label only when strictly better), recorded in the model folder as ``rule_labels``, or
taken as given when ``rule_labels`` is passed (e.g. for a fold model, with the labels chosen
once on the validation split). ``duikou reproduce`` does not train these kinds: it derives
the same predictions from the base's and the rules' prediction files
(:func:`duikou.app.reproduce.combined_predictions`, with :func:`merge` below).

Merging: every rules span of a chosen label is kept; a base span is kept when its label is not
chosen and it overlaps no kept rules span. The result never overlaps.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from duikou.baselines.base import Tagger
from duikou.baselines.common import (
    INFO_FILE,
    Timer,
    TrainingScope,
    read_hyperparameters,
    write_model_info,
)
from duikou.baselines.registry import tagger_class
from duikou.errors import ModelError, Problem
from duikou.records import Document
from duikou.schema import NORMALISED_LABELS
from duikou.scoring import score
from duikou.spans import Span

BASE_DIR = "base"


def merge(base: Sequence[Span], rules: Sequence[Span], rule_labels: Sequence[str]) -> list[Span]:
    """Rules spans of ``rule_labels``, plus base spans of other labels that overlap none of
    them (see the module docstring).

    >>> merge([Span(0, 4, "MONEY"), Span(5, 8, "DONOR"), Span(9, 12, "ORG")],
    ...       [Span(0, 5, "MONEY"), Span(10, 12, "DATE")], ["MONEY"])
    [Span(start=0, end=5, label='MONEY', text=None, attrs=None), Span(start=5, end=8, label='DONOR', text=None, attrs=None), Span(start=9, end=12, label='ORG', text=None, attrs=None)]
    """
    chosen = set(rule_labels)
    kept = [s for s in rules if s.label in chosen]
    out = list(kept)
    for s in base:
        if s.label in chosen or any(s.start < k.end and k.start < s.end for k in kept):
            continue
        out.append(s)
    return sorted(out)


def choose_rule_labels(gold: dict[str, list[Span]], base: dict[str, list[Span]],
                       rules: dict[str, list[Span]]) -> tuple[list[str], dict]:
    """Labels (of :data:`NORMALISED_LABELS`) where the rules' strict F1 beats the base's on
    ``gold``; with the per-label F1 of both."""
    f_base = score(gold, base, schemes=("strict",))["strict"]["per_label"]
    f_rules = score(gold, rules, schemes=("strict",))["strict"]["per_label"]
    table, chosen = {}, []
    for lb in NORMALISED_LABELS:
        fb = f_base.get(lb, {}).get("f1", 0.0)
        fr = f_rules.get(lb, {}).get("f1", 0.0)
        table[lb] = {"base_f1": fb, "rules_f1": fr}
        if fr > fb:
            chosen.append(lb)
    return chosen, table


class CombinedTagger(Tagger):
    kind = "crf+rules"
    base_kind = "crf"

    def __init__(self, base: Tagger, rule_labels: Sequence[str]) -> None:
        self.base = base
        self.rules = tagger_class("rules").load()
        self.rule_labels = list(rule_labels)

    @classmethod
    def train(cls, train_docs: Sequence[Document], val_docs: Sequence[Document], *,
              out: Path, scope: TrainingScope, corpus: Path | None = None, seed: int = 0,
              **opts: object) -> Path:
        """Train the base tagger into ``out/base`` (``opts`` go to it, except ``rule_labels``) and
        choose the rules' labels on ``val_docs`` unless ``rule_labels`` is given."""
        out = Path(out)
        fixed = opts.pop("rule_labels", None)
        with Timer() as timer:
            base_dir = tagger_class(cls.base_kind).train(
                train_docs, val_docs, out=out / BASE_DIR, scope=scope, corpus=corpus,
                seed=seed, **opts)
            if fixed is not None:
                labels, table, how = list(fixed), None, "given"
            elif val_docs:
                base = tagger_class(cls.base_kind).load(base_dir, corpus=corpus)
                rules = tagger_class("rules").load()
                texts = [d.text for d in val_docs]
                gold = {d.id: d.spans for d in val_docs}
                labels, table = choose_rule_labels(
                    gold, dict(zip(gold, base.predict_spans(texts), strict=True)),
                    dict(zip(gold, rules.predict_spans(texts), strict=True)))
                how = f"chosen on {len(val_docs)} validation documents"
            else:
                raise ModelError(Problem(f"{cls.kind} needs validation documents or "
                                         "rule_labels", code="DK-MODEL-058"))
        write_model_info(out, kind=cls.kind, scope=scope, seed=seed,
                         training_time_s=timer.seconds, corpus=corpus,
                         hyperparameters={"base_kind": cls.base_kind, "base_folder": BASE_DIR,
                                          "rule_labels": labels, "rule_labels_how": how,
                                          "validation_per_label_f1": table})
        return out

    @classmethod
    def load(cls, folder: Path, *, corpus: Path | None = None,
             allow_other_dataset: bool = False) -> CombinedTagger:
        labels = read_hyperparameters(folder, cls.kind, corpus=corpus,
                                      allow_other_dataset=allow_other_dataset).get("rule_labels")
        if not isinstance(labels, list) or not set(labels) <= set(NORMALISED_LABELS):
            raise ModelError(Problem(f"expected rule_labels among {NORMALISED_LABELS}, found "
                                     f"{labels!r}", file=str(Path(folder) / INFO_FILE),
                                     code="DK-MODEL-045"))
        base = tagger_class(cls.base_kind).load(Path(folder) / BASE_DIR, corpus=corpus,
                                                allow_other_dataset=allow_other_dataset)
        return cls(base, labels)

    def use_device(self, device: str) -> None:
        self.base.use_device(device)

    def predict_spans(self, texts: Sequence[str]) -> list[list[Span]]:
        base = self.base.predict_spans(texts)
        rules = self.rules.predict_spans(texts)
        return [merge(b, r, self.rule_labels) for b, r in zip(base, rules, strict=True)]


class CombinedRolesTagger(CombinedTagger):
    """The same with the CRF + document-level roles (``crf+roles``) as the base."""

    kind = "crf+roles+rules"
    base_kind = "crf+roles"


class BertCombinedTagger(CombinedTagger):
    """The same with the BERT-type tagger as the base."""

    kind = "bert+rules"
    base_kind = "bert"
    inner_validation = True
    uses_encoder = True


class BertCombinedRolesTagger(CombinedTagger):
    """The same with the BERT-type tagger + document-level roles (``bert+roles``)."""

    kind = "bert+roles+rules"
    base_kind = "bert+roles"
    inner_validation = True
    uses_encoder = True
