"""Where the project's folders are.

The stage folders sit at the repository root. When duikou runs from a checkout (editable
install or the README's commands) the root is found next to this package; ``DUIKOU_ROOT``
overrides it, and an installed wheel falls back to the current directory.
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    env = os.environ.get("DUIKOU_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve().parent.parent
    if (here / "seeds").is_dir() and (here / "pyproject.toml").is_file():
        return here
    return Path.cwd().resolve()


def seeds_dir() -> Path:
    return project_root() / "seeds"


def corpus_dir() -> Path:
    return project_root() / "corpus"


def annotation_dir() -> Path:
    return project_root() / "annotation"


def eval_dir() -> Path:
    return project_root() / "eval"
