"""The relation layer: schema, worksheets, gold from passes, scoring, baseline, validation."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from duikou.annotation.labelstudio import label_config
from duikou.annotation.relgold import disputes, gold_relations, pass_agreement
from duikou.annotation.relsheet import compile_relation_lines, handles, relation_sheet
from duikou.baselines.relations import relate
from duikou.dataset.features import documents_features
from duikou.errors import AnnotationError, SubmissionError
from duikou.eval.relations import relation_keys, score_relations
from duikou.eval.validate import validate_relation_predictions
from duikou.records import Relation, span_id
from duikou.schema import RELATION_NAMES, RELATIONS, relation_allowed
from duikou.spans import Span
from tests.helpers import raises_code

TEXT = "2021年，成都市锦江区投入资金300万元支援炉霍县，其中教育100万元。锦江区还帮扶了石渠县。"


def _sp(surface: str, label: str, after: int = 0) -> Span:
    i = TEXT.index(surface, after)
    return Span(i, i + len(surface), label)


DATE, DONOR, MONEY = _sp("2021年", "DATE"), _sp("成都市锦江区", "DONOR"), _sp("300万元", "MONEY")
LUHUO, PART = _sp("炉霍县", "RECIPIENT"), _sp("100万元", "MONEY")
DONOR2, SHIQU = _sp("锦江区", "DONOR", TEXT.index("。")), _sp("石渠县", "RECIPIENT")
SPANS = [DATE, DONOR, MONEY, LUHUO, PART, DONOR2, SHIQU]
GOLD = [
    Relation(span_id(DONOR), span_id(LUHUO), "AID"),
    Relation(span_id(DONOR), span_id(MONEY), "AMOUNT"),
    Relation(span_id(LUHUO), span_id(MONEY), "AMOUNT"),
    Relation(span_id(MONEY), span_id(DATE), "TIME"),
    Relation(span_id(PART), span_id(MONEY), "PART_OF"),
    Relation(span_id(DONOR2), span_id(SHIQU), "AID"),
]


def test_every_relation_type_is_in_the_config_and_the_features() -> None:
    config = label_config()
    for r in RELATIONS:
        assert f'<Relation value="{r.name}"/>' in config
    assert documents_features()["relations"].feature["type"].names == list(RELATION_NAMES)
    assert relation_allowed("AMOUNT", "RECIPIENT", "PEOPLE")
    assert not relation_allowed("AMOUNT", "PEOPLE", "RECIPIENT")
    assert not relation_allowed("TIME", "DONOR", "DATE")


def test_worksheet_handles_compile_back_to_span_ids() -> None:
    sheet = relation_sheet("d", TEXT, SPANS)
    named = handles(SPANS)
    assert "【e2 DONOR 成都市锦江区】" in sheet and named["e2"] == DONOR
    rels = compile_relation_lines(SPANS, ["AID e2 e4  # S1", "", "# comment",
                                          "PART_OF e5 e3"], doc_id="d", file="f")
    assert rels == [GOLD[0], GOLD[4]]


def test_worksheet_lines_that_break_the_schema_are_located() -> None:
    lines = ["AID e4 e2", "AMOUNT e2 e99", "AID e2", "HELPS e2 e4", "AID e2 e4", "AID e2 e4"]
    with raises_code(AnnotationError, "DK-REL-004", "DK-REL-001", "DK-REL-006", "DK-REL-003",
                     "DK-REL-002") as err:
        compile_relation_lines(SPANS, lines, doc_id="d", file="sheet.txt")
    assert "sheet.txt" in str(err.value) and "line 6" in str(err.value)


def test_gold_is_agreed_plus_decided_disputes_with_provenance() -> None:
    gold = {"d": SPANS}
    a = {"d": GOLD[:4]}
    b = {"d": GOLD[:3] + [GOLD[5]]}
    passes = {"R-S": a, "R-F": b}
    assert disputes(passes) == {"d": sorted([GOLD[3], GOLD[5]], key=lambda r: r.type)}
    with raises_code(AnnotationError, "DK-REL-008"):
        gold_relations(gold, passes, {})
    decisions = {("d", GOLD[3]): {"decision": "accept"}, ("d", GOLD[5]): {"decision": "reject"},
                 ("d", GOLD[4]): {"decision": "add"}}
    out = gold_relations(gold, passes, decisions)["d"]
    assert set(out) == set(GOLD[:5])
    prov = {r: r.provenance for r in out}
    assert prov[GOLD[0]] == "agreed" and prov[GOLD[3]] == "adjudicated"
    assert prov[GOLD[4]] == "revised"
    removed = gold_relations(gold, passes, {**decisions, ("d", GOLD[0]): {"decision": "remove"}})
    assert GOLD[0] not in removed["d"]
    with raises_code(AnnotationError, "DK-REL-009"):
        gold_relations(gold, passes, {**decisions, ("d", GOLD[0]): {"decision": "reject"}})
    with raises_code(AnnotationError, "DK-REL-009"):  # remove is for agreed relations only
        gold_relations(gold, passes, {**decisions, ("d", GOLD[3]): {"decision": "remove"}})
    agreement = pass_agreement(a, b)
    assert agreement["micro"]["tp"] == 3 and agreement["per_type"]["TIME"]["fn"] == 1


def test_entity_level_counts_a_relation_once_whichever_mention_carries_it() -> None:
    other_mention = [Relation(span_id(DONOR2), span_id(MONEY), "AMOUNT")]
    strict = score_relations({"d": (TEXT, SPANS, GOLD)}, {"d": (SPANS, GOLD[:1] + other_mention)})
    assert strict["strict"]["per_type"]["AMOUNT"]["tp"] == 0
    assert strict["entity"]["per_type"]["AMOUNT"]["tp"] == 1
    assert strict["entity"]["per_type"]["AID"]["tp"] == 1
    # 成都市锦江区 and 锦江区 are one entity: the two AIDs stay two (different recipients).
    assert len(relation_keys(TEXT, SPANS, GOLD, "entity")) == len(GOLD)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(GOLD), unique=True))
def test_scores_are_one_exactly_for_the_gold_and_monotone_in_recall(pred: list) -> None:
    res = score_relations({"d": (TEXT, SPANS, GOLD)}, {"d": (SPANS, pred)})
    for level in ("strict", "entity"):
        m = res[level]["micro"]
        assert m["fp"] == 0 and m["tp"] == len(set(relation_keys(TEXT, SPANS, pred, level)))
        assert (m["f1"] == 1.0) == (set(pred) == set(GOLD))


def test_rule_baseline_finds_the_flows_of_a_plain_sentence() -> None:
    got = set(relate(TEXT, SPANS))
    assert GOLD[0] in got and GOLD[1] in got and GOLD[3] in got and GOLD[5] in got
    assert Relation(span_id(PART), span_id(MONEY), "PART_OF") in got
    assert not any(r.head == r.tail for r in got)
    no_aid = "炉霍县地区生产总值217亿元。"
    spans = [Span(0, 3, "RECIPIENT"), Span(9, 15, "MONEY")]
    assert relate(no_aid, spans) == []


def test_relation_predictions_are_validated_against_their_own_spans(tmp_path: Path) -> None:
    ents = [{"start": s.start, "end": s.end, "label": s.label} for s in SPANS]
    good = {"id": "d", "entities": ents, "relations": [r.to_dict() for r in GOLD]}
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(good, ensure_ascii=False) + "\n", encoding="utf-8")
    spans, rels = validate_relation_predictions(path, {"d": TEXT})["d"]
    assert spans == sorted(SPANS) and rels == GOLD
    bad = dict(good, relations=[{"head": span_id(LUHUO), "tail": span_id(DONOR), "type": "AID"},
                                {"head": "0-1-DONOR", "tail": span_id(LUHUO), "type": "AID"},
                                "AID"])
    path.write_text(json.dumps(bad, ensure_ascii=False) + "\n", encoding="utf-8")
    with raises_code(SubmissionError, "DK-REL-004", "DK-REL-001", "DK-REL-006") as err:
        validate_relation_predictions(path, {"d": TEXT})
    assert "line 1" in str(err.value)


def test_ledger_rows_of_a_document_match_hand_written_rows(tmp_path: Path) -> None:
    from duikou.eval.ledger import document_rows, write_ledger
    from duikou.records import Document

    doc = Document("d", TEXT, "2021-12-01", spans=SPANS, relations=GOLD)
    rows = [(r.donor, r.recipient, r.kind, r.amount_text, r.value, r.unit, r.date,
             r.date_source, r.part_of, r.recipient_source) for r in document_rows(doc)]
    assert rows == [
        ("锦江区", "炉霍县", "money", "300万元", 3_000_000, "元", "2021", "relation", None,
         "relation"),
        # The part has no AMOUNT of its own here: it is not a flow row, only its total is.
        ("锦江区", "石渠县", "pairing", None, None, None, "2021-12-01", "document", None,
         "relation"),
    ]
    part_linked = GOLD + [Relation(span_id(DONOR), span_id(PART), "AMOUNT")]
    doc = Document("d", TEXT, "2021-12-01", spans=SPANS, relations=part_linked)
    part_row = next(r for r in document_rows(doc) if r.amount_text == "100万元")
    # 锦江区 helps two recipients, so the part's recipient cannot be inferred; it inherits
    # its total's date and names its total.
    assert (part_row.recipient, part_row.recipient_source, part_row.date, part_row.part_of) == (
        None, "none", "2021", span_id(MONEY))
    evil = Document("e<script>", "<b>锦江区</b>援助炉霍县", None,
                    spans=[Span(3, 6, "DONOR"), Span(12, 15, "RECIPIENT")],
                    relations=[Relation("3-6-DONOR", "12-15-RECIPIENT", "AID")])
    out = write_ledger([evil], tmp_path / "ledger", title="t")
    html_text = out["html"].read_text(encoding="utf-8")
    assert "<script>" not in html_text and "&lt;b&gt;锦江区&lt;/b&gt;" in html_text
    import pandas as pd
    frame = pd.read_parquet(out["parquet"])
    assert list(frame.donor) == ["锦江区"] and out["png"].stat().st_size > 1000


def test_audit_flags_what_the_mechanical_rules_of_section_9_forbid() -> None:
    from duikou.annotation.relgold import audit_document

    assert audit_document("d", TEXT, SPANS, GOLD) == []
    bad = [Relation(span_id(DONOR), span_id(SHIQU), "AID"),  # across sentences
           Relation(span_id(PART), span_id(DATE), "TIME"),  # PART carries no AMOUNT
           Relation(span_id(DONOR2), span_id(MONEY), "AMOUNT"),  # 锦江区 is 成都市锦江区
           *GOLD]
    codes = sorted(p.code for p in audit_document("d", TEXT, SPANS, bad))
    assert codes == ["DK-REL-010", "DK-REL-011", "DK-REL-012"]


def test_a_restated_flow_is_marked_and_summed_once() -> None:
    from duikou.eval.ledger import document_rows, money_by_flow
    from duikou.records import Document

    text = "锦江区援助炉霍县210万元。锦江区援助炉霍县210万元。"
    spans = [Span(0, 3, "DONOR"), Span(5, 8, "RECIPIENT"), Span(8, 13, "MONEY"),
             Span(14, 17, "DONOR"), Span(19, 22, "RECIPIENT"), Span(22, 27, "MONEY")]
    rels = [Relation(span_id(spans[i]), span_id(spans[j]), t) for i, j, t in (
        (0, 1, "AID"), (0, 2, "AMOUNT"), (1, 2, "AMOUNT"), (3, 4, "AID"), (3, 5, "AMOUNT"),
        (4, 5, "AMOUNT"))]
    rows = document_rows(Document("d", text, None, spans=spans, relations=rels))
    assert [r.repeat_of for r in rows] == [None, "8-13-MONEY"]
    assert money_by_flow(rows) == {("锦江区", "炉霍县"): 2_100_000}


def test_ledger_rows_of_a_corpus_document_match_rows_written_by_hand() -> None:
    """Document 113 (新華社, 2006-07-19: aid to the Three Gorges reservoir area): every figure
    is tied to its receiver only (the givers, 全國各有關省市 and 國務院各有關部委, are not
    spans), and the sentence gives no date, so the article's date stands in."""
    from duikou.dataset.reader import load_documents
    from duikou.eval.ledger import document_rows

    (doc,) = [d for d in load_documents() if d.id == "113_d7b48948a3bc38ce"]
    got = [(r.donor, r.recipient, r.kind, r.amount_text, r.value, r.unit, r.approx, r.date,
            r.date_source, r.recipient_source) for r in document_rows(doc)]
    # names are grouped on Simplified forms: 湖北省三峽庫區 is the chain 湖北省 › 三峡库区
    area, date = "三峡库区", "2006-07-19"
    assert got == [
        (None, area, "money", "23億多元", 2_300_000_000, "元", "over", date, "document",
         "relation"),
        (None, area, "money", "230多億元", 23_000_000_000, "元", "over", date, "document",
         "relation"),
        (None, area, "items", "近3000個", 3000, "个", "nearly", date, "document", "relation"),
        (None, "三峡", "people", "14萬多人", 140_000, "人", "over", date, "document",
         "relation"),
    ]


