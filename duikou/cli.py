"""The ``duikou`` command line. Each subcommand is a thin wrapper over a library function;
errors from the duikou error families are printed (every located problem) with exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from duikou.errors import DuikouError

Handler = Callable[[argparse.Namespace], int]


def _corpus_build(a: argparse.Namespace) -> int:
    from duikou.corpus.build import build
    from duikou.corpus.stats import compute, render

    out = build(Path(a.out) if a.out else None)
    print(f"built dataset in {out}")
    print(render(compute(out)))
    return 0


def _corpus_stats(a: argparse.Namespace) -> int:
    from duikou.corpus.build import verify
    from duikou.corpus.stats import compute, render

    corpus = Path(a.corpus) if a.corpus else None
    man = verify(corpus)
    print(f"duikou dataset v{man['dataset_version']} (schema {man['schema_version']})")
    print(render(compute(corpus)))
    return 0


def _corpus_verify(a: argparse.Namespace) -> int:
    from duikou.corpus.build import verify

    man = verify(Path(a.corpus) if a.corpus else None)
    print(f"ok: {len(man['files'])} files match MANIFEST.json (v{man['dataset_version']})")
    return 0


def _annotation_worksheets(a: argparse.Namespace) -> int:
    from duikou.annotation.worksheet import worksheet_text
    from duikou.corpus.sources import load_sources
    from duikou.jsonio import atomic_write_text
    from duikou.paths import seeds_dir

    out = Path(a.out)
    for d in load_sources(seeds_dir()):
        atomic_write_text(out / f"{d.id}.sentences.txt", worksheet_text(d.text))
    print(f"worksheets written to {out}")
    return 0


def _annotation_compile(a: argparse.Namespace) -> int:
    from duikou.annotation.gold import annotation_record, write_annotations
    from duikou.annotation.worksheet import compile_file
    from duikou.corpus.sources import load_sources
    from duikou.errors import AnnotationError
    from duikou.paths import seeds_dir

    records, problems = [], []
    for d in load_sources(seeds_dir()):
        sheet = Path(a.folder) / f"{d.id}.tsv"
        if not sheet.is_file():
            from duikou.errors import Problem

            problems.append(Problem("no annotation sheet for this document", file=str(sheet),
                                    doc_id=d.id))
            continue
        try:
            spans = compile_file(d.text, sheet, doc_id=d.id, provenance=a.provenance)
        except AnnotationError as exc:
            problems.extend(exc.problems)
            continue
        records.append(annotation_record(d.id, d.text, spans, annotator=a.annotator))
    if problems:
        raise AnnotationError(problems)
    write_annotations(Path(a.out), records)
    print(f"{sum(len(r['entities']) for r in records)} spans in {len(records)} documents "
          f"→ {a.out}")
    return 0


def _annotation_check(a: argparse.Namespace) -> int:
    from duikou.annotation.worksheet import compile_file
    from duikou.corpus.sources import load_sources
    from duikou.paths import seeds_dir

    sheet = Path(a.sheet)
    docs = {d.id: d for d in load_sources(seeds_dir())}
    doc_id = sheet.name.split(".")[0]
    if doc_id not in docs:
        from duikou.errors import AnnotationError, Problem

        raise AnnotationError(Problem(f"sheet name must start with a document id; known: "
                                      f"{sorted(docs)}", file=str(sheet)))
    text = docs[doc_id].text
    spans = compile_file(text, sheet, doc_id=doc_id)
    for s in spans:
        left, right = text[max(0, s.start - 6):s.start], text[s.end:s.end + 6]
        print(f"{s.start:5d} {s.end:5d} {s.label:10s} {left}[{s.text}]{right}".replace("\n", "⏎"))
    print(f"ok: {len(spans)} spans in {doc_id}")
    return 0


def _annotation_agreement(a: argparse.Namespace) -> int:
    from duikou.annotation.agreement import run_agreement

    return run_agreement(a.files, out_md=a.out_md, out_json=a.out_json)


def _reproduce(a: argparse.Namespace) -> int:
    from duikou.corpus.build import build
    from duikou.corpus.stats import compute, render

    out = build()
    print(f"built dataset in {out}")
    print(render(compute(out)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="duikou", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    corpus = sub.add_parser("corpus", help="build and inspect the dataset").add_subparsers(
        dest="sub", required=True)
    b = corpus.add_parser("build", help="build the dataset folder (default corpus/)")
    b.add_argument("--out", help="output folder (default: corpus/)")
    b.set_defaults(func=_corpus_build)
    s = corpus.add_parser("stats", help="documents, characters, sentences, spans per split")
    s.add_argument("--corpus", help="dataset folder (default: corpus/)")
    s.set_defaults(func=_corpus_stats)
    v = corpus.add_parser("verify", help="check the files against MANIFEST.json")
    v.add_argument("--corpus")
    v.set_defaults(func=_corpus_verify)

    ann = sub.add_parser("annotation", help="worksheets, compiling and agreement")
    asub = ann.add_subparsers(dest="sub", required=True)
    w = asub.add_parser("worksheets", help="write sentence-numbered worksheets")
    w.add_argument("--out", required=True)
    w.set_defaults(func=_annotation_worksheets)
    c = asub.add_parser("compile", help="worksheet span lines (DOC.tsv) → annotation JSONL")
    c.add_argument("folder")
    c.add_argument("--out", required=True)
    c.add_argument("--annotator", required=True)
    c.add_argument("--provenance", default="manual")
    c.set_defaults(func=_annotation_compile)
    ck = asub.add_parser("check", help="resolve one worksheet span file and show the spans")
    ck.add_argument("sheet")
    ck.set_defaults(func=_annotation_check)
    ag = asub.add_parser("agreement", help="inter-annotator agreement of two or more files")
    ag.add_argument("files", nargs="+")
    ag.add_argument("--out-md")
    ag.add_argument("--out-json")
    ag.set_defaults(func=_annotation_agreement)
    r = sub.add_parser("reproduce", help="the main job: rebuild everything from the seeds")
    r.set_defaults(func=_reproduce)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DuikouError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
