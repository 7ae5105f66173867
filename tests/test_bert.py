"""Tests for the BERT-type token-classification baseline (tiny random BERT, CPU)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from duikou.baselines import bert
from duikou.baselines.common import TrainingScope
from duikou.dataset.reader import Document, load_documents
from duikou.errors import ModelError
from duikou.schema import BIO_TAGS, LABEL_NAMES
from duikou.scoring import score
from duikou.spans import Span, bio_to_spans, span_problems, spans_to_bio
from tests.helpers import raises_code
from tests.tiny_bert import build_tiny_bert

ROOT = Path(__file__).resolve().parent.parent

SENTENCES = [
    ("锦江区投入帮扶资金210万元。", [("锦江区", "DONOR"), ("210万元", "MONEY")]),
    ("2022年6月，思明区捐赠984万元。",
     [("2022年6月", "DATE"), ("思明区", "DONOR"), ("984万元", "MONEY")]),
    ("南明区于2021年拨付资金56万元。", [("南明区", "DONOR"), ("2021年", "DATE"), ("56万元", "MONEY")]),
    ("西南医科大学在5月援助了13万元。",
     [("西南医科大学", "DONOR"), ("5月", "DATE"), ("13万元", "MONEY")]),
    ("厦门市思明区2023年共投入USD 1,100元。",
     [("厦门市思明区", "DONOR"), ("2023年", "DATE"), ("USD 1,100元", "MONEY")]),
    ("成都市锦江区6月送来物资价值7万元。", [("成都市锦江区", "DONOR"), ("6月", "DATE"), ("7万元", "MONEY")]),
]


def make_doc(doc_id: str, text: str, mentions: list[tuple[str, str]]) -> Document:
    spans, pos = [], 0
    for surface, label in mentions:
        start = text.index(surface, pos)
        spans.append(Span(start, start + len(surface), label, surface))
        pos = start + len(surface)
    return Document(doc_id, text, None, "train", 0, spans)


SENT_DOCS = [make_doc(f"s{i}", t, m) for i, (t, m) in enumerate(SENTENCES)]


def scope(docs: list[Document]) -> TrainingScope:
    return TrainingScope("train", None, [d.id for d in docs])


def strict_f1(docs: list[Document], preds: list[list[Span]]) -> float:
    gold = {d.id: d.spans for d in docs}
    pred = {d.id: p for d, p in zip(docs, preds, strict=True)}
    return score(gold, pred, schemes=["strict"])["strict"]["micro"]["f1"]


@pytest.fixture(scope="module")
def corpus(sample_corpus) -> Path:
    return sample_corpus


@pytest.fixture(scope="module")
def tiny_tokenizer(tmp_path_factory):
    from transformers import AutoTokenizer

    texts = [t for t, _ in SENTENCES] + ["𠮷"]
    folder = build_tiny_bert(tmp_path_factory.mktemp("tok") / "tiny", texts)
    return AutoTokenizer.from_pretrained(str(folder))


@pytest.fixture(scope="module")
def learned(tmp_path_factory, corpus) -> Path:
    """A tiny BERT overfitted on the six sentences (validation = the same sentences); its
    random word embeddings must learn too, so they are not frozen."""
    tmp = tmp_path_factory.mktemp("learned")
    base = build_tiny_bert(tmp / "tiny", [d.text for d in SENT_DOCS])
    return bert.train(SENT_DOCS, SENT_DOCS, model=base, out=tmp / "model",
                      scope=scope(SENT_DOCS), corpus=corpus, epochs=40, batch_size=2, lr=3e-3,
                      eval_every=3, precision="fp32", freeze_embeddings=False, progress=False)


# ----------------------------------------------------------------------------- alignment


def round_trip(tokenizer, doc: Document, max_length: int = 32, stride: int = 8) -> list[Span]:
    """Gold char tags -> token labels -> char tags -> spans, through one tokenizer."""
    enc = bert.encode_document(tokenizer, doc.text, max_length=max_length, stride=stride)
    labels = bert.token_labels(enc, spans_to_bio(len(doc.text), doc.spans))
    tags = [BIO_TAGS[i] if i != bert.IGNORE else None for i in labels]
    return bio_to_spans(bert.chars_from_tokens(enc, len(doc.text), tags), strict=False,
                        text=doc.text)


def test_wordpiece_alignment_round_trips(tiny_tokenizer):
    for doc in SENT_DOCS:
        assert round_trip(tiny_tokenizer, doc) == doc.spans


def test_token_labels_follow_first_character(tiny_tokenizer):
    doc = SENT_DOCS[0]  # 锦江区投入帮扶资金210万元。 ; "210" is 2 ##1 ##0
    enc = bert.encode_document(tiny_tokenizer, doc.text, max_length=32, stride=8)
    labels = [BIO_TAGS[i] for i in bert.token_labels(enc, spans_to_bio(len(doc.text), doc.spans))]
    by_start = dict(zip(enc.starts, labels, strict=True))
    assert by_start[0] == "B-DONOR" and by_start[1] == "I-DONOR"
    money = doc.text.index("210")
    assert by_start[money] == "B-MONEY" and by_start[money + 1] == "I-MONEY"
    assert by_start[doc.text.index("投")] == "O"


def test_uncovered_space_stays_inside_span_only_between_its_tokens(tiny_tokenizer):
    text = "𠮷共 USD 1,100元 和 锦江区"  # an astral character counts as one code point
    doc = make_doc("x", text, [("USD 1,100元", "MONEY"), ("锦江区", "DONOR")])
    enc = bert.encode_document(tiny_tokenizer, text, max_length=64, stride=8)
    covered = {i for a, b in enc.offsets for i in range(a, b)}
    assert text.index(" 1,") not in covered  # WordPiece drops the space inside the span
    assert round_trip(tiny_tokenizer, doc, 64) == doc.spans


@pytest.fixture(scope="module")
def e5_tokenizer(tmp_path_factory):
    from transformers import AutoTokenizer

    from duikou.encoders.e5 import prepare_e5, trim_for_texts

    texts = [t for t, _ in SENTENCES] + ["  锦江区 对口 iPhone 15 Pro"]
    folder = prepare_e5(tmp_path_factory.mktemp("e5") / "e5", keep_pieces=trim_for_texts(texts))
    return AutoTokenizer.from_pretrained(str(folder))


def test_e5_alignment_handles_metaspace(e5_tokenizer):
    for doc in SENT_DOCS:
        assert round_trip(e5_tokenizer, doc) == doc.spans
    text = "  锦江区 对口 iPhone 15 Pro"
    doc = make_doc("y", text, [("锦江区", "DONOR"), ("iPhone 15 Pro", "ORG")])
    assert round_trip(e5_tokenizer, doc) == doc.spans
    enc = bert.encode_document(e5_tokenizer, SENT_DOCS[0].text, max_length=32, stride=8)
    tokens = e5_tokenizer.convert_ids_to_tokens(enc.ids)
    # the prepended standalone "▁" shares offsets (0, 1) with 锦 and carries no label
    assert tokens[0] == "▁" and enc.offsets[0] == enc.offsets[1] == (0, 1)
    assert enc.labelled[:2] == [False, True]


# ----------------------------------------------------------------------------- windows


def test_window_ranges_cover_and_overlap():
    wins = bert.window_ranges(100, max_length=22, stride=5)  # 20 tokens per window
    assert wins[0] == (0, 20) and wins[1] == (15, 35) and wins[-1][1] == 100
    assert all(e - s <= 20 for s, e in wins)
    assert all(b[0] == a[1] - 5 for a, b in zip(wins, wins[1:], strict=False))
    assert bert.window_ranges(0, 22, 5) == [] and bert.window_ranges(7, 22, 5) == [(0, 7)]
    with raises_code(ModelError, "DK-MODEL-010"):
        bert.window_ranges(10, max_length=10, stride=8)


def test_central_windows_prefer_the_middle():
    owner = bert.central_windows([(0, 10), (6, 16)], 16)
    # token 7: distance 2 to the end of window 0, 1 to the start of window 1
    assert owner[:8] == [0] * 8
    assert owner[8:] == [1] * 8  # token 8: 1 vs 2; token 9: 0 vs 3


# ----------------------------------------------------------------------------- training


def test_learns_the_sentences(learned, corpus):
    tagger = bert.BertTagger.load(learned, corpus=corpus)
    preds = tagger.predict_spans([d.text for d in SENT_DOCS])
    assert strict_f1(SENT_DOCS, preds) >= 0.95
    info = json.loads((learned / "duikou_model.json").read_text(encoding="utf-8"))
    assert info["kind"] == "bert" and info["encoder"] == "tiny"
    hp = info["hyperparameters"]
    assert hp["steps_per_epoch"] == 3 and hp["steps"] == 120 and hp["epochs"] == 40
    assert [r["step"] for r in info["history"]] == list(range(3, 121, 3))
    (row,) = [r for r in info["history"] if r["step"] == hp["selected_step"]]
    assert row["val_strict_f1"] == max(r["val_strict_f1"] for r in info["history"])
    assert f"strict micro F1 {row['val_strict_f1']:.4f}" in (learned / "README.md").read_text(
        encoding="utf-8")


def test_pipeline_reads_saved_folder(learned, corpus):
    from transformers import pipeline

    ner = pipeline("token-classification", model=str(learned), aggregation_strategy="simple")
    tagger = bert.BertTagger.load(learned, corpus=corpus)
    for doc, pred in zip(SENT_DOCS[:4], tagger.predict_spans([d.text for d in SENT_DOCS[:4]]),
                         strict=True):
        groups = ner(doc.text)
        assert groups and all(g["entity_group"] in LABEL_NAMES for g in groups)
        assert {(g["start"], g["end"], g["entity_group"]) for g in groups} == {
            s.key for s in pred}


def test_pipeline_with_stride_tags_a_long_document_to_its_end(learned, corpus):
    """The saved tokenizer's model_max_length is the training window, so a pipeline given
    stride= cuts a long article into windows instead of dropping everything after the first
    (as it does with the encoder's own 512 without stride)."""
    from transformers import AutoTokenizer, pipeline

    tagger = bert.BertTagger.load(learned, corpus=corpus)
    hp = tagger.info["hyperparameters"]
    tok = AutoTokenizer.from_pretrained(str(learned))
    assert tok.model_max_length == hp["max_length"]
    text = "\n".join(d.text for d in SENT_DOCS) * 6
    assert len(tok(text)["input_ids"]) > 4 * hp["max_length"]
    ner = pipeline("token-classification", model=str(learned), aggregation_strategy="simple",
                   stride=hp["stride"])
    groups = ner(text)
    (pred,) = tagger.predict_spans([text])
    assert max(g["end"] for g in groups) == max(s.end for s in pred) > len(text) - 40
    card = (learned / "README.md").read_text(encoding="utf-8")
    assert f"stride={hp['stride']}" in card
    assert f"trained on {len(SENT_DOCS)} documents" in card


def test_training_is_deterministic(tmp_path, corpus):
    base = build_tiny_bert(tmp_path / "tiny", [d.text for d in SENT_DOCS])
    kwargs = dict(model=base, scope=scope(SENT_DOCS), corpus=corpus, epochs=2, batch_size=2,
                  progress=False)
    a = bert.train(SENT_DOCS, [], out=tmp_path / "a", **kwargs)
    b = bert.train(SENT_DOCS, [], out=tmp_path / "b", **kwargs)
    assert (a / "model.safetensors").read_bytes() == (b / "model.safetensors").read_bytes()
    info = json.loads((a / "duikou_model.json").read_text(encoding="utf-8"))
    assert info["hyperparameters"]["selection"] == "last step"
    assert info["hyperparameters"]["selected_step"] == info["hyperparameters"]["steps"] == 6


def test_sliding_window_predicts_spans_near_the_end(tmp_path, corpus):
    parts, mentions = [], []
    for i in range(14):
        amount = f"{(i * 37) % 90 + 10}万元"
        parts.append(f"第{i % 10}批资金{amount}。")
        mentions.append((amount, "MONEY"))
    text = "".join(parts)
    doc = make_doc("long", text, mentions)
    base = build_tiny_bert(tmp_path / "tiny", [text])
    out = bert.train([doc], [doc], model=base, out=tmp_path / "m", scope=scope([doc]),
                     corpus=corpus, epochs=30, max_length=24, stride=6, batch_size=2, lr=3e-3,
                     freeze_embeddings=False, progress=False)
    tagger = bert.BertTagger.load(out, corpus=corpus)
    enc = bert.encode_document(tagger.tokenizer, text, max_length=24, stride=6)
    assert len(enc.windows) >= 5 and len(enc.ids) > 24
    (pred,) = tagger.predict_spans([text])
    tail = [s for s in doc.spans if s.start > len(text) - 30]
    assert len(tail) >= 2
    assert set(tail) <= set(pred)
    assert all(text[s.start:s.end] == s.text for s in pred)


def test_end_to_end_on_sample_gold_corpus(tmp_path, corpus):
    train_docs = load_documents(corpus, split="train")
    val_docs = load_documents(corpus, split="validation")
    test_docs = load_documents(corpus, split="test")
    base = build_tiny_bert(tmp_path / "tiny", [d.text for d in train_docs + val_docs + test_docs])
    out = bert.train(train_docs, val_docs, model=base, out=tmp_path / "model",
                     scope=scope(train_docs), corpus=corpus, epochs=2, max_length=64,
                     stride=16, batch_size=16, lr=1e-3, progress=False)
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert [config["id2label"][str(i)] for i in range(len(BIO_TAGS))] == list(BIO_TAGS)
    info = json.loads((out / "duikou_model.json").read_text(encoding="utf-8"))
    assert info["trained_on"]["documents"] == [d.id for d in train_docs]
    assert {"val_strict_f1", "val_loss"} <= set(info["history"][0])
    card = (out / "README.md").read_text(encoding="utf-8")
    assert f"v{info['dataset_version']}" in card and "`tiny`" in card
    tagger = bert.BertTagger.load(out, corpus=corpus)
    preds = tagger.predict_spans([d.text for d in test_docs] + [""])
    assert len(preds) == len(test_docs) + 1 and preds[-1] == []
    for d, spans in zip(test_docs, preds, strict=False):
        assert span_problems(d.text, spans) == []
    # retraining into the same folder replaces it
    assert bert.train(train_docs, [], model=base, out=out, scope=scope(train_docs),
                      corpus=corpus, epochs=1, max_length=64, stride=16, progress=False) == out


# ----------------------------------------------------------------------------- errors


def test_hub_name_offline_is_a_clear_error(tmp_path, monkeypatch, corpus):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with raises_code(ModelError, "DK-MODEL-013") as err:
        bert.train(SENT_DOCS, [], model="bert-base-chinese", out=tmp_path / "m",
                   scope=scope(SENT_DOCS), corpus=corpus, progress=False)
    assert "--model DIR" in str(err.value)
    assert not (tmp_path / "m").exists()


def test_missing_or_foreign_folders_are_errors(tmp_path, corpus):
    with raises_code(ModelError, "DK-MODEL-012"):
        bert.train(SENT_DOCS, [], model=tmp_path / "nope", out=tmp_path / "m",
                   scope=scope(SENT_DOCS), corpus=corpus, progress=False)
    with raises_code(ModelError, "DK-MODEL-024"):
        bert.BertTagger.load(tmp_path)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("x", encoding="utf-8")
    with raises_code(ModelError, "DK-MODEL-019"):
        bert.train(SENT_DOCS, [], model=tmp_path, out=tmp_path / "busy",
                   scope=scope(SENT_DOCS), corpus=corpus, progress=False)


def _as_pickle_weights(folder: Path) -> None:
    (folder / "model.safetensors").rename(folder / "pytorch_model.bin")


def test_pickle_weights_are_refused_before_torch_opens_them(tmp_path, corpus, learned,
                                                            monkeypatch):
    import shutil

    import transformers

    def never(*args: object, **kw: object) -> None:
        raise AssertionError("torch/transformers opened the weights")

    monkeypatch.setattr(transformers.AutoModelForTokenClassification, "from_pretrained", never)
    model = Path(shutil.copytree(learned, tmp_path / "model"))
    _as_pickle_weights(model)
    info = json.loads((model / "duikou_model.json").read_text(encoding="utf-8"))
    info.pop("files", None)  # a folder from before file hashes were recorded
    (model / "duikou_model.json").write_text(json.dumps(info), encoding="utf-8")
    with raises_code(ModelError, "DK-MODEL-059") as err:
        bert.BertTagger.load(model, corpus=corpus)
    assert err.value.problems[0].file == str(model) and "safetensors" in str(err.value)
    base = build_tiny_bert(tmp_path / "base", [d.text for d in SENT_DOCS])
    _as_pickle_weights(base)
    with raises_code(ModelError, "DK-MODEL-059"):
        bert.train(SENT_DOCS, [], model=base, out=tmp_path / "m", scope=scope(SENT_DOCS),
                   corpus=corpus, progress=False)
    assert not (tmp_path / "m").exists()


def test_default_model_is_bert_base_chinese_and_fails_clearly_offline(tmp_path, monkeypatch):
    """Without --model, `duikou train bert` uses bert-base-chinese; offline that is a clear
    error pointing at the local alternatives, not a hub download attempt."""

    from duikou.baselines import bert
    from duikou.baselines.api import train_model
    from duikou.errors import ModelError

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert bert.DEFAULT_MODEL == "bert-base-chinese"
    with raises_code(ModelError, "DK-MODEL-013"):
        train_model("bert", out=tmp_path / "m")


def test_leading_whitespace_of_a_token_never_starts_a_span():
    """An XLM-R piece such as '▁5' covers the line break before it; a span predicted on it
    starts at the digit, while whitespace inside a span (between X and I-X) is kept."""
    from duikou.baselines.bert import DocEncoding, chars_from_tokens
    from duikou.spans import bio_to_spans

    text = "攻坚\n5月\nUSD 1,100元"
    offsets = [(0, 2), (2, 4), (4, 5), (5, 9), (9, 15), (15, 16)]
    starts = [0, 3, 4, 6, 10, 15]
    doc = DocEncoding([1] * 6, offsets, starts, [True] * 6)
    tags = chars_from_tokens(doc, len(text), ["O", "I-DATE", "I-DATE", "O", "B-MONEY",
                                              "I-MONEY"])
    spans = bio_to_spans(tags, strict=False, text=text)
    assert [(s.text, s.label) for s in spans] == [("5月", "DATE"), ("1,100元", "MONEY")]
    tags = chars_from_tokens(doc, len(text), ["O", "O", "O", "B-MONEY", "I-MONEY", "I-MONEY"])
    assert [s.text for s in bio_to_spans(tags, strict=False, text=text)] == ["USD 1,100元"]


# ----------------------------------------------------------------------------- decoding


class _MarkerModel:
    """A stand-in network: in every window, ``万`` scores B-MONEY and ``元`` I-MONEY, all
    else O; an ``元`` not preceded by ``万`` is a lone, confident I-MONEY that constrained
    decoding must not turn into a span start."""

    def __init__(self, tokenizer) -> None:
        import torch

        self.b = tokenizer.convert_tokens_to_ids("万")
        self.i = tokenizer.convert_tokens_to_ids("元")
        self.torch = torch
        self.calls = 0

    def eval(self):
        return self

    def __call__(self, input_ids, attention_mask, labels=None):
        from types import SimpleNamespace

        torch = self.torch
        self.calls += 1
        logits = torch.full((*input_ids.shape, len(BIO_TAGS)), -5.0)
        logits[..., 0] = 0.0
        b, i = BIO_TAGS.index("B-MONEY"), BIO_TAGS.index("I-MONEY")
        logits[..., b] = torch.where(input_ids == self.b, 5.0, -5.0)
        logits[..., i] = torch.where(input_ids == self.i, 5.0, -5.0)
        return SimpleNamespace(logits=logits, loss=None)


def test_a_long_document_is_decoded_to_its_end(tmp_path):
    """Dozens of overlapping windows: every window's tokens reach the decoder, the last
    characters of the document included, and a lone I- never starts a span."""
    from transformers import AutoTokenizer

    parts = [f"第{i}批资金{(i * 37) % 90 + 10}万元。" for i in range(60)]
    text = "".join(parts) + "余元" + "共计99万元"
    folder = build_tiny_bert(tmp_path / "tiny", [text])
    tok = AutoTokenizer.from_pretrained(str(folder))
    model = _MarkerModel(tok)
    tagger = bert.BertTagger(model, tok, {"hyperparameters": {"max_length": 16, "stride": 4,
                                                              "precision": "fp32"}})
    enc = bert.encode_document(tok, text, max_length=16, stride=4)
    assert len(enc.windows) > 40
    (pred,) = tagger.predict_spans([text])
    expected = [i for i in range(len(text)) if text.startswith("万元", i)]
    assert [(s.start, s.end, s.label) for s in pred] == [(i, i + 2, "MONEY") for i in expected]
    assert pred[-1].end == len(text) and pred[-1].text == "万元"
    assert model.calls == math.ceil(len(enc.windows) / bert.PREDICT_BATCH)


def test_title_context_puts_the_title_before_every_window_and_predicts_only_the_window(
        tmp_path):
    """With title context each window is CLS, the title's first tokens, SEP, the window,
    SEP; the title tokens carry no label and no prediction, so the marker network (whose
    title is full of 万元) still gives exactly the document's own 万元 spans, to the end."""
    from transformers import AutoTokenizer

    title = "万元万元援建"
    body = "".join(f"第{i}批资金{(i * 37) % 90 + 10}万元。" for i in range(30)) + "共计99万元"
    text = f"{title}\n{body}"
    folder = build_tiny_bert(tmp_path / "tiny", [text])
    tok = AutoTokenizer.from_pretrained(str(folder))
    enc = bert.encode_document(tok, text, max_length=20, stride=4, title_tokens=4)
    assert tok.convert_ids_to_tokens(enc.prefix) == ["万", "元", "万", "元"]
    assert all(e - s <= 20 - 2 - 5 for s, e in enc.windows)
    assert enc.windows[0][0] == 0 and enc.windows[-1][1] == len(enc.ids)
    labels = bert.token_labels(enc, spans_to_bio(len(text), []))
    windows = bert._windows(tok, [enc], [labels])
    cls, sep = tok.cls_token_id, tok.sep_token_id
    for w in windows:
        assert w.input_ids[:6] == [cls, *enc.prefix, sep] and w.offset == 6
        assert w.input_ids[6:-1] == enc.ids[w.start:w.end] and w.input_ids[-1] == sep
        assert w.labels[:6] == [bert.IGNORE] * 6 and len(w.labels) == len(w.input_ids)
    hp = {"max_length": 20, "stride": 4, "precision": "fp32", "title_tokens": 4}
    (pred,) = bert.BertTagger(_MarkerModel(tok), tok, {"hyperparameters": hp}).predict_spans(
        [text])
    expected = [i for i in range(len(text)) if text.startswith("万元", i)]
    assert [(s.start, s.end, s.label) for s in pred] == [(i, i + 2, "MONEY") for i in expected]
    with raises_code(ModelError, "DK-MODEL-064"):
        bert.check_window_settings(20, 4, 14)


def test_token_log_probs_come_from_the_most_central_window():
    import numpy as np

    enc = bert.DocEncoding(list(range(10)), [(i, i + 1) for i in range(10)], list(range(10)),
                           [True] * 9 + [False], windows=[(0, 6), (4, 10)])
    per_window = [np.full((6, len(BIO_TAGS)), 0.0), np.full((6, len(BIO_TAGS)), 1.0)]
    rows = bert.token_log_probs(enc, per_window)
    assert rows.shape == (9, len(BIO_TAGS))  # the unlabelled last token has no row
    owner = bert.central_windows(enc.windows, 10)
    assert rows[:, 0].tolist() == [float(w) for w in owner[:9]]


# ----------------------------------------------------------------------------- schedule


def test_plan_is_defined_in_optimiser_steps():
    st = bert.Settings()
    pl = bert.plan(st, n_windows=55)
    assert pl.per_epoch == 7 and pl.steps == st.steps
    assert pl.warmup_steps == round(st.warmup * st.steps)
    assert pl.eval_every == math.ceil(st.steps / bert.N_EVALS)
    pl = bert.plan(bert.Settings(epochs=3, batch_size=4, warmup=0.0, eval_every=5), 9)
    assert (pl.steps, pl.per_epoch, pl.warmup_steps, pl.eval_every) == (9, 3, 0, 5)
    # a tenfold corpus keeps the number of steps (and so the time), not the epochs
    assert bert.plan(st, 550).steps == bert.plan(st, 55).steps


def test_learning_rate_warms_up_then_decays_to_zero():
    import torch

    net = torch.nn.Linear(2, 2)
    pl = bert.Plan(steps=20, per_epoch=5, warmup_steps=4, eval_every=5)
    opt, sched = bert._optimizer(net, 1e-3, pl)
    lrs = []
    for _ in range(pl.steps):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    assert lrs[3] == pytest.approx(1e-3) and max(lrs) == pytest.approx(1e-3)
    assert lrs[:4] == sorted(lrs[:4]) and lrs[3:] == sorted(lrs[3:], reverse=True)
    assert lrs[-1] == 0.0


def test_every_setting_is_settable_from_the_cli_and_recorded(tmp_path, corpus):
    from duikou.app import cli as main_cli

    docs = load_documents(corpus)
    base = build_tiny_bert(tmp_path / "tiny", [d.text for d in docs])
    out = tmp_path / "m"
    argv = ["train", "bert", "--split", "train", "--model", base, "--corpus", corpus, "--out",
            out, "--seed", "3", "--steps", "5", "--lr", "1e-3", "--batch-size", "4",
            "--max-length", "48", "--stride", "8", "--warmup", "0.4", "--eval-every", "2",
            "--patience", "9", "--no-freeze-embeddings", "--train-layers", "2",
            "--title-tokens", "6", "--label-weighting", "0.5", "--precision", "fp32",
            "--device", "cpu"]
    assert main_cli.main([str(a) for a in argv]) == 0
    info = json.loads((out / "duikou_model.json").read_text(encoding="utf-8"))
    hp = info["hyperparameters"]
    assert info["seed"] == 3
    assert {k: hp[k] for k in ("steps", "lr", "batch_size", "max_length", "stride", "warmup",
                               "warmup_steps", "eval_every", "patience", "freeze_embeddings",
                               "train_layers", "title_tokens", "label_weighting",
                               "precision", "device", "epochs")} == {
        "steps": 5, "lr": 1e-3, "batch_size": 4, "max_length": 48, "stride": 8, "warmup": 0.4,
        "warmup_steps": 2, "eval_every": 2, "patience": 9, "freeze_embeddings": False,
        "train_layers": 2, "title_tokens": 6, "label_weighting": 0.5, "precision": "fp32",
        "device": "cpu", "epochs": None}
    assert [r["step"] for r in info["history"]] == [2, 4, 5]
    assert {"decoding", "schedule", "steps_per_epoch", "selected_step"} <= set(hp)
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "5 optimiser steps of 4 windows" in card and "up to 6 tokens of the document's title" in card
    assert "trained with title context: a plain pipeline" in card


def test_frozen_word_embeddings_stay_fixed(tmp_path, corpus):
    from safetensors.numpy import load_file

    base = build_tiny_bert(tmp_path / "tiny", [d.text for d in SENT_DOCS])
    kwargs = dict(model=base, scope=scope(SENT_DOCS), corpus=corpus, steps=3, batch_size=2,
                  lr=1e-2, warmup=0.0, precision="fp32", progress=False)
    frozen = bert.train(SENT_DOCS, [], out=tmp_path / "f", **kwargs)
    free = bert.train(SENT_DOCS, [], out=tmp_path / "t", freeze_embeddings=False, **kwargs)
    key = "bert.embeddings.word_embeddings.weight"
    start = load_file(str(base / "model.safetensors"))["embeddings.word_embeddings.weight"]
    assert (load_file(str(frozen / "model.safetensors"))[key] == start).all()
    assert not (load_file(str(free / "model.safetensors"))[key] == start).all()


def test_patience_stops_training_early(tmp_path, corpus):
    base = build_tiny_bert(tmp_path / "tiny", [d.text for d in SENT_DOCS])
    out = bert.train(SENT_DOCS, SENT_DOCS, model=base, out=tmp_path / "m",
                     scope=scope(SENT_DOCS), corpus=corpus, steps=40, eval_every=2,
                     patience=2, lr=1e-9, batch_size=2, precision="fp32", progress=False)
    hp = json.loads((out / "duikou_model.json").read_text(encoding="utf-8"))["hyperparameters"]
    assert hp["stopped_at_step"] == 6 and hp["selected_step"] == 2 and hp["steps"] == 40


def test_settings_errors(tmp_path, corpus):
    base = build_tiny_bert(tmp_path / "tiny", [d.text for d in SENT_DOCS])
    kwargs = dict(model=base, out=tmp_path / "m", scope=scope(SENT_DOCS), corpus=corpus,
                  progress=False)
    with raises_code(ModelError, "DK-MODEL-054") as err:
        bert.train(SENT_DOCS, [], steps=0, warmup=1.0, **kwargs)
    assert len(err.value.problems) == 2
    with raises_code(ModelError, "DK-MODEL-055"):
        bert.train(SENT_DOCS, [], learning_rate=1e-3, **kwargs)
    with raises_code(ModelError, "DK-MODEL-053"):
        bert.train(SENT_DOCS, [], precision="fp8", **kwargs)
    with raises_code(ModelError, "DK-MODEL-052"):
        bert.train(SENT_DOCS, [], device="tpu", **kwargs)
    assert not (tmp_path / "m").exists()


def test_cuda_without_a_gpu_is_a_clear_error(tmp_path, corpus, learned):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a CUDA GPU is present; the tests stay on the CPU")
    with raises_code(ModelError, "DK-MODEL-051"):
        bert.resolve_device("cuda")
    with raises_code(ModelError, "DK-MODEL-051"):
        bert.BertTagger.load(learned, corpus=corpus).use_device("cuda:0")
    assert bert.resolve_device("cpu") == "cpu"
    assert bert.resolve_precision("auto", "cpu") in ("fp32", "bf16")


def test_only_neural_taggers_leave_the_cpu(tmp_path, corpus):
    from duikou.app import cli as main_cli
    from duikou.baselines.registry import tagger_class

    rules = tagger_class("rules").load(tmp_path)
    rules.use_device("cpu")
    with raises_code(ModelError, "DK-MODEL-056"):
        rules.use_device("cuda")
    args = main_cli.build_parser().parse_args(
        ["train", "crf", "--split", "train", "--lr", "1e-3", "--out", str(tmp_path / "c")])
    with raises_code(ModelError, "DK-MODEL-057") as err:
        args.func(args)
    assert "--lr" in str(err.value)


def test_bert_wrapper_kinds_take_the_bert_training_options(tmp_path, corpus):
    """`duikou train bert+roles+rules` passes --steps etc. to its BERT-type base; a CRF-based
    wrapper refuses them."""
    from duikou.app import cli as main_cli

    tiny = build_tiny_bert(tmp_path / "tiny", [d.text for d in load_documents(corpus)])
    parser = main_cli.build_parser()
    args = parser.parse_args(["train", "bert+roles+rules", "--split", "train", "--corpus",
                              str(corpus), "--model", str(tiny), "--steps", "2",
                              "--max-length", "64", "--quiet", "--out", str(tmp_path / "b")])
    assert args.func(args) == 0
    info = json.loads((tmp_path / "b/base/base/duikou_model.json").read_text("utf-8"))
    assert info["kind"] == "bert" and info["hyperparameters"]["steps"] == 2
    args = parser.parse_args(["train", "crf+roles+rules", "--split", "train", "--steps", "2",
                              "--out", str(tmp_path / "c")])
    with raises_code(ModelError, "DK-MODEL-057"):
        args.func(args)


def test_bench_measures_seconds_per_step_and_per_fold(tmp_path, corpus):
    from duikou.baselines.bench import bert_step_speed

    base = build_tiny_bert(tmp_path / "tiny", [d.text for d in load_documents(corpus)])
    row = bert_step_speed(base, corpus, timed_steps=2, max_length=64, stride=16,
                          precision="fp32")
    assert row["steps_per_fold"] == bert.Settings().steps and row["precision"] == "fp32"
    assert row["s_per_step"] > 0 and row["s_per_fold_estimate"] > row["s_per_step"]
    assert row["freeze_embeddings"] is True
    assert row["train_layers"] is None and row["lower_layer_cache_s"] == 0
    top = bert_step_speed(base, corpus, timed_steps=2, max_length=64, stride=16,
                          precision="fp32", train_layers=1, steps=30)
    assert top["train_layers"] == 1 and top["lower_layer_cache_s"] > 0
    assert top["steps_per_fold"] == 30  # the schedule's steps, not the timed ones
    assert top["s_per_fold_estimate"] > top["lower_layer_cache_s"]


def test_settings_differ_names_every_setting_that_changes_the_kept_model(tmp_path):
    """What ``reproduce --reuse-models`` relies on: an empty list only when retraining with
    these options would train the same model."""
    enc = tmp_path / "e5-small-trimmed-v2"
    enc.mkdir()
    st = bert.Settings(seed=3)
    pl = bert.plan(st, 500)
    info = {"seed": 3, "encoder": enc.name,
            "hyperparameters": bert.hyperparameters(st, pl, bert.Runtime("cpu", "bf16"))}
    differ = bert.BertTagger.settings_differ
    assert differ(info, 3, model=str(enc), device="cuda", progress=False) == []
    assert differ(info, 4, model=str(enc)) == ["seed: 3 → 4"]
    assert differ(info, 3, steps=st.steps * 2) == [
        f"steps: {st.steps} → {st.steps * 2}",
        f"eval_every: {pl.eval_every} → {math.ceil(st.steps * 2 / bert.N_EVALS)}"]
    changed = differ(info, 3, model=str(tmp_path / "other"), patience=2, eval_every=7,
                     precision="fp32", lr=st.lr / 2)
    assert [c.split(":")[0] for c in changed] == [
        "lr", "patience", "eval_every", "precision", "encoder"]
    with pytest.raises(ModelError) as err:
        differ(info, 3, step=5)  # a typo: train() would refuse it too
    assert err.value.codes == ["DK-MODEL-055"]


# ----------------------------------------------------------------------------- partial tuning


def test_cached_lower_layers_give_the_full_networks_logits_and_loss(tmp_path):
    """The cache is exact: embeddings + lower layers computed once, then the upper layers
    and the classifier, give the whole network's logits on every window and its loss on
    labelled windows (eval mode, so dropout is off on both paths)."""
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    base = build_tiny_bert(tmp_path / "tiny", [d.text for d in SENT_DOCS], layers=3)
    tok = AutoTokenizer.from_pretrained(str(base))
    net = AutoModelForTokenClassification.from_pretrained(str(base), num_labels=len(BIO_TAGS))
    prepared = bert._prepare(tok, SENT_DOCS, 16, 4)
    windows = bert._windows(tok, prepared.encs, prepared.labels)
    batch = windows[:5]
    assert len({len(w.input_ids) for w in batch}) > 1  # padding is exercised
    run = bert.Runtime("cpu", "fp32")
    for frozen in (1, 2):
        cached = bert.lower_outputs(net, windows, frozen, tok.pad_token_id, run)
        net.eval()
        with torch.no_grad():
            logits, labels = bert.upper_logits(net, cached[:5], frozen, run)
            full = net(**bert._collate(batch, tok.pad_token_id))
            loss = bert._upper_loss(net, cached[:5], frozen, run)
        for r, w in enumerate(batch):
            n = len(w.input_ids)
            assert torch.allclose(logits[r, :n], full.logits[r, :n], atol=1e-5)
            assert labels[r, :n].tolist() == w.labels
        assert torch.allclose(loss, full.loss, atol=1e-5)


def test_label_weighting_weights_each_tokens_loss_by_its_tag(tmp_path, corpus):
    """Weights of one are the plain loss on both paths; tag weights change it to the
    weighted mean of the per-token losses; the setting is recorded and stated on the card."""
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    base = build_tiny_bert(tmp_path / "tiny", [d.text for d in SENT_DOCS], layers=2)
    tok = AutoTokenizer.from_pretrained(str(base))
    net = AutoModelForTokenClassification.from_pretrained(str(base), num_labels=len(BIO_TAGS))
    prepared = bert._prepare(tok, SENT_DOCS, 16, 4)
    batch = bert._windows(tok, prepared.encs, prepared.labels)[:5]
    run = bert.Runtime("cpu", "fp32")
    weights = torch.tensor(bert.tag_weights(prepared.labels, 1.0))
    assert weights[0] == 1.0 and weights.max() > 1.0
    net.eval()
    with torch.no_grad():
        plain = bert._batch_loss(net, batch, tok.pad_token_id, run, 0)
        ones = bert._batch_loss(net, batch, tok.pad_token_id, run, 0, torch.ones(len(BIO_TAGS)))
        weighted = bert._batch_loss(net, batch, tok.pad_token_id, run, 0, weights)
        cached = bert.lower_outputs(net, batch, 1, tok.pad_token_id, run)
        net.eval()  # lower_outputs leaves the model in training mode (dropout)
        upper = bert._upper_loss(net, cached, 1, run, weights)
        out = net(**bert._collate(batch, tok.pad_token_id))
    labels = bert._collate(batch, tok.pad_token_id)["labels"].flatten()
    keep = labels != bert.IGNORE
    per_token = torch.nn.functional.cross_entropy(out.logits.flatten(0, 1)[keep], labels[keep],
                                                  reduction="none")
    expected = (per_token * weights[labels[keep]]).sum() / weights[labels[keep]].sum()
    assert torch.allclose(plain, ones, atol=1e-6) and not torch.allclose(plain, weighted)
    assert torch.allclose(weighted, expected, atol=1e-5)
    assert torch.allclose(upper, expected, atol=1e-5)
    folder = bert.train(SENT_DOCS, [], model=base, out=tmp_path / "m", scope=scope(SENT_DOCS),
                        corpus=corpus, steps=2, label_weighting=0.5, precision="fp32",
                        progress=False)
    info = json.loads((folder / "duikou_model.json").read_text(encoding="utf-8"))
    assert info["hyperparameters"]["label_weighting"] == 0.5
    assert "(n_O / n_tag) ** 0.5" in (folder / "README.md").read_text(encoding="utf-8")
    with raises_code(ModelError, "DK-MODEL-054"):
        bert.train(SENT_DOCS, [], model=base, out=tmp_path / "bad", scope=scope(SENT_DOCS),
                   corpus=corpus, label_weighting=0.0, progress=False)


def test_partial_tuning_refuses_encoders_it_cannot_run_exactly():
    from types import SimpleNamespace

    with raises_code(ModelError, "DK-MODEL-061"):
        bert._layer_stack(SimpleNamespace(config=SimpleNamespace(model_type="deberta-v2")))


def test_train_layers_freezes_everything_below_the_top_layers(tmp_path, corpus):
    from safetensors.numpy import load_file

    base = build_tiny_bert(tmp_path / "tiny", [d.text for d in SENT_DOCS], layers=3)
    out = bert.train(SENT_DOCS, SENT_DOCS, model=base, out=tmp_path / "m",
                     scope=scope(SENT_DOCS), corpus=corpus, steps=4, batch_size=2, lr=1e-2,
                     warmup=0.0, precision="fp32", train_layers=1, progress=False)
    start = load_file(str(base / "model.safetensors"))
    end = load_file(str(out / "model.safetensors"))
    moved = {name for name, value in start.items()
             if not name.startswith("pooler") and not (end[f"bert.{name}"] == value).all()}
    top = {name for name in start if name.startswith("encoder.layer.2.")}
    # the key bias gets no real gradient (a constant added to every score of a row), so
    # whether rounding noise moves it is left open
    assert top - {"encoder.layer.2.attention.self.key.bias"} <= moved <= top
    hp = json.loads((out / "duikou_model.json").read_text(encoding="utf-8"))["hyperparameters"]
    assert hp["train_layers"] == 1
    assert "only the top 1 transformer layers" in (out / "README.md").read_text(encoding="utf-8")
    # all three layers: the same as not setting it (only the word embeddings stay frozen)
    full = bert.train(SENT_DOCS, [], model=base, out=tmp_path / "all", scope=scope(SENT_DOCS),
                      corpus=corpus, steps=2, batch_size=2, precision="fp32", train_layers=3,
                      progress=False)
    moved = load_file(str(full / "model.safetensors"))
    assert not (moved["bert.encoder.layer.0.attention.self.query.weight"]
                == start["encoder.layer.0.attention.self.query.weight"]).all()


def test_train_layers_out_of_range_is_a_located_error(tmp_path, corpus):
    base = build_tiny_bert(tmp_path / "tiny", [d.text for d in SENT_DOCS], layers=2)
    kwargs = dict(model=base, out=tmp_path / "m", scope=scope(SENT_DOCS), corpus=corpus,
                  steps=1, progress=False)
    with raises_code(ModelError, "DK-MODEL-062") as err:
        bert.train(SENT_DOCS, [], train_layers=3, **kwargs)
    assert err.value.problems[0].file == str(base / "config.json")
    with raises_code(ModelError, "DK-MODEL-054"):
        bert.train(SENT_DOCS, [], train_layers=0, **kwargs)
    with raises_code(ModelError, "DK-MODEL-063"):
        bert.train(SENT_DOCS, [], train_layers=1, freeze_embeddings=False, **kwargs)
    assert not (tmp_path / "m").exists()
    assert "train_layers: None → 2" in bert.BertTagger.settings_differ(
        {"seed": 0, "hyperparameters": {}}, 0, train_layers=2)


def test_cpu_cv_script_times_every_fold_and_reports_inner_validation(tmp_path, corpus,
                                                                      capsys):
    import importlib.util

    spec = importlib.util.spec_from_file_location("bert_cpu_cv",
                                                  ROOT / "scripts" / "bert_cpu_cv.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    docs = load_documents(corpus)
    base = build_tiny_bert(tmp_path / "tiny", [d.text for d in docs], layers=2)
    assert script.main([str(corpus), "--model", str(base), "--runs", str(tmp_path / "runs"),
                        "--steps", "2", "--train-layers", "1", "--json",
                        str(tmp_path / "f.json")]) == 0  # the recipe's lr, these two changed
    figures = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    folds = sorted({d.fold for d in docs})
    assert [r["fold"] for r in figures["folds"]] == folds
    assert all(r["selected_step"] in (1, 2) for r in figures["folds"])
    assert figures["options"] == {**bert.CPU_CV_RECIPE, "steps": 2, "train_layers": 1}
    assert 0.0 <= figures["cv_strict_f1"] <= 1.0 and figures["wall_s"] > 0
    assert f"{len(folds)} folds in" in capsys.readouterr().out
