from duikou.ingest.segment import sentence_spans
from duikou.spans import Span


def _texts(text, spans=()):
    return [text[a:b] for a, b in sentence_spans(text, spans)]


def test_closing_quote_stays_with_its_sentence():
    assert _texts("他说:“我们来了。你们呢？”然后走了。") == ["他说:“我们来了。你们呢？”", "然后走了。"]


def test_terminator_inside_open_quote_does_not_split():
    assert _texts("“哇!好多图书啊,还有绘本。”五月中旬,活动开展。") == [
        "“哇!好多图书啊,还有绘本。”", "五月中旬,活动开展。"]


def test_headings_and_list_items_without_punctuation():
    assert _texts("一\n医疗帮扶\n指导重点科室建设。开展培训") == [
        "一", "医疗帮扶", "指导重点科室建设。", "开展培训"]


def test_ellipsis_mid_line_does_not_split_but_line_end_does():
    assert _texts("送教入校……在這場幫扶中。\n……\n下一段。") == [
        "送教入校……在這場幫扶中。", "……", "下一段。"]


def test_repeated_terminators_and_whitespace():
    assert _texts("  真的吗？！ 是的。  ") == ["真的吗？！", "是的。"]


def test_sentences_never_cut_through_a_span():
    text = "甲说。乙来。丙去。"
    assert _texts(text, [Span(1, 4, "PER")]) == ["甲说。乙来。", "丙去。"]


def test_offsets_cover_text_in_order():
    text = "第一句。第二句！\n标题\n第三句?"
    spans = sentence_spans(text)
    assert spans == sorted(spans)
    assert all(a < b for a, b in spans)
    assert "".join(text[a:b] for a, b in spans) == text.replace("\n", "")
