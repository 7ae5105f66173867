"""Document-level roles: a second stage that gives every party-like entity one label per
document, as the guidelines decide them (``annotation/GUIDELINES.md`` §5), on top of any tagger.

Taggers label each mention from a local window, so one entity often comes out DONOR in one
sentence and RECIPIENT or LOC in the next. This stage keeps every span and boundary of the
tagger and changes only the labels of party-like spans (DONOR, RECIPIENT, ORG, LOC):

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

:class:`RolesTagger` wraps any registered tagger: the registry's ``crf+roles`` and
``bert+roles`` train the base tagger into ``base/`` inside the model folder and record the
role settings in ``duikou_model.json``, so ``duikou train/predict/tag`` and ``duikou
reproduce`` run it like any other kind.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from duikou.baselines.base import Tagger
from duikou.baselines.common import INFO_FILE, Timer, TrainingScope, write_model_info
from duikou.baselines.gazetteer import simplified
from duikou.baselines.registry import tagger_class
from duikou.errors import ModelError, Problem
from duikou.records import Document
from duikou.spans import Span

#: the giving and receiving side (both of kind PARTY), then the non-party ENTITY labels a
#: party-like mention can carry; the order is also the tie-break order
GIVER, RECEIVER = "DONOR", "RECIPIENT"
NEUTRAL: tuple[str, ...] = ("ORG", "LOC")
ROLE_LABELS: tuple[str, ...] = (GIVER, RECEIVER, *NEUTRAL)

BASE_DIR = "base"
ADMIN_SUFFIXES: tuple[str, ...] = (
    "特别行政区", "自治区", "自治州", "自治县", "自治旗", "街道", "社区", "地区", "省", "市",
    "州", "县", "区", "旗", "盟", "乡", "镇", "村",
)
_SUFFIX_RE = re.compile("|".join(sorted(ADMIN_SUFFIXES, key=len, reverse=True)))
_CLAUSE_END = set("，。；！？,;!?\n：:")
_FILLER = "(?:第[一二三四五六七八九十0-9]+批|大力|持续|积极|先后|已经|已|还|又|共|累计|长期|多年来)?"
_GIVE_AFTER = re.compile(
    _FILLER + "(?:对口支援|对口帮扶|结对帮扶|帮扶|支援|援建|援助|捐赠|捐资|捐款|选派|派出|派驻|"
    "投入|资助|向|(?:对口支援[^，。]{0,8})?工作队|(?:对口支援[^，。]{0,8})?支医队|医疗队)")
_RECEIVE_BEFORE = re.compile(
    "(?:对口支援|对口帮扶|结对帮扶|帮扶|支援|援助|援建|援|助力|帮扶地|对|向|为|给|赴|前往|"
    "进驻|入驻|挂职|走进|受援)$")
_PASSIVE_BEFORE = re.compile("(?:受|得到|在)$")
_PASSIVE_AFTER = re.compile("^的?(?:帮扶|支援|援助|资助|捐赠|援建)")

@dataclasses.dataclass(frozen=True)
class RoleSettings:
    """Vote weights of :func:`assign_roles` (recorded in the model folder). ``cue_weight``
    was chosen on the train split's inner cross-validation (baselines/BENCHMARKS.md);
    ``title_weight`` made no difference there and follows §5 step 7 (the title decides)."""

    cue_weight: float = 2.0
    title_weight: float = 3.0

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict | None) -> RoleSettings:
        return cls(**(data or {}))


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
    return out


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


def _clause(text: str, start: int, end: int) -> tuple[str, str]:
    a = start
    while a > 0 and text[a - 1] not in _CLAUSE_END:
        a -= 1
    b = end
    while b < len(text) and text[b] not in _CLAUSE_END:
        b += 1
    return text[a:start], text[end:b]


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
    (module docstring); other spans, and all offsets, unchanged. Sorted like the input."""
    plain = simplified(text)
    idx = [i for i, s in enumerate(spans) if s.label in ROLE_LABELS]
    groups = group_mentions([plain[spans[i].start:spans[i].end] for i in idx])
    head = title_end(plain)
    out = list(spans)
    for group in groups:
        votes: Counter = Counter()
        for g in group:
            span = spans[idx[g]]
            votes[span.label] += 1.0
            weight = settings.cue_weight * (settings.title_weight if span.start < head else 1.0)
            for label, n in mention_cues(plain, span.start, span.end).items():
                votes[label] += weight * n
        role = max(ROLE_LABELS, key=lambda lb: (votes[lb], -ROLE_LABELS.index(lb)))
        for g in group:
            out[idx[g]] = dataclasses.replace(spans[idx[g]], label=role)
    return out


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
        settings = RoleSettings.from_json(roles if isinstance(roles, dict) else None)
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
        path = Path(folder) / INFO_FILE
        try:
            hyper = json.loads(path.read_text(encoding="utf-8"))["hyperparameters"]
            settings = RoleSettings.from_json(hyper["roles"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelError(Problem(f"not a {cls.kind} model folder: {exc}", file=str(path),
                                     code="DK-MODEL-045")) from None
        base = tagger_class(cls.base_kind).load(Path(folder) / BASE_DIR, corpus=corpus,
                                                allow_other_dataset=allow_other_dataset)
        return cls(base, settings)

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
