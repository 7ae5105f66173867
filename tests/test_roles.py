"""Document-level roles: entity grouping, role assignment, the tagger wrapper."""

from __future__ import annotations

import dataclasses
import doctest
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from duikou.baselines import roles
from duikou.baselines.api import predict_model, train_model
from duikou.baselines.registry import tagger_class
from duikou.baselines.roles import (
    GIVER,
    NEUTRAL,
    RECEIVER,
    ROLE_LABELS,
    RoleSettings,
    assign_roles,
    group_mentions,
)
from duikou.dataset.reader import load_documents
from duikou.errors import ModelError
from duikou.ingest.script import entity_key
from duikou.schema import LABEL_NAMES, Kind, kind_of
from duikou.spans import Span
from tests.helpers import raises_code

NAMES = ["锦江", "锦江区", "成都市锦江区", "炉霍", "炉霍县", "甘孜州炉霍县", "临夏", "临夏市",
         "临夏州", "演武小学", "厦门市演武小学", "人民医院", "普安县人民医院", "南明区人民医院",
         "西南医科大学", "凉山州", "市中区", "县"]
FAST = {"c1_grid": (0.05,), "c2_grid": (0.01,), "max_iterations": 30}


def test_doctests():
    assert doctest.testmod(roles).failed == 0


def test_role_labels_are_schema_labels_of_the_right_kind():
    assert kind_of(GIVER) is Kind.PARTY and kind_of(RECEIVER) is Kind.PARTY
    assert all(kind_of(lb) is Kind.ENTITY for lb in NEUTRAL)
    assert set(ROLE_LABELS) <= set(LABEL_NAMES)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(NAMES) | st.text(alphabet="锦江区县市村炉霍", max_size=6),
                max_size=25))
def test_grouping_is_a_partition_that_keeps_equal_strings_together(mentions):
    groups = group_mentions(mentions)
    flat = [i for g in groups for i in g]
    assert sorted(flat) == list(range(len(mentions)))  # each mention in exactly one group
    assert all(g == sorted(g) and g for g in groups)
    assert [g[0] for g in groups] == sorted(g[0] for g in groups)
    where = {i: k for k, g in enumerate(groups) for i in g}
    for i, a in enumerate(mentions):
        for j, b in enumerate(mentions):
            if a == b:
                assert where[i] == where[j]
    assert group_mentions(mentions) == groups


def test_grouping_follows_the_document_expansions():
    m = ["锦江", "成都市锦江区", "炉霍", "炉霍县", "甘孜州炉霍县", "临夏", "临夏市", "临夏州"]
    assert group_mentions(m) == [[0, 1], [2, 3, 4], [5], [6], [7]]
    # 炉霍县妇幼保健院 is another entity than 炉霍县 (§5: decided separately)
    assert group_mentions(["炉霍县", "炉霍县妇幼保健院"]) == [[0], [1]]


def test_a_provincial_short_name_opens_a_chain():
    # 新疆阿克苏地区 ends in 阿克苏地区: one entity with it and with the stem 阿克苏
    assert group_mentions(["新疆阿克苏地区", "阿克苏地区", "阿克苏", "新疆"]) == [[0, 1, 2], [3]]
    assert group_mentions(["西藏拉萨市", "拉萨", "上海金山区", "金山区"]) == [[0, 1], [2, 3]]
    # names that only begin like a province stay whole
    assert group_mentions(["海南藏族自治州", "藏族自治州"]) == [[0], [1]]
    assert group_mentions(["新疆维吾尔自治区", "维吾尔自治区"]) == [[0], [1]]
    assert group_mentions(["河南蒙古族自治县", "蒙古族自治县"]) == [[0], [1]]
    # a prefecture named after its people still follows its province (the review's case)
    assert group_mentions(["青海玉树藏族自治州", "玉树藏族自治州"]) == [[0, 1]]
    # streets named after a province are not in it
    assert group_mentions(["四川北路街道", "宁夏北路街道"]) == [[0], [1]]


_TEXT = ("锦江援建炉霍\n成都市锦江区选派教师到炉霍县。炉霍县位于青藏高原东南缘,"
         "锦江区与炉霍县。炉霍教师感谢锦江。")


