"""HTML article → plain text lines, keeping each character's offset in the HTML source.

Contract: returns ``(text, positions)`` with ``len(positions) == len(text)``;
``positions[i]`` is the code-point offset in the decoded HTML of the character that
produced ``text[i]`` (for an entity such as ``&nbsp;``, the ``&``). Block-level tags
become line breaks; ``script``, ``style``, ``noscript``, ``template`` and ``svg`` contents and
comments are dropped. The result then goes through the same cleaning rules as a ``.txt``
article.

Markup is tokenized by the standard library's :class:`html.parser.HTMLParser`, so quoted
attribute values (``<a title="a>b">``), ``<!DOCTYPE …>``, ``<?xml …?>`` and comments are
markup, never text. Further rules:

* Text characters map to themselves, except that a tab, CR or LF becomes a space (a source
  line break is not a paragraph); a block tag (start or end) becomes ``\\n`` at its ``<``.
* Character references follow HTML5's rules for text (as :func:`html.unescape`):
  ``&amp;``, ``&#20013;``, ``&#x4e2d;``, legacy names without ``;`` (``&copy2024`` →
  ``©2024``); a reference to a tab, CR or LF gives a space. Every character a reference
  produces maps to its ``&``; an unknown name (``&foo;``) or a bare ``&`` stays literal text.
* ``<![CDATA[…]]>`` (XHTML; article HTML never needs it) is dropped up to ``]]>``, any
  other ``<![…`` (Office's ``<![if …]>``) up to the next ``>``. Declarations and processing
  instructions are dropped up to the next ``>``, as in HTML5 (so ``<?php echo "<b>" ?>``
  ends inside the string).
* Markup left open at the end of the file is refused (:class:`~duikou.errors.IngestError`
  with the offset where it opens), because silently dropping the rest of an article is
  worse than stopping: an unclosed comment (DK-INGEST-017), tag, declaration, processing
  instruction or CDATA section (DK-INGEST-018), or ``<script>``-like element whose
  contents would be dropped (DK-INGEST-019). A lone ``<`` that opens nothing is text.

>>> text, positions = html_to_text('<p title="a>b">中&amp;文</p>')
>>> text, positions
('\\n中&文\\n', [0, 15, 16, 21, 22])
>>> html_to_text("<!DOCTYPE html><?xml version='1.0'?>a<![CDATA[<b>]]>&foo;")[0]
'a&foo;'
>>> html_to_text("a<!-- no end")
Traceback (most recent call last):
  ...
duikou.errors.IngestError: offsets [1, 12): comment opened here is never closed; expected '-->', found the end of the file [DK-INGEST-017]
"""

from __future__ import annotations

import html
import inspect
import re
from collections import Counter
from html.entities import html5
from html.parser import HTMLParser

from duikou.errors import IngestError, Problem, short_repr

_BLOCK = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td",
    "th", "table", "section", "article", "header", "footer", "nav", "blockquote", "pre",
    "figure", "figcaption", "dt", "dd", "title", "hr", "aside", "main", "form",
}
_SKIP = {"script", "style", "noscript", "template", "svg", "iframe", "noembed", "noframes",
         "xmp"}
# HTML5 ignores the "/" of <script/>: the element still runs to its end tag (an <svg/> is
# really empty)
_SLASH_IGNORED = {"script", "style", "noscript", "template", "iframe", "noembed", "noframes",
                  "xmp"}
_SPACE = {"\t": " ", "\n": " ", "\r": " ", "\x0c": " "}  # source line breaks are not paragraphs
_REF = re.compile(r"&(?:#[xX]([0-9a-fA-F]+);?|#([0-9]+);?|([A-Za-z][A-Za-z0-9]*)(;?))")
# The parser tokenizes a copy of the source with every "&" replaced by this ordinary
# character (same length, so same offsets): references are decoded here, from the source,
# instead of by the parser's incremental ``&`` handling, which stalls on a reference at the
# end of its buffer.
_AMP_STAND_IN = "\ue000"
# (opening, what it is, its closer, code) for markup left open at the end of the file
_UNCLOSED = (
    ("<!--", "comment", "-->", "DK-INGEST-017"),
    ("<![CDATA[", "CDATA section", "]]>", "DK-INGEST-018"),
    ("<![", "marked section", ">", "DK-INGEST-018"),
    ("<!", "declaration", ">", "DK-INGEST-018"),
    ("<?", "processing instruction", ">", "DK-INGEST-018"),
    ("</", "end tag", ">", "DK-INGEST-018"),
    ("<", "start tag", ">", "DK-INGEST-018"),
    ("", "markup", ">", "DK-INGEST-018"),
)
# Python ≥ 3.14 (and recent security releases) recognise CDATA sections only inside
# <svg>/<math> unless asked; ask, so that every version drops them up to "]]>".
_CDATA = ({"support_cdata": True}
          if "support_cdata" in inspect.signature(HTMLParser.__init__).parameters else {})


def html_to_text(source: str, *, file: str | None = None) -> tuple[str, list[int]]:
    """``(text, positions)`` of an HTML article (see the module docstring); ``file`` names
    it in errors."""
    extractor = _Extractor(source)
    extractor.feed(source.replace("&", _AMP_STAND_IN))
    problems = extractor.finish(file)
    if problems:
        raise IngestError(problems)
    return "".join(extractor.chars), extractor.positions


