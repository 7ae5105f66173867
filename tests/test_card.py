"""The dataset card parses as a Hugging Face card, has the datasheet sections, and links
to a licence inside the dataset folder (which is what gets uploaded)."""

from __future__ import annotations

from pathlib import Path

from huggingface_hub import DatasetCard

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def test_the_card_header_parses_and_has_the_required_fields():
    card = DatasetCard.load(CORPUS / "README.md")
    data = card.data.to_dict()
    for field in ("pretty_name", "language", "license", "license_link", "task_categories",
                  "configs", "dataset_info"):
        assert data.get(field), field
    assert (CORPUS / data["license_link"]).is_file(), "licence link leaves corpus/"
    assert (CORPUS / data["license_link"]).read_bytes() == (ROOT / "LICENSE-DATA").read_bytes()
    for info in data["dataset_info"]:
        assert {s["name"] for s in info["splits"]} == {"train", "validation", "test"}


def test_the_built_card_carries_its_splits_sizes(sample_corpus):
    card = DatasetCard.load(sample_corpus / "README.md").data.to_dict()
    docs = next(i for i in card["dataset_info"] if i["config_name"] == "documents")
    n = sum(s["num_examples"] for s in docs["splits"])
    assert n == sum(1 for f in (sample_corpus / "data" / "documents").glob("*.jsonl")
                    for line in f.read_text(encoding="utf-8").splitlines() if line)
