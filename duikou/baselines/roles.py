"""Document-level roles: a second stage that gives every party-like entity one label per
document, as the guidelines decide them (``annotation/GUIDELINES.md`` §5), on top of any tagger.

Taggers label each mention from a local window, so one entity often comes out DONOR in one
sentence and RECIPIENT or LOC in the next. This stage changes the labels of party-like spans
(DONOR, RECIPIENT, ORG, LOC) and keeps every other span as it is. It touches spans in four
places only: it adds the mentions of central organs the tagger left out
(:func:`department_mentions`) and the named natural features it left out (塔里木盆地, 六盘山:
:func:`feature_mentions`, from jieba's dictionary), extends a place name the tagger stopped
short of a feature's head over it (霍尔果斯|口岸 → 霍尔果斯口岸, LOC: :func:`feature_name_spans`),
and drops a span that ends LOC without naming a place (:func:`is_place_name`):

1. :func:`group_mentions` partitions the party-like mentions of one document into entities:
   the same string; administrative chains that end in the same division (成都市锦江区 ↔
   锦江区); short forms that the document expands (锦江 ↔ 成都市锦江区, 炉霍 ↔ 炉霍县,
   演武小学 ↔ 厦门市演武小学), when the expansion is unique in the document.
2. :func:`mention_cues` reads giving/receiving cues around each mention: ``X对口支援Y``,
   ``X援建Y``, ``X帮扶Y``, ``X向Y捐赠``, ``援X``, ``对X…``, ``受X帮扶``, ``X工作队``; cues in
   the title (first line, and a ``——`` subtitle line) weigh :attr:`RoleSettings.title_weight`
   times as much, which gives the title pairing precedence (§5 step 7).
3. :func:`assign_roles` gives each entity the label with most votes: one per mention label,
   :attr:`RoleSettings.cue_weight` per cue (giving → DONOR, receiving → RECIPIENT). Ties go
   to DONOR, RECIPIENT, ORG, LOC in that order (§5 step 7: an entity that gives and receives
   is DONOR unless the title says otherwise).
4. :func:`containing_regions` (guidelines V4, for provinces): a province that no cue makes a
   side but that contains an entity a cue does make a side is LOC.
5. Names and positions decide three classes whatever the votes (:func:`named_role`): a
   central organ, ministry or provincial department (:func:`is_department`, §5 step 4) is
   ORG, or DONOR when a help verb makes it the giver (V6: the helping side of 定点帮扶); a
   natural feature, route, venue, zone or park whose name is not an administrative division
   (:func:`is_feature_place`, step 9 and V3) is LOC; and so is a place that is only ever
   mentioned in passing: a dateline's, a venue, a market, a member of an 等地 list
   (:func:`is_neutral_mention`, V4 and V14), an earthquake's name or where an agreement was
   signed (:func:`is_event_mention`, V4). These rules were written against the errors on
   the non-test documents (baselines/BENCHMARKS.md, "Roles by name" and "Places by name").

:class:`RolesTagger` wraps any registered tagger: the registry's ``crf+roles`` and
``bert+roles`` train the base tagger into ``base/`` inside the model folder and record the
role settings in ``duikou_model.json``, so ``duikou train/predict/tag`` and ``duikou
reproduce`` run it like any other kind.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from duikou.baselines.base import Tagger
from duikou.baselines.common import (
    INFO_FILE,
    Timer,
    TrainingScope,
    read_hyperparameters,
    write_model_info,
)
from duikou.baselines.gazetteer import (
    division_parents,
    province_rows,
    simplified,
    world_countries,
)
from duikou.baselines.registry import tagger_class
from duikou.errors import ModelError, Problem
from duikou.ingest.script import entity_key
from duikou.mentions import (  # noqa: F401 (re-export)
    ADMIN_SUFFIXES,
    admin_chain,
    group_mentions,
    title_end,
)
from duikou.records import Document
from duikou.spans import Span

#: the giving and receiving side (both of kind PARTY), then the non-party ENTITY labels a
#: party-like mention can carry; the order is also the tie-break order
GIVER, RECEIVER = "DONOR", "RECIPIENT"
NEUTRAL: tuple[str, ...] = ("ORG", "LOC")
ROLE_LABELS: tuple[str, ...] = (GIVER, RECEIVER, *NEUTRAL)

BASE_DIR = "base"
_CLAUSE_END = set("，。；！？,;!?\n：:")
_FILLER = "(?:第[一二三四五六七八九十0-9]+批|大力|持续|积极|先后|已经|已|还|又|共|累计|长期|多年来)?"
_GIVE_AFTER = re.compile(
    _FILLER + "(?:对口支援|对口帮扶|结对帮扶|帮扶|支援|援建|援助|捐赠|捐资|捐款|选派|派出|派驻|"
    "投入|资助|向|(?:对口支援[^，。]{0,8})?工作队|(?:对口支援[^，。]{0,8})?支医队|医疗队)")
_RECEIVE_WORDS = ("对口支援|对口帮扶|结对帮扶|帮扶|支援|援助|援建|援|助力|帮扶地|对|向|为|给|赴|前往|"
                  "进驻|入驻|挂职|走进|受援")
_RECEIVE_BEFORE = re.compile(f"(?:{_RECEIVE_WORDS})$")
_RECEIVE_ANY = re.compile(_RECEIVE_WORDS)
_PASSIVE_BEFORE = re.compile("(?:受|得到|在)$")
_PASSIVE_AFTER = re.compile("^的?(?:帮扶|支援|援助|资助|捐赠|援建)")
# V6: the verbs that make a department a giver (sending or selecting staff does not: H8)
_HELP_AFTER = re.compile(_FILLER + "(?:对口支援|对口帮扶|定点帮扶|结对帮扶|帮扶|包扶|支援|援建|援助|"
                         "捐赠|捐资|捐款|资助|投入|(?:对口|定点)?扶贫)")
#: the ministries of the State Council (short forms; 组织部, 宣传部 and 统战部 are the
#: party's and are named with 中央 or 中)
_MINISTRIES = ("教育|民政|财政|商务|农业农村|农业|人力资源和社会保障|人社|工业和信息化|工信|科技|"
               "交通运输|水利|自然资源|生态环境|住房和城乡建设|住建|文化和旅游|文旅|卫生|公安|"
               "外交|司法|应急管理|退役军人事务|国防")
#: §5 step 4: the party centre, the State Council and its offices, central and national
#: organs, ministries, the academies (names in simplified script, whole name)
CENTRAL_ORGAN = re.compile(
    rf"^(?:中共中央|党中央|中央|国务院|中组部|中宣部|国资委|中央[^，。]{{1,10}}?(?:部|办|委|委员会)"
    rf"|国务院[^，。]{{1,12}}?(?:办公厅|办|委|署|局)|国家[^，。]{{1,10}}?(?:局|委|部|署|委员会)"
    rf"|(?:{_MINISTRIES})部|中国科学院|中科院|中国工程院|中国社会科学院)$")
#: mentions of central organs and ministries that :func:`department_mentions` finds in a
#: text: a closed list, longer forms first; not after a character that makes them part of a
#: local name (县委组织部), nor before one that makes them a word (部门, 部分, 部署, 部队) or
#: before a section of the organ (教育部发展规划司: the whole name is the span)
DEPARTMENT_MENTION = re.compile(
    rf"(?<![委省市县区州厅局])(?:中共中央(?:办公厅|组织部|宣传部|统战部)?|党中央"
    rf"|国务院(?:办公厅|扶贫办|国资委|[\u4e00-\u9fff]{{2}}办)?|国资委|中组部|中央组织部|中宣部"
    rf"|中央网信办|国家乡村振兴局|国家发展改革委|国家发改委|国家民委|(?:{_MINISTRIES})部"
    rf"|中国科学院|中科院)(?![门分署队]|[\u4e00-\u9fff]{{0,4}}[司处])")
#: §5 step 4: a department of a provincial-level government: the province (or a
#: municipality) and a department head, with no lower division between them
PROVINCIAL_DEPARTMENT = re.compile(
    "^(?:[^，。]{1,3}省|[^，。]{1,6}自治区|北京市?|上海市?|天津市?|重庆市?)(?:人民政府)?"
    "[^，。市州县区盟旗]{0,12}?(?<!音乐)(?<!展览)(?<![大展餐客礼])"
    "(?:厅|教委|发改委|发展改革委|发展和改革委员会|卫生健康委|卫健委|民委|民宗委)$")
#: step 9 and V3: heads of natural features, routes, venues, zones and parks. One-character
#: heads (山, 河, 江, 湖, 海, 城) also end division names (中山, 浙江, 上海, 盐城), hence
#: :func:`is_feature_place` also asks the division table
FEATURE_HEAD = re.compile(
    "(?:山脉|水库|高原|草原|沙漠|盆地|峡谷|机场|公路|铁路|国道|大桥|商业街|步行街|广场|市场|"
    "商圈|产业园|工业园|口岸|古城|老城|城墙|体育场|管道|"
    "[^县]城|[^镇乡]山|[^镇]河|江|湖|海|峡|桥)$")
_NUMERAL = "[0-9０-９一二三四五六七八九十]"
#: a dateline after a place (新华社乌鲁木齐10月9日电, 北京4月28日消息, 本报青岛讯, 本报上海电):
#: V14; without a date only a 电 or 讯 that ends the word (新疆电力, 喀什电商 are not)
_DATELINE_AFTER = re.compile(
    f"^(?:(?:{_NUMERAL}{{1,2}}月)?{_NUMERAL}{{1,3}}日(?:电|讯|消息)|[电讯](?=[\\s(（/／：:]|$))")
#: a venue: 在X召开 / 举行 / 举办 (V4: a venue that does not give or receive is LOC)
_VENUE_AFTER = re.compile("^(?:隆重|顺利|成功|正式)?(?:召开|举行|举办|开幕|闭幕)")
#: where goods go (远销X, 销往X): a market in passing. Not 来自X, which often introduces a
#: side's own staff (来自福建的援建者: 福建 gives)
_PASSING_BEFORE = re.compile("(?:远销|销往|出口到?)$")
#: the rest of a list of places closed by 等地 / 等国 / 等省… after a member: separators 、
#: 和 及 与 (a run of them, so that 和田 after 、 parses as 、和 + 田), members of at most 8
#: characters without 的 or 等; possessive, so it runs in linear time
_PLACE_LIST_AFTER = re.compile(
    "^(?:[、和及与]*+[^，。、等的\\s和及与]{1,8}+)*+"
    "等(?:地(?!方)|国(?![内有家])|国家(?!级)|省份|省区|省市|省(?!级)|城市|县市)")
#: zone heads that end in 区 like a district (雅江北岸生态示范区, 粤港澳大湾区): a name with one
#: is a zone unless the division table knows it
ZONE_HEAD = re.compile("(?:园区|开发区|示范区|生态区|景区|风景区|湾区|街区|试验区|合作区)$")
#: V3: the rest of a feature's name after a place name the tagger stopped at (霍尔果斯|口岸,
#: 喀什|空天信息产业园): at most four name characters, then one of these heads (a subset of
#: :data:`FEATURE_HEAD` and :data:`ZONE_HEAD`). A name character is none of the function
#: words and verbs that start another phrase (的, 和, 在, 援建, 修建, 治理, 帮扶…: 江苏援建机场 is
#: no airport's name), and 河 or 湖 must end the word (岷江河畔 is 岷江's bank, 喀什湖南工业园
#: holds 湖南)
_FEATURE_TAIL = re.compile(
    "(?:(?![的和与及个之一在援建修治帮扶支投捐助赴向对为给到从])[\u4e00-\u9fff]){0,4}?"
    "(?:口岸|产业园区|产业园|工业园区|工业园|经济开发区|开发区|水库|机场|大桥|古城|老城|城墙|景区|新城"
    "|(?:河|湖)(?![\u4e00-\u9fff]))")
#: macro-regions that no division table holds (南疆, 长三角, 西海固, 乌蒙山, 中亚…), a
#: province's one-character name with a direction (苏北, 川西, 黔东南), and heads that end the
#: names of streets, villages, bays, gates and bases (六星街, 大渔湾, 剑门关): with the
#: division table, what :func:`is_place_name` accepts as the name of a place
REGION_NAME = re.compile(
    "南疆|北疆|东疆|江南|江北|长三角|珠三角|粤港澳|京津冀|西海固|乌蒙|武陵|藏区|雪域|三江源|华夏|"
    "丝绸之路|帕米尔|塔克拉玛干|喀纳斯|欧洲|亚洲|非洲|美洲|中亚|东南亚|南亚|中东|"
    "^[京津沪渝冀晋辽吉黑苏浙皖闽赣鲁豫鄂湘粤桂琼川蜀黔贵滇云陕秦甘陇青宁新藏蒙]"
    "(?:东南|东北|西南|西北|东|西|南|北|中)$")
_PLACE_NAME_HEAD = re.compile("(?:街|路|大道|湾|沟|关|巷|村|镇|乡|寨|坝|岛|港|园|基地|农家乐)$")
_HOME = ("中国", "中华")
#: an event named after a place (汶川地震, 玉树大地震, 汶川特大地震): the place is named in passing,
#: whatever verb comes before (对口援建汶川地震重灾区: the disaster area receives)
_EVENT_AFTER = re.compile("^(?:特大|大)?地震")
#: V4: the venue of a signing (在昆明签署); not 成立, since what is founded in a place often
#: serves it (在鹤峰县成立…: 鹤峰县 receives)
_SIGNING_AFTER = re.compile("^(?:正式|共同)?(?:签署|签订|签约)")

@dataclasses.dataclass(frozen=True)
class RoleSettings:
    """Vote weights of :func:`assign_roles` (recorded in the model folder). ``cue_weight``
    was chosen on the train split's inner cross-validation (baselines/BENCHMARKS.md);
    ``title_weight`` made no difference there and follows §5 step 7 (the title decides)."""

    cue_weight: float = 2.0
    title_weight: float = 3.0
    #: guidelines V4 for provinces: a province-level entity that no cue makes a side, and
    #: that contains an entity a cue does make a side, is LOC (:func:`containing_regions`)
    containing_provinces: bool = True
    #: §5 step 4 and V6: central organs and provincial departments are ORG (:func:`is_department`)
    departments: bool = True
    #: step 9 and V3: named features, routes, venues and zones are LOC (:func:`is_feature_place`)
    feature_places: bool = True
    #: mentions of central organs the tagger left out are added before the votes
    #: (:func:`department_mentions`)
    add_departments: bool = True
    #: V4 and V14: a place all of whose mentions are in passing (datelines, venues, markets,
    #: 等地 lists) is LOC (:func:`is_neutral_mention`)
    neutral_places: bool = True
    #: V3: a party-like span followed by the rest of a feature's name (霍尔果斯|口岸) is
    #: extended over it and is LOC (:func:`feature_name_spans`)
    feature_names: bool = True
    #: V4: an earthquake named after a place (汶川地震) and the venue of a signing (在昆明签署)
    #: are mentions in passing too (:func:`is_event_mention`)
    passing_events: bool = True
    #: a span that ends LOC but names no place (奉献, 飞地, 桥头堡: the tagger's noise) is
    #: dropped (:func:`is_place_name`); the only place where the stage removes spans
    place_names_only: bool = True
    #: step 9: named natural features and places from jieba's dictionary that the tagger
    #: left out are added as LOC before the votes (:func:`feature_mentions`)
    add_features: bool = True

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict | None) -> RoleSettings:
        """Settings as recorded; a record from before ``containing_provinces``,
        ``departments``, ``feature_places``, ``add_departments``, ``neutral_places``,
        ``feature_names``, ``passing_events``, ``place_names_only`` or ``add_features``
        existed predicts as it did then (without it)."""
        return cls(**{"containing_provinces": False, "departments": False,
                      "feature_places": False, "add_departments": False,
                      "neutral_places": False, "feature_names": False,
                      "passing_events": False, "place_names_only": False,
                      "add_features": False, **(data or {})})


def _clause(text: str, start: int, end: int) -> tuple[str, str]:
    a = start
    while a > 0 and text[a - 1] not in _CLAUSE_END:
        a -= 1
    b = end
    while b < len(text) and text[b] not in _CLAUSE_END:
        b += 1
    return text[a:start], text[end:b]


def mention_cues(text: str, start: int, end: int) -> Counter:
    """The giving or receiving cue around the mention ``text[start:end]`` in its clause, as
    ``Counter({GIVER: 1})``, ``Counter({RECEIVER: 1})`` or an empty Counter (text in
    simplified script).

    >>> mention_cues("锦江援建炉霍", 0, 2), mention_cues("锦江援建炉霍", 4, 6)
    (Counter({'DONOR': 1}), Counter({'RECIPIENT': 1}))
    >>> mention_cues("南明区人民医院向普安县人民医院捐赠血透机", 8, 15)
    Counter({'RECIPIENT': 1})
    >>> mention_cues("炉霍县位于青藏高原东南缘", 0, 3)
    Counter()
    """
    left, right = _clause(text, start, end)
    if _PASSIVE_BEFORE.search(left) and _PASSIVE_AFTER.search(right):
        return Counter({GIVER: 1})  # 受X帮扶, 在X的帮扶下
    if _RECEIVE_BEFORE.search(left):
        return Counter({RECEIVER: 1})  # 援X, 对X帮扶, 向X捐赠: the object wins over a verb after
    if _GIVE_AFTER.match(right):
        return Counter({GIVER: 1})
    return Counter()


def assign_roles(text: str, spans: Sequence[Span], settings: RoleSettings = RoleSettings()
                 ) -> list[Span]:
    """``spans`` with every party-like span relabelled to its entity's document role
    (module docstring); other spans, and all offsets, unchanged; with ``add_departments``
    and ``add_features`` the :func:`department_mentions` and :func:`feature_mentions` that
    overlap no span are added (sorted in when the input is sorted, else after it)."""
    plain = simplified(text)
    if settings.add_departments:
        spans = _with_added(spans, department_mentions(plain, spans))
    if settings.add_features:
        spans = _with_added(spans, feature_mentions(plain, spans))
    if settings.feature_names:
        spans = feature_name_spans(plain, spans)
    idx = [i for i, s in enumerate(spans) if s.label in ROLE_LABELS]
    keys = [entity_key(text[spans[i].start:spans[i].end]) for i in idx]
    groups = group_mentions(keys)
    head = title_end(plain)
    roles, cued = [], []
    for group in groups:
        votes: Counter = Counter()
        cues: Counter = Counter()
        for g in group:
            span = spans[idx[g]]
            votes[span.label] += 1.0
            weight = settings.cue_weight * (settings.title_weight if span.start < head else 1.0)
            for label, n in mention_cues(plain, span.start, span.end).items():
                votes[label] += weight * n
                cues[label] += n
        roles.append(max(ROLE_LABELS, key=lambda lb: (votes[lb], -ROLE_LABELS.index(lb))))
        cued.append(bool(cues))
    names = [{keys[g] for g in group} for group in groups]
    if settings.containing_provinces:
        for k in containing_regions(names, roles, cued):
            roles[k] = "LOC"
    for k, group in enumerate(groups):
        roles[k] = named_role(names[k], roles[k], [spans[idx[g]] for g in group], plain,
                              settings)
    out = list(spans)
    for group, role in zip(groups, roles, strict=True):
        for g in group:
            out[idx[g]] = dataclasses.replace(spans[idx[g]], label=role)
    if settings.place_names_only:
        out = [s for s in out if s.label != "LOC" or is_place_name(entity_key(text[s.start:s.end]))]
    return out


def _with_added(spans: Sequence[Span], added: list[Span]) -> Sequence[Span]:
    """``spans`` and ``added``: sorted together when ``spans`` is sorted, else appended."""
    if not added:
        return spans
    ordered = all(a <= b for a, b in zip(spans, spans[1:]))
    return sorted([*spans, *added]) if ordered else [*spans, *added]


def is_department(name: str) -> bool:
    """Whether ``name`` (simplified) is a central organ, ministry or provincial department,
    which guidelines §5 step 4 makes ORG.

    >>> [is_department(n) for n in ("党中央", "国务院扶贫办", "教育部", "陕西省发展改革委")]
    [True, True, True, True]
    >>> [is_department(n) for n in ("浙江援建指挥部", "干部", "江西省人民政府", "上海",
    ...                             "北京市朝阳区教委", "上海大剧院音乐厅", "组织部")]
    [False, False, False, False, False, False, False]
    """
    return bool(CENTRAL_ORGAN.match(name) or PROVINCIAL_DEPARTMENT.match(name))


def department_mentions(plain: str, spans: Sequence[Span]) -> list[Span]:
    """ORG spans for the :data:`DEPARTMENT_MENTION` matches in ``plain`` (simplified text)
    that overlap none of ``spans``: the central organs a tagger left out (§5 step 4).

    >>> department_mentions("党中央和国务院高度重视，县教育部门", [Span(4, 7, "DONOR")])
    [Span(start=0, end=3, label='ORG', text=None, attrs=None)]
    """
    return [Span(m.start(), m.end(), "ORG") for m in DEPARTMENT_MENTION.finditer(plain)
            if not any(s.start < m.end() and m.start() < s.end for s in spans)]


def feature_mentions(plain: str, spans: Sequence[Span],
                     names: frozenset[str] | None = None) -> list[Span]:
    """LOC spans for the words of ``plain`` (simplified text, jieba's segmentation with HMM
    off) that are in ``names`` (by default :func:`feature_words`) and overlap none of
    ``spans``: the named natural features and places a tagger left out (step 9). Only whole
    words match, so a listed name that the segmentation puts inside a longer word is not
    added.

    >>> feature_mentions("炉霍县位于青藏高原东南缘", [Span(0, 3, "RECIPIENT")])
    [Span(start=5, end=9, label='LOC', text=None, attrs=None)]
    >>> feature_mentions("不以山海为远", [])
    []
    """
    from duikou.baselines.features import jieba_words

    names = feature_words() if names is None else names
    out, pos = [], 0
    for word in jieba_words(plain):
        start, pos = pos, pos + len(word)
        if word in names and not any(s.start < pos and start < s.end for s in spans):
            out.append(Span(start, pos, "LOC"))
    return out


@functools.cache
def feature_words() -> frozenset[str]:
    """The words that jieba's dictionary tags ``ns`` (place name) that have three characters
    or more and are :func:`is_feature_place` (青藏高原, 塔里木盆地, 六盘山, 深圳产业园). Two
    characters are too few: the dictionary's ``ns`` words also hold 山海, 高原 and 之江."""
    from duikou.baselines.features import jieba_word_tags

    return frozenset(w for w, tag in jieba_word_tags().items()
                     if tag == "ns" and len(w) >= 3 and is_feature_place(w))