def _spans(text, pairs):
    out, pos = [], {}
    for surface, label in pairs:
        start = text.index(surface, pos.get(surface, 0))
        pos[surface] = start + 1
        out.append(Span(start, start + len(surface), label, surface))
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(ROLE_LABELS + ("PER",)), min_size=10, max_size=10))
def test_roles_are_consistent_within_an_entity(labels):
    surfaces = ["锦江", "炉霍", "成都市锦江区", "炉霍县", "炉霍县", "青藏高原", "锦江区", "炉霍县",
                "炉霍", "锦江"]
    spans = _spans(_TEXT, zip(surfaces, labels, strict=True))
    out = assign_roles(_TEXT, spans)
    assert [(s.start, s.end, s.text) for s in out] == [(s.start, s.end, s.text) for s in spans]
    for before, after in zip(spans, out, strict=True):
        if before.label not in ROLE_LABELS:
            assert after.label == before.label  # PER and others untouched
    party = [k for k, s in enumerate(spans) if s.label in ROLE_LABELS]
    for group in group_mentions([spans[k].text for k in party]):
        assert len({out[party[g]].label for g in group}) == 1


def test_cues_and_majority_decide_the_role():
    wrong = ["RECIPIENT", "DONOR", "RECIPIENT", "DONOR", "LOC", "LOC", "RECIPIENT", "DONOR",
             "RECIPIENT", "RECIPIENT"]
    surfaces = ["锦江", "炉霍", "成都市锦江区", "炉霍县", "炉霍县", "青藏高原", "锦江区", "炉霍县",
                "炉霍", "锦江"]
    out = assign_roles(_TEXT, _spans(_TEXT, zip(surfaces, wrong, strict=True)))
    by_text = {s.text: s.label for s in out}
    assert by_text["锦江"] == by_text["成都市锦江区"] == by_text["锦江区"] == GIVER
    assert by_text["炉霍"] == by_text["炉霍县"] == RECEIVER
    assert by_text["青藏高原"] == "LOC"
    # without cues the majority of the mention labels decides
    plain = assign_roles(_TEXT, _spans(_TEXT, zip(surfaces, wrong, strict=True)),
                         RoleSettings(cue_weight=0.0))
    assert {s.label for s in plain if s.text in ("锦江", "成都市锦江区", "锦江区")} == {RECEIVER}


def test_wrapper_trains_predicts_and_records_its_settings(sample_corpus, tmp_path):
    folder = train_model("crf+roles", corpus=sample_corpus, fold=0, out=tmp_path / "m",
                         roles={"cue_weight": 1.5}, **FAST)
    info = json.loads((folder / "duikou_model.json").read_text("utf-8"))
    assert info["kind"] == "crf+roles" and info["hyperparameters"]["base_kind"] == "crf"
    assert info["hyperparameters"]["roles"]["cue_weight"] == 1.5
    assert (folder / "base" / "duikou_model.json").is_file()
    out = predict_model(folder, corpus=sample_corpus, out=tmp_path / "p.jsonl")
    base = predict_model(folder / "base", corpus=sample_corpus, out=tmp_path / "b.jsonl")
    rows = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    base_rows = [json.loads(x) for x in base.read_text("utf-8").splitlines()]
    assert [r["id"] for r in rows] == [d.id for d in load_documents(sample_corpus, fold=0)]
    for r, b in zip(rows, base_rows, strict=True):
        # the base's spans, only party labels may differ; added spans are central organs
        # or named features
        kept = {(e["start"], e["end"]) for e in b["entities"]}
        assert kept <= {(e["start"], e["end"]) for e in r["entities"]}
        assert all(_added(e) for e in r["entities"] if (e["start"], e["end"]) not in kept)
    (folder / "duikou_model.json").write_text(json.dumps({**info, "hyperparameters": {}}))
    with raises_code(ModelError, "DK-MODEL-045"):
        tagger_class("crf+roles").load(folder)


def _added(entity: dict) -> bool:
    name = entity_key(entity["text"])
    if entity["label"] == "LOC":
        return name in roles.feature_words()
    return entity["label"] in ("ORG", "DONOR") and roles.is_department(name)


