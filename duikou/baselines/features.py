"""Character-level features for the CRF tagger.

Contract: :func:`sentence_features(text, config)` returns one feature dict per code point of
``text`` (``len(result) == len(text)``), deterministic for a given text and
:class:`FeatureConfig`. Features are local (the character and its neighbours within ±2, the
bigrams/trigrams around it), the character class (:func:`char_class`), membership in small
lexicons (units, place suffixes, donor/recipient cue words; longest match, marked B/I by
position inside the match) and the position of the character inside jieba's word (B/M/E/S,
:func:`jieba_bmes`). Optional families, switched on by the config:

* ``pos``: the part-of-speech tag of the jieba word containing the character with the
  character's B/M/E/S position in it, and the tags of the previous and next words
  (:func:`jieba_pos`; jieba.posseg's dictionary tags on the same HMM-off segmentation as
  the BMES feature, so dictionary-only and deterministic);
* ``gazetteer``: longest-match B/I/E tags with the division level from the
  administrative-division gazetteer (:mod:`duikou.baselines.gazetteer`) for the character
  and its neighbours;
* ``simplified``: the character and bigram features also on the simplified-script form of
  the text (Traditional articles then share features with Simplified ones);
* ``entity_lexicons``: person titles (:data:`TITLE_WORDS`, B/I of the match up to three
  characters either side, as names stand next to titles), a common-surname flag
  (:data:`SURNAMES`) and organisation head words (:data:`ORG_HEADS`, B/I, ±1);
* ``geo``: geographic names that are no administrative division (rivers, lakes, seas,
  mountains, plateaus, basins, deserts, grasslands, macro-regions; :data:`GEO_FEATURES`,
  written here from general knowledge of Chinese geography, not from the corpus) and the
  world's countries (``world_location.txt`` of the ``jionlp`` package, as the gazetteer
  reads its division table), on the Simplified form of the text, B/I, ±1;
* ``sparse``: leave out what is almost always the same: indicator features whose value is
  0 (``bos``, ``eos``, ``place_suffix``, ``surname``) and the ``O`` / beyond-the-text tags
  of the gazetteer and entity-lexicon families. Tagging reads ~10 fewer attributes per
  character, which keeps the CRF above 50,000 characters/s (baselines/BENCHMARKS.md).

:data:`LEGACY` (every option off) reproduces the features of models trained before the
options existed; a model folder records its config and is always tagged with it.
"""

from __future__ import annotations

import functools
import logging
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from duikou.baselines.gazetteer import greedy_matches, load_gazetteer, prefixes, simplified

