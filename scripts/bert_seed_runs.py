"""The BERT-type baseline over several seeds, in parallel on one GPU, then onto the board.

``duikou reproduce --with-bert --device cuda --bert-seeds 0,1,2 --update`` does the same
work one model at a time; on a GPU a small encoder leaves the card mostly idle, so this
script runs the models (per seed: the fixed-split model and one model per fold) as
parallel worker processes through the very function ``reproduce`` uses
(:func:`duikou.app.reproduce.run_system`), into the same ``runs/NAME/seed-S`` layout.
Training needs only torch and transformers, so it also runs where the rest of the
project's dependencies are not installed.

    python scripts/bert_seed_runs.py train --model DIR --seeds 0,1,2 --device cuda --workers 8
    python scripts/bert_seed_runs.py board --seeds 0,1,2 [--note TEXT] [--update]
    python scripts/bert_seed_runs.py renormalise --runs eval/predictions [--update]

``board`` scores the prediction files with the harness, derives ``bert+rules`` and
``bert+roles+rules`` from them as ``reproduce`` does (the rules' labels chosen on the
validation split from the committed predictions in ``--choice``, or with ``--split-model``),
prints the entries beside the committed ones, and
with ``--update`` replaces the committed entries of those three systems (``cv`` and ``test``)
on the leaderboard. ``grid`` trains fixed-split models only and
prints each setting's best validation F1 (never a test number): a settings search.
``renormalise`` gives the spans of prediction files the current normaliser's attributes (after a
dataset patch that changes only the normaliser; spans are untouched), then run ``board`` again.
``board`` does not redraw ``eval/figures``; ``duikou reproduce --reuse-models`` does (it takes
the BERT-type bars from the board).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NAME = "bert-e5-small"


def _bert(model: str):
    """The BERT-type system exactly as ``duikou reproduce --with-bert`` defines it."""
    from duikou.app.reproduce import systems

    return next(s for s in systems(True, Path(model)) if s.name == NAME)


def _job(model: str, runs: str, seed: int, fold: int | None, device: str,
         options: dict) -> dict:
    """One model: the fixed split (``fold`` None, with its test predictions) or one fold.
    Each worker's CPU side uses ``duikou.baselines.bert.THREADS`` threads (training sets it),
    so choose ``--workers`` up to cores / THREADS."""
    from duikou.app.reproduce import run_system

    t0 = time.perf_counter()
    run_system(_bert(model), Path(runs), None, seed=seed,
               folds=[] if fold is None else [fold], with_test=fold is None,
               device=device, options={"progress": False, **options})
    return {"seed": seed, "fold": fold, "seconds": round(time.perf_counter() - t0, 1)}


def _grid_job(model: str, runs: str, seed: int, device: str, setting: dict) -> dict:
    from duikou.baselines.api import train_model

    tag = "_".join(f"{k}{v}" for k, v in sorted(setting.items()))
    out = Path(runs) / "grid" / f"{tag}-seed{seed}"
    t0 = time.perf_counter()
    train_model("bert", split="train", model=model, out=out, seed=seed, device=device,
                progress=False, **setting)
    info = json.loads((out / "duikou_model.json").read_text(encoding="utf-8"))
    best = max(h["val_strict_f1"] for h in info["history"])
    return {"setting": setting, "seed": seed, "best_val_strict_f1": best,
            "history": info["history"], "seconds": round(time.perf_counter() - t0, 1)}


def _pool(workers: int):
    return ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"))


def cmd_train(a: argparse.Namespace) -> int:
    from duikou.app.reproduce import pool_folds
    from duikou.dataset.reader import load_documents

    folds = sorted({d.fold for d in load_documents(None)})
    jobs = [(s, f) for s in a.seeds for f in (None, *folds)]
    done = []
    with _pool(a.workers) as ex:
        futs = [ex.submit(_job, a.model, a.runs, s, f, a.device, json.loads(a.options))
                for s, f in jobs]
        for fut in as_completed(futs):
            done.append(fut.result())
            print(json.dumps(done[-1]), flush=True)
    for s in a.seeds:
        pool_folds(Path(a.runs) / NAME / f"seed-{s}", folds)
    print(f"{len(done)} models in {Path(a.runs) / NAME}", flush=True)
    return 0


def cmd_grid(a: argparse.Namespace) -> int:
    from duikou.jsonio import atomic_write_text

    settings = [json.loads(x) for x in a.setting]
    results = []
    with _pool(a.workers) as ex:
        futs = [ex.submit(_grid_job, a.model, a.runs, s, a.device, st)
                for st in settings for s in a.seeds]
        for fut in as_completed(futs):
            r = fut.result()
            results.append(r)
            print(json.dumps({k: v for k, v in r.items() if k != "history"}), flush=True)
            if a.out:
                atomic_write_text(Path(a.out), json.dumps(results, indent=1))
    return 0


def cmd_board(a: argparse.Namespace) -> int:
    from duikou import paths
    from duikou.app.reproduce import (
        DERIVED,
        _entry,
        combined_predictions,
        compare,
        rule_choice_from_folder,
        run_system,
        systems,
    )
    from duikou.eval.leaderboard import load_board, replace_entries, task_of

    runs, work = Path(a.runs), Path(a.work)
    system = _bert(str(ROOT / ".cache" / "models" / "e5-small-trimmed-v2"))
    if a.note:
        system = dataclasses.replace(system, description=f"{system.description}; {a.note}")
    preds = {NAME: {s: {p: runs / NAME / f"seed-{s}" / f"{p}.jsonl" for p in ("cv", "test")}
                    for s in a.seeds}}
    rules = next(s for s in systems(False) if s.name == "rules")
    preds["rules"] = {0: run_system(rules, work, None)}
    board = load_board(paths.eval_dir())
    committed = {(e["name"], e["protocol"]): e for e in board["entries"]
                 if task_of(e) == "spans"}
    entries = []
    todo = [(system, preds[NAME], None)]
    if a.split_model:
        choice = None  # chosen with that model below
    else:  # the committed validation predictions of the model that made the choice
        choice = rule_choice_from_folder(NAME, Path(a.choice), None, "bert+rules")
    for derived in DERIVED[NAME]:
        by_seed, choice = combined_predictions(
            preds, work, None, derived, choice=choice,
            split_model=Path(a.split_model) if a.split_model else None)
        if a.note:
            derived = dataclasses.replace(derived,
                                          description=f"{derived.description}; {a.note}")
        todo.append((derived, by_seed, choice))
    for sys_, by_seed, extra in todo:
        for protocol in ("cv", "test"):
            entry, _ = _entry(sys_, protocol, by_seed, None, extra=extra)
            ok, why = compare(entry, committed.get((sys_.name, protocol)), False)
            sp = entry["seeds"]["strict_f1"]
            print(f"{sys_.name} {protocol}: seeds {entry['seeds']['seeds']} "
                  f"{', '.join(f'{v:.4f}' for v in sp['values'])} → mean {sp['mean']:.4f} "
                  f"sd {'—' if sp['sd'] is None else format(sp['sd'], '.4f')}; against the "
                  f"committed entry: {'✓' if ok else '✗'} {why}")
            entries.append(entry)
    if a.update:
        replace_entries(entries, paths.eval_dir())
        print("leaderboard updated")
    return 0


def cmd_renormalise(a: argparse.Namespace) -> int:
    """Rewrite the attributes of committed prediction files with the current normaliser."""
    from duikou.baselines.base import renormalised
    from duikou.baselines.common import write_predictions
    from duikou.dataset.reader import load_documents
    from duikou.errors import Problem, SubmissionError
    from duikou.jsonio import read_jsonl

    docs = {d.id: d for d in load_documents(None)}
    runs = Path(a.runs)
    files = sorted(runs.glob("*/*/*.jsonl"))  # every system's seed and rule-choice folders
    total = 0
    for path in files:
        records = read_jsonl(path)
        unknown = sorted({r["id"] for r in records} - set(docs))
        if unknown:
            raise SubmissionError(Problem(
                f"unknown document id(s) {', '.join(unknown[:5])}: not in the corpus, so "
                "there is no text to normalise against", file=str(path), doc_id=unknown[0],
                code="DK-SUBMIT-017"))
        pairs = [renormalised(r, docs[r["id"]]) for r in records]
        changed = sum(n for _, n in pairs)
        total += changed
        if changed and a.update:
            write_predictions(path, [r for r, _ in pairs])
        print(f"{path}: {changed} span(s) with other attributes"
              f"{' (rewritten)' if changed and a.update else ''}")
    print(f"{total} span(s) in all" + ("" if a.update or not total else "; --update rewrites them"))
    return 0


def main(argv: list[str] | None = None) -> int:
    def seeds(v: str) -> list[int]:
        return [int(x) for x in v.split(",")]

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("train", "grid", "board", "renormalise"):
        c = sub.add_parser(name)
        c.add_argument("--runs", default=str(ROOT / "runs"))
        if name != "renormalise":  # it rewrites every prediction file under --runs
            c.add_argument("--seeds", type=seeds, default=[0, 1, 2])
        if name in ("train", "grid"):
            c.add_argument("--model", required=True, help="the (trimmed) encoder folder")
            c.add_argument("--device", default="cuda")
            c.add_argument("--workers", type=int, default=8)
    sub.choices["train"].add_argument("--options", default="{}",
                                      help="JSON train options (default: the defaults)")
    sub.choices["grid"].add_argument("--setting", action="append", required=True,
                                     help='JSON train options, e.g. \'{"steps": 840}\'')
    sub.choices["grid"].add_argument("--out", help="write the results JSON here as they come")
    sub.choices["board"].add_argument("--note", help="appended to the entry's description")
    sub.choices["board"].add_argument(
        "--work", default=str(ROOT / "runs"),
        help="where the rules and the derived systems' predictions are written")
    sub.choices["board"].add_argument(
        "--choice", default=str(ROOT / "eval" / "predictions" / NAME / "rule-choice"),
        help="folder with the validation predictions (validation.jsonl) and duikou_model.json "
             "of the BERT-type fixed-split model that chooses the labels the rules take in "
             "bert+rules and bert+roles+rules (default: the committed one)")
    sub.choices["board"].add_argument(
        "--split-model", help="choose them instead by predicting the validation split with "
                              "this fixed-split model folder")
    sub.choices["board"].add_argument("--update", action="store_true")
    sub.choices["renormalise"].add_argument("--update", action="store_true",
                                            help="rewrite the files (else only count)")
    a = p.parse_args(argv)
    return {"train": cmd_train, "grid": cmd_grid, "board": cmd_board,
            "renormalise": cmd_renormalise}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
