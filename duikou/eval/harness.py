"""The evaluation harness: score one prediction file under a protocol, with every figure
needed to reproduce or compare it.

Protocols
---------
``test``
    predictions for the documents of the fixed test split.
``cv``
    predictions for every document, each produced by the model of the fold in which that
    document was held out. Scores are pooled over all documents (micro) and also given per
    fold as mean ± sample sd.

Uncertainty: the corpus has too few documents for a document bootstrap (one test document,
five in total), so confidence intervals resample **sentences** (seeded, 1000 replicates);
the result says so in ``ci.unit``.
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from duikou import paths
from duikou.dataset.build import manifest_sha256, verify
from duikou.dataset.reader import Document, load_documents
from duikou.dataset.splits import SPLIT_NAMES
from duikou.dataset.stats import read_rows
from duikou.eval.stats import bootstrap_ci, cv_summary, paired_test
from duikou.eval.validate import validate_predictions
from duikou.schema import LABEL_NAMES
from duikou.scoring import SCHEMES, figure_accuracy, score
from duikou.spans import Span

PROTOCOLS = ("test", "cv")
PACKAGES = ("duikou", "datasets", "transformers", "torch", "seqeval", "scikit-learn",
            "sklearn-crfsuite", "numpy")
CI_REPLICATES = 1000
CI_SEED = 0


def protocol_documents(protocol: str, corpus: Path | None = None) -> list[Document]:
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r}; expected one of {PROTOCOLS}")
    return load_documents(corpus, split="test") if protocol == "test" else load_documents(corpus)


def sentence_windows(corpus: Path | None, doc_ids: set[str]) -> list[tuple[str, int, int]]:
    """Bootstrap units: each document cut at its sentence starts into windows that cover
    every code point (whitespace between sentences joins the preceding sentence), so every
    predicted span, wherever it starts, belongs to exactly one unit."""
    corpus = Path(corpus) if corpus else paths.corpus_dir()
    starts: dict[str, list[int]] = {d: [] for d in doc_ids}
    for split in SPLIT_NAMES:
        for r in read_rows(corpus, "sentences", split):
            if r["doc_id"] in doc_ids:
                starts[r["doc_id"]].append(r["start"])
    lengths = {d.id: len(d.text) for d in load_documents(corpus) if d.id in doc_ids}
    out = []
    for doc, st in starts.items():
        cuts = sorted(set(st) - {0})
        bounds = [0, *cuts, lengths[doc]]
        out += [(doc, a, b) for a, b in zip(bounds, bounds[1:]) if b > a]
    return sorted(out)


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def environment() -> dict:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {"python": platform.python_version(), "packages": versions,
            "git_commit": git_commit()}


def git_commit() -> str | None:
    try:
        res = subprocess.run(["git", "rev-parse", "HEAD"], cwd=paths.project_root(),
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return res.stdout.strip() or None


def score_spans(docs: list[Document], pred: dict[str, list[Span]], protocol: str,
                corpus: Path | None = None) -> dict:
    """All figures for predictions already validated against ``docs``."""
    gold = {d.id: d.spans for d in docs}
    result: dict = {"protocol": protocol, "documents": [d.id for d in docs],
                    "scores": score(gold, pred)}
    result["figures"] = figure_accuracy([(d.id, d.text, d.spans) for d in docs], pred,
                                        doc_dates={d.id: d.date for d in docs})
    windows = sentence_windows(corpus, set(gold))
    result["ci"] = bootstrap_ci(gold, pred, unit="sentence", sentences=windows,
                                n=CI_REPLICATES, seed=CI_SEED)
    if protocol == "cv":
        folds = sorted({d.fold for d in docs})
        per_fold = [score({d.id: d.spans for d in docs if d.fold == k},
                          {d.id: pred[d.id] for d in docs if d.fold == k}, schemes=("strict",))
                    for k in folds]
        result["cv"] = {**cv_summary(per_fold), "folds": folds}
    return result


def evaluate(pred_path: Path, *, protocol: str = "test", corpus: Path | None = None) -> dict:
    """Validate ``pred_path`` and score it; raises SubmissionError on an invalid file."""
    man = verify(corpus)
    docs = protocol_documents(protocol, corpus)
    pred = validate_predictions(Path(pred_path), {d.id: d.text for d in docs})
    result = score_spans(docs, pred, protocol, corpus)
    result.update(run_record(man, corpus, pred_path))
    return result


def run_record(man: dict, corpus: Path | None, pred_path: Path) -> dict:
    """What every evaluation result records to be reproduced: dataset version and manifest
    hash, the predictions file and its hash, package versions and git commit."""
    return {"dataset_version": man["dataset_version"], "manifest_sha256": manifest_sha256(corpus),
            "predictions_file": str(pred_path), "predictions_sha256": file_sha256(pred_path),
            "environment": environment()}


def render(result: dict) -> str:
    """A readable terminal table of one evaluation result."""
    s = result["scores"]
    st = s["strict"]
    lines = [f"protocol {result['protocol']}: {len(result['documents'])} documents, "
             f"{s['n_gold']} gold spans, {s['n_pred']} predicted "
             f"(dataset v{result.get('dataset_version', '?')})", "",
             f"{'label':10s} {'P':>7s} {'R':>7s} {'F1':>7s} {'support':>8s}"]
    for lb in LABEL_NAMES:
        row = st["per_label"].get(lb)
        if row:
            lines.append(f"{lb:10s} {row['precision']:7.4f} {row['recall']:7.4f} "
                         f"{row['f1']:7.4f} {row['support']:8d}")
    m = st["micro"]
    lines.append(f"{'micro':10s} {m['precision']:7.4f} {m['recall']:7.4f} {m['f1']:7.4f} "
                 f"{m['support']:8d}")
    lines.append(f"{'macro':10s} {st['macro']['precision']:7.4f} {st['macro']['recall']:7.4f} "
                 f"{st['macro']['f1']:7.4f}")
    ci = result["ci"]
    lines += ["", f"strict micro F1 {ci['f1']:.4f}, 95% CI [{ci['f1_low']:.4f}, "
              f"{ci['f1_high']:.4f}] (bootstrap over {ci['n_units']} {ci['unit']}s, "
              f"{ci['n']} replicates, seed {ci['seed']})"]
    lines.append("other schemes (micro F1): " + ", ".join(
        f"{sc} {s[sc]['micro']['f1']:.4f}" for sc in SCHEMES if sc != "strict"))
    lines.append("  (as nervaluate/SemEval-2013 name them: strict = strict; boundary = exact; "
                 "partial = ent_type; type = any overlap, any label: no counterpart)")
    fig = result["figures"]
    lines.append(f"figure normalisation accuracy on strict matches: {fig['correct']}/"
                 f"{fig['total']} = {fig['accuracy']:.4f}" if fig["total"] else
                 "figure normalisation accuracy: no strictly matched figure/date spans")
    if "cv" in result:
        cv = result["cv"]
        lines.append(f"cross-validation: per-fold F1 {cv['text']} over {cv['n_folds']} folds; "
                     f"pooled F1 {cv['pooled']['f1']:.4f}")
    return "\n".join(lines)


COMPARE_SHUFFLES = 10000


def compare_predictions(pred_a: Path, pred_b: Path, *, protocol: str = "test",
                        corpus: Path | None = None) -> dict:
    """Paired approximate-randomisation test of two prediction files on the same documents
    (sentence units, :data:`COMPARE_SHUFFLES` shuffles, seed 0)."""
    docs = protocol_documents(protocol, corpus)
    texts = {d.id: d.text for d in docs}
    gold = {d.id: d.spans for d in docs}
    a = validate_predictions(Path(pred_a), texts)
    b = validate_predictions(Path(pred_b), texts)
    return paired_test(gold, a, b, method="approximate_randomisation", n=COMPARE_SHUFFLES,
                       seed=0, unit="sentence", sentences=sentence_windows(corpus, set(texts)))
