"""BERT-type token-classification baseline (transformers + torch; CPU, or a CUDA GPU).

Labels are the IOB2 tags of :data:`duikou.schema.BIO_TAGS`, one per *token*, aligned to
characters through the fast tokenizer's offset mappings. Offsets everywhere are Unicode
code-point indices into the document text, end-exclusive (see :mod:`duikou.spans`).

Alignment contract
------------------
* A token covering characters ``[a, b)`` is anchored at its *first non-whitespace*
  character ``e`` (``a`` itself when the token is all whitespace); XLM-R-style pieces such as
  ``▁de`` include the preceding space, so the anchor is the ``d``.
* Training label of a token = the IOB2 tag of its anchor character. A token anchored inside
  a span (not at its first character) therefore gets ``I-``.
* Several consecutive tokens with the same anchor (the standalone ``▁`` that XLM-R-style
  tokenizers prepend shares the offsets of the first character) are labelled once: the last
  of them carries the label, the others get ``-100``, as do special tokens and padding.
* Prediction back to characters: a token tagged ``B-X`` gives ``B-X`` at its anchor,
  ``I-X`` on the rest of the token and ``O`` on its leading whitespace; ``I-X`` gives
  ``I-X`` on all its characters; ``O`` gives ``O``. Characters no token covers (spaces
  dropped by WordPiece) get ``I-X`` when they sit between an ``X`` token and an ``I-X``
  token, else ``O``. Spans come from :func:`duikou.spans.bio_to_spans` with
  ``strict=False``, so span boundaries are token boundaries.

Long documents are cut into windows of ``max_length - 2`` tokens (plus the tokenizer's
CLS/SEP) that overlap by ``stride`` tokens; a token's tag log-probabilities come from the
window in which it is most central (largest distance to the nearer window edge; earlier
window on ties). The tags of a whole document are then decoded at once by an
IOB2-constrained Viterbi (:func:`duikou.baselines.decode.viterbi_bio`) over its labelled
tokens, both for model selection during training and for prediction: no ``O I-X`` or
``B-X I-Y`` is ever produced, so no repair is needed.

Title context (``title_tokens``, off by default): every window starts with the first tokens
of the document's title (:func:`duikou.mentions.title_end`) and a SEP, ``CLS title SEP
window SEP``, so that a mention far from the title still sees which pairing the article is
about; the title tokens carry no label and give no prediction, and the windows are shorter
by their length.

Training runs a schedule defined in optimiser steps (:class:`Settings`, :func:`plan`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np

from duikou.baselines.base import Tagger
from duikou.baselines.common import (
    Timer,
    TrainingScope,
    read_model_info,
    require_safetensors,
    write_model_info,
)
from duikou.baselines.decode import viterbi_bio
from duikou.errors import ModelError, Problem
from duikou.jsonio import atomic_write_text, write_folder
from duikou.records import Document
from duikou.schema import BIO_TAGS, TAG_TO_ID
from duikou.scoring import score
from duikou.spans import Span, bio_to_spans, spans_to_bio

DEFAULT_MODEL = "bert-base-chinese"
IGNORE = -100
N_SPECIAL = 2  # CLS ... SEP around every window
WEIGHT_DECAY = 0.01
WARMUP_RATIO = 0.1
MAX_GRAD_NORM = 1.0
# Chosen on the validation split of dataset 2.1.1 (fixed-split models, seeds 0-2, on a GPU):
# best validation strict F1 0.650 for 420 steps at 2e-4, 0.742 for 840 at 2e-4, 0.753 for
# 840 at 1e-4, 0.756 for 1260 at 1e-4 (within the seed spread of 840, at 1.5 x the cost).
# Grid and figures: baselines/BENCHMARKS.md.
DEFAULT_STEPS = 840
DEFAULT_LR = 1e-4
#: the CPU recipe for a whole cross-validation within 15 minutes on two cores (dataset 1.x):
#: only the top 6 of e5-small's 12 layers trained, 360 steps at lr 3e-4. Steps from the time
#: budget; layers and lr chosen on the mean inner-validation F1 of the folds only (top 6 at
#: lr 3e-4: 0.635 over 3 seeds; at 2e-4: 0.621; top 4 / 540 steps and top 8 / 270 steps lost
#: with seed 0), baselines/BENCHMARKS.md.
CPU_CV_RECIPE = {"train_layers": 6, "steps": 360, "lr": 3e-4}
N_EVALS = 10  # validation evaluations over a run unless eval_every is given
PRECISIONS = ("auto", "fp32", "bf16")
THREADS = 2
PREDICT_BATCH = 16
_OFFLINE_VALUES = {"1", "true", "yes", "on"}


# ----------------------------------------------------------------------------- alignment


@dataclass
class DocEncoding:
    """One document tokenised without special tokens.

    ``starts[i]`` is token ``i``'s anchor character, ``spans[i]`` its ``(a, b)`` offsets,
    ``labelled[i]`` whether it carries a label, ``windows`` the ``[s, e)`` token ranges.
    """

    ids: list[int]
    offsets: list[tuple[int, int]]
    starts: list[int]
    labelled: list[bool]
    windows: list[tuple[int, int]] = field(default_factory=list)
    #: the title tokens put before every window (title context), empty without it
    prefix: list[int] = field(default_factory=list)


def window_ranges(n_tokens: int, max_length: int, stride: int) -> list[tuple[int, int]]:
    """Token ranges ``[s, e)`` of at most ``max_length - 2`` tokens overlapping by ``stride``.

    The ranges cover ``[0, n_tokens)``; an empty document gives no window.
    """
    check_window_settings(max_length, stride)
    size = max_length - N_SPECIAL
    out: list[tuple[int, int]] = []
    start = 0
    while start < n_tokens:
        end = min(start + size, n_tokens)
        out.append((start, end))
        if end == n_tokens:
            break
        start += size - stride
    return out


def check_window_settings(max_length: int, stride: int, title_tokens: int | None = None
                          ) -> None:
    """Raise :class:`ModelError` unless ``0 <= stride < max_length - 2`` and, with title
    context, ``stride < max_length - 2 - (title_tokens + 1)`` (the title and its SEP)."""
    if not 0 <= stride < max_length - N_SPECIAL:
        raise ModelError(Problem(
            f"expected 0 <= stride < max_length - {N_SPECIAL}, found max_length={max_length}, "
            f"stride={stride}", code="DK-MODEL-010"))
    if title_tokens and not stride < max_length - N_SPECIAL - title_tokens - 1:
        raise ModelError(Problem(
            f"expected stride < max_length - {N_SPECIAL} - (title_tokens + 1), found "
            f"max_length={max_length}, stride={stride}, title_tokens={title_tokens}",
            code="DK-MODEL-064"))


def central_windows(windows: Sequence[tuple[int, int]], n_tokens: int) -> list[int]:
    """For each token, the index of the window where it is most central (earliest on ties)."""
    best = [-1] * n_tokens
    score = [-1] * n_tokens
    for w, (s, e) in enumerate(windows):
        for i in range(s, e):
            c = min(i - s, e - 1 - i)
            if c > score[i]:
                best[i], score[i] = w, c
    return best


def _anchor(text: str, a: int, b: int) -> int:
    for i in range(a, b):
        if not text[i].isspace():
            return i
    return a


def title_prefix(ids: Sequence[int], offsets: Sequence[tuple[int, int]], text: str,
                 title_tokens: int | None) -> list[int]:
    r"""The ids of the first ``title_tokens`` tokens that end inside the title of ``text``
    (:func:`duikou.mentions.title_end`); empty without title context or a title.

    >>> title_prefix([5, 6, 7, 8], [(0, 2), (2, 4), (4, 5), (5, 7)], "援建喀什\n正文", 8)
    [5, 6]
    >>> title_prefix([5, 6, 7], [(0, 2), (2, 4), (4, 5)], "援建喀什\n正", 1)
    [5]
    """
    from duikou.mentions import title_end

    if not title_tokens:
        return []
    end = title_end(text)
    return [i for i, (_, b) in zip(ids, offsets, strict=True) if b <= end][:title_tokens]


def encode_document(tokenizer, text: str, *, max_length: int, stride: int,
                    title_tokens: int | None = None) -> DocEncoding:
    """Tokenise ``text`` (fast tokenizer, no special tokens) and cut it into windows, which
    are shorter by the title prefix and its SEP with ``title_tokens``."""
    enc = tokenizer.backend_tokenizer.encode(text, add_special_tokens=False)
    offsets = [(int(a), int(b)) for a, b in enc.offsets]
    starts = [_anchor(text, a, b) if a < b else a for a, b in offsets]
    labelled = []
    for i, (a, b) in enumerate(offsets):
        dup = i + 1 < len(offsets) and starts[i + 1] == starts[i] and offsets[i + 1][0] < offsets[i + 1][1]
        labelled.append(a < b and not dup)
    doc = DocEncoding(list(enc.ids), offsets, starts, labelled)
    doc.prefix = title_prefix(doc.ids, offsets, text, title_tokens)
    room = max_length - (len(doc.prefix) + 1 if doc.prefix else 0)
    doc.windows = window_ranges(len(doc.ids), room, stride)
    return doc


def token_labels(doc: DocEncoding, char_tags: Sequence[str]) -> list[int]:
    """Label id per token: the tag of its anchor character, ``-100`` where unlabelled."""
    return [TAG_TO_ID[char_tags[s]] if ok else IGNORE
            for s, ok in zip(doc.starts, doc.labelled, strict=True)]


def _inside_tag(tag: str) -> str:
    return "O" if tag == "O" else "I-" + tag[2:]


def chars_from_tokens(doc: DocEncoding, length: int, tags: Sequence[str | None]) -> list[str]:
    """Character IOB2 tags from per-token tags (``None`` for unlabelled tokens)."""
    out: list[str | None] = [None] * length
    for (a, b), s, tag in zip(doc.offsets, doc.starts, tags, strict=True):
        if tag is None or a >= b:
            continue
        for i in range(s, b):  # whitespace before the anchor stays uncovered: _fill_gaps
            out[i] = _inside_tag(tag)  # joins it to a span only between X and I-X
        if tag.startswith("B-"):
            out[s] = tag
    return _fill_gaps(out)


def _fill_gaps(tags: list[str | None]) -> list[str]:
    """Uncovered characters continue a span only when flanked by ``X`` and ``I-X``."""
    result = ["O" if t is None else t for t in tags]
    prev = "O"
    i = 0
    while i < len(tags):
        if tags[i] is not None:
            prev = result[i]
            i += 1
            continue
        j = i
        while j < len(tags) and tags[j] is None:
            j += 1
        nxt = result[j] if j < len(tags) else "O"
        if prev != "O" and nxt == "I-" + prev[2:]:
            result[i:j] = [nxt] * (j - i)
        i = j
    return result


# ----------------------------------------------------------------------------- model I/O


def _is_offline() -> bool:
    return any(os.environ.get(k, "").strip().lower() in _OFFLINE_VALUES
               for k in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def resolve_model(model: str | Path) -> str:
    """A local folder path, or a hub name when the Hub may be used; else :class:`ModelError`."""
    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelError(Problem("expected a transformers model folder with config.json",
                                     file=str(path), code="DK-MODEL-011"))
        require_safetensors(path)
        return str(path)
    name = str(model)
    looks_local = isinstance(model, Path) or name.startswith((".", "/", "~")) or name.count("/") > 1
    if looks_local:
        raise ModelError(Problem("model folder does not exist; prepare one with "
                                 "`duikou models prepare-e5`", file=name, code="DK-MODEL-012"))
    if _is_offline():
        raise ModelError(Problem(
            f"model {name!r} is a Hugging Face Hub name but HF_HUB_OFFLINE is set, so it "
            "cannot be downloaded: run `duikou models prepare-e5` and pass its folder with "
            "--model DIR (or any local transformers folder)", code="DK-MODEL-013"))
    return name


def _load_pretrained(source: str):
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
        model = AutoModelForTokenClassification.from_pretrained(
            source, num_labels=len(BIO_TAGS), id2label=dict(enumerate(BIO_TAGS)),
            label2id=dict(TAG_TO_ID), ignore_mismatched_sizes=True, use_safetensors=True)
    except OSError as exc:
        raise ModelError(Problem(
            f"could not load model {source!r} ({exc}); use a local folder (--model DIR, e.g. "
            "from `duikou models prepare-e5`)", code="DK-MODEL-014")) from exc
    _check_tokenizer(tokenizer, source)
    return tokenizer, model


def _check_tokenizer(tokenizer, source: str) -> None:
    problems = []
    if not getattr(tokenizer, "is_fast", False):
        problems.append(Problem("expected a fast tokenizer (offset mappings are needed)",
                                file=source, code="DK-MODEL-015"))
    if _cls_sep(tokenizer) is None:
        problems.append(Problem("tokenizer defines no CLS/BOS and SEP/EOS tokens", file=source,
                                code="DK-MODEL-016"))
    if tokenizer.pad_token_id is None:
        problems.append(Problem("tokenizer defines no padding token", file=source,
                                code="DK-MODEL-017"))
    if problems:
        raise ModelError(problems)


def _cls_sep(tokenizer) -> tuple[int, int] | None:
    cls = tokenizer.cls_token_id if tokenizer.cls_token_id is not None else tokenizer.bos_token_id
    sep = tokenizer.sep_token_id if tokenizer.sep_token_id is not None else tokenizer.eos_token_id
    return None if cls is None or sep is None else (cls, sep)


# ----------------------------------------------------------------------------- batching


@dataclass
class _Window:
    doc: int
    start: int
    end: int
    input_ids: list[int]
    labels: list[int] | None
    #: position of the window's first token in ``input_ids`` (after CLS and any title)
    offset: int = 1


def _windows(tokenizer, encs: Sequence[DocEncoding],
             labels: Sequence[list[int]] | None = None) -> list[_Window]:
    cls, sep = _cls_sep(tokenizer)  # type: ignore[misc]
    out = []
    for d, enc in enumerate(encs):
        head = [cls, *enc.prefix, sep] if enc.prefix else [cls]
        for s, e in enc.windows:
            lab = (None if labels is None
                   else [IGNORE] * len(head) + [*labels[d][s:e], IGNORE])
            out.append(_Window(d, s, e, [*head, *enc.ids[s:e], sep], lab, len(head)))
    return out


def _collate(batch: Sequence[_Window], pad_id: int) -> dict:
    import torch

    width = max(len(w.input_ids) for w in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    out = {"input_ids": ids, "attention_mask": mask}
    if batch[0].labels is not None:
        out["labels"] = torch.full((len(batch), width), IGNORE, dtype=torch.long)
    for r, w in enumerate(batch):
        n = len(w.input_ids)
        ids[r, :n] = torch.tensor(w.input_ids)
        mask[r, :n] = 1
        if w.labels is not None:
            out["labels"][r, :n] = torch.tensor(w.labels)
    return out


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _bar(iterable, *, total: int, desc: str, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, disable=not enabled, leave=False)


def _summary(row: dict, steps: int) -> None:
    """One line per evaluation that stays on screen (the bar itself vanishes)."""
    from tqdm.auto import tqdm

    val = (f", validation strict F1 {row['val_strict_f1']:.4f} (loss {row['val_loss']:.4f})"
           if "val_strict_f1" in row else "")
    tqdm.write(f"[bert] step {row['step']}/{steps} (epoch {row['epoch']}): train loss "
               f"{row['train_loss']:.4f}{val}, {row['seconds']:.0f}s", file=sys.stderr)


def _forward(model, windows: Sequence[_Window], pad_id: int, batch_size: int, progress: bool,
             run: Runtime) -> tuple[list[np.ndarray], float | None]:
    """Per-window tag log-probabilities ``[tokens, tags]`` (specials stripped, float32) and
    the mean loss when the windows are labelled."""
    import torch

    out_rows: list[np.ndarray] = []
    losses: list[float] = []
    model.eval()
    total = math.ceil(len(windows) / batch_size)
    with torch.inference_mode():
        for batch in _bar(_chunks(windows, batch_size), total=total, desc="predict",
                          enabled=progress):
            with run.autocast():
                out = model(**run.to_device(_collate(batch, pad_id)))
            if out.loss is not None:
                losses.append(float(out.loss) * len(batch))
            logp = torch.log_softmax(out.logits.float(), dim=-1).cpu().numpy()
            out_rows.extend(row[w.offset : w.offset + w.end - w.start]
                            for row, w in zip(logp, batch, strict=True))
    return out_rows, (sum(losses) / len(windows) if losses else None)


def token_log_probs(enc: DocEncoding, window_log_probs: Sequence[np.ndarray]) -> np.ndarray:
    """``[labelled tokens, tags]``: each labelled token's row from the window where it is most
    central (:func:`central_windows`); ``window_log_probs`` are this document's windows."""
    owner = central_windows(enc.windows, len(enc.ids))
    rows = [window_log_probs[w][i - enc.windows[w][0]]
            for i, w in enumerate(owner) if enc.labelled[i]]
    return np.stack(rows) if rows else np.zeros((0, len(BIO_TAGS)), np.float32)


