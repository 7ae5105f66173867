"""The aid-flow ledger: relations → one row per aid flow (who helped whom, with how much, when).

Rows come from a document's spans and relations (gold, or a system's predictions):

* every figure with an ``AMOUNT`` relation gives one row per (donor, recipient) it is linked
  to. A side the figure is not linked to is filled from the document's ``AID`` pairs when
  they make it unique (the figure's donor helps exactly one recipient in the document, or
  the reverse); such a side is marked ``inferred`` in ``donor_source``/``recipient_source``;
* every ``AID`` pair of entities that no figure row covers gives one row without an amount
  (``kind = "pairing"``);
* the date is the figure's ``TIME`` date when it has one, else the document's date
  (``date_source``); ``part_of`` names the nearest total a part belongs to (``PART_OF``)
  that has rows itself, so sums over rows with an empty ``part_of`` count a breakdown once
  and never lose a part whose total has no AMOUNT; ``repeat_of`` marks a figure that
  restates an earlier one of the same flow (same value and date, in the same sentence again
  or in the title); ``shared`` marks a figure reported once for several donors or
  recipients: its rows share ``figure_id``, and ``joint_donors``/``joint_recipients`` name
  all of them, so **sum each ``figure_id`` once** (the flow is the joint one).

Entities are normalised within a document by :func:`duikou.mentions.entity_names` on their
Simplified, gloss-free forms (锦江 and 成都市锦江区 → 锦江区; 綿虒 and 綿虒鎮(zhèn) → 绵虒镇), so
``donor``/``recipient`` are Simplified; across documents they are matched only as written
(``donor_key``/``recipient_key``): two different places with the same short name would be
merged by anything more, so nothing more is done.

Offsets (``figure_start``/``figure_end``, ``evidence_start``/``evidence_end``) are code points
into the document's clean text, end-exclusive.
"""

from __future__ import annotations

import csv
import dataclasses
import html
import io
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from duikou.eval.relations import entity_key, entity_names
from duikou.ingest.segment import sentence_spans
from duikou.jsonio import atomic_write_bytes, atomic_write_text
from duikou.normalise import normalise_in_text
from duikou.records import Document, Relation, span_id
from duikou.schema import FIGURE_LABELS

KIND_OF_LABEL = {"MONEY": "money", "PEOPLE": "people", "COUNT": "items", "QUANTITY": "other"}
LABEL_OF_KIND = {kind: label for label, kind in KIND_OF_LABEL.items()}


@dataclass(frozen=True)
class LedgerRow:
    doc_id: str
    date: str | None
    date_source: str  # "relation" | "document" | "none"
    donor: str | None
    donor_key: str | None
    donor_source: str  # "relation" | "inferred" | "none"
    recipient: str | None
    recipient_key: str | None
    recipient_source: str
    kind: str  # money | people | items | other | pairing
    amount_text: str | None
    value: float | None
    value_max: float | None
    unit: str | None
    approx: str | None
    figure_start: int | None
    figure_end: int | None
    figure_id: str | None  # span id of the figure; several rows share it when it is shared
    joint_donors: str | None  # every donor key the figure is reported for, "+"-joined
    joint_recipients: str | None  # every recipient key, "+"-joined
    part_of: str | None  # span id of the total this figure is a part of
    repeat_of: str | None  # span id of an earlier figure of the same flow, kind and value
    shared: bool
    evidence: str
    evidence_start: int
    evidence_end: int


FIELDS = tuple(LedgerRow.__dataclass_fields__)


def _name(key: str | None) -> str | None:
    return key.split(":", 1)[1] if key else None


def _sentence_of(sents: Sequence[tuple[int, int]], start: int) -> tuple[int, int]:
    return next(((a, b) for a, b in sents if a <= start < b), (start, start))


