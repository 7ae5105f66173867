"""HTML → text extraction: markup never leaks into the text, offsets stay exact, and bad
input gets a located error instead of a crash."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import duikou.ingest.html
from duikou.errors import IngestError
from duikou.ingest.clean import ingest_bytes
from duikou.ingest.html import html_to_text
from tests.helpers import raises_code


def assert_contract(source: str, text: str, positions: list[int]) -> None:
    """Equal lengths; positions increase (a reference's characters share its ``&``); each
    character is its source character, a space for a source tab/CR/LF, ``\\n`` for a block
    tag's ``<``, or comes from a reference at ``&``."""
    assert len(positions) == len(text)
    for a, b in zip(positions, positions[1:]):
        assert a < b or (a == b and source[a] == "&"), (a, b)
    for ch, p in zip(text, positions):
        raw = source[p]
        assert (ch == raw or (ch == " " and raw in "\t\r\n") or (ch == "\n" and raw == "<")
                or raw == "&"), (ch, raw, p)


def extract(source: str) -> str:
    text, positions = html_to_text(source)
    assert_contract(source, text, positions)
    return text


def test_doctests():
    assert doctest.testmod(duikou.ingest.html).failed == 0


def test_doctype_produces_no_text():
    assert extract('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x.dtd"><p>正文</p>') \
        == "\n正文\n"


def test_xml_declaration_and_processing_instructions_produce_no_text():
    assert extract('<?xml version="1.0" encoding="utf-8"?>甲<?php echo 1; ?>乙') == "甲乙"
    # as in HTML5, a processing instruction ends at the first ">"
    assert extract('<?php echo "<b>"; ?>乙') == '"; ?>乙'


def test_cdata_section_is_dropped_whole():
    assert extract("甲<![CDATA[ if (a > b && c) { x = '<p>'; } ]]>乙") == "甲乙"


def test_office_conditional_sections_are_dropped():
    assert extract("<![if !supportLists]>·<![endif]>甲<![foo]>乙") == "·甲乙"


@pytest.mark.parametrize("tag, text", [
    ('<a title="a>b" href=x>', "甲乙"), ("<a title='a>b' href=x>", "甲乙"),
    ('<img alt="1 > 0" src="x.png"/>', "甲乙"), ("<P class='x>y'>", "甲\n乙"),
])
def test_greater_than_inside_a_quoted_attribute_stays_markup(tag, text):
    assert extract(f"甲{tag}乙") == text


def test_greater_than_in_quoted_attribute_maps_text_back():
    source = '<div data-x="a>b">援建资金</div>'
    text, positions = html_to_text(source)
    i = text.index("援建资金")
    assert source[positions[i]:positions[i] + 4] == "援建资金"


def test_an_unclosed_comment_is_a_located_error():
    source = "<p>甲</p><!-- 广告 <p>乙</p>"
    with raises_code(IngestError, "DK-INGEST-017") as info:
        html_to_text(source, file="a.html")
    (problem,) = info.value.problems
    assert (problem.file, problem.start, problem.end) == ("a.html", 8, len(source))


def test_comments_are_dropped_even_with_markup_inside():
    assert extract("甲<!-- <p>广告</p> -- -->乙<!---->丙") == "甲乙丙"


@pytest.mark.parametrize("source, kind", [
    ("甲<p class='x", "start tag"), ("甲</p", "end tag"), ("甲<!DOCTYPE html", "declaration"),
    ("甲<?xml version='1.0'", "processing instruction"), ("甲<![CDATA[x", "CDATA section"),
])
def test_unterminated_markup_at_the_end_is_a_located_error(source, kind):
    with raises_code(IngestError, "DK-INGEST-018") as info:
        html_to_text(source, file="a.html")
    (problem,) = info.value.problems
    assert problem.start == 1 and kind in problem.message and "a.html" in str(info.value)


@pytest.mark.parametrize("source", ["<p>甲</p><script>var a = 1;", "<svg><svg></svg>甲"])
def test_an_unclosed_skipped_element_is_a_located_error(source):
    with raises_code(IngestError, "DK-INGEST-019") as info:
        html_to_text(source)
    assert info.value.problems[0].start == source.index("<s")


def test_an_unclosed_raw_text_element_is_a_located_error(monkeypatch):
    # newer Pythons read <title>, <textarea>, <iframe>, … as raw text, like <script>
    monkeypatch.setattr(duikou.ingest.html._Extractor, "CDATA_CONTENT_ELEMENTS",
                        ("script", "style", "title"))
    assert extract("<title>标题</title>正文") == "\n标题\n正文"
    with raises_code(IngestError, "DK-INGEST-019") as info:
        html_to_text("<p>甲</p><title>标题")
    assert info.value.problems[0].start == 8


def test_ingest_reports_the_file_and_offset():
    with raises_code(IngestError, "DK-INGEST-017") as info:
        ingest_bytes("<p>锦江区援建炉霍县。</p><!--".encode(), file="seeds/x.html")
    assert "file seeds/x.html, offsets [16, 20)" in str(info.value)


@pytest.mark.parametrize("source, text", [
    ("a&lt;b&gt;c&amp;d&nbsp;e", "a<b>c&d\xa0e"),          # named
    ("&#20013;&#x6587;&#X6587;", "中文文"),                 # decimal, hex
    ("&foo; &Amp; a&b", "&foo; &Amp; a&b"),                  # unknown names stay text
    ("& && &; &#; &#x; &", "& && &; &#; &#x; &"),            # bare &
    ("&copy2024 &ampx &amp", "©2024 &x &"),                 # legacy names without ;
    ("&#0;&#xD800;&#x110000;&#" + "9" * 5000 + ";", "\ufffd" * 4),  # out of range
    ("a&#10;b&#9;c&#13;d", "a b c d"),                       # whitespace references
    ("&NotEqualTilde;", "\u2242\u0338"),                     # two code points
])
def test_character_references(source, text):
    assert extract(source) == text


def test_a_reference_maps_to_its_ampersand():
    source = "<p>锦江区捐资&nbsp;100万元&#12290;</p>"
    text, positions = html_to_text(source)
    assert positions[text.index("\xa0")] == source.index("&nbsp;")
    assert positions[text.index("。")] == source.index("&#12290;")
    assert source[positions[text.index("1")]] == "1"


def test_nested_skipped_elements():
    source = ("甲<noscript><style>p{}</style><p>乙</p></noscript>丙"
              "<svg><svg><text>丁</text></svg><text>戊</text></svg>己"
              "<template><script>document.write('</template>')</script></template>庚"
              "<svg/>辛<script src='x.js'/></script>壬")
    assert extract(source) == "甲丙己庚辛壬"


def test_uppercase_tags_and_entities():
    assert extract("<HTML><BODY><P CLASS=x>甲</P><SCRIPT>x<1</SCRIPT><BR/>乙&AMP;</BODY>") \
        == "\n甲\n\n乙&"


def test_whitespace_and_lone_angle_brackets_are_text():
    assert extract("a\tb\r\nc <p>P<0.05 & x > y</p> d <") == "a b  c \nP<0.05 & x > y\n d <"


# ---------------------------------------------------------------- properties

_TEXT = st.text(alphabet="甲乙中文 \t\n\r.,;=#x/-'\"", max_size=6)
_NAMES = st.sampled_from(["p", "div", "span", "a", "BR", "Li", "td", "h1", "b", "title"])
_ATTR = st.sampled_from(["", " class=x", ' title="a>b"', " alt='1 > 0'", ' x="<p>"', " hidden",
                         " data-a='&amp;'"])
_SKIPPED = st.sampled_from(["<script>if (a<b) x='</p>';</script>", "<style>p>a{}</style>",
                            "<noscript><p>x</p></noscript>", "<svg><g/><text>x</text></svg>",
                            "<template><b>x</b></template>", "<svg/>"])
_MARKUP = st.sampled_from(["<!DOCTYPE html>", "<?xml version='1.0'?>", "<!-- c <p> -->",
                           "<![CDATA[<p>x</p>]]>", "<![if !IE]>", "<![endif]>", "</>"])
_REFS = st.sampled_from(["&amp;", "&nbsp;", "&#20013;", "&#x4E2D;", "&copy", "&foo;", "& ",
                         "&#;", "&NotEqualTilde;", "&quot;"])
_TAG = st.one_of(st.builds(lambda n, a, e: f"<{n}{a}{e}>", _NAMES, _ATTR,
                           st.sampled_from(["", "/", " /"])),
                 _NAMES.map(lambda n: f"</{n}>"))
_WELL_FORMED = st.lists(st.one_of(_TEXT, _TAG, _SKIPPED, _MARKUP, _REFS), max_size=25).map("".join)
_ANYTHING = st.text(alphabet=st.sampled_from(list("<>/!?-[]&#;='\" \nabpxCDATA甲")), max_size=40)


@settings(max_examples=300, deadline=None)
@given(_WELL_FORMED)
def test_well_formed_tag_soup_keeps_the_contract_and_no_markup(source):
    text = extract(source)
    assert "<" not in text and ">" not in text, text
    assert "\ue000" not in text


@settings(max_examples=500, deadline=None)
@given(st.one_of(_ANYTHING, st.lists(st.one_of(_WELL_FORMED, _ANYTHING), max_size=3)
                 .map("".join)))
def test_arbitrary_input_keeps_the_contract_or_gets_a_located_error(source):
    try:
        text, positions = html_to_text(source)
    except IngestError as err:
        assert set(err.codes) <= {"DK-INGEST-017", "DK-INGEST-018", "DK-INGEST-019"}
        assert all(0 <= p.start < len(source) for p in err.problems)
        return
    assert_contract(source, text, positions)


def test_script_with_a_slash_still_runs_to_its_end_tag_and_iframes_are_dropped():
    assert html_to_text("<script/>var a;</script>z")[0] == "z"
    assert html_to_text("<iframe>a<b>c</iframe>d")[0] == "d"
    assert html_to_text("x<svg/>y")[0] == "xy"  # a self-closed svg is empty


def test_long_entity_names_and_deep_skipped_nesting_are_read():
    text, pos = html_to_text("a&" + "x" * 50000 + ";b")
    assert text == "a&" + "x" * 50000 + ";b" and len(pos) == len(text)
    text, _ = html_to_text("<svg>" * 5000 + "</svg>" * 5000 + "<p>ok</p>")
    assert text.strip() == "ok"
