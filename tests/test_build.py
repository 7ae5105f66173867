from __future__ import annotations

import json
from pathlib import Path

import pytest

from duikou.dataset.build import build, verify
from duikou.errors import AnnotationError, CorpusError
from tests.helpers import raises_code, sample_gold

ROOT = Path(__file__).resolve().parent.parent


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.fixture
def gold(tmp_path):
    path = tmp_path / "gold.jsonl"
    sample_gold(ROOT / "seeds", path)
    return path


def test_two_builds_are_byte_identical(tmp_path, gold):
    a = build(tmp_path / "a", annotations=gold)
    b = build(tmp_path / "b", annotations=gold)
    fa, fb = _files(a), _files(b)
    assert fa == fb
    assert "MANIFEST.json" in fa and "label_distribution.png" in fa
    verify(a)


def test_build_carries_spans_into_both_configs(tmp_path, gold):
    out = build(tmp_path / "ds", annotations=gold)
    split = next(sp for sp in ("train", "validation", "test")
                 if '"id":"000_' in (out / f"data/documents/{sp}.jsonl").read_text())
    docs = [json.loads(x) for x in (out / f"data/documents/{split}.jsonl").read_text().splitlines()]
    d0 = next(d for d in docs if d["id"].startswith("000"))
    money = next(e for e in d0["entities"] if e["label"] == "MONEY")
    assert d0["text"][money["start"]:money["end"]] == money["text"] == "210万元"
    assert money["provenance"] == "manual"
    sents = [json.loads(x) for x in (out / f"data/sentences/{split}.jsonl").read_text().splitlines()]
    tagged = [s for s in sents if "B-MONEY" in s["ner_tags"] and s["doc_id"] == d0["id"]]
    assert tagged
    s = tagged[0]
    i = s["ner_tags"].index("B-MONEY")
    assert s["start"] + i == money["start"]
    assert "".join(s["tokens"][i:i + 5]) == "210万元"
    assert s["ner_tags"][i + 1:i + 5] == ["I-MONEY"] * 4


def test_failed_build_leaves_previous_dataset_intact(tmp_path, gold):
    out = build(tmp_path / "ds", annotations=gold)
    before = _files(out)
    lines = gold.read_text(encoding="utf-8").splitlines()
    rec = json.loads(lines[0])
    rec["entities"].append({"start": 0, "end": 2, "label": "LOC", "text": "WRONG"})
    lines[0] = json.dumps(rec, ensure_ascii=False)
    gold.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(AnnotationError) as exc:
        build(out, annotations=gold)
    assert rec["id"] in str(exc.value) and "offsets [0, 2)" in str(exc.value)
    assert _files(out) == before
    assert not list(out.glob(".build-*"))


def test_changed_text_is_detected_not_shifted(tmp_path, gold):
    lines = gold.read_text(encoding="utf-8").splitlines()
    rec = json.loads(lines[1])
    rec["text_sha256"] = "0" * 64
    lines[1] = json.dumps(rec, ensure_ascii=False)
    gold.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with raises_code(AnnotationError, "DK-ANN-014"):
        build(tmp_path / "ds", annotations=gold)


def test_verify_detects_a_modified_file(tmp_path, gold):
    out = build(tmp_path / "ds", annotations=gold)
    f = out / "data/documents/test.jsonl"
    f.write_text(f.read_text() + "\n")
    with raises_code(CorpusError, "DK-CORPUS-005"):
        verify(out)


def test_card_header_generated_from_schema(tmp_path, gold):
    import yaml

    from duikou.schema import BIO_TAGS, LABEL_NAMES

    out = build(tmp_path / "ds", annotations=gold)
    card = (out / "README.md").read_text(encoding="utf-8")
    head = yaml.safe_load(card.split("---\n")[1])
    assert head["language"] == ["zh"] and head["task_ids"] == ["named-entity-recognition"]
    info = {c["config_name"]: c for c in head["dataset_info"]}
    tags = next(f for f in info["sentences"]["features"] if f["name"] == "ner_tags")
    assert list(tags["list"]["class_label"]["names"].values()) == list(BIO_TAGS)
    ents = next(f for f in info["documents"]["features"] if f["name"] == "entities")
    label = next(f for f in ents["list"] if f["name"] == "label")
    assert list(label["dtype"]["class_label"]["names"].values()) == list(LABEL_NAMES)


