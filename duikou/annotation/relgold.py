"""Gold relations from two blind passes and a logged adjudication.

``annotation/relations/passes/<PASS>/<doc_id>.txt`` hold the passes (``TYPE eN eM`` lines,
compiled by :mod:`duikou.annotation.relsheet` against the gold spans). A relation both passes
made is ``agreed``; every relation only one pass made is a *dispute* and needs one line in
``annotation/relations/adjudication.jsonl``::

    {"id": doc_id, "head": span id, "tail": span id, "type": "AMOUNT",
     "decision": "accept" | "reject", "rule": "§9.3", "note": "why"}

Accepted disputes enter the gold as ``adjudicated``. A decision may also *add* a relation
neither pass made (``"decision": "add"``) or *remove* one both passes made
(``"decision": "remove"``), when a guideline decision taken after the passes (§9.7) says so;
both are logged with the rule.
:func:`gold_relations` refuses an undecided dispute or a decision about nothing, so the gold
file is always exactly the passes plus the log.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from duikou import paths
from duikou.annotation.relsheet import compile_relation_folder
from duikou.errors import AnnotationError, Problem
from duikou.jsonio import read_jsonl_lines, write_jsonl
from duikou.records import (
    Document,
    Relation,
    id_sort_key,
    relation_from_dict,
    relation_problems,
)
from duikou.scoring import add_key_counts, as_counts, empty_counts, metrics_from_counts
from duikou.spans import Span

PASSES = ("R-S", "R-F")
DECISIONS = ("accept", "reject", "add", "remove")


def relations_dir() -> Path:
    return paths.annotation_dir() / "relations"


def read_passes(gold_spans: Mapping[str, Sequence[Span]], folder: Path | None = None,
                passes: Sequence[str] = PASSES) -> dict[str, dict[str, list[Relation]]]:
    """Pass name → doc id → relations, for every pass folder."""
    base = (folder or relations_dir()) / "passes"
    return {name: compile_relation_folder(base / name, gold_spans) for name in passes}


def pass_agreement(a: Mapping[str, Sequence[Relation]], b: Mapping[str, Sequence[Relation]]
                   ) -> dict:
    """Strict agreement (same head, tail and type) of pass ``b`` against pass ``a``, per type
    and micro, over the documents both passes cover."""
    acc = empty_counts()
    for doc in sorted(set(a) & set(b), key=id_sort_key):
        add_key_counts({(r.head, r.tail, r.type) for r in a[doc]},
                       {(r.head, r.tail, r.type) for r in b[doc]}, acc)
    res = metrics_from_counts(as_counts(acc))
    res["per_type"] = res.pop("per_label")
    res["documents"] = len(set(a) & set(b))
    return res


def disputes(passes: Mapping[str, Mapping[str, Sequence[Relation]]]) -> dict[str, list[Relation]]:
    """Doc id → relations that not every pass made (sorted)."""
    names = list(passes)
    docs = sorted(set().union(*(set(p) for p in passes.values())), key=id_sort_key)
    out: dict[str, list[Relation]] = {}
    for doc in docs:
        sets = [set(passes[n].get(doc, ())) for n in names]
        union, inter = set().union(*sets), set.intersection(*sets)
        diff = sorted(union - inter, key=lambda r: (r.type, r.head, r.tail))
        if diff:
            out[doc] = diff
    return out


def read_decisions(path: Path) -> dict[tuple[str, Relation], dict]:
    """(doc id, relation) → decision line; located errors for malformed lines."""
    out: dict[tuple[str, Relation], dict] = {}
    problems: list[Problem] = []
    if not path.is_file():
        return out
    for lineno, obj in read_jsonl_lines(path, error=AnnotationError):
        where = {"file": str(path), "extra": f"line {lineno}"}
        try:
            rel = relation_from_dict(obj)
        except ValueError as exc:
            problems.append(Problem(str(exc), **where, code="DK-REL-006"))
            continue
        if obj.get("decision") not in DECISIONS or not isinstance(obj.get("id"), str):
            problems.append(Problem(f"expected an 'id' and a 'decision' in {DECISIONS}, found "
                                    f"{obj.get('id')!r}, {obj.get('decision')!r}", **where,
                                    code="DK-REL-006"))
            continue
        key = (obj["id"], Relation(rel.head, rel.tail, rel.type))
        if key in out:
            problems.append(Problem("a second decision for the same relation", **where,
                                    doc_id=obj["id"], code="DK-REL-002"))
        out[key] = obj
    if problems:
        raise AnnotationError(problems)
    return out


def gold_relations(gold_spans: Mapping[str, Sequence[Span]],
                   passes: Mapping[str, Mapping[str, Sequence[Relation]]],
                   decisions: Mapping[tuple[str, Relation], dict], *,
                   file: str = "adjudication.jsonl") -> dict[str, list[Relation]]:
    """Doc id → gold relations (agreed − removed ∪ accepted ∪ added), each with its
    provenance: ``agreed``, ``adjudicated`` (an accepted dispute) or ``revised`` (added)."""
    problems: list[Problem] = []
    open_ = disputes(passes)
    used: set[tuple[str, Relation]] = set()
    out: dict[str, list[Relation]] = {}
    for doc in sorted(gold_spans, key=id_sort_key):
        sets = [set(p.get(doc, ())) for p in passes.values()]
        agreed = set.intersection(*sets) if sets else set()
        rels = []
        for r in agreed:
            d = decisions.get((doc, r))
            if d is not None and d["decision"] == "remove":
                used.add((doc, r))
                continue
            rels.append(Relation(r.head, r.tail, r.type, "agreed"))
        for r in open_.get(doc, ()):
            d = decisions.get((doc, r))
            if d is None:
                problems.append(Problem(f"undecided dispute {r.head} -{r.type}-> {r.tail}",
                                        file=file, doc_id=doc, code="DK-REL-008"))
                continue
            if d["decision"] not in ("accept", "reject"):
                continue  # reported below as a decision that does not fit a dispute
            used.add((doc, r))
            if d["decision"] == "accept":
                rels.append(Relation(r.head, r.tail, r.type, "adjudicated"))
        for (d_id, r), d in decisions.items():
            if (d_id == doc and d["decision"] == "add" and (doc, r) not in used
                    and r not in agreed):
                used.add((doc, r))
                rels.append(Relation(r.head, r.tail, r.type, "revised"))
        rels.sort(key=lambda r: (r.type, r.head, r.tail))
        problems += relation_problems(Document(doc, "", spans=list(gold_spans[doc]),
                                               relations=rels), file=file)
        out[doc] = rels
    for key, d in decisions.items():
        if key not in used:
            problems.append(Problem(f"decision {d['decision']!r} about "
                                    f"{key[1].head} -{key[1].type}-> {key[1].tail}, which is "
                                    "not a dispute (for 'remove': not agreed; for 'add': "
                                    "already made by a pass)",
                                    file=file, doc_id=key[0], code="DK-REL-009"))
    if problems:
        raise AnnotationError(problems)
    return out


def write_gold(path: Path, rels: Mapping[str, Sequence[Relation]]) -> None:
    write_jsonl(path, [{"id": doc, "relations": [r.to_dict() for r in rs]}
                       for doc, rs in sorted(rels.items(), key=lambda kv: id_sort_key(kv[0]))])


def read_gold(path: Path, gold_spans: Mapping[str, Sequence[Span]]) -> dict[str, list[Relation]]:
    """Doc id → gold relations of ``path``, validated against the gold spans."""
    problems: list[Problem] = []
    out: dict[str, list[Relation]] = {}
    for lineno, obj in read_jsonl_lines(path, error=AnnotationError):
        where = {"file": str(path), "extra": f"line {lineno}"}
        doc = obj.get("id") if isinstance(obj, dict) else None
        if doc not in gold_spans:
            problems.append(Problem(f"no gold document {doc!r}", **where, code="DK-REL-007"))
            continue
        try:
            rels = [relation_from_dict(r) for r in obj.get("relations", [])]
        except ValueError as exc:
            problems.append(Problem(str(exc), **where, doc_id=doc, code="DK-REL-006"))
            continue
        problems += relation_problems(Document(doc, "", spans=list(gold_spans[doc]),
                                               relations=rels), file=str(path))
        out[doc] = rels
    if problems:
        raise AnnotationError(problems)
    return out


# ---------------------------------------------------------------- consistency audit
def audit_document(doc_id: str, text: str, spans: Sequence[Span],
                   rels: Sequence[Relation]) -> list[Problem]:
    """Hits of the mechanical rules of §9 in one document's relations: AID and TIME within one
    sentence (PART_OF may reach further back, §9.7 D22); TIME only on a figure that carries an AMOUNT, at most one
    per figure; at most one AMOUNT per figure from each side's entity."""
    from duikou.ingest.script import entity_key
    from duikou.ingest.segment import sentence_spans
    from duikou.mentions import entity_names
    from duikou.records import span_id

    by_id = {span_id(s): s for s in spans}
    sents = sentence_spans(text, spans)

    def sent(s: Span) -> int:
        return next(i for i, (a, b) in enumerate(sents) if a <= s.start < b)

    names = entity_names(text, spans, fold=entity_key)
    amount_tails = {r.tail for r in rels if r.type == "AMOUNT"}
    hits: list[Problem] = []

    def hit(r: Relation, why: str, code: str) -> None:
        h = by_id[r.head]
        hits.append(Problem(f"{r.type} {text[h.start:h.end]!r} → "
                            f"{text[by_id[r.tail].start:by_id[r.tail].end]!r}: {why}",
                            doc_id=doc_id, start=h.start, end=h.end, code=code))

    times: dict[str, int] = {}
    sides: dict[tuple[str, str], int] = {}
    for r in rels:
        gap = abs(sent(by_id[r.head]) - sent(by_id[r.tail]))
        if r.type in ("AID", "TIME") and gap:
            hit(r, f"ends {gap} sentence(s) apart; §9.2/§9.4 keep it within one", "DK-REL-010")
        if r.type == "TIME":
            times[r.head] = times.get(r.head, 0) + 1
            if r.head not in amount_tails:
                hit(r, "a dated figure without AMOUNT (§9.4)", "DK-REL-011")
            if times[r.head] == 2:
                hit(r, "a second DATE for one figure (§9.4)", "DK-REL-011")
        if r.type == "AMOUNT":
            key = (r.tail, names.get(r.head, r.head))
            sides[key] = sides.get(key, 0) + 1
            if sides[key] == 2:
                hit(r, "a second AMOUNT from the same entity to one figure (§9.3: one "
                    "mention)", "DK-REL-012")
    return hits
