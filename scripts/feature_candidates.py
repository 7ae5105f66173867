"""Count what a candidate list of named features would add to the vote's LOC spans.

The measurement behind "Named natural features" in baselines/BENCHMARKS.md: on the
out-of-fold predictions of the documents outside the test split (never the test split), the
vote of BERT-type seeds 0-2 (the committed ``eval/predictions/bert-e5-small``) and the CRF
(``runs/crf/cv.jsonl``, written by ``duikou reproduce``) with document-level roles but
without the rule itself; then, for each candidate list of jieba ``ns`` words, every word of
jieba's segmentation (HMM off) in the list that overlaps no voted span, counted as gold LOC
(same boundaries), inside another gold span, or not gold.

    python scripts/feature_candidates.py [--runs runs]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from duikou.baselines.ensemble import vote_with_roles  # noqa: E402
from duikou.baselines.features import jieba_word_tags  # noqa: E402
from duikou.baselines.roles import (  # noqa: E402
    REGION_NAME,
    RoleSettings,
    _known_name,
    admin_chain,
    feature_mentions,
    is_feature_place,
)
from duikou.eval.harness import protocol_documents  # noqa: E402
from duikou.ingest.script import simplified  # noqa: E402
from duikou.jsonio import read_jsonl  # noqa: E402
from duikou.records import spans_by_id  # noqa: E402

CANDIDATES: dict[str, Callable[[str], bool]] = {
    ">= 2 characters, a feature's head": lambda w: is_feature_place(w),
    "... or a macro-region": lambda w: is_feature_place(w) or bool(REGION_NAME.search(w)),
    ">= 2 characters, not a division or country": lambda w: not (_known_name(w)
                                                                 or admin_chain(w)),
    ">= 3 characters, a feature's head (the rule)": lambda w: len(w) >= 3 and is_feature_place(w),
    ">= 3 characters, not a division or country": lambda w: len(w) >= 3 and not (
        _known_name(w) or admin_chain(w)),
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=Path, default=ROOT / "runs")
    args = ap.parse_args(argv)
    crf_file = args.runs / "crf" / "cv.jsonl"
    if not crf_file.is_file():
        print(f"{crf_file} is missing: run `duikou reproduce` first", file=sys.stderr)
        return 2
    docs = [d for d in protocol_documents("cv", None) if d.split != "test"]
    crf = spans_by_id(read_jsonl(crf_file))
    folder = ROOT / "eval" / "predictions" / "bert-e5-small"
    bert = [spans_by_id(read_jsonl(folder / f"seed-{s}" / "cv.jsonl")) for s in range(3)]
    without = RoleSettings(add_features=False)
    ns = [w for w, tag in jieba_word_tags().items() if tag == "ns" and len(w) >= 2]
    voted = {d.id: vote_with_roles(d.text, [b[d.id] for b in bert] + [crf[d.id]],
                                   settings=without) for d in docs}
    print(f"{len(docs)} documents outside the test split; {len(ns)} jieba ns words")
    print("| list | words | added | gold LOC | inside another gold span | not gold |")
    print("|---|---|---|---|---|---|")
    for name, keep in CANDIDATES.items():
        words = {w for w in ns if keep(w)}
        counts: Counter = Counter()
        for d in docs:
            counts.update(_outcomes(simplified(d.text), words, voted[d.id], d.spans))
        print(f"| {name} | {len(words):,} | {sum(counts.values())} | {counts['gold LOC']} | "
              f"{counts['inside']} | {counts['not gold']} |")
    return 0


def _outcomes(plain: str, words: set[str], voted: list, gold: list) -> list[str]:
    """What the gold says of each span :func:`feature_mentions` would add with ``words``."""
    return ["gold LOC" if added in gold else
            "inside" if any(g.start < added.end and added.start < g.end for g in gold) else
            "not gold"
            for added in feature_mentions(plain, voted, frozenset(words))]


if __name__ == "__main__":
    sys.exit(main())