def decode_document(enc: DocEncoding, text: str,
                    window_log_probs: Sequence[np.ndarray]) -> list[Span]:
    """Spans of one document: constrained Viterbi (:func:`viterbi_bio`) over the labelled
    tokens of the whole document, then back to characters (:func:`chars_from_tokens`)."""
    best = iter(viterbi_bio(token_log_probs(enc, window_log_probs), BIO_TAGS))
    tags = [BIO_TAGS[next(best)] if ok else None for ok in enc.labelled]
    return bio_to_spans(chars_from_tokens(enc, len(text), tags), strict=False, text=text)


def _predict(model, tokenizer, texts: Sequence[str], *, max_length: int, stride: int,
             batch_size: int, progress: bool, run: Runtime,
             gold: Sequence[list[int]] | None = None,
             encs: Sequence[DocEncoding] | None = None,
             title_tokens: int | None = None) -> tuple[list[list[Span]], float | None]:
    if encs is None:
        encs = [encode_document(tokenizer, t, max_length=max_length, stride=stride,
                                title_tokens=title_tokens) for t in texts]
    windows = _windows(tokenizer, encs, gold)
    logp, loss = _forward(model, windows, tokenizer.pad_token_id, batch_size, progress, run)
    out, first = [], 0
    for enc, text in zip(encs, texts, strict=True):
        out.append(decode_document(enc, text, logp[first : first + len(enc.windows)]))
        first += len(enc.windows)
    return out, loss