CN_NUMERALS = frozenset("〇一二三四五六七八九十百千万亿两零萬億兩")
UNITS: tuple[str, ...] = (
    "元", "万元", "亿元", "人", "名", "户", "所", "个", "家", "台", "次", "例", "项", "批", "枚",
    "公斤", "亩", "%", "％", "天", "人次",
    "萬元", "億元", "戶", "個", "臺", "項", "畝",
)
PLACE_SUFFIXES = frozenset("县区市州乡镇村旗盟省縣區鄉鎮")
CUE_WORDS: tuple[str, ...] = (
    "援", "帮扶", "支援", "对口", "受援", "捐赠", "结对",
    "幫扶", "對口", "捐贈", "結對",
)
# Person titles (G3) that stand next to a name, common single-character surnames, and the
# head words that end organisation names: the ``entity_lexicons`` family.
TITLE_WORDS: tuple[str, ...] = (
    "同志", "老师", "医生", "教授", "书记", "副书记", "院长", "副院长", "校长", "副校长",
    "队长", "领队", "主任", "副主任", "主任医师", "医师", "旗长", "县长", "副县长", "州长",
    "市长", "区长", "镇长", "乡长", "村长", "局长", "厅长", "部长", "主席", "副主席", "常委",
    "委员", "园长", "记者", "专家", "教师", "队员", "支书", "经理", "董事长", "理事长",
    "秘书长", "一行", "第一书记", "老師", "醫生", "書記", "副書記", "院長", "校長", "副校長",
    "隊長", "領隊", "主任醫師", "醫師", "旗長", "縣長", "局長", "部長", "園長", "記者",
    "專家", "教師", "隊員",
)
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
    "叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎"
    "贺顾毛郝龚邵万钱严覃武戴莫孔向汤扎张張劉陳楊黃趙吳孫馬鄭謝許韓馮鄧蔣蘆葉蘇呂盧鍾譚陸"
    "賈韋鄒龔嚴戴"
)
ORG_HEADS: tuple[str, ...] = (
    "医院", "卫生院", "大学", "学院", "学校", "小学", "中学", "幼儿园", "中心", "局", "办",
    "厅", "部", "委员会", "基金会", "合作社", "公司", "集团", "协会", "服务团", "工作队",
    "支医队", "医疗队", "教育集团", "研究院", "研究所", "保健院", "醫院", "衛生院", "大學",
    "學院", "學校", "小學", "中學", "幼兒園", "中心", "辦", "廳", "委員會", "基金會",
    "合作社", "公司", "集團", "協會", "醫療隊",
)
# Geographic names that no division table holds: the ``geo`` family (Simplified script).
# Names that are also divisions or parties in this domain (怒江, 巫山, 湘西, 陇南) are left
# out, and so are bare compass regions (西部, 西北), which are parts of other words.
GEO_FEATURES: tuple[str, ...] = (
    # rivers
    "长江", "黄河", "珠江", "淮河", "海河", "辽河", "松花江", "澜沧江", "雅鲁藏布江", "金沙江",
    "岷江", "嘉陵江", "乌江", "湘江", "赣江", "汉江", "闽江", "钱塘江", "塔里木河", "伊犁河",
    "拉萨河", "年楚河", "额尔齐斯河", "大渡河", "雅砻江", "沱江", "渭河", "汾河", "洮河",
    "湟水", "漓江", "红水河", "西江", "北江", "东江", "清江", "黄浦江", "秦淮河", "京杭大运河",
    # lakes and seas
    "青海湖", "纳木错", "羊卓雍错", "洞庭湖", "鄱阳湖", "太湖", "巢湖", "洪泽湖", "滇池",
    "洱海", "西湖", "千岛湖", "博斯腾湖", "赛里木湖", "渤海", "黄海", "东海", "南海",
    # mountains
    "天山", "昆仑山", "喜马拉雅山", "祁连山", "秦岭", "大巴山", "武陵山", "乌蒙山", "六盘山",
    "大别山", "太行山", "燕山", "吕梁山", "阿尔泰山", "横断山", "贺兰山", "峨眉山", "泰山",
    "黄山", "珠穆朗玛峰", "梅里雪山", "玉龙雪山", "冈仁波齐", "唐古拉山", "念青唐古拉山",
    "大兴安岭", "小兴安岭", "长白山", "武夷山", "井冈山", "罗霄山", "雪峰山", "可可西里",
    # plateaus, basins, deserts, grasslands, corridors
    "青藏高原", "黄土高原", "云贵高原", "内蒙古高原", "帕米尔高原", "塔里木盆地", "准噶尔盆地",
    "四川盆地", "柴达木盆地", "吐鲁番盆地", "塔克拉玛干沙漠", "古尔班通古特沙漠", "腾格里沙漠",
    "巴丹吉林沙漠", "毛乌素沙地", "科尔沁沙地", "科尔沁草原", "呼伦贝尔草原", "那拉提草原",
    "巴音布鲁克草原", "河西走廊", "三江源", "三峡", "三峡库区", "华北平原", "成都平原",
    # macro-regions
    "南疆", "北疆", "东疆", "江南", "华北", "华东", "华南", "华中", "长三角", "珠三角", "京津冀",
    "粤港澳大湾区", "成渝地区", "关中", "藏北", "藏东", "藏南", "川西", "滇西", "桂北", "苏北",
    "苏中", "苏南", "浙南", "闽东", "鄂西", "陕北", "乌蒙山区", "武陵山区", "大别山区",
    "秦巴山区", "六盘山区", "罗霄山区", "吕梁山区", "滇西边境山区", "四省藏区", "南疆四地州",
)
_PAD = "<pad>"