def test_committed_corpus_matches_a_fresh_build(tmp_path):
    """The dataset in the repository is exactly what the build produces from its inputs."""
    fresh = build(tmp_path / "fresh")
    committed = _files(ROOT / "corpus")
    for rel, data in _files(fresh).items():
        if rel == "CHANGELOG.md":
            continue
        assert committed.get(rel) == data, f"corpus/{rel} is stale: run `duikou corpus build`"


def test_load_documents_selects_splits_and_folds(tmp_path, gold):
    from duikou.dataset.reader import load_documents
    from duikou.ingest.sources import read_metadata

    out = build(tmp_path / "ds", annotations=gold)
    every = load_documents(out)
    n_gold = sum(e.get("status", "gold") == "gold" for e in read_metadata(ROOT / "seeds"))
    assert len(every) == n_gold and sum(len(d.spans) for d in every) == 13
    test = load_documents(out, split="test")
    assert test and {d.split for d in test} == {"test"}
    held = load_documents(out, fold=2)
    rest = load_documents(out, fold=2, held_out=False)
    assert held and {d.fold for d in held} == {2} and len(held) + len(rest) == len(every)
    groups = {d.id: e["pairing_group"] for d in every for e in read_metadata(ROOT / "seeds")
              if e["id"] == d.id}
    assert not {groups[d.id] for d in held} & {groups[d.id] for d in rest}  # grouped folds
    with raises_code(CorpusError, "DK-CORPUS-008"):
        load_documents(out, fold=99)


def test_manifest_hash_tracks_data_not_card_prose(tmp_path, gold):
    from duikou.dataset.build import manifest_sha256

    out = build(tmp_path / "ds", annotations=gold)
    before = manifest_sha256(out)
    man = json.loads((out / "MANIFEST.json").read_text())
    man["files"]["README.md"] = "0" * 64
    (out / "MANIFEST.json").write_text(json.dumps(man))
    assert manifest_sha256(out) == before
    man["files"]["data/documents/test.jsonl"] = "0" * 64
    (out / "MANIFEST.json").write_text(json.dumps(man))
    assert manifest_sha256(out) != before


STEPS = ("after-data", "after-manifest", "before-exchange", "after-exchange")


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.mark.slow
@pytest.mark.parametrize("step", STEPS)
def test_a_build_killed_at_any_step_leaves_the_old_or_the_new_dataset(tmp_path, gold, step):
    import os
    import subprocess
    import sys

    out = tmp_path / "ds"
    build(out, annotations=gold)
    old = _snapshot(out)
    code = ("import sys; from pathlib import Path; from duikou.dataset.build import build; "
            "build(Path(sys.argv[1]), annotations=Path(sys.argv[2]))")
    env = {**os.environ, "DUIKOU_KILL_AT": step}
    res = subprocess.run([sys.executable, "-c", code, str(out), str(tmp_path / "no-gold")],
                         env=env, capture_output=True, timeout=300)
    assert res.returncode == 137, res.stderr.decode()[-2000:]
    after = _snapshot(out)
    verify(out)  # whichever it is, it is whole
    if step == "after-exchange":
        assert after != old  # the new dataset (no spans) is in place
    else:
        assert after == old
    build(out, annotations=gold)  # the next build cleans the leftovers
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".ds.build-")]
    assert _snapshot(out) == old


def test_a_folder_with_foreign_files_is_not_replaced(tmp_path, gold):
    out = tmp_path / "ds"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with raises_code(CorpusError, "DK-CORPUS-011"):
        build(out, annotations=gold)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_the_committed_splits_keep_every_pairing_on_one_side():
    from duikou.dataset.reader import load_documents
    from duikou.ingest.sources import read_metadata

    group = {e["id"]: e["pairing_group"] for e in read_metadata(ROOT / "seeds")}
    docs = load_documents(ROOT / "corpus")
    by_split = {s: {group[d.id] for d in docs if d.split == s}
                for s in ("train", "validation", "test")}
    assert not by_split["train"] & by_split["test"]
    assert not by_split["train"] & by_split["validation"]
    assert not by_split["validation"] & by_split["test"]
    folds = {}
    for d in docs:
        folds.setdefault(group[d.id], set()).add(d.fold)
    assert all(len(f) == 1 for f in folds.values())
    assert len({d.fold for d in docs}) == 10
    assert sum(d.split == "test" for d in docs) >= 15
    assert sum(d.split == "validation" for d in docs) >= 8