# ----------------------------------------------------------------------------- runtime


@dataclass(frozen=True)
class Runtime:
    """Where and in which precision the network runs: ``device`` ``cpu`` or ``cuda[:N]``,
    ``precision`` ``fp32`` or ``bf16`` (autocast; the weights stay float32)."""

    device: str = "cpu"
    precision: str = "fp32"

    def autocast(self):
        import torch

        return torch.autocast(self.device.split(":")[0], dtype=torch.bfloat16,
                              enabled=self.precision == "bf16")

    def to_device(self, batch: dict) -> dict:
        if self.device == "cpu":
            return batch
        return {k: v.to(self.device, non_blocking=True) for k, v in batch.items()}


def resolve_device(device: str) -> str:
    """``cpu`` or an available ``cuda[:N]``; :class:`ModelError` otherwise."""
    import torch

    if device == "cpu":
        return device
    if device == "cuda" or (device.startswith("cuda:") and device[5:].isdigit()):
        if not torch.cuda.is_available():
            raise ModelError(Problem(f"device {device!r} requested but torch sees no CUDA GPU "
                                     "(this torch build or machine has none); use --device cpu",
                                     code="DK-MODEL-051"))
        return device
    raise ModelError(Problem(f"expected device 'cpu', 'cuda' or 'cuda:N', found {device!r}",
                             code="DK-MODEL-052"))


