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

Cleaning rules (documented in the dataset card; each is general, none names a seed file):

=====  ====================================================================================
R1     Line ends CRLF/CR → LF; a leading BOM is dropped.
R2     Whitespace: each line is stripped of leading/trailing whitespace (ASCII, NBSP, U+3000
       ideographic spaces used as indentation, tabs); inside a line every whitespace run
       becomes one ASCII space; blank lines are dropped, paragraphs are joined by ``\\n``.
R3     Breadcrumb lines (您的位置: 首页 > …) are removed.
R4     Site navigation and search-box lines (返回首页, 文章检索, 关键字: …) are removed.
R5     Newspaper issue/page headers (…期 … 版 … 上一版 / 下一版) are removed.
R6     Publication metadata lines (发布时间/發佈時間/来源 with a date; "outlet date time"
       lines) are removed; the date and outlet they state are returned in ``meta``.
R7     Byline and credit lines (□name 本报记者 name; 来源: / 文: / 图: / 编辑: / 责任编辑: /
       作者: / 记者: / 图文: and their Traditional forms, optionally in brackets) are removed.
R8     Image placeholders ((资料图), (图片)) and lines made only of symbols (▼, ◆) are removed.
R9     A tail marker line (标签:, 热门资讯, 资讯播报, 新闻推荐, 相关新闻, 相关阅读, …) is removed
       together with everything after it: what follows is unrelated teasers.
=====  ====================================================================================
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field

from duikou.errors import IngestError, Problem

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
                     r"|^□\S{1,6}(\s+\S{1,12}){0,3}$")
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


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def decode(data: bytes, *, file: str) -> str:
    """Decode raw bytes as UTF-8 (BOM kept as U+FEFF), or raise a located IngestError."""
    if not data:
        raise IngestError(Problem("file is empty; expected a UTF-8 article", file=file,
                                  code="DK-INGEST-001"))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        hint = ""
        try:
            data.decode("gb18030")
            hint = " The bytes decode as GB18030/GBK: convert with `iconv -f GB18030 -t UTF-8`."
        except UnicodeDecodeError:
            pass
        raise IngestError(Problem(
            f"not valid UTF-8 at byte {exc.start} (found byte 0x{data[exc.start]:02x}); "
            f"expected UTF-8 text.{hint}", file=file, extra=f"byte offset {exc.start}",
            code="DK-INGEST-002")) from None


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


def clean_text(raw: str, *, file: str, positions: list[int] | None = None) -> CleanDocument:
    """Apply rules R1–R9 to decoded text. ``positions`` maps ``raw`` chars to source offsets
    (used for HTML input); by default position ``i`` is raw offset ``i``."""
    text, pos, removed = _prepare(raw)
    if positions is not None:
        pos = [positions[p] for p in pos]
    meta: dict[str, str | None] = {}
    kept: list[tuple[str, list[int]]] = []
    lines = _lines(text, pos)
    for n, (line, lpos) in enumerate(lines):
        norm, npos = _normalise_line(line, lpos)
        if not norm:
            continue
        rule = _classify(norm)
        if rule is None:
            kept.append((norm, npos))
            continue
        removed.append(Removal(rule, npos[0], npos[-1] + 1, norm))
        if rule in ("R6-metadata", "R7-byline"):
            for k, v in _metadata(norm).items():
                meta.setdefault(k, v)
        if rule == "R9-tail":
            rest = [(ln, lp) for ln, lp in lines[n + 1 :] if ln.strip()]
            if rest:
                removed.append(Removal("R9-tail", rest[0][1][0], rest[-1][1][-1] + 1,
                                       "\n".join(ln for ln, _ in rest)))
            break
    if not kept:
        raise IngestError(Problem(
            "no article text left after removing page furniture (removed: "
            + ", ".join(sorted({r.rule for r in removed})) + ")", file=file, code="DK-INGEST-003"))
    return _assemble(kept, raw, removed, meta)


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


def ingest_bytes(data: bytes, *, file: str) -> CleanDocument:
    """Decode and clean one article file (``.html``/``.htm`` by name → HTML extraction)."""
    raw = decode(data, file=file)
    if file.lower().endswith((".html", ".htm")):
        from duikou.ingest.html import html_to_text

        text, positions = html_to_text(raw)
        doc = clean_text(text, file=file, positions=positions)
        doc.raw_text = raw
        return doc
    return clean_text(raw, file=file)
