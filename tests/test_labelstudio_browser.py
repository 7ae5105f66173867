"""End to end in a real headless Chromium: label spans in Label Studio's web UI, pull them.

The text puts astral characters (𠮷😀, two UTF-16 units each) and a CRLF before the
entities, so an offset stored in UTF-16 units, or a line break counted as one character,
would come back shifted. Needs Debian's chromium, fonts-noto-cjk and playwright-core
(``scripts/install_browser.sh``, run here when something is missing).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from ls_server import ROOT, LSServer, make_ls_server_fixture

from duikou.annotation.ls_client import connect, project_tasks, pull, push

pytestmark = [pytest.mark.browser, pytest.mark.labelstudio, pytest.mark.slow]
ls_server = make_ls_server_fixture()

BROWSER_DIR = ROOT / "tests" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
TEXT = "𠮷😀援助方：锦江区\r\n\t受援方：炉霍县😀"
SPANS = [("锦江区", "DONOR"), ("炉霍县", "RECIPIENT")]


def _ensure_browser() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is required for the browser test")
    if not CHROMIUM.exists() or not (BROWSER_DIR / "node_modules" / "playwright-core").exists():
        done = subprocess.run(["bash", str(ROOT / "scripts" / "install_browser.sh")],
                              capture_output=True, text=True, timeout=1800)
        if done.returncode != 0:
            pytest.fail(f"install_browser.sh failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return node


def test_label_in_browser_round_trips_code_point_offsets(ls_server: LSServer,
                                                         tmp_path: Path) -> None:
    node = _ensure_browser()
    doc = {"id": "browser-1", "text": TEXT, "entities": []}
    info = push([doc], url=ls_server.url, api_key=ls_server.api_key,
                project_title="duikou browser e2e")
    client = connect(ls_server.url, ls_server.api_key)
    (task,) = project_tasks(client, info["project_id"])
    screenshot = tmp_path / "labelstudio.png"
    opts = {"url": ls_server.url, "username": ls_server.username,
            "password": ls_server.password, "projectId": info["project_id"],
            "taskId": task.id, "spans": [{"surface": s, "label": lb} for s, lb in SPANS],
            "screenshot": str(screenshot), "userDataDir": str(tmp_path / "profile")}
    run = subprocess.run([node, str(BROWSER_DIR / "label_span.cjs"), json.dumps(opts)],
                         cwd=BROWSER_DIR, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"browser script failed:\n{run.stderr[-3000:]}"
    assert json.loads(run.stdout.strip().splitlines()[-1])["selected"] == [s for s, _ in SPANS]
    assert screenshot.stat().st_size > 10_000

    result = pull(url=ls_server.url, api_key=ls_server.api_key,
                  project_title="duikou browser e2e", docs_by_id={doc["id"]: TEXT})
    (record,) = result.records
    got = [(e["start"], e["end"], e["label"], e["text"]) for e in record["entities"]]
    want = [(TEXT.index(s), TEXT.index(s) + len(s), lb, s) for s, lb in SPANS]
    assert got == want
    # The same characters counted in UTF-16 units would sit 2 positions later (two astral
    # characters before the first entity), so the check above does tell the units apart.
    assert len(TEXT[: want[0][0]].encode("utf-16-le")) // 2 == want[0][0] + 2
