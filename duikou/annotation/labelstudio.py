"""Label Studio conversion: labeling config, task import JSON and export → annotation JSONL.

Pure functions, no server needed (``duikou.annotation.ls_client`` talks to a server).

Offset convention, as everywhere in duikou: **Unicode code-point indices into the clean
document text, end-exclusive**. Label Studio's web UI (checked in a real browser against
1.23.2) stores ``value.start``/``value.end`` for ``<Text>`` regions in the same unit: an
astral character (𠮷, 😀) is one position and CRLF is two. The only difference is the UI's
``value.text`` of a region crossing a line break, which it writes with a literal backslash-n
(``"\\n"``) in place of the line break; :func:`import_export` accepts that rendering.

Documents are plain dicts ``{"id": str, "text": str, "entities": [span dicts]}``.
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from duikou.errors import LabelStudioError, Problem, short_repr
from duikou.ingest.clean import sha256_text
from duikou.jsonio import loads, read_jsonl_lines, write_jsonl
from duikou.records import Document, Relation, id_sort_key, relation_problems, span_id
from duikou.schema import LABELS, RELATIONS
from duikou.spans import Span, span_problems

FROM_NAME = "label"  # the <Labels> control
TO_NAME = "text"  # the <Text> object
REGION_TYPE = "labels"
RELATION_TYPE = "relation"
PROVENANCE = "label-studio"

_EXPORT_SPAN_KEYS = ("start", "end", "label", "text")


text_sha256 = sha256_text  # the corpus fingerprint of a text


# --------------------------------------------------------------------------- config


def label_config() -> str:
    """The Label Studio labeling config XML, generated from :data:`duikou.schema.LABELS`.

    One ``<Relation>`` per relation type of :data:`duikou.schema.RELATIONS` and one
    ``<Label>`` per schema label (value, background colour and hotkey from the schema),
    a ``<Text>`` with ``granularity="symbol"`` so a selection keeps exactly the characters
    chosen (no snapping to words, which Chinese text does not have), inside a view styled
    ``white-space: pre-wrap`` so line breaks and runs of spaces/tabs show as in the corpus.
    """
    labels = "\n".join(
        f"    <Label value={quoteattr(lb.name)} background={quoteattr(lb.colour)}"
        f" hotkey={quoteattr(lb.hotkey)}/>"
        for lb in LABELS
    )
    relations = "\n".join(f"    <Relation value={quoteattr(r.name)}/>" for r in RELATIONS)
    return (
        "<View>\n"
        "  <Relations>\n"
        f"{relations}\n"
        "  </Relations>\n"
        f'  <Labels name="{FROM_NAME}" toName="{TO_NAME}">\n'
        f"{labels}\n"
        "  </Labels>\n"
        '  <View style="white-space: pre-wrap">\n'
        f'    <Text name="{TO_NAME}" value="$text" granularity="symbol"/>\n'
        "  </View>\n"
        "</View>\n"
    )


# --------------------------------------------------------------------------- export


def _region(span: Mapping[str, Any], text: str, region_id: str) -> dict:
    start, end = span["start"], span["end"]
    item: dict[str, Any] = {
        "id": region_id,
        "from_name": FROM_NAME,
        "to_name": TO_NAME,
        "type": REGION_TYPE,
        "value": {"start": start, "end": end, "text": text[start:end],
                  "labels": [span["label"]]},
    }
    if span.get("score") is not None:
        item["score"] = float(span["score"])
    return item


def _as_span(d: Mapping[str, Any]) -> Span:
    return Span(d.get("start"), d.get("end"), d.get("label"), d.get("text"))  # type: ignore[arg-type]


def _check_doc_spans(
    doc_id: str, text: str, spans: Sequence[Mapping[str, Any]], what: str, allow_overlap: bool
) -> list[Problem]:
    found = span_problems(text, [_as_span(s) for s in spans], doc_id=doc_id,
                          allow_overlap=allow_overlap)
    return [replace(p, extra=what) for p in found]


def _entity_shape_problem(entities: object) -> tuple[int | None, str, str] | None:
    """The first entity of a prediction list that cannot become a region, as (entity index
    or None for the list itself, message, code): not a list, an entity that is not an
    object, a ``score`` that is not a finite number."""
    if not isinstance(entities, list):
        return None, f"expected an 'entities' list, found {type(entities).__name__}", "DK-LS-031"
    for k, ent in enumerate(entities):
        if not isinstance(ent, Mapping):
            return k, f"expected an entity object, found {type(ent).__name__}", "DK-LS-032"
        score = ent.get("score")
        if score is not None and not _finite_number(score):
            return k, f"expected 'score' to be a finite number, found {short_repr(score)}", \
                "DK-LS-033"
    return None


def _finite_number(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


class Predictions(dict):
    """``{doc id: entities}`` as :func:`read_predictions` read them, remembering the file
    (``file``) and each document's 1-based line (``lines``), so that problems
    :func:`export_tasks` finds in a prediction name the file and line to fix. A plain dict
    works as well; its problems then name only the document."""

    def __init__(self, items: Mapping[str, list[dict]] | Iterable[tuple[str, list[dict]]] = (),
                 *, file: str | None = None, lines: Mapping[str, int] | None = None):
        super().__init__(items)
        self.file = file
        self.lines: dict[str, int] = dict(lines or {})

    def subset(self, doc_ids: Iterable[str]) -> Predictions:
        """The predictions of ``doc_ids`` only (same file and line numbers)."""
        keep = set(doc_ids)
        return Predictions({k: v for k, v in self.items() if k in keep}, file=self.file,
                           lines=self.lines)


def _prediction_place(predictions: Mapping[str, Any], doc_id: str) -> tuple[str | None, str]:
    """(file, "line N, prediction") of a document's predictions, as far as known."""
    line = getattr(predictions, "lines", {}).get(doc_id)
    where = "prediction" if line is None else f"line {line}, prediction"
    return getattr(predictions, "file", None), where


