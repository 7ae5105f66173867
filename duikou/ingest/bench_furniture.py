"""Line-level benchmark of page-furniture removal (``python -m duikou.ingest.bench_furniture``).

The annotation files ``annotation/furniture/lines-{dev,heldout}.jsonl`` hold one JSON object
per non-blank raw line of a seed document: ``doc`` (seed id), ``line`` (1-based, counted
after CRLF/CR → LF), ``text`` (the raw line), ``label`` (``article`` or ``furniture``),
``type`` (furniture family, null for article lines) and an optional ``note``.

A line counts as *removed* when the cleaner (:func:`duikou.ingest.clean.ingest_bytes`) keeps
none of its characters; whitespace-only lines are ignored. Furniture is the positive class:
precision = removed furniture / removed lines, recall = removed furniture / furniture lines.
Per furniture type only recall is defined (article lines have no type); precision is also
broken down by the cleaning rule that removed the line.

The labelled sets, and what each one was for:

* ``dev`` — half of the 117 collected seed pages (by hash): ruleset 1 (R3–R14) was written
  from it;
* ``heldout`` — the other half: held out for ruleset 1 (read once, after it was finished),
  then the source of ruleset 2 (R15–R19 and the widened patterns), so in-sample for that;
* ``fresh`` … ``fresh19`` — 2026-11-26: new page excerpts (``annotation/furniture/freshN/raw``,
  not corpus documents) labelled by instances that never saw the rules or the earlier
  batches; each held out for the rules or model made before it, then used for the next
  round (``eval/FURNITURE.md`` says which is which).

``--ruleset 1`` scores the rules the corpus texts were cleaned with (seeds/sources.yaml
``cleaning``); the default is the default for new input (``furniture.DEFAULT_RULESET``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from duikou.ingest.clean import CleanDocument, ingest_bytes
from duikou.ingest.furniture import DEFAULT_RULESET, RULESETS
from duikou.paths import annotation_dir, seeds_dir

SETS = ("dev", "heldout", "fresh", "fresh2", "fresh3", "fresh4", "fresh5",
        "fresh6", "fresh7", "fresh8", "fresh9", "fresh10", "fresh11", "fresh12",
        "fresh13", "fresh14", "fresh15", "fresh16", "fresh17", "fresh18", "fresh19", "fresh20",
        "fresh21", "fresh22", "fresh23", "fresh24", "fresh25")  # in the order made


@dataclass(frozen=True)
class LineLabel:
    doc: str
    line: int
    text: str
    label: str  # "article" | "furniture"
    type: str | None = None


@dataclass(frozen=True)
class LineResult:
    """The cleaner's decision for one raw line: removed or kept, and by which rule."""

    removed: bool
    rule: str | None = None


@dataclass
class Score:
    tp: int = 0  # furniture removed
    fp: int = 0  # article removed
    fn: int = 0  # furniture kept
    tn: int = 0  # article kept
    by_type: dict[str, Counter] = field(default_factory=dict)  # type → {n, removed}
    by_rule: dict[str, Counter] = field(default_factory=dict)  # rule → {furniture, article}
    wrongly_removed: list[tuple[LineLabel, str | None]] = field(default_factory=list)
    missed: list[LineLabel] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def read_labels(path: Path) -> list[LineLabel]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        r = json.loads(line)
        if r["label"] not in ("article", "furniture"):
            raise ValueError(f"{path}:{n}: label must be article or furniture, "
                             f"found {r['label']!r}")
        out.append(LineLabel(r["doc"], int(r["line"]), r["text"], r["label"], r.get("type")))
    return out


def raw_line_spans(raw: str) -> list[tuple[int, int]]:
    """``(start, end)`` code-point offsets of each raw line (CRLF/CR/LF all end a line);
    index ``k`` is line ``k + 1``."""
    spans = []
    start = i = 0
    while i < len(raw):
        ch = raw[i]
        if ch in "\r\n":
            spans.append((start, i))
            if ch == "\r" and raw[i + 1 : i + 2] == "\n":
                i += 1
            start = i + 1
        i += 1
    spans.append((start, len(raw)))
    return spans


def line_results(doc: CleanDocument) -> dict[int, LineResult]:
    """Line number → removed or kept, for every raw line with a visible character."""
    kept: set[int] = set()
    for _, rs, n in doc.segments:
        kept.update(range(rs, rs + n))
    rules = sorted((r.raw_start, r.raw_end, r.rule) for r in doc.removed)
    out: dict[int, LineResult] = {}
    for k, (a, b) in enumerate(raw_line_spans(doc.raw_text), 1):
        visible = [i for i in range(a, b)
                   if not doc.raw_text[i].isspace() and doc.raw_text[i] != "\ufeff"]
        if not visible:
            continue
        if any(i in kept for i in visible):
            out[k] = LineResult(False)
            continue
        rule = next((r for s, e, r in rules if s <= visible[0] < e), None)
        out[k] = LineResult(True, rule)
    return out


