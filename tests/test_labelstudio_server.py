"""Round trips through a real Label Studio 1.23.2 server (installed into .cache on demand).

Run alone with ``pytest -m labelstudio``; deselect with ``-m "not labelstudio"``.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from label_studio_sdk import LabelStudio
from ls_server import LSServer, make_ls_server_fixture

from duikou.annotation.labelstudio import docs_by_id, label_config, text_sha256
from duikou.annotation.ls_client import connect, project_tasks, pull, push
from duikou.errors import LabelStudioError
from tests.helpers import raises_code

pytestmark = [pytest.mark.labelstudio, pytest.mark.slow]
ls_server = make_ls_server_fixture()


def _doc(doc_id: str, text: str, surfaces: list[tuple[str, str]]) -> dict:
    ents, at = [], 0
    for surface, label in surfaces:
        start = text.index(surface, at)
        ents.append({"start": start, "end": start + len(surface), "label": label,
                     "text": surface})
        at = start + len(surface)
    return {"id": doc_id, "text": text, "entities": ents}


DOCS = [
    _doc("ls-1", "𠮷😀 锦江区对口支援炉霍县，\r\n\t捐赠210万元。",
         [("锦江区", "DONOR"), ("炉霍县", "RECIPIENT"), ("210万元", "MONEY")]),
    _doc("ls-2", "  厦门市思明区\n帮扶临夏市😀119人，2022年6月",
         [("厦门市思明区\n帮扶", "PROGRAM"), ("119人", "PEOPLE"), ("2022年6月", "DATE")]),
    _doc("ls-3", "\t胡军😀𠮷\r\n西南医科大学", [("胡军", "PER"), ("😀𠮷\r\n西南", "ORG")]),
    _doc("ls-4", "无实体的文本\r\n", []),
]
CORPUS = docs_by_id(DOCS)


def _title(prefix: str) -> str:
    return f"duikou {prefix} {secrets.token_hex(3)}"


def _regions(spans: list[dict]) -> list[dict]:
    return [{"id": f"r{i}", "from_name": "label", "to_name": "text", "type": "labels",
             "value": {"start": s["start"], "end": s["end"], "text": s["text"],
                       "labels": [s["label"]]}} for i, s in enumerate(spans)]


def _core(spans: list[dict]) -> list[tuple]:
    return sorted((s["start"], s["end"], s["label"], s["text"]) for s in spans)


def _kw(server: LSServer, title: str) -> dict:
    return {"url": server.url, "api_key": server.api_key, "project_title": title}


def test_server_started(ls_server: LSServer, record_property) -> None:
    record_property("labelstudio_startup_s", round(ls_server.startup_s, 1))
    print(f"Label Studio start-up: {ls_server.startup_s:.1f} s")
    assert 0 < ls_server.startup_s < 180


def test_server_secrets_are_not_on_its_command_line(ls_server: LSServer) -> None:
    """`ps` shows every user's command lines: the password and token go by environment."""
    cmdline = Path(f"/proc/{ls_server.process.pid}/cmdline")
    if not cmdline.is_file():
        pytest.skip("no /proc on this system")
    args = cmdline.read_bytes().split(b"\0")
    assert ls_server.password.encode() not in args and ls_server.api_key.encode() not in args
    assert b"start" in args  # it is the server's command line


