"""HTML article → plain text lines, keeping each character's offset in the HTML source.

Contract: returns ``(text, positions)`` with ``len(positions) == len(text)``;
``positions[i]`` is the code-point offset in the decoded HTML of the character that
produced ``text[i]`` (for an entity such as ``&nbsp;``, the ``&``). Block-level tags
become line breaks; ``script``, ``style``, ``noscript`` and comments are dropped. The result
then goes through the same cleaning rules as a ``.txt`` article.
"""

from __future__ import annotations

import html
import re

_BLOCK = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td",
    "th", "table", "section", "article", "header", "footer", "nav", "blockquote", "pre",
    "figure", "figcaption", "dt", "dd", "title", "hr", "aside", "main", "form",
}
_SKIP = {"script", "style", "noscript", "template", "svg"}
_TOKEN = re.compile(r"<!--.*?-->|<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>|&(#\d+|#[xX][0-9a-fA-F]+|\w+);",
                    re.S)


def html_to_text(source: str) -> tuple[str, list[int]]:
    chars: list[str] = []
    pos: list[int] = []
    skip_until: str | None = None
    i = 0
    for m in _TOKEN.finditer(source):
        if skip_until is None:
            _emit_text(source, i, m.start(), chars, pos)
        i = m.end()
        tag = (m.group(2) or "").lower()
        closing = m.group(1) == "/"
        if skip_until is not None:
            if closing and tag == skip_until:
                skip_until = None
            continue
        if m.group(3):
            decoded = html.unescape(m.group(0))
            chars.extend(decoded)
            pos.extend([m.start()] * len(decoded))
        elif tag in _SKIP and not closing:
            skip_until = tag
        elif tag in _BLOCK:
            chars.append("\n")
            pos.append(m.start())
    if skip_until is None:
        _emit_text(source, i, len(source), chars, pos)
    return "".join(chars), pos


def _emit_text(source: str, a: int, b: int, chars: list[str], pos: list[int]) -> None:
    for k in range(a, b):
        ch = source[k]
        chars.append(" " if ch in "\r\n\t" else ch)  # source line breaks are not paragraphs
        pos.append(k)