def score(labels: Iterable[LineLabel], results: Mapping[str, Mapping[int, LineResult]]) -> Score:
    """Compare labelled lines with the cleaner's decisions (``results[doc][line]``)."""
    s = Score()
    for lab in labels:
        res = results[lab.doc].get(lab.line)
        if res is None:  # a blank line: the annotation does not match the raw file
            raise ValueError(f"{lab.doc} line {lab.line} is blank in the raw file")
        furniture = lab.label == "furniture"
        if furniture:
            t = s.by_type.setdefault(lab.type or "(none)", Counter())
            t["n"] += 1
            t["removed"] += res.removed
        if res.removed:
            s.by_rule.setdefault(res.rule or "?", Counter())[lab.label] += 1
        if furniture and res.removed:
            s.tp += 1
        elif furniture:
            s.fn += 1
            s.missed.append(lab)
        elif res.removed:
            s.fp += 1
            s.wrongly_removed.append((lab, res.rule))
        else:
            s.tn += 1
    return s


def set_files(folder: Path, name: str, seeds: Path) -> tuple[list[Path], Path]:
    """The annotation files and the raw-file folder of one labelled set."""
    if name.startswith("fresh"):
        return sorted((folder / name).glob("lines-*.jsonl")), folder / name / "raw"
    return [folder / f"lines-{name}.jsonl"], seeds


def evaluate(path: Path | list[Path], seeds: Path,
             ruleset: int = DEFAULT_RULESET) -> Score:
    """Clean every document named in the annotation file(s) ``path`` (raw files in ``seeds``)
    with ``ruleset`` and score it."""
    labels = [lab for f in ([path] if isinstance(path, Path) else path)
              for lab in read_labels(f)]
    results: dict[str, dict[int, LineResult]] = {}
    for doc_id in sorted({lab.doc for lab in labels}):
        f = next((seeds / f"{doc_id}{ext}" for ext in (".txt", ".html", ".htm")
                  if (seeds / f"{doc_id}{ext}").is_file()), None)
        if f is None:
            raise FileNotFoundError(f"no raw file for {doc_id} in {seeds}")
        if f.suffix != ".txt":
            raise ValueError(f"{f}: line labels are defined for .txt seeds only")
        doc = ingest_bytes(f.read_bytes(), file=str(f), ruleset=ruleset)
        results[doc_id] = line_results(doc)
        lines = raw_line_spans(doc.raw_text)
        for lab in labels:
            if lab.doc == doc_id:
                a, b = lines[lab.line - 1]
                if doc.raw_text[a:b].strip().lstrip("\ufeff") != lab.text.strip().lstrip(
                        "\ufeff"):
                    raise ValueError(f"{doc_id} line {lab.line}: annotated text does not "
                                     "match the raw file")
    return score(labels, results)


def report(name: str, s: Score, *, missed: bool = False) -> str:
    out = [f"== {name}: {s.tp + s.fn} furniture / {s.fp + s.tn} article lines",
           f"precision {s.precision:.4f}  recall {s.recall:.4f}  "
           f"(tp {s.tp}, fp {s.fp}, fn {s.fn})",
           "", f"{'type':<14}{'lines':>6}{'removed':>9}{'recall':>9}"]
    for t, c in sorted(s.by_type.items(), key=lambda kv: (-kv[1]["n"], kv[0])):
        out.append(f"{t:<14}{c['n']:>6}{c['removed']:>9}{c['removed'] / c['n']:>9.3f}")
    out += ["", f"{'rule':<18}{'removed':>8}{'article':>9}{'precision':>11}"]
    for r, c in sorted(s.by_rule.items()):
        n = c["furniture"] + c["article"]
        out.append(f"{r:<18}{n:>8}{c['article']:>9}{c['furniture'] / n:>11.3f}")
    out += ["", f"article lines wrongly removed: {len(s.wrongly_removed)}"]
    out += [f"  {lab.doc} l.{lab.line} [{rule}] {lab.text.strip()}"
            for lab, rule in s.wrongly_removed]
    if missed:
        out += ["", f"furniture lines kept: {len(s.missed)}"]
        out += [f"  {lab.doc} l.{lab.line} ({lab.type}) {lab.text.strip()}" for lab in s.missed]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m duikou.ingest.bench_furniture",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--set", choices=(*SETS, "all"), default="all",
                    help="which labelled set to score (default: all)")
    ap.add_argument("--annotations", type=Path, default=None,
                    help="folder with lines-<set>.jsonl (default annotation/furniture)")
    ap.add_argument("--seeds", type=Path, default=None, help="raw files (default seeds/)")
    ap.add_argument("--missed", action="store_true",
                    help="also list furniture lines the cleaner kept")
    ap.add_argument("--ruleset", type=int, choices=RULESETS, default=DEFAULT_RULESET,
                    help=f"cleaning ruleset to score (default {DEFAULT_RULESET}, the default "
                         "for new input)")
    args = ap.parse_args(argv)
    folder = args.annotations or annotation_dir() / "furniture"
    seeds = args.seeds or seeds_dir()
    for name in SETS if args.set == "all" else (args.set,):
        files, raw = set_files(folder, name, seeds)
        if not files:
            print(f"== {name}: no labelled lines in {folder}\n")
            continue
        s = evaluate(files, raw, args.ruleset)
        print(report(f"{name} (ruleset {args.ruleset})", s, missed=args.missed))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
