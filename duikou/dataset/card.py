"""The dataset card (``corpus/README.md``): YAML header generated from the schema and the
features, body following Hugging Face card conventions and "Datasheets for Datasets"."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import yaml

from duikou import paths
from duikou.dataset.features import CONFIG_FEATURES
from duikou.dataset.rows import BuiltDoc, document_record, sentence_records
from duikou.dataset.splits import N_FOLDS, SPLIT_NAMES
from duikou.dataset.stats import markdown, table_from_rows
from duikou.schema import (
    BIO_TAGS,
    LABEL_NAMES,
    RELATION_NAMES,
    label_table_markdown,
    relation_table_markdown,
)

CARD_BODY = Path(__file__).with_name("card_body.md")


def data_digest(files: dict[str, str], config: str) -> str:
    """sha256 over the (path, sha256) of one config's data files (``files`` as in the
    manifest): what the card's config ``description`` carries, see :func:`header`."""
    lines = "".join(f"{path} {digest}\n" for path, digest in sorted(files.items())
                    if path.startswith(f"data/{config}/"))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def header(version: str, sizes: dict[str, dict[str, int]] | None = None,
           files: dict[str, str] | None = None,
           file_bytes: dict[str, int] | None = None) -> dict:
    """The card's YAML header; ``sizes`` = config → split → number of rows, ``files`` =
    data file → sha256, ``file_bytes`` = data file → size in bytes.

    ``dataset_info.splits`` needs name, num_examples and num_bytes, or datasets ignores it
    with a warning on every load; datasets then checks each split's row count against
    num_examples. num_bytes is the JSONL file's size (datasets does not check it).

    Each config's ``description`` (a field of every datasets builder config) carries the
    hash of its data files: ``datasets.load_dataset`` keys its cache of a local folder by a
    hash of the card's YAML (configs and dataset_info), never by the data files' contents,
    so without it a rebuild that keeps every row count would load the earlier build's rows
    from the cache (tests/test_load_dataset.py)."""
    configs = []
    for name in CONFIG_FEATURES:
        cfg: dict = {"config_name": name,
                     "data_files": [{"split": s, "path": f"data/{name}/{s}.jsonl"}
                                    for s in SPLIT_NAMES]}
        if files:
            cfg["description"] = (f"duikou {version}, {name}; data sha256 "
                                  f"{data_digest(files, name)}")
        if name == "documents":
            cfg["default"] = True
        configs.append(cfg)
    info = []
    for name, feats in CONFIG_FEATURES.items():
        entry: dict = {"config_name": name, "features": feats()._to_yaml_list()}
        if sizes:
            entry["splits"] = [
                {"name": s, "num_bytes": (file_bytes or {}).get(f"data/{name}/{s}.jsonl", 0),
                 "num_examples": sizes[name][s]} for s in SPLIT_NAMES]
        info.append(entry)
    return {
        "pretty_name": "duikou: paired-assistance news with aid entity and figure spans",
        "language": ["zh"],
        "license": "other",
        "license_name": "duikou-data",
        "license_link": "LICENSE",
        "task_categories": ["token-classification"],
        "task_ids": ["named-entity-recognition"],
        "size_categories": ["n<1K"],
        "tags": ["chinese", "paired-assistance", "poverty-alleviation", "ner", "figures"],
        "configs": configs,
        "dataset_info": info,
    }


