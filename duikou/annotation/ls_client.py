"""Push documents to and pull annotations from a running Label Studio server (SDK 2.x).

``push`` creates (or reuses, matched by exact title) a project whose labeling config is
:func:`duikou.annotation.labelstudio.label_config` and imports one task per document that is
not already in the project, so a retry after a failure part-way resumes without duplicate
tasks; predictions for documents already in the project are added to their tasks.
``pull`` downloads the project's JSON export and converts it with
:func:`duikou.annotation.labelstudio.import_export` (all its checks apply), resolving the
annotators' user ids to the server's users.

Server URL and API key come from the arguments or the ``LABEL_STUDIO_URL`` /
``LABEL_STUDIO_API_KEY`` environment variables. The key is either a personal access token
(a JWT refresh token, which the SDK exchanges for short-lived access tokens) or a legacy
token (sent as ``Authorization: Token ...``); the SDK tells them apart by their shape.
Every failure to reach or use the server becomes a :class:`duikou.errors.LabelStudioError`
saying what was attempted.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import httpx
from label_studio_sdk import LabelStudio
from label_studio_sdk.core.api_error import ApiError

from duikou.annotation.labelstudio import (
    ImportResult,
    export_tasks,
    import_export,
    label_config,
    text_sha256,
)
from duikou.errors import LabelStudioError, Problem
from duikou.jsonio import loads
from duikou.records import id_sort_key

T = TypeVar("T")
PAGE_SIZE = 100


def connect(url: str | None = None, api_key: str | None = None, *,
            timeout: float = 60.0, max_retries: int = 2) -> LabelStudio:
    """An SDK client for ``url``/``api_key`` (defaults: LABEL_STUDIO_URL/LABEL_STUDIO_API_KEY)."""
    url = url or os.environ.get("LABEL_STUDIO_URL")
    api_key = api_key or os.environ.get("LABEL_STUDIO_API_KEY")
    missing = [name for name, v in (("LABEL_STUDIO_URL", url), ("LABEL_STUDIO_API_KEY", api_key))
               if not v]
    if missing:
        raise LabelStudioError(Problem(
            f"no Label Studio {' and '.join(missing)}: pass --url/--api-key on the command "
            "line (url=/api_key= from Python) or set the environment variable(s)",
            code="DK-LS-020"))
    try:
        return LabelStudio(base_url=url.rstrip("/"), api_key=api_key, timeout=timeout,
                           max_retries=max_retries)
    except ApiError as exc:  # the SDK checks a personal access token's expiry up front
        raise LabelStudioError(Problem(
            f"the Label Studio API key was refused before contacting {url}: {exc.body}; "
            "create a new personal access token (Account & Settings) or use the legacy "
            "token", code="DK-LS-042")) from exc


def _call(what: str, url: str, fn: Callable[[], T]) -> T:
    """Run one server exchange, turning SDK/HTTP failures into LabelStudioError."""
    try:
        return fn()
    except ApiError as exc:
        body = exc.body if not isinstance(exc.body, dict) else json.dumps(
            exc.body, ensure_ascii=False, sort_keys=True)
        raise LabelStudioError(Problem(
            f"Label Studio at {url} answered HTTP {exc.status_code} while trying to {what}: "
            f"{str(body)[:500]}", code="DK-LS-021")) from exc
    except httpx.HTTPError as exc:
        raise LabelStudioError(Problem(
            f"cannot reach Label Studio at {url} while trying to {what}: "
            f"{type(exc).__name__}: {exc}", code="DK-LS-022")) from exc


def _base_url(client: LabelStudio) -> str:
    return str(client._client_wrapper.get_base_url())


def find_project(client: LabelStudio, title: str) -> Any | None:
    """The project whose title equals ``title`` exactly; error if several do."""
    url = _base_url(client)
    found = _call("list projects", url,
                  lambda: [p for p in client.projects.list(title=title, page_size=PAGE_SIZE)
                           if p.title == title])
    if len(found) > 1:
        ids = ", ".join(str(p.id) for p in found)
        raise LabelStudioError(Problem(
            f"several projects are titled {title!r} (ids {ids}); rename all but one",
            code="DK-LS-023"))
    return found[0] if found else None


def _normalise_config(xml: str) -> str:
    return "".join(xml.split())


def ensure_project(client: LabelStudio, title: str) -> tuple[Any, bool]:
    """(project, created): reuse the project titled ``title`` or create it.

    A reused project must have the current :func:`label_config` (whitespace aside);
    otherwise :class:`LabelStudioError` says so rather than mixing label sets.
    """
    url, config = _base_url(client), label_config()
    project = find_project(client, title)
    if project is None:
        created = _call(f"create project {title!r}", url,
                        lambda: client.projects.create(title=title, label_config=config))
        return created, True
    full = _call(f"read project {project.id}", url, lambda: client.projects.get(project.id))
    if _normalise_config(full.label_config or "") != _normalise_config(config):
        raise LabelStudioError(Problem(
            f"project {title!r} (id {project.id}) at {url} has a different labeling config "
            "from duikou's schema; use another project title or update the project's "
            "config to duikou.annotation.labelstudio.label_config()", code="DK-LS-024"))
    return full, False


def project_tasks(client: LabelStudio, project_id: int) -> list[Any]:
    """All tasks of a project (task data only), following pagination."""
    return _call(f"list tasks of project {project_id}", _base_url(client),
                 lambda: list(client.tasks.list(project=project_id, page_size=PAGE_SIZE)))


def existing_tasks(client: LabelStudio, project_id: int) -> dict[str, list[Any]]:
    """``data.doc_id`` → the project's tasks for that document (normally one)."""
    found: dict[str, list[Any]] = {}
    for task in project_tasks(client, project_id):
        data = task.data if isinstance(task.data, dict) else {}
        if isinstance(data.get("doc_id"), str):
            found.setdefault(data["doc_id"], []).append(task)
    return found


