"""Relation scoring: precision, recall and F1 per relation type, at two levels.

* **strict**: a predicted relation is correct when a gold relation has the same type, the same
  head span and the same tail span (span id ``start-end-LABEL``: offsets *and* label). With
  predicted spans this is end-to-end: a relation between mis-cut spans is wrong.
* **entity**: each relation is first mapped to entity keys and counted once per document. A
  DONOR/RECIPIENT end becomes its document entity (mentions grouped by
  :func:`duikou.mentions.group_mentions`: 锦江, 锦江区 and 成都市锦江区 are one entity)
  keyed by its label and canonical name; figure and date ends stay spans. So "锦江区 gave
  210万元" is one correct relation whichever mention of 锦江区 the system attached. Mentions
  are grouped on their :func:`duikou.ingest.script.entity_key` (Simplified, pinyin glosses dropped), as the ledger
  groups them, so 綿虒鎮(zhèn) and 綿虒 are one entity in a Traditional-script document.

Both levels use the same counts as the span scorer (``prf`` with its zero conventions);
:func:`relation_ci` gives a percentile bootstrap over documents (relations cross sentences,
so sentences are not independent units here).

>>> from duikou.records import Relation
>>> from duikou.spans import Span
>>> spans = [Span(0, 2, "DONOR"), Span(3, 6, "DONOR"), Span(8, 10, "RECIPIENT")]
>>> text = "锦江 锦江区援助炉霍"
>>> gold = [Relation("3-6-DONOR", "8-10-RECIPIENT", "AID")]
>>> pred = [Relation("0-2-DONOR", "8-10-RECIPIENT", "AID")]
>>> relation_keys(text, spans, gold, "entity") == relation_keys(text, spans, pred, "entity")
True
>>> relation_keys(text, spans, gold, "strict") == relation_keys(text, spans, pred, "strict")
False
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from duikou.eval.stats import _prf_arrays, _resampled_totals
from duikou.ingest.script import entity_key
from duikou.mentions import entity_names
from duikou.records import Relation
from duikou.schema import RELATION_NAMES
from duikou.scoring import add_key_counts, as_counts, empty_counts, metrics_from_counts, prf
from duikou.spans import Span

LEVELS = ("strict", "entity")
Key = tuple[str, str, str]  # (head key, tail key, type)
DocRelations = Mapping[str, tuple[str, Sequence[Span], Sequence[Relation]]]


def relation_keys(text: str, spans: Sequence[Span], relations: Sequence[Relation],
                  level: str) -> set[Key]:
    """The set of keys the relations of one document count as at ``level``."""
    if level == "strict":
        return {(r.head, r.tail, r.type) for r in relations}
    if level != "entity":
        raise ValueError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
    names = entity_names(text, spans, fold=entity_key)
    return {(names.get(r.head, r.head), names.get(r.tail, r.tail), r.type) for r in relations}


def _doc_counts(text: str, gold_spans: Sequence[Span], gold: Sequence[Relation],
                pred_spans: Sequence[Span], pred: Sequence[Relation], level: str,
                acc: dict[str, Counter]) -> dict[str, Counter]:
    add_key_counts(relation_keys(text, gold_spans, gold, level),
                   relation_keys(text, pred_spans, pred, level), acc)
    return acc


def relation_metrics(acc: dict[str, Counter]) -> dict:
    """``{"per_type", "micro", "macro", "n_gold", "n_pred"}`` of relation counts."""
    counts = as_counts(acc)
    res = metrics_from_counts(counts)
    res["per_type"] = res.pop("per_label")
    res["n_gold"] = sum(c["tp"] + c["fn"] for c in counts.values())
    res["n_pred"] = sum(c["tp"] + c["fp"] for c in counts.values())
    return res


def score_relations(gold: DocRelations, pred: Mapping[str, tuple[Sequence[Span],
                    Sequence[Relation]]]) -> dict:
    """``{level: {"per_type", "micro", "macro", "n_gold", "n_pred"}}`` for both levels.

    ``gold`` maps doc id → (text, gold spans, gold relations); ``pred`` maps doc id →
    (predicted spans, predicted relations); a document missing from ``pred`` has none.
    """
    out = {}
    for level in LEVELS:
        acc = empty_counts()
        for doc_id, (text, gspans, grels) in gold.items():
            pspans, prels = pred.get(doc_id, ((), ()))
            _doc_counts(text, gspans, grels, pspans, prels, level, acc)
        out[level] = relation_metrics(acc)
    return out


def relation_ci(gold: DocRelations, pred: Mapping[str, tuple[Sequence[Span],
                Sequence[Relation]]], *, level: str = "strict", n: int = 1000, seed: int = 0,
                alpha: float = 0.05) -> dict:
    """Percentile bootstrap CI of micro P/R/F1 at ``level``, resampling documents."""
    rows = []
    for doc_id, (text, gspans, grels) in sorted(gold.items()):
        pspans, prels = pred.get(doc_id, ((), ()))
        c = _doc_counts(text, gspans, grels, pspans, prels, level, empty_counts())
        rows.append([sum(c[k].values()) for k in ("tp", "fp", "fn")])
    counts = np.asarray(rows, dtype=np.int64).reshape(-1, 3)
    if len(counts) == 0:
        raise ValueError("no documents to resample")
    reps = _prf_arrays(_resampled_totals(counts, n, np.random.default_rng(seed)))
    p, r, f = prf(*(int(x) for x in counts.sum(axis=0)))
    out: dict = {"unit": "document", "n_units": len(counts), "n": n, "seed": seed,
                 "alpha": alpha, "level": level, "precision": p, "recall": r, "f1": f}
    for name, values in reps.items():
        low, high = np.quantile(values, [alpha / 2, 1 - alpha / 2])
        out[f"{name}_low"], out[f"{name}_high"] = float(low), float(high)
    return out


# ---------------------------------------------------------------- the harness for relations
def evaluate_relations(pred_path: Path, *, protocol: str = "test",
                       corpus: Path | None = None) -> dict:
    """Validate a relation prediction file (``{id, entities, relations}`` lines) and score it
    against the gold relations of the protocol's documents, at both levels, with document
    bootstrap CIs; raises SubmissionError on an invalid file."""
    from duikou.dataset.build import verify
    from duikou.eval.harness import CI_REPLICATES, CI_SEED, protocol_documents, run_record
    from duikou.eval.validate import validate_relation_predictions

    man = verify(corpus)
    docs = protocol_documents(protocol, corpus)
    pred = validate_relation_predictions(Path(pred_path), {d.id: d.text for d in docs})
    gold = {d.id: (d.text, d.spans, d.relations) for d in docs}
    result: dict = {"task": "relations", "protocol": protocol,
                    "documents": [d.id for d in docs], "scores": score_relations(gold, pred)}
    result["ci"] = {level: relation_ci(gold, pred, level=level, n=CI_REPLICATES, seed=CI_SEED)
                    for level in LEVELS}
    result.update(run_record(man, corpus, pred_path))
    return result


def render_relations(result: dict) -> str:
    """A readable terminal table of one relation evaluation."""
    lines = [f"task relations, protocol {result['protocol']}: {len(result['documents'])} "
             f"documents (dataset v{result.get('dataset_version', '?')})"]
    for level in LEVELS:
        s = result["scores"][level]
        lines += ["", f"{level}: {s['n_gold']} gold relations, {s['n_pred']} predicted",
                  f"{'type':10s} {'P':>7s} {'R':>7s} {'F1':>7s} {'support':>8s}"]
        for t in RELATION_NAMES:
            row = s["per_type"].get(t)
            if row:
                lines.append(f"{t:10s} {row['precision']:7.4f} {row['recall']:7.4f} "
                             f"{row['f1']:7.4f} {row['support']:8d}")
        m = s["micro"]
        lines.append(f"{'micro':10s} {m['precision']:7.4f} {m['recall']:7.4f} "
                     f"{m['f1']:7.4f} {m['support']:8d}")
        ci = result["ci"][level]
        lines.append(f"{level} micro F1 {ci['f1']:.4f}, 95% CI [{ci['f1_low']:.4f}, "
                     f"{ci['f1_high']:.4f}] (bootstrap over {ci['n_units']} documents, "
                     f"{ci['n']} replicates, seed {ci['seed']})")
    lines.append("\nstrict: same head span, tail span and type; entity: party ends replaced "
                 "by their document entity, each relation counted once per document")
    return "\n".join(lines)