def _prediction_problems(doc_id: str, text: str, entities: object, file: str | None,
                         where: str) -> list[Problem]:
    shape = _entity_shape_problem(entities)
    if shape is None:
        found = _check_doc_spans(doc_id, text, entities, where, True)  # type: ignore[arg-type]
        return [replace(p, file=file) for p in found]
    k, message, code = shape
    where = where if k is None else f"{where}, entity {k}"
    return [Problem(message, file=file, doc_id=doc_id, extra=where, code=code)]


def _prediction(spans: Sequence[Mapping[str, Any]], text: str, model_version: str | None) -> dict:
    ordered = sorted(spans, key=lambda s: (s["start"], s["end"], s["label"]))
    result = [_region(s, text, f"p{i}") for i, s in enumerate(ordered)]
    pred: dict[str, Any] = {"result": result}
    if model_version is not None:
        pred["model_version"] = model_version
    scores = [r["score"] for r in result if "score" in r]
    if scores and len(scores) == len(result):
        pred["score"] = sum(scores) / len(scores)
    return pred


def _task(doc: Mapping[str, Any], preds: Sequence[Mapping[str, Any]] | None,
          model_version: str | None, with_gold: bool) -> dict:
    text = doc["text"]
    task: dict[str, Any] = {
        "data": {"text": text, "doc_id": doc["id"], "text_sha256": text_sha256(text)}
    }
    if preds is not None:
        task["predictions"] = [_prediction(preds, text, model_version)]
    if with_gold:
        gold = sorted(doc.get("entities", []), key=lambda s: (s["start"], s["end"], s["label"]))
        result = [_region(s, text, f"g{i}") for i, s in enumerate(gold)]
        region = {span_id(_as_span(s)): f"g{i}" for i, s in enumerate(gold)}
        result += [_relation_item(r, region) for r in _relations(doc)]
        task["annotations"] = [{"result": result}]
    return task


def _relations(doc: Mapping[str, Any]) -> list[Relation]:
    return [Relation(r["head"], r["tail"], r["type"]) for r in doc.get("relations") or ()]


def _relation_item(rel: Relation, region: Mapping[str, str]) -> dict:
    """A Label Studio relation result: ``from_id`` is the head region, ``to_id`` the tail,
    ``direction: right`` (from → to), one label: the relation type."""
    return {"from_id": region[rel.head], "to_id": region[rel.tail], "type": RELATION_TYPE,
            "direction": "right", "labels": [rel.type]}


