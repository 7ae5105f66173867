"""Annotation worksheets: sentence-numbered views of clean documents, and a compiler from
``sentence / LABEL / surface`` lines to offset spans.

Annotators never type offsets. A worksheet lists the document's sentences as
``N<TAB>sentence``; an annotator writes one line per span::

    N<TAB>LABEL<TAB>surface[<TAB>k]

meaning "the k-th occurrence (default 1) of ``surface`` in sentence N". Lines starting with
``#`` are comments. :func:`compile_lines` resolves each line to code-point offsets in the
document (end-exclusive) and reports every line it cannot resolve, with its line number.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from duikou.annotation.gold import annotation_record
from duikou.errors import AnnotationError, Problem
from duikou.ingest.segment import sentence_spans
from duikou.jsonio import read_text
from duikou.schema import is_label
from duikou.spans import Span, span_problems


def worksheet_text(text: str) -> str:
    """The numbered sentence view of a document (sentence numbers start at 1)."""
    rows = [f"{n}\t{text[a:b]}" for n, (a, b) in enumerate(sentence_spans(text), 1)]
    return "\n".join(rows) + "\n"


def compile_lines(text: str, lines: list[str], *, doc_id: str, file: str,
                  provenance: str = "manual") -> list[Span]:
    """Resolve worksheet annotation lines to spans; raise AnnotationError listing problems."""
    sents = sentence_spans(text)
    spans: list[Span] = []
    problems: list[Problem] = []
    for lineno, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = {"file": file, "doc_id": doc_id, "extra": f"line {lineno}"}
        parts = line.rstrip("\n").split("\t")
        if len(parts) not in (3, 4) or not parts[0].strip().isdigit():
            problems.append(Problem(f"expected 'N<TAB>LABEL<TAB>surface[<TAB>k]', found {line!r}",
                                    **where, code="DK-ANN-018"))
            continue
        n, label, surface = int(parts[0]), parts[1].strip(), parts[2]
        k = int(parts[3]) if len(parts) == 4 and parts[3].strip().isdigit() else 1
        if not is_label(label):
            problems.append(Problem(f"unknown label {label!r}", **where, code="DK-ANN-019"))
            continue
        if not 1 <= n <= len(sents):
            problems.append(Problem(f"sentence {n} does not exist (1..{len(sents)})", **where,
                                    code="DK-ANN-020"))
            continue
        a, b = sents[n - 1]
        start = _kth(text, surface, a, b, k)
        if start is None:
            problems.append(Problem(f"occurrence {k} of {surface!r} not found in sentence {n}: "
                                    f"{text[a:b]!r}", **where, code="DK-ANN-021"))
            continue
        spans.append(Span(start, start + len(surface), label, surface,
                          {"provenance": provenance}))
    problems.extend(span_problems(text, spans, doc_id=doc_id, file=file))
    if problems:
        raise AnnotationError(problems)
    return sorted(spans)


def _kth(text: str, surface: str, a: int, b: int, k: int) -> int | None:
    if not surface:
        return None
    pos = a
    for _ in range(k):
        i = text.find(surface, pos, b)
        if i < 0:
            return None
        found, pos = i, i + len(surface)
    return found


def compile_file(text: str, path: Path, *, doc_id: str, provenance: str = "manual") -> list[Span]:
    lines = read_text(path, error=AnnotationError).splitlines()
    return compile_lines(text, lines, doc_id=doc_id, file=str(path), provenance=provenance)


def compile_folder(folder: Path, texts: dict[str, str], *, annotator: str,
                   provenance: str = "manual") -> list[dict]:
    """Annotation records from every ``DOC_ID.tsv`` sheet in ``folder`` (one pass).

    A pass covers the documents it has sheets for; a sheet whose name is not a document id,
    or a folder with no sheet at all, is an error. Raises AnnotationError listing every
    problem of every sheet.
    """
    sheets = sorted(Path(folder).glob("*.tsv"))
    problems: list[Problem] = []
    if not sheets:
        problems.append(Problem("no DOC_ID.tsv annotation sheets in this folder",
                                file=str(folder), code="DK-ANN-023"))
    records = []
    for sheet in sheets:
        doc_id = sheet.name.removesuffix(".tsv")
        if doc_id not in texts:
            problems.append(Problem("sheet name is not a document id of seeds/sources.yaml",
                                    file=str(sheet), code="DK-ANN-022"))
            continue
        try:
            spans = compile_file(texts[doc_id], sheet, doc_id=doc_id, provenance=provenance)
        except AnnotationError as exc:
            problems.extend(exc.problems)
            continue
        records.append(annotation_record(doc_id, texts[doc_id], spans, annotator=annotator))
    if problems:
        raise AnnotationError(problems)
    return records


def sheet_lines(text: str, spans: list[Span]) -> list[str]:
    """The worksheet lines ``N<TAB>LABEL<TAB>surface[<TAB>k]`` that compile back to
    ``spans`` (the inverse of :func:`compile_lines`): for pre-annotations an annotator
    reviews. ValueError for a span that crosses a sentence boundary of
    :func:`sentence_spans` or that the occurrence search cannot reach (it overlaps an
    earlier occurrence of its own surface).

    >>> sheet_lines("援助炉霍。炉霍县和炉霍。", [Span(9, 11, "LOC")])
    ['2\tLOC\t炉霍\t2']
    """
    sents = sentence_spans(text)
    lines = []
    for s in sorted(spans):
        n = next((i for i, (a, b) in enumerate(sents, 1) if a <= s.start and s.end <= b), None)
        if n is None:
            raise ValueError(f"span [{s.start}, {s.end}) crosses a sentence boundary")
        a, b = sents[n - 1]
        surface = text[s.start:s.end]
        k = 1
        while _kth(text, surface, a, b, k) not in (s.start, None):
            k += 1
        if _kth(text, surface, a, b, k) != s.start:
            raise ValueError(f"span [{s.start}, {s.end}) is not reachable as an occurrence")
        lines.append(f"{n}\t{s.label}\t{surface}" + (f"\t{k}" if k > 1 else ""))
    return lines


def read_worksheet(path: Path) -> list[str]:
    """The sentences of a worksheet file written by :func:`worksheet_text`, in order."""
    rows = read_text(path, error=AnnotationError).split("\n")
    return [r.split("\t", 1)[1] for r in rows if "\t" in r]


def realign_lines(old_sentences: list[str], text: str, lines: list[str], *, doc_id: str,
                  file: str) -> list[str]:
    """Sheet lines written against ``old_sentences`` (a document's sentences before its
    cleaning changed), renumbered for the sentences of the current ``text``.

    Sentences are matched by their exact text, in order (the longest common subsequence of
    the two sentence lists), so removing furniture lines or adding new ones moves the
    numbers and nothing else; a line whose sentence no longer exists is an AnnotationError,
    never dropped. Comment and blank lines are kept as they are.
    """
    new_sentences = [text[a:b] for a, b in sentence_spans(text)]
    matcher = difflib.SequenceMatcher(a=old_sentences, b=new_sentences, autojunk=False)
    moved = {i + 1 + k: j + 1 + k for i, j, n in matcher.get_matching_blocks()
             for k in range(n)}
    out, problems = [], []
    for lineno, line in enumerate(lines, 1):
        parts = line.split("\t")
        if not line.strip() or line.lstrip().startswith("#") or not parts[0].isdigit():
            out.append(line)
            continue
        n = int(parts[0])
        if n not in moved:
            sentence = old_sentences[n - 1] if 0 < n <= len(old_sentences) else None
            problems.append(Problem(f"sentence {n} ({sentence!r}) is not in the current "
                                    "text; re-annotate it", file=file, doc_id=doc_id,
                                    extra=f"line {lineno}", code="DK-ANN-026"))
            continue
        out.append("\t".join([str(moved[n]), *parts[1:]]))
    if problems:
        raise AnnotationError(problems)
    return out
