"""train / predict / tag end to end through the CLI handlers, and every model-folder error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from duikou.app import baselines_cli as cli
from duikou.app import cli as main_cli
from duikou.baselines.api import predict_model, tag_files, train_model
from duikou.dataset.reader import load_documents
from duikou.errors import IngestError, ModelError
from tests.helpers import raises_code

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def corpus(sample_corpus) -> Path:
    return sample_corpus


@pytest.fixture(scope="module")
def rules_model(corpus, tmp_path_factory) -> Path:
    return train_model("rules", corpus=corpus, out=tmp_path_factory.mktemp("rules") / "m")


def run(*argv: str) -> int:
    return main_cli.main([str(a) for a in argv])


def rows(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def test_crf_train_predict_tag_end_to_end(corpus, tmp_path, capsys):
    model = tmp_path / "crf"
    assert run("train", "crf", "--split", "train", "--max-iterations", "20", "--corpus", corpus,
               "--out", model) == 0
    captured = capsys.readouterr()
    assert "[crf] tuning (validation)" in captured.err and "[crf] fitted in" in captured.err
    assert "trained crf model" in captured.out
    assert run("train", "crf", "--split", "train", "--max-iterations", "20", "--corpus", corpus,
               "--out", tmp_path / "quiet", "--quiet") == 0
    assert "[crf]" not in capsys.readouterr().err
    assert json.loads((model / "duikou_model.json").read_text("utf-8"))["kind"] == "crf"
    preds = tmp_path / "test.jsonl"
    assert run("predict", model, "--split", "test", "--corpus", corpus, "--out", preds) == 0
    assert [r["id"] for r in rows(preds)] == [d.id for d in load_documents(corpus, split="test")]
    article = tmp_path / "a.txt"
    article.write_text("锦江区募集社会帮扶资金210万元。\n", encoding="utf-8")
    out = tmp_path / "tag.jsonl"
    assert run("tag", model, article, "--corpus", corpus, "--out", out) == 0
    (row,) = rows(out)
    assert row["text"] == "锦江区募集社会帮扶资金210万元。"


def test_rules_tag_txt_and_html_with_attributes(corpus, rules_model, tmp_path):
    txt = tmp_path / "a.txt"
    txt.write_text("\ufeff2022年6月，锦江区募集资金210万元，救助19532人次。\r\n", encoding="utf-8")
    html = tmp_path / "b.html"
    html.write_text("<html><body><p>临夏市投入984万元。</p><p>就业率99.25%</p></body></html>",
                    encoding="utf-8")
    out = tmp_path / "tag.jsonl"
    assert run("tag", rules_model, txt, html, "--corpus", corpus, "--out", out) == 0
    by_id = {r["id"]: r for r in rows(out)}
    a, b = by_id[str(txt)], by_id[str(html)]
    ents = {e["text"]: e for e in a["entities"]}
    assert ents["210万元"]["label"] == "MONEY" and ents["210万元"]["value"] == 2100000
    assert ents["19532人次"]["label"] == "PEOPLE"
    assert ents["2022年6月"]["date"] == "2022-06"
    for r in (a, b):
        for e in r["entities"]:
            assert r["text"][e["start"]:e["end"]] == e["text"]
    assert {e["text"] for e in b["entities"]} == {"984万元", "99.25%"}


def test_tag_records_and_summary_say_what_cleaning_removed(corpus, rules_model, tmp_path,
                                                          capsys):
    a = tmp_path / "a.txt"
    a.write_text("\ufeff返回首页\n锦江区募集社会帮扶资金210万元，用于炉霍县的学校建设和医疗援助。\n"
                 "相关新闻\n另一篇文章标题一\n另一篇文章标题二\n\n另一篇文章标题三\n",
                 encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text("临夏市投入984万元。\n", encoding="utf-8")
    out = tmp_path / "tag.jsonl"
    assert run("tag", rules_model, a, b, "--corpus", corpus, "--out", out) == 0
    by_id = {r["id"]: r for r in rows(out)}
    assert by_id[str(a)]["removed"] == {"R1-bom": 1, "R4-navigation": 1, "R9-tail": 4}
    assert by_id[str(b)]["removed"] == {}
    summary = capsys.readouterr().out
    assert "tagged 2 file(s)" in summary
    assert "cleaning removed 6 line(s): R1-bom 1, R4-navigation 1, R9-tail 4" in summary


def test_predict_rules_on_the_corpus_matches_the_tagger(corpus, rules_model, tmp_path):
    out = tmp_path / "p.jsonl"
    assert run("predict", rules_model, "--corpus", corpus, "--out", out) == 0
    from duikou.baselines.rules import RulesTagger

    got = rows(out)
    docs = load_documents(corpus, split="test")  # predict's default: the test split
    assert [r["id"] for r in got] == [d.id for d in docs] and docs
    tagged = RulesTagger().tag([d.text for d in docs], [d.date for d in docs])
    assert [[(e["start"], e["end"], e["label"]) for e in r["entities"]] for r in got] == [
        [s.key for s in spans] for spans in tagged]
    assert any(e["label"] == "MONEY" for r in got for e in r["entities"])


def test_empty_and_non_utf8_files_are_reported_together(corpus, rules_model, tmp_path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("锦江区募集资金210万元".encode("gb18030"))
    missing = tmp_path / "nope.txt"
    with pytest.raises(IngestError) as err:
        tag_files(rules_model, [empty, gbk, missing], tmp_path / "o.jsonl", corpus=corpus)
    files = [p.file for p in err.value.problems]
    assert files == [str(empty), str(gbk), str(missing)]
    assert "UTF-8" in str(err.value) and "empty" in str(err.value)
    assert not (tmp_path / "o.jsonl").exists()
    assert run("tag", rules_model, gbk, "--corpus", corpus, "--out", tmp_path / "o.jsonl") == 2
    assert "not valid UTF-8" in capsys.readouterr().err


def _copy_model(src: Path, dst: Path, **changes: object) -> Path:
    dst.mkdir()
    info = json.loads((src / "duikou_model.json").read_text("utf-8"))
    info.update(changes)
    (dst / "duikou_model.json").write_text(json.dumps(info), encoding="utf-8")
    return dst


def test_model_folder_errors(corpus, rules_model, tmp_path, capsys):
    out = tmp_path / "o.jsonl"
    other_schema = _copy_model(rules_model, tmp_path / "schema", schema_fingerprint="0" * 16)
    with raises_code(ModelError, "DK-MODEL-026"):
        tag_files(other_schema, [], out, corpus=corpus)
    other_data = _copy_model(rules_model, tmp_path / "data", dataset_version="0.0.1")
    assert run("predict", other_data, "--corpus", corpus, "--out", out) == 2
    assert "dataset v0.0.1" in capsys.readouterr().err
    assert run("predict", other_data, "--corpus", corpus, "--out", out,
               "--allow-other-dataset") == 0
    # a patch release never changes texts, spans or splits: its models stay valid
    version = json.loads((rules_model / "duikou_model.json").read_text("utf-8"))[
        "dataset_version"]
    major, minor, patch = version.split(".")
    patched = _copy_model(rules_model, tmp_path / "patch",
                          dataset_version=f"{major}.{minor}.{int(patch) + 7}")
    assert run("predict", patched, "--corpus", corpus, "--out", out) == 0
    minor_up = _copy_model(rules_model, tmp_path / "minor",
                           dataset_version=f"{major}.{int(minor) + 1}.0")
    assert run("predict", minor_up, "--corpus", corpus, "--out", out) == 2
    assert run("predict", tmp_path / "missing", "--corpus", corpus, "--out", tmp_path / "x") == 2
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "empty_dir").mkdir()
    with raises_code(ModelError, "DK-MODEL-024"):
        tag_files(tmp_path / "empty_dir", [], out, corpus=corpus)
    crf_without_file = _copy_model(rules_model, tmp_path / "crf", kind="crf")
    with raises_code(ModelError, "DK-MODEL-030"):
        tag_files(crf_without_file, [], out, corpus=corpus)


def test_predicting_training_documents_is_refused(corpus, rules_model, tmp_path, capsys):
    assert run("predict", rules_model, "--split", "validation", "--corpus", corpus,
               "--out", tmp_path / "v.jsonl") == 2
    assert "trained or tuned on this document" in capsys.readouterr().err


def test_bert_needs_a_model(corpus, tmp_path):
    with pytest.raises(ModelError):
        train_model("bert", corpus=corpus, out=tmp_path / "b")


def test_every_registered_tagger_implements_the_interface():
    from duikou.baselines.base import Tagger
    from duikou.baselines.registry import KINDS, tagger_class

    assert set(KINDS) == {"rules", "crf", "bert", "crf+roles", "bert+roles", "crf+rules",
                          "crf+roles+rules", "bert+rules", "bert+roles+rules"}
    for kind in KINDS:
        cls = tagger_class(kind)
        assert issubclass(cls, Tagger) and cls.kind == kind
        assert not getattr(cls, "__abstractmethods__", None), f"{kind} leaves methods abstract"


def test_an_unknown_tagger_kind_is_a_located_model_error():
    from duikou.baselines.registry import tagger_class

    with pytest.raises(ModelError) as exc:
        tagger_class("svm")
    assert exc.value.codes == ["DK-MODEL-001"]


def test_parser_registers_all_subcommands():
    parser = main_cli.build_parser()
    a = parser.parse_args(["train", "rules", "--fold", "2", "--out", "m"])
    assert (a.kind, a.fold, a.split, a.func) == ("rules", 2, None, cli.cmd_train)
    a = parser.parse_args(["models", "prepare-e5", "--trim-corpus"])
    assert a.func is cli.cmd_prepare_e5 and a.trim_corpus and a.out is None
    with pytest.raises(SystemExit):
        parser.parse_args(["train", "crf", "--split", "train", "--fold", "1", "--out", "m"])


def test_tag_writes_clean_jsonl_to_stdout(tmp_path, corpus, capsys):
    from duikou.app.cli import main as cli_main

    model = tmp_path / "rules"
    assert cli_main(["train", "rules", "--split", "train", "--corpus", str(corpus),
                     "--out", str(model)]) == 0
    capsys.readouterr()
    article = tmp_path / "a.txt"
    article.write_text("2020年5月,锦江区向炉霍县捐赠210万元。\n", encoding="utf-8")
    assert cli_main(["tag", str(model), str(article), "--out", "-", "--corpus",
                     str(corpus)]) == 0
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert [e["text"] for e in rows[0]["entities"]] == ["2020年5月", "210万元"]
    assert "tagged 1 file" in captured.err


@pytest.mark.parametrize("damage", ["truncate", "random", "empty"])
def test_a_damaged_crf_model_file_is_a_located_error_not_a_crash(tmp_path, corpus, damage):
    model = train_model("crf", corpus=corpus, split="train", out=tmp_path / "crf",
                        max_iterations=5, c1_grid=(0.1,), c2_grid=(0.1,))
    weights = model / "model.crfsuite"
    data = weights.read_bytes()
    weights.write_bytes({"truncate": data[: len(data) // 2], "random": bytes(range(256)) * 4,
                         "empty": b""}[damage])
    with raises_code(ModelError, "DK-MODEL-049"):
        predict_model(model, corpus=corpus, split="test", out=tmp_path / "p.jsonl")


@pytest.mark.parametrize("content", [b'{"kind": "crf"', b"[]", b"\xff\xfe\x00"])
def test_a_corrupt_model_metadata_file_is_a_located_error(tmp_path, corpus, content):
    model = train_model("rules", corpus=corpus, split="train", out=tmp_path / "rules")
    (model / "duikou_model.json").write_bytes(content)
    with raises_code(ModelError, "DK-MODEL-047"):
        predict_model(model, corpus=corpus, split="test", out=tmp_path / "p.jsonl")


def test_tagging_the_same_file_twice_is_refused(tmp_path, corpus):
    model = train_model("rules", corpus=corpus, split="train", out=tmp_path / "rules")
    article = tmp_path / "a.txt"
    article.write_text("锦江区向炉霍县捐赠210万元。\n", encoding="utf-8")
    with raises_code(IngestError, "DK-MODEL-050"):
        tag_files(model, [article, article], tmp_path / "out.jsonl", corpus=corpus)
    assert not (tmp_path / "out.jsonl").exists()


def test_combined_tagger_chooses_rule_labels_on_validation_and_merges(corpus, tmp_path):
    from duikou.baselines.combined import merge
    from duikou.baselines.registry import tagger_class

    out = train_model("crf+rules", corpus=corpus, split="train", out=tmp_path / "c",
                      max_iterations=20, progress=False)
    hp = json.loads((out / "duikou_model.json").read_text("utf-8"))["hyperparameters"]
    assert hp["rule_labels_how"].startswith("chosen on 1 validation")
    chosen = [lb for lb, t in hp["validation_per_label_f1"].items()
              if t["rules_f1"] > t["base_f1"]]
    assert hp["rule_labels"] == chosen
    combined = tagger_class("crf+rules").load(out, corpus=corpus)
    texts = [d.text for d in load_documents(corpus, split="test")]
    base = tagger_class("crf").load(out / "base", corpus=corpus).predict_spans(texts)
    rules = tagger_class("rules").load().predict_spans(texts)
    assert combined.predict_spans(texts) == [merge(b, r, chosen) for b, r in
                                             zip(base, rules, strict=True)]


def test_combined_folder_with_bad_rule_labels_or_kind_is_a_located_error(corpus, tmp_path):
    from duikou.baselines.registry import tagger_class

    out = train_model("crf+rules", corpus=corpus, split="train", out=tmp_path / "c",
                      max_iterations=5, progress=False)
    info_path = out / "duikou_model.json"
    info = json.loads(info_path.read_text("utf-8"))
    info["hyperparameters"]["rule_labels"] = ["DONOR"]
    info_path.write_text(json.dumps(info), encoding="utf-8")
    with pytest.raises(ModelError) as exc:
        tagger_class("crf+rules").load(out, corpus=corpus)
    assert exc.value.codes == ["DK-MODEL-045"] and str(info_path) in str(exc.value)
    with pytest.raises(ModelError) as exc:  # a crf+rules folder is not a crf+roles+rules one
        tagger_class("crf+roles+rules").load(out, corpus=corpus)
    assert exc.value.codes == ["DK-MODEL-045"]


def test_own_articles_go_from_tag_to_relations_to_a_ledger(corpus, rules_model, tmp_path):
    """A user's articles: `tag` writes text and date, `relate --tagged` adds relations, and
    `ledger --tagged` turns them into aid-flow rows, with no corpus document involved."""
    article = tmp_path / "a.txt"
    article.write_text("2021年9月，锦江区向炉霍县捐赠帮扶资金210万元。\n", encoding="utf-8")
    tagged = tmp_path / "tag.jsonl"
    assert run("tag", rules_model, article, "--corpus", corpus, "--out", tagged) == 0
    (row,) = rows(tagged)
    assert "date" in row and row["text"].startswith("2021年9月")
    # the rules tagger finds figures and dates only; the parties come from the user's own
    # tagger or from annotation, as they would in a real file
    text = row["text"]
    for name, label in (("锦江区", "DONOR"), ("炉霍县", "RECIPIENT")):
        a = text.index(name)
        row["entities"].append({"start": a, "end": a + len(name), "label": label, "text": name})
    row["entities"].sort(key=lambda e: e["start"])
    tagged.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    rel = tmp_path / "rel.jsonl"
    assert run("relate", "--tagged", tagged, "--out", rel) == 0
    (out,) = rows(rel)
    assert out["text"] == text and out["date"] == row["date"]
    assert {r["type"] for r in out["relations"]} >= {"AID", "AMOUNT"}
    ledger = tmp_path / "ledger"
    assert run("ledger", "--tagged", rel, "--out", ledger) == 0
    import csv

    with (ledger / "ledger.csv").open(encoding="utf-8") as f:
        got = list(csv.DictReader(f))
    assert [(r["donor"], r["recipient"], r["amount_text"]) for r in got] == [
        ("锦江区", "炉霍县", "210万元")]


def test_tagged_articles_without_text_or_with_a_bad_date_are_located_errors(tmp_path, capsys):
    from duikou.errors import SubmissionError
    from duikou.eval.validate import validate_articles

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "entities": []}\n'
                   '{"id": "b", "text": "锦江", "date": "28/9/2021", "entities": []}\n'
                   '{"id": "c", "text": "锦江", "entities": [{"start": 0, "end": 3, '
                   '"label": "DONOR"}]}\n', encoding="utf-8")
    with raises_code(SubmissionError, "DK-SUBMIT-023", "DK-SUBMIT-024") as exc:
        validate_articles(bad)
    assert [(p.doc_id, p.extra) for p in exc.value.problems][:2] == [("a", "line 1"),
                                                                    ("b", "line 2")]
    assert any(p.doc_id == "c" and p.extra == "line 3" for p in exc.value.problems)
    assert run("relate", "--tagged", bad, "--out", tmp_path / "r.jsonl") == 2
    assert "DK-SUBMIT-023" in capsys.readouterr().err
    assert not (tmp_path / "r.jsonl").exists()


def test_tagged_files_refuse_week_dates_surrogates_corpus_options_and_empty_ledgers(
        tmp_path, capsys):
    from duikou.errors import SubmissionError
    from duikou.eval.validate import validate_articles

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "锦江", "date": "2021-W01-1", "entities": []}\n'
                   '{"id": "b", "text": "锦江\\ud800区", "entities": []}\n', encoding="utf-8")
    with raises_code(SubmissionError, "DK-SUBMIT-024", "DK-SUBMIT-025") as exc:
        validate_articles(bad)
    assert any(p.doc_id == "b" and p.start == 2 for p in exc.value.problems)
    good = tmp_path / "good.jsonl"
    good.write_text('{"id": "a", "text": "锦江区援建炉霍县。", "date": null, "entities": []}\n',
                    encoding="utf-8")
    assert run("relate", "--tagged", good, "--protocol", "cv", "--out", tmp_path / "r") == 2
    assert "DK-CLI-007" in capsys.readouterr().err
    assert run("ledger", "--tagged", good, "--corpus", tmp_path, "--out", tmp_path / "l") == 2
    assert "DK-CLI-007" in capsys.readouterr().err
    # tag output without relations: the ledger would be empty, so it says what is missing
    assert run("ledger", "--tagged", good, "--out", tmp_path / "l") == 2
    assert "DK-REL-013" in capsys.readouterr().err and not (tmp_path / "l").exists()