def export_tasks(
    docs: Iterable[Mapping[str, Any]],
    *,
    predictions: Mapping[str, list[dict]] | None = None,
    model_version: str | None = None,
    with_gold: bool = False,
) -> list[dict]:
    """Label Studio import JSON: one task per document, in input order.

    ``data`` holds ``text``, ``doc_id`` and ``text_sha256``. ``predictions`` maps a doc id to
    model spans (code-point offsets, end-exclusive; an optional ``score`` per span is kept),
    written as one Label Studio prediction per task with ``model_version``. With
    ``with_gold`` the documents' ``entities`` become one annotation per task. Every region's
    ``value.text`` is exactly ``text[start:end]`` (the UI shows it in the Regions panel).

    Empty predictions: a document whose predictions are an empty list (a predictions line
    ``{"id": ..., "entities": []}``) is a legitimate "the model found nothing" and becomes a
    prediction with an empty ``result`` and the ``model_version``, so annotators see that
    the model ran. When ``predictions`` are given, every document must have an entry:
    a document without one is an error (DK-LS-036), not an empty prediction, because
    nothing says the model ever saw it (leave such documents out of ``docs`` instead).

    Raises :class:`LabelStudioError` listing every invalid span, duplicate document id,
    document without predictions and prediction for an unknown document; when
    ``predictions`` is a :class:`Predictions` (from :func:`read_predictions`), problems in
    a prediction name its file and 1-based line.
    """
    docs = list(docs)
    problems = _export_problems(docs, predictions, with_gold)
    if problems:
        raise LabelStudioError(problems)
    return [
        _task(d, None if predictions is None else predictions[d["id"]], model_version,
              with_gold)
        for d in docs
    ]


def _export_problems(docs: Sequence[Mapping[str, Any]],
                     predictions: Mapping[str, list[dict]] | None,
                     with_gold: bool) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for d in docs:
        doc_id, text = d.get("id"), d.get("text")
        if not isinstance(doc_id, str) or not isinstance(text, str):
            problems.append(Problem("expected a document with string 'id' and 'text'",
                                    doc_id=str(doc_id), code="DK-LS-001"))
            continue
        if doc_id in seen:
            problems.append(Problem("duplicate document id", doc_id=doc_id, code="DK-LS-002"))
        seen.add(doc_id)
        if with_gold:
            found = _check_doc_spans(doc_id, text, d.get("entities", []), "gold", False)
            if not found:
                spans = [_as_span(e) for e in d.get("entities", [])]
                found = [replace(p, extra="gold relations") for p in relation_problems(
                    Document(doc_id, text, spans=spans, relations=_relations(d)))]
            problems += found
        if predictions is None:
            continue
        file, where = _prediction_place(predictions, doc_id)
        if doc_id in predictions:
            problems += _prediction_problems(doc_id, text, predictions[doc_id], file, where)
        else:
            problems.append(Problem(
                "no predictions for this document: expected an entry "
                f'{{"id": {json.dumps(doc_id, ensure_ascii=False)}, "entities": [...]}} '
                '(with "entities": [] if the model found nothing), or leave the document '
                "out of the export", file=file, doc_id=doc_id, code="DK-LS-036"))
    for doc_id in sorted(set(predictions or ()) - seen, key=id_sort_key):
        file, where = _prediction_place(predictions, doc_id)  # type: ignore[arg-type]
        problems.append(Problem("predictions given for a document not in the export",
                                file=file, doc_id=doc_id, extra=where, code="DK-LS-003"))
    return problems


# --------------------------------------------------------------------------- import


@dataclass
class ImportResult:
    """What :func:`import_export` produced and what it deliberately left out.

    ``records``: annotation JSONL records, one per (task, non-cancelled annotation), sorted
    by (document id, annotation id). ``cancelled``: skipped cancelled (skipped) annotations.
    ``ignored``: result items that are not ``labels`` regions, counted by type (e.g.
    ``relation``, ``choices``). ``tasks``: tasks read; ``unannotated_tasks``: tasks
    without any annotation.
    """

    records: list[dict] = field(default_factory=list)
    tasks: int = 0
    unannotated_tasks: int = 0
    cancelled: int = 0
    ignored: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """One human-readable line for the CLI."""
        ignored = ", ".join(f"{n} {k}" for k, n in sorted(self.ignored.items())) or "none"
        return (f"{len(self.records)} annotations from {self.tasks} tasks "
                f"({self.unannotated_tasks} without annotations); "
                f"{self.cancelled} cancelled annotations skipped; ignored result items: "
                f"{ignored}")