class _Extractor(HTMLParser):
    """Collects text characters and their source offsets while the parser reports markup."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False, **_CDATA)
        self.source = source
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.chars: list[str] = []
        self.positions: list[int] = []
        self.skipping: list[tuple[str, int]] = []  # open skipped elements, with their offsets
        self.open_skips: Counter[str] = Counter()  # how many of each are open
        self.last_start = ("", 0)  # the latest start tag and its offset

    def source_offset(self) -> int:
        """Source offset of the token being reported (the parser counts lines and columns)."""
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def emit(self, text: str, position: int) -> None:
        for ch in text:
            self.chars.append(_SPACE.get(ch, ch))
            self.positions.append(position)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.last_start = (tag, self.source_offset())
        if tag in _SKIP:
            self.skipping.append(self.last_start)
            self.open_skips[tag] += 1
        else:
            self.block(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SLASH_IGNORED:
            self.handle_starttag(tag, attrs)
        elif tag not in _SKIP:  # a self-closed <svg/> has no content to drop
            self.block(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.open_skips[tag]:  # closes the innermost open one and anything inside it
            i = len(self.skipping) - 1
            while self.skipping[i][0] != tag:
                i -= 1
            for name, _ in self.skipping[i:]:
                self.open_skips[name] -= 1
            del self.skipping[i:]
        elif tag not in _SKIP:
            self.block(tag)

    def block(self, tag: str) -> None:
        if tag in _BLOCK and not self.skipping:
            self.chars.append("\n")
            self.positions.append(self.source_offset())

    def handle_data(self, data: str) -> None:
        start = self.source_offset()
        if self.skipping or (data[:1] == "<" and len(data) > 1):  # a start tag it gave up on
            return
        self.text(start, start + len(data))

    def text(self, start: int, end: int) -> None:
        """Emit ``source[start:end]``, decoding character references."""
        k = start
        while (amp := self.source.find("&", k, end)) >= 0:
            for i in range(k, amp):
                self.emit(self.source[i], i)
            decoded, k = _reference(self.source, amp, end)
            self.emit(decoded, amp)
        for i in range(k, end):
            self.emit(self.source[i], i)

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        """``<![CDATA[…]]>`` ends at ``]]>``, any other ``<![…`` at the next ``>`` (HTML5's
        bogus comment; the base class raises AssertionError on an unknown keyword);
        -1 while unterminated. Nothing is reported: neither produces text."""
        close = "]]>" if self.rawdata.startswith("<![CDATA[", i) else ">"
        j = self.rawdata.find(close, i + 3)
        return -1 if j < 0 else j + len(close)

    def finish(self, file: str | None) -> list[Problem]:
        """Handle what the parser left unread at the end of the input: it stops at markup
        that never ends, or inside a raw-text element (``<script>``) that is never closed."""
        at = self.source_offset()
        tail = self.source[at:]
        problems = [_unclosed_element(*self.skipping[0], file=file)] if self.skipping else []
        if self.cdata_elem:  # the tail is the raw text of the element opened last
            if not self.skipping:  # <title>, <textarea>, … are raw text in newer Pythons
                problems.append(_unclosed_element(*self.last_start, file=file))
            return problems
        if tail == "<":
            self.emit("<", at)
        elif tail:
            problems.append(_unclosed_markup(self.source, at, file=file))
        return problems


def _reference(source: str, amp: int, end: int) -> tuple[str, int]:
    """What the character reference at ``source[amp] == "&"`` produces, and where it ends
    (HTML5 text rules, as :func:`html.unescape`); a bare ``&`` produces itself."""
    m = _REF.match(source, amp, end)
    if m is None:
        return "&", amp + 1
    hex_digits, digits, name, semicolon = m.groups()
    if name is None:
        return _numeric(hex_digits or digits, 16 if hex_digits else 10), m.end()
    if semicolon and name + ";" in html5:
        return html5[name + ";"], m.end()
    # legacy names such as &copy need no ";"; no entity name is longer than 32 characters
    for n in range(min(len(name), 32), 1, -1):
        if name[:n] in html5:
            return html5[name[:n]], amp + 1 + n
    return "&", amp + 1


def _numeric(digits: str, base: int) -> str:
    """A numeric reference's character; out of range → U+FFFD (without converting a huge
    decimal, which Python refuses past 4300 digits)."""
    digits = digits.lstrip("0") or "0"
    value = int(digits, base) if len(digits) <= 8 else 0x110000
    return html.unescape(f"&#x{value:x};")


def _unclosed_markup(source: str, at: int, *, file: str | None) -> Problem:
    opening, kind, closer, code = next(u for u in _UNCLOSED if source.startswith(u[0], at))
    return Problem(f"{kind} opened here is never closed; expected {closer!r}, found the end "
                   f"of the file" + ("" if kind == "comment" else
                                     f" after {short_repr(source[at:])}"),
                   file=file, start=at, end=len(source), code=code)


def _unclosed_element(tag: str, at: int, *, file: str | None) -> Problem:
    return Problem(f"<{tag}> opened here is never closed; expected '</{tag}>' before the end "
                   "of the file (the rest of the article would be read as its contents)",
                   file=file, start=at, code="DK-INGEST-019")
