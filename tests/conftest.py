"""Test-wide settings: never touch the Hugging Face Hub; keep caches inside the test run."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A writable copy of seeds/ (files + sources.yaml)."""
    dst = tmp_path / "seeds"
    shutil.copytree(SEEDS, dst)
    return dst


@pytest.fixture(scope="session")
def sample_corpus(tmp_path_factory) -> Path:
    """A dataset folder built from the real seeds with the small sample gold of
    ``tests/helpers.py``; shared read-only by every test that needs spans in a corpus."""
    from duikou.dataset.build import build
    from tests.helpers import sample_gold, v1_seeds

    tmp = tmp_path_factory.mktemp("sample")
    seeds = v1_seeds(tmp / "seeds")
    sample_gold(seeds, tmp / "gold.jsonl")
    return build(tmp / "corpus", seeds=seeds, annotations=tmp / "gold.jsonl")
