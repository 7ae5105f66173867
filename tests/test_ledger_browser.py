"""The aid-flow ledger page in a real headless Chromium: every ledger row is a table row, the
picture loads, and hostile text in a document stays text (no script runs)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import pytest
from test_labelstudio_browser import BROWSER_DIR, _ensure_browser

from duikou.dataset.reader import load_documents
from duikou.eval.ledger import write_ledger
from duikou.records import Document, Relation
from duikou.spans import Span

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EVIL = Document("evil", "<img src=x onerror=alert(1)>锦江区援助炉霍县<script>alert(2)</script>",
                "2024-01-01", spans=[Span(28, 31, "DONOR"), Span(33, 36, "RECIPIENT")],
                relations=[Relation("28-31-DONOR", "33-36-RECIPIENT", "AID")])


def _read(node: str, page: Path, tmp_path: Path) -> dict:
    opts = {"path": str(page), "table": "#ledger", "screenshot": str(tmp_path / "page.png")}
    run = subprocess.run([node, str(BROWSER_DIR / "read_page.cjs"), json.dumps(opts)],
                         cwd=BROWSER_DIR, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"browser script failed:\n{run.stderr[-3000:]}"
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_ledger_page_shows_every_row_and_runs_no_script(tmp_path: Path) -> None:
    node = _ensure_browser()
    assert EVIL.text[28:31] == "锦江区" and EVIL.text[33:36] == "炉霍县"
    docs = [d for d in load_documents() if d.split == "test"] + [EVIL]
    out = write_ledger(docs, tmp_path / "ledger", title="<b>ledger</b>")
    seen = _read(node, out["html"], tmp_path)
    rows = list(csv.reader(io.StringIO(out["csv"].read_text(encoding="utf-8"))))[1:]
    assert len(seen["rows"]) == len(rows) > 10
    assert [r[:4] for r in seen["rows"]] == [r[:4] for r in rows]
    assert seen["dialogs"] == 0 and seen["scripts"] == 0
    assert seen["title"] == "<b>ledger</b>"  # the title, escaped, reads as text
    evidence = [r for r in seen["rows"] if r[0] == "evil"][0][-3]
    assert "<script>alert(2)</script>" in evidence  # shown as text, not run
    (img,) = seen["images"]
    assert img["src"] == "ledger.png" and img["width"] > 500