_jieba_lock = threading.Lock()
_tokenizer = None
_pos_table: dict[str, str] | None = None


@dataclass(frozen=True)
class FeatureConfig:
    """Which optional feature families :func:`sentence_features` adds (module docstring)."""

    pos: bool = False
    gazetteer: tuple[str, ...] = ()  # division levels; empty: no gazetteer features
    simplified: bool = False
    entity_lexicons: bool = False
    sparse: bool = False  # omit zero indicators and the O tags of the match families
    geo: bool = False

    def to_json(self) -> dict:
        return {**asdict(self), "gazetteer": list(self.gazetteer)}

    @classmethod
    def from_json(cls, data: Mapping | None) -> FeatureConfig:
        """The config stored in a model folder; None (an older folder) is :data:`LEGACY`."""
        if not data:
            return LEGACY
        return cls(pos=bool(data.get("pos", False)),
                   gazetteer=tuple(data.get("gazetteer", ())),
                   simplified=bool(data.get("simplified", False)),
                   entity_lexicons=bool(data.get("entity_lexicons", False)),
                   sparse=bool(data.get("sparse", False)),
                   geo=bool(data.get("geo", False)))

    def describe(self) -> str:
        parts = ["char ±2, bigrams, trigrams, char class, lexicons, jieba BMES"]
        if self.pos:
            parts.append("jieba POS (B/M/E/S-tag, ±1 word)")
        if self.gazetteer:
            parts.append(f"division gazetteer ({'/'.join(self.gazetteer)}, B/I/E, ±1)")
        if self.simplified:
            parts.append("simplified-script chars and bigrams")
        if self.entity_lexicons:
            parts.append("person titles ±3, surnames, organisation heads ±1")
        if self.geo:
            parts.append("geographic names and countries (B/I, ±1)")
        if self.sparse:
            parts.append("sparse (no zero indicators, no O match tags)")
        return "; ".join(parts)


LEGACY = FeatureConfig()


@functools.cache
def char_class(c: str) -> str:
    """One of ``num_cn``, ``digit``, ``han``, ``latin``, ``space``, ``punct``, ``other``.

    ``digit`` covers ASCII and full-width digits (any Unicode decimal digit); ``num_cn`` the
    Chinese numerals in :data:`CN_NUMERALS` (checked before ``han``); ``latin`` ASCII and
    full-width letters; ``punct`` Unicode punctuation and symbols.
    """
    if c in CN_NUMERALS:
        return "num_cn"
    if c.isdecimal():
        return "digit"
    if c.isspace():
        return "space"
    name = unicodedata.name(c, "")
    if name.startswith(("CJK UNIFIED", "CJK COMPATIBILITY IDEOGRAPH")):
        return "han"
    if "LATIN" in name and c.isalpha():
        return "latin"
    if unicodedata.category(c)[0] in "PS":
        return "punct"
    return "other"


def _jieba():
    """The process-wide jieba tokenizer, initialised once with its logging silenced."""
    global _tokenizer
    with _jieba_lock:
        if _tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            logging.getLogger("jieba").setLevel(logging.WARNING)
            tok = jieba.Tokenizer()
            tok.initialize()
            _tokenizer = tok
    return _tokenizer


def _word_tags() -> dict[str, str]:
    """jieba.posseg's word → part-of-speech table for :func:`_jieba`'s dictionary."""
    global _pos_table
    tok = _jieba()
    with _jieba_lock:
        if _pos_table is None:
            import jieba.posseg

            _pos_table = jieba.posseg.POSTokenizer(tok).word_tag_tab
    return _pos_table


def jieba_words(text: str) -> tuple[str, ...]:
    """jieba's words of ``text`` with HMM off (dictionary-only, so deterministic); they
    concatenate to ``text``."""
    return _words(text)


def jieba_word_tags() -> dict[str, str]:
    """jieba.posseg's dictionary: word → part-of-speech tag (``ns``: place name)."""
    return _word_tags()


