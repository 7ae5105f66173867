"""scripts/feature_candidates.py: the counts behind the named-feature rule."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from duikou.spans import Span

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "feature_candidates.py"


def _script():
    spec = importlib.util.spec_from_file_location("feature_candidates", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_each_uncovered_listed_word_is_counted_once_by_what_the_gold_says():
    text = "炉霍县位于青藏高原东南缘，塔里木盆地，六盘山。"
    tibet, tarim, liupan = (text.index(w) for w in ("青藏高原", "塔里木盆地", "六盘山"))
    words = {"青藏高原", "塔里木盆地", "六盘山"}
    gold = [Span(tibet, tibet + 4, "LOC"), Span(tarim - 1, tarim + 5, "LOC")]
    voted = [Span(liupan, liupan + 3, "LOC")]
    assert _script()._outcomes(text, words, voted, gold) == ["gold LOC", "inside"]


def test_without_the_crf_predictions_it_says_what_to_run(tmp_path, capsys):
    assert _script().main(["--runs", str(tmp_path)]) == 2
    assert "duikou reproduce" in capsys.readouterr().err
