from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from duikou.app.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_corpus_stats_prints_a_table(capsys):
    assert main(["corpus", "stats"]) == 0
    out = capsys.readouterr().out
    assert "documents" in out and "characters" in out and "sentences" in out
    for col in ("train", "validation", "test", "all"):
        assert col in out
    assert "MONEY" in out


def test_console_script_reports_errors_with_exit_code_2(tmp_path):
    exe = Path(sys.executable).with_name("duikou")
    res = subprocess.run([str(exe), "corpus", "stats", "--corpus", str(tmp_path)],
                         capture_output=True, text=True)
    assert res.returncode == 2
    assert "MANIFEST.json" in res.stderr and str(tmp_path) in res.stderr


def test_corpus_build_to_other_folder(tmp_path, capsys):
    assert main(["corpus", "build", "--out", str(tmp_path / "ds")]) == 0
    assert (tmp_path / "ds" / "MANIFEST.json").is_file()
    assert (tmp_path / "ds" / "CHANGELOG.md").is_file()
    assert "built dataset" in capsys.readouterr().out