def is_feature_place(name: str) -> bool:
    """Whether ``name`` (simplified) names a natural feature, route, venue, zone or park and
    not an administrative division or a country: LOC by guidelines step 9 and V3.

    >>> [is_feature_place(n) for n in ("青藏高原", "霍尔果斯口岸", "黄浦江", "深圳产业园",
    ...                                 "粤港澳大湾区")]
    [True, True, True, True, True]
    >>> [is_feature_place(n) for n in ("浙江", "上海", "中山", "盐城", "炉霍县")]
    [False, False, False, False, False]
    """
    if ZONE_HEAD.search(name):
        return not _known_name(name)
    return bool(FEATURE_HEAD.search(name)) and not (_known_name(name) or admin_chain(name))


def _known_name(name: str) -> bool:
    """A name of the division table (full or short) or a country."""
    return name in division_parents() or name in province_rows() or name in world_countries()


def is_neutral_mention(plain: str, start: int, end: int) -> bool:
    """Whether the mention ``plain[start:end]`` (simplified text) is only a dateline's place,
    a meeting's venue, a market goods are sold to, or a member of a list of places closed by
    等地 that no receiving cue governs: mentions in passing, which say nothing about giving
    or receiving (a mention with a giving or receiving cue never is).

    >>> text = ("新华社乌鲁木齐10月9日电 推进会在宜昌召开。江苏援建伊宁。新疆电力公司。本报上海电 "
    ...         "来自兰州、平凉等地的客商。向青海、西藏等地捐赠。向喀什、和田、阿克苏等地捐赠。"
    ...         "有固原、隆德等国家级贫困县")
    >>> [is_neutral_mention(text, text.find(n), text.find(n) + len(n)) for n in (
    ...     "乌鲁木齐", "宜昌", "伊宁", "新疆", "上海", "兰州", "平凉", "青海", "西藏", "阿克苏",
    ...     "固原")]
    [True, True, False, False, True, True, True, False, False, False, False]
    """
    right = plain[end:end + 40]
    if mention_cues(plain, start, end):
        return False
    # a cue anywhere before the list's first 、 in the clause governs the whole list (向青海、
    # 西藏等地, 对口帮扶甘孜藏族自治州、阿坝州等地); erring this way only keeps the tagger's role
    left = _clause(plain, start, end)[0]
    governed = bool(_RECEIVE_ANY.search(left.split("、")[0]))
    in_list = bool(_PLACE_LIST_AFTER.match(right)) and not governed
    return bool(_DATELINE_AFTER.match(right) or in_list
                or _PASSING_BEFORE.search(plain[max(0, start - 4):start])
                or (plain[start - 1:start] == "在" and _VENUE_AFTER.match(right)))


