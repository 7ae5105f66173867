"""The leaderboard: ``eval/leaderboard.json`` (the record) and, generated from it,
``eval/LEADERBOARD.md`` and a static ``eval/leaderboard.html`` (all text escaped).

A submission is validated first (JSON lines only, nothing executed or unpickled, size limit,
every expected document, offsets, text, labels, overlaps): an invalid one raises
:class:`SubmissionError` and changes nothing. Entries are ranked by strict micro F1 within
each protocol; each carries its bootstrap confidence interval.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import html
import json
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

from duikou import paths
from duikou.errors import Problem, SubmissionError
from duikou.eval.harness import evaluate
from duikou.jsonio import (
    atomic_write_text,
    kill_point,
    loads,
    read_bounded,
    stale_temps,
    write_json,
)
from duikou.schema import LABEL_NAMES

MAX_BYTES = 20_000_000
PROTOCOL_TITLES = {"cv": "10-fold cross-validation grouped by pairing (pooled)",
                   "test": "fixed test split (pairings unseen in training)"}


def board_paths(folder: Path | None = None) -> tuple[Path, Path, Path]:
    folder = Path(folder) if folder else paths.eval_dir()
    return folder / "leaderboard.json", folder / "LEADERBOARD.md", folder / "leaderboard.html"


def load_board(folder: Path | None = None) -> dict:
    """The board record; SubmissionError (located) when the file is not a board."""
    path = board_paths(folder)[0]
    if not path.is_file():
        return {"entries": []}
    try:
        board = loads(read_bounded(path, 100 * MAX_BYTES, error=SubmissionError))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SubmissionError(Problem(f"the leaderboard record is not valid JSON: {exc}",
                                      file=str(path),
                                      code=getattr(exc, "code", "DK-SUBMIT-019"))) from None
    if not isinstance(board, dict) or not isinstance(board.get("entries"), list):
        raise SubmissionError(Problem("expected a JSON object with an 'entries' list",
                                      file=str(path), code="DK-SUBMIT-019"))
    return board


@contextlib.contextmanager
def locked(folder: Path | None = None) -> Iterator[None]:
    """An exclusive lock on the board for a read-modify-write (``.leaderboard.lock`` beside
    the record); concurrent submits, renders and ``reproduce --update`` queue instead of
    overwriting each other. Every writer of the board files holds it, so on entry the temp
    files of a writer that was killed mid-write are removed."""
    lock = board_paths(folder)[0].with_name(".leaderboard.lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            for page in board_paths(folder):
                for stale in stale_temps(page):
                    stale.unlink(missing_ok=True)
            kill_point("leaderboard:locked")
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def entry_from_result(result: dict, *, name: str, description: str, baseline: bool = False,
                      extra: dict | None = None) -> dict:
    s = result["scores"]
    strict = s["strict"]
    entry = {
        "name": name, "description": description, "protocol": result["protocol"],
        "baseline": baseline,
        "strict": {k: strict["micro"][k] for k in ("precision", "recall", "f1")},
        "strict_macro_f1": strict["macro"]["f1"],
        "ci": {"low": result["ci"]["f1_low"], "high": result["ci"]["f1_high"],
               "unit": result["ci"]["unit"], "n": result["ci"]["n"]},
        "schemes_f1": {sc: s[sc]["micro"]["f1"] for sc in ("partial", "boundary", "type")},
        "per_label_f1": {lb: strict["per_label"][lb]["f1"]
                         for lb in LABEL_NAMES if lb in strict["per_label"]},
        "figure_accuracy": result["figures"]["accuracy"] if result["figures"]["total"] else None,
        "dataset_version": result["dataset_version"],
        "manifest_sha256": result["manifest_sha256"],
        "predictions_sha256": result["predictions_sha256"],
        "git_commit": result["environment"]["git_commit"],
    }
    if "cv" in result:
        cv = result["cv"]
        entry["cv_fold_f1"] = {"mean": cv["f1_mean"], "sd": cv["f1_sd"]}
        if "folds" in cv:  # per-fold F1 by fold number, for `reproduce --folds` spot checks
            entry["cv_fold_f1"]["per_fold"] = {str(k): f for k, f in
                                               zip(cv["folds"], cv["f1_per_fold"], strict=True)}
    if extra:
        entry.update(extra)
    return entry


def relation_entry_from_result(result: dict, *, name: str, description: str,
                               baseline: bool = False, extra: dict | None = None) -> dict:
    """A leaderboard entry of the relation task (``evaluate_relations`` result)."""
    s = result["scores"]
    entry = {
        "task": "relations", "name": name, "description": description,
        "protocol": result["protocol"], "baseline": baseline,
        "strict": {k: s["strict"]["micro"][k] for k in ("precision", "recall", "f1")},
        "entity": {k: s["entity"]["micro"][k] for k in ("precision", "recall", "f1")},
        "ci": {"low": result["ci"]["strict"]["f1_low"], "high": result["ci"]["strict"]["f1_high"],
               "unit": "document", "n": result["ci"]["strict"]["n"]},
        "ci_entity": {"low": result["ci"]["entity"]["f1_low"],
                      "high": result["ci"]["entity"]["f1_high"]},
        "per_type_f1": {t: row["f1"] for t, row in s["strict"]["per_type"].items()},
        "dataset_version": result["dataset_version"],
        "manifest_sha256": result["manifest_sha256"],
        "predictions_sha256": result["predictions_sha256"],
        "git_commit": result["environment"]["git_commit"],
    }
    if extra:
        entry.update(extra)
    return entry


def task_of(entry: dict) -> str:
    return entry.get("task", "spans")


def rank_f1(entry: dict) -> float:
    """The F1 an entry is ranked by: the mean strict F1 over its seeds for a system trained
    with several (``entry["seeds"]``), else its strict F1."""
    seeds = entry.get("seeds")
    return seeds["strict_f1"]["mean"] if seeds else entry["strict"]["f1"]


def ranked(entries: list[dict], protocol: str, task: str = "spans") -> list[dict]:
    rows = [e for e in entries if e["protocol"] == protocol and task_of(e) == task]
    return sorted(rows, key=lambda e: (-rank_f1(e), e["name"]))


_REFUSED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}
_LOOKALIKE_SCRIPTS = ("CYRILLIC", "GREEK")


def normalise_name(name: str) -> str:
    """The stored form of an entry name: NFKC, surrounding whitespace removed."""
    return unicodedata.normalize("NFKC", name).strip()


def name_key(name: str) -> str:
    """What names are compared by: NFKC and case-folded (``CRF``, ``crf `` and ``ｃｒｆ``
    are the same name)."""
    return unicodedata.normalize("NFKC", normalise_name(name).casefold())


def _scripts(name: str) -> set[str]:
    return {unicodedata.name(ch, "?").split(" ")[0] for ch in name if ch.isalpha()}


def _name_problem(name: str) -> tuple[str, str] | None:
    """Why ``name`` (already normalised) cannot name an entry, as (message, code)."""
    hidden = [ch for ch in name if unicodedata.category(ch) in _REFUSED_CATEGORIES]
    scripts = _scripts(name)
    mixed = [s for s in _LOOKALIKE_SCRIPTS if s in scripts] if "LATIN" in scripts else []
    if not name:
        return "--name must not be empty", "DK-SUBMIT-001"
    if hidden:
        return (f"--name {name!r} holds control, format or zero-width characters "
                f"({', '.join(f'U+{ord(c):04X}' for c in hidden)}); expected visible text",
                "DK-SUBMIT-021")
    if mixed:
        return (f"--name {name!r} mixes Latin letters with {' and '.join(mixed).title()} "
                "look-alikes; write it in one script", "DK-SUBMIT-022")
    return None


def _same_name(board: dict, name: str, protocol: str, task: str) -> dict | None:
    """The entry whose name is ``name`` ignoring case and width, for this protocol and task."""
    key = name_key(name)
    return next((e for e in board["entries"] if name_key(e["name"]) == key
                 and e["protocol"] == protocol and task_of(e) == task), None)


def _check_name(board: dict, name: str, protocol: str, task: str = "spans",
                same: Callable[[], dict] | None = None) -> str:
    """The normalised name, after checking it is visible, single-script and new for this
    protocol and task (compared case-folded). An entry that is this very submission does
    not count as a clash: ``same`` gives the fields a retry repeats (called only then)."""
    name = normalise_name(name)
    found = _name_problem(name)
    if found:
        raise SubmissionError(Problem(found[0], code=found[1]))
    old = _same_name(board, name, protocol, task)
    if old is not None and not (same is not None and _is_same(old, name, same())):
        raise SubmissionError(Problem(f"an entry named {old['name']!r} already exists for "
                                      f"protocol {protocol!r} (task {task}), and {name!r} is "
                                      "the same name ignoring case and width; choose another "
                                      "name", code="DK-SUBMIT-002"))
    return name


def _is_same(entry: dict, name: str, same: dict) -> bool:
    """``entry`` is the submission described by ``name`` and ``same`` (a retry of it)."""
    return entry["name"] == name and all(entry.get(k) == v for k, v in same.items())


def submit(pred_path: Path, *, name: str, description: str, protocol: str = "cv",
           corpus: Path | None = None, folder: Path | None = None,
           task: str = "spans") -> dict:
    """Validate, score and append one submission; regenerate the pages. Returns the entry
    (see :func:`submit_entry`)."""
    return submit_entry(pred_path, name=name, description=description, protocol=protocol,
                        corpus=corpus, folder=folder, task=task)[0]


def submit_entry(pred_path: Path, *, name: str, description: str, protocol: str = "cv",
                 corpus: Path | None = None, folder: Path | None = None,
                 task: str = "spans") -> tuple[dict, bool]:
    """Validate, score and append one submission; regenerate the pages. Returns the entry
    and whether it was added: a retry of a submission that is already on the board (same
    name, description, protocol, task, predictions file bytes and dataset; e.g. after the
    first run was killed once the record was written) changes nothing and returns the
    entry already there with ``False``. Any other entry of the same name is refused."""
    from duikou.eval.relations import evaluate_relations

    pred_path = Path(pred_path)

    def retry_of() -> dict:  # read only when the name is taken: is this a retry?
        data = read_bounded(pred_path, MAX_BYTES, error=SubmissionError)
        return {"description": description,
                "predictions_sha256": hashlib.sha256(data).hexdigest()}

    name = _check_name(load_board(folder), name, protocol, task, same=retry_of)  # fail fast
    read_bounded(pred_path, MAX_BYTES, error=SubmissionError)
    if task == "relations":
        result = evaluate_relations(pred_path, protocol=protocol, corpus=corpus)
        entry = relation_entry_from_result(result, name=name, description=description)
    else:
        result = evaluate(pred_path, protocol=protocol, corpus=corpus)
        entry = entry_from_result(result, name=name, description=description)
    same = {k: entry[k] for k in ("description", "predictions_sha256", "manifest_sha256")}
    with locked(folder):  # re-read inside the lock: another submit may have landed
        board = load_board(folder)
        _check_name(board, name, protocol, task, same=lambda: same)
        present = _same_name(board, name, protocol, task)
        if present is not None:  # this very submission: make the pages agree, add nothing
            render_pages(board, folder)
            return present, False
        board["entries"].append(entry)
        write_board(board, folder)
    return entry, True


def rerender(folder: Path | None = None) -> None:
    """``duikou leaderboard render``: under the board lock, remove a killed writer's temp
    files and rewrite both pages from the record."""
    with locked(folder):
        render_pages(None, folder)


def replace_entries(new_entries: list[dict], folder: Path | None = None) -> None:
    """Write ``new_entries`` into the board, replacing the entries of the same task, name and
    protocol; the board is re-read under :func:`locked`, so a submit that landed meanwhile
    is kept."""
    replaced = {(task_of(e), e["name"], e["protocol"]) for e in new_entries}
    with locked(folder):
        keep = [e for e in load_board(folder)["entries"]
                if (task_of(e), e["name"], e["protocol"]) not in replaced]
        write_board({"entries": keep + new_entries}, folder)


def write_board(board: dict, folder: Path | None = None) -> None:
    """Pages first, the record last, each by temp file + rename, under :func:`locked`: a kill
    at any point leaves the old record or the new one whole, and at worst pages newer than
    the record, which ``duikou leaderboard render`` (or the next write) makes agree again.
    Tested by killing a real submit at every step (tests/test_leaderboard_kill.py)."""
    jpath, _, _ = board_paths(folder)
    board = {"entries": sorted(board["entries"],
                               key=lambda e: (task_of(e), e["protocol"], e["name"]))}
    render_pages(board, folder)
    write_json(jpath, board)


def render_pages(board: dict | None = None, folder: Path | None = None) -> None:
    """(Re)write LEADERBOARD.md and leaderboard.html from the record; idempotent."""
    _, mpath, hpath = board_paths(folder)
    board = load_board(folder) if board is None else board
    atomic_write_text(mpath, render_markdown(board))
    atomic_write_text(hpath, render_html(board))


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.4f}"


def _table_rows(board: dict, protocol: str) -> list[list[str]]:
    rows = []
    for rank, e in enumerate(ranked(board["entries"], protocol), 1):
        rows.append([str(rank), e["name"], _fmt(e["strict"]["f1"]), _seed_cell(e),
                     f"[{_fmt(e['ci']['low'])}, {_fmt(e['ci']['high'])}]",
                     _fmt(e["strict"]["precision"]), _fmt(e["strict"]["recall"]),
                     _fmt(e["strict_macro_f1"]), _fmt(e["schemes_f1"]["partial"]),
                     _fmt(e["figure_accuracy"]), e["description"]])
    return rows


def _seed_cell(entry: dict) -> str:
    """``mean ± sd (n seeds)`` of a system trained with several seeds, else ``—``."""
    seeds = entry.get("seeds")
    if not seeds:
        return "—"
    sp = seeds["strict_f1"]
    sd = "" if sp.get("sd") is None else f" ± {sp['sd']:.4f}"
    n = len(sp["values"])
    return f"{sp['mean']:.4f}{sd} ({n} seed{'s' if n != 1 else ''})"


HEADER = ["#", "system", "strict F1", "seeds: mean ± sd", "95% CI", "P", "R", "macro F1",
          "partial F1", "figure acc.", "description"]
SEEDS_NOTE = ("A neural system trained with several seeds is ranked by the mean strict F1 "
              "over its seeds (the column beside strict F1); its other columns are those of "
              "its first seed's predictions, whose hash the record keeps.")
REL_HEADER = ["#", "system", "strict F1", "95% CI", "P", "R", "entity F1", "entity 95% CI",
              "AID", "AMOUNT", "TIME", "PART_OF", "description"]
REL_NOTE = ("Task 2, relations (AID, AMOUNT, TIME, PART_OF; guidelines §9). Strict: same "
            "head span, tail span and type; entity: party ends replaced by their document "
            "entity, each relation counted once per document. Per-type columns are strict F1. "
            "Confidence intervals: document bootstrap (1000 replicates, seed 0).")


def _rel_rows(board: dict, protocol: str) -> list[list[str]]:
    rows = []
    for rank, e in enumerate(ranked(board["entries"], protocol, "relations"), 1):
        rows.append([str(rank), e["name"], _fmt(e["strict"]["f1"]),
                     f"[{_fmt(e['ci']['low'])}, {_fmt(e['ci']['high'])}]",
                     _fmt(e["strict"]["precision"]), _fmt(e["strict"]["recall"]),
                     _fmt(e["entity"]["f1"]),
                     f"[{_fmt(e['ci_entity']['low'])}, {_fmt(e['ci_entity']['high'])}]",
                     *(_fmt(e["per_type_f1"].get(t)) for t in ("AID", "AMOUNT", "TIME",
                                                               "PART_OF")),
                     e["description"]])
    return rows


def _sections(board: dict) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of every non-empty table, span task first."""
    out = []
    for protocol, title in PROTOCOL_TITLES.items():
        rows = _table_rows(board, protocol)
        if rows:
            out.append((f"Task 1, spans: {title}", HEADER, rows))
    for protocol, title in PROTOCOL_TITLES.items():
        rows = _rel_rows(board, protocol)
        if rows:
            out.append((f"Task 2, relations: {title}", REL_HEADER, rows))
    return out


