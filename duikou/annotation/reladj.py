"""Adjudication sheets for relations: ``ACCEPT|REJECT|REMOVE|ADD TYPE eN eM  # rule note``
lines per document, compiled against the two passes into the decision log read by
:mod:`duikou.annotation.relgold` (``adjudication.jsonl``).

ACCEPT/REJECT decide a dispute (a relation only one pass made); REMOVE takes out a relation
both passes made; ADD puts in one neither made. Every dispute must be decided exactly once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from duikou.annotation.relgold import disputes
from duikou.annotation.relsheet import handles
from duikou.errors import AnnotationError, Problem
from duikou.records import Relation, id_sort_key, span_id
from duikou.spans import Span

_LINE = re.compile(r"^\s*(ACCEPT|REJECT|REMOVE|ADD)\s+([A-Z_]+)\s+(e\d+)\s+(e\d+)\s*(?:#\s*(.*))?$")
_RULE = re.compile(r"^(D\d+|§[0-9.]+(?:\s*R\d)?)")


def compile_sheets(folder: Path, gold: Mapping[str, Sequence[Span]],
                   passes: Mapping[str, Mapping[str, Sequence[Relation]]]) -> list[dict]:
    """The decision lines of every ``<doc_id>.txt`` in ``folder``; AnnotationError listing
    every problem (also documents with an undecided dispute or no sheet)."""
    open_ = disputes(passes)
    problems: list[Problem] = []
    out: list[dict] = []
    for doc in sorted(gold, key=id_sort_key):
        path = Path(folder) / f"{doc}.txt"
        if not path.is_file():
            problems.append(Problem("no adjudication sheet for this document", file=str(path),
                                    doc_id=doc, code="DK-REL-008"))
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        out += _compile(doc, lines, gold[doc], passes, set(open_.get(doc, ())), str(path),
                        problems)
    if problems:
        raise AnnotationError(problems)
    return out


def _compile(doc: str, lines: list[str], spans: Sequence[Span], passes, open_: set,
             file: str, problems: list[Problem]) -> list[dict]:
    named = handles(spans)
    sets = [set(p.get(doc, ())) for p in passes.values()]
    agreed = set.intersection(*sets)
    made = set.union(*sets)
    seen: set[Relation] = set()
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = {"file": file, "doc_id": doc, "extra": f"line {n}"}
        m = _LINE.match(line)
        if not m or m.group(3) not in named or m.group(4) not in named:
            problems.append(Problem(f"expected 'ACCEPT|REJECT|REMOVE|ADD TYPE eN eM # rule "
                                    f"note' with handles of this document, found {line!r}",
                                    code="DK-REL-006", **where))
            continue
        verb, rtype, h, t, note = m.groups()
        rel = Relation(span_id(named[h]), span_id(named[t]), rtype)
        allowed = {"ACCEPT": rel in open_, "REJECT": rel in open_, "REMOVE": rel in agreed,
                   "ADD": rel not in made}[verb]
        if not allowed or rel in seen:
            what = {"ACCEPT": "a dispute", "REJECT": "a dispute", "REMOVE": "a relation both "
                    "passes made", "ADD": "a relation no pass made"}[verb]
            problems.append(Problem(f"{verb} needs {what} (decided once); found {line!r}",
                                    code="DK-REL-009", **where))
            continue
        seen.add(rel)
        note = (note or "").strip()
        rule = _RULE.match(note)
        out.append({"id": doc, **rel.to_dict(), "decision": verb.lower(),
                    "rule": rule.group(1) if rule else None,
                    "note": note[rule.end():].strip(" :-—") if rule else note})
    for rel in sorted(open_ - seen, key=lambda r: (r.type, r.head, r.tail)):
        problems.append(Problem(f"dispute {rel.type} {rel.head} → {rel.tail} is not decided "
                                "(ACCEPT or REJECT)", file=file, doc_id=doc, code="DK-REL-008"))
    return out
