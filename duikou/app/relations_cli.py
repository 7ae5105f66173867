"""``duikou relate``, ``duikou annotation relations …`` and the relation side of ``evaluate``."""

from __future__ import annotations

import argparse
from pathlib import Path

from duikou import paths
from duikou.jsonio import STDOUT, status_stream, write_json, write_jsonl


def _gold_spans() -> tuple[dict[str, str], dict]:
    from duikou.annotation.gold import read_annotations
    from duikou.ingest.sources import load_sources

    docs = [d for d in load_sources(paths.seeds_dir()) if d.status == "gold"]
    texts = {d.id: d.text for d in docs}
    return texts, read_annotations(paths.annotation_dir() / "gold.jsonl", texts)


def cmd_sheets(a: argparse.Namespace) -> int:
    from duikou.annotation.relsheet import relation_sheet
    from duikou.jsonio import atomic_write_text

    texts, gold = _gold_spans()
    out = Path(a.out) if a.out else paths.annotation_dir() / "relations" / "worksheets"
    out.mkdir(parents=True, exist_ok=True)
    for doc_id, text in sorted(texts.items()):
        atomic_write_text(out / f"{doc_id}.txt", relation_sheet(doc_id, text, gold[doc_id]))
    print(f"{len(texts)} relation worksheets → {out}")
    return 0


def cmd_gold(a: argparse.Namespace) -> int:
    """Passes → agreement report, open disputes, and (when every dispute is decided) gold."""
    from duikou.annotation import relgold

    _, gold = _gold_spans()
    base = relgold.relations_dir()
    passes = relgold.read_passes(gold)
    names = list(passes)
    report = {"passes": names, "strict": relgold.pass_agreement(passes[names[0]],
                                                                passes[names[1]])}
    write_json(base / "agreement.json", report)
    open_ = relgold.disputes(passes)
    decisions = relgold.read_decisions(base / "adjudication.jsonl")
    undecided = [{"id": doc, **r.to_dict(), "made_by": [n for n in names
                                                         if r in passes[n].get(doc, ())]}
                 for doc, rs in open_.items() for r in rs if (doc, r) not in decisions]
    write_jsonl(base / "disputes.jsonl", undecided)
    m = report["strict"]["micro"]
    print(f"{names[0]} vs {names[1]}: strict F1 {m['f1']:.4f} over "
          f"{report['strict']['documents']} documents; "
          f"{sum(len(v) for v in open_.values())} disputes, {len(undecided)} undecided "
          f"(→ {base / 'disputes.jsonl'})")
    if undecided and not a.check:
        return 1
    rels = relgold.gold_relations(gold, passes, decisions,
                                  file=str(base / "adjudication.jsonl"))
    if a.check:
        want = relgold.read_gold(base / "gold.jsonl", gold)
        same = {k: [r.to_dict() for r in v] for k, v in want.items()} == \
            {k: [r.to_dict() for r in v] for k, v in rels.items()}
        print("gold relations are exactly the passes plus the log" if same else
              "gold relations differ from the passes plus the log")
        return 0 if same else 1
    relgold.write_gold(base / "gold.jsonl", rels)
    print(f"{sum(len(v) for v in rels.values())} gold relations → {base / 'gold.jsonl'}")
    return 0


def cmd_relate(a: argparse.Namespace) -> int:
    from duikou.baselines.relations import relate
    from duikou.eval.harness import protocol_documents
    from duikou.eval.validate import validate_predictions
    from duikou.records import entities_record

    docs = protocol_documents(a.protocol, Path(a.gold) if a.gold else None)
    if a.spans == "gold":
        spans = {d.id: d.spans for d in docs}
    else:
        spans = validate_predictions(Path(a.spans), {d.id: d.text for d in docs})
    records = []
    for d in docs:
        rels = relate(d.text, spans[d.id])
        records.append(entities_record(d.id, d.text, spans[d.id],
                                       relations=[r.to_dict() for r in rels]))
    write_jsonl(Path(a.out), records)
    n = sum(len(r["relations"]) for r in records)
    print(f"{n} relations in {len(records)} documents ({a.protocol}) → {a.out}",
          file=status_stream(a.out))
    return 0


