"""The reproduction command on a small corpus, with the fast rules baseline (and a tiny
BERT for the seed spread)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from duikou.app.reproduce import reproduce
from duikou.errors import SubmissionError

ROOT = Path(__file__).resolve().parent.parent


def test_reproduce_updates_then_confirms_then_detects_drift(sample_corpus, tmp_path, capsys):
    kwargs = dict(corpus=sample_corpus, runs=tmp_path / "runs", eval_folder=tmp_path / "eval",
                  build_corpus=False, curve=False, only=("rules",))
    assert reproduce(update=True, **kwargs) == 0
    board = json.loads((tmp_path / "eval/leaderboard.json").read_text())
    assert {(e["name"], e["protocol"]) for e in board["entries"]} == {("rules", "cv"),
                                                                     ("rules", "test")}
    assert (tmp_path / "eval/figures/per_label_f1.png").is_file()
    capsys.readouterr()

    assert reproduce(**kwargs) == 0
    assert "REPRODUCED" in capsys.readouterr().out

    board["entries"][0]["predictions_sha256"] = "0" * 64
    (tmp_path / "eval/leaderboard.json").write_text(json.dumps(board))
    assert reproduce(**kwargs) == 1
    assert "NOT REPRODUCED" in capsys.readouterr().out


def test_spot_check_compares_chosen_folds_with_committed_per_fold_f1(sample_corpus, tmp_path,
                                                                    capsys):
    from duikou.errors import DuikouError

    kwargs = dict(corpus=sample_corpus, runs=tmp_path / "runs", eval_folder=tmp_path / "eval",
                  build_corpus=False, curve=False, only=("rules",))
    assert reproduce(update=True, **kwargs) == 0
    path = tmp_path / "eval/leaderboard.json"
    board = json.loads(path.read_text())
    (cv,) = [e for e in board["entries"] if e["protocol"] == "cv"]
    from duikou.dataset.reader import load_documents

    folds = sorted({str(d.fold) for d in load_documents(sample_corpus)})
    assert sorted(cv["cv_fold_f1"]["per_fold"]) == folds and {"0", "3"} <= set(folds)
    capsys.readouterr()

    spot = {**kwargs, "runs": tmp_path / "spot"}
    assert reproduce(folds=(0, 3), **spot) == 0
    out = capsys.readouterr().out
    assert "SPOT CHECK REPRODUCED" in out and "fold 3" in out and "fold 1" not in out
    assert sorted(p.name for p in (tmp_path / "spot/rules").glob("*.jsonl")) == [
        "fold-0.jsonl", "fold-3.jsonl"]

    cv["cv_fold_f1"]["per_fold"]["3"] += 0.01
    path.write_text(json.dumps(board))
    assert reproduce(folds=(0, 3), **spot) == 1
    assert "SPOT CHECK NOT REPRODUCED" in capsys.readouterr().out
    with pytest.raises(DuikouError) as err:
        reproduce(folds=(0,), update=True, **kwargs)
    assert err.value.codes == ["DK-CLI-004"]


def test_bert_runs_several_seeds_and_records_their_spread(sample_corpus, tmp_path, capsys):
    from duikou.dataset.reader import load_documents
    from tests.tiny_bert import build_tiny_bert

    tiny = build_tiny_bert(tmp_path / "tiny", [d.text for d in load_documents(sample_corpus)])
    kwargs = dict(corpus=sample_corpus, runs=tmp_path / "runs", eval_folder=tmp_path / "eval",
                  build_corpus=False, curve=False, only=("rules", "bert-e5-small"),
                  with_bert=True, prepare=lambda: tiny,
                  bert_options={"steps": 3, "max_length": 64, "stride": 16,
                                "precision": "fp32"})
    assert reproduce(update=True, bert_seeds=(0, 1), **kwargs) == 0
    board = json.loads((tmp_path / "eval/leaderboard.json").read_text())
    by_protocol = {e["protocol"]: e for e in board["entries"] if e["name"] == "bert-e5-small"}
    # the derived systems (rules' figure labels, document-level roles) follow each seed
    for name in ("bert+rules", "bert+roles+rules"):
        for protocol in ("cv", "test"):
            (entry,) = [e for e in board["entries"]
                        if (e["name"], e["protocol"]) == (name, protocol)]
            assert entry["seeds"]["seeds"] == [0, 1] and isinstance(entry["rule_labels"], list)
            assert "seed 0" in entry["rule_labels_chosen_with"]
            assert (tmp_path / f"runs/{name}/seed-1/{protocol}.jsonl").is_file()
    cv = by_protocol["cv"]
    assert cv["seeds"]["seeds"] == [0, 1] and len(cv["seeds"]["strict_f1"]["values"]) == 2
    from duikou.dataset.reader import load_documents

    folds = sorted({d.fold for d in load_documents(sample_corpus)})
    assert sorted(cv["seed_fold_f1"]) == [str(k) for k in folds]
    assert by_protocol["test"]["seeds"]["seeds"] == [0, 1]
    assert (tmp_path / f"runs/bert-e5-small/seed-1/fold-{folds[-1]}/duikou_model.json").is_file()
    capsys.readouterr()

    # seed 0 again, one fold: deterministic on the CPU, so the fold's F1 is the committed one
    assert reproduce(folds=(2,), bert_seeds=(0,), **kwargs) == 0
    out = capsys.readouterr().out
    assert "SPOT CHECK REPRODUCED" in out and "|Δ| 0.0000" in out

    # --reuse-models reuses a saved model only when it was trained with the settings asked
    # for now; a changed setting (here the step count) retrains it and says why
    info = tmp_path / "runs/bert-e5-small/seed-0/fold-2/duikou_model.json"
    before = info.read_bytes()
    assert reproduce(folds=(2,), bert_seeds=(0,), reuse_models=True, **kwargs) == 0
    assert info.read_bytes() == before and "not reused" not in capsys.readouterr().out
    changed = {**kwargs, "bert_options": {**kwargs["bert_options"], "steps": 4}}
    reproduce(folds=(2,), bert_seeds=(0,), reuse_models=True, **changed)
    assert "not reused, trained with other settings (steps: 3 → 4)" in capsys.readouterr().out
    assert json.loads(info.read_text())["hyperparameters"]["steps"] == 4


def test_training_and_reproduce_modules_do_not_import_datasets():
    """Training and prediction need torch and transformers only (a GPU machine may lack
    the rest): the Hugging Face ``datasets`` import waits until features are made."""
    code = ("import sys, duikou.app.reproduce, duikou.baselines.bert, duikou.baselines.api; "
            "print('datasets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"
    from duikou.dataset.features import documents_features

    assert "entities" in documents_features()


def test_neural_comparison_uses_the_seed_spread():
    from duikou.app.reproduce import NEURAL_TOLERANCE, SPREAD_Z, compare, neural_tolerance, spread

    old = spread([0.60, 0.63, 0.57])
    tol, how = neural_tolerance(old, spread([0.55]), 0.03)
    assert tol == pytest.approx(SPREAD_Z * 0.03 * (1 / 3 + 1) ** 0.5) and "committed" in how
    assert neural_tolerance(spread([0.6]), spread([0.6]), 0.1) == (
        0.1, "no seed spread known: fixed tolerance")
    tol, how = neural_tolerance(spread([0.6]), spread([0.6, 0.6]), 0.1)
    assert tol == NEURAL_TOLERANCE and "this run's" in how
    committed = {"strict": {"f1": 0.60}, "seeds": {"seeds": [0, 1, 2], "strict_f1": old}}
    entry = {"seeds": {"seeds": [5], "strict_f1": spread([0.54])}}
    ok, why = compare(entry, committed, exact=False)
    assert ok and "over seeds [5]" in why and "committed 0.6000 ± 0.0300 over 3 seed(s)" in why
    entry["seeds"]["strict_f1"] = spread([0.50])
    assert not compare(entry, committed, exact=False)[0]
    # an entry from before seeds were recorded counts as one seed
    ok, _ = compare(entry, {"strict": {"f1": 0.52}}, exact=False)
    assert ok


def test_only_names_known_baselines(sample_corpus, tmp_path):
    """`--only bert-e5-small` without `--with-bert` would run nothing: refused, like a typo."""
    from duikou.errors import DuikouError

    kwargs = dict(corpus=sample_corpus, runs=tmp_path / "runs", eval_folder=tmp_path / "eval",
                  build_corpus=False, curve=False)
    for only in (("bert-e5-small",), ("crf", "svm")):
        with pytest.raises(DuikouError) as err:
            reproduce(only=only, **kwargs)
        assert err.value.codes == ["DK-CLI-006"] and only[-1] in str(err.value)



def test_systems_derived_from_committed_neural_predictions_are_rederived_exactly(
        sample_corpus, tmp_path, capsys):
    """Without --with-bert, bert+rules and bert+roles+rules are re-derived from the committed
    BERT-type prediction files (eval/predictions/bert-e5-small) and must match the board
    exactly, every seed; a changed committed file is caught. (The rules tagger's predictions
    stand in for the BERT-type ones here.)"""
    import shutil

    kwargs = dict(corpus=sample_corpus, runs=tmp_path / "runs", eval_folder=tmp_path / "eval",
                  build_corpus=False, curve=False, only=("rules",))
    folder, board_path = _stand_in_bert(sample_corpus, tmp_path, kwargs, seeds=(0, 1))

    assert reproduce(update=True, **kwargs) == 0
    names = {e["name"] for e in json.loads(board_path.read_text())["entries"]}
    assert {"bert+rules", "bert+roles+rules"} <= names
    capsys.readouterr()
    assert reproduce(**kwargs) == 0
    out = capsys.readouterr().out
    assert "REPRODUCED" in out and "re-derived from the committed files" in out

    changed = folder / "seed-1/cv.jsonl"
    rows = changed.read_text(encoding="utf-8").splitlines()
    first = json.loads(rows[0])
    first["entities"] = first["entities"][1:]
    changed.write_text("\n".join([json.dumps(first, ensure_ascii=False), *rows[1:]]) + "\n",
                       encoding="utf-8")
    assert reproduce(**kwargs) == 1
    assert "seed F1 differ" in capsys.readouterr().out
    # the first seed's file is the one the board's BERT-type entry hashes: not re-derived
    shutil.copy(changed, folder / "seed-0/cv.jsonl")
    assert reproduce(**kwargs) == 1
    out = capsys.readouterr().out
    assert "not re-derived" in out and "is not the file the board's bert-e5-small cv" in out


def _stand_in_bert(sample_corpus, tmp_path, kwargs: dict, seeds: tuple[int, ...]):
    """Committed BERT-type predictions and board rows for ``seeds`` made of the rules
    tagger's (after a first ``reproduce(update=True, **kwargs)``): the prediction folder
    and the board's path."""
    import shutil

    from duikou.dataset.reader import load_documents
    from duikou.jsonio import write_jsonl
    from duikou.records import entities_record

    assert reproduce(update=True, **kwargs) == 0
    folder = tmp_path / "eval/predictions/bert-e5-small"
    for seed in seeds:
        (folder / f"seed-{seed}").mkdir(parents=True)
        for protocol in ("cv", "test"):
            shutil.copy(tmp_path / f"runs/rules/{protocol}.jsonl",
                        folder / f"seed-{seed}/{protocol}.jsonl")
    (folder / "rule-choice").mkdir()
    val = load_documents(sample_corpus, split="validation")
    write_jsonl(folder / "rule-choice/validation.jsonl",
                [entities_record(d.id, d.text, d.spans[:1]) for d in val])
    (folder / "rule-choice/duikou_model.json").write_text(json.dumps(
        {"kind": "bert", "seed": 0, "dataset_version": "test",
         "hyperparameters": {"device": "cpu", "steps": 3}}), encoding="utf-8")
    board_path = tmp_path / "eval/leaderboard.json"
    board = json.loads(board_path.read_text())
    for entry in list(board["entries"]):  # the board's BERT-type rows: the rules' scores
        if entry["name"] != "rules":
            continue
        stand_in = json.loads(json.dumps(entry))
        f1 = stand_in["strict"]["f1"]
        stand_in.update(name="bert-e5-small", seeds={"seeds": list(seeds), "strict_f1": {
            "values": [f1] * len(seeds), "mean": f1, "sd": 0.0}})
        board["entries"].append(stand_in)
    board_path.write_text(json.dumps(board))
    return folder, board_path


