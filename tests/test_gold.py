from __future__ import annotations

import json

import pytest

from duikou.annotation.gold import annotation_record, read_annotations
from duikou.errors import AnnotationError
from duikou.ingest.clean import sha256_text
from duikou.spans import Span
from tests.helpers import raises_code

TEXTS = {"d1": "锦江区援助炉霍县210万元", "d2": "思明区帮扶临夏市", "d3": "无"}


def _write(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")


def test_every_problem_is_reported_with_document_and_offsets(tmp_path):
    sha = sha256_text(TEXTS["d1"])
    records = [
        {"id": "d1", "text_sha256": sha, "entities": [
            {"start": 0, "end": 3, "label": "DONOR", "text": "锦江区"},
            {"start": 2, "end": 5, "label": "ORG", "text": "区援助"},          # overlap
            {"start": 8, "end": 99, "label": "MONEY", "text": "210万元"},     # beyond text
            {"start": 5, "end": 8, "label": "RECIPIENT", "text": "炉霍"},     # text mismatch
            {"start": 8, "end": 13, "label": "CASH", "text": "210万元"},      # unknown label
        ]},
        {"id": "d2", "text_sha256": sha256_text(TEXTS["d2"]), "entities": []},
        {"id": "d2", "text_sha256": sha256_text(TEXTS["d2"]), "entities": []},  # duplicate
        {"id": "zz", "text_sha256": "x", "entities": []},                      # unknown doc
    ]
    path = tmp_path / "bad.jsonl"
    _write(path, records)
    before = path.read_bytes()
    with pytest.raises(AnnotationError) as exc:
        read_annotations(path, TEXTS)
    msg = str(exc.value)
    for needle in ("overlaps span [0, 3)", "offsets [8, 99)", "does not match",
                   "unknown label 'CASH'", "duplicate document", "document zz",
                   "document d3", "missing"):
        assert needle in msg, needle
    assert "document d1" in msg and str(path) in msg
    assert path.read_bytes() == before


def test_malformed_json_line_is_located(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "d1", \n', encoding="utf-8")
    with raises_code(AnnotationError, "DK-JSON-003"):
        read_annotations(path, TEXTS, require_all=False)


def test_valid_file_round_trips(tmp_path):
    path = tmp_path / "ok.jsonl"
    spans = [Span(0, 3, "DONOR", "锦江区", {"provenance": "manual"})]
    _write(path, [annotation_record("d1", TEXTS["d1"], spans)])
    got = read_annotations(path, TEXTS, require_all=False)
    assert got["d1"] == spans and got["d1"][0].attrs == {"provenance": "manual"}