def _where(task_id: Any, annotation_id: Any = None) -> str:
    where = f"task {task_id}"
    return where if annotation_id is None else f"{where}, annotation {annotation_id}"


def load_export(export: list[dict] | str | os.PathLike[str]) -> tuple[list[dict], str | None]:
    """The task list of a Label Studio JSON export given as data or as a file path.

    Raises :class:`LabelStudioError` for an unreadable file, malformed JSON, a top level
    that is not a list of objects, or an empty export.
    """
    file = None
    if isinstance(export, (str, os.PathLike)):
        file = str(export)
        try:
            export = loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise LabelStudioError(Problem(f"cannot read export: {exc}", file=file,
                                           code="DK-LS-004")) from exc
        except json.JSONDecodeError as exc:
            raise LabelStudioError(Problem(
                f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                file=file, code=getattr(exc, "code", "DK-LS-005"))) from None
    if not isinstance(export, list) or not all(isinstance(t, dict) for t in export):
        raise LabelStudioError(Problem(
            f"expected a JSON list of task objects, found {type(export).__name__}", file=file,
            code="DK-LS-006"))
    if not export:
        raise LabelStudioError(Problem("empty export: no tasks", file=file, code="DK-LS-007"))
    return export, file


def import_export(
    export: list[dict] | str | os.PathLike[str], docs_by_id: Mapping[str, str],
    users: Mapping[int, str] | None = None,
) -> ImportResult:
    """Convert a Label Studio JSON export into duikou annotation JSONL records.

    ``export`` is the parsed export (a list of tasks) or a path to the JSON file;
    ``docs_by_id`` maps document id → clean corpus text. Each record is
    ``{"id", "text_sha256", "annotator", "annotation_id", "task_id", "created_at",
    "updated_at", "ground_truth", "lead_time", "entities"}`` and ``entities`` are
    ``{"start", "end", "label", "text", "provenance": "label-studio"}`` sorted by offsets
    (code points, end-exclusive, ``text == corpus_text[start:end]``).

    ``annotator`` comes from the annotation's ``completed_by``, which Label Studio gives as
    a user id (an integer; the SDK 2.x and the plain JSON export) or as a user object
    (``{"id", "email", ...}``; exports with annotator details): the object's email when it
    has one; else, with ``users`` (user id → email, as :func:`duikou.annotation.ls_client.pull`
    reads them from the server), the id's email; else the id as a string. A
    ``completed_by`` that is missing, not an id or object, or an id ``users`` does not
    know is a located error (DK-LS-041).

    Every task must carry ``data.doc_id`` and at least one of ``data.text`` and
    ``data.text_sha256``, each equal to the corpus's: without either nothing shows the task
    was made from the current corpus text (DK-LS-035).

    Collects every problem (task and annotation ids, offsets) and raises one
    :class:`LabelStudioError`: missing/unknown ``data.doc_id``, task text or sha256 missing
    or differing from the corpus, duplicate documents, regions out of range, region text not
    matching the corpus, unknown or multiple labels, overlapping regions within one
    annotation and annotations whose user cannot be resolved. Records are sorted by document
    id, then annotation id, numbers compared as numbers (``9`` before ``10``).
    """
    tasks, file = load_export(export)
    result = ImportResult(tasks=len(tasks))
    ignored: Counter[str] = Counter()
    problems: list[Problem] = []
    first_task: dict[str, Any] = {}
    for task in tasks:
        problems += _import_task(task, docs_by_id, file, first_task, result, ignored, users)
    if problems:
        raise LabelStudioError(problems)
    result.ignored = dict(sorted(ignored.items()))
    result.records.sort(key=lambda r: (id_sort_key(r["id"]), id_sort_key(r["annotation_id"])))
    return result