def evaluate(a: argparse.Namespace) -> int:
    from duikou.eval.relations import evaluate_relations, render_relations

    result = evaluate_relations(Path(a.predictions), protocol=a.protocol,
                                corpus=Path(a.gold) if a.gold else None)
    print(render_relations(result))
    if a.out:
        write_json(Path(a.out), result)
        print(f"\nall figures → {a.out}")
    return 0


def cmd_ledger(a: argparse.Namespace) -> int:
    from duikou.dataset.reader import load_documents
    from duikou.eval.harness import protocol_documents
    from duikou.eval.ledger import write_ledger
    from duikou.eval.validate import validate_relation_predictions

    corpus = Path(a.gold_corpus) if a.gold_corpus else None
    if a.predictions:
        docs = protocol_documents(a.protocol, corpus)
        pred = validate_relation_predictions(Path(a.predictions), {d.id: d.text for d in docs})
        for d in docs:
            d.spans, d.relations = pred[d.id]
        title = f"duikou aid-flow ledger: predictions {Path(a.predictions).name}"
    else:
        docs = load_documents(corpus)
        title = "duikou aid-flow ledger: gold relations"
    out = Path(a.out) if a.out else paths.eval_dir() / "ledger"
    written = write_ledger(docs, out, title=title)
    print(f"ledger of {len(docs)} documents → " + ", ".join(str(p) for p in written.values()))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    lg = sub.add_parser("ledger", help="aid-flow ledger (CSV, Parquet, PNG, HTML) from gold or "
                        "predicted relations")
    src = lg.add_mutually_exclusive_group()
    src.add_argument("--gold", action="store_true", help="use the gold relations of every "
                     "document (the default)")
    src.add_argument("--predictions", help="a relation predictions JSONL ({id, entities, "
                     "relations}) for the documents of --protocol")
    lg.add_argument("--protocol", choices=("test", "cv"), default="test",
                    help="with --predictions: test split or every document (default test)")
    lg.add_argument("--corpus", dest="gold_corpus", help="dataset folder (default: corpus/)")
    lg.add_argument("--out", help="output folder (default: eval/ledger/)")
    lg.set_defaults(func=cmd_ledger)
    r = sub.add_parser("relate", help="predict relations between spans (rule baseline)")
    r.add_argument("--spans", default="gold", help="'gold' (the gold spans: relation "
                   "classification alone) or a span predictions JSONL (end-to-end pipeline)")
    r.add_argument("--protocol", choices=("test", "cv"), default="test",
                   help="test: the test split's documents; cv: every document (the rule "
                   "baseline has no training, so no fold is held out)")
    r.add_argument("--gold", help="dataset folder (default: corpus/)")
    r.add_argument("--out", required=True, help=f"output JSONL ({STDOUT} for stdout): "
                   "{id, entities, relations} per document")
    r.set_defaults(func=cmd_relate)


def register_annotation(asub: argparse._SubParsersAction) -> None:
    rel = asub.add_parser("relations", help="relation worksheets, agreement and gold")
    rs = rel.add_subparsers(dest="relsub", required=True)
    sh = rs.add_parser("sheets", help="write relation worksheets (spans marked with handles)")
    sh.add_argument("--out", help="folder (default: annotation/relations/worksheets)")
    sh.set_defaults(func=cmd_sheets)
    g = rs.add_parser("gold", help="passes → agreement.json, disputes.jsonl and, when every "
                      "dispute is decided in adjudication.jsonl, gold.jsonl")
    g.add_argument("--check", action="store_true",
                   help="only check that gold.jsonl is exactly the passes plus the log")
    g.set_defaults(func=cmd_gold)


EXAMPLES = {
    "relate": ["duikou relate --spans gold --out rel-gold-spans.jsonl",
               "duikou predict models/crf --split test --out crf.jsonl && "
               "duikou relate --spans crf.jsonl --out rel-crf.jsonl",
               "duikou evaluate --task relations rel-crf.jsonl"],
    "ledger": ["duikou ledger --gold", "duikou ledger --predictions rel-crf.jsonl --out /tmp/l"],
    "annotation relations sheets": ["duikou annotation relations sheets"],
    "annotation relations gold": ["duikou annotation relations gold",
                                  "duikou annotation relations gold --check"],
}
