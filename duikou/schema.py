"""The label schema: the single source of truth for every label in duikou.

The Label Studio config, the dataset's ClassLabel names, the BIO tag list and the label
table in ``annotation/GUIDELINES.md`` are all generated from :data:`LABELS`. Change a label
here and everything downstream follows (tests fail where a generated artefact drifted).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum

SCHEMA_VERSION = "1.0"


class Kind(StrEnum):
    """What a label is; code decides by kind, never by a label's name."""

    PARTY = "party"  # a side of the aid (donor, recipient)
    ENTITY = "entity"  # other named things
    FIGURE = "figure"  # a number with a unit: normalised to value, unit, approx
    DATE = "date"  # a date: normalised to an ISO partial date

    @property
    def normalised(self) -> bool:
        return self in (Kind.FIGURE, Kind.DATE)


@dataclass(frozen=True)
class Label:
    name: str
    kind: Kind
    colour: str  # hex colour used in Label Studio
    hotkey: str  # Label Studio keyboard shortcut
    definition: str
    examples: tuple[str, ...]


LABELS: tuple[Label, ...] = (
    Label(
        "DONOR", Kind.PARTY, "#d62728", "d",
        "A party that gives the assistance in this context: region, government body, unit, "
        "school, hospital, company or work team.",
        ("锦江区", "成都市锦江区", "西南医科大学", "厦门市思明区", "南明区人民医院"),
    ),
    Label(
        "RECIPIENT", Kind.PARTY, "#1f77b4", "r",
        "A party that receives the assistance: region, county, township, village, school, "
        "hospital or unit.",
        ("炉霍县", "金野以匹村", "临夏市", "普安县人民医院"),
    ),
    Label(
        "ORG", Kind.ENTITY, "#9467bd", "o",
        "Any other organisation (coordinating, approving or neutral).",
        ("四川省民政厅", "中央组织部"),
    ),
    Label(
        "LOC", Kind.ENTITY, "#8c564b", "l",
        "Any other place.",
        ("青藏高原", "北京 (as a training venue)"),
    ),
    Label(
        "PER", Kind.ENTITY, "#e377c2", "p",
        "A person's name.",
        ("胡军", "黄丹琼", "廖斌"),
    ),
    Label(
        "PROGRAM", Kind.ENTITY, "#17becf", "g",
        "A named aid programme, fund, project, campaign or scheme.",
        ("锦炉爱心助学基金", "育蕾基金", "“格桑花开·锦绣炉霍”携手同行活动"),
    ),
    Label(
        "MONEY", Kind.FIGURE, "#2ca02c", "m",
        "An amount of money.",
        ("210万元", "130余万元", "123.6万元"),
    ),
    Label(
        "PEOPLE", Kind.FIGURE, "#ff7f0e", "n",
        "A count of people or person-times.",
        ("119人", "45人", "19532人次", "146名"),
    ),
    Label(
        "COUNT", Kind.FIGURE, "#bcbd22", "c",
        "A count of anything else (households, villages, schools, items, projects, times).",
        ("81户", "19所", "5台", "13次"),
    ),
    Label(
        "QUANTITY", Kind.FIGURE, "#7f7f7f", "q",
        "A measured amount: percentage, weight, area, length or duration.",
        ("99.25%", "761.5公斤", "49亩", "9天 (in 为期9天)"),
    ),
    Label(
        "DATE", Kind.DATE, "#aec7e8", "t",
        "A date, month, year or day range.",
        ("2022年6月", "5月26-28日", "2018年"),
    ),
)

LABEL_NAMES: tuple[str, ...] = tuple(label.name for label in LABELS)
LABEL_BY_NAME: dict[str, Label] = {label.name: label for label in LABELS}
FIGURE_LABELS: tuple[str, ...] = tuple(lb.name for lb in LABELS if lb.kind is Kind.FIGURE)
DATE_LABELS: tuple[str, ...] = tuple(lb.name for lb in LABELS if lb.kind is Kind.DATE)
NORMALISED_LABELS: tuple[str, ...] = tuple(lb.name for lb in LABELS if lb.kind.normalised)

