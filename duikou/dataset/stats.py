"""Corpus statistics: documents, characters, sentences and spans per label, per split."""

from __future__ import annotations

from pathlib import Path

from duikou import paths
from duikou.dataset.splits import SPLIT_NAMES
from duikou.errors import CorpusError, Problem
from duikou.jsonio import read_jsonl
from duikou.schema import LABEL_NAMES


def read_rows(corpus: Path, config: str, split: str) -> list[dict]:
    path = corpus / "data" / config / f"{split}.jsonl"
    if not path.is_file():
        raise CorpusError(Problem("dataset file missing: build the corpus first "
                                  "(duikou corpus build)", file=str(path), code="DK-CORPUS-009"))
    return read_jsonl(path, error=CorpusError)


def compute(corpus: Path | None = None) -> dict[str, dict[str, int]]:
    """{split or 'all': {documents, characters, sentences, spans, <LABEL>...}}."""
    corpus = corpus or paths.corpus_dir()
    return table_from_rows(
        {s: read_rows(corpus, "documents", s) for s in SPLIT_NAMES},
        {s: read_rows(corpus, "sentences", s) for s in SPLIT_NAMES},
    )


def table_from_rows(docs_by_split: dict[str, list[dict]],
                    sents_by_split: dict[str, list[dict]]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for split in SPLIT_NAMES:
        docs, sents = docs_by_split[split], sents_by_split[split]
        row = {"documents": len(docs), "characters": sum(len(d["text"]) for d in docs),
               "sentences": len(sents), "spans": sum(len(d["entities"]) for d in docs)}
        for label in LABEL_NAMES:
            row[label] = sum(e["label"] == label for d in docs for e in d["entities"])
        table[split] = row
    keys = next(iter(table.values())).keys()
    table["all"] = {k: sum(table[s][k] for s in SPLIT_NAMES) for k in keys}
    return table


def render(table: dict[str, dict[str, int]]) -> str:
    """A fixed-width text table (rows: measures; columns: splits + all)."""
    cols = list(table)
    rows = list(next(iter(table.values())))
    width = max(len(r) for r in rows) + 2
    out = ["".ljust(width) + "".join(c.rjust(12) for c in cols)]
    for r in rows:
        out.append(r.ljust(width) + "".join(str(table[c][r]).rjust(12) for c in cols))
    return "\n".join(out)


def markdown(table: dict[str, dict[str, int]]) -> str:
    cols = list(table)
    lines = ["| | " + " | ".join(cols) + " |", "|---|" + "---:|" * len(cols)]
    for r in next(iter(table.values())):
        lines.append(f"| {r} | " + " | ".join(str(table[c][r]) for c in cols) + " |")
    return "\n".join(lines)
