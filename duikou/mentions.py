"""Mentions of one entity within a document: administrative chains of place names, short
forms, and the grouping that the roles stage, relation scoring, the relation audit and the
ledger share (core: it depends on nothing but the standard library)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from duikou.records import span_id
from duikou.spans import Span

ADMIN_SUFFIXES: tuple[str, ...] = (
    "特别行政区", "自治区", "自治州", "自治县", "自治旗", "街道", "社区", "地区", "省", "市",
    "州", "县", "区", "旗", "盟", "乡", "镇", "村",
)
_SUFFIX_RE = re.compile("|".join(sorted(ADMIN_SUFFIXES, key=len, reverse=True)))
#: provincial-level divisions by the short names that open a chain without a suffix
#: (新疆阿克苏地区, 西藏拉萨市, 上海金山区); Simplified script, longest first when matched
PROVINCE_SHORT_NAMES: tuple[str, ...] = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "江苏",
    "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南",
    "四川", "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆", "台湾", "香港",
    "澳门",
)
_PROVINCE_RE = re.compile("|".join(sorted(PROVINCE_SHORT_NAMES, key=len, reverse=True)))
# The 56 recognised ethnic groups (without 族): a stem made only of them (海南|藏族自治州,
# 河南|蒙古族自治县) means the "province" is the place name of an autonomous division
_ETHNIC_GROUPS = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡",
    "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬",
    "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安",
    "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
)
_ETHNIC_ONLY = re.compile(
    "(?:(?:" + "|".join(sorted(_ETHNIC_GROUPS, key=len, reverse=True)) + ")族?)+")
# a street or road named after a province (四川北路街道, 北京东路, 河北大街社区)
_STREET = re.compile("[东西南北中]?(?:路|街|大街|大道|巷)")


def title_end(text: str) -> int:
    r"""End offset of the title: the first line, and a second line that starts with ——;
    0 for a text of one line (no title to tell apart).

    >>> title_end("脱贫路上并肩同行\n——南明区2018年对口帮扶工作综述\n走进"), title_end("一行")
    (27, 0)
    """
    first = text.find("\n")
    if first < 0:
        return 0
    if text.startswith(("——", "—"), first + 1):
        second = text.find("\n", first + 1)
        return len(text) if second < 0 else second
    return first


def admin_chain(name: str) -> list[str]:
    """The administrative divisions of ``name`` when it ends in a division suffix, split after
    each suffix (pieces of one character join a neighbour); ``[]`` otherwise.

    >>> admin_chain("成都市锦江区")
    ['成都市', '锦江区']
    >>> admin_chain("苏州市吴中区"), admin_chain("市中区")
    (['苏州市', '吴中区'], ['市中区'])
    >>> admin_chain("厦门市思明区中华街道中山社区")
    ['厦门市', '思明区', '中华街道', '中山社区']
    >>> admin_chain("凉山州第一人民医院")
    []

    A leading provincial short name is a step of its own when a division of two or more
    characters follows it (not an ethnic autonomous name: 海南藏族自治州 is in Qinghai):

    >>> admin_chain("新疆阿克苏地区"), admin_chain("西藏拉萨市墨竹工卡县")
    (['新疆', '阿克苏地区'], ['西藏', '拉萨市', '墨竹工卡县'])
    >>> admin_chain("海南藏族自治州"), admin_chain("湖南路街道"), admin_chain("新疆维吾尔自治区")
    (['海南藏族自治州'], ['湖南路街道'], ['新疆维吾尔自治区'])
    >>> admin_chain("青海玉树藏族自治州"), admin_chain("四川北路街道"), admin_chain("陕西白水县")
    (['青海', '玉树藏族自治州'], ['四川北路街道'], ['陕西', '白水县'])
    """
    ends = [m.end() for m in _SUFFIX_RE.finditer(name)]
    if not ends or ends[-1] != len(name):
        return []
    pieces, start = [], 0
    for end in ends:
        pieces.append(name[start:end])
        start = end
    out: list[str] = []
    for piece in pieces:
        if out and (len(piece) < 2 or len(out[-1]) < 2):
            out[-1] += piece
        else:
            out.append(piece)
    return _split_province(out)


def _split_province(chain: list[str]) -> list[str]:
    m = _PROVINCE_RE.match(chain[0]) if chain else None
    if m is None or m.end() == len(chain[0]):
        return chain
    rest = chain[0][m.end():]
    stem = _stem(rest)
    if stem is None or rest.endswith("自治区") or _SUFFIX_RE.match(rest) \
            or (stem.endswith("族") and _ETHNIC_ONLY.fullmatch(stem)) or _STREET.match(rest):
        return chain
    return [m.group(), rest, *chain[1:]]


def _stem(division: str) -> str | None:
    """The division without its suffix when two or more characters remain (炉霍县 → 炉霍).

    >>> _stem("炉霍县"), _stem("中山社区"), _stem("沙区")
    ('炉霍', '中山', None)
    """
    suffix = next((x for x in sorted(ADMIN_SUFFIXES, key=len, reverse=True)
                   if division.endswith(x)), "")
    stem = division[:len(division) - len(suffix)] if suffix else ""
    return stem if len(stem) >= 2 else None


def group_mentions(mentions: Sequence[str]) -> list[list[int]]:
    """Partition the party-like mention strings of one document into entities.

    Contract: the result is a partition of ``range(len(mentions))`` (every index in exactly
    one group), each group sorted, groups ordered by their first index; identical strings are
    always in one group; the result depends only on the strings and their order. Two distinct
    strings are one entity when

    * both are administrative chains ending in the same division (成都市锦江区, 锦江区);
    * one is the stem of a division (its name without the suffix: 锦江, 炉霍) that ends the
      chain of exactly one entity of the document;
    * one is the other without a leading administrative chain (演武小学, 厦门市演武小学), and
      exactly one string of the document expands it so.

    A short form the document expands in two ways (临夏 beside 临夏市 and 临夏州) stays apart.

    >>> group_mentions(["锦江", "成都市锦江区", "炉霍县", "炉霍", "锦江区", "炉霍县"])
    [[0, 1, 4], [2, 3, 5]]
    >>> group_mentions(["临夏", "临夏市", "临夏州"])
    [[0], [1], [2]]
    >>> group_mentions(["厦门市演武小学", "演武小学", "普安县人民医院", "南明区人民医院", "人民医院"])
    [[0, 1], [2], [3], [4]]
    >>> group_mentions([])
    []
    """
    distinct = list(dict.fromkeys(mentions))
    parent = {s: s for s in distinct}

    def find(s: str) -> str:
        while parent[s] != s:
            parent[s] = parent[parent[s]]
            s = parent[s]
        return s

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)  # deterministic representative

    last: dict[str, str] = {}  # string → the division that ends its chain
    for s in distinct:
        chain = admin_chain(s)
        if chain:
            last[s] = chain[-1]
    by_division: dict[str, list[str]] = {}
    for s, division in last.items():
        by_division.setdefault(division, []).append(s)
    for members in by_division.values():
        for other in members[1:]:
            union(members[0], other)
    stems: dict[str, set[str]] = {}
    for division in by_division:
        stem = _stem(division)
        if stem:
            stems.setdefault(stem, set()).add(division)
    expansions: dict[str, set[str]] = {}
    for s in distinct:
        for k in range(2, len(s) - 1):
            if admin_chain(s[:k]):
                expansions.setdefault(s[k:], set()).add(s)
    for s in distinct:
        divisions = stems.get(s, set())
        if len(divisions) == 1:
            union(s, by_division[next(iter(divisions))][0])
        longer = expansions.get(s, set())
        if len(longer) == 1:
            union(s, next(iter(longer)))
    groups: dict[str, list[int]] = {}
    for i, s in enumerate(mentions):
        groups.setdefault(find(s), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])




def entity_names(text: str, spans: Sequence[Span],
                 fold: Callable[[str], str] | None = None) -> dict[str, str]:
    """Span id → entity key for the DONOR/RECIPIENT spans of one document.

    Mentions are grouped per label by :func:`group_mentions`; a group's key is its label and
    the last administrative division any member ends in (锦江区 for 锦江/成都市锦江区), or else
    its longest member (ties: the smallest string). ``fold`` maps each mention first (the
    ledger passes Traditional → Simplified with pinyin glosses dropped, so 綿虒鎮(zhèn) and 綿虒
    are one place; the keys are then folded forms).
    """
    out: dict[str, str] = {}
    for label in ("DONOR", "RECIPIENT"):
        party = [s for s in spans if s.label == label]
        names = [text[s.start:s.end] for s in party]
        names = [fold(n) for n in names] if fold else names
        for group in group_mentions(names):
            members = {names[i] for i in group}
            chains = sorted(admin_chain(m)[-1] for m in members if admin_chain(m))
            canon = chains[-1] if chains else min(members, key=lambda m: (-len(m), m))
            for i in group:
                out[span_id(party[i])] = f"{label}:{canon}"
    return out
