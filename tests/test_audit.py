"""The gold consistency audit: each check finds what it should and nothing else."""

from __future__ import annotations

import json
from pathlib import Path

from duikou.annotation.audit import audit, audit_document, read_justified
from duikou.errors import AnnotationError
from duikou.spans import Span
from tests.helpers import raises_code

TEXT = "锦江区向炉霍县捐赠210万元。锦江区教师赴炉霍，第6批队员胡军书记到“炉霍县”。"


def _span(surface: str, label: str, k: int = 1) -> Span:
    pos = -1
    for _ in range(k):
        pos = TEXT.index(surface, pos + 1)
    return Span(pos, pos + len(surface), label, surface)


def _checks(spans: list[Span]) -> list[tuple[str, str]]:
    return [(h.check, h.text) for h in audit_document("d", TEXT, spans)]


def test_clean_annotation_only_leaves_the_ordinal() -> None:
    spans = [_span("锦江区", "DONOR"), _span("炉霍县", "RECIPIENT"), _span("210万元", "MONEY"),
             _span("锦江区", "DONOR", 2), _span("炉霍", "RECIPIENT", 2), _span("胡军", "PER"),
             _span("炉霍县", "RECIPIENT", 2)]
    assert _checks(spans) == [("digit-outside", "6")]


def test_each_check_fires() -> None:
    spans = [_span("锦江区", "DONOR"), _span("炉霍县", "RECIPIENT"),
             _span("锦江区", "ORG", 2), _span("胡军书记", "PER"), _span("“炉霍县”", "LOC")]
    got = _checks(spans)
    assert ("label-conflict", "锦江区") in got
    assert ("digit-outside", "210") in got
    assert ("edge", "胡军书记") in got and ("edge", "“炉霍县”") in got
    unannotated = [t for c, t in got if c == "unannotated-mention"]
    assert unannotated == []  # the second 炉霍县 lies inside the quoted span


def test_unannotated_mention_of_a_party() -> None:
    spans = [_span("锦江区", "DONOR"), _span("210万元", "MONEY")]
    got = _checks(spans)
    assert ("unannotated-mention", "锦江区") in got


def test_justified_hits_are_not_open(tmp_path: Path) -> None:
    spans = [_span("210万元", "MONEY")]
    hit = next(h for h in audit_document("d", TEXT, spans) if h.check == "digit-outside")
    path = tmp_path / "j.jsonl"
    path.write_text(json.dumps({"doc": "d", "check": hit.check, "start": hit.start,
                                "end": hit.end, "reason": "ordinal (G15)"}) + "\n")
    open_hits, n = audit({"d": TEXT}, {"d": spans}, read_justified(path))
    assert n == 1 and hit not in open_hits


def test_a_justification_without_reason_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    path.write_text('{"doc": "d", "check": "edge", "start": 1, "end": 2}\n')
    with raises_code(AnnotationError, "DK-ANN-024"):
        read_justified(path)



def test_names_may_start_with_a_lead_in_character_figures_may_not() -> None:
    text = "援助和田县。共计210万元。"
    spans = [Span(2, 5, "RECIPIENT"), Span(6, 13, "MONEY")]
    got = [(h.check, h.text) for h in audit_document("d", text, spans)]
    assert got == [("edge", "共计210万元")]