def document_rows(doc: Document) -> list[LedgerRow]:
    """The ledger rows of one document (see the module docstring)."""
    spans = {span_id(s): s for s in doc.spans}
    names = entity_names(doc.text, doc.spans, fold=entity_key)
    sents = sentence_spans(doc.text, doc.spans)
    by_type: dict[str, list[Relation]] = {}
    for r in doc.relations:
        by_type.setdefault(r.type, []).append(r)
    pairs = sorted({(names[r.head], names[r.tail]) for r in by_type.get("AID", ())})
    time = {r.head: r.tail for r in by_type.get("TIME", ())}
    part = {r.head: r.tail for r in by_type.get("PART_OF", ())}
    givers: dict[str, list[str]] = {}
    takers: dict[str, list[str]] = {}
    for r in by_type.get("AMOUNT", ()):
        side = givers if spans[r.head].label == "DONOR" else takers
        side.setdefault(r.tail, [])
        if names[r.head] not in side[r.tail]:
            side[r.tail].append(names[r.head])
    rows, covered = [], set()
    with_rows = set(givers) | set(takers)
    for fid in sorted(with_rows, key=lambda i: spans[i]):
        fig = spans[fid]
        ds, rs = givers.get(fid, []), takers.get(fid, [])
        d_src = "relation" if ds else "none"
        r_src = "relation" if rs else "none"
        if not ds and rs:
            ds = _unique(p[0] for p in pairs if p[1] in rs)
            d_src = "inferred" if ds else "none"
        if not rs and ds:
            rs = _unique(p[1] for p in pairs if p[0] in ds)
            r_src = "inferred" if rs else "none"
        shared = len(ds) > 1 or len(rs) > 1
        attrs = normalise_in_text(fig.label, doc.text, fig.start, fig.end, doc_date=doc.date)
        when = spans.get(time.get(fid) or time.get(part.get(fid, ""), ""))  # a part: its total's
        read = (normalise_in_text("DATE", doc.text, when.start, when.end, doc_date=doc.date)
                .get("date") if when else None)
        when = when if read else None  # an unreadable TIME date (5月26-28日 undated): the article's
        date = read or doc.date
        a, b = _sentence_of(sents, fig.start)
        joint_d = "+".join(sorted(entity_key(_name(d)) for d in ds)) or None
        joint_r = "+".join(sorted(entity_key(_name(r)) for r in rs)) or None
        for d in ds or [None]:
            for r in rs or [None]:
                covered.add((d, r))
                rows.append(LedgerRow(
                    doc.id, date, "relation" if when else ("document" if doc.date else "none"),
                    _name(d), entity_key(_name(d)) if d else None, d_src,
                    _name(r), entity_key(_name(r)) if r else None, r_src,
                    KIND_OF_LABEL[fig.label], doc.text[fig.start:fig.end], attrs.get("value"),
                    attrs.get("value_max"), attrs.get("unit"), attrs.get("approx"),
                    fig.start, fig.end, fid, joint_d, joint_r,
                    _total_with_row(fid, part, with_rows), None, shared, doc.text[a:b], a, b))
    for d, r in pairs:
        if (d, r) in covered:
            continue
        first = min(spans[x.head] for x in by_type["AID"]
                     if names[x.head] == d and names[x.tail] == r)
        a, b = _sentence_of(sents, first.start)
        rows.append(LedgerRow(doc.id, doc.date, "document" if doc.date else "none",
                              _name(d), entity_key(_name(d)), "relation", _name(r),
                              entity_key(_name(r)), "relation", "pairing", None, None, None, None,
                              None, None, None, None, None, None, None, None, False,
                              doc.text[a:b], a, b))
    title = doc.text.split("\n", 1)[0] if "\n" in doc.text else ""  # a one-line text has none
    return _mark_repeats(rows, title)


def _total_with_row(fid: str, part: dict[str, str], with_rows: set[str]) -> str | None:
    """The nearest total up the PART_OF chain that has rows itself (a part of a total
    without an AMOUNT is a flow of its own, or its money would be in no sum); None at the
    top, and on a cycle."""
    seen, here = {fid}, part.get(fid)
    while here is not None and here not in seen:
        if here in with_rows:
            return here
        seen.add(here)
        here = part.get(here)
    return None


