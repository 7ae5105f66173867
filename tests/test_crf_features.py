"""CRF feature families: POS, division gazetteer, entity lexicons; the model folder records
its feature config and old folders keep the legacy features."""

from __future__ import annotations

import doctest
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from duikou.baselines import crf, gazetteer
from duikou.baselines.common import TrainingScope
from duikou.baselines.features import (
    LEGACY,
    FeatureConfig,
    geo_names,
    jieba_pos,
    sentence_features,
)
from duikou.baselines.gazetteer import load_gazetteer, simplified
from duikou.dataset.reader import load_documents
from duikou.errors import ModelError
from tests.helpers import raises_code

FULL = FeatureConfig(pos=True, gazetteer=("province", "city", "county", "town"),
                     simplified=True, entity_lexicons=True, geo=True)
FAST = {"c1_grid": (0.05,), "c2_grid": (0.01,), "max_iterations": 30}
TEXTS = ("成都市锦江区大力支援甘孜州炉霍县民生发展,募集资金210万元。",
         "扎賚特旗人民醫院第一院長,來自北京豐臺醫院的泌尿外科主任醫師張文",
         "党委书记廖斌带领专家45人赴凉山州昭觉县龙沟乡。", "a", "  \n", "")


@pytest.mark.parametrize("config", [LEGACY, crf.DEFAULT_FEATURES, FULL])
@pytest.mark.parametrize("text", TEXTS)
def test_one_deterministic_feature_dict_per_character(config, text):
    feats = sentence_features(text, config)
    assert len(feats) == len(text)
    assert sentence_features(text, config) == feats


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("锦江区炉霍县援助了 \n12万元。,“”a興縣")),
               max_size=40))
def test_features_cover_any_text(text):
    feats = sentence_features(text, FULL)
    assert len(feats) == len(text)
    assert all(isinstance(v, str | float) for f in feats for v in f.values())


def test_pos_features_appear():
    text = "西南医科大学党委书记廖斌赴昭觉县"
    here, prev, nxt = jieba_pos(text)
    assert len(here) == len(prev) == len(nxt) == len(text)
    feats = sentence_features(text, FeatureConfig(pos=True))
    i = text.index("昭")
    assert feats[i]["pos"].startswith("B-") and feats[i + 2]["pos"].startswith("E-")
    assert feats[i]["pos[-1]"] == "v"  # 赴
    assert feats[0]["pos[-1]"] == "<pad>" and feats[-1]["pos[+1]"] == "<pad>"
    assert "pos" not in sentence_features(text, LEGACY)[0]


def test_gazetteer_names_get_their_feature():
    text = "锦江援建炉霍县,甘孜州、興安盟"
    levels = ("province", "city", "county")
    feats = sentence_features(text, FeatureConfig(gazetteer=levels, sparse=True))
    assert [f["gaz"] for f in feats[:2]] == ["B-county", "E-county"]  # 锦江, a short form
    assert [f["gaz"] for f in feats[4:7]] == ["B-county", "I-county", "E-county"]  # 炉霍县
    assert [f["gaz"] for f in feats[8:11]] == ["B-city", "I-city", "E-city"]  # 甘孜州
    assert [f["gaz"] for f in feats[12:15]] == ["B-city", "I-city", "E-city"]  # Traditional
    # sparse: present only inside or next to a match
    assert "gaz" not in feats[2] and feats[2]["gaz[-1]"] == "E-county"
    assert "gaz[-1]" not in feats[3] and feats[3]["gaz[+1]"] == "B-county"
    dense = sentence_features(text, FeatureConfig(gazetteer=levels))
    assert dense[2]["gaz"] == "O" and dense[0]["gaz[-1]"] == "<pad>" and "bos" in dense[1]
    assert "bos" not in feats[1] and feats[0]["bos"] == 1.0


def test_gazetteer_table_levels_short_forms_and_source():
    g = load_gazetteer()
    assert g is load_gazetteer()  # read once
    for name, level in [("炉霍县", "county"), ("炉霍", "county"), ("甘孜藏族自治州", "city"),
                        ("甘孜", "city"), ("甘孜州", "city"), ("四川省", "province"),
                        ("科右前旗", "county")]:
        assert g.names[name] == level, name
    assert "龙沟乡" not in g.names and load_gazetteer(gazetteer.LEVELS).names["龙沟乡"] == "town"
    assert all(len(n) >= 2 for n in g.names)
    assert g.source["package"] == "jionlp" and g.source["licence"] == "Apache-2.0"
    assert len(g.source["sha256"]) == 64
    assert simplified("扎賚特旗") == "扎赉特旗"
    with raises_code(ModelError, "DK-MODEL-044"):
        load_gazetteer(("planet",))