# IOB2 tags: "O" first, then B-/I- per label in schema order.
BIO_TAGS: tuple[str, ...] = ("O",) + tuple(
    f"{prefix}-{name}" for name in LABEL_NAMES for prefix in ("B", "I")
)
TAG_TO_ID: dict[str, int] = {tag: i for i, tag in enumerate(BIO_TAGS)}


def is_label(name: object) -> bool:
    return isinstance(name, str) and name in LABEL_BY_NAME


def kind_of(name: str) -> Kind:
    """The kind of a label name (``KeyError`` for a name outside the schema)."""
    return LABEL_BY_NAME[name].kind


def schema_fingerprint() -> str:
    """A short hash of the label set; model folders record it to detect schema drift."""
    blob = "\n".join((SCHEMA_VERSION,) + LABEL_NAMES).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]


# -- relations ----------------------------------------------------------------------------

@dataclass(frozen=True)
class RelationType:
    """A directed, binary relation type between two spans of one document."""

    name: str
    heads: tuple[str, ...]  # labels allowed at the head (``from`` in Label Studio)
    tails: tuple[str, ...]  # labels allowed at the tail (``to``)
    definition: str
    example: str


_AMOUNT_LABELS = FIGURE_LABELS
RELATIONS: tuple[RelationType, ...] = (
    RelationType(
        "AID", ("DONOR",), ("RECIPIENT",),
        "The text states that the head party assists the tail party.",
        "【锦江区】对口支援【炉霍县】: 锦江区 -AID-> 炉霍县",
    ),
    RelationType(
        "AMOUNT", ("DONOR", "RECIPIENT"), _AMOUNT_LABELS,
        "The figure is what the head party gave/sent (head DONOR) or received (head "
        "RECIPIENT) in the aid: money, people sent, trained or helped, items, built or "
        "bought quantities.",
        "【锦江区】投入资金【210万元】: 锦江区 -AMOUNT-> 210万元",
    ),
    RelationType(
        "TIME", _AMOUNT_LABELS, ("DATE",),
        "The date is when the aid the figure measures took place, or the start/end of the "
        "period it covers.",
        "【2021年】投入【500万元】: 500万元 -TIME-> 2021年",
    ),
    RelationType(
        "PART_OF", _AMOUNT_LABELS, _AMOUNT_LABELS,
        "The head figure is a stated part of the tail figure (其中, 包括): the ledger does "
        "not add a part to its total.",
        "投入【300万元】，其中教育【100万元】: 100万元 -PART_OF-> 300万元",
    ),
)
RELATION_NAMES: tuple[str, ...] = tuple(r.name for r in RELATIONS)
RELATION_BY_NAME: dict[str, RelationType] = {r.name: r for r in RELATIONS}


def relation_allowed(rel_type: str, head_label: str, tail_label: str) -> bool:
    """Whether a ``rel_type`` relation may go from a ``head_label`` to a ``tail_label`` span.

    >>> relation_allowed("AID", "DONOR", "RECIPIENT"), relation_allowed("AID", "RECIPIENT", "DONOR")
    (True, False)
    """
    r = RELATION_BY_NAME.get(rel_type)
    return r is not None and head_label in r.heads and tail_label in r.tails


def relation_table_markdown() -> str:
    """The relation table embedded in the guidelines and the dataset card."""
    rows = ["| relation | head (from) | tail (to) | definition | example |", "|---|---|---|---|---|"]
    for r in RELATIONS:
        rows.append(f"| {r.name} | {' / '.join(r.heads)} | {' / '.join(r.tails)} | "
                    f"{r.definition} | {r.example} |")
    return "\n".join(rows)


def label_table_markdown() -> str:
    """The label table embedded in the guidelines and the dataset card."""
    rows = ["| label | kind | definition | examples |", "|---|---|---|---|"]
    for lb in LABELS:
        examples = ", ".join(lb.examples)
        rows.append(f"| {lb.name} | {lb.kind.value} | {lb.definition} | {examples} |")
    return "\n".join(rows)