def test_wrappers_mirror_their_base_tagger():
    for kind in ("crf+roles", "bert+roles", "crf+rules", "crf+roles+rules", "bert+rules",
                 "bert+roles+rules"):
        cls = tagger_class(kind)
        base = tagger_class(cls.base_kind)
        assert (cls.inner_validation, cls.uses_encoder) == (base.inner_validation,
                                                             base.uses_encoder)


def test_wrappers_pass_the_device_to_their_base_tagger():
    """A wrapper runs where its base runs: a CPU-only base refuses a GPU through it too."""
    from duikou.baselines.combined import CombinedTagger
    from duikou.baselines.roles import RoleSettings, RolesTagger

    rules = tagger_class("rules").load()
    wrapped = CombinedTagger(RolesTagger(rules, RoleSettings()), ["MONEY"])
    wrapped.use_device("cpu")
    with raises_code(ModelError, "DK-MODEL-056"):
        wrapped.use_device("cuda")


def _labels_before(text: str, marked: list[tuple[str, str]], *flags: str) -> dict:
    """The labels as a model folder recorded before ``flags`` existed predicts them (its
    record has only the vote weights, so ``from_json`` turns every later rule off)."""
    old = RoleSettings.from_json({"cue_weight": 2.0, "title_weight": 3.0})
    assert not any(getattr(old, f) for f in flags)
    return _labels_of(text, marked, old)


def _marked_spans(text: str, marked: list[tuple[str, str]]) -> list[Span]:
    """Spans for (name, label) pairs, each name found after the previous one."""
    spans, at = [], 0
    for name, label in marked:
        start = text.index(name, at)
        spans.append(Span(start, start + len(name), label))
        at = start + len(name)
    return spans


def _labels_of(text: str, marked: list[tuple[str, str]],
               settings: RoleSettings | None = None) -> dict:
    return {(text[s.start:s.end], s.start): s.label
            for s in assign_roles(text, _marked_spans(text, marked), settings or RoleSettings())}


def test_a_province_that_only_contains_a_side_is_a_place():
    """Guidelines V4: 新疆 is never said to give or receive, 喀什 inside it receives, so 新疆
    is LOC whatever the tagger said; a province that a cue makes a side keeps its role; a
    county containing a side's town is not touched (annotated as that side); records from
    before the rule predict without it."""
    text = "江苏援建喀什。新疆的发展日新月异。"
    marked = [("江苏", "DONOR"), ("喀什", "RECIPIENT"), ("新疆", "RECIPIENT")]
    got = _labels_of(text, marked)
    assert [got[k] for k in sorted(got, key=lambda k: k[1])] == ["DONOR", "RECIPIENT", "LOC"]
    assert "LOC" not in _labels_before(text, marked, "containing_provinces").values()

    cued = "江苏援建喀什。江苏向新疆捐赠。"
    got = _labels_of(cued, [("江苏", "DONOR"), ("喀什", "RECIPIENT"), ("江苏", "DONOR"),
                            ("新疆", "RECIPIENT")])
    assert got[("新疆", cued.index("新疆"))] == "RECIPIENT"

    county = "锦江援建炉霍县虾拉沱镇。炉霍县风景秀丽。"
    got = _labels_of(county, [("锦江", "DONOR"), ("炉霍县虾拉沱镇", "RECIPIENT"),
                              ("炉霍县", "RECIPIENT")])
    assert got[("炉霍县", county.rindex("炉霍县"))] == "RECIPIENT"


def test_the_province_rule_reads_every_form_of_a_province_and_skips_shared_names():
    """新疆 cued as a side makes 新疆维吾尔自治区 a side too (one province, two groups); a
    county name used in several provinces (鼓楼区) proves no containment."""
    text = "江苏援建新疆。江苏援建喀什。新疆维吾尔自治区的发展日新月异。"
    got = _labels_of(text, [("江苏", "DONOR"), ("新疆", "RECIPIENT"), ("江苏", "DONOR"),
                            ("喀什", "RECIPIENT"), ("新疆维吾尔自治区", "RECIPIENT")])
    assert got[("新疆维吾尔自治区", text.index("新疆维吾尔自治区"))] == "RECIPIENT"
    shared = "江苏援建鼓楼区。福建的发展日新月异。"
    got = _labels_of(shared, [("江苏", "DONOR"), ("鼓楼区", "RECIPIENT"), ("福建", "RECIPIENT")])
    assert got[("福建", shared.index("福建"))] == "RECIPIENT"
    assert roles.lies_in("喀什", "新疆") and not roles.lies_in("鼓楼区", "福建")