def test_entity_lexicons_mark_titles_surnames_and_organisation_heads():
    text = "党委书记廖斌到炉霍县人民医院"
    feats = sentence_features(text, FeatureConfig(entity_lexicons=True, sparse=True))
    i = text.index("廖")
    assert feats[i]["title[-1]"] == "I" and feats[i]["surname"] == 1.0
    assert "surname" not in feats[i + 1] and "title[-1]" not in feats[i + 2]
    assert feats[len(text) - 2]["orghead"] == "B" and feats[-1]["orghead"] == "I"
    dense = sentence_features(text, FeatureConfig(entity_lexicons=True))
    assert dense[i + 1]["surname"] == 0.0 and dense[0]["title[-3]"] == "<pad>"


def test_geographic_names_and_countries_get_their_feature_in_either_script():
    text = "援疆幹部走進塔里木盆地,遠眺天山,哈萨克斯坦就在眼前。"
    feats = sentence_features(text, FeatureConfig(geo=True, sparse=True))
    marked = "".join(ch if f.get("geo") in ("B", "I") else "_" for ch, f in zip(text, feats))
    assert "塔里木盆地" in marked and "天山" in marked and "哈萨克斯坦" in marked
    assert "援疆" not in marked and "中国" not in geo_names()
    assert all("geo" not in f for f in sentence_features(text, LEGACY))


def test_a_crf_folder_trained_with_other_features_is_not_reused():
    info = {"hyperparameters": {"feature_config": {**crf.DEFAULT_FEATURES.to_json(),
                                                   "geo": False},
                                "c1_grid": list(crf.DEFAULT_C1_GRID),
                                "c2_grid": list(crf.DEFAULT_C2_GRID),
                                "max_iterations": crf.DEFAULT_MAX_ITERATIONS}}
    assert [x.split(":")[0] for x in crf.CrfTagger.settings_differ(info, 0)] == ["feature_config"]
    info["hyperparameters"]["feature_config"]["geo"] = True
    assert crf.CrfTagger.settings_differ(info, 0) == []
    assert crf.CrfTagger.settings_differ(info, 0, max_iterations=30) == [
        "max_iterations: 150 → 30"]
    # a folder from before the option existed reads as geo off
    del info["hyperparameters"]["feature_config"]["geo"]
    assert crf.CrfTagger.settings_differ(info, 0)


def test_doctests():
    assert doctest.testmod(gazetteer).failed == 0


def test_config_round_trips_and_old_folders_mean_legacy():
    assert FeatureConfig.from_json(FULL.to_json()) == FULL
    assert FeatureConfig.from_json(None) == LEGACY == FeatureConfig.from_json({})
    assert "gazetteer" in crf.DEFAULT_FEATURES.describe()


def test_model_folder_records_features_and_is_tagged_with_them(sample_corpus, tmp_path):
    docs = load_documents(sample_corpus)
    scope = TrainingScope(None, None, sorted(d.id for d in docs))
    folder = crf.train(docs, [], out=tmp_path / "m", scope=scope, corpus=sample_corpus, **FAST)
    hyper = json.loads((folder / "duikou_model.json").read_text("utf-8"))["hyperparameters"]
    assert FeatureConfig.from_json(hyper["feature_config"]) == crf.DEFAULT_FEATURES
    assert hyper["gazetteer"]["package"] == "jionlp" and hyper["gazetteer"]["version"]
    assert crf.CrfTagger.load(folder).config == crf.DEFAULT_FEATURES

    legacy = crf.train(docs, [], out=tmp_path / "l", scope=scope, corpus=sample_corpus,
                       features={}, **FAST)
    info = json.loads((legacy / "duikou_model.json").read_text("utf-8"))
    del info["hyperparameters"]["feature_config"]  # as written before the option existed
    (legacy / "duikou_model.json").write_text(json.dumps(info), "utf-8")
    tagger = crf.CrfTagger.load(legacy)
    assert tagger.config == LEGACY
    assert tagger.predict_spans([d.text for d in docs])
