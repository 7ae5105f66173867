"""Time a whole BERT-type cross-validation on this machine and print what it scores.

The measurement behind the CPU target of baselines/BENCHMARKS.md (5-fold CV on dataset 1.x
within 15 minutes on two cores): every fold's model is trained and predicted through the
function ``duikou reproduce`` uses (:func:`duikou.app.reproduce.run_system`), one seed, with
the given training options; then it prints, per fold, the wall time, the selected step and
the best validation F1 on the fold's inner validation documents (what selection saw: use it,
never the CV figure, to choose between settings), and the pooled CV strict micro F1.

    python scripts/bert_cpu_cv.py CORPUS --model DIR --runs OUT [--recipe cpu_cv|default]
                                  [--train-layers N] [--steps N] [--lr X] [--seed 0] [--json F]

A dataset-1 corpus folder comes from the repository's history, e.g.
``git archive 6273147^ corpus | tar -x -C /tmp/d1`` (then CORPUS is /tmp/d1/corpus).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def fold_rows(folder: Path, folds: list[int]) -> list[dict]:
    """Per fold: training time, selected step and best inner-validation strict F1."""
    rows = []
    for k in folds:
        info = json.loads((folder / f"fold-{k}" / "duikou_model.json").read_text("utf-8"))
        history = info.get("history") or []
        rows.append({"fold": k, "train_s": round(info.get("training_time_s") or 0.0, 1),
                     "selected_step": info["hyperparameters"].get("selected_step"),
                     "inner_val_f1": max((r["val_strict_f1"] for r in history
                                          if "val_strict_f1" in r), default=None)})
    return rows


def main(argv: list[str] | None = None) -> int:
    from duikou.app import reproduce as rp
    from duikou.dataset.reader import load_documents
    from duikou.scoring import score

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("corpus", type=Path, help="dataset folder")
    p.add_argument("--model", required=True, help="encoder folder (e.g. a trimmed e5-small)")
    p.add_argument("--runs", required=True, type=Path, help="folder for models and predictions")
    p.add_argument("--recipe", choices=("cpu_cv", "default"), default="cpu_cv",
                   help="start from duikou.baselines.bert.CPU_CV_RECIPE (the default) or from "
                   "the defaults of bert.Settings; the options below override it")
    p.add_argument("--steps", type=int)
    p.add_argument("--lr", type=float)
    p.add_argument("--train-layers", type=int)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", type=Path, help="also write the figures here")
    a = p.parse_args(argv)
    from duikou.baselines.bert import CPU_CV_RECIPE

    options = dict(CPU_CV_RECIPE) if a.recipe == "cpu_cv" else {}
    options.update({k: v for k, v in (("steps", a.steps), ("lr", a.lr),
                                      ("train_layers", a.train_layers)) if v is not None})
    (system,) = [s for s in rp.systems(True, Path(a.model)) if s.name == rp.BERT_NAME]
    start = time.perf_counter()
    out = rp.run_system(system, a.runs, a.corpus, seed=a.seed, with_test=False,
                        options=options)
    wall = time.perf_counter() - start
    docs = load_documents(a.corpus)
    folds = sorted({d.fold for d in docs})
    pred = rp.spans_by_id(rp._read_preds(out["cv"]))
    res = score({d.id: d.spans for d in docs}, {d.id: pred.get(d.id, []) for d in docs},
                schemes=("strict",))
    rows = fold_rows(system.folder(a.runs, a.seed), folds)
    inner = [r["inner_val_f1"] for r in rows if r["inner_val_f1"] is not None]
    figures = {"options": options, "seed": a.seed, "folds": rows, "wall_s": round(wall, 1),
               "mean_inner_val_f1": round(statistics.fmean(inner), 4) if inner else None,
               "cv_strict_f1": round(float(res["strict"]["micro"]["f1"]), 4)}
    for r in rows:
        print(f"fold {r['fold']}: trained in {r['train_s']} s, step {r['selected_step']} "
              f"selected, inner validation F1 {r['inner_val_f1']}")
    print(f"{len(folds)} folds in {wall:.1f} s; mean inner validation F1 "
          f"{figures['mean_inner_val_f1']}; CV strict micro F1 {figures['cv_strict_f1']}")
    if a.json:
        a.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
