from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.mark.parametrize("line, code", [
    ('{"id": "%s", "entities": {"start": 0}}', "DK-CLI-003"),
    ('{"id": "%s", "entities": [{"start": 0, "end": 2, "label": "DONOR", "score": "hi"}]}',
     "DK-LS-033"),
    ('{"id": "%s", "entities": [7]}', "DK-LS-032"),
], ids=["entities-not-a-list", "score-not-a-number", "entity-not-an-object"])
def test_ls_export_locates_bad_predictions(tmp_path, capsys, line, code):
    from duikou.dataset.reader import load_documents

    preds = tmp_path / "p.jsonl"
    preds.write_text(line % load_documents()[0].id + "\n", encoding="utf-8")
    assert main(["ls", "export", "--out", str(tmp_path / "t.json"),
                 "--predictions", str(preds)]) == 2
    err = capsys.readouterr().err
    assert code in err and f"file {preds}" in err and "line 1" in err
    assert not (tmp_path / "t.json").exists()


@pytest.mark.parametrize("argv", [
    ["ls", "export", "--out", "{tmp}/t.json", "--predictions", "{tmp}/absent.jsonl"],
    ["ls", "export", "--out", "{tmp}/t.json", "--predictions", "{tmp}"],
    ["ls", "push", "--project", "p", "--predictions", "{tmp}/absent.jsonl"],
    ["annotation", "check", "{tmp}/000_23c96dd05b37828e.tsv"],
], ids=["export-missing", "export-folder", "push-missing", "check-missing-sheet"])
def test_unreadable_input_files_are_located_errors(tmp_path, capsys, argv):
    assert main([a.format(tmp=tmp_path) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: file {tmp_path}") and "[DK-JSON-00" in err


@pytest.mark.parametrize("sub", [["export", "--out", "{tmp}/t.json"], ["push", "--project", "p"]])
def test_ls_docs_with_an_unknown_id_is_a_located_error(tmp_path, capsys, monkeypatch, sub):
    from duikou.dataset.reader import load_documents

    monkeypatch.setenv("LABEL_STUDIO_URL", "http://127.0.0.1:9")  # never reached
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "k" * 40)
    first = load_documents()[0].id
    argv = ["ls", *[a.format(tmp=tmp_path) for a in sub], "--docs", f"{first},nope"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "DK-LS-038" in err and "document nope, --docs item 2" in err
    assert "cannot reach" not in err and not (tmp_path / "t.json").exists()


def test_ls_export_docs_with_predictions_says_what_it_left_out(tmp_path, capsys):
    import json

    from duikou.dataset.reader import load_documents

    ids = [d.id for d in load_documents()[:3]]
    preds = tmp_path / "p.jsonl"
    preds.write_text("".join(json.dumps({"id": i, "entities": []}) + "\n" for i in ids),
                     encoding="utf-8")
    out = tmp_path / "t.json"
    assert main(["ls", "export", "--out", str(out), "--docs", f"{ids[2]},{ids[0]}",
                 "--predictions", str(preds), "--model-version", "m"]) == 0
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert [t["data"]["doc_id"] for t in tasks] == [ids[0], ids[2]]
    assert all(t["predictions"] == [{"result": [], "model_version": "m"}] for t in tasks)
    assert "1 predictions in" in capsys.readouterr().err
    # without --docs, the documents the file has no line for are refused, naming the file
    assert main(["ls", "export", "--out", str(tmp_path / "all.json"),
                 "--predictions", str(preds)]) == 2
    err = capsys.readouterr().err
    assert "DK-LS-036" in err and f"file {preds}" in err
