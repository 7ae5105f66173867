"""The reproduction command on a small corpus, with the fast rules baseline."""

from __future__ import annotations

import json
from pathlib import Path

from duikou.app.reproduce import reproduce

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