def bf16_is_fast(device: str) -> bool:
    """Whether bfloat16 autocast has native kernels here (CUDA bf16, or oneDNN bf16 on a CPU
    with AVX512-BF16/AMX-class instructions)."""
    import torch

    if device.startswith("cuda"):
        return bool(torch.cuda.is_bf16_supported())
    return bool(torch.backends.mkldnn.is_available()
                and torch.ops.mkldnn._is_mkldnn_bf16_supported())


def resolve_precision(precision: str, device: str) -> str:
    """``fp32`` or ``bf16``; ``auto`` is ``bf16`` where :func:`bf16_is_fast`, else ``fp32``."""
    if precision not in PRECISIONS:
        raise ModelError(Problem(f"expected precision in {PRECISIONS}, found {precision!r}",
                                 code="DK-MODEL-053"))
    if precision != "auto":
        return precision
    return "bf16" if bf16_is_fast(device) else "fp32"


# ----------------------------------------------------------------------------- training


@dataclass
class _Prepared:
    texts: list[str]
    encs: list[DocEncoding]
    labels: list[list[int]]


def _prepare(tokenizer, docs: Sequence[Document], max_length: int, stride: int,
             title_tokens: int | None = None) -> _Prepared:
    encs, labels = [], []
    for d in docs:
        enc = encode_document(tokenizer, d.text, max_length=max_length, stride=stride,
                              title_tokens=title_tokens)
        encs.append(enc)
        labels.append(token_labels(enc, spans_to_bio(len(d.text), d.spans)))
    return _Prepared([d.text for d in docs], encs, labels)


def _strict_f1(docs: Sequence[Document], preds: Sequence[list[Span]]) -> float:
    gold = {d.id: list(d.spans) for d in docs}
    pred = {d.id: p for d, p in zip(docs, preds, strict=True)}
    return float(score(gold, pred, schemes=["strict"])["strict"]["micro"]["f1"])


@contextlib.contextmanager
def _torch_threads(n: int) -> Iterator[None]:
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@dataclass(frozen=True)
class Settings:
    """Every training hyperparameter of :func:`train`, with the defaults.

    The schedule is defined in optimiser steps: ``steps`` updates of ``batch_size`` windows,
    the learning rate rising linearly from 0 to ``lr`` over the first ``warmup`` fraction of
    them and falling linearly to 0 at the last one. ``epochs``, when given, replaces
    ``steps`` by ``epochs`` × batches per epoch. The model is scored on the validation
    documents every ``eval_every`` steps (default: 10 evaluations over the run) and at the
    end; with ``patience``, training stops after that many evaluations without a better one.
    ``train_layers`` fine-tunes only the top N transformer layers and the classifier: the
    embeddings and the layers below are frozen, and their output on each training window is
    computed once, so a step costs about N/L of a full one (baselines/BENCHMARKS.md).
    ``title_tokens`` puts up to that many title tokens before every window (module
    docstring); None: no title context. ``label_weighting`` weights each token's loss by its
    tag (:func:`tag_weights`), so rare labels such as ORG and LOC count more.
    """

    steps: int = DEFAULT_STEPS
    epochs: int | None = None
    lr: float = DEFAULT_LR
    batch_size: int = 8
    max_length: int = 128
    stride: int = 32
    warmup: float = WARMUP_RATIO
    eval_every: int | None = None
    patience: int | None = None
    freeze_embeddings: bool = True
    #: fine-tune only the top N transformer layers (and the classifier); None: all of them
    train_layers: int | None = None
    #: title tokens put before every window; None: no title context
    title_tokens: int | None = None
    #: weight each token's loss by its tag, (n_O / n_tag) ** label_weighting; None: unweighted
    label_weighting: float | None = None
    precision: str = "auto"
    device: str = "cpu"
    seed: int = 0

    def problems(self) -> list[Problem]:
        checks = [("steps", self.steps >= 1), ("lr", self.lr > 0),
                  ("batch_size", self.batch_size >= 1), ("warmup", 0 <= self.warmup < 1),
                  ("epochs", self.epochs is None or self.epochs >= 1),
                  ("eval_every", self.eval_every is None or self.eval_every >= 1),
                  ("patience", self.patience is None or self.patience >= 1),
                  ("train_layers", self.train_layers is None or self.train_layers >= 1),
                  ("title_tokens", self.title_tokens is None or self.title_tokens >= 1),
                  ("label_weighting", self.label_weighting is None or self.label_weighting > 0)]
        return [Problem(f"{name}: out of range ({getattr(self, name)!r}); expected steps, "
                        "batch_size, epochs, eval_every, patience, train_layers, title_tokens "
                        ">= 1, lr > 0, label_weighting > 0, "
                        "0 <= warmup < 1", code="DK-MODEL-054")
                for name, ok in checks if not ok]


@dataclass(frozen=True)
class Plan:
    """The concrete schedule for one training set: total steps, batches per epoch, warm-up
    steps and the evaluation interval."""

    steps: int
    per_epoch: int
    warmup_steps: int
    eval_every: int


def plan(st: Settings, n_windows: int) -> Plan:
    """The :class:`Plan` of ``st`` for ``n_windows`` training windows."""
    per_epoch = max(1, math.ceil(n_windows / st.batch_size))
    steps = st.epochs * per_epoch if st.epochs is not None else st.steps
    every = st.eval_every if st.eval_every is not None else max(1, math.ceil(steps / N_EVALS))
    return Plan(steps, per_epoch, round(st.warmup * steps), every)


def _optimizer(model, lr: float, pl: Plan):
    import torch
    from transformers import get_linear_schedule_with_warmup

    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    decay = [p for n, p in named if p.ndim > 1]
    rest = [p for n, p in named if p.ndim <= 1]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY},
                             {"params": rest, "weight_decay": 0.0}], lr=lr)
    return opt, get_linear_schedule_with_warmup(opt, pl.warmup_steps, pl.steps)