def _task_text_problems(task: dict, docs_by_id: Mapping[str, str], file: str | None,
                        first_task: dict[str, Any]) -> tuple[str | None, list[Problem]]:
    """The task's doc id (None when its regions cannot be checked) and its data problems."""
    tid = task.get("id")
    data = task.get("data") if isinstance(task.get("data"), dict) else {}
    doc_id = data.get("doc_id")
    if not isinstance(doc_id, str) or not doc_id:
        return None, [Problem("task has no data.doc_id", file=file, extra=_where(tid),
                              code="DK-LS-008")]
    if doc_id not in docs_by_id:
        return None, [Problem("doc_id not found in the corpus", file=file, doc_id=doc_id,
                              extra=_where(tid), code="DK-LS-009")]
    problems = []
    corpus = docs_by_id[doc_id]
    if "text" not in data and data.get("text_sha256") is None:
        problems.append(Problem(
            "expected data.text or data.text_sha256 to show which text the task was made "
            "from, found neither (only data.doc_id); re-export the task from duikou "
            "(ls export / ls push) or add the text", file=file, doc_id=doc_id,
            extra=_where(tid), code="DK-LS-035"))
    if "text" in data and data["text"] != corpus:
        problems.append(Problem(_text_diff_message(data["text"], corpus), file=file,
                                doc_id=doc_id, extra=_where(tid), code="DK-LS-010"))
    sha = data.get("text_sha256")
    if sha is not None and sha != text_sha256(corpus):
        problems.append(Problem(f"data.text_sha256 {sha} differs from the corpus text's "
                                f"{text_sha256(corpus)}", file=file, doc_id=doc_id,
                                extra=_where(tid), code="DK-LS-011"))
    usable = not problems
    if doc_id in first_task:
        problems.append(Problem(f"document also in task {first_task[doc_id]} (duplicate task)",
                                file=file, doc_id=doc_id, extra=_where(tid), code="DK-LS-012"))
    first_task.setdefault(doc_id, tid)
    return (doc_id if usable else None), problems


def _text_diff_message(task_text: Any, corpus: str) -> str:
    if not isinstance(task_text, str):
        return f"data.text should be a string, found {type(task_text).__name__}"
    i = next((k for k, (a, b) in enumerate(zip(task_text, corpus, strict=False)) if a != b),
             min(len(task_text), len(corpus)))
    return (f"data.text differs from the corpus text from code point {i} "
            f"(task {task_text[i:i + 10]!r}, corpus {corpus[i:i + 10]!r}; lengths "
            f"{len(task_text)} vs {len(corpus)})")


def _import_task(task: dict, docs_by_id: Mapping[str, str], file: str | None,
                 first_task: dict[str, Any], result: ImportResult,
                 ignored: Counter[str], users: Mapping[int, str] | None) -> list[Problem]:
    doc_id, problems = _task_text_problems(task, docs_by_id, file, first_task)
    annotations = task.get("annotations") or []
    if not isinstance(annotations, list):
        return problems + [Problem("task 'annotations' should be a list", file=file,
                                   doc_id=doc_id, extra=_where(task.get("id")), code="DK-LS-013")]
    if not annotations:
        result.unannotated_tasks += 1
    if doc_id is None:
        return problems
    text = docs_by_id[doc_id]
    for ann in annotations:
        if not isinstance(ann, dict):
            problems.append(Problem("annotation should be an object", file=file,
                                    doc_id=doc_id, extra=_where(task.get("id")), code="DK-LS-014"))
        elif ann.get("was_cancelled"):
            result.cancelled += 1
        else:
            where = _where(task.get("id"), ann.get("id"))
            spans, rels, found = _annotation_spans(ann, text, ignored)
            annotator, problem = _annotator(ann.get("completed_by"), users)
            found += [problem] if problem else []
            problems += [replace(p, file=file, doc_id=doc_id, extra=where) for p in found]
            if not found:
                result.records.append(_record(doc_id, text, task, ann, spans, rels, annotator))
    return problems


def _user_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def _annotator(completed_by: Any, users: Mapping[int, str] | None
               ) -> tuple[str | None, Problem | None]:
    """(annotator, None) or (None, problem) for an annotation's ``completed_by``."""
    user = completed_by.get("id") if isinstance(completed_by, dict) else completed_by
    email = completed_by.get("email") if isinstance(completed_by, dict) else None
    if isinstance(email, str) and email:
        return email, None
    uid = _user_id(user)
    if uid is None:
        return None, Problem(
            "expected completed_by to be a user id or a user object with an id or email, "
            f"found {short_repr(completed_by)}", code="DK-LS-041")
    if users is None:
        return str(uid), None
    if uid not in users:
        return None, Problem(
            f"completed_by names user {uid}, who is not among the server's "
            f"{len(users)} users (removed, or from another Label Studio instance)",
            code="DK-LS-041")
    return users[uid] or str(uid), None