def is_event_mention(plain: str, start: int, end: int) -> bool:
    """Whether the mention ``plain[start:end]`` (simplified text) names an earthquake (汶川地震)
    or the venue of a signing (在昆明签署): mentions in passing, like those of
    :func:`is_neutral_mention` (V4).

    >>> text = "对口援建汶川地震重灾区。协议在昆明签署。汶川县城。在鹤峰县成立基地。"
    >>> [is_event_mention(text, text.find(n), text.find(n) + len(n))
    ...  for n in ("汶川", "昆明", "汶川县", "鹤峰县")]
    [True, True, False, False]
    """
    right = plain[end:end + 8]
    return bool(_EVENT_AFTER.match(right)
                or (plain[start - 1:start] == "在" and _SIGNING_AFTER.match(right)))


def feature_name_spans(plain: str, spans: Sequence[Span]) -> list[Span]:
    """``spans`` with every party-like span that the rest of a feature's name follows
    (:data:`_FEATURE_TAIL`: 霍尔果斯 + 口岸) extended over it and labelled LOC (V3), when the
    whole is a feature place (:func:`is_feature_place`) and the extension overlaps no other
    span; every other span unchanged. Offsets are ``plain``'s, which are the text's. The
    label is a vote like any mention's: the entity ends LOC through ``feature_places``.

    >>> text = "霍尔果斯口岸通关。霍尔果斯市。江苏援建机场。岷江河畔。"
    >>> [(s.start, s.end, s.label) for s in feature_name_spans(text, [
    ...     Span(0, 4, "RECIPIENT"), Span(9, 14, "RECIPIENT"), Span(15, 17, "DONOR"),
    ...     Span(22, 24, "LOC")])]
    [(0, 6, 'LOC'), (9, 14, 'RECIPIENT'), (15, 17, 'DONOR'), (22, 24, 'LOC')]
    """
    out = list(spans)
    for k, span in enumerate(spans):
        if span.label not in ROLE_LABELS or not (m := _FEATURE_TAIL.match(plain, span.end)):
            continue
        if (len(m.group()) == 1 and plain[span.end - 1] in "江河湖"
                or any(o.start < m.end() and span.end < o.end
                       for j, o in enumerate(spans) if j != k)
                or not is_feature_place(plain[span.start:m.end()])):
            continue  # a second one-character head (黄浦江|河), or the tail meets another span
        out[k] = dataclasses.replace(span, end=m.end(), label="LOC")
    return out


