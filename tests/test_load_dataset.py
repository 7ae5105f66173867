"""Load the dataset through the real ``datasets.load_dataset`` in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import yaml

from duikou.dataset.build import build
from tests.helpers import sample_gold, v1_seeds

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r"""
import json, sys, datasets
docs = datasets.load_dataset(sys.argv[1])
sents = datasets.load_dataset(sys.argv[2], "sentences")
tagf = sents["train"].features["ner_tags"].feature
labf = docs["train"].features["entities"].feature["label"]
out = {
  "splits": {k: v.num_rows for k, v in docs.items()},
  "sent_rows": sum(v.num_rows for v in sents.values()),
  "tags": tagf.names,
  "ents": [[e["start"], e["end"], labf.int2str(e["label"]), e["text"], e["value"], e["unit"]]
           for split in docs.values() for d in split for e in d["entities"]],
  "texts": {d["id"]: d["text"] for split in docs.values() for d in split},
  "bio": [[s["start"], [tagf.int2str(t) for t in s["ner_tags"]], "".join(s["tokens"])]
          for s in sents["train"]],
}
print(json.dumps(out, ensure_ascii=False))
"""


def _load(cwd: Path, first: str, second: str, cache: Path) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_CACHE": str(cache)}
    res = subprocess.run([sys.executable, "-c", SCRIPT, first, second], cwd=cwd, env=env,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    # the card's dataset_info is complete, so datasets uses it (and checks the row counts)
    assert "Ignoring part of dataset_info" not in res.stderr, res.stderr[-3000:]
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_repository_corpus_loads_by_relative_and_absolute_path(tmp_path):
    got = _load(ROOT, "corpus", str(ROOT / "corpus"), tmp_path / "cache")
    card = (ROOT / "corpus" / "README.md").read_text(encoding="utf-8")
    info = yaml.safe_load(card.split("---\n")[1])["dataset_info"]
    docs_info = next(c for c in info if c["config_name"] == "documents")
    recorded = {s["name"]: s["num_examples"] for s in docs_info["splits"]}
    assert got["splits"] == recorded  # what load_dataset sees is what the card says
    for s in docs_info["splits"]:
        assert s["num_bytes"] == (ROOT / "corpus" / "data" / "documents" /
                                  f"{s['name']}.jsonl").stat().st_size
    assert got["splits"]["test"] >= 15 and got["splits"]["validation"] >= 8
    assert got["sent_rows"] > 1000
    from duikou.schema import BIO_TAGS

    assert got["tags"] == list(BIO_TAGS)


def test_loaded_spans_and_bio_agree_with_the_text(tmp_path):
    seeds = v1_seeds(tmp_path / "seeds")
    sample_gold(seeds, tmp_path / "gold.jsonl")
    out = build(tmp_path / "corpus", seeds=seeds, annotations=tmp_path / "gold.jsonl")
    got = _load(tmp_path, "corpus", str(out), tmp_path / "cache")
    texts = got["texts"]
    assert ["2022年6月", "DATE"] in [[e[3], e[2]] for e in got["ents"]]
    money = next(e for e in got["ents"] if e[3] == "210万元")
    assert money[4] == 2100000 and money[5] == "元"
    assert any(s[1].count("B-MONEY") for s in got["bio"])
    for _start, tags, sentence in got["bio"]:
        assert len(tags) == len(sentence)
    for e in got["ents"]:
        assert any(t[e[0]:e[1]] == e[3] for t in texts.values())
    assert json.dumps(got, ensure_ascii=False)


RELOAD = r"""
import collections, json, sys, datasets
docs = datasets.load_dataset("corpus")
sents = datasets.load_dataset("corpus", "sentences")
lab = docs["train"].features["entities"].feature["label"]
tag = sents["train"].features["ner_tags"].feature
print(json.dumps({
  "labels": sorted(lab.int2str(e["label"]) for s in docs.values() for d in s
                   for e in d["entities"]),
  "tags": collections.Counter(tag.int2str(t) for s in sents.values() for r in s
                              for t in r["ner_tags"]),
}))
"""


def _reload(cwd: Path, cache: Path) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
           "HF_DATASETS_CACHE": str(cache)}
    res = subprocess.run([sys.executable, "-c", RELOAD], cwd=cwd, env=env,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    # the card's dataset_info is complete, so datasets uses it (and checks the row counts)
    assert "Ignoring part of dataset_info" not in res.stderr, res.stderr[-3000:]
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_a_rebuild_is_seen_by_load_dataset_through_a_warm_cache(tmp_path):
    """datasets keys its cache of a local folder by the card's YAML (configs, dataset_info),
    not by the data files: a rebuild that changes a label but no row count used to come back
    as the earlier build's rows. The card now carries each config's data hash."""
    from duikou.annotation.gold import annotation_record, write_annotations
    from duikou.ingest.sources import load_sources

    seeds = v1_seeds(tmp_path / "seeds")
    gold = sample_gold(seeds, tmp_path / "gold.jsonl")
    out = build(tmp_path / "corpus", seeds=seeds, annotations=tmp_path / "gold.jsonl")
    first = _reload(tmp_path, tmp_path / "cache")
    assert first["labels"].count("DONOR") == 3 and "LOC" not in first["labels"]

    texts = {d.id: d.text for d in load_sources(seeds)}
    relabelled = {doc: [replace(s, label="LOC") if s.text == "锦江区" else s for s in spans]
                  for doc, spans in gold.items()}
    write_annotations(tmp_path / "gold.jsonl",
                      [annotation_record(d, texts[d], s) for d, s in relabelled.items()])
    build(out, seeds=seeds, annotations=tmp_path / "gold.jsonl")  # same rows, one label
    second = _reload(tmp_path, tmp_path / "cache")
    assert second["labels"].count("DONOR") == 2 and second["labels"].count("LOC") == 1
    assert second["tags"]["B-LOC"] == first["tags"].get("B-LOC", 0) + 1

    cached = _cache_dirs(tmp_path / "cache")
    build(out, seeds=seeds, annotations=tmp_path / "gold.jsonl")  # unchanged: cache reused
    assert _reload(tmp_path, tmp_path / "cache") == second
    assert _cache_dirs(tmp_path / "cache") == cached


def _cache_dirs(cache: Path) -> list[str]:
    """The prepared datasets in an HF_DATASETS_CACHE (name/config/version/hash folders)."""
    return sorted(str(p.relative_to(cache)) for p in cache.glob("*/*/*/*") if p.is_dir())
