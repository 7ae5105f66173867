"""Baseline speed figures: ``python -m duikou.baselines.bench`` (a script, not a test).

Prints CRF training time, tagging throughput (characters per second over all corpus
documents) for the rules, the CRF, a tiny random BERT and e5-small, and peak resident
memory. For e5-small (vocabulary-trimmed, and full) it measures seconds per optimiser step
on fold 0's training windows (median over :data:`TIMED_STEPS` steps after one warm-up
step, wall clock and process CPU time) for these settings:

* ``before``: the converged recipe before the speed work (float32, word embeddings
  trained, 60 epochs at lr 2e-4 = 60 × batches-per-epoch steps);
* ``after``: the defaults of :class:`duikou.baselines.bert.Settings`;
* ``cpu_cv``: :data:`duikou.baselines.bert.CPU_CV_RECIPE` (only the top layers trained, their
  input computed once: the per-fold estimate includes that one-off pass);

and from those, seconds per cross-validation fold = steps × s/step + validation
evaluations × their measured time + tagging the held-out document (an estimate from
measured parts; ``baselines/BENCHMARKS.md`` has whole measured runs). Neural rows are
skipped with a message when ``duikou.baselines.bert`` or torch is missing.
"""

from __future__ import annotations

import importlib.util
import math
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from duikou.baselines.api import train_model, training_documents
from duikou.baselines.registry import tagger_class
from duikou.dataset.reader import load_documents
from duikou.encoders.e5 import prepare_e5, prepare_e5_trimmed


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far, MiB (Linux reports KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024 if sys.platform != "darwin" else kib / 2**20


def _throughput(tagger, texts: list[str]) -> float:
    start = time.perf_counter()
    tagger.predict_spans(texts)
    return sum(map(len, texts)) / max(time.perf_counter() - start, 1e-9)


def _timed_train(kind: str, out: Path, corpus: Path | None, **opts: object) -> float:
    start = time.perf_counter()
    train_model(kind, corpus=corpus, out=out, **opts)
    return time.perf_counter() - start


def build_tiny_bert(folder: Path, texts: list[str], hidden: int = 64) -> Path:
    """A random 2-layer BERT with a character WordPiece vocabulary of ``texts``."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    chars = sorted({c for t in texts for c in t if not c.isspace()})
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars, *(f"##{c}" for c in chars)]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    BertTokenizerFast(vocab_file=str(folder / "vocab.txt"), do_lower_case=False,
                      tokenize_chinese_chars=True).save_pretrained(str(folder))
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(vocab), hidden_size=hidden, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=2 * hidden)
    BertModel(config).save_pretrained(str(folder))
    return folder


TIMED_STEPS = 8
#: the converged recipe before the speed work (issue notes): fp32, embeddings trained
BEFORE = {"epochs": 60, "lr": 2e-4, "precision": "fp32", "freeze_embeddings": False}


def _settings() -> dict[str, dict]:
    from duikou.baselines.bert import CPU_CV_RECIPE

    return {"before": BEFORE, "after": {}, "cpu_cv": CPU_CV_RECIPE}


def bert_step_speed(model_dir: Path, corpus: Path | None, fold: int = 0,
                    timed_steps: int = TIMED_STEPS, **options: object) -> dict:
    """Seconds per optimiser step and per cross-validation fold for ``options`` (see the
    module docstring), on fold ``fold``'s training windows; ``options`` are
    :class:`duikou.baselines.bert.Settings` fields (``steps`` is the schedule's length)."""
    import torch

    from duikou.baselines import bert

    train_docs, val_docs, _ = training_documents(corpus, None, fold, True)
    held_out = load_documents(corpus, fold=fold, held_out=True)
    st = bert.Settings(**options)  # type: ignore[arg-type]
    run = bert.Runtime("cpu", bert.resolve_precision(st.precision, "cpu"))
    with bert._torch_threads(bert.THREADS):
        torch.manual_seed(0)
        tok, net = bert._load_pretrained(str(model_dir))
        if st.freeze_embeddings:
            net.get_input_embeddings().weight.requires_grad_(False)
        prepared = bert._prepare(tok, train_docs, st.max_length, st.stride, st.title_tokens)
        windows = bert._windows(tok, prepared.encs, prepared.labels)
        pl = bert.plan(st, len(windows))
        frozen = bert.freeze_lower(net, st)
        opt, sched = bert._optimizer(net, st.lr, pl)
        params = [p for p in net.parameters() if p.requires_grad]
        weights = bert.loss_weights(prepared.labels, st, run)
        start = time.perf_counter()
        items = (bert.lower_outputs(net, windows, frozen, tok.pad_token_id, run) if frozen
                 else windows)
        cache_s = time.perf_counter() - start
        batches = bert._batches(items, st.batch_size, torch.Generator().manual_seed(0))
        net.train()
        walls, cpus = [], []
        for _ in range(timed_steps + 1):
            w, c = time.perf_counter(), time.process_time()
            loss = bert._batch_loss(net, next(batches), tok.pad_token_id, run, frozen, weights)
            bert._train_step(loss, opt, sched, params)
            walls.append(time.perf_counter() - w)
            cpus.append(time.process_time() - c)

        def tagging(docs: list) -> float:
            start = time.perf_counter()
            bert._predict(net, tok, [d.text for d in docs], max_length=st.max_length,
                          stride=st.stride, batch_size=bert.PREDICT_BATCH, progress=False,
                          run=run, title_tokens=st.title_tokens)
            return time.perf_counter() - start

        eval_s, predict_s = tagging(val_docs), tagging(held_out)
    step_s = statistics.median(walls[1:])
    n_evals = math.ceil(pl.steps / pl.eval_every)
    return {"precision": run.precision, "freeze_embeddings": st.freeze_embeddings,
            "train_layers": st.train_layers, "steps_per_fold": pl.steps,
            "s_per_step": round(step_s, 3),
            "cpu_s_per_step": round(statistics.median(cpus[1:]), 3),
            "lower_layer_cache_s": round(cache_s, 2),
            "s_per_fold_estimate": round(cache_s + pl.steps * step_s + n_evals * eval_s
                                         + predict_s, 1)}


def _neural_rows(tmp: Path, texts: list[str], corpus: Path | None) -> dict:
    if importlib.util.find_spec("duikou.baselines.bert") is None:
        return {"bert": "skipped: duikou.baselines.bert is not available"}
    if importlib.util.find_spec("torch") is None:
        return {"bert": "skipped: torch is not installed"}
    bert = tagger_class("bert")
    rows: dict = {}
    try:
        base = build_tiny_bert(tmp / "tiny", texts)
        seconds = _timed_train("bert", tmp / "tiny-model", corpus, model=base, steps=20,
                               progress=False)
        tagger = bert.load(tmp / "tiny-model", corpus=corpus)
        rows["tiny_bert"] = {"train_20_steps_s": round(seconds, 2),
                             "chars_per_s": round(_throughput(tagger, texts))}
    except Exception as exc:  # a bench row failing must not hide the others
        rows["tiny_bert"] = f"skipped: {type(exc).__name__}: {exc}"
    encoders: dict[str, tuple[Callable[[], Path], tuple[str, ...]]] = {
        "e5_trimmed": (lambda: prepare_e5_trimmed(tmp / "e5-trim", texts),
                       ("before", "after", "cpu_cv")),
        "e5_full": (lambda: prepare_e5(tmp / "e5-full"), ("after",)),
    }
    for name, (make, settings) in encoders.items():
        try:
            folder = make()
            row = {s: bert_step_speed(folder, corpus, **_settings()[s]) for s in settings}
            tagger = _tiny_tagger(folder, tmp / f"{name}-model", corpus)
            row["chars_per_s"] = round(_throughput(tagger, texts))
            rows[name] = row
        except Exception as exc:  # a bench row failing must not hide the others
            rows[name] = f"skipped: {type(exc).__name__}: {exc}"
    return rows


def _tiny_tagger(base: Path, out: Path, corpus: Path | None):
    """A tagger trained for one step: its tagging speed is the encoder's."""
    train_model("bert", corpus=corpus, out=out, model=base, steps=1, progress=False)
    return tagger_class("bert").load(out, corpus=corpus)


def run(corpus: Path | None = None) -> dict:
    """Measure every baseline; returns the figures as a JSON-ready dict."""
    texts = [d.text for d in load_documents(corpus)]
    figures: dict = {"documents": len(texts), "characters": sum(map(len, texts))}
    with tempfile.TemporaryDirectory(prefix="duikou-bench-") as tmp_name:
        tmp = Path(tmp_name)
        rules = tagger_class("rules").load(tmp)
        figures["rules"] = {"chars_per_s": round(_throughput(rules, texts))}
        seconds = _timed_train("crf", tmp / "crf", corpus)
        figures["crf"] = {"train_s": round(seconds, 2),
                          "chars_per_s": round(_throughput(tagger_class("crf").load(tmp / "crf"),
                                                          texts))}
        figures.update(_neural_rows(tmp, texts, corpus))
    figures["peak_rss_mib"] = round(peak_rss_mib(), 1)
    return figures


def main(argv: list[str] | None = None) -> int:
    import argparse
    import json

    p = argparse.ArgumentParser(prog="python -m duikou.baselines.bench",
                                description=__doc__.split("\n\n")[0])
    p.add_argument("corpus", nargs="?", type=Path,
                   help="dataset folder (default: corpus/); e.g. a dataset-1 build")
    a = p.parse_args(argv)
    print(json.dumps(run(a.corpus), ensure_ascii=False, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
