"""Constrained decoding of per-token tag scores into a legal IOB2 sequence.

A token classifier scores every tag independently; taking the argmax per token can produce
``O I-X`` or ``B-X I-Y``, which have to be repaired afterwards. :func:`viterbi_bio` instead
finds the best sequence among the legal ones, so no repair is needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

#: finite stand-in for a log-probability of ``-inf``: every legal path then has a finite
#: score, so a legal path always beats an illegal one (whose score is ``-inf``)
FLOOR = -1e9


@lru_cache(maxsize=8)
def bio_transition_mask(tags: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """``(start_ok, step_ok)`` for IOB2 over ``tags``.

    ``start_ok[j]``: tag ``j`` may open a sequence (anything but ``I-X``).
    ``step_ok[i, j]``: tag ``j`` may follow tag ``i``; ``I-X`` may follow only ``B-X`` or
    ``I-X``, every other tag may follow anything.
    """
    k = len(tags)
    start_ok = np.array([not t.startswith("I-") for t in tags], dtype=bool)
    step_ok = np.ones((k, k), dtype=bool)
    for j, t in enumerate(tags):
        if t.startswith("I-"):
            step_ok[:, j] = [s in (f"B-{t[2:]}", t) for s in tags]
    for a in (start_ok, step_ok):
        a.setflags(write=False)
    return start_ok, step_ok


def viterbi_bio(log_probs: np.ndarray | Sequence[Sequence[float]],
                tags: Sequence[str]) -> list[int]:
    """The legal IOB2 tag sequence with the highest total log-probability.

    Contract:

    * ``log_probs`` has shape ``(n_tokens, len(tags))``; row ``t`` holds token ``t``'s
      log-probability (or any additive score) per tag. Values may be ``-inf`` (treated as
      :data:`FLOOR`); NaN raises :class:`ValueError`, as does a wrong shape.
    * ``tags`` are ``"O"``, ``"B-X"`` or ``"I-X"`` strings; index ``j`` of a row scores
      ``tags[j]``. ``"O"`` must be among them (it keeps every position decodable).
    * Returns one tag index per token: the sequence maximising the sum of the chosen
      scores subject to IOB2 (no ``I-X`` at the start, ``I-X`` only after ``B-X`` or
      ``I-X``), so ``[tags[i] for i in result]`` is always legal IOB2. Ties go to the
      lowest tag index at the last token and, walking back, to the lowest predecessor.
    * An empty input gives ``[]``. Pure: no state, the input is not modified.
    """
    tags = tuple(tags)
    if "O" not in tags:
        raise ValueError("tags must include 'O'")
    scores = np.asarray(log_probs, dtype=np.float64)
    if scores.shape == (0,):  # [] as a plain list
        return []
    if scores.ndim != 2 or scores.shape[1] != len(tags):
        raise ValueError(f"log_probs: expected shape (n, {len(tags)}), found {scores.shape}")
    if np.isnan(scores).any():
        raise ValueError("log_probs contains NaN")
    n = scores.shape[0]
    if n == 0:
        return []
    scores = np.maximum(scores, FLOOR)
    start_ok, step_ok = bio_transition_mask(tags)
    step = np.where(step_ok, 0.0, -np.inf)
    best = np.where(start_ok, scores[0], -np.inf)
    back = np.zeros((n, len(tags)), dtype=np.int64)
    cols = np.arange(len(tags))
    for t in range(1, n):
        cand = best[:, None] + step  # [previous tag, tag]
        back[t] = cand.argmax(axis=0)
        best = cand[back[t], cols] + scores[t]
    path = [int(best.argmax())]
    for t in range(n - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return path[::-1]