def existing_doc_ids(client: LabelStudio, project_id: int) -> set[str]:
    """``data.doc_id`` of every task already in the project."""
    return set(existing_tasks(client, project_id))


def _predictions(client: LabelStudio, project_id: int) -> dict[int, dict[str, list]]:
    """Task id → model_version ("" for none) → the :func:`result_key` of each of its
    predictions of that version."""
    preds = _call(f"list predictions of project {project_id}", _base_url(client),
                  lambda: client.predictions.list(project=project_id))
    out: dict[int, dict[str, list]] = {}
    for pred in preds:
        out.setdefault(pred.task, {}).setdefault(pred.model_version or "", []).append(
            result_key(getattr(pred, "result", None) or []))
    return out


def _model_versions(client: LabelStudio, project_id: int) -> dict[int, Counter[str]]:
    """Task id → how many predictions of each model_version it has ("" for none)."""
    return {task: Counter({v: len(keys) for v, keys in versions.items()})
            for task, versions in _predictions(client, project_id).items()}


def result_key(result: list) -> tuple:
    """What a prediction says, independent of region ids and order: its labelled spans
    ``(start, end, labels)`` and its relations between them (from span, to span, labels)."""
    spans, rels, by_id = [], [], {}
    for r in result:
        r = r if isinstance(r, dict) else getattr(r, "__dict__", {})
        v = r.get("value") or {}
        if "start" in v:
            key = (v.get("start"), v.get("end"), tuple(v.get("labels") or ()))
            by_id[r.get("id")] = key
            spans.append(key)
    for r in result:
        r = r if isinstance(r, dict) else getattr(r, "__dict__", {})
        if r.get("type") == "relation":
            rels.append((by_id.get(r.get("from_id")), by_id.get(r.get("to_id")),
                         tuple(r.get("labels") or ())))
    return tuple(sorted(spans, key=repr)), tuple(sorted(rels, key=repr))


