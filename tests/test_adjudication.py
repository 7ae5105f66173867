from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from duikou.annotation.adjudication import adjudicate
from duikou.annotation.gold import annotation_record, read_annotations, write_annotations
from duikou.errors import AnnotationError
from duikou.spans import Span

TEXTS = {"d1": "锦江区援助炉霍县210万元"}
ROOT = Path(__file__).resolve().parent.parent


def _passes(tmp_path):
    a = [Span(0, 3, "DONOR"), Span(5, 8, "RECIPIENT"), Span(8, 13, "MONEY")]
    b = [Span(0, 3, "DONOR"), Span(5, 8, "LOC")]
    paths = []
    for name, spans in (("A", a), ("B", b)):
        p = tmp_path / f"{name}.jsonl"
        write_annotations(p, [annotation_record("d1", TEXTS["d1"], spans, annotator=name)])
        paths.append(p)
    return paths


def _decide(tmp_path, rows):
    p = tmp_path / "adj.jsonl"
    p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return p


def test_undecided_disputes_are_listed(tmp_path):
    with pytest.raises(AnnotationError) as exc:
        adjudicate(_passes(tmp_path), tmp_path / "none.jsonl", TEXTS, tmp_path / "gold.jsonl")
    assert exc.value.codes == ["DK-ANN-002"] * 3 and "offsets [5, 8)" in str(exc.value)
    assert not (tmp_path / "gold.jsonl").exists()


def test_decisions_make_the_gold_with_provenance(tmp_path):
    rows = [{"id": "d1", "start": 5, "end": 8, "label": "RECIPIENT", "decision": "accept",
             "rule": "§5"},
            {"id": "d1", "start": 5, "end": 8, "label": "LOC", "decision": "reject",
             "rule": "§5"},
            {"id": "d1", "start": 8, "end": 13, "label": "MONEY", "decision": "accept",
             "rule": "G13"}]
    out = tmp_path / "gold.jsonl"
    counts = adjudicate(_passes(tmp_path), _decide(tmp_path, rows), TEXTS, out)
    assert counts == {"passes": ["A", "B"], "documents": 1, "disputes": 3, "agreed": 1,
                      "adjudicated": 2, "rejected": 1, "revised_in": 0, "revised_out": 0}
    gold = read_annotations(out, TEXTS)["d1"]
    assert [(s.key, s.attrs["provenance"]) for s in gold] == [
        ((0, 3, "DONOR"), "agreed"), ((5, 8, "RECIPIENT"), "adjudicated"),
        ((8, 13, "MONEY"), "adjudicated")]


def test_committed_gold_is_what_passes_and_log_say(tmp_path):
    from duikou.ingest.sources import load_sources

    texts = {d.id: d.text for d in load_sources(ROOT / "seeds")}
    passes = sorted((ROOT / "annotation/passes/compiled").glob("*.jsonl"))
    out = tmp_path / "gold.jsonl"
    adjudicate(passes, ROOT / "annotation/adjudication.jsonl", texts, out)
    assert out.read_bytes() == (ROOT / "annotation/gold.jsonl").read_bytes()


def test_compiled_passes_are_what_the_sheets_say(tmp_path):
    """annotation/passes/compiled/X.jsonl is exactly `duikou annotation compile` of X's sheets."""
    from duikou.app.cli import main

    for name in ("A", "B", "C"):
        out = tmp_path / f"{name}.jsonl"
        assert main(["annotation", "compile", str(ROOT / "annotation/passes" / name),
                     "--out", str(out), "--annotator", name]) == 0
        assert out.read_bytes() == (ROOT / "annotation/passes/compiled" / f"{name}.jsonl").read_bytes()


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_sheet_lines_compile_back_to_the_spans(data) -> None:
    from duikou.annotation.worksheet import compile_lines, sheet_lines
    from duikou.ingest.segment import sentence_spans

    text = data.draw(st.text(alphabet="锦江炉霍援。，县", min_size=1, max_size=30))
    sents = sentence_spans(text)
    spans, used = [], set()
    for a, b in sents:
        if b - a >= 2 and data.draw(st.booleans()):
            s = data.draw(st.integers(a, b - 2))
            e = data.draw(st.integers(s + 1, min(b, s + 4)))
            if not used & set(range(s, e)):
                spans.append(Span(s, e, "LOC", text[s:e]))
                used |= set(range(s, e))
    try:
        lines = sheet_lines(text, spans)
    except ValueError:
        return  # overlapping own-surface occurrence: refused, not mis-encoded
    back = compile_lines(text, lines, doc_id="d", file="f")
    assert [x.key for x in back] == sorted(x.key for x in spans)