def test_departments_are_org_unless_a_help_verb_makes_them_the_giver():
    """Guidelines §5 step 4: 党中央 and 教育部 are ORG whatever the tagger voted, also when
    they select or send people (H8); a central unit that itself helps its 定点帮扶 county
    keeps the votes' DONOR (V6); records from before the rule predict without it."""
    text = "党中央高度重视。教育部选派干部到炉霍。锦江援建炉霍。"
    marked = [("党中央", "DONOR"), ("教育部", "DONOR"), ("炉霍", "RECIPIENT"),
              ("锦江", "DONOR"), ("炉霍", "RECIPIENT")]
    got = _labels_of(text, marked)
    assert got[("党中央", 0)] == "ORG" and got[("教育部", text.index("教育部"))] == "ORG"
    assert got[("锦江", text.index("锦江"))] == "DONOR"
    helping = "国务院国资委定点帮扶佛坪县。"
    got = _labels_of(helping, [("国务院国资委", "DONOR"), ("佛坪县", "RECIPIENT")])
    assert got[("国务院国资委", 0)] == "DONOR"
    old = _labels_before(text, marked, "departments", "feature_places", "add_departments")
    assert old[("党中央", 0)] == "DONOR"


def test_central_organs_the_tagger_missed_are_added_and_decided_like_the_others():
    """A 党中央 the tagger left out becomes ORG; a 国资委 it left out that helps its county is
    DONOR (V6); 教育部门 (a generic noun) and a county's 组织部 are not added; the input's
    spans and their order are kept."""
    text = "党中央关心炉霍。国资委定点帮扶佛坪县。县教育部门和县委组织部。"
    spans = [Span(text.index("佛坪县"), text.index("佛坪县") + 3, "RECIPIENT"),
             Span(5, 7, "RECIPIENT")]
    out = assign_roles(text, spans)
    assert out[:2] == [dataclasses.replace(spans[0]), spans[1]]
    assert {(text[s.start:s.end], s.label) for s in out[2:]} == {("党中央", "ORG"),
                                                                ("国资委", "DONOR")}


def test_feature_places_are_loc_but_division_names_with_the_same_heads_are_not():
    """Step 9 and V3: a river, a plateau or a port is LOC whatever the tagger voted; 浙江
    and 上海 end like features (江, 海) but are divisions and keep their role; an entity
    with one division name among its mentions is not a feature place."""
    text = "浙江援建阿克苏。黄浦江畔，上海干部出发，经霍尔果斯口岸抵达青藏高原。"
    marked = [("浙江", "DONOR"), ("阿克苏", "RECIPIENT"), ("黄浦江", "DONOR"),
              ("上海", "DONOR"), ("霍尔果斯口岸", "RECIPIENT"), ("青藏高原", "RECIPIENT")]
    got = _labels_of(text, marked)
    assert [got[(n, text.index(n))] for n, _ in marked] == [
        "DONOR", "RECIPIENT", "LOC", "DONOR", "LOC", "LOC"]
    assert not roles.is_feature_place("镇江") and roles.is_feature_place("叶尔羌河")


@given(st.lists(st.sampled_from(["党中央", "黄浦江", "上海", "炉霍县", "教育部"]), min_size=1,
                max_size=6),
       st.lists(st.sampled_from(ROLE_LABELS), min_size=6, max_size=6))
@settings(max_examples=60, deadline=None)
def test_named_roles_keep_offsets_and_one_label_per_entity(names, labels):
    """Whatever the votes, the name rules change labels only, and every mention of one
    entity ends with the same label."""
    text = "，".join(names) + "。"
    spans, at = [], 0
    for name, label in zip(names, labels, strict=False):
        spans.append(Span(at, at + len(name), label))
        at += len(name) + 1
    out = assign_roles(text, spans)
    assert [(s.start, s.end) for s in out] == [(s.start, s.end) for s in spans]
    by_name: dict[str, set[str]] = {}
    for s in out:
        by_name.setdefault(text[s.start:s.end], set()).add(s.label)
    assert all(len(v) == 1 for v in by_name.values())