def is_place_name(name: str) -> bool:
    """Whether ``name`` (simplified) can name a place: a division, country or feature place
    (:func:`_is_place`), a name that holds a division or country name of two or more
    characters (喀什空天信息产业园, 四川省民族地区), a macro-region (:data:`REGION_NAME`), or a
    name with the head of a street, village, bay or gate.

    >>> [is_place_name(n) for n in ("炉霍", "青藏高原", "铜山金桥连锁超市", "南疆五地州", "六星街")]
    [True, True, True, True, True]
    >>> [is_place_name(n) for n in ("奉献", "飞地", "桥头堡", "杜洛克", "的心田")]
    [False, False, False, False, False]
    """
    if _is_place(name) or REGION_NAME.search(name) or _PLACE_NAME_HEAD.search(name):
        return True
    names = _place_names()
    return any(name[i:j] in names for i in range(len(name))
               for j in range(i + 2, min(len(name), i + 12) + 1))


@functools.cache
def _place_names() -> frozenset[str]:
    return frozenset(n for n in (*division_parents(), *province_rows(), *world_countries(), *_HOME)
                     if len(n) >= 2)


def _is_place(name: str) -> bool:
    return _known_name(name) or bool(admin_chain(name)) or is_feature_place(name)


def named_role(names: set[str], role: str, mentions: Sequence[Span], plain: str,
               settings: RoleSettings) -> str:
    """The role an entity's names impose over the votes' ``role`` (module docstring, step 5):
    for a department (judged on its longest name, so that 国资委 grouped with 南明区国资委
    is the district's bureau), DONOR when a help verb follows one of its ``mentions`` that
    is not the object of a receiving cue (V6), else ORG; LOC for an entity all of whose names
    are feature places, and for a place voted a side all of whose mentions are in passing
    (:func:`is_neutral_mention`; with ``passing_events`` also :func:`is_event_mention`; V4,
    V14); else ``role``."""
    if settings.departments and is_department(max(names, key=lambda n: (len(n), n))):
        helps = any(_HELP_AFTER.match(right) and not _RECEIVE_BEFORE.search(left)
                    for left, right in (_clause(plain, m.start, m.end) for m in mentions))
        return GIVER if helps else "ORG"
    if settings.feature_places and all(is_feature_place(n) for n in names):
        return "LOC"
    if (settings.neutral_places and role in (GIVER, RECEIVER) and all(map(_is_place, names))
            and all(is_neutral_mention(plain, m.start, m.end)
                    or (settings.passing_events and is_event_mention(plain, m.start, m.end))
                    for m in mentions)):
        return "LOC"
    return role