def test_a_shared_figure_is_one_joint_flow_and_equal_counts_are_not_restatements() -> None:
    from duikou.eval.ledger import document_rows, money_by_flow
    from duikou.records import Document

    text = "甲市和乙市援助丙县300万元。甲市援建丙县3所高中。甲市援建丙县3所职校。"
    sp = [Span(0, 2, "DONOR"), Span(3, 5, "DONOR"), Span(7, 9, "RECIPIENT"),
          Span(9, 14, "MONEY"), Span(15, 17, "DONOR"), Span(19, 21, "RECIPIENT"),
          Span(21, 23, "COUNT"), Span(26, 28, "DONOR"), Span(30, 32, "RECIPIENT"),
          Span(32, 34, "COUNT")]
    rel = [Relation(span_id(sp[i]), span_id(sp[j]), t) for i, j, t in (
        (0, 2, "AID"), (1, 2, "AID"), (0, 3, "AMOUNT"), (1, 3, "AMOUNT"), (2, 3, "AMOUNT"),
        (4, 6, "AMOUNT"), (5, 6, "AMOUNT"), (7, 9, "AMOUNT"), (8, 9, "AMOUNT"))]
    rows = document_rows(Document("d", text, None, spans=sp, relations=rel))
    money = [r for r in rows if r.kind == "money"]
    assert len(money) == 2 and {r.figure_id for r in money} == {"9-14-MONEY"}
    assert {(r.joint_donors, r.joint_recipients) for r in money} == {("乙市+甲市", "丙县")}
    assert money_by_flow(rows) == {("乙市+甲市", "丙县"): 3_000_000}  # once, not twice
    counts = [r for r in rows if r.kind == "items"]
    assert [r.repeat_of for r in counts] == [None, None]  # 3所 高中 and 3所 职校 differ


