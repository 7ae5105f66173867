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
4. :func:`containing_regions` (guidelines V4, for provinces): a province that no cue makes a
   side but that contains an entity a cue does make a side is LOC.

:class:`RolesTagger` wraps any registered tagger: the registry's ``crf+roles`` and
``bert+roles`` train the base tagger into ``base/`` inside the model folder and record the
role settings in ``duikou_model.json``, so ``duikou train/predict/tag`` and ``duikou
reproduce`` run it like any other kind.
"""

from __future__ import annotations

import dataclasses
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
from duikou.baselines.gazetteer import division_parents, province_rows, simplified
from duikou.baselines.registry import tagger_class
from duikou.errors import ModelError, Problem
from duikou.ingest.script import entity_key
from duikou.mentions import ADMIN_SUFFIXES, admin_chain, group_mentions  # noqa: F401 (re-export)
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
    #: guidelines V4 for provinces: a province-level entity that no cue makes a side, and
    #: that contains an entity a cue does make a side, is LOC (:func:`containing_regions`)
    containing_provinces: bool = True

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict | None) -> RoleSettings:
        """Settings as recorded; a record from before ``containing_provinces`` existed
        predicts as it did then (without it)."""
        return cls(**{"containing_provinces": False, **(data or {})})


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
    if settings.containing_provinces:
        names = [{keys[g] for g in group} for group in groups]
        for k in containing_regions(names, roles, cued):
            roles[k] = "LOC"
    out = list(spans)
    for group, role in zip(groups, roles, strict=True):
        for g in group:
            out[idx[g]] = dataclasses.replace(spans[idx[g]], label=role)
    return out


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