@functools.lru_cache(maxsize=4)
def _words(text: str) -> tuple[str, ...]:
    """jieba's words of ``text`` (HMM off), shared by the BMES and POS features."""
    return tuple(_jieba().cut(text, HMM=False))


def jieba_pos(text: str) -> tuple[list[str], list[str], list[str]]:
    """Per code point: (position-tag of its word as ``B-ns``/``M-ns``/``E-ns``/``S-v``, the
    previous word's tag, the next word's tag); ``<pad>`` beyond the text.

    The words are :func:`jieba_bmes`'s (one segmentation for both); a word's tag is the one
    jieba.posseg's dictionary gives it, ``eng`` for a run of ASCII letters and digits and
    ``x`` for anything else outside the dictionary, as jieba.posseg with HMM off tags them.
    Dictionary-only, so deterministic."""
    table = _word_tags()
    words = _words(text)
    flags = [_PAD] + [table.get(w) or ("eng" if w.isascii() and w.isalnum() else "x")
                      for w in words] + [_PAD]
    here: list[str] = []
    prev: list[str] = []
    nxt: list[str] = []
    for k, word in enumerate(words):
        n, flag = len(word), flags[k + 1]
        here.extend([f"S-{flag}"] if n == 1 else
                    [f"B-{flag}", *[f"M-{flag}"] * (n - 2), f"E-{flag}"])
        prev.extend([flags[k]] * n)
        nxt.extend([flags[k + 2]] * n)
    if len(here) != len(text):  # jieba must cover the text
        return ["S-x"] * len(text), [_PAD] * len(text), [_PAD] * len(text)
    return here, prev, nxt


def jieba_bmes(text: str) -> list[str]:
    """B/M/E/S of each code point inside the jieba word containing it (HMM off, so the
    segmentation depends on the dictionary only and is deterministic)."""
    tags: list[str] = []
    for word in _words(text):
        n = len(word)
        tags.extend(["S"] if n == 1 else ["B"] + ["M"] * (n - 2) + ["E"])
    return tags if len(tags) == len(text) else ["S"] * len(text)  # jieba must cover the text