def _mark_repeats(rows: list[LedgerRow], title: str) -> list[LedgerRow]:
    """A figure row that restates an earlier one gets ``repeat_of`` (sums skip it, so the
    flow is counted once): same donor, recipient, kind, value, unit and date, and either the
    same sentence again or one of the two in the title line. Two different things that
    happen to have the same count (3所 高中, 3所 职校) are not restatements."""
    first: dict[tuple, LedgerRow] = {}
    out = []
    for r in rows:
        if r.figure_start is None or r.value is None:
            out.append(r)
            continue
        key = (r.donor_key, r.recipient_key, r.kind, r.value, r.value_max, r.unit, r.date)
        earlier = first.setdefault(key, r)
        restated = earlier is not r and earlier.figure_id != r.figure_id and (
            earlier.evidence == r.evidence or earlier.evidence_start < len(title)
            or r.evidence_start < len(title))
        out.append(dataclasses.replace(r, repeat_of=earlier.figure_id) if restated else r)
    return out


def _unique(xs) -> list[str]:
    found = sorted(set(xs))
    return found if len(found) == 1 else []


def ledger(docs: Sequence[Document]) -> list[LedgerRow]:
    return [row for d in sorted(docs, key=lambda d: d.id) for row in document_rows(d)]


# ---------------------------------------------------------------- outputs
def to_csv(rows: Sequence[LedgerRow]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=FIELDS, lineterminator="\n")
    w.writeheader()
    for row in rows:
        w.writerow({k: ("" if v is None else v) for k, v in asdict(row).items()})
    return buf.getvalue()


def to_frame(rows: Sequence[LedgerRow]):
    import pandas as pd

    return pd.DataFrame([asdict(r) for r in rows], columns=list(FIELDS))


def write_parquet(rows: Sequence[LedgerRow], path: Path) -> None:
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as f:
        tmp = Path(f.name)
    try:
        to_frame(rows).to_parquet(tmp, index=False)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def money_by_flow(rows: Sequence[LedgerRow]) -> dict[tuple[str, str], float]:
    """(donors, recipients) → money in yuan, counting no part twice and each figure once: a
    figure reported for several donors or recipients goes to their joint flow
    (``东莞市+中山市+深圳市`` → ``昭通市``), never to each of them."""
    out: dict[tuple[str, str], float] = {}
    seen: set[tuple[str, str | None]] = set()
    for r in rows:
        if r.kind != "money" or r.part_of or r.repeat_of or r.value is None or r.unit != "元":
            continue
        if not (r.joint_donors and r.joint_recipients) or (r.doc_id, r.figure_id) in seen:
            continue
        seen.add((r.doc_id, r.figure_id))
        key = (r.joint_donors, r.joint_recipients)
        out[key] = out.get(key, 0.0) + r.value
    return out


def money_by_year(rows: Sequence[LedgerRow]) -> dict[str, float]:
    out: dict[str, float] = {}
    seen: set[tuple[str, int | None]] = set()
    for r in rows:
        if (r.kind != "money" or r.part_of or r.repeat_of or r.value is None or r.unit != "元"
                or not r.date or (r.doc_id, r.figure_id) in seen):
            continue
        seen.add((r.doc_id, r.figure_id))
        out[r.date[:4]] = out.get(r.date[:4], 0.0) + r.value
    return dict(sorted(out.items()))


def _cjk_font() -> list[str]:
    """A CJK font family matplotlib can use, registering Debian's Noto CJK collection
    (``fonts-noto-cjk``; matplotlib does not index ``.ttc`` files by itself); [] if none."""
    from matplotlib import font_manager as fm

    for path in sorted(Path("/usr/share/fonts").glob("**/Noto*CJK*-Regular.tt[cf]")):
        try:
            fm.fontManager.addfont(str(path))
        except (OSError, RuntimeError, ValueError):
            continue
    names = sorted({f.name for f in fm.fontManager.ttflist if "CJK" in f.name})
    return [n for n in names if n.endswith("SC")][:1] or names[:1]


