from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from duikou.errors import IngestError
from duikou.ingest.clean import clean_text, ingest_bytes
from duikou.ingest.sources import load_sources
from tests.helpers import raises_code

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _assert_map_faithful(doc):
    for i, ch in enumerate(doc.text):
        raw = doc.raw_text[doc.raw_offset(i)]
        if ch in "\n ":  # line joins and collapsed whitespace map to raw whitespace
            assert raw.isspace(), (i, repr(raw))
            assert raw.isspace()
        else:
            assert raw == ch, (i, ch, raw)


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_seed_offset_maps_point_at_the_same_characters(path):
    doc = ingest_bytes(path.read_bytes(), file=str(path))
    _assert_map_faithful(doc)


def test_seed_furniture_removed_and_content_kept():
    docs = {d.id[:3]: d for d in load_sources(SEEDS)}
    t0 = docs["000"].text
    assert not t0.startswith("您的位置") and "热门资讯" not in t0 and "标签" not in t0
    assert t0.startswith("锦江援建炉霍") and "(资料图)" not in t0
    assert "(锦江区召开支持炉霍县防返贫救助基金工作会)" in t0  # captions are content
    t3 = docs["003"].text
    assert "返回首页" not in t3 and "上一版" not in t3 and "本报记者" not in t3
    assert t3.startswith("脱贫路上并肩同行\n——南明区2018年对口帮扶工作综述")
    assert "\u3000" not in t3 and "\n走进新路口" in t3
    t4 = docs["004"].text
    assert "新闻推荐" not in t4 and "马家庄" not in t4 and "民族日报" not in t4
    assert docs["004"].clean.meta == {"date": "2019-01-20", "outlet": "民族日报"}
    t2 = docs["002"].text
    assert "發佈時間" not in t2 and "組團式" in t2 and "醫療" in t2  # script untouched
    assert not t2.endswith("王越)")
    assert "编辑:" not in docs["001"].text and "▼" not in docs["001"].text


OTHER_SHAPE = (
    "\ufeff当前位置：首页 > 新闻中心 > 地方动态\r\n"
    "\r\n"
    "东西部协作结硕果\r\n"
    "来源：某某日报　　发布时间：2023-03-05 10:00\r\n"
    "\u3000\u30002023年，江苏省某市向贵州省某县投入帮扶资金1.2亿元。\u00a0\u00a0记者 李某\r\n"
    "\r\n\r\n\r\n"
    "\u3000\u3000两地\t共建产业园区3个。\r\n"
    "责任编辑：王某\r\n"
    "相关阅读\r\n"
    "某地举办招聘会 提供岗位500个\r\n"
)


def test_differently_shaped_article_with_bom_crlf_and_other_furniture():
    doc = ingest_bytes(OTHER_SHAPE.encode("utf-8"), file="other.txt")
    assert doc.text == (
        "东西部协作结硕果\n"
        "2023年，江苏省某市向贵州省某县投入帮扶资金1.2亿元。 记者 李某\n"
        "两地 共建产业园区3个。"
    )
    assert doc.meta["date"] == "2023-03-05"
    rules = {r.rule for r in doc.removed}
    assert {"R1-bom", "R3-breadcrumb", "R6-metadata", "R7-byline", "R9-tail"} <= rules
    assert all("招聘会" not in r.text or r.rule == "R9-tail" for r in doc.removed)
    _assert_map_faithful(doc)
    # the BOM is raw index 0, so clean offset 0 maps past it
    assert doc.raw_offset(0) == doc.raw_text.index("东西部")


def test_html_article_maps_back_into_the_html_source():
    html = ("<html><head><title>x</title><script>var a='<p>';</script></head><body>"
            "<div class='crumb'>您的位置：首页 &gt; 资讯</div>"
            "<h1>锦江援建炉霍</h1><p>锦江区捐资&nbsp;100万元。</p><p>标签：扶贫</p>"
            "<p>无关推荐</p></body></html>")
    doc = ingest_bytes(html.encode("utf-8"), file="page.html", ruleset=2)  # rules only
    assert doc.text == "x\n锦江援建炉霍\n锦江区捐资 100万元。"
    i = doc.text.index("100万元")
    assert html[doc.raw_offset(i):doc.raw_offset(i) + 5] == "100万元"


def test_gbk_file_gets_a_located_error():
    data = "锦江区援建炉霍县".encode("gbk")
    with pytest.raises(IngestError) as exc:
        ingest_bytes(data, file="seeds/gbk.txt")
    msg = str(exc.value)
    assert "seeds/gbk.txt" in msg and "byte 0" in msg and "GB18030" in msg


TRAD = "錦江區援建爐霍縣，捐贈二百一十萬元。"


@pytest.mark.parametrize("data, hint", [
    (TRAD.encode("big5"), "decode as Big5:"),
    (TRAD.encode("gb18030"), "decode as GB18030:"),
    ("\ufeff".encode("utf-16-le") + TRAD.encode("utf-16-le"),
     "looks like UTF-16 (BOM FF FE)"),
    (TRAD.encode("utf-16"), "looks like UTF-16 (BOM"),
    (b"\xfe\xff" + TRAD.encode("utf-16-be"), "looks like UTF-16 (BOM FE FF)"),
    (b"\xff\xfe\x00\x00" + TRAD.encode("utf-32-le"),
     "looks like UTF-32 (BOM FF FE 00 00)"),
], ids=["big5", "gb18030", "utf-16-le-bom", "utf-16-bom", "utf-16-be-bom", "utf-32-le-bom"])
def test_non_utf8_input_names_the_likely_encoding_and_is_not_converted(data, hint):
    with raises_code(IngestError, "DK-INGEST-002") as err:
        ingest_bytes(data, file="seeds/legacy.txt")
    msg = str(err.value)
    assert hint in msg and "seeds/legacy.txt" in msg
    assert ("GB18030" in msg) == ("GB18030" in hint)