def _batches(windows: Sequence, batch_size: int, generator) -> Iterator[list]:
    """Endless batches: each epoch a fresh permutation cut into ``batch_size`` chunks."""
    import torch

    while True:
        order = torch.randperm(len(windows), generator=generator).tolist()
        yield from _chunks([windows[i] for i in order], batch_size)


def tag_weights(labels: Sequence[Sequence[int]], power: float) -> list[float]:
    """Loss weight per tag id: ``(n_O / n_tag) ** power`` over the labelled training tokens
    (``IGNORE`` skipped), so rare tags weigh more; 1.0 for a tag that never occurs.

    >>> tag_weights([[0, 0, 0, 0, 1, IGNORE]], 0.5)[:3]
    [1.0, 2.0, 1.0]
    """
    counts = np.bincount([t for row in labels for t in row if t != IGNORE],
                         minlength=len(BIO_TAGS)).astype(float)
    n_o = counts[0] or 1.0
    return [float((n_o / c) ** power) if c else 1.0 for c in counts]


def loss_weights(labels: Sequence[Sequence[int]], st: Settings, run: Runtime):
    """The tensor of :func:`tag_weights` on ``run``'s device for ``st.label_weighting``, or
    None (unweighted) without it."""
    import torch

    if not st.label_weighting:
        return None
    return torch.tensor(tag_weights(labels, st.label_weighting), device=run.device)


def _weighted_loss(logits, labels, weights):
    import torch

    return torch.nn.functional.cross_entropy(logits.float().flatten(0, 1), labels.flatten(),
                                             weight=weights, ignore_index=IGNORE)


def _batch_loss(model, batch: Sequence, pad_id: int, run: Runtime, frozen: int,
                weights=None):
    """The training loss of one batch: of whole windows through the full network, or (with
    ``frozen`` lower layers) of cached lower-layer outputs through the layers above them;
    with ``weights`` (a tensor of :func:`tag_weights`) each token's loss is weighted by its
    tag (without, the model's own loss, unchanged)."""
    if frozen:
        return _upper_loss(model, batch, frozen, run, weights)
    with run.autocast():
        inputs = run.to_device(_collate(batch, pad_id))
        out = model(**inputs)
    return out.loss if weights is None else _weighted_loss(out.logits, inputs["labels"], weights)


def _train_step(loss, opt, sched, params: list) -> float:
    import torch

    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, MAX_GRAD_NORM)
    opt.step()
    sched.step()
    opt.zero_grad(set_to_none=True)
    return float(loss.detach())


# ----------------------------------------------------------------------------- partial tuning
# With ``train_layers``, the embeddings and the layers below the top N never change, so their
# output on a training window is the same at every step: it is computed once (in eval mode,
# so without dropout) and each step runs only the top N layers and the classifier. The saved
# model is a whole ordinary model; prediction does not change.


#: encoders whose layers :func:`upper_logits` runs exactly as the whole network does (checked
#: by a test); others (ELECTRA's embedding projection, DeBERTa's relative positions) would not
PARTIAL_MODEL_TYPES = ("bert", "roberta", "xlm-roberta")


def _model_file(model) -> str | None:
    """The pretrained folder's config.json (where the layer count and type are stated)."""
    source = getattr(model, "name_or_path", None)
    return str(Path(source) / "config.json") if source else None


def _layer_stack(model) -> tuple:
    """``(base model, its transformer layers)`` of a BERT-type token classifier."""
    base = getattr(model, "base_model", None)
    kind = getattr(getattr(model, "config", None), "model_type", None)
    layers = getattr(getattr(base, "encoder", None), "layer", None)
    if (kind not in PARTIAL_MODEL_TYPES or layers is None or not hasattr(base, "embeddings")
            or not hasattr(model, "classifier") or not hasattr(model, "dropout")):
        raise ModelError(Problem(f"train_layers: expected an encoder of type "
                                 f"{', '.join(PARTIAL_MODEL_TYPES)}, found {kind!r} "
                                 f"({type(model).__name__})", file=_model_file(model),
                                 code="DK-MODEL-061"))
    return base, list(layers)


def freeze_lower(model, st: Settings) -> int:
    """Freeze the embeddings and every layer below the top ``st.train_layers`` (None: train
    all); return how many layers are frozen."""
    if st.train_layers is None:
        return 0
    base, layers = _layer_stack(model)
    if st.train_layers > len(layers):
        raise ModelError(Problem(f"train_layers: expected at most {len(layers)} (the "
                                 f"encoder's layers), found {st.train_layers}",
                                 file=_model_file(model), code="DK-MODEL-062"))
    frozen = len(layers) - st.train_layers
    if frozen and not st.freeze_embeddings:
        raise ModelError(Problem(f"train_layers {st.train_layers} of {len(layers)} freezes the "
                                 "embeddings with the layers below; freeze_embeddings=False "
                                 "contradicts it", file=_model_file(model),
                                 code="DK-MODEL-063"))
    if frozen:
        for module in (base.embeddings, *layers[:frozen]):
            module.requires_grad_(False)
    return frozen


def _run_layers(base, layers: Sequence, hidden, attention_mask):
    from transformers.masking_utils import create_bidirectional_mask

    mask = create_bidirectional_mask(config=base.config, inputs_embeds=hidden,
                                     attention_mask=attention_mask)
    for layer in layers:
        hidden = layer(hidden, attention_mask=mask)
        hidden = hidden[0] if isinstance(hidden, tuple) else hidden
    return hidden


@dataclass
class _Cached:
    hidden: object  # torch.Tensor [tokens, hidden size]: the frozen layers' output
    labels: list[int]


def lower_outputs(model, windows: Sequence[_Window], frozen: int, pad_id: int,
                  run: Runtime) -> list[_Cached]:
    """The output of the embeddings and the ``frozen`` lower layers on every window, in
    eval mode: float32, kept in host memory (windows × tokens × hidden size × 4 bytes,
    ~0.2 MB a window for e5-small at 128 tokens); batches go to the device as they are used."""
    import torch

    base, layers = _layer_stack(model)
    model.eval()
    out: list[_Cached] = []
    with torch.no_grad():
        for batch in _chunks(windows, PREDICT_BATCH):
            enc = run.to_device(_collate(batch, pad_id))
            with run.autocast():
                h = _run_layers(base, layers[:frozen], base.embeddings(input_ids=enc["input_ids"]),
                                enc["attention_mask"])
            h = h.float().cpu()
            out.extend(_Cached(h[r, :len(w.input_ids)].clone(), w.labels or [])
                       for r, w in enumerate(batch))
    model.train()
    return out


