"""Fault injection for `duikou leaderboard submit`: a real submit process is killed with
SIGKILL at every write step (``DUIKOU_KILL_AT``, see :func:`duikou.jsonio.kill_point`),
then the record, a retry, `leaderboard render` and the leftovers are checked. Also: submits
and renders queue on the board lock instead of interleaving."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from duikou.app.cli import main
from duikou.dataset.reader import load_documents
from duikou.eval.leaderboard import (
    board_paths,
    load_board,
    locked,
    render_html,
    render_markdown,
    submit,
)

ROOT = Path(__file__).resolve().parent.parent

# Every point of a submit's write: the lock taken; then for each file (pages first, the
# record last) its temp file complete but not renamed, and renamed into place.
STEPS = ["leaderboard:locked",
         "written:LEADERBOARD.md", "replaced:LEADERBOARD.md",
         "written:leaderboard.html", "replaced:leaderboard.html",
         "written:leaderboard.json", "replaced:leaderboard.json"]


def _preds(corpus: Path, path: Path, *, drop_label: str | None = None) -> Path:
    rows = [{"id": d.id, "entities": [{"start": s.start, "end": s.end, "label": s.label}
                                      for s in d.spans if s.label != drop_label]}
            for d in load_documents(corpus)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def project(sample_corpus, tmp_path) -> tuple[Path, Path]:
    """A project root (``DUIKOU_ROOT``) whose board holds one entry, ``old``, and the
    predictions file of the submission ``new``."""
    root = tmp_path / "root"
    root.mkdir()
    (root / "corpus").symlink_to(sample_corpus)
    submit(_preds(sample_corpus, tmp_path / "old.jsonl", drop_label="MONEY"), name="old",
           description="d", corpus=root / "corpus", folder=root / "eval")
    return root, _preds(sample_corpus, tmp_path / "new.jsonl")


def _cli(root: Path, *args: str, kill: str | None = None) -> subprocess.Popen:
    env = {**os.environ, "DUIKOU_ROOT": str(root),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    env.pop("DUIKOU_KILL_AT", None)
    if kill:
        env["DUIKOU_KILL_AT"] = kill
    return subprocess.Popen([sys.executable, "-m", "duikou.app.cli", "leaderboard", *args],
                            cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def _names(folder: Path) -> list[str]:
    return sorted(e["name"] for e in load_board(folder)["entries"])


def _pages_agree(folder: Path) -> bool:
    board = load_board(folder)
    _, md, html = board_paths(folder)
    return (md.read_text(encoding="utf-8") == render_markdown(board)
            and html.read_text(encoding="utf-8") == render_html(board))


@pytest.mark.parametrize("step", STEPS)
def test_a_submit_killed_at_any_step_loses_nothing_and_can_be_retried(
        project, step, tmp_path, monkeypatch, capsys):
    root, new = project
    board = root / "eval"
    record = board_paths(board)[0]
    old_record = record.read_bytes()

    proc = _cli(root, "submit", str(new), "--name", "new", "--description", "d", kill=step)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == -signal.SIGKILL, err[-2000:]

    # the record is the old one byte for byte, or the new one whole
    landed = step == "replaced:leaderboard.json"
    assert _names(board) == (["new", "old"] if landed else ["old"])
    if not landed:
        assert record.read_bytes() == old_record
    # a kill between writing a temp file and renaming it leaves that temp file behind
    assert bool(_temps(board)) == step.startswith("written:"), _temps(board)

    # `leaderboard render` (on a copy) brings both pages back in line with the record
    copy = tmp_path / "copy"
    shutil.copytree(root, copy, symlinks=True)
    monkeypatch.setenv("DUIKOU_ROOT", str(copy))
    assert main(["leaderboard", "render"]) == 0
    assert _pages_agree(copy / "eval") and not _temps(copy / "eval")
    assert board_paths(copy / "eval")[0].read_bytes() == record.read_bytes()

    # the same submit again: added now, or reported as already there, never refused
    monkeypatch.setenv("DUIKOU_ROOT", str(root))
    capsys.readouterr()
    assert main(["leaderboard", "submit", str(new), "--name", "new", "--description",
                 "d"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("already on the board" if landed else "added"), out
    assert _names(board) == ["new", "old"]
    assert _pages_agree(board) and not _temps(board)


def test_a_retry_with_other_predictions_or_description_is_still_a_name_clash(project,
                                                                           tmp_path):
    from duikou.errors import SubmissionError
    from tests.helpers import raises_code

    root, new = project
    corpus = root / "corpus"
    old = tmp_path / "old.jsonl"
    with raises_code(SubmissionError, "DK-SUBMIT-002"):  # same file, other description
        submit(old, name="old", description="other", corpus=corpus, folder=root / "eval")
    with raises_code(SubmissionError, "DK-SUBMIT-002"):  # same description, other file
        submit(new, name="OLD", description="d", corpus=corpus, folder=root / "eval")
    assert submit(old, name="old", description="d", corpus=corpus,
                  folder=root / "eval")["name"] == "old"  # the very same: a no-op
    assert _names(root / "eval") == ["old"]


def _waiting_on(lock: Path) -> set[int]:
    """The processes blocked in flock() on ``lock`` (Linux ``/proc/locks``, ``->`` lines)."""
    inode = lock.stat().st_ino
    pids = set()
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "->" in fields:
            kind, _, _, pid, dev_inode = fields[fields.index("->") + 1:][:5]
            if kind == "FLOCK" and int(dev_inode.split(":")[-1]) == inode:
                pids.add(int(pid))
    return pids


@pytest.mark.skipif(not Path("/proc/locks").is_file(), reason="needs Linux /proc/locks")
def test_submits_and_render_queue_on_the_board_lock(project, tmp_path):
    """Two submits and a render started while the lock is held all end up waiting on it
    (none can finish first); released, both entries are kept and the pages agree."""
    root, new = project
    other = tmp_path / "other.jsonl"
    shutil.copyfile(new, other)
    board = root / "eval"
    with locked(board):
        procs = [_cli(root, "submit", str(new), "--name", "a", "--description", "d"),
                 _cli(root, "submit", str(other), "--name", "b", "--description", "d"),
                 _cli(root, "render")]
        pids = {p.pid for p in procs}
        deadline = time.monotonic() + 120
        while _waiting_on(board / ".leaderboard.lock") != pids:
            done = [p.args[4:] for p in procs if p.poll() is not None]
            assert not done, f"finished while the board lock was held: {done}"
            assert time.monotonic() < deadline, "not all of them reached the lock"
            time.sleep(0.1)
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-2000:]
    assert _names(board) == ["a", "b", "old"]
    assert _pages_agree(board) and not _temps(board)