def _record(doc_id: str, text: str, task: dict, ann: dict, spans: list[Span],
            relations: list[Relation], annotator: str | None) -> dict:
    return {
        "id": doc_id,
        "text_sha256": text_sha256(text),
        "annotator": annotator,
        "annotation_id": ann.get("id"),
        "task_id": task.get("id"),
        "created_at": ann.get("created_at"),
        "updated_at": ann.get("updated_at"),
        "ground_truth": bool(ann.get("ground_truth", False)),
        "lead_time": ann.get("lead_time"),
        "entities": [
            {"start": s.start, "end": s.end, "label": s.label, "text": text[s.start:s.end],
             "provenance": PROVENANCE}
            for s in sorted(spans)
        ],
        "relations": [r.to_dict() for r in
                      sorted(relations, key=lambda r: (r.type, r.head, r.tail))],
    }


def _ui_renderings(surface: str) -> set[str]:
    """Forms of ``value.text`` the UI may write for ``surface`` (line breaks as ``\\n``)."""
    return {
        surface,
        surface.replace("\n", "\\n"),
        surface.replace("\r\n", "\\n"),
        surface.replace("\r\n", "\\n").replace("\r", "\\n"),
        surface.replace("\r", "\\r").replace("\n", "\\n"),
    }


def _annotation_spans(ann: dict, text: str, ignored: Counter[str]
                      ) -> tuple[list[Span], list[Relation], list[Problem]]:
    """Spans of one annotation's ``labels`` regions, its relations between them, and the
    problems found (unlocated)."""
    items = ann.get("result") or []
    if not isinstance(items, list):
        return [], [], [Problem("annotation 'result' should be a list", code="DK-LS-015")]
    spans: list[Span] = []
    region: dict[str, Span] = {}
    rel_items: list[dict] = []
    problems: list[Problem] = []
    for item in items:
        if not isinstance(item, dict):
            problems.append(Problem(f"result item should be an object, found {item!r}",
                                    code="DK-LS-016"))
            continue
        kind = str(item.get("type"))
        if kind == RELATION_TYPE:
            rel_items.append(item)
            continue
        if kind != REGION_TYPE or item.get("from_name") != FROM_NAME:
            ignored[kind if kind != REGION_TYPE else f"labels from {item.get('from_name')}"] += 1
            continue
        span, problem = _region_span(item, text)
        if problem is not None:
            problems.append(problem)
        if span is not None:
            spans.append(span)
            region[str(item.get("id"))] = span
    problems += span_problems(text, spans)
    rels = [r for r in (_item_relation(it, region, problems) for it in rel_items) if r]
    problems += relation_problems(Document("", text, spans=spans, relations=rels))
    return spans, rels, problems


def _item_relation(item: dict, region: Mapping[str, Span],
                   problems: list[Problem]) -> Relation | None:
    """The relation of a Label Studio relation item (``direction`` right: from → to; left:
    to → from); ``bi`` and unlabelled relations are refused: duikou relations are directed
    and typed."""
    ends = [region.get(str(item.get(k))) for k in ("from_id", "to_id")]
    labels, direction = item.get("labels"), item.get("direction", "right")
    what = f"relation {item.get('from_id')!r} → {item.get('to_id')!r}: "
    if None in ends:
        problems.append(Problem(f"{what}expected from_id and to_id to be regions of this "
                                "annotation", code="DK-LS-028"))
        return None
    if not isinstance(labels, list) or len(labels) != 1:
        problems.append(Problem(f"{what}expected exactly one relation label (one of "
                                f"{', '.join(r.name for r in RELATIONS)}), found {labels!r}",
                                start=ends[0].start, end=ends[0].end, code="DK-LS-029"))
        return None
    if direction not in ("right", "left"):
        problems.append(Problem(f"{what}expected direction 'right' or 'left', found "
                                f"{direction!r} (duikou relations are directed)",
                                start=ends[0].start, end=ends[0].end, code="DK-LS-030"))
        return None
    head, tail = ends if direction == "right" else ends[::-1]
    return Relation(span_id(head), span_id(tail), str(labels[0]))