def test_a_place_that_is_only_mentioned_in_passing_is_a_place_not_a_side():
    """V14 and V4: 乌鲁木齐 only in the dateline and 宜昌 only as the venue are LOC whatever
    the tagger voted; 伊宁, which receives, keeps its role, and so does a venue that is
    also a side elsewhere; records from before the rule predict without it. Markets and
    等地 lists are in passing too, unless a cue governs the list."""
    text = "新华社乌鲁木齐10月9日电 推进会在宜昌召开。江苏援建伊宁。会议在伊宁举行。"
    marked = [("乌鲁木齐", "RECIPIENT"), ("宜昌", "DONOR"), ("江苏", "DONOR"),
              ("伊宁", "RECIPIENT"), ("伊宁", "RECIPIENT")]
    got = _labels_of(text, marked)
    assert got[("乌鲁木齐", 3)] == "LOC" and got[("宜昌", text.index("宜昌"))] == "LOC"
    assert got[("伊宁", text.rindex("伊宁"))] == "RECIPIENT"
    assert _labels_before(text, marked, "neutral_places")[("乌鲁木齐", 3)] == "RECIPIENT"

    passing = "江苏援建伊宁。来自兰州、平凉等地的客商。远销哈萨克斯坦。向青海、西藏等地捐赠。"
    got = _labels_of(passing, [("江苏", "DONOR"), ("伊宁", "RECIPIENT"), ("兰州", "RECIPIENT"),
                               ("平凉", "RECIPIENT"), ("哈萨克斯坦", "DONOR"),
                               ("青海", "RECIPIENT"), ("西藏", "RECIPIENT")])
    assert [got[(n, passing.index(n))] for n in ("兰州", "平凉", "哈萨克斯坦", "青海", "西藏")] == [
        "LOC", "LOC", "LOC", "RECIPIENT", "RECIPIENT"]  # 向 governs the whole list


def _spans_of(text: str, marked: list[tuple[str, str]],
              settings: RoleSettings | None = None) -> list[tuple[str, str]]:
    return [(text[s.start:s.end], s.label)
            for s in assign_roles(text, _marked_spans(text, marked), settings or RoleSettings())]


def test_a_place_span_stopped_before_a_feature_head_is_extended_over_it():
    """V3: 霍尔果斯 followed by 口岸 becomes the port 霍尔果斯口岸, LOC; 霍尔果斯市 stays;
    的 between a place and a river keeps them apart; the extension never reaches another
    span; records from before the rule predict without it."""
    text = "经霍尔果斯口岸出境。霍尔果斯市接收援助。喀什的叶尔羌河。阿克苏纺织工业园区。"
    marked = [("霍尔果斯", "RECIPIENT"), ("霍尔果斯市", "RECIPIENT"), ("喀什", "RECIPIENT"),
              ("阿克苏", "RECIPIENT")]
    assert _spans_of(text, marked) == [  # 叶尔羌河 is a river of its own (feature_mentions)
        ("霍尔果斯口岸", "LOC"), ("霍尔果斯市", "RECIPIENT"), ("喀什", "RECIPIENT"),
        ("叶尔羌河", "LOC"), ("阿克苏纺织工业园区", "LOC")]
    blocked = [("阿克苏", "RECIPIENT"), ("纺织", "ORG")]
    got = _spans_of(text, [*marked[:3], *blocked])
    assert ("阿克苏", "RECIPIENT") in got and ("纺织工业园区", "LOC") in got  # 纺织 is extended
    old = RoleSettings.from_json({"cue_weight": 2.0, "title_weight": 3.0})
    assert not old.feature_names
    assert _spans_of(text, marked, old)[0] == ("霍尔果斯", "RECIPIENT")


