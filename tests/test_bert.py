"""Tests for the BERT-type token-classification baseline (tiny random BERT, CPU)."""

from __future__ import annotations

import json
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
    """A tiny BERT overfitted on the six sentences (validation = the same sentences)."""
    tmp = tmp_path_factory.mktemp("learned")
    base = build_tiny_bert(tmp / "tiny", [d.text for d in SENT_DOCS])
    return bert.train(SENT_DOCS, SENT_DOCS, model=base, out=tmp / "model",
                      scope=scope(SENT_DOCS), corpus=corpus, epochs=40, batch_size=2, lr=3e-3,
                      progress=False)


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
    assert len(info["history"]) == 40
    best = info["hyperparameters"]["selected_epoch"]
    row = info["history"][best - 1]
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


def test_training_is_deterministic(tmp_path, corpus):
    base = build_tiny_bert(tmp_path / "tiny", [d.text for d in SENT_DOCS])
    kwargs = dict(model=base, scope=scope(SENT_DOCS), corpus=corpus, epochs=2, batch_size=2,
                  progress=False)
    a = bert.train(SENT_DOCS, [], out=tmp_path / "a", **kwargs)
    b = bert.train(SENT_DOCS, [], out=tmp_path / "b", **kwargs)
    assert (a / "model.safetensors").read_bytes() == (b / "model.safetensors").read_bytes()
    info = json.loads((a / "duikou_model.json").read_text(encoding="utf-8"))
    assert info["hyperparameters"]["selection"] == "last epoch"
    assert info["hyperparameters"]["selected_epoch"] == 2


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
                     progress=False)
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
