"""Validation of submitted prediction JSONL: every bad case is reported, located."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from duikou.errors import Problem, SubmissionError
from duikou.eval.validate import validate_predictions
from duikou.spans import Span

DOCS = {
    "a": "锦江区帮扶炉霍县210万元",
    "b": "2022年6月，119人参加培训",
}


def line(doc_id: object, entities: object) -> str:
    return json.dumps({"id": doc_id, "entities": entities}, ensure_ascii=False)


def ent(start: int, end: int, label: str, text: str | None = None, **extra: object) -> dict:
    d: dict = {"start": start, "end": end, "label": label, **extra}
    if text is not None:
        d["text"] = text
    return d


GOOD_A = line("a", [ent(0, 3, "DONOR", "锦江区"), ent(5, 8, "RECIPIENT", "炉霍县"),
                    ent(8, 13, "MONEY", "210万元", value=2_100_000, unit="元", approx=False)])
GOOD_B = line("b", [ent(0, 7, "DATE", "2022年6月"), ent(8, 12, "PEOPLE")])


def write(tmp_path: Path, *lines: str, name: str = "pred.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(x + "\n" for x in lines), encoding="utf-8")
    return path


def problems_of(path: Path, **kw: object) -> list[Problem]:
    with pytest.raises(SubmissionError) as info:
        validate_predictions(path, DOCS, **kw)
    assert all(p.file == str(path) for p in info.value.problems)
    return info.value.problems


def test_valid_file_returns_sorted_spans_with_attributes(tmp_path: Path) -> None:
    out = validate_predictions(write(tmp_path, GOOD_B, "", GOOD_A), DOCS)
    assert list(out) == ["a", "b"]
    assert [s.key for s in out["a"]] == [(0, 3, "DONOR"), (5, 8, "RECIPIENT"),
                                         (8, 13, "MONEY")]
    assert out["a"][2].attrs == {"value": 2_100_000, "unit": "元", "approx": False}
    assert out["b"][1] == Span(8, 12, "PEOPLE") and out["b"][1].text is None


def test_document_with_no_entities_is_fine(tmp_path: Path) -> None:
    out = validate_predictions(write(tmp_path, GOOD_A, line("b", [])), DOCS)
    assert out["b"] == []


def test_missing_document(tmp_path: Path) -> None:
    [p] = problems_of(write(tmp_path, GOOD_A))
    assert p.doc_id == "b" and "missing" in p.message


def test_unknown_document(tmp_path: Path) -> None:
    [p] = problems_of(write(tmp_path, GOOD_A, GOOD_B, line("zzz", [])))
    assert (p.doc_id, p.extra) == ("zzz", "line 3") and "unknown document" in p.message


def test_duplicate_document(tmp_path: Path) -> None:
    [p] = problems_of(write(tmp_path, GOOD_A, GOOD_B, GOOD_A))
    assert (p.doc_id, p.extra) == ("a", "line 3") and "first given on line 1" in p.message


@pytest.mark.parametrize("start,end", [(-1, 2), (3, 3), (5, 2), (10, 99), (0.0, 2), ("0", 2),
                                       (True, 2), (0, True)])
def test_wrong_offsets(tmp_path: Path, start: object, end: object) -> None:
    problems = problems_of(write(tmp_path, line("a", [{"start": start, "end": end,
                                                       "label": "ORG"}]), GOOD_B))
    assert len(problems) == 1
    assert problems[0].doc_id == "a" and problems[0].extra.startswith("line 1")


def test_text_mismatch(tmp_path: Path) -> None:
    [p] = problems_of(write(tmp_path, line("a", [ent(0, 3, "DONOR", "锦江")]), GOOD_B))
    assert (p.doc_id, p.start, p.end, p.extra) == ("a", 0, 3, "line 1")
    assert "锦江区" in p.message


def test_unknown_label(tmp_path: Path) -> None:
    [p] = problems_of(write(tmp_path, GOOD_A, line("b", [ent(0, 7, "TIME")])))
    assert (p.doc_id, p.start, p.end, p.extra) == ("b", 0, 7, "line 2")
    assert "unknown label 'TIME'" in p.message


def test_overlap(tmp_path: Path) -> None:
    [p] = problems_of(write(tmp_path, GOOD_A,
                            line("b", [ent(0, 7, "DATE"), ent(5, 9, "COUNT")])))
    assert (p.doc_id, p.start, p.end) == ("b", 5, 9) and "overlaps" in p.message


def test_malformed_json_line(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, GOOD_A, '{"id": "b", "entities": [', "NaN"))
    assert [p.extra for p in problems] == ["line 2", "line 3", None]
    assert all("malformed JSON" in p.message for p in problems[:2])
    assert problems[2].doc_id == "b"  # and b is then missing


def test_too_deep_nesting_and_too_long_integers_are_located(tmp_path: Path) -> None:
    long_start = '{"id": "b", "entities": [{"start": ' + "1" * 5000 + ', "end": 1}]}'
    problems = problems_of(write(tmp_path, GOOD_A, "[" * 100_000, long_start))
    assert [(p.code, p.extra) for p in problems[:2]] == [("DK-JSON-008", "line 2"),
                                                         ("DK-JSON-009", "line 3")]


@pytest.mark.parametrize("key, value", [("value", 10 ** 400), ("value_max", -(10 ** 400)),
                                        ("value", float("inf"))],
                         ids=["value-400-digits", "value_max-400-digits", "value-1e400"])
def test_figure_values_beyond_float_range_are_located(tmp_path: Path, key: str,
                                                      value: object) -> None:
    raw = line("a", [ent(8, 13, "MONEY", "210万元", **{key: value})])
    raw = raw.replace("Infinity", "1e400")
    [p] = problems_of(write(tmp_path, raw, GOOD_B))
    assert (p.code, p.doc_id, p.extra, p.start, p.end) == ("DK-SUBMIT-020", "a",
                                                           "line 1, entity 0", 8, 13)
    assert len(str(p)) < 300


@pytest.mark.parametrize("bad", ['["a", []]', '"a"', "3", "null"])
def test_non_object_line(tmp_path: Path, bad: str) -> None:
    problems = problems_of(write(tmp_path, GOOD_A, bad, GOOD_B))
    assert len(problems) == 1 and problems[0].extra == "line 2"
    assert "expected a JSON object" in problems[0].message


def test_bad_fields_inside_an_object(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, json.dumps({"id": 1, "entities": []}),
                                 line("b", {"start": 0}), line("a", ["x", {"start": 0}])))
    messages = [(p.extra, p.message) for p in problems]
    assert messages[0][0] == "line 1" and "string 'id'" in messages[0][1]
    assert messages[1][0] == "line 2" and "'entities' list" in messages[1][1]
    assert messages[2][0] == "line 3, entity 0" and "entity object" in messages[2][1]
    assert messages[3][0] == "line 3, entity 1" and "lacks end, label" in messages[3][1]
    assert [p.doc_id for p in problems[4:]] == ["b"]  # missing after its bad line


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, line("a", [ent(0, 3, "DONOR", "x"), ent(2, 4, "NOPE")]),
                 line("a", []), line("c", []))
    problems = problems_of(path)
    assert len(problems) == 6  # text, label, overlap, duplicate, unknown, missing b
    rendered = str(SubmissionError(problems))
    assert "6 problems" in rendered and f"file {path}" in rendered and "line 1" in rendered


def test_empty_file(tmp_path: Path) -> None:
    for content in ("", "\n\n  \n"):
        path = tmp_path / "empty.jsonl"
        path.write_text(content, encoding="utf-8")
        [p] = problems_of(path)
        assert "empty" in p.message


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_A, GOOD_B)
    assert validate_predictions(path, DOCS, max_bytes=path.stat().st_size)
    [p] = problems_of(path, max_bytes=path.stat().st_size - 1)
    assert p.code == "DK-JSON-006" and str(path.stat().st_size - 1) in p.message


def test_devices_fifos_and_folders_are_refused_without_reading(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    for path in (Path("/dev/zero"), fifo, tmp_path):
        [p] = problems_of(path)
        assert p.code == "DK-JSON-005", path


def test_missing_file_and_non_utf8(tmp_path: Path) -> None:
    [p] = problems_of(tmp_path / "nope.jsonl")
    assert p.code == "DK-JSON-004"
    path = tmp_path / "gbk.jsonl"
    path.write_bytes(GOOD_A.encode("gbk"))
    [p] = problems_of(path)
    assert "UTF-8" in p.message
