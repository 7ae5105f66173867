"""Gold from annotation passes plus logged adjudication decisions.

Passes may cover different batches of documents; each document is decided by the passes that
annotated it (at least two). A span that every one of them marked identically (same start,
end and label) enters the gold with provenance ``agreed``. Every other span marked by at least one pass is a *dispute* and must
have a decision in the adjudication log (``annotation/adjudication.jsonl``): one line per
disputed span ``{"id", "start", "end", "label", "text", "votes", "decision": "accept" |
"reject", "rule", "note"}``. Accepted disputes enter with provenance ``adjudicated``.

When the guidelines are revised after a pass (a pilot decides cases the passes could not
know), a line with ``"revision": true`` may also reject a span every pass agreed on, or
accept a span no pass marked (provenance ``revised``); its ``rule`` names the revision. A
dispute without a decision, or a non-revision decision for a span that is not disputed, is an
error: the gold is always exactly what the passes and the log say, never edited by hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from duikou.annotation.agreement import load_sets
from duikou.annotation.gold import annotation_record, write_annotations
from duikou.errors import AnnotationError, Problem
from duikou.jsonio import read_jsonl_lines
from duikou.records import id_sort_key
from duikou.spans import Span, span_problems

Key = tuple[str, int, int, str]


def voters(sets: Mapping[str, Mapping[str, Sequence[Span]]]) -> dict[str, list[str]]:
    """Document id → the passes that annotated it (passes may cover different batches of
    documents: the v1 documents three passes, later batches two)."""
    out: dict[str, list[str]] = {}
    for who in sorted(sets):
        for doc in sets[who]:
            out.setdefault(doc, []).append(who)
    return out


def disputes(sets: Mapping[str, Mapping[str, Sequence[Span]]]) -> dict[Key, list[str]]:
    """Every span key not marked by all the passes that annotated its document → the passes
    that marked it."""
    covering = voters(sets)
    votes: dict[Key, list[str]] = {}
    for who in sorted(sets):
        for doc, spans in sets[who].items():
            for s in spans:
                votes.setdefault((doc, s.start, s.end, s.label), []).append(who)
    return {k: v for k, v in sorted(votes.items(), key=lambda kv: _key_order(kv[0]))
            if len(v) < len(covering[k[0]])}


def _key_order(k: Key) -> tuple:
    return (id_sort_key(k[0]), *k[1:])


def read_decisions(path: Path) -> dict[Key, dict]:
    out: dict[Key, dict] = {}
    problems: list[Problem] = []
    for n, rec in read_jsonl_lines(Path(path), problems=problems):
        if not isinstance(rec, dict) or rec.get("decision") not in ("accept", "reject") or not rec.get("rule"):
            problems.append(Problem("expected decision 'accept' or 'reject' and a guideline "
                                    "rule", file=str(path),
                                    doc_id=rec.get("id") if isinstance(rec, dict) else None,
                                    start=rec.get("start") if isinstance(rec, dict) else None,
                                    end=rec.get("end") if isinstance(rec, dict) else None,
                                    extra=f"line {n}", code="DK-ANN-001"))
            continue
        out[(rec["id"], rec["start"], rec["end"], rec["label"])] = rec
    if problems:
        raise AnnotationError(problems)
    return out


def adjudicate(pass_files: Sequence[Path], decisions_file: Path, texts: Mapping[str, str],
               out: Path) -> dict:
    """Write the gold file; return counts. Raises AnnotationError listing every problem."""
    sets = load_sets(pass_files, texts)
    names = sorted(sets)
    covering = voters(sets)
    docs = sorted(covering, key=id_sort_key)
    disp = disputes(sets)
    decisions = read_decisions(decisions_file) if Path(decisions_file).is_file() else {}
    problems = [Problem(f"document annotated by {len(covering[d])} pass(es), "
                        f"{', '.join(covering[d])}; adjudication needs at least two",
                        doc_id=d, code="DK-ANN-025") for d in docs if len(covering[d]) < 2]
    problems += [Problem(f"disputed span (marked by {', '.join(v)} of "
                        f"{', '.join(covering[k[0]])}) has "
                        "no decision in the adjudication log", file=str(decisions_file),
                        doc_id=k[0], start=k[1], end=k[2], extra=k[3], code="DK-ANN-002")
                for k, v in disp.items() if k not in decisions]
    problems += [Problem("decision for a span that is not disputed", file=str(decisions_file),
                         doc_id=k[0], start=k[1], end=k[2], extra=k[3], code="DK-ANN-003")
                 for k, dec in decisions.items() if k not in disp and not dec.get("revision")]
    records = []
    counts = {"agreed": 0, "adjudicated": 0, "rejected": 0, "revised_in": 0, "revised_out": 0}
    for doc in docs:
        text = texts[doc]
        first = sets[covering[doc][0]][doc]
        agreed = [s for s in first if (doc, s.start, s.end, s.label) not in disp]
        revised_out = {k for k, dec in decisions.items() if k[0] == doc and k not in disp
                       and dec.get("revision") and dec["decision"] == "reject"}
        spans = [Span(s.start, s.end, s.label, text[s.start:s.end], {"provenance": "agreed"})
                 for s in agreed if (doc, s.start, s.end, s.label) not in revised_out]
        counts["agreed"] += len(spans)
        counts["revised_out"] += len(revised_out)
        for k, dec in decisions.items():
            if k[0] == doc and k not in disp and dec.get("revision") and \
                    dec["decision"] == "accept":
                spans.append(Span(k[1], k[2], k[3], text[k[1]:k[2]], {"provenance": "revised"}))
                counts["revised_in"] += 1
            if k[0] == doc and k in disp:
                if dec["decision"] == "accept":
                    spans.append(Span(k[1], k[2], k[3], text[k[1]:k[2]],
                                      {"provenance": "adjudicated"}))
                    counts["adjudicated"] += 1
                else:
                    counts["rejected"] += 1
        problems += span_problems(text, spans, doc_id=doc, file=str(out))
        records.append(annotation_record(doc, text, spans))
    if problems:
        raise AnnotationError(problems)
    write_annotations(out, records)
    return {"passes": names, "documents": len(docs), "disputes": len(disp), **counts}


def undecided(pass_files: Sequence[Path], decisions_file: Path,
              texts: Mapping[str, str]) -> list[dict]:
    """Every dispute without a decision yet, as the line an adjudicator completes:
    ``{"id", "start", "end", "label", "text", "votes", "of", "context"}``, in document and
    offset order (``context`` shows 12 characters either side, the span in brackets)."""
    sets = load_sets(pass_files, texts)
    covering = voters(sets)
    decided = read_decisions(decisions_file) if Path(decisions_file).is_file() else {}
    out = []
    for (doc, start, end, label), votes in disputes(sets).items():
        if (doc, start, end, label) in decided:
            continue
        t = texts[doc]
        out.append({"id": doc, "start": start, "end": end, "label": label,
                    "text": t[start:end], "votes": votes, "of": covering[doc],
                    "context": f"{t[max(0, start - 12):start]}[{t[start:end]}]"
                               f"{t[end:end + 12]}".replace("\n", "⏎")})
    return out
