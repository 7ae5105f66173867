"""Label Studio converters without a server: config, task export, export import, JSONL."""

from __future__ import annotations

import json
import socket
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from label_studio_sdk.label_interface import LabelInterface

from duikou.annotation.labelstudio import (
    ImportResult,
    docs_by_id,
    export_tasks,
    import_export,
    label_config,
    read_predictions,
    run_import,
    select_docs,
    text_sha256,
)
from duikou.annotation.ls_client import pull, push
from duikou.errors import LabelStudioError
from duikou.jsonio import write_jsonl
from duikou.schema import LABEL_NAMES, LABELS
from tests.helpers import raises_code

TEXT_A = "𠮷😀 锦江区援助炉霍县\r\n\t2022年6月，捐赠210万元。"
TEXT_B = "  厦门市思明区\n帮扶临夏市😀119人"


def _ent(text: str, surface: str, label: str, nth: int = 0) -> dict:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return {"start": start, "end": start + len(surface), "label": label, "text": surface}


DOCS = [
    {"id": "doc-a", "text": TEXT_A, "entities": [
        _ent(TEXT_A, "锦江区", "DONOR"), _ent(TEXT_A, "炉霍县", "RECIPIENT"),
        _ent(TEXT_A, "2022年6月", "DATE"), _ent(TEXT_A, "210万元", "MONEY"),
    ]},
    {"id": "doc-b", "text": TEXT_B, "entities": [
        _ent(TEXT_B, "厦门市思明区\n帮扶", "PROGRAM"), _ent(TEXT_B, "119人", "PEOPLE"),
    ]},
]
CORPUS = docs_by_id(DOCS)


def as_ls_export(tasks: list[dict], *, annotator: object = 7) -> list[dict]:
    """What Label Studio's JSON export looks like for imported tasks: ids and metadata."""
    out = []
    for i, task in enumerate(tasks, start=1):
        anns = [{"id": 100 * i + j, "completed_by": annotator, "result": a["result"],
                 "was_cancelled": False, "ground_truth": j == 0, "lead_time": 3.5,
                 "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-02T00:00:00Z"}
                for j, a in enumerate(task.get("annotations", []))]
        out.append({"id": i, "data": task["data"], "annotations": anns,
                    "predictions": task.get("predictions", [])})
    return out


def core(spans: list[dict]) -> list[tuple]:
    return sorted((s["start"], s["end"], s["label"], s["text"]) for s in spans)


# ------------------------------------------------------------------ config


def test_label_config_is_generated_from_schema_and_valid() -> None:
    config = label_config()
    root = ET.fromstring(config)
    labels = root.findall("./Labels/Label")
    assert [lb.get("value") for lb in labels] == list(LABEL_NAMES)
    assert [(lb.get("background"), lb.get("hotkey")) for lb in labels] == [
        (lb.colour, lb.hotkey) for lb in LABELS]
    text = root.find(".//Text")
    assert text is not None and text.get("value") == "$text"
    assert text.get("granularity") == "symbol"
    assert "white-space: pre-wrap" in config
    LabelInterface(config).validate()  # raises on an invalid config


def test_label_interface_accepts_exported_prediction_and_rejects_unknown_label() -> None:
    li = LabelInterface(label_config())
    preds = {"doc-a": [dict(e, score=0.5) for e in DOCS[0]["entities"]]}
    task = export_tasks(DOCS[:1], predictions=preds, model_version="m1")[0]
    assert li.validate_prediction(task["predictions"][0]) is True
    bad = json.loads(json.dumps(task["predictions"][0]))
    bad["result"][0]["value"]["labels"] = ["NOT_A_LABEL"]
    assert li.validate_prediction(bad) is False


# ------------------------------------------------------------------ export


