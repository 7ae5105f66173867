"""Relation worksheets: a document's gold spans shown with short handles, and a compiler from
``TYPE head tail`` lines to :class:`~duikou.records.Relation` by span id.

Annotators never type offsets or span ids. A relation worksheet numbers the document's gold
spans in document order (``e1``, ``e2``, …) and shows each sentence with its spans marked
inline as ``【e7 DONOR 锦江区】``. An annotator writes one line per relation::

    TYPE<space>HEAD<space>TAIL[<space># note]

for example ``AID e3 e5`` (e3 assists e5). :func:`compile_relation_lines` resolves handles to
span ids (``start-end-LABEL``, :func:`duikou.records.span_id`) and reports every line it
cannot resolve or that breaks the relation schema, with its line number.

>>> from duikou.spans import Span
>>> spans = [Span(0, 3, "DONOR"), Span(5, 8, "RECIPIENT")]
>>> print(relation_sheet("d", "锦江区援助炉霍县。", spans), end="")
# document d: 2 spans
S1 【e1 DONOR 锦江区】援助【e2 RECIPIENT 炉霍县】。
>>> compile_relation_lines(spans, ["AID e1 e2  # stated in S1"], doc_id="d", file="f")
[Relation(head='0-3-DONOR', tail='5-8-RECIPIENT', type='AID', provenance=None)]
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from duikou.errors import AnnotationError, Problem
from duikou.ingest.segment import sentence_spans
from duikou.records import Document, Relation, relation_problems, span_id
from duikou.spans import Span

_LINE = re.compile(r"^\s*([A-Z_]+)\s+(e\d+)\s+(e\d+)\s*(?:#.*)?$")


def handles(spans: Sequence[Span]) -> dict[str, Span]:
    """``e1``, ``e2``, … → spans in document order."""
    return {f"e{i}": s for i, s in enumerate(sorted(spans), 1)}


def relation_sheet(doc_id: str, text: str, spans: Sequence[Span]) -> str:
    """The sentence view of a document with its spans marked by handle and label."""
    named = handles(spans)
    by_start = {s.start: (h, s) for h, s in named.items()}
    rows = [f"# document {doc_id}: {len(named)} spans"]
    for n, (a, b) in enumerate(sentence_spans(text, spans), 1):
        out, i = [], a
        while i < b:
            if i in by_start:
                h, s = by_start[i]
                out.append(f"【{h} {s.label} {text[s.start:s.end]}】")
                i = s.end
            else:
                out.append(text[i])
                i += 1
        rows.append(f"S{n} {''.join(out)}")
    return "\n".join(rows) + "\n"


def compile_relation_lines(spans: Sequence[Span], lines: Sequence[str], *, doc_id: str,
                           file: str) -> list[Relation]:
    """Resolve ``TYPE head tail`` lines to relations; raise AnnotationError listing every line
    that is malformed, names an unknown handle, or breaks the relation schema."""
    named = handles(spans)
    out: list[Relation] = []
    problems: list[Problem] = []
    for lineno, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = {"file": file, "doc_id": doc_id, "extra": f"line {lineno}"}
        m = _LINE.match(line.rstrip("\n"))
        if not m:
            problems.append(Problem(f"expected 'TYPE eN eM [# note]', found {line!r}",
                                    **where, code="DK-REL-006"))
            continue
        rtype, h, t = m.groups()
        missing = [x for x in (h, t) if x not in named]
        if missing:
            problems.append(Problem(f"no span {', '.join(missing)} in this document "
                                    f"(e1..e{len(named)})", **where, code="DK-REL-001"))
            continue
        rel = Relation(span_id(named[h]), span_id(named[t]), rtype)
        found = relation_problems(Document(doc_id, "", spans=list(spans), relations=out + [rel]))
        fresh = [p for p in found if p.code != "DK-REL-002" or rel in out]
        if fresh:
            problems.extend(Problem(p.message, **where, code=p.code) for p in fresh)
            continue
        out.append(rel)
    if problems:
        raise AnnotationError(problems)
    return out


def compile_relation_folder(folder: Path, gold: Mapping[str, Sequence[Span]]) -> dict[str, list[Relation]]:
    """Compile every ``<doc_id>.txt`` of a relation pass folder against the gold spans;
    raise one AnnotationError listing the problems of all files."""
    out: dict[str, list[Relation]] = {}
    problems: list[Problem] = []
    for path in sorted(Path(folder).glob("*.txt")):
        doc_id = path.stem
        if doc_id not in gold:
            problems.append(Problem("no gold document with this id", file=str(path),
                                    doc_id=doc_id, code="DK-REL-007"))
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        try:
            out[doc_id] = compile_relation_lines(gold[doc_id], lines, doc_id=doc_id,
                                                 file=str(path))
        except AnnotationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise AnnotationError(problems)
    return out
