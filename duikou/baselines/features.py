"""Character-level features for the CRF tagger.

Contract: :func:`sentence_features(text)` returns one feature dict per code point of
``text`` (``len(result) == len(text)``), deterministic for a given text. Features are
local (the character and its neighbours within ±2, the bigrams/trigrams around it), the
character class (:func:`char_class`), membership in small lexicons (units, place suffixes,
donor/recipient cue words; longest match, marked B/I by position inside the match) and the
position of the character inside jieba's word (B/M/E/S, :func:`jieba_bmes`).
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from collections.abc import Iterable

CN_NUMERALS = frozenset("〇一二三四五六七八九十百千万亿两零萬億兩")
UNITS: tuple[str, ...] = (
    "元", "万元", "亿元", "人", "名", "户", "所", "个", "家", "台", "次", "例", "项", "批", "枚",
    "公斤", "亩", "%", "％", "天", "人次",
    "萬元", "億元", "戶", "個", "臺", "項", "畝",
)
PLACE_SUFFIXES = frozenset("县区市州乡镇村旗盟省縣區鄉鎮")
CUE_WORDS: tuple[str, ...] = (
    "援", "帮扶", "支援", "对口", "受援", "捐赠", "结对",
    "幫扶", "對口", "捐贈", "結對",
)
_PAD = "<pad>"

_jieba_lock = threading.Lock()
_tokenizer = None


def char_class(c: str) -> str:
    """One of ``num_cn``, ``digit``, ``han``, ``latin``, ``space``, ``punct``, ``other``.

    ``digit`` covers ASCII and full-width digits (any Unicode decimal digit); ``num_cn`` the
    Chinese numerals in :data:`CN_NUMERALS` (checked before ``han``); ``latin`` ASCII and
    full-width letters; ``punct`` Unicode punctuation and symbols.
    """
    if c in CN_NUMERALS:
        return "num_cn"
    if c.isdecimal():
        return "digit"
    if c.isspace():
        return "space"
    name = unicodedata.name(c, "")
    if name.startswith(("CJK UNIFIED", "CJK COMPATIBILITY IDEOGRAPH")):
        return "han"
    if "LATIN" in name and c.isalpha():
        return "latin"
    if unicodedata.category(c)[0] in "PS":
        return "punct"
    return "other"


def _jieba():
    """The process-wide jieba tokenizer, initialised once with its logging silenced."""
    global _tokenizer
    with _jieba_lock:
        if _tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            logging.getLogger("jieba").setLevel(logging.WARNING)
            tok = jieba.Tokenizer()
            tok.initialize()
            _tokenizer = tok
    return _tokenizer


def jieba_bmes(text: str) -> list[str]:
    """B/M/E/S of each code point inside the jieba word containing it (HMM off, so the
    segmentation depends on the dictionary only and is deterministic)."""
    tags: list[str] = []
    for word in _jieba().cut(text, HMM=False):
        n = len(word)
        tags.extend(["S"] if n == 1 else ["B"] + ["M"] * (n - 2) + ["E"])
    return tags if len(tags) == len(text) else ["S"] * len(text)  # jieba must cover the text


def lexicon_tags(text: str, words: Iterable[str]) -> list[str]:
    """Greedy longest-match of ``words`` left to right: ``B``/``I`` inside a match, else ``O``."""
    ordered = sorted(set(words), key=len, reverse=True)
    tags = ["O"] * len(text)
    i = 0
    while i < len(text):
        hit = next((w for w in ordered if text.startswith(w, i)), None)
        if hit is None:
            i += 1
            continue
        tags[i] = "B"
        for j in range(i + 1, i + len(hit)):
            tags[j] = "I"
        i += len(hit)
    return tags


def _at(text: str, i: int) -> str:
    return text[i] if 0 <= i < len(text) else _PAD


def _char_features(text: str, i: int, classes: list[str]) -> dict[str, str | float]:
    f: dict[str, str | float] = {"bias": 1.0}
    for d in (-2, -1, 0, 1, 2):
        f[f"c[{d}]"] = _at(text, i + d)
        f[f"cls[{d}]"] = classes[i + d] if 0 <= i + d < len(text) else _PAD
    for a, b in ((-2, -1), (-1, 0), (0, 1), (1, 2)):
        f[f"bi[{a},{b}]"] = _at(text, i + a) + _at(text, i + b)
    for a in (-2, -1, 0):
        f[f"tri[{a}]"] = "".join(_at(text, i + a + k) for k in range(3))
    f["cls[-1,0,1]"] = "|".join(f[f"cls[{d}]"] for d in (-1, 0, 1))  # type: ignore[misc]
    f["bos"] = float(i == 0)
    f["eos"] = float(i == len(text) - 1)
    return f


def sentence_features(text: str) -> list[dict[str, str | float]]:
    """One feature dict per code point of ``text`` (see the module docstring)."""
    if not text:
        return []
    classes = [char_class(c) for c in text]
    bmes = jieba_bmes(text)
    units = lexicon_tags(text, UNITS)
    cues = lexicon_tags(text, CUE_WORDS)
    feats = []
    for i in range(len(text)):
        f = _char_features(text, i, classes)
        f["jieba"] = bmes[i]
        f["jieba[-1]"] = bmes[i - 1] if i else _PAD
        f["jieba[+1]"] = bmes[i + 1] if i + 1 < len(text) else _PAD
        f["unit"] = units[i]
        f["unit[+1]"] = units[i + 1] if i + 1 < len(text) else _PAD
        f["cue"] = cues[i]
        f["place_suffix"] = float(text[i] in PLACE_SUFFIXES)
        f["place_suffix[+1]"] = float(_at(text, i + 1) in PLACE_SUFFIXES)
        feats.append(f)
    return feats