def test_export_tasks_data_and_predictions_carry_exact_surface() -> None:
    preds = {"doc-a": [{"start": 0, "end": 2, "label": "ORG", "score": 0.25},
                       {"start": 3, "end": 6, "label": "DONOR"}], "doc-b": []}
    tasks = export_tasks(DOCS, predictions=preds, model_version="crf-1")
    assert [t["data"]["doc_id"] for t in tasks] == ["doc-a", "doc-b"]
    assert tasks[0]["data"] == {"text": TEXT_A, "doc_id": "doc-a",
                                "text_sha256": text_sha256(TEXT_A)}
    (pred,) = tasks[0]["predictions"]
    assert pred["model_version"] == "crf-1"
    first, second = pred["result"]
    assert first["value"] == {"start": 0, "end": 2, "text": "𠮷😀", "labels": ["ORG"]}
    assert first["score"] == 0.25 and "score" not in second
    assert second["value"]["text"] == "锦江区"
    assert {(r["from_name"], r["to_name"], r["type"]) for r in pred["result"]} == {
        ("label", "text", "labels")}
    # "entities": [] is the model finding nothing: an explicit empty prediction
    assert tasks[1]["predictions"] == [{"model_version": "crf-1", "result": []}]
    assert "annotations" not in tasks[0]


def test_a_document_without_predictions_is_refused_not_given_an_empty_one(
        tmp_path: Path) -> None:
    """Before, a document missing from the predictions silently got an empty prediction
    (as if the model had found nothing); now that is a located error."""
    with raises_code(LabelStudioError, "DK-LS-036") as err:
        export_tasks(DOCS, predictions={"doc-a": []}, model_version="m")
    [p] = err.value.problems
    assert p.doc_id == "doc-b" and p.file is None
    path = tmp_path / "preds.jsonl"
    write_jsonl(path, [{"id": "doc-a", "entities": []}])
    with raises_code(LabelStudioError, "DK-LS-036") as err:
        export_tasks(DOCS, predictions=read_predictions(path))
    assert err.value.problems[0].file == str(path)
    assert export_tasks(DOCS[:1], predictions=read_predictions(path))[0]["predictions"] == [
        {"result": []}]