def test_an_earthquake_name_and_a_signing_venue_are_mentions_in_passing():
    """V4: 汶川 only in the earthquake's name and 昆明 only as where an agreement was signed
    are LOC whatever the tagger (or the 援建 before 汶川地震重灾区) says; an 汶川 that also
    receives aid keeps its role; records from before the rule predict without it."""
    text = "江苏对口援建汶川地震重灾区。协议在昆明签署。"
    marked = [("江苏", "DONOR"), ("汶川", "RECIPIENT"), ("昆明", "DONOR")]
    got = _labels_of(text, marked)
    assert got[("汶川", text.index("汶川"))] == "LOC" and got[("昆明", text.index("昆明"))] == "LOC"
    assert _labels_before(text, marked, "passing_events")[("汶川", text.index("汶川"))] != "LOC"
    receives = text + "江苏援建汶川。"
    got = _labels_of(receives, [*marked, ("江苏", "DONOR"), ("汶川", "RECIPIENT")])
    assert got[("汶川", receives.rindex("汶川"))] == "RECIPIENT"
    assert got[("汶川", receives.index("汶川"))] == "RECIPIENT"


def test_a_loc_span_that_names_no_place_is_dropped_and_nothing_else_is():
    """A span that ends LOC must name a place: 奉献 and 桥头堡 (the tagger's noise) go,
    青藏高原 and 南疆五地州 stay, a RECIPIENT 贡献 is not touched, and other labels and
    offsets are unchanged; records from before the rule keep every span."""
    text = "扎根青藏高原无私奉献，南疆五地州，建设桥头堡，投入5000万元。贡献。"
    money = text.index("5000万元")
    spans = [Span(2, 6, "LOC"), Span(8, 10, "LOC"), Span(11, 16, "LOC"),
             Span(text.index("桥头堡"), text.index("桥头堡") + 3, "LOC"),
             Span(money, money + 6, "MONEY"), Span(text.index("贡献"), text.index("贡献") + 2,
                                                  "RECIPIENT")]
    out = assign_roles(text, spans)
    assert [(text[s.start:s.end], s.label) for s in out] == [
        ("青藏高原", "LOC"), ("南疆五地州", "LOC"), ("5000万元", "MONEY"), ("贡献", "RECIPIENT")]
    old = RoleSettings.from_json({"cue_weight": 2.0, "title_weight": 3.0})
    assert len(assign_roles(text, spans, old)) == len(spans)


def test_named_features_the_tagger_missed_are_added_as_places():
    """Step 9: 塔里木盆地 and 六盘山 (jieba's dictionary tags them ns and they have a
    feature's head) are added as LOC when no span covers them; a covered one is not added
    twice, two-character words (高原) and divisions (炉霍县) are not added, the input's
    spans are kept, and records from before the rule add nothing."""
    text = "南疆地处塔里木盆地周边，医疗队登上六盘山和高原，青藏高原上的炉霍县。"
    tibet = text.index("青藏高原")
    spans = [Span(0, 2, "RECIPIENT"), Span(tibet, tibet + 4, "LOC")]
    out = assign_roles(text, spans)
    assert [(text[s.start:s.end], s.label) for s in out] == [
        ("南疆", "RECIPIENT"), ("塔里木盆地", "LOC"), ("六盘山", "LOC"), ("青藏高原", "LOC")]
    old = RoleSettings.from_json({"cue_weight": 2.0, "title_weight": 3.0})
    assert not old.add_features
    assert len(assign_roles(text, spans, old)) == len(spans)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["塔里木盆地", "六盘山", "高原", "炉霍县", "援建", "，",
                                 "青藏高原", "天山网", "黄河路", "。"]), max_size=12),
       st.data())
def test_added_features_are_loc_words_of_the_list_and_overlap_no_span(parts, data):
    text = "".join(parts)
    ends = sorted(data.draw(st.sets(st.integers(0, len(text)), max_size=4)))
    spans = [Span(a, b, "ORG") for a, b in zip(ends[::2], ends[1::2]) if a < b]
    added = roles.feature_mentions(text, spans)
    for s in added:
        assert s.label == "LOC" and text[s.start:s.end] in roles.feature_words()
        assert not any(s.start < t.end and t.start < s.end for t in spans + [
            a for a in added if a is not s])
