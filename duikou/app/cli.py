"""The ``duikou`` command line. Each subcommand is a thin wrapper over a library function;
errors from the duikou error families are printed (every located problem) with exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from duikou import __version__
from duikou.app import relations_cli
from duikou.errors import DuikouError, Problem
from duikou.ingest.furniture import DEFAULT_RULESET, RULESETS
from duikou.jsonio import status_stream
from duikou.records import id_sort_key

Handler = Callable[[argparse.Namespace], int]
MAX_PROBLEMS_SHOWN = 50  # the first 50 located problems, then a count per code


def _corpus_build(a: argparse.Namespace) -> int:
    from duikou.dataset.build import build, pending
    from duikou.dataset.stats import compute, render

    out = build(Path(a.out) if a.out else None)
    print(f"built dataset in {out}")
    waiting = pending()
    if waiting:
        print(f"{len(waiting)} seed documents are pending annotation (status: pending in "
              "seeds/sources.yaml) and are not in this release")
    print(render(compute(out)))
    return 0


def _corpus_add(a: argparse.Namespace) -> int:
    from duikou.ingest.sources import add_seed
    from duikou.jsonio import read_bounded
    from duikou.paths import seeds_dir

    raw = read_bounded(Path(a.file), 5_000_000)
    entry = add_seed(seeds_dir(), raw, url=a.url, query=a.query, retrieved=a.retrieved,
                     script=a.script, outlet=a.outlet, date=a.date, pairing=a.pairing,
                     pairing_group=a.pairing_group, note=a.note, source_name=a.file,
                     **({} if a.cleaning is None else {"cleaning": a.cleaning}))
    print(f"added {entry['id']} (status pending) to seeds/sources.yaml; run the reserved-"
          "article check before committing")
    return 0


def _corpus_stats(a: argparse.Namespace) -> int:
    from duikou.dataset.build import verify
    from duikou.dataset.stats import compute, render

    corpus = Path(a.corpus) if a.corpus else None
    man = verify(corpus)
    print(f"duikou dataset v{man['dataset_version']} (schema {man['schema_version']})")
    print(render(compute(corpus)))
    return 0


def _corpus_verify(a: argparse.Namespace) -> int:
    from duikou.dataset.build import verify

    man = verify(Path(a.corpus) if a.corpus else None)
    print(f"ok: {len(man['files'])} files match MANIFEST.json (v{man['dataset_version']})")
    return 0


def _annotation_worksheets(a: argparse.Namespace) -> int:
    from duikou.annotation.worksheet import worksheet_text
    from duikou.ingest.sources import load_sources
    from duikou.jsonio import atomic_write_text
    from duikou.paths import seeds_dir

    out = Path(a.out)
    for d in load_sources(seeds_dir()):
        atomic_write_text(out / f"{d.id}.sentences.txt", worksheet_text(d.text))
    print(f"worksheets written to {out}")
    return 0


def _annotation_compile(a: argparse.Namespace) -> int:
    from duikou.annotation.gold import write_annotations
    from duikou.annotation.worksheet import compile_folder
    from duikou.ingest.sources import load_sources
    from duikou.paths import seeds_dir

    texts = {d.id: d.text for d in load_sources(seeds_dir())}
    records = compile_folder(Path(a.folder), texts, annotator=a.annotator,
                             provenance=a.provenance)
    write_annotations(Path(a.out), records)
    print(f"{sum(len(r['entities']) for r in records)} spans in {len(records)} documents "
          f"→ {a.out}")
    return 0


def _annotation_check(a: argparse.Namespace) -> int:
    from duikou.annotation.worksheet import compile_file
    from duikou.ingest.sources import load_sources
    from duikou.paths import seeds_dir

    sheet = Path(a.sheet)
    docs = {d.id: d for d in load_sources(seeds_dir())}
    doc_id = sheet.name.split(".")[0]
    if doc_id not in docs:
        from duikou.errors import AnnotationError, Problem

        raise AnnotationError(Problem(f"sheet name must start with a document id; known: "
                                      f"{sorted(docs, key=id_sort_key)}", file=str(sheet),
                                      code="DK-CLI-002"))
    text = docs[doc_id].text
    spans = compile_file(text, sheet, doc_id=doc_id)
    for s in spans:
        left, right = text[max(0, s.start - 6):s.start], text[s.end:s.end + 6]
        print(f"{s.start:5d} {s.end:5d} {s.label:10s} {left}[{s.text}]{right}".replace("\n", "⏎"))
    print(f"ok: {len(spans)} spans in {doc_id}")
    return 0


def _annotation_adjudicate(a: argparse.Namespace) -> int:
    from duikou.annotation.adjudication import adjudicate
    from duikou.ingest.sources import load_sources
    from duikou.paths import seeds_dir

    texts = {d.id: d.text for d in load_sources(seeds_dir())}
    counts = adjudicate([Path(f) for f in a.passes], Path(a.decisions), texts, Path(a.out))
    print(f"gold → {a.out}: {counts}")
    return 0


def _annotation_preannotate(a: argparse.Namespace) -> int:
    from duikou.annotation.worksheet import sheet_lines
    from duikou.baselines.api import load_tagger
    from duikou.ingest.sources import load_sources
    from duikou.jsonio import atomic_write_text
    from duikou.paths import seeds_dir

    docs = [d for d in load_sources(seeds_dir()) if a.all or d.status == "pending"]
    taggers = [load_tagger(Path(m), allow_other_dataset=True)[0] for m in a.models]
    merged = [[] for _ in docs]
    for tagger in taggers:  # earlier models win where spans overlap
        for i, spans in enumerate(tagger.predict_spans([d.text for d in docs])):
            taken = {p for s in merged[i] for p in range(s.start, s.end)}
            merged[i] += [s for s in spans if not taken & set(range(s.start, s.end))]
    head = f"# pre-annotation by {', '.join(a.models)}: review every line\n"
    for d, spans in zip(docs, merged, strict=True):
        lines = sheet_lines(d.text, spans)
        atomic_write_text(Path(a.out) / f"{d.id}.tsv", head + "".join(x + "\n" for x in lines))
    print(f"{sum(map(len, merged))} pre-annotated spans in {len(docs)} sheets → {a.out}")
    return 0


def _annotation_realign(a: argparse.Namespace) -> int:
    from duikou.annotation.worksheet import read_worksheet, realign_lines
    from duikou.errors import AnnotationError
    from duikou.ingest.sources import load_sources
    from duikou.jsonio import atomic_write_text
    from duikou.paths import seeds_dir

    texts = {d.id: d.text for d in load_sources(seeds_dir())}
    problems, moved, plans = [], 0, []
    for folder in a.folders:
        for sheet in sorted(Path(folder).glob("*.tsv")):
            doc_id = sheet.name.removesuffix(".tsv")
            old = Path(a.old_worksheets) / f"{doc_id}.sentences.txt"
            if doc_id not in texts or not old.is_file():
                continue
            lines = sheet.read_text(encoding="utf-8").splitlines()
            try:
                new = realign_lines(read_worksheet(old), texts[doc_id], lines, doc_id=doc_id,
                                    file=str(sheet))
            except AnnotationError as exc:
                problems.extend(exc.problems)
                continue
            if new != lines:
                plans.append((sheet, new))
    if problems:  # all or nothing: no sheet is rewritten while any line cannot move
        raise AnnotationError(problems)
    for sheet, new in plans:
        atomic_write_text(sheet, "".join(x + "\n" for x in new))
        moved += 1
    print(f"{moved} sheets renumbered for the current texts")
    return 0


def _annotation_audit(a: argparse.Namespace) -> int:
    from duikou.annotation.audit import audit, read_justified, render
    from duikou.annotation.gold import read_annotations
    from duikou.ingest.sources import load_sources
    from duikou.paths import seeds_dir

    texts = {d.id: d.text for d in load_sources(seeds_dir())}
    gold = read_annotations(Path(a.gold), texts, require_all=False)
    hits, n_justified = audit(texts, gold, read_justified(Path(a.justified)))
    print(render(hits, texts, n_justified))
    return 1 if hits else 0


def _annotation_disputes(a: argparse.Namespace) -> int:
    from duikou.annotation.adjudication import undecided
    from duikou.ingest.sources import load_sources
    from duikou.jsonio import write_jsonl
    from duikou.paths import seeds_dir

    texts = {d.id: d.text for d in load_sources(seeds_dir())}
    rows = undecided([Path(f) for f in a.passes], Path(a.decisions), texts)
    write_jsonl(Path(a.out), rows)
    print(f"{len(rows)} undecided disputes in {len({r['id'] for r in rows})} documents "
          f"→ {a.out}")
    return 0


def _annotation_agreement(a: argparse.Namespace) -> int:
    from duikou.annotation.agreement import run_agreement

    return run_agreement(a.files, out_md=a.out_md, out_json=a.out_json, note_file=a.note)


def _corpus_docs() -> list[dict]:
    from duikou.dataset.reader import load_documents

    return [{"id": d.id, "text": d.text, "entities": [s.to_dict() for s in d.spans]}
            for d in load_documents()]


def _ls_docs_and_preds(a: argparse.Namespace) -> tuple[list[dict], dict | None]:
    """The corpus documents ``--docs`` names (all without it; an unknown id is a located
    error) and the ``--predictions`` for them. Predictions for corpus documents left out
    by ``--docs`` are not sent, and a status line says how many; predictions for ids not in
    the corpus at all stay and are refused by ``export_tasks``."""
    from duikou.annotation.labelstudio import read_predictions, select_docs

    corpus = _corpus_docs()
    docs = select_docs(corpus, a.docs) if a.docs else corpus
    preds = read_predictions(a.predictions) if a.predictions else None
    if preds is not None and a.docs:
        chosen = {d["id"] for d in docs}
        left = {d["id"] for d in corpus} - chosen
        n_left = len(left & set(preds))
        preds = preds.subset(set(preds) - left)
        if n_left:
            print(f"{n_left} predictions in {a.predictions} are for documents not in --docs "
                  "and are not sent", file=sys.stderr)
    return docs, preds


def _ls_config(a: argparse.Namespace) -> int:
    from duikou.annotation.labelstudio import label_config

    print(label_config())
    return 0


def _ls_export(a: argparse.Namespace) -> int:
    from duikou.annotation.labelstudio import export_tasks
    from duikou.jsonio import write_json

    docs, preds = _ls_docs_and_preds(a)
    tasks = export_tasks(docs, predictions=preds, model_version=a.model_version,
                         with_gold=a.with_gold)
    write_json(Path(a.out), tasks)
    print(f"{len(tasks)} tasks → {a.out}", file=status_stream(a.out))
    return 0


def _ls_import(a: argparse.Namespace) -> int:
    from duikou.annotation.labelstudio import docs_by_id, run_import

    res = run_import(a.export, a.out, docs_by_id(_corpus_docs()))
    print(res.summary())
    return 0


def _ls_push(a: argparse.Namespace) -> int:
    from duikou.annotation.ls_client import push

    docs, preds = _ls_docs_and_preds(a)
    res = push(docs, url=a.url, api_key=a.api_key, project_title=a.project,
               predictions=preds, model_version=a.model_version, batch_size=a.batch_size)
    print(push_summary(res, predictions=preds is not None, model_version=a.model_version))
    return 0


def push_summary(res: dict, *, predictions: bool, model_version: str | None) -> str:
    """What ``ls push`` did, in words."""
    lines = [f"project {res['project_id']} "
             f"({'created' if res['project_created'] else 'reused'}): "
             f"{res['imported']} tasks imported in {res['batches']} batch(es), "
             f"{res['skipped_existing']} already there, {res['retries']} retried request(s); "
             "checked: every document is in the project exactly once"]
    if predictions:
        version = model_version or "undefined"
        lines.append(
            f"predictions (model_version {version!r}): imported with the new tasks, "
            f"{res['predictions_added']} added to tasks already there, "
            f"{res['predictions_kept']} tasks already had one and were left as they were; "
            f"{res['empty_predictions']} empty (the model found nothing); checked: every "
            "pushed task holds exactly one prediction of this model_version")
        shown = res.get("project_model_version")
        if shown and shown != version:
            lines.append(f"note: the project's model version is {shown!r}; choose "
                         f"{version!r} in the project's settings (Predictions) to see these "
                         "as pre-annotations")
    return "\n".join(lines)


def _ls_pull(a: argparse.Namespace) -> int:
    from duikou.annotation.labelstudio import docs_by_id
    from duikou.annotation.ls_client import pull
    from duikou.jsonio import write_jsonl

    res = pull(url=a.url, api_key=a.api_key, project_title=a.project,
               docs_by_id=docs_by_id(_corpus_docs()))
    write_jsonl(Path(a.out), res.records, sort_keys=True)
    print(res.summary(), file=status_stream(a.out))
    return 0


def _evaluate(a: argparse.Namespace) -> int:
    from duikou.eval.harness import evaluate, render
    from duikou.jsonio import write_json

    if a.task == "relations":
        if a.compare:
            raise DuikouError(Problem("--compare is available for --task spans only",
                                      code="DK-CLI-005"))
        return relations_cli.evaluate(a)
    result = evaluate(Path(a.predictions), protocol=a.protocol,
                      corpus=Path(a.gold) if a.gold else None)
    print(render(result))
    if a.compare:
        result["comparison"] = _compare(a, result)
    if a.out:
        write_json(Path(a.out), result)
        print(f"\nall figures → {a.out}")
    return 0


def _compare(a: argparse.Namespace, result: dict) -> dict:
    from duikou.eval.harness import COMPARE_SHUFFLES, compare_predictions

    test = compare_predictions(Path(a.predictions), Path(a.compare), protocol=a.protocol,
                               corpus=Path(a.gold) if a.gold else None)
    print(f"\npaired approximate randomisation over {test['n_units']} sentences "
          f"({COMPARE_SHUFFLES} shuffles, seed 0): F1 {test['f1_a']:.4f} vs {test['f1_b']:.4f}, "
          f"difference {test['diff']:+.4f}, p = {test['p_value']:.4f}")
    return test


def _leaderboard_submit(a: argparse.Namespace) -> int:
    from duikou.eval.leaderboard import submit_entry

    e, added = submit_entry(Path(a.predictions), name=a.name, description=a.description,
                            protocol=a.protocol, task=a.task)
    print(f"{'added' if added else 'already on the board, unchanged:'} {e['name']!r} "
          f"({e['protocol']}): strict F1 {e['strict']['f1']:.4f} "
          f"[{e['ci']['low']:.4f}, {e['ci']['high']:.4f}]; see eval/LEADERBOARD.md")
    return 0


def _leaderboard_render(a: argparse.Namespace) -> int:
    from duikou.eval.leaderboard import rerender

    rerender()
    print("leaderboard pages rewritten from eval/leaderboard.json")
    return 0


def _leaderboard_show(a: argparse.Namespace) -> int:
    from duikou.eval.leaderboard import load_board, render_markdown

    print(render_markdown(load_board()))
    return 0


def _prepare_trimmed_e5() -> Path:
    from duikou.encoders.e5 import cached_trimmed_e5
    from duikou.ingest.sources import load_sources
    from duikou.paths import seeds_dir

    return cached_trimmed_e5(d.text for d in load_sources(seeds_dir()))


def _reproduce(a: argparse.Namespace) -> int:
    from duikou.app.reproduce import reproduce

    return reproduce(with_bert=a.with_bert, update=a.update, curve=not a.no_curve,
                     prepare=_prepare_trimmed_e5, reuse_models=a.reuse_models,
                     folds=a.folds, bert_seeds=a.bert_seeds, device=a.device,
                     only=a.only)


def _name_list(value: str) -> tuple[str, ...]:
    """Comma-separated names, each once (which names exist is checked by ``reproduce``,
    DK-CLI-006)."""
    return tuple(dict.fromkeys(x.strip() for x in value.split(",") if x.strip()))


def _int_list(value: str) -> tuple[int, ...]:
    try:
        items = tuple(int(x) for x in value.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers, found {value!r}") from None
    if not items or len(set(items)) != len(items):
        raise argparse.ArgumentTypeError(f"expected distinct integers, found {value!r}")
    return items


def _add_ls(sub: argparse._SubParsersAction) -> None:
    ls = sub.add_parser("ls", help="Label Studio: config, export, import, push, pull")
    lss = ls.add_subparsers(dest="sub", required=True)
    lss.add_parser("config", help="print the labeling config XML").set_defaults(func=_ls_config)
    ex = lss.add_parser("export", help="write Label Studio import JSON (one task per document)")
    ex.add_argument("--out", required=True,
                    help="Label Studio tasks JSON file to write (- for stdout)")
    ex.add_argument("--docs", help="comma-separated document ids (default: all; an unknown "
                    "id is an error)")
    ex.add_argument("--predictions", help="predictions JSONL to attach as pre-annotations")
    ex.add_argument("--model-version", help="model_version recorded on the predictions")
    ex.add_argument("--with-gold", action="store_true", help="attach gold as annotations")
    ex.set_defaults(func=_ls_export)
    im = lss.add_parser("import", help="Label Studio JSON export → annotation JSONL")
    im.add_argument("export", help="JSON export from the Label Studio UI or API")
    im.add_argument("--out", required=True, help="annotation JSONL to write")
    im.set_defaults(func=_ls_import)
    for name, func in (("push", _ls_push), ("pull", _ls_pull)):
        sp = lss.add_parser(name, help=f"{name} tasks {'to' if name == 'push' else 'from'} a "
                            "running server (LABEL_STUDIO_URL / LABEL_STUDIO_API_KEY)")
        sp.add_argument("--project", required=True, help="project title")
        sp.add_argument("--url", help="server URL (default: $LABEL_STUDIO_URL)")
        sp.add_argument("--api-key", help="access token (default: $LABEL_STUDIO_API_KEY)")
        if name == "push":
            sp.add_argument("--docs", help="comma-separated document ids to push "
                            "(default: all; an unknown id is an error)")
            sp.add_argument("--predictions", help="predictions JSONL to attach (one line per "
                            'pushed document; "entities": [] when the model found nothing)')
            sp.add_argument("--model-version", help="model_version of the predictions")
            sp.add_argument("--batch-size", type=int, default=50,
                            help="tasks per import request (default 50)")
        else:
            sp.add_argument("--out", required=True,
                            help="annotation JSONL to write (- for stdout)")
        sp.set_defaults(func=func)


EXAMPLES: dict[str, tuple[str, ...]] = {
    "corpus build": ("duikou corpus build", "duikou corpus build --out /tmp/ds"),
    "corpus stats": ("duikou corpus stats",),
    "corpus add": ("duikou corpus add page.txt --url https://example.org/a --retrieved "
                   "2026-11-25 --script simplified --pairing-group '福建→甘肃'",),
    "corpus verify": ("duikou corpus verify --corpus corpus",),
    "annotation worksheets": ("duikou annotation worksheets --out sheets/",),
    "annotation compile": ("duikou annotation compile annotation/passes/A --out A.jsonl "
                           "--annotator A",),
    "annotation check": ("duikou annotation check annotation/passes/A/DOC_ID.tsv",),
    "annotation adjudicate": ("duikou annotation adjudicate A.jsonl B.jsonl "
                              "--decisions annotation/adjudication.jsonl --out gold.jsonl",),
    "annotation preannotate": ("duikou annotation preannotate models/rules models/crf "
                               "--out sheets/pre",),
    "annotation audit": ("duikou annotation audit",),
    "annotation disputes": ("duikou annotation disputes A.jsonl B.jsonl --decisions "
                            "annotation/adjudication.jsonl --out todo.jsonl",),
    "annotation realign": ("duikou annotation realign old_worksheets/ annotation/passes/A",),
    "annotation agreement": ("duikou annotation agreement A.jsonl B.jsonl --out-md AGREEMENT.md",),
    "ls config": ("duikou ls config > config.xml",),
    "ls export": ("duikou ls export --out tasks.json --with-gold",
                  "duikou ls export --out tasks.json --predictions preds.jsonl "
                  "--model-version crf-1"),
    "ls import": ("duikou ls import export.json --out imported.jsonl",),
    "ls push": ("duikou ls push --project duikou --predictions preds.jsonl --model-version crf",
                "duikou ls push --project duikou --docs 000_23c96dd05b37828e,001_665092daac9cb18a"),
    "ls pull": ("duikou ls pull --project duikou --out imported.jsonl",),
    "evaluate": ("duikou evaluate preds.jsonl --protocol test --out result.json",
                 "duikou evaluate cv.jsonl --protocol cv --compare other_cv.jsonl"),
    "leaderboard submit": ("duikou leaderboard submit cv.jsonl --name my-tagger "
                           "--description 'what it is' --protocol cv",),
    "leaderboard show": ("duikou leaderboard show",),
    "leaderboard render": ("duikou leaderboard render",),
    "train": ("duikou train crf --split train --out models/crf",
              "duikou train bert --model models/e5 --fold 2 --out models/bert-f2"),
    "predict": ("duikou predict models/crf --split test --out preds.jsonl",),
    "tag": ("duikou tag models/crf article.html other.txt --out tagged.jsonl",),
    "models prepare-e5": ("duikou models prepare-e5 --out models/e5 --trim-corpus",),
    "reproduce": ("duikou reproduce", "duikou reproduce --with-bert"),
    **{k: tuple(v) for k, v in relations_cli.EXAMPLES.items()},
}


def _subparsers(parser: argparse.ArgumentParser) -> list[argparse._SubParsersAction]:
    return [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]


def add_examples(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> None:
    """Give every subcommand of ``parser`` its example block (from :data:`EXAMPLES`)."""
    for action in _subparsers(parser):
        for name, child in action.choices.items():
            key = " ".join((*path, name))
            if key in EXAMPLES:
                child.epilog = "examples:\n" + "\n".join(f"  {x}" for x in EXAMPLES[key])
                child.formatter_class = argparse.RawDescriptionHelpFormatter
            add_examples(child, (*path, name))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="duikou", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="duikou (对口): build, annotate, tag and score the paired-assistance "
        "corpus.",
        epilog="examples:\n  duikou corpus build\n  duikou train crf --split train --out "
        "models/crf\n  duikou evaluate preds.jsonl --protocol test\n  duikou reproduce\n\n"
        "Every command: duikou COMMAND --help. Errors exit 2 with located problems.")
    p.add_argument("--version", action="version", version=f"duikou {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    corpus = sub.add_parser("corpus", help="build and inspect the dataset").add_subparsers(
        dest="sub", required=True)
    b = corpus.add_parser("build", help="build the dataset folder (default corpus/)")
    b.add_argument("--out", help="output folder (default: corpus/)")
    b.set_defaults(func=_corpus_build)
    ad = corpus.add_parser("add", help="copy a raw article into seeds/ (status pending), "
                           "refusing copies, mirrors and script twins")
    ad.add_argument("file", help="the raw article (.txt/.html, UTF-8), copied byte for byte")
    ad.add_argument("--url", required=True, help="where the article was found")
    ad.add_argument("--query", help="the search that found it")
    ad.add_argument("--retrieved", required=True, help="retrieval date, ISO")
    ad.add_argument("--script", required=True, choices=("simplified", "traditional"),
                    help="the article's script")
    ad.add_argument("--outlet", help="outlet, only as the text states it")
    ad.add_argument("--date", help="publication date (ISO), only as the text states it")
    ad.add_argument("--pairing", help="the curator's reading: donor → recipient")
    ad.add_argument("--pairing-group", help="province-level group donor→recipient (splits)")
    ad.add_argument("--note", help="anything odd about the page")
    ad.add_argument("--cleaning", type=int, choices=RULESETS,
                    help="page-furniture ruleset recorded for the document (default "
                         f"{DEFAULT_RULESET}, eval/FURNITURE.md)")
    ad.set_defaults(func=_corpus_add)
    s = corpus.add_parser("stats", help="documents, characters, sentences, spans per split")
    s.add_argument("--corpus", help="dataset folder (default: corpus/)")
    s.set_defaults(func=_corpus_stats)
    v = corpus.add_parser("verify", help="check the files against MANIFEST.json")
    v.add_argument("--corpus", help="dataset folder (default: corpus/)")
    v.set_defaults(func=_corpus_verify)

    ann = sub.add_parser("annotation", help="worksheets, compiling and agreement")
    asub = ann.add_subparsers(dest="sub", required=True)
    w = asub.add_parser("worksheets", help="write sentence-numbered worksheets")
    w.add_argument("--out", required=True, help="folder for DOC_ID.sentences.txt files")
    w.set_defaults(func=_annotation_worksheets)
    c = asub.add_parser("compile", help="worksheet span lines (DOC.tsv) → annotation JSONL")
    c.add_argument("folder", help="pass folder of DOC_ID.tsv sheets")
    c.add_argument("--out", required=True, help="annotation JSONL to write")
    c.add_argument("--annotator", required=True, help="pass name recorded on every line")
    c.add_argument("--provenance", default="manual",
                   help="provenance recorded on every span (default manual)")
    c.set_defaults(func=_annotation_compile)
    ck = asub.add_parser("check", help="resolve one worksheet span file and show the spans")
    ck.add_argument("sheet", help="a DOC_ID.tsv sheet")
    ck.set_defaults(func=_annotation_check)
    ad = asub.add_parser("adjudicate", help="passes + adjudication log → gold JSONL")
    ad.add_argument("passes", nargs="+", help="compiled pass JSONL files")
    ad.add_argument("--decisions", required=True, help="adjudication log JSONL")
    ad.add_argument("--out", required=True, help="gold JSONL to write")
    ad.set_defaults(func=_annotation_adjudicate)
    pa = asub.add_parser("preannotate", help="worksheet span sheets from taggers, for "
                         "annotators to review (pending documents by default)")
    pa.add_argument("models", nargs="+", help="model folders; earlier ones win on overlaps")
    pa.add_argument("--out", required=True, help="folder for the DOC_ID.tsv sheets")
    pa.add_argument("--all", action="store_true", help="every seed document, not only "
                    "those pending annotation")
    pa.set_defaults(func=_annotation_preannotate)
    ra = asub.add_parser("realign", help="renumber span sheets written against older "
                         "worksheets after the cleaning of their documents changed")
    ra.add_argument("old_worksheets", help="folder of the worksheets the sheets were written on")
    ra.add_argument("folders", nargs="+", help="folders of DOC_ID.tsv sheets to renumber")
    ra.set_defaults(func=_annotation_realign)
    au = asub.add_parser("audit", help="consistency audit of the gold: label conflicts, "
                         "unannotated mentions, digits outside figures, span edges")
    au.add_argument("--gold", default="annotation/gold.jsonl", help="gold JSONL to audit")
    au.add_argument("--justified", default="annotation/audit_justified.jsonl",
                    help="JSONL of justified hits {doc, check, start, end, reason}")
    au.set_defaults(func=_annotation_audit)
    di = asub.add_parser("disputes", help="list the disputes the adjudication log does not "
                         "decide yet, ready to be completed")
    di.add_argument("passes", nargs="+", help="compiled pass JSONL files")
    di.add_argument("--decisions", required=True, help="adjudication log JSONL")
    di.add_argument("--out", required=True, help="JSONL of undecided disputes to write")
    di.set_defaults(func=_annotation_disputes)
    ag = asub.add_parser("agreement", help="inter-annotator agreement of two or more files")
    ag.add_argument("files", nargs="+", help="annotation JSONL files (one per pass, or a "
                    "Label Studio import with several annotators)")
    ag.add_argument("--out-md", help="write the Markdown report here")
    ag.add_argument("--out-json", help="write every figure as JSON here")
    ag.add_argument("--note", help="a Markdown file placed under the title (method, caveats)")
    ag.set_defaults(func=_annotation_agreement)
    relations_cli.register_annotation(asub)
    _add_ls(sub)
    ev = sub.add_parser("evaluate", help="score a prediction file")
    ev.add_argument("predictions", help="predictions JSONL: {id, entities} per document "
                    "(with --task relations: {id, entities, relations})")
    ev.add_argument("--task", choices=("spans", "relations"), default="spans",
                    help="spans: entity spans (default); relations: AID/AMOUNT/TIME/PART_OF "
                    "between the file's own spans, strict and entity-level")
    ev.add_argument("--protocol", choices=("test", "cv"), default="test",
                    help="test: the documents of the test split; cv: every document, each "
                    "predicted by the model of the fold that held it out (default test)")
    ev.add_argument("--gold", help="dataset folder with the gold (default: corpus/)")
    ev.add_argument("--out", help="write every figure as JSON here")
    ev.add_argument("--compare", metavar="OTHER.jsonl",
                    help="paired significance test against another system's predictions")
    ev.set_defaults(func=_evaluate)
    lb = sub.add_parser("leaderboard", help="submit to / show the leaderboard")
    lbs = lb.add_subparsers(dest="sub", required=True)
    sm = lbs.add_parser("submit", help="validate, score and add a prediction file")
    sm.add_argument("predictions", help="predictions JSONL to score and add")
    sm.add_argument("--name", required=True, help="system name shown on the board")
    sm.add_argument("--description", required=True, help="what the system is")
    sm.add_argument("--protocol", choices=("cv", "test"), default="cv",
                    help="cv: cross-validation predictions of every document; test: the "
                    "test split (default cv)")
    sm.add_argument("--task", choices=("spans", "relations"), default="spans",
                    help="spans: entity spans (default); relations: a {id, entities, "
                    "relations} file, scored on the relation task")
    sm.set_defaults(func=_leaderboard_submit)
    lbs.add_parser("show", help="print the leaderboard").set_defaults(func=_leaderboard_show)
    lbs.add_parser("render", help="rewrite LEADERBOARD.md and leaderboard.html from "
                   "leaderboard.json").set_defaults(func=_leaderboard_render)
    try:
        from duikou.app.baselines_cli import register
    except ImportError:  # pragma: no cover - baselines are part of the package
        register = None
    if register is not None:
        register(sub)
    relations_cli.register(sub)
    r = sub.add_parser("reproduce", help="the main job: corpus → baselines → scores → "
                       "leaderboard check")
    r.add_argument("--with-bert", action="store_true",
                   help="also fine-tune the BERT-type baseline (slow on CPU)")
    r.add_argument("--update", action="store_true",
                   help="write the new baseline entries into eval/leaderboard.json")
    r.add_argument("--no-curve", action="store_true", help="skip the learning curve")
    r.add_argument("--reuse-models", action="store_true",
                   help="predict with model folders already in runs/ instead of retraining")
    r.add_argument("--folds", type=_int_list, metavar="K,K",
                   help="spot check: train and predict only these cross-validation folds and "
                        "compare each fold's F1 with the committed per-fold numbers")
    r.add_argument("--bert-seeds", type=_int_list, default=(0,), metavar="S,S",
                   help="train the BERT-type baseline with each seed and compare the mean F1 "
                        "over seeds, within the seed spread (default: 0)")
    r.add_argument("--only", type=_name_list, default=(), metavar="NAME,NAME",
                   help="train and check only these baselines (rules, crf, bert-e5-small); "
                        "the combined systems come with their base and rules, e.g. for a "
                        "quicker spot check: --with-bert --only bert-e5-small --folds 3")
    r.add_argument("--device", help="train and predict the BERT-type baseline on this device "
                                    "(cpu, cuda, cuda:N; default cpu)")
    r.set_defaults(func=_reproduce)
    add_examples(p)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except DuikouError as exc:
        print(f"error: {exc.render(limit=MAX_PROBLEMS_SHOWN)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
