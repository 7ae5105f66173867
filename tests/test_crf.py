"""CRF baseline: features, learnability, determinism, tuning, train/predict plumbing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from duikou.baselines import crf
from duikou.baselines.api import predict_model, train_model
from duikou.baselines.common import TrainingScope
from duikou.baselines.features import (
    UNITS,
    char_class,
    jieba_bmes,
    lexicon_tags,
    sentence_features,
)
from duikou.dataset.reader import load_documents
from duikou.errors import ModelError
from duikou.scoring import metrics_from_counts, strict_counts
from tests.helpers import raises_code

ROOT = Path(__file__).resolve().parent.parent
FAST = {"c1_grid": (0.05,), "c2_grid": (0.01,), "max_iterations": 40}


@pytest.fixture(scope="module")
def corpus(sample_corpus) -> Path:
    return sample_corpus


def _scope(docs) -> TrainingScope:
    return TrainingScope(split=None, fold=None, documents=sorted(d.id for d in docs))


def _f1(docs, predicted) -> float:
    gold = {d.id: d.spans for d in docs}
    pred = {d.id: s for d, s in zip(docs, predicted)}
    return metrics_from_counts(strict_counts(gold, pred))["micro"]["f1"]


def test_char_classes():
    assert [char_class(c) for c in "2２"] == ["digit", "digit"]
    assert [char_class(c) for c in "〇一十百万亿两零萬億兩"] == ["num_cn"] * 11
    assert [char_class(c) for c in "中區"] == ["han", "han"]
    assert [char_class(c) for c in "aＺ"] == ["latin", "latin"]
    assert [char_class(c) for c in "，。%“"] == ["punct"] * 4
    assert [char_class(c) for c in " \u3000\n"] == ["space"] * 3


def test_jieba_bmes_covers_every_character_and_is_deterministic():
    text = "锦江区对口帮扶炉霍县，募集资金210万元。"
    tags = jieba_bmes(text)
    assert len(tags) == len(text)
    assert set(tags) <= {"B", "M", "E", "S"}
    # a well-formed BMES sequence: B (M*) E or S
    seq = "".join(tags)
    assert re.fullmatch(r"(?:BM*E|S)+", seq)
    assert tags[-1] == "S"  # 。 is its own word
    assert tags[:2] != ["S", "S"] and "E" in tags  # 锦江/帮扶 are multi-character words
    assert jieba_bmes(text) == tags


def test_lexicons_and_sentence_features():
    assert lexicon_tags("募集210万元", UNITS) == ["O"] * 5 + ["B", "I"]
    assert lexicon_tags("19532人次", UNITS)[-2:] == ["B", "I"]
    text = "锦江区援助炉霍县"
    feats = sentence_features(text)
    assert len(feats) == len(text)
    assert feats[0]["c[0]"] == "锦" and feats[0]["c[-1]"] == "<pad>"
    assert feats[2]["place_suffix"] == 1.0 and feats[1]["place_suffix[+1]"] == 1.0
    assert feats[3]["cue"] == "B"
    assert feats[1]["bi[-1,0]"] == "锦江" and feats[1]["tri[-1]"] == "锦江区"
    assert sentence_features("") == []


def test_crf_learns_the_training_data(corpus, tmp_path):
    docs = load_documents(corpus)
    assert sum(len(d.spans) for d in docs) >= 10
    folder = crf.train(docs, [], out=tmp_path / "m", scope=_scope(docs), corpus=corpus, **FAST)
    tagger = crf.CrfTagger.load(folder)
    predicted = tagger.predict_spans([d.text for d in docs])
    assert _f1(docs, predicted) >= 0.9
    for d, spans in zip(docs, predicted):
        assert all(d.text[s.start:s.end] == s.text for s in spans)
    info = json.loads((folder / "duikou_model.json").read_text(encoding="utf-8"))
    assert info["kind"] == "crf" and info["hyperparameters"]["c1"] == 0.05


def test_crf_training_is_deterministic(corpus, tmp_path):
    docs = load_documents(corpus)
    texts = [d.text for d in docs]
    runs = []
    for name in ("a", "b"):
        folder = crf.train(docs, [], out=tmp_path / name, scope=_scope(docs), corpus=corpus,
                           seed=3, **FAST)
        runs.append(crf.CrfTagger.load(folder).predict_spans(texts))
    assert [[s.key for s in doc] for doc in runs[0]] == [[s.key for s in doc] for doc in runs[1]]
    assert any(runs[0])


def test_tuning_on_validation_and_inner_cv(corpus, tmp_path):
    train_docs = load_documents(corpus, split="train")
    val_docs = load_documents(corpus, split="validation")
    grid = {"c1_grid": (0.01, 1.0), "c2_grid": (0.01,), "max_iterations": 15}
    folder = crf.train(train_docs, val_docs, out=tmp_path / "v", scope=_scope(train_docs),
                       corpus=corpus, **grid)
    hyper = json.loads((folder / "duikou_model.json").read_text("utf-8"))["hyperparameters"]
    assert hyper["tuning"] == "validation"
    assert [(r["c1"], r["c2"]) for r in hyper["grid_scores"]] == [(0.01, 0.01), (1.0, 0.01)]
    assert all(0.0 <= r["f1"] <= 1.0 for r in hyper["grid_scores"])
    best = max(r["f1"] for r in hyper["grid_scores"])
    chosen = next(r for r in hyper["grid_scores"] if r["f1"] == best)
    assert (hyper["c1"], hyper["c2"]) == (chosen["c1"], chosen["c2"])

    folder = crf.train(train_docs, [], out=tmp_path / "cv", scope=_scope(train_docs),
                       corpus=corpus, **grid)
    hyper = json.loads((folder / "duikou_model.json").read_text("utf-8"))["hyperparameters"]
    assert hyper["tuning"] == "inner leave-one-document-out CV"
    assert all(r["f1"] is not None for r in hyper["grid_scores"])


def test_train_split_scope_and_refusal_to_predict_training_docs(corpus, tmp_path):
    folder = train_model("crf", corpus=corpus, out=tmp_path / "m", **FAST)
    info = json.loads((folder / "duikou_model.json").read_text("utf-8"))
    test_ids = {d.id for d in load_documents(corpus, split="test")}
    seen = set(info["trained_on"]["documents"])
    assert info["trained_on"]["split"] == "train"
    assert seen == {d.id for d in load_documents(corpus) if d.split != "test"}
    assert not seen & test_ids

    out = predict_model(folder, corpus=corpus, out=tmp_path / "p.jsonl")
    rows = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert {r["id"] for r in rows} == test_ids
    for r in rows:
        for e in r["entities"]:
            assert set(e) == {"start", "end", "label", "text", "value", "value_max", "unit",
                              "approx", "date"}

    with pytest.raises(ModelError) as err:
        predict_model(folder, corpus=corpus, split="train", out=tmp_path / "bad.jsonl")
    assert len(err.value.problems) == len(load_documents(corpus, split="train"))
    assert not (tmp_path / "bad.jsonl").exists()


def test_fold_training_never_sees_the_held_out_document(corpus, tmp_path):
    folder = train_model("crf", corpus=corpus, fold=0, out=tmp_path / "f0", **FAST)
    info = json.loads((folder / "duikou_model.json").read_text("utf-8"))
    held = [d.id for d in load_documents(corpus, fold=0)]
    assert info["trained_on"]["fold"] == 0
    assert not set(held) & set(info["trained_on"]["documents"])
    out = predict_model(folder, corpus=corpus, out=tmp_path / "f0.jsonl")  # fold 0 by default
    assert [json.loads(x)["id"] for x in out.read_text("utf-8").splitlines()] == held
    with pytest.raises(ModelError):
        predict_model(folder, corpus=corpus, fold=1, out=tmp_path / "f1.jsonl")


def test_training_needs_train_split_or_fold(corpus, tmp_path):
    with raises_code(ModelError, "DK-MODEL-004"):
        train_model("crf", corpus=corpus, split="test", out=tmp_path / "x")
    with raises_code(ModelError, "DK-MODEL-003"):
        train_model("crf", corpus=corpus, split="train", fold=1, out=tmp_path / "x")
    with raises_code(ModelError, "DK-MODEL-001"):
        train_model("svm", corpus=corpus, out=tmp_path / "x")