def lies_in(inner: str, region: str) -> bool:
    """Whether the place named ``inner`` lies inside the (larger) division named ``region``,
    by the division table: one of ``inner``'s administrative divisions, or what follows
    ``region`` at its start, has ``region`` above it; or ``region`` heads its chain.

    >>> lies_in("四川汶川", "四川"), lies_in("青海省玉树藏族自治州", "青海省"), lies_in("喀什", "新疆")
    (True, True, True)
    >>> lies_in("新疆维吾尔自治区", "新疆"), lies_in("成都", "新疆"), lies_in("四川", "四川")
    (False, False, False)
    """
    if inner == region:
        return False
    chain = admin_chain(inner)
    if region in chain[:-1]:
        return True
    rest = inner[len(region):] if inner.startswith(region) else ""
    return any(region in _unambiguous_parents(p) for p in [*(chain or [inner]), rest])


def _unambiguous_parents(name: str) -> frozenset[str]:
    """The divisions above ``name``, or none when the name is used in several provinces (鼓楼区
    is in 南京 and in 福州: containment would be a guess).

    >>> sorted(_unambiguous_parents("炉霍"))[:2], _unambiguous_parents("鼓楼区")
    (['四川', '四川省'], frozenset())
    """
    parents = division_parents().get(name, frozenset())
    rows = province_rows()
    return parents if len({rows[p] for p in parents if p in rows}) <= 1 else frozenset()