def test_traditional_and_glossed_mentions_of_one_place_are_one_ledger_entity() -> None:
    from duikou.eval.ledger import document_rows
    from duikou.records import Document

    text = "廣東援建綿虒鎮(zhèn)學校。廣東向綿虒捐贈100萬元。"
    sp = [Span(0, 2, "DONOR"), Span(4, 13, "RECIPIENT"), Span(16, 18, "DONOR"),
          Span(19, 21, "RECIPIENT"), Span(23, 28, "MONEY")]
    rel = [Relation(span_id(sp[0]), span_id(sp[1]), "AID"),
           Relation(span_id(sp[2]), span_id(sp[4]), "AMOUNT"),
           Relation(span_id(sp[3]), span_id(sp[4]), "AMOUNT")]
    rows = document_rows(Document("d", text, None, spans=sp, relations=rel))
    assert [(r.donor, r.recipient, r.kind) for r in rows] == [("广东", "绵虒镇", "money")]


def test_entity_level_scoring_groups_traditional_and_glossed_mentions_as_the_ledger() -> None:
    text = "廣東援建綿虒鎮(zhèn)學校。廣東向綿虒捐贈100萬元。"
    sp = [Span(0, 2, "DONOR"), Span(4, 13, "RECIPIENT"), Span(16, 18, "DONOR"),
          Span(19, 21, "RECIPIENT"), Span(23, 28, "MONEY")]
    gold = [Relation(span_id(sp[0]), span_id(sp[1]), "AID")]
    # the system linked the other mention of the same place (綿虒 for 綿虒鎮(zhèn))
    pred = [Relation(span_id(sp[2]), span_id(sp[3]), "AID")]
    res = score_relations({"d": (text, sp, gold)}, {"d": (sp, pred)})
    assert res["strict"]["micro"]["tp"] == 0
    assert res["entity"]["micro"]["tp"] == 1 and res["entity"]["micro"]["fp"] == 0
    assert relation_keys(text, sp, gold, "entity") == {("DONOR:广东", "RECIPIENT:绵虒镇", "AID")}