def test_read_predictions_refuses_a_document_given_twice_and_a_line_without_entities(
        tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    write_jsonl(path, [{"id": "doc-a", "entities": []}, {"id": "doc-b", "entities": []},
                       {"id": "doc-a", "entities": [ENT]}, {"id": "doc-b"}])
    with raises_code(LabelStudioError, "DK-LS-037", "DK-CLI-003") as err:
        read_predictions(path)
    dup, missing = err.value.problems
    assert (dup.file, dup.doc_id, dup.extra) == (str(path), "doc-a", "line 3")
    assert "line 1" in dup.message and missing.extra == "line 4"


def test_span_errors_in_predictions_name_the_predictions_file_and_line(
        tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    write_jsonl(path, [{"id": "doc-a", "entities": []},
                       {"id": "doc-b", "entities": [{"start": 0, "end": 99, "label": "ORG"},
                                                    {"start": 2, "end": 4, "label": "NOPE"}]},
                       {"id": "ghost", "entities": []}])
    with raises_code(LabelStudioError, "DK-SPAN-007", "DK-SPAN-008", "DK-LS-003") as err:
        export_tasks(DOCS, predictions=read_predictions(path))
    spans = [p for p in err.value.problems if p.code.startswith("DK-SPAN")]
    assert {(p.file, p.doc_id, p.extra) for p in spans} == {
        (str(path), "doc-b", "line 2, prediction")}
    ghost = next(p for p in err.value.problems if p.code == "DK-LS-003")
    assert (ghost.file, ghost.extra) == (str(path), "line 3, prediction")
    assert f"file {path}, document doc-b, line 2, prediction" in str(err.value)


def test_select_docs_keeps_corpus_order_and_locates_unknown_ids() -> None:
    assert [d["id"] for d in select_docs(DOCS, "doc-b,doc-a")] == ["doc-a", "doc-b"]
    with raises_code(LabelStudioError, "DK-LS-038") as err:
        select_docs(DOCS, "doc-a,nope,,doc-b")
    assert [(p.doc_id, p.extra) for p in err.value.problems] == [
        ("nope", "--docs item 2"), (None, "--docs item 3")]


def test_export_with_gold_makes_annotations() -> None:
    tasks = export_tasks(DOCS, with_gold=True)
    got = [(r["value"]["start"], r["value"]["end"], r["value"]["labels"][0], r["value"]["text"])
           for r in tasks[1]["annotations"][0]["result"]]
    assert got == core(DOCS[1]["entities"])
    assert "predictions" not in tasks[1]


def test_export_reports_every_bad_span() -> None:
    doc = {"id": "d", "text": "锦江区援助", "entities": [
        {"start": 0, "end": 9, "label": "DONOR", "text": "x"},
        {"start": 0, "end": 2, "label": "NOPE", "text": "锦江"},
        {"start": 1, "end": 3, "label": "ORG", "text": "WRONG"},
    ]}
    with pytest.raises(LabelStudioError) as err:
        export_tasks([doc, doc], with_gold=True, predictions={"ghost": []})
    msgs = [p.message for p in err.value.problems]
    assert any("text length" in m for m in msgs)
    assert any("unknown label 'NOPE'" in m for m in msgs)
    assert any("'WRONG'" in m for m in msgs)
    assert any("duplicate document id" in m for m in msgs)
    assert any(p.doc_id == "ghost" for p in err.value.problems)


# ------------------------------------------------------------------ import


def test_gold_round_trip_through_export_format() -> None:
    export = as_ls_export(export_tasks(DOCS, with_gold=True), annotator=7)
    result = import_export(export, CORPUS)
    assert isinstance(result, ImportResult)
    assert [r["id"] for r in result.records] == ["doc-a", "doc-b"]
    for rec, doc in zip(result.records, DOCS, strict=True):
        assert core(rec["entities"]) == core(doc["entities"])
        assert {e["provenance"] for e in rec["entities"]} <= {"label-studio"}
        assert rec["text_sha256"] == text_sha256(doc["text"])
        assert rec["annotator"] == "7" and rec["ground_truth"] is True
        assert rec["created_at"] == "2026-01-01T00:00:00Z" and rec["lead_time"] == 3.5
    assert result.cancelled == 0 and result.ignored == {} and result.tasks == 2


def test_ui_line_break_rendering_in_value_text_is_accepted() -> None:
    export = as_ls_export(export_tasks(DOCS, with_gold=True))
    for task in export:
        for region in task["annotations"][0]["result"]:
            v = region["value"]
            v["text"] = v["text"].replace("\r\n", "\\n").replace("\n", "\\n")
    result = import_export(export, CORPUS)
    assert core(result.records[1]["entities"]) == core(DOCS[1]["entities"])
    assert result.records[1]["entities"][0]["text"] == "厦门市思明区\n帮扶"


def test_cancelled_ignored_email_and_missing_value_text() -> None:
    export = as_ls_export(export_tasks(DOCS[:1], with_gold=True),
                          annotator={"id": 3, "email": "ann@example.org"})
    ann = export[0]["annotations"][0]
    del ann["result"][0]["value"]["text"]
    ann["result"] += [
        {"type": "relation", "from_id": "g0", "to_id": "g1", "direction": "right",
         "labels": ["AID"]},
        {"type": "choices", "from_name": "x", "to_name": "text", "value": {"choices": ["a"]}},
        {"type": "relation", "from_id": "g2", "to_id": "g3", "direction": "left",
         "labels": ["TIME"]},
    ]
    export[0]["annotations"].append(dict(ann, id=999, was_cancelled=True, result=[]))
    result = import_export(export, CORPUS)
    assert len(result.records) == 1 and result.records[0]["annotator"] == "ann@example.org"
    assert core(result.records[0]["entities"]) == core(DOCS[0]["entities"])
    assert result.cancelled == 1
    assert result.ignored == {"choices": 1}
    assert "1 cancelled" in result.summary() and "1 choices" in result.summary()
    assert result.records[0]["relations"] == [
        {"head": "3-6-DONOR", "tail": "8-11-RECIPIENT", "type": "AID"},
        {"head": "24-29-MONEY", "tail": "14-21-DATE", "type": "TIME"},  # direction left
    ]


REL_DOC = dict(DOCS[0], relations=[
    {"head": "3-6-DONOR", "tail": "8-11-RECIPIENT", "type": "AID"},
    {"head": "3-6-DONOR", "tail": "24-29-MONEY", "type": "AMOUNT"},
    {"head": "24-29-MONEY", "tail": "14-21-DATE", "type": "TIME"},
])


def test_gold_relations_round_trip_through_export_and_import() -> None:
    tasks = export_tasks([REL_DOC], with_gold=True)
    items = [r for r in tasks[0]["annotations"][0]["result"] if r["type"] == "relation"]
    assert {(r["from_id"], r["to_id"], r["labels"][0], r["direction"]) for r in items} == {
        ("g0", "g1", "AID", "right"), ("g0", "g3", "AMOUNT", "right"),
        ("g3", "g2", "TIME", "right")}
    record = import_export(as_ls_export(tasks), CORPUS).records[0]
    assert sorted(map(str, record["relations"])) == sorted(map(str, REL_DOC["relations"]))


@pytest.mark.parametrize(("change", "code"), [
    ({"direction": "bi"}, "DK-LS-030"),
    ({"labels": []}, "DK-LS-029"),
    ({"labels": ["AID", "TIME"]}, "DK-LS-029"),
    ({"to_id": "nowhere"}, "DK-LS-028"),
    ({"labels": ["HELPS"]}, "DK-REL-003"),
    ({"to_id": "g3"}, "DK-REL-004"),  # AID from a DONOR to a MONEY span
])
def test_bad_relations_in_an_export_are_located_errors(change: dict, code: str) -> None:
    export = as_ls_export(export_tasks([REL_DOC], with_gold=True))
    rel = next(r for r in export[0]["annotations"][0]["result"] if r["type"] == "relation"
               and r["labels"] == ["AID"])
    rel.update(change)
    with raises_code(LabelStudioError, code) as err:
        import_export(export, CORPUS)
    assert "doc-a" in str(err.value) and "task 1, annotation 100" in str(err.value)


def test_export_refuses_gold_relations_that_do_not_fit_the_spans() -> None:
    bad = dict(DOCS[0], relations=[{"head": "3-6-DONOR", "tail": "0-1-RECIPIENT",
                                    "type": "AID"}])
    with raises_code(LabelStudioError, "DK-REL-001"):
        export_tasks([bad], with_gold=True)


def _region(start: int, end: int, label: str, text: str, rid: str = "r") -> dict:
    return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels",
            "value": {"start": start, "end": end, "labels": [label], "text": text}}


def test_every_problem_is_reported_with_task_and_annotation() -> None:
    sha_a = text_sha256(TEXT_A)
    good = {"text": TEXT_A, "doc_id": "doc-a", "text_sha256": sha_a}
    export = [
        {"id": 1, "data": {"text": "x"}, "annotations": []},
        {"id": 2, "data": {"text": "x", "doc_id": "nowhere"}, "annotations": []},
        {"id": 3, "data": {"text": TEXT_B + "!", "doc_id": "doc-c"}, "annotations": []},
        {"id": 4, "data": {"doc_id": "doc-b", "text_sha256": "0" * 64}, "annotations": []},
        {"id": 5, "data": good, "annotations": [{"id": 50, "completed_by": 1, "result": [
            _region(0, 99, "DONOR", "x", "out"),
            _region(3, 6, "DONOR", "锦江", "mismatch"),
            _region(7, 9, "SPONSOR", "助炉", "unknown"),
            _region(10, 12, "ORG", TEXT_A[10:12]),
            _region(11, 13, "LOC", TEXT_A[11:13]),
        ]}]},
    ]
    with pytest.raises(LabelStudioError) as err:
        import_export(export, dict(CORPUS, **{"doc-c": TEXT_B}))
    problems = err.value.problems
    where = [(p.extra, p.message) for p in problems]
    assert len(problems) == 8, where
    assert any(e == "task 1" and "no data.doc_id" in m for e, m in where)
    assert any(e == "task 2" and "not found in the corpus" in m for e, m in where)
    assert any(e == "task 3" and f"from code point {len(TEXT_B)}" in m for e, m in where)
    assert any(e == "task 4" and "text_sha256" in m for e, m in where)
    in_ann = [p for p in problems if p.extra == "task 5, annotation 50"]
    assert {(p.start, p.end) for p in in_ann} == {(0, 99), (3, 6), (7, 9), (11, 13)}
    assert all(p.doc_id == "doc-a" for p in in_ann)
    assert "4 problems" not in str(err.value) and "8 problems" in str(err.value)


def test_a_task_with_only_a_doc_id_is_refused() -> None:
    """A task naming a document but carrying neither its text nor its hash used to be
    accepted (and stamped with the corpus hash): nothing showed it was made from it."""
    export = as_ls_export(export_tasks(DOCS, with_gold=True))
    export[1]["data"] = {"doc_id": "doc-b"}
    with raises_code(LabelStudioError, "DK-LS-035") as err:
        import_export(export, CORPUS)
    [p] = err.value.problems
    assert (p.doc_id, p.extra) == ("doc-b", "task 2")
    for keep in ("text", "text_sha256"):  # either one is enough
        export[1]["data"] = {"doc_id": "doc-b", keep: DOCS[1]["text"] if keep == "text"
                             else text_sha256(DOCS[1]["text"])}
        assert len(import_export(export, CORPUS).records) == 2


@pytest.mark.parametrize("completed_by, users, want", [
    (7, None, "7"), (7, {7: "ann@duikou.test"}, "ann@duikou.test"),
    ({"id": 7}, {7: "ann@duikou.test"}, "ann@duikou.test"),
    ({"id": 7, "email": "e@duikou.test"}, {}, "e@duikou.test"), (7, {7: ""}, "7"),
])
def test_annotators_resolve_by_id_or_email(completed_by: object, users: dict | None,
                                           want: str) -> None:
    export = as_ls_export(export_tasks(DOCS[:1], with_gold=True), annotator=completed_by)
    assert import_export(export, CORPUS, users=users).records[0]["annotator"] == want


@pytest.mark.parametrize("completed_by, users", [
    (8, {7: "ann@duikou.test"}), (None, None), ({"name": "x"}, None), (True, None),
    ({"id": 8}, {7: "ann@duikou.test"}),
])
def test_unresolvable_annotators_are_located_errors(completed_by: object,
                                                    users: dict | None) -> None:
    export = as_ls_export(export_tasks(DOCS[:1], with_gold=True), annotator=completed_by)
    with raises_code(LabelStudioError, "DK-LS-041") as err:
        import_export(export, CORPUS, users=users)
    [p] = err.value.problems
    assert (p.doc_id, p.extra) == ("doc-a", "task 1, annotation 100")


def test_imported_records_sort_ids_as_numbers() -> None:
    texts = {str(n): f"文本{n}" for n in (9, 10, 100)}
    export = [{"id": n, "data": {"doc_id": d, "text": t},
               "annotations": [{"id": a, "completed_by": 1, "result": []} for a in (10, 9)]}
              for n, (d, t) in enumerate(sorted(texts.items()), 1)]
    records = import_export(export, texts).records
    assert [(r["id"], r["annotation_id"]) for r in records] == [
        ("9", 9), ("9", 10), ("10", 9), ("10", 10), ("100", 9), ("100", 10)]


def test_id_sort_key() -> None:
    from duikou.records import id_sort_key

    ids = ["doc-10", "10", "9", "doc-9", "b", "a2", "a10", "09", 11]
    assert sorted(ids, key=id_sort_key) == ["09", "9", "10", 11, "a2", "a10", "b", "doc-9",
                                            "doc-10"]
    # non-ASCII digits are text, and a 5,000-digit id needs no int()
    assert sorted(["x1²", "x1", "9" * 5000, "10"], key=id_sort_key) == [
        "10", "9" * 5000, "x1", "x1²"]
    from duikou.annotation.labelstudio import export_tasks

    with raises_code(LabelStudioError, "DK-LS-003"):
        export_tasks([{"id": "d1", "text": "abc"}], predictions={"d1": [], "x1²": []})


def test_annotation_files_and_listings_sort_numeric_ids_as_numbers(tmp_path: Path) -> None:
    from duikou.annotation.adjudication import disputes
    from duikou.annotation.gold import write_annotations
    from duikou.spans import Span

    path = tmp_path / "gold.jsonl"
    write_annotations(path, [{"id": i, "entities": []} for i in ("10", "9", "100")])
    assert [json.loads(line)["id"] for line in path.read_text().splitlines()] == [
        "9", "10", "100"]
    span = Span(0, 1, "ORG", None)
    sets = {"a": {"10": [span], "9": [span]}, "b": {"10": [], "9": []}}
    assert [k[0] for k in disputes(sets)] == ["9", "10"]


def test_duplicate_tasks_for_one_document_are_a_problem() -> None:
    export = as_ls_export(export_tasks(DOCS[:1]) * 2)
    with raises_code(LabelStudioError, "DK-LS-012"):
        import_export(export, CORPUS)


def test_malformed_and_empty_exports(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": 1,', encoding="utf-8")
    with raises_code(LabelStudioError, "DK-LS-005") as err:
        import_export(bad, CORPUS)
    assert err.value.problems[0].file == str(bad)
    empty = tmp_path / "empty.json"
    empty.write_text("[]", encoding="utf-8")
    with raises_code(LabelStudioError, "DK-LS-007"):
        import_export(empty, CORPUS)
    with raises_code(LabelStudioError, "DK-LS-006"):
        import_export({"tasks": []}, CORPUS)  # type: ignore[arg-type]


@pytest.mark.parametrize("content, code", [("[" * 100_000, "DK-JSON-008"),
                                           ('[{"n": ' + "1" * 5000 + "}]", "DK-JSON-009")])
def test_too_deep_or_too_long_exports_are_located(tmp_path: Path, content: str,
                                                  code: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    with raises_code(LabelStudioError, code) as err:
        import_export(bad, CORPUS)
    assert err.value.problems[0].file == str(bad) and "line 1" in str(err.value)


ENT = {"start": 3, "end": 6, "label": "DONOR"}


@pytest.mark.parametrize("entities, code", [
    ([3], "DK-LS-032"), ([{**ENT, "score": "high"}], "DK-LS-033"),
    ([{**ENT, "score": [1]}], "DK-LS-033"), ([{**ENT, "score": True}], "DK-LS-033"),
])
def test_read_predictions_locates_bad_entities(tmp_path: Path, entities: list,
                                               code: str) -> None:
    path = tmp_path / "p.jsonl"
    write_jsonl(path, [{"id": "doc-b", "entities": []}, {"id": "doc-a", "entities": entities}])
    with raises_code(LabelStudioError, code) as err:
        read_predictions(path)
    [p] = err.value.problems
    assert (p.file, p.doc_id, p.extra) == (str(path), "doc-a", "line 2, entity 0")


def test_read_predictions_missing_file_or_folder_is_located(tmp_path: Path) -> None:
    for path, code in [(tmp_path / "absent.jsonl", "DK-JSON-001"), (tmp_path, "DK-JSON-005")]:
        with raises_code(LabelStudioError, code) as err:
            read_predictions(path)
        assert err.value.problems[0].file == str(path)


@pytest.mark.parametrize("entities, code", [
    ({"a": 1}, "DK-LS-031"), ([3], "DK-LS-032"), ([{**ENT, "score": "x"}], "DK-LS-033"),
])
def test_export_tasks_refuses_predictions_that_cannot_become_regions(entities: object,
                                                                     code: str) -> None:
    with raises_code(LabelStudioError, code) as err:
        export_tasks(DOCS, predictions={"doc-a": entities})  # type: ignore[dict-item]
    assert err.value.problems[0].doc_id == "doc-a"


def test_run_import_writes_deterministic_jsonl_or_nothing(tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    export.write_text(json.dumps(as_ls_export(export_tasks(DOCS, with_gold=True)),
                                 ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out" / "ls.jsonl"
    run_import(export, out, CORPUS)
    first = out.read_bytes()
    lines = first.decode("utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["doc-a", "doc-b"]
    assert "锦江区" in lines[0] and list(json.loads(lines[0])) == sorted(json.loads(lines[0]))
    run_import(export, out, CORPUS)
    assert out.read_bytes() == first
    wrong = dict(CORPUS, **{"doc-a": TEXT_A.replace("锦", "金")})
    with pytest.raises(LabelStudioError):
        run_import(export, out, wrong)
    assert out.read_bytes() == first  # untouched
    fresh = tmp_path / "never.jsonl"
    with pytest.raises(LabelStudioError):
        run_import(export, fresh, wrong)
    assert not fresh.exists()
    assert sorted(p.name for p in out.parent.iterdir()) == ["ls.jsonl"]  # no temp leftovers


def test_write_jsonl_replaces_atomically(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    write_jsonl(path, [{"b": 1, "a": "😀"}], sort_keys=True)
    assert path.read_text(encoding="utf-8") == '{"a":"😀","b":1}\n'


# ------------------------------------------------------------------ properties

ALPHABET = st.sampled_from(list("锦江区援助炉霍县ab 1\t\r\n") + ["𠮷", "😀", "\r\n"])


@st.composite
def doc_with_spans(draw: st.DrawFn) -> dict:
    text = "".join(draw(st.lists(ALPHABET, min_size=1, max_size=40)))
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=12))))
    spans = []
    for start, end in zip(cuts[::2], cuts[1::2], strict=False):
        if start < end:
            label = draw(st.sampled_from(LABEL_NAMES))
            spans.append({"start": start, "end": end, "label": label, "text": text[start:end]})
    return {"id": "h", "text": text, "entities": spans}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=doc_with_spans(), ui_escapes=st.booleans())
def test_property_round_trip_is_exact(doc: dict, ui_escapes: bool) -> None:
    tasks = export_tasks([doc], with_gold=True,
                         predictions={"h": doc["entities"]}, model_version="p")
    for region in tasks[0]["predictions"][0]["result"]:
        v = region["value"]
        assert v["text"] == doc["text"][v["start"]:v["end"]]
    export = as_ls_export(tasks)
    if ui_escapes:
        for region in export[0]["annotations"][0]["result"]:
            region["value"]["text"] = region["value"]["text"].replace("\n", "\\n")
    (record,) = import_export(export, {"h": doc["text"]}).records
    assert core(record["entities"]) == core(doc["entities"])


@settings(max_examples=100, deadline=None)
@given(doc=doc_with_spans(), shift=st.integers(1, 3))
def test_property_shifted_offsets_are_rejected(doc: dict, shift: int) -> None:
    """Offsets moved by a few code points (e.g. UTF-16 units) never pass silently."""
    if not doc["entities"]:
        return
    export = as_ls_export(export_tasks([doc], with_gold=True))
    region = export[0]["annotations"][0]["result"][-1]["value"]
    region["start"] += shift
    region["end"] += shift
    moved = doc["text"][region["start"]:region["end"]]
    if region["text"] in {moved, moved.replace("\n", "\\n")} and region["end"] <= len(doc["text"]):
        return  # the shifted window happens to read the same characters
    with pytest.raises(LabelStudioError):
        import_export(export, {"h": doc["text"]})


# ------------------------------------------------------------------ client without server


def test_client_reports_unreachable_server_and_missing_settings(monkeypatch) -> None:
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}"
    with pytest.raises(LabelStudioError, match=f"cannot reach Label Studio at {url}"):
        push(DOCS, url=url, api_key="k" * 40, project_title="duikou x")
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    with raises_code(LabelStudioError, "DK-LS-020") as info:
        pull(project_title="duikou x", docs_by_id=CORPUS)
    assert "--url/--api-key" in str(info.value)  # the CLI's flags, not Python's argument names


def test_an_expired_personal_access_token_is_a_clear_error() -> None:
    """SDK 2.x treats a JWT key as a personal access token and checks its expiry up front."""
    import jwt

    from duikou.annotation.ls_client import connect

    expired = jwt.encode({"token_type": "refresh", "exp": 1}, "k" * 32, algorithm="HS256")
    with raises_code(LabelStudioError, "DK-LS-042") as err:
        connect("http://127.0.0.1:9", expired)
    assert "expired" in str(err.value) and expired not in str(err.value)


def test_push_summary_says_what_was_done_with_predictions() -> None:
    from duikou.app.cli import push_summary

    res = {"project_id": 3, "project_created": False, "imported": 1, "batches": 1,
           "skipped_existing": 3, "retries": 0, "predictions_added": 3,
           "predictions_kept": 0, "empty_predictions": 1, "project_model_version": "v1"}
    text = push_summary(res, predictions=True, model_version="v2")
    assert "3 added to tasks already there" in text and "1 empty" in text
    assert "project's model version is 'v1'" in text
    assert "predictions" not in push_summary(res, predictions=False, model_version=None)