def _region_span(item: dict, text: str) -> tuple[Span | None, Problem | None]:
    value = item.get("value") if isinstance(item.get("value"), dict) else {}
    start, end, labels = value.get("start"), value.get("end"), value.get("labels")
    rid = f"region {item.get('id')}: "
    ok_offsets = (isinstance(start, int) and isinstance(end, int)
                  and not isinstance(start, bool) and not isinstance(end, bool))
    if not ok_offsets:
        return None, Problem(f"{rid}expected integer value.start/value.end, found "
                             f"{start!r}, {end!r}", code="DK-LS-017")
    if not isinstance(labels, list) or len(labels) != 1:
        return None, Problem(f"{rid}expected exactly one label in value.labels, found "
                             f"{labels!r}", start=start, end=end, code="DK-LS-018")
    surface = value.get("text")
    in_range = 0 <= start < end <= len(text)
    if in_range and surface is not None and surface not in _ui_renderings(text[start:end]):
        return None, Problem(f"{rid}value.text {surface!r} does not match the corpus "
                             f"text[start:end] = {text[start:end]!r}", start=start, end=end,
                             code="DK-LS-019")
    # Surface checked above (UI renderings allowed); span_problems checks range, label, overlap.
    return Span(start, end, labels[0], None), None


# --------------------------------------------------------------------------- output


def read_predictions(path: str | os.PathLike[str]) -> Predictions:
    """``{doc id: entities}`` from a predictions JSONL file (one ``{"id", "entities"}`` object
    per line), as :class:`Predictions` remembering the file and each document's line.

    ``"entities"`` is required on every line; ``[]`` means the model found nothing (see
    :func:`export_tasks`). :class:`LabelStudioError` lists every malformed line and every
    document given on more than one line (no line silently replaces another)."""
    problems: list[Problem] = []
    out = Predictions(file=str(path))
    for n, rec in read_jsonl_lines(Path(path), problems=problems):
        if (not isinstance(rec, dict) or not isinstance(rec.get("id"), str)
                or not isinstance(rec.get("entities"), list)):
            problems.append(Problem("expected a JSON object with a string 'id' and an "
                                    "'entities' list", file=str(path), extra=f"line {n}",
                                    code="DK-CLI-003"))
            continue
        shape = _entity_shape_problem(rec["entities"])
        if shape is not None:
            problems.append(Problem(shape[1], file=str(path), doc_id=rec["id"],
                                    extra=f"line {n}, entity {shape[0]}", code=shape[2]))
            continue
        if rec["id"] in out.lines:
            problems.append(Problem(f"document already given on line {out.lines[rec['id']]}; "
                                    "expected one line per document", file=str(path),
                                    doc_id=rec["id"], extra=f"line {n}", code="DK-LS-037"))
            continue
        out[rec["id"]] = rec["entities"]
        out.lines[rec["id"]] = n
    if problems:
        raise LabelStudioError(problems)
    return out


def select_docs(docs: Iterable[Mapping[str, Any]], ids: str | Iterable[str],
                option: str = "--docs") -> list[Mapping[str, Any]]:
    """The documents named in ``ids`` (a comma-separated string or a list), in ``docs``
    order. An id that is not a document (or an empty item) is a located error naming the
    option and the item's 1-based position (DK-LS-038); nothing is silently skipped."""
    wanted = [i.strip() for i in ids.split(",")] if isinstance(ids, str) else list(ids)
    docs = list(docs)
    known = {d["id"] for d in docs}
    problems = [
        Problem(f"expected a document id of the corpus ({len(known)} documents), found "
                f"{short_repr(i)}", doc_id=i or None, extra=f"{option} item {k}",
                code="DK-LS-038")
        for k, i in enumerate(wanted, 1) if i not in known
    ]
    if problems:
        raise LabelStudioError(problems)
    keep = set(wanted)
    return [d for d in docs if d["id"] in keep]


def docs_by_id(docs: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """``{doc id: text}`` from documents, the corpus view :func:`import_export` needs."""
    return {d["id"]: d["text"] for d in docs}


def run_import(export_path: str | os.PathLike[str], out_path: str | os.PathLike[str],
               corpus: Mapping[str, str]) -> ImportResult:
    """CLI entry: convert an export file and write the JSONL; writes nothing on problems."""
    result = import_export(export_path, corpus)
    write_jsonl(Path(out_path), result.records, sort_keys=True)
    return result