def _md_cell(text: str) -> str:
    """A Markdown table cell: one line, ``|`` escaped, ``<``, ``>`` and ``&`` as entities
    (as the HTML page escapes them), so no cell can open a tag or break the table."""
    return html.escape(" ".join(text.splitlines()), quote=False).replace("|", "\\|")


def render_markdown(board: dict) -> str:
    out = ["# duikou leaderboard", "",
           "Generated from `eval/leaderboard.json` by `duikou leaderboard`; do not edit by hand.",
           "Ranked by strict micro F1 (exact boundaries and label). The confidence interval is a "
           "sentence bootstrap (1000 replicates, seed 0). Figure accuracy: share of strictly "
           "matched figure/date spans whose normalised value, unit and qualifier (or date) are "
           "right. " + SEEDS_NOTE, ""]
    for title, header, rows in _sections(board):
        out += [f"## {title}", "", "| " + " | ".join(header) + " |",
                "|" + "---|" * len(header)]
        out += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in rows]
        out.append("")
    if any(task_of(e) == "relations" for e in board["entries"]):
        out += [REL_NOTE, ""]
    return "\n".join(out)


def render_html(board: dict) -> str:
    esc = html.escape
    parts = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>duikou leaderboard</title>",
             "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:4px 8px}td.n{text-align:right}</style>",
             "</head><body><h1>duikou leaderboard</h1>",
             "<p>Ranked by strict micro F1 with a 95% sentence-bootstrap confidence interval. "
             f"{html.escape(SEEDS_NOTE)}</p>"]
    for title, header, rows in _sections(board):
        parts.append(f"<h2>{esc(title)}</h2><table><tr>"
                     + "".join(f"<th>{esc(h)}</th>" for h in header) + "</tr>")
        for r in rows:
            parts.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>")
        parts.append("</table>")
    if any(task_of(e) == "relations" for e in board["entries"]):
        parts.append(f"<p>{esc(REL_NOTE)}</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