def containing_regions(names: Sequence[set[str]], roles: Sequence[str],
                       cued: Sequence[bool]) -> list[int]:
    """Indices of the entities (``names``: each entity's mention strings, simplified) that
    guidelines V4 makes LOC although votes made them a side: a province-level entity with
    no giving/receiving cue in the document that contains another entity which a cue does
    make a side. Limited to provinces because counties that contain a side's towns or
    institutions are mostly annotated as that side (measured on the train split,
    baselines/BENCHMARKS.md).

    >>> containing_regions([{"新疆"}, {"喀什"}, {"江苏"}], ["RECIPIENT", "RECIPIENT", "DONOR"],
    ...                    [False, True, True])
    [0]
    """
    rows = province_rows()
    sides = [k for k, (role, c) in enumerate(zip(roles, cued, strict=True))
             if c and role in (GIVER, RECEIVER)]
    # a province is cued when any of its forms is (新疆 cued, 新疆维吾尔自治区 not: both sides)
    cued_rows = {rows[n] for k, c in enumerate(cued) if c for n in names[k] if n in rows}
    return [k for k, group in enumerate(names)
            if roles[k] in (GIVER, RECEIVER) and not cued[k]
            and (regions := [n for n in group if n in rows])
            and not {rows[n] for n in regions} & cued_rows
            and any(lies_in(inner, region) for j in sides if j != k
                    for inner in names[j] for region in regions)]