ARTICLE = "錦江區援建爐霍縣，2022年6月捐贈210萬元。\n锦江区对口帮扶炉霍县（四川）。\n"
ENGLISH = "Jinjiang District aided Luhuo County with 2.1 million yuan in June 2022.\n"


@pytest.mark.parametrize("text", [ARTICLE, TRAD * 3, ENGLISH],
                         ids=["cjk-with-line-ends", "cjk-only-no-nul", "ascii-only"])
@pytest.mark.parametrize("codec, name", [("utf-16-le", "UTF-16LE"), ("utf-16-be", "UTF-16BE"),
                                         ("utf-32-le", "UTF-32LE"), ("utf-32-be", "UTF-32BE")])
def test_utf16_and_utf32_without_bom_are_named_and_refused(text, codec, name):
    """No BOM: Chinese text is not UTF-8 (DK-INGEST-002), ASCII text is UTF-8 full of NULs
    (DK-INGEST-020, not fifty control-character errors); either way the file is refused and
    the message names the byte order to convert from."""
    data = text.encode(codec)
    assert not data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff"))
    code = "DK-INGEST-020" if text.isascii() else "DK-INGEST-002"
    with raises_code(IngestError, code) as err:
        ingest_bytes(data, file="seeds/wide.txt")
    [problem] = err.value.problems
    assert f"looks like {name} without a byte-order mark" in problem.message
    assert f"iconv -f {name} -t UTF-8" in problem.message
    assert problem.file == "seeds/wide.txt" and problem.extra.startswith("byte offset ")


@pytest.mark.parametrize("data", [
    "锦江区援助\x00炉霍县。\n".encode(),  # one stray NUL in UTF-8 text: a control character
    "一二三四五六七八九十".encode()[:-1],  # cut UTF-8, no UTF-16 look
])
def test_utf8_with_a_nul_or_a_cut_is_not_taken_for_utf16(data):
    with pytest.raises(IngestError) as err:
        ingest_bytes(data, file="x.txt")
    assert "byte-order mark" not in str(err.value)
    assert err.value.codes[0] in {"DK-INGEST-015", "DK-INGEST-002"}


@pytest.mark.parametrize("data", [b" ", b"\n\n", b"\t \r\n  \n", "\ufeff\u3000\n".encode()])
def test_whitespace_only_file_says_so(data):
    with raises_code(IngestError, "DK-INGEST-016") as err:
        ingest_bytes(data, file="blank.txt")
    assert "only whitespace" in str(err.value) and "furniture" not in str(err.value)


def test_empty_file_is_an_error():
    with raises_code(IngestError, "DK-INGEST-001"):
        ingest_bytes(b"", file="empty.txt")


def test_file_of_only_furniture_is_an_error():
    with raises_code(IngestError, "DK-INGEST-003"):
        ingest_bytes("返回首页\n文章检索\n标签:\n热门资讯\n".encode(), file="furniture.txt")


def test_duplicate_article_is_reported_with_both_files(seeds_copy):
    src = seeds_copy / "004_5831ecf365ee58fc.txt"
    data = src.read_bytes().replace(b"\n", b"\r\n")  # same article, other line ends
    (seeds_copy / "dup.txt").write_bytes(data)
    import hashlib

    meta = (seeds_copy / "sources.yaml").read_text(encoding="utf-8")
    meta += (f'  - id: "dup"\n    file: dup.txt\n    title: null\n    outlet: null\n'
             f"    date: null\n    script: simplified\n"
             f"    sha256: {hashlib.sha256(data).hexdigest()}\n    cleaning: 1\n")
    (seeds_copy / "sources.yaml").write_text(meta, encoding="utf-8")
    with raises_code(IngestError, "DK-INGEST-011"):
        load_sources(seeds_copy)


def test_unlisted_and_changed_seed_files_are_errors(seeds_copy):
    (seeds_copy / "new.txt").write_text("新文章。", encoding="utf-8")
    f = seeds_copy / "000_23c96dd05b37828e.txt"
    f.write_bytes(f.read_bytes() + b"x")
    with pytest.raises(IngestError) as exc:
        load_sources(seeds_copy)
    msg = str(exc.value)
    assert "new.txt" in msg and "not listed" in msg
    assert "the file changed" in msg and "000_23c96dd05b37828e" in msg


@given(st.lists(st.text(alphabet="锦江区援 \u3000\u00a0\t\r\n。abc", max_size=30), max_size=6))
def test_offset_map_is_faithful_for_arbitrary_whitespace(parts):
    raw = "正文开始。" + "".join(parts)
    doc = clean_text(raw, file="x.txt")
    _assert_map_faithful(doc)
    assert "\u3000" not in doc.text and "\r" not in doc.text and "\n\n" not in doc.text


def test_control_characters_are_refused_with_their_offsets():
    data = "锦江区援助\x00炉霍县\x1b[31m红字\n".encode()
    with raises_code(IngestError, "DK-INGEST-015") as info:
        ingest_bytes(data, file="ctrl.txt")
    assert [(p.start, p.end) for p in info.value.problems] == [(5, 6), (9, 10)]