def _batches(items: list[T], size: int) -> Iterable[list[T]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


IMPORT_ATTEMPTS = 3
UNVERSIONED = "undefined"  # the model_version Label Studio records when none is given


def push(
    docs: Iterable[Mapping[str, Any]],
    *,
    url: str | None = None,
    api_key: str | None = None,
    project_title: str,
    predictions: Mapping[str, list[dict]] | None = None,
    model_version: str | None = None,
    batch_size: int = 50,
) -> dict:
    """Import documents as tasks (with optional predictions) into a project.

    Creates the project titled ``project_title`` or reuses it (config must match). Only
    documents whose id is not yet a task's ``data.doc_id`` are imported, in batches of
    ``batch_size``; pushing the same documents again imports nothing. An import request is
    never retried blindly (the SDK's own retries are off): after a failure the project's doc
    ids are read again and only what is still missing is sent, so a request the server
    committed before its answer was lost cannot duplicate tasks. At the end every document
    must be in the project exactly once, or :class:`LabelStudioError` lists the duplicates
    and the missing.

    With ``predictions`` (see :func:`~duikou.annotation.labelstudio.export_tasks` for empty
    ones and documents without any), new tasks are imported with their prediction, and a
    document whose task is already in the project gets the prediction added to that task
    (no second task) unless the task already has a prediction of this ``model_version``
    (``"undefined"``, Label Studio's own default, when none is given), which is left as it
    is. The project's own ``model_version`` (which predictions the labeling UI may show as
    pre-annotations) is not changed; it is returned so the caller can say which it is. Adding is refused (DK-LS-039) when
    the existing task's text or ``text_sha256`` is not the corpus's: the offsets would not
    fit. Like imports, added predictions are never resent blindly, and at the end every
    pushed document's task must hold exactly one prediction of this model_version
    (DK-LS-040).

    Returns ``{"project_id", "project_created", "imported", "skipped_existing", "batches",
    "retries", "predictions_added", "predictions_kept", "empty_predictions",
    "project_model_version", "verified"}``:
    ``predictions_added`` predictions added to tasks already there, ``predictions_kept``
    tasks already there that had a prediction of this model_version, ``empty_predictions``
    pushed documents whose prediction is empty (the model found nothing).
    """
    if batch_size < 1:
        raise LabelStudioError(Problem(f"batch_size must be >= 1, found {batch_size}",
                                       code="DK-LS-025"))
    docs = list(docs)
    # one version string for new and existing tasks alike ("" or None: Label Studio's own)
    model_version = model_version or UNVERSIONED
    tasks = export_tasks(docs, predictions=predictions, model_version=model_version)
    client = connect(url, api_key)
    project, created = ensure_project(client, project_title)
    present = {} if created else existing_tasks(client, project.id)
    _check_texts(tasks, present, project.id)
    todo = [t for t in tasks if t["data"]["doc_id"] not in present]
    n_batches = retries = 0
    for batch in _batches(todo, batch_size):
        retries += _import_batch(client, project.id, batch)
        n_batches += 1
    added = kept = 0
    if predictions is not None:
        old = [t for t in tasks if t["data"]["doc_id"] in present]
        added, kept, more = _add_predictions(client, project.id, old, present, model_version,
                                             batch_size)
        retries += more
    doc_ids = [d["id"] for d in docs]
    _verify(client, project.id, doc_ids)
    if predictions is not None:
        _verify_predictions(client, project.id, doc_ids, model_version)
    empty = sum(1 for t in tasks if t.get("predictions") and not t["predictions"][0]["result"])
    return {"project_id": project.id, "project_created": created, "imported": len(todo),
            "skipped_existing": len(tasks) - len(todo), "batches": n_batches,
            "retries": retries, "predictions_added": added, "predictions_kept": kept,
            "empty_predictions": empty,
            "project_model_version": _project_model_version(client, project.id),
            "verified": True}


def _project_model_version(client: LabelStudio, project_id: int) -> str | None:
    project = _call(f"read project {project_id}", _base_url(client),
                    lambda: client.projects.get(project_id))
    return getattr(project, "model_version", None) or None


def _check_texts(tasks: list[dict], present: Mapping[str, list[Any]], project_id: int) -> None:
    """Refuse a push onto tasks made from another text than the corpus's (a stale project):
    "already there" must mean the same document, not only the same doc_id."""
    problems = [
        Problem(f"task {task.id} of project {project_id} was made from another text than the "
                f"corpus's (sha256 {t['data']['text_sha256']}); re-create the task or push "
                "to a new project", doc_id=t["data"]["doc_id"], code="DK-LS-039")
        for t in tasks for task in present.get(t["data"]["doc_id"], [])
        if not _same_text(task, t["data"])]
    if problems:
        raise LabelStudioError(problems)


def _same_text(task: Any, wanted: Mapping[str, Any]) -> bool:
    """Whether an existing task was made from the text duikou would push now."""
    data = task.data if isinstance(task.data, dict) else {}
    if "text" in data and data["text"] != wanted["text"]:
        return False
    sha = data.get("text_sha256")
    if sha is not None and sha != wanted["text_sha256"]:
        return False
    return "text" in data or sha is not None


def _add_predictions(client: LabelStudio, project_id: int, tasks: list[dict],
                     present: Mapping[str, list[Any]], model_version: str | None,
                     batch_size: int) -> tuple[int, int, int]:
    """Add the predictions of ``tasks`` (export tasks of documents already in the project)
    to the project's tasks; returns (added, kept because already there, retries)."""
    version = model_version or UNVERSIONED
    problems, todo, doc_of = [], [], {}
    for t in tasks:
        doc_id, found = t["data"]["doc_id"], present[t["data"]["doc_id"]]
        if len(found) != 1:  # duplicate tasks: _verify reports them
            continue
        (task,) = found
        if not _same_text(task, t["data"]):
            problems.append(Problem(
                f"task {task.id} of project {project_id} was made from another text than the "
                f"corpus's (sha256 {text_sha256(t['data']['text'])}), so the predictions' "
                "offsets would not fit; re-create the task or push to a new project",
                doc_id=doc_id, code="DK-LS-039"))
            continue
        pred = t["predictions"][0]
        todo.append(dict(pred, task=task.id, model_version=version))
        doc_of[task.id] = doc_id
    if problems:
        raise LabelStudioError(problems)
    have = _predictions(client, project_id) if todo else {}
    send = []
    for p in todo:
        there = have.get(p["task"], {}).get(version, [])
        if not there:
            send.append(p)
        elif any(k != result_key(p["result"]) for k in there):
            problems.append(Problem(
                f"task {p['task']} of project {project_id} already holds a prediction of "
                f"model_version {version!r} that says something else; push these predictions "
                "under a new --model-version", doc_id=doc_of.get(p["task"]), code="DK-LS-043"))
    if problems:
        raise LabelStudioError(problems)
    kept, retries = len(todo) - len(send), 0
    for batch in _batches(send, batch_size):
        retries += _import_predictions(client, project_id, batch, version)
    return len(send), kept, retries


def _import_predictions(client: LabelStudio, project_id: int, batch: list[dict],
                        version: str) -> int:
    """Import one batch of predictions (see :func:`_send_rechecked`); returns the retries."""
    def missing(b: list[dict]) -> list[dict]:
        have = _model_versions(client, project_id)
        return [p for p in b if not have.get(p["task"], Counter())[version]]

    return _send_rechecked(
        client, batch, lambda b: f"add {len(b)} predictions to project {project_id}",
        lambda b: client.projects.import_predictions(
            project_id, request=b, request_options={"max_retries": 0}), missing)


def _import_batch(client: LabelStudio, project_id: int, batch: list[dict]) -> int:
    """Import one batch of tasks (see :func:`_send_rechecked`); returns the retries."""
    def missing(b: list[dict]) -> list[dict]:
        present = existing_doc_ids(client, project_id)
        return [t for t in b if t["data"]["doc_id"] not in present]

    return _send_rechecked(
        client, batch, lambda b: f"import {len(b)} tasks into project {project_id}",
        lambda b: client.projects.import_tasks(
            project_id, request=b, request_options={"max_retries": 0}), missing)


def _send_rechecked(client: LabelStudio, batch: list[T], what: Callable[[list[T]], str],
                    send: Callable[[list[T]], object],
                    missing: Callable[[list[T]], list[T]]) -> int:
    """Send ``batch`` with the SDK's own retries off; after a failure re-read the project
    and resend only what is ``missing`` (never blindly: the server may have committed the
    failed request). Returns the number of retries it took."""
    url = _base_url(client)
    for attempt in range(IMPORT_ATTEMPTS):
        try:
            _call(what(batch), url, lambda b=batch: send(b))
            return attempt
        except LabelStudioError:
            if attempt == IMPORT_ATTEMPTS - 1:
                raise
            batch = missing(batch)
            if not batch:  # the server had committed the failed request
                return attempt + 1
    return IMPORT_ATTEMPTS - 1


def _verify(client: LabelStudio, project_id: int, doc_ids: list[str]) -> None:
    counts = Counter()
    for task in project_tasks(client, project_id):
        data = task.data if isinstance(task.data, dict) else {}
        counts[data.get("doc_id")] += 1
    dup = sorted((d for d in doc_ids if counts[d] > 1), key=id_sort_key)
    missing = sorted((d for d in doc_ids if counts[d] == 0), key=id_sort_key)
    if dup or missing:
        raise LabelStudioError(Problem(
            f"after the push, project {project_id} holds documents twice ({dup or 'none'}) or "
            f"lacks them ({missing or 'none'}); remove the duplicate tasks in Label Studio",
            code="DK-LS-034"))


def _verify_predictions(client: LabelStudio, project_id: int, doc_ids: list[str],
                        model_version: str | None) -> None:
    version = model_version or UNVERSIONED
    have = _model_versions(client, project_id)
    task_of = {d: ts[0].id for d, ts in existing_tasks(client, project_id).items()}
    wrong = [(d, have.get(task_of[d], Counter())[version])
             for d in sorted(doc_ids, key=id_sort_key)
             if have.get(task_of[d], Counter())[version] != 1]
    if wrong:
        raise LabelStudioError([Problem(
            f"after the push, task {task_of[d]} of project {project_id} holds {n} predictions "
            f"of model_version {version!r}, expected exactly one", doc_id=d,
            code="DK-LS-040") for d, n in wrong])


def download_export(client: LabelStudio, project_id: int) -> list[dict]:
    """The project's JSON export (all tasks, with annotations), as the UI downloads it."""
    url = _base_url(client)
    raw = _call(f"export project {project_id}", url, lambda: b"".join(
        client.projects.exports.download_sync(project_id, export_type="JSON",
                                              download_all_tasks=True)))
    try:
        return loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LabelStudioError(Problem(
            f"export of project {project_id} from {url} is not JSON: {exc}",
            code="DK-LS-026")) from exc


def pull(
    *,
    url: str | None = None,
    api_key: str | None = None,
    project_title: str,
    docs_by_id: Mapping[str, str],
) -> ImportResult:
    """Export the project titled ``project_title`` and convert it with ``import_export``.

    Annotators are named by email: the export's ``completed_by`` user ids are resolved with
    the server's user list (SDK 2.x ``users.list``); an id the server does not know is a
    located error (DK-LS-041), not a guess."""
    client = connect(url, api_key)
    project = find_project(client, project_title)
    if project is None:
        raise LabelStudioError(Problem(
            f"no project titled {project_title!r} at {_base_url(client)}", code="DK-LS-027"))
    export = download_export(client, project.id)
    return import_export(export, docs_by_id, users=server_users(client))


def server_users(client: LabelStudio) -> dict[int, str]:
    """User id → email ("" when a user has none) of every user the server lists."""
    users = _call("list users", _base_url(client), lambda: client.users.list())
    return {u.id: u.email or "" for u in users if u.id is not None}
