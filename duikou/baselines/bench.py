"""Baseline speed figures: ``python -m duikou.baselines.bench`` (a script, not a test).

Prints CRF training time, tagging throughput (characters per second over all corpus
documents) for the rules, the CRF, a tiny random BERT and e5-small (full and
vocabulary-trimmed vocabularies, each fine-tuned for one epoch), and peak resident memory.
Neural rows are skipped with a message when ``duikou.baselines.bert`` or torch is missing.
The corpus is the built ``corpus/`` folder; with no gold spans yet the models learn
nothing, but the speed figures are still meaningful.
"""

from __future__ import annotations

import importlib.util
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from duikou.baselines.api import train_model
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


def _neural_rows(tmp: Path, texts: list[str], corpus: Path | None) -> dict:
    if importlib.util.find_spec("duikou.baselines.bert") is None:
        return {"bert": "skipped: duikou.baselines.bert is not available"}
    if importlib.util.find_spec("torch") is None:
        return {"bert": "skipped: torch is not installed"}
    bert = tagger_class("bert")
    encoders: dict[str, Callable[[], Path]] = {
        "tiny_bert": lambda: build_tiny_bert(tmp / "tiny", texts),
        "e5_full": lambda: prepare_e5(tmp / "e5-full"),
        "e5_trimmed": lambda: prepare_e5_trimmed(tmp / "e5-trim", texts),
    }
    rows: dict = {}
    for name, make in encoders.items():
        try:
            base = make()
            seconds = _timed_train("bert", tmp / f"{name}-model", corpus, model=base,
                                   epochs=1, progress=False)
            tagger = bert.load(tmp / f"{name}-model", corpus=corpus)
            rows[name] = {"train_1_epoch_s": round(seconds, 2),
                          "chars_per_s": round(_throughput(tagger, texts))}
        except Exception as exc:  # a bench row failing must not hide the others
            rows[name] = f"skipped: {type(exc).__name__}: {exc}"
    return rows


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
    import json

    corpus = Path(argv[0]) if argv else None
    print(json.dumps(run(corpus), ensure_ascii=False, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