def test_the_vote_of_bert_seeds_and_the_crf_is_derived_from_committed_files(
        sample_corpus, tmp_path, capsys):
    """vote+roles+rules is derived from the three lowest committed BERT-type seeds when the CRF
    ran: exactly reproduced from the same files, and caught when one changes; with
    fewer seeds it is not derived and the log says why. (The rules tagger's predictions
    stand in for the BERT-type ones.)"""
    kwargs = dict(corpus=sample_corpus, runs=tmp_path / "runs", eval_folder=tmp_path / "eval",
                  build_corpus=False, curve=False, only=("rules", "crf"))
    # four committed seeds: the three lowest vote
    folder, board_path = _stand_in_bert(sample_corpus, tmp_path, kwargs, seeds=(0, 1, 2, 3))
    assert reproduce(update=True, **kwargs) == 0
    entries = {(e["name"], e["protocol"]): e for e in json.loads(board_path.read_text())
               ["entries"]}
    for protocol in ("cv", "test"):
        entry = entries[("vote+roles+rules", protocol)]
        assert "seeds" not in entry and isinstance(entry["rule_labels"], list)
    capsys.readouterr()
    assert reproduce(**kwargs) == 0
    out = capsys.readouterr().out
    assert "BERT-type seeds 0, 1, 2 and the CRF, the committed BERT-type files" in out
    assert "REPRODUCED" in out
    rows = (folder / "seed-1/test.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(rows[0])
    assert first["entities"], "the stand-in needs spans in the first test document"
    for seed in (1, 2):  # two of four members lose them: no majority is left there
        (folder / f"seed-{seed}/test.jsonl").write_text("\n".join(
            [json.dumps({**first, "entities": []}), *rows[1:]]) + "\n", encoding="utf-8")
    assert reproduce(**kwargs) == 1
    out = capsys.readouterr().out
    assert any(line.startswith("vote+roles+rules test") and "✗ predictions differ" in line
               for line in out.splitlines())
    changed = folder / "seed-2/test.jsonl"
    changed.write_text("\n".join(rows[1:]) + "\n", encoding="utf-8")
    with pytest.raises(SubmissionError) as err:  # a lost document is named, not a KeyError
        reproduce(**kwargs)
    assert err.value.codes == ["DK-SUBMIT-018"] and first["id"] in str(err.value)
    (folder / "seed-2/test.jsonl").unlink()
    assert reproduce(**kwargs) == 1  # bert+roles+rules cannot be re-derived either
    assert "vote+roles+rules: not derived (missing committed file(s)" in capsys.readouterr().out


def test_a_vote_of_freshly_trained_seeds_is_compared_within_the_neural_tolerance():
    from duikou.app.reproduce import NEURAL_TOLERANCE, compare_f1

    old = {"strict": {"f1": 0.80}}
    ok, why = compare_f1({"strict": {"f1": 0.80 + NEURAL_TOLERANCE / 2}}, old)
    assert ok and "from other BERT-type seeds" in why
    ok, why = compare_f1({"strict": {"f1": 0.80 - 2 * NEURAL_TOLERANCE}}, old)
    assert not ok and ">" in why
    assert compare_f1({"strict": {"f1": 0.80}}, None) == (False, "no committed entry")