def picture(rows: Sequence[LedgerRow], path: Path, *, top: int = 15) -> Path:
    """Left: the ``top`` donor → recipient money flows (line width ∝ money); right: money per
    year. Parts (PART_OF) are not added to their totals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # a context, not rcParams: the CJK font must not leak into later pictures of the process
    style = {"font.family": _cjk_font() + ["DejaVu Sans"], "svg.hashsalt": "duikou"}
    buffer = io.BytesIO()
    with plt.rc_context(style):
        fig = _ledger_figure(plt, rows, top)
        try:
            fig.savefig(buffer, format="png", metadata={"Software": None})
        finally:
            plt.close(fig)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, buffer.getvalue())
    return path


def _ledger_figure(plt, rows: Sequence[LedgerRow], top: int):
    flows = sorted(money_by_flow(rows).items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    years = money_by_year(rows)
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(13, 6.5), gridspec_kw={"width_ratios": [3, 2]})
    donors = list(dict.fromkeys(k[0] for k, _ in flows))
    recips = list(dict.fromkeys(k[1] for k, _ in flows))
    ypos = lambda names, n: {x: 1 - (i + 0.5) / max(n, 1) for i, x in enumerate(names)}  # noqa: E731
    yd, yr = ypos(donors, len(donors)), ypos(recips, len(recips))
    biggest = max((v for _, v in flows), default=1.0)
    for (d, r), v in flows:
        ax.plot([0.2, 0.8], [yd[d], yr[r]], color="#d62728", alpha=0.45,
                linewidth=1 + 14 * v / biggest, solid_capstyle="butt")
    for d, y in yd.items():
        ax.text(0.19, y, d, ha="right", va="center", fontsize=9)
    for r, y in yr.items():
        ax.text(0.81, y, r, ha="left", va="center", fontsize=9)
    ax.set_xlim(-0.2, 1.2)
    ax.set_ylim(0, 1)
    ax.axis("off")
    ax.set_title(f"Top {len(flows)} donor → recipient money flows (width ∝ 元)")
    bx.bar(list(years), [v / 1e8 for v in years.values()], color="#1f77b4")
    bx.set_ylabel("亿元 (10^8 yuan)")
    bx.set_title("Money per year (figure's date, else the article's)")
    bx.tick_params(axis="x", rotation=60, labelsize=8)
    fig.tight_layout()
    return fig


def to_html(rows: Sequence[LedgerRow], *, title: str, picture_name: str | None) -> str:
    """A static page: the picture and the ledger table, every value HTML-escaped."""
    esc = html.escape
    head = "".join(f"<th>{esc(f)}</th>" for f in FIELDS)
    body = "\n".join(
        "<tr>" + "".join(f"<td>{esc('' if v is None else str(v))}</td>"
                         for v in asdict(r).values()) + "</tr>" for r in rows)
    img = (f'<p><img src="{esc(picture_name)}" alt="aid flows and money per year" '
           'style="max-width:100%"></p>') if picture_name else ""
    return (f'<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8">'
            f"<title>{esc(title)}</title>"
            "<style>body{font-family:sans-serif}table{border-collapse:collapse;font-size:12px}"
            "td,th{border:1px solid #ccc;padding:2px 4px;vertical-align:top}</style>"
            f"</head><body><h1>{esc(title)}</h1>{img}"
            f'<table id="ledger"><thead><tr>{head}</tr></thead><tbody>\n{body}\n'
            "</tbody></table></body></html>\n")


def write_ledger(docs: Sequence[Document], out: Path, *, title: str) -> dict[str, Path]:
    """Write ``ledger.csv``, ``ledger.parquet``, ``ledger.png`` and ``ledger.html`` into
    ``out``; returns the paths."""
    rows = ledger(docs)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"csv": out / "ledger.csv", "parquet": out / "ledger.parquet",
             "png": out / "ledger.png", "html": out / "ledger.html"}
    atomic_write_text(paths["csv"], to_csv(rows))
    write_parquet(rows, paths["parquet"])
    picture(rows, paths["png"])
    atomic_write_text(paths["html"], to_html(rows, title=title, picture_name="ledger.png"))
    return paths


__all__ = ["FIELDS", "LedgerRow", "document_rows", "ledger", "write_ledger", "FIGURE_LABELS"]