def upper_logits(model, batch: Sequence[_Cached], frozen: int, run: Runtime):
    """``(logits [batch, width, tags], labels [batch, width])`` of cached windows run
    through the layers above ``frozen`` and the classifier (padding: IGNORE)."""
    import torch

    base, layers = _layer_stack(model)
    first = batch[0].hidden
    width = max(c.hidden.shape[0] for c in batch)
    hidden = first.new_zeros((len(batch), width, first.shape[1]))
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    labels = torch.full((len(batch), width), IGNORE, dtype=torch.long)
    for r, c in enumerate(batch):
        n = c.hidden.shape[0]
        hidden[r, :n], mask[r, :n] = c.hidden, 1
        labels[r, :len(c.labels)] = torch.tensor(c.labels)
    enc = run.to_device({"hidden": hidden, "mask": mask, "labels": labels})
    with run.autocast():
        logits = model.classifier(model.dropout(_run_layers(base, layers[frozen:],
                                                            enc["hidden"], enc["mask"])))
    return logits, enc["labels"]


def _upper_loss(model, batch: Sequence[_Cached], frozen: int, run: Runtime, weights=None):
    logits, labels = upper_logits(model, batch, frozen, run)
    return _weighted_loss(logits, labels, weights)


@dataclass
class _Selection:
    """The best evaluation so far (strict F1, then lower loss, then earlier) and its weights."""

    key: tuple[float, float] | None = None
    state: dict | None = None
    since_best: int = 0

    def offer(self, model, f1: float, loss: float) -> None:
        key = (f1, -loss)
        if self.key is None or key > self.key:
            self.key, self.since_best = key, 0
            self.state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            self.since_best += 1


def _fit(model, tokenizer, train: _Prepared, val_docs: Sequence[Document], st: Settings,
         run: Runtime, progress: bool) -> tuple[dict | None, list[dict], Plan]:
    """Train; return the best evaluation's weights (``None``: keep the last), the history
    (one row per evaluation) and the plan."""
    import torch

    windows = _windows(tokenizer, train.encs, train.labels)
    if not windows:
        raise ModelError(Problem("no training text: the training documents are empty",
                                 code="DK-MODEL-018"))
    val = (_prepare(tokenizer, val_docs, st.max_length, st.stride, st.title_tokens)
           if val_docs else None)
    pl = plan(st, len(windows))
    frozen = freeze_lower(model, st)
    opt, sched = _optimizer(model, st.lr, pl)
    params = [p for p in model.parameters() if p.requires_grad]
    weights = loss_weights(train.labels, st, run)
    items = (lower_outputs(model, windows, frozen, tokenizer.pad_token_id, run) if frozen
             else windows)
    batches = _batches(items, st.batch_size, torch.Generator().manual_seed(st.seed))
    sel, history, seen, total = _Selection(), [], 0, 0.0
    start = time.perf_counter()
    model.train()
    for step in _bar(range(1, pl.steps + 1), total=pl.steps, desc="train", enabled=progress):
        batch = next(batches)
        loss = _batch_loss(model, batch, tokenizer.pad_token_id, run, frozen, weights)
        total += _train_step(loss, opt, sched, params) * len(batch)
        seen += len(batch)
        if step % pl.eval_every and step != pl.steps:
            continue
        row = {"step": step, "epoch": round(step / pl.per_epoch, 2),
               "train_loss": round(total / seen, 6), "lr": sched.get_last_lr()[0],
               "seconds": round(time.perf_counter() - start, 1)}
        seen, total = 0, 0.0
        if val is not None:
            preds, vloss = _predict(model, tokenizer, val.texts, max_length=st.max_length,
                                    stride=st.stride, batch_size=PREDICT_BATCH, progress=False,
                                    run=run, gold=val.labels, encs=val.encs)
            row.update(val_strict_f1=_strict_f1(val_docs, preds), val_loss=round(vloss or 0, 6))
            sel.offer(model, row["val_strict_f1"], row["val_loss"])
            model.train()
        history.append(row)
        if progress:
            _summary(row, pl.steps)
        if val is not None and st.patience is not None and sel.since_best >= st.patience:
            break
    return sel.state, history, pl


def train(train_docs: list[Document], val_docs: list[Document], *,
          model: str | Path = DEFAULT_MODEL, out: Path, scope: TrainingScope,
          corpus: Path | None, seed: int = 0, progress: bool = True, **options: object) -> Path:
    """Fine-tune ``model`` on ``train_docs`` and save the selected model folder at ``out``.

    ``options`` are the :class:`Settings` fields (``steps``, ``epochs``, ``lr``,
    ``batch_size``, ``max_length``, ``stride``, ``warmup``, ``eval_every``, ``patience``,
    ``freeze_embeddings``, ``train_layers``, ``title_tokens``, ``label_weighting``,
    ``precision``, ``device``); all
    are recorded in ``duikou_model.json``. See ``baselines/BENCHMARKS.md`` for how the defaults were chosen
    (on the validation document only).

    Model selection keeps the evaluation with the best strict micro F1 on ``val_docs``
    (decoded with the constrained Viterbi of prediction; ties: lower validation loss, then
    the earlier step); with no ``val_docs`` the model after the last step is kept. ``out``
    receives the weights, the tokenizer, ``duikou_model.json`` and a ``README.md`` model
    card; it is written in a temporary sibling and renamed into place. ``corpus`` is the
    dataset folder the documents came from (default ``corpus/``), recorded for the
    dataset-version check. Deterministic for a given seed on CPU. Raises
    :class:`ModelError`.
    """
    import torch
    from transformers import set_seed

    unknown = sorted(set(options) - {f.name for f in dataclasses.fields(Settings)})
    if unknown:
        raise ModelError(Problem(f"unknown bert training options {unknown}",
                                 code="DK-MODEL-055"))
    st = Settings(seed=seed, **options)  # type: ignore[arg-type]
    if st.problems():
        raise ModelError(st.problems())
    check_window_settings(st.max_length, st.stride, st.title_tokens)
    out = Path(out)
    _check_out(out)
    source = resolve_model(model)
    device = resolve_device(st.device)
    run = Runtime(device, resolve_precision(st.precision, device))
    with _torch_threads(THREADS), Timer() as timer:
        set_seed(seed)
        torch.manual_seed(seed)
        tokenizer, net = _load_pretrained(source)
        _check_positions(net, st.max_length, source)
        if st.freeze_embeddings:
            net.get_input_embeddings().weight.requires_grad_(False)
        net.to(device)
        prepared = _prepare(tokenizer, train_docs, st.max_length, st.stride, st.title_tokens)
        best_state, history, pl = _fit(net, tokenizer, prepared, val_docs, st, run, progress)
        if best_state is not None:
            net.load_state_dict(best_state)
    best = _best_row(history, bool(val_docs))
    hyper = {**hyperparameters(st, pl, run), "selected_step": best["step"],
             "stopped_at_step": history[-1]["step"],
             "selection": "validation strict F1" if val_docs else "last step",
             "train_documents": len(train_docs), "validation_documents": len(val_docs)}
    return _save(net.to("cpu"), tokenizer, out, scope=scope, corpus=corpus, seed=seed,
                 seconds=timer.seconds, hyper=hyper, encoder=_encoder_name(model),
                 history=history, best=best)