class RolesTagger(Tagger):
    """A base tagger followed by :func:`assign_roles`; subclasses name the base kind."""

    base_kind: ClassVar[str]

    def __init__(self, base: Tagger, settings: RoleSettings) -> None:
        self.base = base
        self.settings = settings

    @classmethod
    def train(cls, train_docs: Sequence[Document], val_docs: Sequence[Document], *,
              out: Path, scope: TrainingScope, corpus: Path | None = None, seed: int = 0,
              **opts: object) -> Path:
        """Train the base tagger into ``out/base`` (``opts`` go to it, except ``roles``: a
        dict of :class:`RoleSettings` fields) and record the role settings."""
        out = Path(out)
        roles = opts.pop("roles", None)
        settings = RoleSettings(**roles) if isinstance(roles, dict) else RoleSettings()
        with Timer() as timer:
            tagger_class(cls.base_kind).train(train_docs, val_docs, out=out / BASE_DIR,
                                              scope=scope, corpus=corpus, seed=seed, **opts)
        write_model_info(out, kind=cls.kind, scope=scope, seed=seed,
                         training_time_s=timer.seconds, corpus=corpus,
                         hyperparameters={"base_kind": cls.base_kind, "base_folder": BASE_DIR,
                                          "roles": settings.to_json()})
        return out

    @classmethod
    def load(cls, folder: Path, *, corpus: Path | None = None,
             allow_other_dataset: bool = False) -> RolesTagger:
        hyper = read_hyperparameters(folder, cls.kind, corpus=corpus,
                                     allow_other_dataset=allow_other_dataset)
        try:
            settings = RoleSettings.from_json(hyper["roles"])
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelError(Problem(f"not a {cls.kind} model folder: {exc}",
                                     file=str(Path(folder) / INFO_FILE),
                                     code="DK-MODEL-045")) from None
        base = tagger_class(cls.base_kind).load(Path(folder) / BASE_DIR, corpus=corpus,
                                                allow_other_dataset=allow_other_dataset)
        return cls(base, settings)

    def use_device(self, device: str) -> None:
        self.base.use_device(device)

    def predict_spans(self, texts: Sequence[str]) -> list[list[Span]]:
        return [assign_roles(t, spans, self.settings)
                for t, spans in zip(texts, self.base.predict_spans(texts), strict=True)]


class CrfRolesTagger(RolesTagger):
    kind = "crf+roles"
    base_kind = "crf"


class BertRolesTagger(RolesTagger):
    kind = "bert+roles"
    base_kind = "bert"
    inner_validation = True
    uses_encoder = True
