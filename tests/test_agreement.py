from __future__ import annotations

import json

import pytest

from duikou.annotation.agreement import agreement, char_labels, cohen_kappa, load_sets
from duikou.annotation.gold import annotation_record, write_annotations
from duikou.errors import AnnotationError
from duikou.spans import Span
from tests.helpers import raises_code

TEXTS = {"d1": "锦江区援助炉霍县210万元", "d2": "思明区帮扶临夏市"}


def test_identical_annotations_agree_perfectly():
    sets = {"A": {"d1": [Span(0, 3, "DONOR"), Span(9, 14, "MONEY")]},
            "B": {"d1": [Span(0, 3, "DONOR"), Span(9, 14, "MONEY")]}}
    res = agreement(sets, TEXTS)["pairs"][0]
    assert res["strict"]["micro"]["f1"] == 1.0 and res["char_kappa"] == 1.0


def test_boundary_disagreement_costs_strict_f1_but_little_kappa():
    sets = {"A": {"d1": [Span(0, 3, "DONOR"), Span(5, 8, "RECIPIENT")]},
            "B": {"d1": [Span(0, 3, "DONOR"), Span(5, 7, "RECIPIENT")]}}
    res = agreement(sets, TEXTS)["pairs"][0]
    assert res["strict"]["micro"]["f1"] == pytest.approx(0.5)
    assert 0.7 < res["char_kappa"] < 1.0
    assert res["strict"]["per_label"]["RECIPIENT"]["f1"] == 0.0


def test_kappa_known_value():
    # po = 0.5; pe = 0.5*0.5 + 0.5*0.5 = 0.5 → kappa 0
    assert cohen_kappa(list("OXOX"), list("OOXX")) == pytest.approx(0.0)
    assert cohen_kappa(list("XXOO"), list("XXOO")) == 1.0
    assert char_labels(4, [Span(1, 3, "PER")]) == ["O", "PER", "PER", "O"]


def test_only_shared_documents_are_compared():
    sets = {"A": {"d1": [Span(0, 3, "DONOR")], "d2": [Span(0, 3, "DONOR")]},
            "B": {"d1": [Span(0, 3, "DONOR")]}}
    assert agreement(sets, TEXTS)["pairs"][0]["documents"] == ["d1"]


def test_one_file_with_several_annotators(tmp_path):
    path = tmp_path / "ls.jsonl"
    recs = [annotation_record("d1", TEXTS["d1"], [Span(0, 3, "DONOR")], annotator="u1"),
            annotation_record("d1", TEXTS["d1"], [Span(0, 3, "ORG")], annotator="u2")]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs))
    sets = load_sets([path], TEXTS)
    assert sorted(sets) == ["u1", "u2"]
    assert agreement(sets, TEXTS)["pairs"][0]["strict"]["micro"]["f1"] == 0.0


def test_needs_two_annotators(tmp_path):
    path = tmp_path / "a.jsonl"
    write_annotations(path, [annotation_record("d1", TEXTS["d1"], [])])
    with raises_code(AnnotationError, "DK-ANN-004"):
        agreement(load_sets([path], TEXTS), TEXTS)


def test_passes_of_different_batches_are_reported_apart():
    from duikou.annotation.agreement import agreement
    from duikou.spans import Span

    texts = {"d1": "锦江区援助炉霍县", "d2": "厦门市帮扶临夏市"}
    sets = {"A": {"d1": [Span(0, 3, "DONOR")]}, "B": {"d1": [Span(0, 3, "DONOR")]},
            "S": {"d2": [Span(0, 3, "DONOR")]}, "L": {"d2": []}}
    res = agreement(sets, texts)
    assert [(p["a"], p["b"]) for p in res["pairs"]] == [("A", "B"), ("L", "S")]
    assert len(res["unpaired"]) == 4
