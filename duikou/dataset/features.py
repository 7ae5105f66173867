"""Hugging Face ``Features`` of the two dataset configs, generated from the label schema."""

from __future__ import annotations

from datasets import ClassLabel, Features, List, Value

from duikou.schema import BIO_TAGS, LABEL_NAMES, RELATION_NAMES


def entity_feature() -> dict:
    return {
        "start": Value("int32"),
        "end": Value("int32"),
        "label": ClassLabel(names=list(LABEL_NAMES)),
        "text": Value("string"),
        "value": Value("float64"),
        "value_max": Value("float64"),
        "unit": Value("string"),
        "approx": Value("string"),
        "date": Value("string"),
        "provenance": Value("string"),
    }


def relation_feature() -> dict:
    """A relation between two entities of the same row, by span id ``start-end-LABEL``."""
    return {
        "head": Value("string"),
        "tail": Value("string"),
        "type": ClassLabel(names=list(RELATION_NAMES)),
        "provenance": Value("string"),
    }


def documents_features() -> Features:
    return Features({
        "id": Value("string"),
        "title": Value("string"),
        "date": Value("string"),
        "source": Value("string"),
        "script": Value("string"),
        "fold": Value("int32"),
        "text": Value("string"),
        "entities": List(entity_feature()),
        "relations": List(relation_feature()),
        "raw_file": Value("string"),
        "raw_sha256": Value("string"),
        "text_sha256": Value("string"),
        "offset_map": List(List(Value("int32"))),
    })


def sentences_features() -> Features:
    return Features({
        "id": Value("string"),
        "doc_id": Value("string"),
        "fold": Value("int32"),
        "start": Value("int32"),
        "tokens": List(Value("string")),
        "ner_tags": List(ClassLabel(names=list(BIO_TAGS))),
    })


CONFIG_FEATURES = {"documents": documents_features, "sentences": sentences_features}