def test_a_part_whose_total_has_no_row_is_summed() -> None:
    from duikou.eval.ledger import document_rows
    from duikou.records import Document

    text = "总投资1亿元,其中甲市援助乙县2000万元。"
    sp = [Span(3, 6, "MONEY"), Span(9, 11, "DONOR"), Span(13, 15, "RECIPIENT"),
          Span(15, 21, "MONEY")]
    rel = [Relation(span_id(sp[1]), span_id(sp[2]), "AID"),
           Relation(span_id(sp[1]), span_id(sp[3]), "AMOUNT"),
           Relation(span_id(sp[2]), span_id(sp[3]), "AMOUNT"),
           Relation(span_id(sp[3]), span_id(sp[0]), "PART_OF")]
    (row,) = [r for r in document_rows(Document("d", text, None, spans=sp, relations=rel))
              if r.kind == "money"]
    assert row.amount_text == "2000万元" and row.part_of is None


def test_ledger_of_a_hand_edited_corpus_with_a_dangling_relation_is_a_located_error(
        tmp_path: Path, capsys) -> None:
    import shutil

    from duikou.app.cli import main

    corpus = tmp_path / "corpus"
    shutil.copytree(Path(__file__).resolve().parent.parent / "corpus", corpus)
    test = corpus / "data" / "documents" / "test.jsonl"
    lines = test.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    first["relations"][0]["head"] = "0-1-DONOR"  # no such span
    lines[0] = json.dumps(first, ensure_ascii=False)
    test.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["ledger", "--gold", "--corpus", str(corpus), "--out", str(tmp_path / "l")]) == 2
    err = capsys.readouterr().err
    assert "DK-REL-001" in err and first["id"] in err


def test_drawing_the_ledger_leaves_matplotlibs_settings_as_they_were(tmp_path) -> None:
    """The CJK font is set for the ledger picture only: a later picture in the same process
    (the corpus build's label distribution) must render as it would alone."""
    import matplotlib.pyplot as plt

    from duikou.eval.ledger import picture

    before = list(plt.rcParams["font.family"])
    picture([], tmp_path / "l.png")
    assert list(plt.rcParams["font.family"]) == before and (tmp_path / "l.png").is_file()
