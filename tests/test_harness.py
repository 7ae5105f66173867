"""Evaluation harness and leaderboard on a corpus built with sample gold spans."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from duikou.app.cli import main
from duikou.dataset.reader import load_documents
from duikou.errors import SubmissionError
from duikou.eval.harness import evaluate, render
from duikou.eval.leaderboard import board_paths, load_board, submit
from tests.helpers import raises_code

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def corpus(sample_corpus):
    return sample_corpus


def _preds(corpus, path, *, drop_label=None, docs=None):
    rows = []
    for d in load_documents(corpus):
        if docs is not None and d.id not in docs:
            continue
        ents = [{"start": s.start, "end": s.end, "label": s.label, "text": s.text}
                for s in d.spans if s.label != drop_label]
        rows.append({"id": d.id, "entities": ents})
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def test_perfect_cv_predictions_score_one(corpus, tmp_path):
    res = evaluate(_preds(corpus, tmp_path / "p.jsonl"), protocol="cv", corpus=corpus)
    assert res["scores"]["strict"]["micro"]["f1"] == 1.0
    n_folds = len({d.fold for d in load_documents(corpus)})
    assert res["cv"]["n_folds"] == n_folds > 1 and res["ci"]["unit"] == "sentence"
    assert res["figures"]["accuracy"] == 1.0
    assert len(res["predictions_sha256"]) == 64 and res["dataset_version"]
    assert "micro" in render(res)


def test_missing_label_lowers_recall_only(corpus, tmp_path):
    res = evaluate(_preds(corpus, tmp_path / "p.jsonl", drop_label="MONEY"), protocol="cv",
                   corpus=corpus)
    micro = res["scores"]["strict"]["micro"]
    assert micro["precision"] == 1.0 and micro["recall"] < 1.0
    assert res["scores"]["strict"]["per_label"]["MONEY"]["recall"] == 0.0


def test_test_protocol_expects_only_the_test_document(corpus, tmp_path):
    test_ids = {d.id for d in load_documents(corpus, split="test")}
    ok = evaluate(_preds(corpus, tmp_path / "t.jsonl", docs=test_ids), protocol="test",
                  corpus=corpus)
    assert ok["documents"] == sorted(test_ids)
    with raises_code(SubmissionError, "DK-SUBMIT-017"):
        evaluate(_preds(corpus, tmp_path / "all.jsonl"), protocol="test", corpus=corpus)


def test_leaderboard_submit_ranks_and_escapes(corpus, tmp_path):
    board = tmp_path / "eval"
    submit(_preds(corpus, tmp_path / "a.jsonl", drop_label="MONEY"), name="<b>weaker</b>",
           description="drops & money", corpus=corpus, folder=board)
    submit(_preds(corpus, tmp_path / "b.jsonl"), name="oracle", description="gold copy",
           corpus=corpus, folder=board)
    entries = load_board(board)["entries"]
    assert {e["name"] for e in entries} == {"<b>weaker</b>", "oracle"}
    _, md, html = board_paths(board)
    md_text = md.read_text(encoding="utf-8")
    assert md_text.index("oracle") < md_text.index("weaker")
    html_text = html.read_text(encoding="utf-8")
    assert "&lt;b&gt;weaker&lt;/b&gt;" in html_text and "<b>weaker" not in html_text
    assert "drops &amp; money" in html_text


@pytest.mark.parametrize("content, needle", [
    ("", "empty"),
    ("{not json\n", "line 1"),
    ('{"id": "x", "entities": []}\n', "unknown"),
])
def test_invalid_submission_changes_nothing(corpus, tmp_path, content, needle):
    board = tmp_path / "eval"
    submit(_preds(corpus, tmp_path / "ok.jsonl"), name="ok", description="d", corpus=corpus,
           folder=board)
    before = {p.name: p.read_bytes() for p in board.iterdir()}
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(SubmissionError) as exc:
        submit(bad, name="bad", description="d", corpus=corpus, folder=board)
    assert needle in str(exc.value)
    assert {p.name: p.read_bytes() for p in board.iterdir()} == before


def test_overlapping_and_offset_errors_are_all_listed(corpus, tmp_path):
    docs = load_documents(corpus)
    rows = [{"id": d.id, "entities": []} for d in docs]
    rows[0]["entities"] = [{"start": 0, "end": 4, "label": "DONOR"},
                           {"start": 2, "end": 5, "label": "LOC"},
                           {"start": 10, "end": 999999, "label": "LOC"},
                           {"start": 0, "end": 1, "label": "NOPE"}]
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(SubmissionError) as exc:
        evaluate(bad, protocol="cv", corpus=corpus)
    msg = str(exc.value)
    assert "overlap" in msg and "999999" in msg and "NOPE" in msg and docs[0].id in msg


def test_evaluate_cli_writes_json(corpus, tmp_path, capsys):
    out = tmp_path / "res.json"
    code = main(["evaluate", str(_preds(corpus, tmp_path / "p.jsonl")), "--protocol", "cv",
                 "--gold", str(corpus), "--out", str(out)])
    assert code == 0
    assert json.loads(out.read_text())["scores"]["strict"]["micro"]["f1"] == 1.0
    assert "95% CI" in capsys.readouterr().out


def test_evaluate_compare_runs_a_paired_test(corpus, tmp_path, capsys):
    a = _preds(corpus, tmp_path / "a.jsonl")
    b = _preds(corpus, tmp_path / "b.jsonl", drop_label="MONEY")
    out = tmp_path / "res.json"
    assert main(["evaluate", str(a), "--protocol", "cv", "--gold", str(corpus), "--compare",
                 str(b), "--out", str(out)]) == 0
    cmp = json.loads(out.read_text())["comparison"]
    assert cmp["diff"] > 0 and 0 < cmp["p_value"] <= 1 and cmp["unit"] == "sentence"
    assert "paired approximate randomisation" in capsys.readouterr().out


def test_spans_starting_between_sentences_are_scored(corpus, tmp_path):
    docs = load_documents(corpus)
    rows = []
    for d in docs:
        nl = d.text.index("\n")
        rows.append({"id": d.id, "entities": [{"start": nl, "end": nl + 2, "label": "DATE"}]})
    p = tmp_path / "p.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    res = evaluate(p, protocol="cv", corpus=corpus)
    assert res["scores"]["strict"]["micro"]["fp"] == 5 and res["ci"]["unit"] == "sentence"


def _submit_one(args):
    from duikou.eval.leaderboard import submit as sub

    pred, name, corpus, board = args
    sub(Path(pred), name=name, description="d", corpus=Path(corpus), folder=Path(board))
    return name


def test_concurrent_submits_keep_every_entry(corpus, tmp_path):
    from concurrent.futures import ProcessPoolExecutor

    board = tmp_path / "eval"
    jobs = [(str(_preds(corpus, tmp_path / f"p{i}.jsonl")), f"sys{i}", str(corpus), str(board))
            for i in range(4)]
    with ProcessPoolExecutor(max_workers=4) as pool:
        done = list(pool.map(_submit_one, jobs))
    assert sorted(done) == [f"sys{i}" for i in range(4)]
    assert sorted(e["name"] for e in load_board(board)["entries"]) == sorted(done)


def test_render_rebuilds_stale_pages_and_a_corrupt_record_is_located(corpus, tmp_path):
    from duikou.eval.leaderboard import render_pages

    board = tmp_path / "eval"
    submit(_preds(corpus, tmp_path / "a.jsonl"), name="a", description="d", corpus=corpus,
           folder=board)
    _, md, _ = board_paths(board)
    md.write_text("stale", encoding="utf-8")
    render_pages(folder=board)
    assert "| a |" in md.read_text(encoding="utf-8") or " a " in md.read_text(encoding="utf-8")
    board_paths(board)[0].write_text("[]", encoding="utf-8")
    with raises_code(SubmissionError, "DK-SUBMIT-019"):
        load_board(board)


def test_a_too_deep_leaderboard_record_is_located(tmp_path):
    board = tmp_path / "eval"
    board.mkdir()
    board_paths(board)[0].write_text("[" * 100_000, encoding="utf-8")
    with raises_code(SubmissionError, "DK-JSON-008") as err:
        load_board(board)
    assert err.value.problems[0].file == str(board_paths(board)[0])


@pytest.mark.parametrize("key", ["value", "start"])
def test_evaluate_cli_locates_a_400_digit_integer(corpus, tmp_path, capsys, key):
    rows = [json.loads(x) for x in _preds(corpus, tmp_path / "p.jsonl").read_text().splitlines()]
    rows[0]["entities"][0][key] = 10 ** 400
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["evaluate", str(bad), "--protocol", "cv", "--gold", str(corpus)]) == 2
    err = capsys.readouterr().err
    assert f"file {bad}" in err and "line 1" in err and rows[0]["id"] in err


def test_names_are_normalised_and_compared_case_folded(corpus, tmp_path):
    board = tmp_path / "eval"
    entry = submit(_preds(corpus, tmp_path / "p.jsonl"), name=" ｃｒｆ\n", description="d",
                   corpus=corpus, folder=board)
    assert entry["name"] == "crf"
    before = board_paths(board)[0].read_bytes()
    for name in ["CRF", "crf ", "ｃｒｆ", "Crf"]:  # another system (the same one is a retry)
        with raises_code(SubmissionError, "DK-SUBMIT-002"):
            submit(tmp_path / "p.jsonl", name=name, description="another", corpus=corpus,
                   folder=board)
    assert board_paths(board)[0].read_bytes() == before


@pytest.mark.parametrize("name, code", [
    ("crf\u200b", "DK-SUBMIT-021"), ("a\x1b[31mb", "DK-SUBMIT-021"),
    ("a\u2028b", "DK-SUBMIT-021"), ("\u202ecrf", "DK-SUBMIT-021"), ("\u200d", "DK-SUBMIT-021"),
    ("\u0441rf", "DK-SUBMIT-022"), ("\u0392ERT", "DK-SUBMIT-022"), ("  \t", "DK-SUBMIT-001"),
], ids=["zero-width-space", "ansi-escape", "line-separator", "bidi-override", "zwj-only",
        "cyrillic-es", "greek-beta", "blank"])
def test_invisible_or_look_alike_names_are_refused(tmp_path, name, code):
    with raises_code(SubmissionError, code):
        submit(tmp_path / "never-read.jsonl", name=name, description="d",
               folder=tmp_path / "eval")


def test_single_script_names_are_accepted(tmp_path):
    from duikou.eval.leaderboard import _check_name

    for name in ["модель", "μοντέλο", "规则+CRF", "BERT-2"]:
        assert _check_name({"entries": []}, name, "cv") == name


def test_markdown_cells_are_escaped_like_the_html_page(corpus, tmp_path):
    from duikou.eval.leaderboard import render_markdown

    board = tmp_path / "eval"
    submit(_preds(corpus, tmp_path / "p.jsonl"), name="<img src=x onerror=alert(1)>",
           description="a & b\nsecond | line <script>", corpus=corpus, folder=board)
    md = board_paths(board)[1].read_text(encoding="utf-8")
    assert md == render_markdown(load_board(board))
    [row] = [x for x in md.splitlines() if "onerror" in x]
    assert "&lt;img src=x onerror=alert(1)&gt;" in row and "<img" not in row
    assert "a &amp; b second \\| line &lt;script&gt;" in row and "<script>" not in md