def hyperparameters(st: Settings, pl: Plan, run: Runtime) -> dict:
    """What ``duikou_model.json`` records: every setting, resolved, plus the fixed ones."""
    return {"steps": pl.steps, "epochs": st.epochs, "steps_per_epoch": pl.per_epoch,
            "lr": st.lr, "batch_size": st.batch_size, "max_length": st.max_length,
            "stride": st.stride, "warmup": st.warmup, "warmup_steps": pl.warmup_steps,
            "eval_every": pl.eval_every, "patience": st.patience,
            "freeze_embeddings": st.freeze_embeddings, "train_layers": st.train_layers,
            "title_tokens": st.title_tokens, "label_weighting": st.label_weighting,
            "precision": run.precision,
            "device": run.device, "weight_decay": WEIGHT_DECAY, "max_grad_norm": MAX_GRAD_NORM,
            "optimizer": "AdamW", "schedule": "linear warm-up and decay",
            "decoding": "IOB2-constrained Viterbi"}


def _check_out(out: Path) -> None:
    if out.exists() and (not out.is_dir() or (any(out.iterdir())
                                             and not (out / "duikou_model.json").is_file())):
        raise ModelError(Problem("refusing to overwrite: exists and is not a duikou model "
                                 "folder", file=str(out), code="DK-MODEL-019"))


def _check_positions(net, max_length: int, source: str) -> None:
    limit = getattr(net.config, "max_position_embeddings", None)
    if limit is not None and max_length > limit:
        raise ModelError(Problem(f"max_length {max_length} exceeds the model's "
                                 f"{limit} positions", file=source, code="DK-MODEL-020"))


def _best_row(history: list[dict], selected: bool) -> dict:
    if not selected:
        return history[-1]
    return max(history, key=lambda r: (r["val_strict_f1"], -r["val_loss"], -r["step"]))


def _encoder_name(model: str | Path) -> str:
    path = Path(model).expanduser()
    return path.resolve().name if path.is_dir() else str(model)


def _save(net, tokenizer, out: Path, *, scope: TrainingScope, corpus: Path | None, seed: int,
          seconds: float, hyper: dict, encoder: str, history: list[dict], best: dict) -> Path:
    def fill(tmp: Path) -> None:
        net.save_pretrained(str(tmp))
        # A transformers pipeline cuts long texts into windows of model_max_length tokens
        # (with stride=...), or truncates there without it: make it the training length.
        tokenizer.model_max_length = hyper["max_length"]
        tokenizer.save_pretrained(str(tmp))
        info = write_model_info(tmp, kind="bert", scope=scope, seed=seed,
                                training_time_s=seconds, hyperparameters=hyper, corpus=corpus,
                                encoder=encoder, history=history)
        atomic_write_text(tmp / "README.md", model_card(info, best))

    return write_folder(out, fill)


def model_card(info: dict, best: dict) -> str:
    """The README.md of a saved model folder (data version, encoder, validation, limits)."""
    hp = info["hyperparameters"]
    scope = info["trained_on"]
    where = f"split `{scope['split']}`" if scope.get("split") else f"fold {scope.get('fold')}"
    val = (f"strict micro F1 {best['val_strict_f1']:.4f} (loss {best['val_loss']:.4f}) at "
           f"step {best['step']} of {hp['steps']}" if "val_strict_f1" in best
           else f"none (no validation documents; model after step {best['step']})")
    tags = ", ".join(info["bio_tags"])
    frozen = ", word embeddings frozen" if hp.get("freeze_embeddings") else ""
    if hp.get("train_layers"):
        frozen = (f"; only the top {hp['train_layers']} transformer layers and the classifier "
                  "trained, the embeddings and the layers below frozen")
    weighting = (f"; each token's loss weighted by its tag, (n_O / n_tag) ** "
                 f"{hp['label_weighting']}" if hp.get("label_weighting") else "")
    title = (f", each starting with up to {hp['title_tokens']} tokens of the document's title "
             "(title context: a plain transformers pipeline does not add them)"
             if hp.get("title_tokens") else "")
    pipeline_note = ("This model was trained with title context: a plain pipeline gives it "
                     "windows without the title and longer than in training, so its output "
                     "differs; use `BertTagger`.\n\n" if hp.get("title_tokens") else "")
    return (
        "---\nlibrary_name: transformers\npipeline_tag: token-classification\n"
        "language: [zh]\ntags: [duikou, ner, token-classification]\n---\n\n"
        "# duikou BERT-type tagger\n\n"
        f"- encoder: `{info['encoder']}`\n"
        f"- data: duikou dataset v{info['dataset_version']} (manifest sha256 "
        f"`{info['manifest_sha256'][:16]}`), {where}: the weights were trained on "
        f"{hp.get('train_documents', '?')} documents; "
        f"{hp.get('validation_documents', 0)} other documents (validation) only chose the "
        "step kept\n"
        f"- label schema {info['schema_version']} (fingerprint `{info['schema_fingerprint']}`)"
        f"; tags: {tags}\n"
        f"- validation: {val}\n"
        f"- seed {info['seed']}, {hp['steps']} optimiser steps of {hp['batch_size']} windows "
        f"(lr {hp['lr']}, linear warm-up over {hp['warmup_steps']} steps and decay{frozen}"
        f"{weighting}), "
        f"windows of {hp['max_length']} tokens overlapping by {hp['stride']}{title}, "
        f"{hp['precision']} on {hp['device']}; training took {info['training_time_s']:.1f} s"
        "\n\n"
        "## Use\n\n"
        "`duikou.baselines.bert.BertTagger.load(folder).predict_spans(texts)` cuts long "
        "documents into the same overlapping windows as in training and decodes each document "
        "with an IOB2-constrained Viterbi over the tag probabilities. The folder also loads in "
        "a plain transformers pipeline (per-token argmax, no constraint). Pass `stride=`: "
        f"without it the pipeline stops at {hp['max_length']} tokens and silently drops the "
        "rest of a long article; with it the text is cut into overlapping windows and tagged "
        "to its end:\n\n"
        "```python\nfrom transformers import pipeline\n"
        "ner = pipeline(\"token-classification\", model=\"THIS_FOLDER\", "
        f"aggregation_strategy=\"simple\", stride={hp['stride']})\n```\n\n{pipeline_note}"
        "## Limits\n\n"
        "- Trained on a handful of documents: scores are indicative, not a benchmark claim.\n"
        "- Labels are per token: span boundaries inside a token (e.g. a WordPiece `210万` or a"
        " SentencePiece piece crossing an entity edge) cannot be predicted.\n"
        "- Spans are flat (no nesting); figure values are not normalised by this model.\n"
    )


