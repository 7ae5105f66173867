"""Leaderboard ranking and the seed-spread column (pure functions of the record)."""


def test_a_system_with_several_seeds_is_ranked_by_their_mean_and_shows_the_spread():
    from duikou.eval.leaderboard import _seed_cell, rank_f1, ranked

    one = {"name": "a", "protocol": "cv", "strict": {"f1": 0.80}}
    many = {"name": "b", "protocol": "cv", "strict": {"f1": 0.82},
            "seeds": {"seeds": [0, 1, 2],
                      "strict_f1": {"values": [0.82, 0.70, 0.72], "mean": 0.7467, "sd": 0.064}}}
    single = {"name": "c", "protocol": "cv", "strict": {"f1": 0.78},
              "seeds": {"seeds": [0], "strict_f1": {"values": [0.78], "mean": 0.78, "sd": None}}}
    assert rank_f1(many) == 0.7467 and rank_f1(one) == 0.80
    assert [e["name"] for e in ranked([one, many, single], "cv")] == ["a", "c", "b"]
    assert _seed_cell(many) == "0.7467 ± 0.0640 (3 seeds)"
    assert _seed_cell(single) == "0.7800 (1 seed)" and _seed_cell(one) == "—"


def test_the_committed_bert_predictions_are_the_ones_on_the_board():
    """The BERT-type rows were trained on a GPU, so their prediction files are committed
    (eval/predictions/bert-e5-small): seed 0's file is the one the board hashes, and every
    seed's strict F1, re-scored here from the gold, is the board's value for that seed."""
    import hashlib
    import json
    from pathlib import Path

    import pytest

    from duikou.eval.harness import protocol_documents
    from duikou.jsonio import read_jsonl
    from duikou.records import spans_by_id
    from duikou.scoring import score

    root = Path(__file__).resolve().parent.parent
    folder = root / "eval" / "predictions" / "bert-e5-small"
    board = json.loads((root / "eval" / "leaderboard.json").read_text(encoding="utf-8"))
    for protocol in ("cv", "test"):
        entry = next(e for e in board["entries"]
                     if e["name"] == "bert-e5-small" and e["protocol"] == protocol)
        first = folder / f"seed-{entry['seeds']['seeds'][0]}" / f"{protocol}.jsonl"
        assert hashlib.sha256(first.read_bytes()).hexdigest() == entry["predictions_sha256"]
        docs = protocol_documents(protocol, None)
        gold = {d.id: d.spans for d in docs}
        for seed, value in zip(entry["seeds"]["seeds"], entry["seeds"]["strict_f1"]["values"],
                               strict=True):
            pred = spans_by_id(read_jsonl(folder / f"seed-{seed}" / f"{protocol}.jsonl"))
            res = score(gold, {d.id: pred.get(d.id, []) for d in docs}, schemes=("strict",))
            assert res["strict"]["micro"]["f1"] == pytest.approx(value, abs=1e-12)


def test_the_bert_derived_systems_on_the_board_are_rederived_from_committed_files(tmp_path):
    """bert+rules and bert+roles+rules are derived, not trained: the rules' labels follow from
    the committed validation predictions of the model that chose them (rule-choice/), and
    each seed's strict F1 from the committed BERT-type predictions, the rules tagger and the
    document-level roles, exactly as the board records them."""
    import json
    from pathlib import Path

    import pytest

    from duikou.app.reproduce import (
        DERIVED,
        combined_predictions,
        rule_choice_from_folder,
        run_system,
        systems,
    )
    from duikou.eval.harness import protocol_documents
    from duikou.jsonio import read_jsonl
    from duikou.records import spans_by_id
    from duikou.scoring import score

    root = Path(__file__).resolve().parent.parent
    folder = root / "eval" / "predictions" / "bert-e5-small"
    board = json.loads((root / "eval" / "leaderboard.json").read_text(encoding="utf-8"))
    entries = {(e["name"], e["protocol"]): e for e in board["entries"]
               if e.get("task", "spans") == "spans"}
    info_file = folder / "rule-choice" / "duikou_model.json"
    info = json.loads(info_file.read_text("utf-8"))
    assert info["seed"] == 0 and info["trained_on"]["split"] == "train"
    choice = rule_choice_from_folder("bert-e5-small", folder / "rule-choice", None,
                                     "bert+rules")

    rules_system = next(s for s in systems(False) if s.name == "rules")
    preds = {"rules": {0: run_system(rules_system, tmp_path, None)}}
    seeds = entries[("bert-e5-small", "cv")]["seeds"]["seeds"]
    preds["bert-e5-small"] = {s: {p: folder / f"seed-{s}" / f"{p}.jsonl" for p in ("cv", "test")}
                              for s in seeds}
    for system in DERIVED["bert-e5-small"]:
        cv = entries[(system.name, "cv")]
        assert {k: cv[k] for k in choice} == choice
        by_seed, _ = combined_predictions(preds, tmp_path, None, system, choice=choice)
        for protocol in ("cv", "test"):
            entry = entries[(system.name, protocol)]
            docs = protocol_documents(protocol, None)
            gold = {d.id: d.spans for d in docs}
            for seed, value in zip(entry["seeds"]["seeds"],
                                   entry["seeds"]["strict_f1"]["values"], strict=True):
                pred = spans_by_id(read_jsonl(by_seed[seed][protocol]))
                res = score(gold, {d.id: pred.get(d.id, []) for d in docs},
                            schemes=("strict",))
                assert res["strict"]["micro"]["f1"] == pytest.approx(value, abs=1e-12)


def test_the_committed_prediction_files_carry_the_current_normalisers_attributes():
    """A dataset patch that changes the normaliser must be followed by
    `scripts/bert_seed_runs.py renormalise --runs eval/predictions --update` (the board's
    figure accuracy reads the files' attributes)."""
    from pathlib import Path

    from duikou.baselines.base import renormalised
    from duikou.dataset.reader import load_documents
    from duikou.jsonio import read_jsonl

    root = Path(__file__).resolve().parent.parent
    docs = {d.id: d for d in load_documents(None)}
    files = sorted((root / "eval" / "predictions").glob("*/*/*.jsonl"))
    assert files
    stale = {str(f.relative_to(root)): n for f in files
             if (n := sum(renormalised(r, docs[r["id"]])[1] for r in read_jsonl(f)))}
    assert stale == {}


def test_renormalised_rewrites_stale_attributes_and_leaves_the_rest():
    from duikou.baselines.base import renormalised
    from duikou.records import Document

    text = "精准帮扶项目1132个。近3年,铜仁有41.9万名贫困人口脱贫。"
    doc = Document("d", text, "2020-08-19", None, None, [], None, [])
    a, b, c = text.index("近3年"), text.index("41.9万名"), text.index("铜仁")
    stale = {"start": a, "end": a + 3, "label": "QUANTITY", "text": "近3年", "value": 3,
             "value_max": None, "unit": "year", "approx": "nearly", "date": None}
    bare = {"start": b, "end": b + 6, "label": "PEOPLE", "text": "41.9万名"}
    party = {"start": c, "end": c + 2, "label": "RECIPIENT", "text": "铜仁", "value": None,
             "value_max": None, "unit": None, "approx": None, "date": None}
    record = {"id": "d", "entities": [stale, bare, party], "extra": 1}
    new, changed = renormalised(record, doc)
    assert changed == 1 and new["extra"] == 1
    assert new["entities"][0] == {**stale, "approx": None}
    assert new["entities"][1:] == [bare, party]
    assert renormalised(new, doc)[1] == 0