def test_push_annotate_by_two_users_pull_exact(ls_server: LSServer) -> None:
    title = _title("gold")
    info = push(DOCS, **_kw(ls_server, title), batch_size=3)
    assert info["imported"] == len(DOCS) and info["batches"] == 2 and info["project_created"]
    client = connect(ls_server.url, ls_server.api_key)
    other = client.users.create(username=f"ann{secrets.token_hex(2)}",
                                email=f"ann-{secrets.token_hex(3)}@duikou.test",
                                password=f"dk-{secrets.token_urlsafe(18)}-A1")
    me = client.users.whoami()
    by_doc = {t.data["doc_id"]: t for t in project_tasks(client, info["project_id"])}
    for doc in DOCS:
        task_id = by_doc[doc["id"]].id
        client.annotations.create(task_id, result=_regions(doc["entities"]), lead_time=2.0)
        half = doc["entities"][: max(1, len(doc["entities"]) // 2)] if doc["entities"] else []
        client.annotations.create(task_id, result=_regions(half), completed_by=other.id,
                                  ground_truth=True)
    client.annotations.create(by_doc["ls-1"].id, result=[], was_cancelled=True)

    result = pull(**_kw(ls_server, title), docs_by_id=CORPUS)
    assert result.cancelled == 1 and result.tasks == len(DOCS)
    assert len(result.records) == 2 * len(DOCS)
    for doc in DOCS:
        recs = [r for r in result.records if r["id"] == doc["id"]]
        # completed_by comes as a user id; pull resolves it to the user's email
        mine = [r for r in recs if r["annotator"] == me.email == ls_server.username]
        theirs = [r for r in recs if r["annotator"] == other.email]
        assert len(mine) == 1 and len(theirs) == 1, recs
        assert _core(mine[0]["entities"]) == _core(doc["entities"])
        assert theirs[0]["ground_truth"] is True and mine[0]["ground_truth"] is False
        assert {e["text"] for e in mine[0]["entities"]} == {e["text"] for e in doc["entities"]}
        assert mine[0]["created_at"] and mine[0]["annotation_id"] != theirs[0]["annotation_id"]


def test_relations_round_trip_exactly(ls_server: LSServer) -> None:
    """Regions and typed, directed relations made on the server come back as the same spans
    and the same span-id relations (head = from_id for direction right, to_id for left)."""
    title = _title("rel")
    info = push(DOCS[:1], **_kw(ls_server, title))
    client = connect(ls_server.url, ls_server.api_key)
    (task,) = project_tasks(client, info["project_id"])
    doc = DOCS[0]
    donor, recipient, money = doc["entities"]
    result = _regions(doc["entities"]) + [
        {"type": "relation", "from_id": "r0", "to_id": "r1", "direction": "right",
         "labels": ["AID"]},
        {"type": "relation", "from_id": "r2", "to_id": "r0", "direction": "left",
         "labels": ["AMOUNT"]},
    ]
    client.annotations.create(task.id, result=result)
    (record,) = pull(**_kw(ls_server, title), docs_by_id=CORPUS).records
    sid = {e["label"]: f"{e['start']}-{e['end']}-{e['label']}" for e in doc["entities"]}
    assert _core(record["entities"]) == _core(doc["entities"])
    assert record["relations"] == [
        {"head": sid["DONOR"], "tail": sid["RECIPIENT"], "type": "AID"},
        {"head": sid["DONOR"], "tail": sid["MONEY"], "type": "AMOUNT"},
    ]


def test_push_after_a_lost_answer_does_not_duplicate_tasks(ls_server: LSServer,
                                                          monkeypatch) -> None:
    """The server commits an import but its answer is lost (a timeout): push must not send
    the batch again blindly, and it checks every document is there exactly once."""
    import httpx

    from duikou.annotation import ls_client

    real_connect = ls_client.connect
    lost = {"n": 0}

    def connect_with_a_lost_answer(*args, **kwargs):
        client = real_connect(*args, **kwargs)
        real_import = client.projects.import_tasks

        def import_then_lose_the_answer(*a, **kw):
            result = real_import(*a, **kw)
            if lost["n"] == 0:
                lost["n"] += 1
                raise httpx.ReadTimeout("answer lost after the server committed")
            return result

        client.projects.import_tasks = import_then_lose_the_answer
        return client

    monkeypatch.setattr(ls_client, "connect", connect_with_a_lost_answer)
    title = _title("lost")
    info = push(DOCS, **_kw(ls_server, title), batch_size=2)
    assert lost["n"] == 1 and info["retries"] == 1 and info["verified"]
    client = real_connect(ls_server.url, ls_server.api_key)
    doc_ids = [t.data["doc_id"] for t in project_tasks(client, info["project_id"])]
    assert sorted(doc_ids) == sorted(CORPUS)


def test_predictions_round_trip(ls_server: LSServer) -> None:
    title = _title("pred")
    preds = {d["id"]: [dict(e, score=0.5 + 0.1 * i) for i, e in enumerate(d["entities"])]
             for d in DOCS}
    push(DOCS, **_kw(ls_server, title), predictions=preds, model_version="crf-test")
    client = connect(ls_server.url, ls_server.api_key)
    pid = push(DOCS, **_kw(ls_server, title))["project_id"]
    tasks = list(client.tasks.list(project=pid, fields="all"))
    assert len(tasks) == len(DOCS)
    for task in tasks:
        doc_id = task.data["doc_id"]
        (pred,) = task.predictions
        assert pred.model_version == "crf-test"
        got = [(r["value"]["start"], r["value"]["end"], r["value"]["labels"][0],
                r["value"]["text"], round(r["score"], 6)) for r in pred.result]
        want = [(e["start"], e["end"], e["label"], e["text"], round(e["score"], 6))
                for e in sorted(preds[doc_id], key=lambda e: e["start"])]
        assert got == want
        # An annotator accepts the prediction unchanged: it comes back as the same spans.
        client.annotations.create(task.id, result=pred.result, parent_prediction=pred.id)
    result = pull(**_kw(ls_server, title), docs_by_id=CORPUS)
    assert {r["id"]: _core(r["entities"]) for r in result.records} == {
        d["id"]: _core(d["entities"]) for d in DOCS}


def _versions(client: LabelStudio, project_id: int) -> dict[str, list[tuple[str, int]]]:
    """doc id → sorted (model_version, number of regions) of its task's predictions."""
    doc_of = {t.id: t.data["doc_id"] for t in project_tasks(client, project_id)}
    out: dict[str, list[tuple[str, int]]] = {d: [] for d in doc_of.values()}
    for pred in client.predictions.list(project=project_id):
        out[doc_of[pred.task]].append((pred.model_version, len(pred.result)))
    return {d: sorted(v) for d, v in out.items()}


def test_a_new_model_version_is_added_to_the_existing_tasks(ls_server: LSServer) -> None:
    """Pushing predictions of another model version adds them to the tasks already there
    (no second task), imports the documents not yet there with theirs, and a repeat of
    the same push adds nothing."""
    title = _title("mv")
    v1 = {d["id"]: d["entities"] for d in DOCS[:3]}
    first = push(DOCS[:3], **_kw(ls_server, title), predictions=v1, model_version="v1")
    assert first["predictions_added"] == 0 and first["project_model_version"] == "v1"
    v2 = {d["id"]: d["entities"][1:] for d in DOCS}  # ls-4: the model found nothing
    second = push(DOCS, **_kw(ls_server, title), predictions=v2, model_version="v2")
    assert (second["imported"], second["skipped_existing"], second["predictions_added"],
            second["predictions_kept"], second["empty_predictions"]) == (1, 3, 3, 0, 1)
    assert second["project_model_version"] == "v1"  # left as it was, and said
    client = connect(ls_server.url, ls_server.api_key)
    n = {d["id"]: len(d["entities"]) for d in DOCS}
    want = {d: sorted([("v1", n[d])] * (d in v1) + [("v2", max(n[d] - 1, 0))]) for d in n}
    assert _versions(client, first["project_id"]) == want
    third = push(DOCS, **_kw(ls_server, title), predictions=v2, model_version="v2")
    assert (third["imported"], third["predictions_added"], third["predictions_kept"]) == (
        0, 0, len(DOCS))
    assert _versions(client, first["project_id"]) == want


def test_same_model_version_with_other_content_is_refused_and_no_version_is_one_version(
        ls_server: LSServer) -> None:
    """A rerun under an unchanged model_version that says something else would be "kept"
    silently; it is refused. No --model-version (or "") is Label Studio's "undefined" for
    new and existing tasks alike, so a repeat adds nothing."""
    title = _title("same-mv")
    first = {d["id"]: d["entities"] for d in DOCS[:2]}
    push(DOCS[:2], **_kw(ls_server, title), predictions=first, model_version="")
    again = push(DOCS[:2], **_kw(ls_server, title), predictions=first, model_version="")
    assert (again["predictions_added"], again["predictions_kept"]) == (0, 2)
    other = {d["id"]: d["entities"][:1] for d in DOCS[:2]}
    with raises_code(LabelStudioError, "DK-LS-043") as err:
        push(DOCS[:2], **_kw(ls_server, title), predictions=other)
    assert {p.doc_id for p in err.value.problems} <= {d["id"] for d in DOCS[:2]}
    client = connect(ls_server.url, ls_server.api_key)
    info = push(DOCS[:2], **_kw(ls_server, title))
    assert sorted(p.model_version for p in client.predictions.list(
        project=info["project_id"])) == ["undefined", "undefined"]


def test_predictions_for_a_task_made_from_another_text_are_refused(ls_server: LSServer
                                                                   ) -> None:
    title = _title("stale")
    info = push(DOCS[:1], **_kw(ls_server, title))
    client = connect(ls_server.url, ls_server.api_key)
    (task,) = project_tasks(client, info["project_id"])
    client.tasks.update(id=task.id, data=dict(task.data, text="另一个文本",
                                               text_sha256=text_sha256("另一个文本")))
    with raises_code(LabelStudioError, "DK-LS-039") as err:
        push(DOCS[:1], **_kw(ls_server, title), predictions={"ls-1": []}, model_version="m")
    assert err.value.problems[0].doc_id == "ls-1" and str(task.id) in str(err.value)
    assert client.predictions.list(project=info["project_id"]) == []
    with raises_code(LabelStudioError, "DK-LS-039"):  # also without predictions
        push(DOCS[:1], **_kw(ls_server, title))


def test_push_resumes_and_is_idempotent(ls_server: LSServer) -> None:
    title = _title("idem")
    first = push(DOCS[:2], **_kw(ls_server, title))  # as if a push died after two docs
    again = push(DOCS, **_kw(ls_server, title), batch_size=1)
    assert (again["imported"], again["skipped_existing"], again["batches"]) == (2, 2, 2)
    assert again["project_id"] == first["project_id"] and not again["project_created"]
    third = push(DOCS, **_kw(ls_server, title))
    assert (third["imported"], third["skipped_existing"]) == (0, len(DOCS))
    client = connect(ls_server.url, ls_server.api_key)
    doc_ids = [t.data["doc_id"] for t in project_tasks(client, first["project_id"])]
    assert sorted(doc_ids) == sorted(CORPUS)


def test_reused_project_with_other_config_is_refused(ls_server: LSServer) -> None:
    title = _title("other")
    client = LabelStudio(base_url=ls_server.url, api_key=ls_server.api_key)
    other = label_config().replace('value="DONOR"', 'value="GIVER"')
    client.projects.create(title=title, label_config=other)
    with raises_code(LabelStudioError, "DK-LS-024"):
        push(DOCS, **_kw(ls_server, title))


def test_server_errors_are_clear(ls_server: LSServer) -> None:
    with raises_code(LabelStudioError, "DK-LS-027"):
        pull(**_kw(ls_server, _title("missing")), docs_by_id=CORPUS)
    with raises_code(LabelStudioError, "DK-LS-021"):
        push(DOCS, url=ls_server.url, api_key="0" * 40, project_title=_title("auth"))
