"""The wheel installs only the ``duikou`` namespace and imports in a fresh venv."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_installs_and_imports_in_fresh_venv(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(dist), str(ROOT)], check=True, timeout=600)
    wheel = next(dist.glob("duikou-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"duikou"}
    for mod in ("ingest", "annotation", "dataset", "encoders", "baselines", "eval", "app"):
        assert f"duikou/{mod}/__init__.py" in names
    assert "duikou/dataset/card_body.md" in names
    assert not any("/data/" in n or n.endswith(".jsonl") for n in names), "data in the wheel"

    # The fresh venv must see only what it installed: an inherited PYTHONPATH naming a
    # checkout would show pip the checkout's duikou.egg-info (so it skips the install) and
    # make the checkout's top-level folders importable as namespace packages.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True,
                   timeout=600, env=env)
    code = ("import duikou.ingest, duikou.annotation, duikou.dataset, duikou.baselines, "
            "duikou.eval, duikou.app.cli, duikou.spans, duikou.schema; "
            "import importlib.util as u; "
            "print(u.find_spec('corpus') is None and u.find_spec('eval') is None)")
    res = subprocess.run([str(py), "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         check=True, env=env)
    assert res.stdout.strip() == "True"
