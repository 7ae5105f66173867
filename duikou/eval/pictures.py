"""Pictures written by the harness (PNG, deterministic: no timestamps in the files).

* per-label strict F1 bars for each system,
* a confusion matrix of labels on boundary-matched spans (gold label × predicted label,
  plus a "missed"/"spurious" row and column for unmatched spans),
* a learning curve: strict F1 on the test split against the number of training documents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from duikou.schema import LABEL_NAMES
from duikou.scoring import match
from duikou.spans import Span

NONE = "∅"


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "duikou"
    return plt


def _save(fig, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", metadata={"Software": None})
    return path


def per_label_bars(systems: Mapping[str, Mapping[str, float]], path: Path,
                   title: str = "Per-label strict F1") -> Path:
    """``systems``: name → {label: F1}."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(11, 4), dpi=100)
    names = list(systems)
    width = 0.8 / max(1, len(names))
    for k, name in enumerate(names):
        ys = [systems[name].get(lb, 0.0) for lb in LABEL_NAMES]
        ax.bar([i + k * width for i in range(len(LABEL_NAMES))], ys, width, label=name)
    ax.set_xticks([i + width * (len(names) - 1) / 2 for i in range(len(LABEL_NAMES))],
                  LABEL_NAMES, rotation=45)
    ax.set_ylim(0, 1)
    ax.set_ylabel("strict F1")
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")  # never over a bar
    fig.tight_layout()
    out = _save(fig, path)
    plt.close(fig)
    return out


def confusion_counts(gold: Mapping[str, Sequence[Span]],
                     pred: Mapping[str, Sequence[Span]]) -> dict[tuple[str, str], int]:
    """(gold label, predicted label) counts over boundary-matched spans; unmatched gold spans
    count as (label, ∅), unmatched predictions as (∅, label)."""
    counts: dict[tuple[str, str], int] = {}
    for doc in sorted(set(gold) | set(pred)):
        g, p = list(gold.get(doc, [])), list(pred.get(doc, []))
        pairs = match("boundary", g, p)
        matched_g = {gk for gk, _ in pairs}
        matched_p = {pk for _, pk in pairs}
        for gk, pk in pairs:
            counts[(gk[2], pk[2])] = counts.get((gk[2], pk[2]), 0) + 1
        for s in g:
            if s.key not in matched_g:
                counts[(s.label, NONE)] = counts.get((s.label, NONE), 0) + 1
        for s in p:
            if s.key not in matched_p:
                counts[(NONE, s.label)] = counts.get((NONE, s.label), 0) + 1
    return counts


def confusion_matrix(gold, pred, path: Path, title: str) -> Path:
    plt = _plt()
    counts = confusion_counts(gold, pred)
    axis = list(LABEL_NAMES) + [NONE]
    grid = [[counts.get((g, p), 0) for p in axis] for g in axis]
    fig, ax = plt.subplots(figsize=(7.5, 6.5), dpi=100)
    ax.imshow(grid, cmap="Blues")
    ax.set_xticks(range(len(axis)), axis, rotation=60)
    ax.set_yticks(range(len(axis)), axis)
    ax.set_xlabel("predicted label (boundary-matched)")
    ax.set_ylabel("gold label")
    for i, row in enumerate(grid):
        for j, v in enumerate(row):
            if v:
                ax.text(j, i, str(v), ha="center", va="center", fontsize=7)
    ax.set_title(title)
    fig.tight_layout()
    out = _save(fig, path)
    plt.close(fig)
    return out


def learning_curve(points: Mapping[str, Sequence[tuple[int, float]]], path: Path) -> Path:
    """``points``: system → [(number of training documents, strict F1 on the test split)]."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    for name, pts in points.items():
        xs, ys = zip(*sorted(pts), strict=True)
        ax.plot(xs, ys, marker="o", label=name)
    ax.set_xlabel("training documents")
    ax.set_ylabel("strict F1 on the test split")
    ax.set_ylim(0, 1)
    ax.set_title("Learning curve")
    ax.legend()
    fig.tight_layout()
    out = _save(fig, path)
    plt.close(fig)
    return out