@functools.lru_cache(maxsize=32)
def _lexicon(words: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    return frozenset(words), prefixes(words)


def lexicon_tags(text: str, words: Iterable[str]) -> list[str]:
    """Greedy longest-match of ``words`` left to right: ``B``/``I`` inside a match, else ``O``."""
    lexicon, prefix_set = _lexicon(tuple(words))
    tags = ["O"] * len(text)
    for a, b in greedy_matches(text, lexicon, prefix_set):
        tags[a] = "B"
        tags[a + 1:b] = ["I"] * (b - a - 1)
    return tags


def _padded(values: list[str]) -> list[str]:
    return [_PAD, _PAD, *values, _PAD, _PAD]


def _base_features(text: str) -> list[dict[str, str | float]]:
    """The :data:`LEGACY` features (built position by position over padded arrays; each
    n-gram is built once and read by the positions that share it)."""
    n = len(text)
    c = _padded(list(text))
    bi = [a + b for a, b in zip(c, c[1:])]  # bi[j] = c[j] + c[j+1]
    tri = [a + b for a, b in zip(bi, c[2:])]  # tri[j] = c[j] + c[j+1] + c[j+2]
    k = _padded([char_class(ch) for ch in text])
    k3 = [f"{a}|{b}|{d}" for a, b, d in zip(k, k[1:], k[2:])]  # k3[j] centred on j+1
    bmes = _padded(jieba_bmes(text))
    units = _padded(lexicon_tags(text, UNITS))
    cues = lexicon_tags(text, CUE_WORDS)
    suffix = [float(ch in PLACE_SUFFIXES) for ch in text] + [0.0]
    feats = []
    for i in range(n):
        j = i + 2  # index into the padded arrays
        feats.append({
            "bias": 1.0,
            "c[-2]": c[j - 2], "cls[-2]": k[j - 2], "c[-1]": c[j - 1], "cls[-1]": k[j - 1],
            "c[0]": c[j], "cls[0]": k[j], "c[1]": c[j + 1], "cls[1]": k[j + 1],
            "c[2]": c[j + 2], "cls[2]": k[j + 2],
            "bi[-2,-1]": bi[j - 2], "bi[-1,0]": bi[j - 1], "bi[0,1]": bi[j], "bi[1,2]": bi[j + 1],
            "tri[-2]": tri[j - 2], "tri[-1]": tri[j - 1], "tri[0]": tri[j],
            "cls[-1,0,1]": k3[j - 1], "bos": float(i == 0), "eos": float(i == n - 1),
            "jieba": bmes[j], "jieba[-1]": bmes[j - 1], "jieba[+1]": bmes[j + 1],
            "unit": units[j], "unit[+1]": units[j + 1], "cue": cues[i],
            "place_suffix": suffix[i], "place_suffix[+1]": suffix[i + 1],
        })
    return feats


_INDICATORS = ("bos", "eos", "place_suffix", "place_suffix[+1]")


def _drop_zero_indicators(feats: list[dict]) -> None:
    for f in feats:
        for key in _INDICATORS:
            if not f[key]:
                del f[key]


_GAZ_KEYS = (("gaz", 0), ("gaz[-1]", -1), ("gaz[+1]", 1))
_TITLE_KEYS = tuple((f"title[{d}]", d) for d in (-3, -2, -1, 1, 2, 3))
_HEAD_KEYS = (("orghead", 0), ("orghead[+1]", 1))
_GEO_KEYS = (("geo", 0), ("geo[-1]", -1), ("geo[+1]", 1))


@functools.cache
def geo_names() -> tuple[str, ...]:
    """:data:`GEO_FEATURES` and the country names (short and full) of jionlp's
    ``world_location.txt`` (China itself left out: it is in most texts as 中国)."""
    from duikou.baselines.gazetteer import world_countries

    return tuple(sorted(set(GEO_FEATURES) | world_countries()))


def _add_matches(feats: list[dict], tags: list[str], keys: tuple[tuple[str, int], ...],
                 sparse: bool) -> None:
    """Add ``key: tags[i + d]`` to position i's features (``<pad>`` beyond the text); when
    ``sparse``, only where that tag is a match (not ``O``, not beyond the text)."""
    n = len(tags)
    for key, d in keys:
        for i in range(n):
            tag = tags[i + d] if 0 <= i + d < n else _PAD
            if not sparse or (tag != "O" and tag != _PAD):
                feats[i][key] = tag


def sentence_features(text: str, config: FeatureConfig = LEGACY
                      ) -> list[dict[str, str | float]]:
    """One feature dict per code point of ``text`` (see the module docstring)."""
    if not text:
        return []
    feats = _base_features(text)
    if config.pos:
        here, prev, nxt = jieba_pos(text)
        for f, h, p, q in zip(feats, here, prev, nxt):
            f["pos"] = h
            f["pos[-1]"] = p
            f["pos[+1]"] = q
    if config.gazetteer:
        gaz = load_gazetteer(tuple(config.gazetteer)).tags(text)
        _add_matches(feats, gaz, _GAZ_KEYS, config.sparse)
    if config.entity_lexicons:
        _add_matches(feats, lexicon_tags(text, TITLE_WORDS), _TITLE_KEYS, config.sparse)
        _add_matches(feats, lexicon_tags(text, ORG_HEADS), _HEAD_KEYS, config.sparse)
        for ch, f in zip(text, feats):
            if ch in SURNAMES or not config.sparse:
                f["surname"] = float(ch in SURNAMES)
    if config.geo:
        _add_matches(feats, lexicon_tags(simplified(text), geo_names()), _GEO_KEYS,
                     config.sparse)
    if config.sparse:
        _drop_zero_indicators(feats)
    if config.simplified:
        s = _padded(list(simplified(text)))
        for i, f in enumerate(feats):
            j = i + 2
            f["s[0]"] = s[j]
            f["sbi[-1,0]"] = s[j - 1] + s[j]
            f["sbi[0,1]"] = s[j] + s[j + 1]
    return feats
