"""The record layer: JSONL reading with located errors, and the dict ⇄ object codec."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import duikou.records
from duikou.errors import AnnotationError, DuikouError
from duikou.jsonio import read_jsonl, read_jsonl_lines, write_jsonl
from duikou.records import (
    Document,
    Relation,
    document_from_row,
    entities_record,
    relation_problems,
    span_from_dict,
    span_id,
    span_to_dict,
)
from duikou.schema import LABEL_NAMES
from duikou.spans import Span

ATTR_VALUES = st.one_of(st.none(), st.integers(-10**6, 10**6), st.text(max_size=4),
                        st.booleans())


@st.composite
def entity(draw: st.DrawFn) -> dict:
    start = draw(st.integers(0, 50))
    e = {"start": start, "end": start + draw(st.integers(1, 9)),
         "label": draw(st.sampled_from(LABEL_NAMES)), "text": draw(st.text(max_size=9))}
    for key in draw(st.lists(st.sampled_from(["value", "unit", "provenance", "score"]),
                             unique=True)):
        e[key] = draw(ATTR_VALUES)
    return e


@given(entity())
def test_entity_dicts_round_trip_through_spans(e: dict) -> None:
    assert span_to_dict(span_from_dict(e)) == e


def test_span_ids_are_stable_and_readable() -> None:
    s = Span(3, 7, "MONEY", "210万元")
    assert span_id(s) == "3-7-MONEY"
    assert span_id(Span(3, 7, "MONEY")) == span_id(s)
    assert span_id(Span(3, 8, "MONEY")) != span_id(s)


def test_span_from_dict_refuses_incomplete_entities() -> None:
    with pytest.raises(ValueError):
        span_from_dict({"start": 1, "label": "ORG"})


def test_entities_record_fills_text_from_the_document_in_order() -> None:
    rec = entities_record("d", "锦江区援助炉霍县", [Span(5, 8, "RECIPIENT"), Span(0, 3, "DONOR")])
    assert [e["text"] for e in rec["entities"]] == ["锦江区", "炉霍县"]


def test_relations_must_join_spans_of_the_same_document() -> None:
    donor, recipient = Span(0, 3, "DONOR"), Span(5, 8, "RECIPIENT")
    doc = Document("d", "锦江区援助炉霍县", spans=[donor, recipient])
    doc.relations = [Relation(span_id(donor), span_id(recipient), "AID")]
    assert relation_problems(doc) == []
    doc.relations.append(Relation(span_id(donor), "9-12-RECIPIENT", "AID"))
    doc.relations.append(Relation(span_id(donor), span_id(recipient), "AID"))
    assert [p.code for p in relation_problems(doc)] == ["DK-REL-001", "DK-REL-002"]


def test_dataset_rows_become_documents_with_an_empty_relation_list() -> None:
    row = {"id": "d", "text": "投入210万元", "date": "2020-01-01", "fold": 2, "title": None,
           "entities": [{"start": 2, "end": 8, "label": "MONEY", "text": "210万元",
                         "value": 2100000, "unit": "元"}]}
    doc = document_from_row(row, "test")
    assert (doc.split, doc.fold, doc.relations) == ("test", 2, [])
    assert doc.spans[0].attrs["value"] == 2100000 and doc.spans[0].attrs["provenance"] is None


def test_read_jsonl_locates_every_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"id": 1}\n\nnot json\n{"id": 2}\n{broken\n', encoding="utf-8")
    with pytest.raises(AnnotationError) as exc:
        read_jsonl(path, error=AnnotationError)
    assert exc.value.codes == ["DK-JSON-003", "DK-JSON-003"]
    assert [p.extra for p in exc.value.problems] == ["line 3", "line 5"]
    problems: list = []
    assert read_jsonl_lines(path, problems=problems) == [(1, {"id": 1}), (4, {"id": 2})]
    assert len(problems) == 2


def test_read_jsonl_locates_too_deep_nesting_and_too_long_integers(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"id": 1}\n' + "[" * 100_000 + "\n" + '{"v": ' + "9" * 5000 + "}\n",
                    encoding="utf-8")
    with pytest.raises(AnnotationError) as exc:
        read_jsonl(path, error=AnnotationError)
    assert exc.value.codes == ["DK-JSON-008", "DK-JSON-009"]
    assert [(p.file, p.extra) for p in exc.value.problems] == [(str(path), "line 2"),
                                                               (str(path), "line 3")]


def test_read_jsonl_missing_and_undecodable_files(tmp_path: Path) -> None:
    with pytest.raises(DuikouError) as exc:
        read_jsonl(tmp_path / "absent.jsonl")
    assert exc.value.codes == ["DK-JSON-001"]
    bad = tmp_path / "gbk.jsonl"
    bad.write_bytes('{"a": "援助"}\n'.encode("gbk"))
    with pytest.raises(DuikouError) as exc:
        read_jsonl(bad)
    assert exc.value.codes == ["DK-JSON-002"]


def test_written_jsonl_reads_back(tmp_path: Path) -> None:
    rows = [{"id": "b", "n": 1}, {"id": "a", "t": "𠮷"}]
    write_jsonl(tmp_path / "r.jsonl", rows)
    assert read_jsonl(tmp_path / "r.jsonl") == rows


def test_the_record_module_examples() -> None:
    assert doctest.testmod(duikou.records).failed == 0


def test_writes_go_through_symlinks_and_refuse_devices_and_folders(tmp_path: Path) -> None:
    target = tmp_path / "real.jsonl"
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    write_jsonl(link, [{"a": 1}])
    assert link.is_symlink() and target.read_text(encoding="utf-8") == '{"a":1}\n'
    for bad in (Path("/dev/null"), tmp_path, target / "under-a-file.jsonl"):
        with pytest.raises(DuikouError) as exc:
            write_jsonl(bad, [{"a": 1}])
        assert exc.value.codes == ["DK-JSON-007"], bad
    assert Path("/dev/null").is_char_device()


def test_dash_writes_jsonl_to_stdout(capsys) -> None:
    write_jsonl(Path("-"), [{"a": 1}, {"b": "援"}])
    assert capsys.readouterr().out == '{"a":1}\n{"b":"援"}\n'