def render_card(built: list[BuiltDoc], version: str, files: dict[str, str] | None = None,
                file_bytes: dict[str, int] | None = None) -> str:
    """The card: YAML header (see :func:`header`; ``files`` = data file → sha256) and body."""
    docs = {s: [document_record(b) for b in built if b.split == s] for s in SPLIT_NAMES}
    sents = {s: [r for b in built if b.split == s for r in sentence_records(b)]
             for s in SPLIT_NAMES}
    table = table_from_rows(docs, sents)
    split_rows = "\n".join(
        f"| {b.source.id} | {b.source.pairing_group or '—'} | {b.source.date or '—'} | "
        f"{b.source.script} | {b.split} | {b.fold} | {_source(b)} |"
        for b in sorted(built, key=lambda b: b.source.id))
    body = CARD_BODY.read_text(encoding="utf-8").format(
        version=version, label_table=label_table_markdown(), stats=markdown(table),
        split_rows=split_rows, n_folds=N_FOLDS, n_tags=len(BIO_TAGS),
        labels=", ".join(LABEL_NAMES), annotation_process=_annotation_process(),
        composition=composition(built), relation_table=relation_table_markdown(),
        relation_counts=_relation_counts(built),
    )
    sizes = {"documents": {s: len(docs[s]) for s in SPLIT_NAMES},
             "sentences": {s: len(sents[s]) for s in SPLIT_NAMES}}
    head = yaml.safe_dump(header(version, sizes, files, file_bytes), allow_unicode=True,
                          sort_keys=False, width=1000)
    return f"---\n{head}---\n\n{body}"


def _relation_counts(built: list[BuiltDoc]) -> str:
    counts = {s: Counter(r.type for b in built if b.split == s for r in b.relations)
              for s in SPLIT_NAMES}
    if not any(counts.values()):
        return "This version carries no gold relations yet (every `relations` list is empty)."
    rows = ["| relation | " + " | ".join(SPLIT_NAMES) + " | total |",
            "|---|" + "---:|" * (len(SPLIT_NAMES) + 1)]
    for t in RELATION_NAMES:
        n = [counts[s][t] for s in SPLIT_NAMES]
        rows.append(f"| {t} | " + " | ".join(map(str, n)) + f" | {sum(n)} |")
    return "Gold relations per split:\n\n" + "\n".join(rows)


def _source(b: BuiltDoc) -> str:
    """Where the text comes from: its URL, else the outlet it names."""
    if b.source.url:
        return f"<{b.source.url}>"
    return b.source.outlet or "—"


def _count_table(title: str, counts: Counter, top: int | None = None) -> str:
    rows = [f"| {title} | documents |", "|---|---:|"]
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = items[:top] if top else items
    rows += [f"| {k} | {v} |" for k, v in shown]
    if top and len(items) > top:
        rows.append(f"| ({len(items) - top} more) | {sum(v for _, v in items[top:])} |")
    return "\n".join(rows)


def composition(built: list[BuiltDoc]) -> str:
    """Markdown tables: documents by pairing group, script, year and outlet."""
    years = Counter((b.source.date or "")[:4] or "not stated" for b in built)
    outlets = Counter(b.source.outlet or "not stated" for b in built)
    return "\n\n".join((
        f"{len(built)} documents, {len({b.source.pairing_group for b in built})} pairing "
        f"groups, {len(outlets) - ('not stated' in outlets)} named outlets.",
        _count_table("pairing group (donor→recipient, province level)",
                     Counter(b.source.pairing_group or "—" for b in built), top=15),
        _count_table("script", Counter(b.source.script for b in built)),
        _count_table("publication year", years),
        _count_table("outlet", outlets, top=12)))


def _annotation_process() -> str:
    process = paths.annotation_dir() / "PROCESS.md"
    if process.is_file():
        return process.read_text(encoding="utf-8").strip()
    return "No gold annotations yet: every document's entity list is empty."


def write_chart(built: list[BuiltDoc], path: Path) -> Path | None:
    """Label-distribution bar chart per split (PNG, deterministic); None when no spans."""
    if not any(b.spans for b in built):
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4), dpi=100)
    width = 0.8 / len(SPLIT_NAMES)
    for k, split in enumerate(SPLIT_NAMES):
        counts = [sum(s.label == lb for b in built if b.split == split for s in b.spans)
                  for lb in LABEL_NAMES]
        ax.bar([i + k * width for i in range(len(LABEL_NAMES))], counts, width, label=split)
    ax.set_xticks([i + width for i in range(len(LABEL_NAMES))], LABEL_NAMES, rotation=45)
    ax.set_ylabel("spans")
    ax.set_title("duikou: gold spans per label and split")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, format="png", metadata={"Software": None})
    plt.close(fig)
    return path
