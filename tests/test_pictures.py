from duikou.eval.pictures import (
    NONE,
    confusion_counts,
    confusion_matrix,
    learning_curve,
    per_label_bars,
)
from duikou.spans import Span


def test_confusion_counts_on_boundary_matches():
    gold = {"d": [Span(0, 3, "DONOR"), Span(5, 8, "RECIPIENT"), Span(10, 12, "MONEY")]}
    pred = {"d": [Span(0, 3, "DONOR"), Span(5, 8, "DONOR"), Span(20, 22, "DATE")]}
    c = confusion_counts(gold, pred)
    assert c == {("DONOR", "DONOR"): 1, ("RECIPIENT", "DONOR"): 1, ("MONEY", NONE): 1,
                 (NONE, "DATE"): 1}


def test_pictures_are_written_and_deterministic(tmp_path):
    gold = {"d": [Span(0, 3, "DONOR")]}
    pred = {"d": [Span(0, 3, "ORG")]}
    a = confusion_matrix(gold, pred, tmp_path / "a.png", "t").read_bytes()
    b = confusion_matrix(gold, pred, tmp_path / "b.png", "t").read_bytes()
    assert a == b and a[:4] == b"\x89PNG"
    per_label_bars({"x": {"DONOR": 0.5}}, tmp_path / "bars.png")
    learning_curve({"x": [(1, 0.2), (2, 0.4)]}, tmp_path / "lc.png")
    assert (tmp_path / "bars.png").stat().st_size > 1000
    assert (tmp_path / "lc.png").stat().st_size > 1000
