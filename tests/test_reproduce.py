"""The reproduction command on a small corpus, with the fast rules baseline."""

from __future__ import annotations

import json
from pathlib import Path

from duikou.corpus.build import build
from duikou.eval.reproduce import reproduce
from tests.helpers import sample_gold

ROOT = Path(__file__).resolve().parent.parent


def test_reproduce_updates_then_confirms_then_detects_drift(tmp_path, capsys):
    sample_gold(ROOT / "seeds", tmp_path / "gold.jsonl")
    corpus = build(tmp_path / "corpus", annotations=tmp_path / "gold.jsonl")
    kwargs = dict(corpus=corpus, runs=tmp_path / "runs", eval_folder=tmp_path / "eval",
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
