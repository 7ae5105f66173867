"""Splits that test generalisation: documents grouped by pairing (single source).

Every seed document has a ``pairing_group`` in ``seeds/sources.yaml``: its main pairing at
province level, ``donor→recipient`` (``福建→甘肃`` for 厦门 → 临夏). A group goes whole to
one split and one cross-validation fold, so no pairing appears both in training and in
evaluation: scores measure how a tagger does on aid relationships it has not seen.

:func:`assign` is deterministic and depends only on the groups, not on which documents are
annotated yet: groups are ordered by the sha256 of their name (a fixed pseudo-random
order), the first groups fill the test split until it holds :data:`TEST_SHARE` of all
documents, the next ones the validation split (:data:`VALIDATION_SHARE`), the rest train
(each at least one document). For the full corpus that is >= 15 test and >= 8 validation
documents (a test checks it). Folds: groups
from largest to smallest go to the fold with the fewest documents so far (ties: the lower
fold number), :data:`N_FOLDS` folds over all documents. A release contains the annotated
documents only; each keeps the split and fold assigned here.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable

SPLIT_NAMES = ("train", "validation", "test")
N_FOLDS = 10
TEST_SHARE = 0.18
VALIDATION_SHARE = 0.10


def _order(group: str) -> str:
    return hashlib.sha256(group.encode("utf-8")).hexdigest()


def assign(docs: Iterable[tuple[str, str]]) -> dict[str, tuple[str, int]]:
    """Document id → (split, fold) for ``(id, pairing_group)`` pairs (see the module
    docstring). A document without a group is its own group.

    >>> a = assign([(f"d{i}", f"g{i % 7}") for i in range(70)])
    >>> len({a[f"d{i}"] for i in range(0, 70, 7)})  # one group: one split, one fold
    1
    """
    groups: dict[str, list[str]] = defaultdict(list)
    for doc_id, group in docs:
        groups[group or f"(alone) {doc_id}"].append(doc_id)
    total = sum(len(v) for v in groups.values())
    test_target = max(1, round(TEST_SHARE * total))
    val_target = max(1, round(VALIDATION_SHARE * total))
    split_of: dict[str, str] = {}
    filled = {"test": 0, "validation": 0}
    for g in sorted(groups, key=_order):
        if filled["test"] < test_target:
            split_of[g] = "test"
        elif filled["validation"] < val_target:
            split_of[g] = "validation"
        else:
            split_of[g] = "train"
        if split_of[g] in filled:
            filled[split_of[g]] += len(groups[g])
    fold_of: dict[str, int] = {}
    sizes = [0] * N_FOLDS
    for g in sorted(groups, key=lambda g: (-len(groups[g]), _order(g))):
        k = min(range(N_FOLDS), key=lambda i: (sizes[i], i))
        fold_of[g] = k
        sizes[k] += len(groups[g])
    return {d: (split_of[g], fold_of[g]) for g, ids in groups.items() for d in ids}