def test_batches_of_documents_are_decided_by_their_own_passes(tmp_path):
    texts = {**TEXTS, "d2": "厦门市向临夏市捐赠5万元"}
    batch1 = _passes(tmp_path)  # A and B annotate d1
    paths = []
    for name in ("S", "L"):  # a later batch: S and L annotate d2, and agree
        p = tmp_path / f"{name}.jsonl"
        write_annotations(p, [annotation_record(
            "d2", texts["d2"], [Span(0, 3, "DONOR"), Span(4, 7, "RECIPIENT")], annotator=name)])
        paths.append(p)
    rows = [{"id": "d1", "start": 5, "end": 8, "label": lab, "decision": dec, "rule": "§5"}
            for lab, dec in (("RECIPIENT", "accept"), ("LOC", "reject"))]
    rows.append({"id": "d1", "start": 8, "end": 13, "label": "MONEY", "decision": "accept",
                 "rule": "G13"})
    out = tmp_path / "gold.jsonl"
    counts = adjudicate(batch1 + paths, _decide(tmp_path, rows), texts, out)
    assert counts["documents"] == 2 and counts["disputes"] == 3 and counts["agreed"] == 3
    assert [s.key for s in read_annotations(out, texts)["d2"]] == [(0, 3, "DONOR"),
                                                                  (4, 7, "RECIPIENT")]


def test_a_document_with_one_pass_cannot_be_adjudicated(tmp_path):
    texts = {**TEXTS, "d2": "厦门市向临夏市捐赠5万元"}
    lone = tmp_path / "S.jsonl"
    write_annotations(lone, [annotation_record("d2", texts["d2"], [], annotator="S")])
    with pytest.raises(AnnotationError) as exc:
        adjudicate([lone], tmp_path / "none.jsonl", texts, tmp_path / "gold.jsonl")
    assert "DK-ANN-025" in exc.value.codes


def test_revisions_may_change_agreed_spans_and_add_unmarked_ones(tmp_path):
    rows = [{"id": "d1", "start": 5, "end": 8, "label": lab, "decision": dec, "rule": "§5"}
            for lab, dec in (("RECIPIENT", "accept"), ("LOC", "reject"))]
    rows += [{"id": "d1", "start": 8, "end": 13, "label": "MONEY", "decision": "accept",
              "rule": "G13"},
             {"id": "d1", "start": 0, "end": 3, "label": "DONOR", "decision": "reject",
              "rule": "V6", "revision": True},
             {"id": "d1", "start": 0, "end": 3, "label": "ORG", "decision": "accept",
              "rule": "V6", "revision": True}]
    out = tmp_path / "gold.jsonl"
    counts = adjudicate(_passes(tmp_path), _decide(tmp_path, rows), TEXTS, out)
    assert (counts["revised_in"], counts["revised_out"], counts["agreed"]) == (1, 1, 0)
    gold = read_annotations(out, TEXTS)["d1"]
    assert [(s.key, s.attrs["provenance"]) for s in gold][0] == ((0, 3, "ORG"), "revised")
    rows[-1].pop("revision")
    with pytest.raises(AnnotationError) as exc:
        adjudicate(_passes(tmp_path), _decide(tmp_path, rows), TEXTS, out)
    assert exc.value.codes == ["DK-ANN-003"]


def test_realigned_sheet_lines_follow_their_sentences():
    from duikou.annotation.worksheet import compile_lines, realign_lines

    old = ["记者 王某 摄", "锦江区援助炉霍县。", "投入210万元。"]
    new_text = "锦江区援助炉霍县。投入210万元。"  # the credit line was removed
    lines = ["# parties", "2\tDONOR\t锦江区", "3\tMONEY\t210万元"]
    moved = realign_lines(old, new_text, lines, doc_id="d", file="f")
    assert moved == ["# parties", "1\tDONOR\t锦江区", "2\tMONEY\t210万元"]
    spans = compile_lines(new_text, moved, doc_id="d", file="f")
    assert [new_text[s.start:s.end] for s in spans] == ["锦江区", "210万元"]
    with pytest.raises(AnnotationError) as exc:
        realign_lines(old, new_text, ["1\tPER\t王某"], doc_id="d", file="f")
    assert exc.value.codes == ["DK-ANN-026"]
