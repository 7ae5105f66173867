"""Script folding that keeps offsets: Traditional → Simplified one character at a time, and
the key an entity name is grouped and compared on (roles, relation scoring, the relation
audit and the ledger all use :func:`entity_key`)."""

from __future__ import annotations

import functools

from duikou.normalise import PINYIN_GLOSS


@functools.cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=8192)
def _simplified_char(c: str) -> str:
    if c.isascii():
        return c
    s = _t2s().convert(c)
    return s if len(s) == 1 else c


def simplified(text: str) -> str:
    """``text`` with each character converted to simplified script on its own (OpenCC t2s),
    so the result has the same length and offsets.

    >>> simplified("扎賚特旗人民醫院")
    '扎赉特旗人民医院'
    """
    return "".join(map(_simplified_char, text))


def entity_key(name: str) -> str:
    """The key an entity name is grouped and compared on: pinyin glosses dropped, Simplified
    (so 綿虒鎮(zhèn) and 绵虒镇 are one name; offsets are not kept).

    >>> entity_key("綿虒鎮(zhèn)")
    '绵虒镇'
    """
    return simplified(PINYIN_GLOSS.sub("", name))
