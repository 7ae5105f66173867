"""Test fixture: a tiny randomly initialised BERT with a character vocabulary."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


def build_tiny_bert(folder: Path, texts: Iterable[str], *, seed: int = 0, hidden: int = 32,
                    layers: int = 2, heads: int = 2, intermediate: int = 64) -> Path:
    """Write a random BERT (``BertModel``) plus a fast WordPiece tokenizer into ``folder``.

    The vocabulary is the special tokens, then every non-space character of ``texts`` both
    as a word start and as a ``##`` continuation, so no character of those texts is unknown.
    """
    import torch
    from transformers import BertConfig, BertModel, BertTokenizer

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    chars = sorted({c for t in texts for c in t if not c.isspace()})
    vocab = [*SPECIAL_TOKENS, *chars, *("##" + c for c in chars)]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizer(vocab={w: i for i, w in enumerate(vocab)}, do_lower_case=False,
                              tokenize_chinese_chars=True, strip_accents=False)
    config = BertConfig(vocab_size=len(vocab), hidden_size=hidden, num_hidden_layers=layers,
                        num_attention_heads=heads, intermediate_size=intermediate,
                        max_position_embeddings=512)
    torch.manual_seed(seed)
    BertModel(config).save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))
    return folder
