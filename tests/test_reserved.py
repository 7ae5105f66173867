"""No reserved article (kept for a hidden evaluation set) may ever enter seeds/.

Runs the project's shared checker over every raw file in ``seeds/`` and every URL in
``seeds/sources.yaml``; skipped, with a message, where ``../shared`` is not present.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CHECKER = ROOT.parent / "shared" / "tools" / "reserved_check.py"
SEEDS = ROOT / "seeds"

pytestmark = pytest.mark.skipif(not CHECKER.is_file(),
                                reason=f"reserved-article checker not found at {CHECKER}")


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHECKER), *args], capture_output=True,
                          text=True, timeout=300)


def test_no_seed_file_is_a_reserved_article_or_a_copy_of_one():
    files = sorted(str(f) for f in SEEDS.iterdir() if f.suffix in (".txt", ".html", ".htm"))
    assert files
    res = _run(*files)
    assert res.returncode == 0, res.stdout + res.stderr


def test_no_seed_url_is_reserved():
    entries = yaml.safe_load((SEEDS / "sources.yaml").read_text(encoding="utf-8"))["documents"]
    args = [a for e in entries if e.get("url") for a in ("--url", e["url"])]
    if not args:
        pytest.skip("no seed records a URL")
    res = _run(*args)
    assert res.returncode == 0, res.stdout + res.stderr


FURNITURE = ROOT / "annotation" / "furniture"


def test_no_furniture_benchmark_page_is_reserved():
    """The page excerpts of the furniture benchmark (not corpus documents) are public pages
    too: none may be a reserved article, by text or by URL."""
    import json

    files = sorted(str(f) for f in FURNITURE.glob("fresh*/raw/*.txt"))
    urls = [json.loads(line)["url"] for f in sorted(FURNITURE.glob("fresh*/sources-*.jsonl"))
            for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not files:
        pytest.skip("no furniture benchmark pages")
    assert len(urls) == len(files)
    res = _run(*files, *[a for u in urls for a in ("--url", u)])
    assert res.returncode == 0, res.stdout + res.stderr
