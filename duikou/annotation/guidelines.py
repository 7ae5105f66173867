"""Keep the label and relation tables in ``annotation/GUIDELINES.md`` generated from the
schema module.

Each table sits between two marker lines; :func:`sync` rewrites them, :func:`is_in_sync` is
what the test suite checks so the guidelines can never drift from ``duikou/schema.py``.
"""

from __future__ import annotations

from pathlib import Path

from duikou import paths
from duikou.errors import AnnotationError, Problem
from duikou.jsonio import atomic_write_text
from duikou.schema import label_table_markdown, relation_table_markdown

START = "<!-- label-table:start -->"
END = "<!-- label-table:end -->"
TABLES = {"label-table": label_table_markdown, "relation-table": relation_table_markdown}


def _path() -> Path:
    return paths.annotation_dir() / "GUIDELINES.md"


def render(text: str) -> str:
    for name, table in TABLES.items():
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        if text.count(start) != 1 or text.count(end) != 1 or text.index(start) > text.index(end):
            raise AnnotationError(Problem(f"expected one '{start}' line followed by one "
                                          f"'{end}' line", file=str(_path()),
                                          code="DK-ANN-017"))
        head, rest = text.split(start)
        _, tail = rest.split(end)
        text = f"{head}{start}\n{table()}\n{end}{tail}"
    return text


def is_in_sync(path: Path | None = None) -> bool:
    text = (path or _path()).read_text(encoding="utf-8")
    return render(text) == text


def sync(path: Path | None = None) -> bool:
    """Regenerate the table; returns True when the file changed."""
    path = path or _path()
    text = path.read_text(encoding="utf-8")
    new = render(text)
    if new != text:
        atomic_write_text(path, new)
    return new != text
