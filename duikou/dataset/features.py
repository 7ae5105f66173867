"""Hugging Face ``Features`` of the two dataset configs, generated from the label schema.

``datasets`` is imported inside each function: it takes ~0.5 s to import, and the modules
that import this one (the corpus build, and through it training and prediction) must not
pay that, nor need ``datasets`` installed, unless features are actually made."""

from __future__ import annotations

from typing import TYPE_CHECKING

from duikou.schema import BIO_TAGS, LABEL_NAMES, RELATION_NAMES

if TYPE_CHECKING:
    from datasets import Features


def entity_feature() -> dict:
    from datasets import ClassLabel, Value

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
    from datasets import ClassLabel, Value

    return {
        "head": Value("string"),
        "tail": Value("string"),
        "type": ClassLabel(names=list(RELATION_NAMES)),
        "provenance": Value("string"),
    }


def documents_features() -> Features:
    from datasets import Features, List, Value

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
    from datasets import ClassLabel, Features, List, Value

    return Features({
        "id": Value("string"),
        "doc_id": Value("string"),
        "fold": Value("int32"),
        "start": Value("int32"),
        "tokens": List(Value("string")),
        "ner_tags": List(ClassLabel(names=list(BIO_TAGS))),
    })


CONFIG_FEATURES = {"documents": documents_features, "sentences": sentences_features}