# ----------------------------------------------------------------------------- inference


class BertTagger(Tagger):
    """A saved BERT-type duikou model, ready to predict spans for raw texts."""

    kind = "bert"
    inner_validation = True
    uses_encoder = True

    def __init__(self, model, tokenizer, info: dict, device: str = "cpu") -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.info = info
        hp = info.get("hyperparameters", {})
        self.max_length = int(hp.get("max_length", 128))
        self.stride = int(hp.get("stride", 32))
        self.title_tokens = hp.get("title_tokens")
        self.precision = str(hp.get("precision", "fp32"))
        self.device = device

    @classmethod
    def load(cls, folder: Path, *, corpus: Path | None = None,
             allow_other_dataset: bool = False) -> BertTagger:
        """Load a folder written by :func:`train`; raise :class:`ModelError` when it does not
        fit this label schema (or this dataset version, unless ``allow_other_dataset``)."""
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        folder = Path(folder)
        require_safetensors(folder)
        info = read_model_info(folder, corpus=corpus, allow_other_dataset=allow_other_dataset)
        if info.get("kind") != "bert":
            raise ModelError(Problem(f"expected a bert model folder, found kind "
                                     f"{info.get('kind')!r}", file=str(folder),
                                     code="DK-MODEL-021"))
        tokenizer = AutoTokenizer.from_pretrained(str(folder))
        _check_tokenizer(tokenizer, str(folder))
        model = AutoModelForTokenClassification.from_pretrained(
            str(folder), use_safetensors=True).eval()
        labels = [model.config.id2label[i] for i in range(model.config.num_labels)]
        if labels != list(BIO_TAGS):
            raise ModelError(Problem("config id2label does not match the schema's BIO tags",
                                     file=str(folder / "config.json"), code="DK-MODEL-022"))
        return cls(model, tokenizer, info)

    @classmethod
    def train(cls, train_docs: Sequence[Document], val_docs: Sequence[Document], *,
              out: Path, scope: TrainingScope, corpus: Path | None = None, seed: int = 0,
              **opts: object) -> Path:
        return train(list(train_docs), list(val_docs), out=out, scope=scope, corpus=corpus,
                     seed=seed, **opts)

    #: the recorded hyperparameters that decide what a model learns or which checkpoint is
    #: kept (not where it ran); steps/epochs, eval_every, precision and the encoder are
    #: compared separately
    LEARNING_SETTINGS: ClassVar[tuple[str, ...]] = (
        "lr", "batch_size", "max_length", "stride", "warmup", "freeze_embeddings", "patience",
        "train_layers", "title_tokens", "label_weighting")
    #: train() options that are not :class:`Settings` fields
    _NOT_SETTINGS: ClassVar[frozenset[str]] = frozenset({"model", "progress"})

    @classmethod
    def settings_differ(cls, info: dict, seed: int, **opts: object) -> list[str]:
        known = {f.name for f in dataclasses.fields(Settings)}
        unknown = sorted(set(opts) - known - cls._NOT_SETTINGS)
        if unknown:  # as train() would refuse them
            raise ModelError(Problem(f"unknown bert training options {unknown}",
                                     code="DK-MODEL-055"))
        st = Settings(seed=seed, **{k: v for k, v in opts.items() if k in known})
        saved = info.get("hyperparameters", {})
        out = [f"{k}: {saved.get(k)!r} → {getattr(st, k)!r}" for k in cls.LEARNING_SETTINGS
               if saved.get(k) != getattr(st, k)]
        if saved.get("epochs") != st.epochs:
            out.append(f"epochs: {saved.get('epochs')!r} → {st.epochs!r}")
        elif st.epochs is None and saved.get("steps") != st.steps:
            out.append(f"steps: {saved.get('steps')!r} → {st.steps!r}")
        every = st.eval_every
        if every is None and st.epochs is None:  # the default interval follows the steps
            every = max(1, math.ceil(st.steps / N_EVALS))
        if every is not None and saved.get("eval_every") != every:
            out.append(f"eval_every: {saved.get('eval_every')!r} → {every!r}")
        if st.precision != "auto" and saved.get("precision") != st.precision:
            out.append(f"precision: {saved.get('precision')!r} → {st.precision!r}")
        if "model" in opts and info.get("encoder") != _encoder_name(opts["model"]):
            out.append(f"encoder: {info.get('encoder')!r} → {_encoder_name(opts['model'])!r}")
        if info.get("seed") != seed:
            out.append(f"seed: {info.get('seed')!r} → {seed!r}")
        return out

    def use_device(self, device: str) -> None:
        """Run predictions on ``device`` (``cpu``, ``cuda`` or ``cuda:N``)."""
        self.device = resolve_device(device)
        self.model.to(self.device)

    def predict_spans(self, texts: Sequence[str], progress: bool = False) -> list[list[Span]]:
        """Spans (code-point offsets, end-exclusive, ``text`` filled) for each text, decoded
        with the IOB2-constrained Viterbi, in the precision the model was trained in."""
        run = Runtime(self.device, self.precision)
        with _torch_threads(THREADS):
            spans, _ = _predict(self.model, self.tokenizer, list(texts),
                                max_length=self.max_length, stride=self.stride,
                                batch_size=PREDICT_BATCH, progress=progress, run=run,
                                title_tokens=self.title_tokens)
        return spans
