"""Load the dataset through the real ``datasets.load_dataset`` in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_repository_corpus_loads_by_relative_and_absolute_path(tmp_path):
    got = _load(ROOT, "corpus", str(ROOT / "corpus"), tmp_path / "cache")
    card = (ROOT / "corpus" / "README.md").read_text(encoding="utf-8")
    docs_info = card.split("config_name: documents", 2)[2].split("config_name:")[0]
    for split, n in got["splits"].items():  # what load_dataset sees is what the card says
        assert f"name: {split}\n    num_examples: {n}" in docs_info
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
