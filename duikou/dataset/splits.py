"""The dataset's fixed document-level splits and cross-validation folds (single source).

Five documents: three for training, one for validation, one held-out test document. The
k-fold protocol is leave-one-document-out (k = 5): fold ``k`` holds out the document whose
fold number is ``k``. New documents must be added here explicitly; the build refuses a
document without a split.
"""

from __future__ import annotations

SPLIT_NAMES = ("train", "validation", "test")

# doc id → (split, fold)
ASSIGNMENT: dict[str, tuple[str, int]] = {
    "000_23c96dd05b37828e": ("train", 0),
    "001_665092daac9cb18a": ("validation", 1),
    "002_2fc9e8fd9388bc8d": ("train", 2),
    "003_42fd10be9643c7c2": ("train", 3),
    "004_5831ecf365ee58fc": ("test", 4),
}
N_FOLDS = len({fold for _, fold in ASSIGNMENT.values()})
