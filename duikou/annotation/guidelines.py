"""Keep the label table in ``annotation/GUIDELINES.md`` generated from the schema module.

The table sits between two marker lines; :func:`sync` rewrites it, :func:`is_in_sync` is
what the test suite checks so the guidelines can never drift from ``duikou/schema.py``.
"""

from __future__ import annotations

from pathlib import Path

from duikou import paths
from duikou.errors import AnnotationError, Problem
from duikou.jsonio import atomic_write_text
from duikou.schema import label_table_markdown

START = "<!-- label-table:start -->"
END = "<!-- label-table:end -->"


def _path() -> Path:
    return paths.annotation_dir() / "GUIDELINES.md"


def render(text: str) -> str:
    if text.count(START) != 1 or text.count(END) != 1 or text.index(START) > text.index(END):
        raise AnnotationError(Problem(f"expected one '{START}' line followed by one '{END}' "
                                      "line", file=str(_path()), code="DK-ANN-017"))
    head, rest = text.split(START)
    _, tail = rest.split(END)
    return f"{head}{START}\n{label_table_markdown()}\n{END}{tail}"


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
