"""Inter-annotator agreement: strict span F1 (per label, micro) and character-level Cohen's
kappa, for every pair of annotators, over the documents both annotated.

Strict F1 treats one annotator as reference and the other as prediction; it is symmetric.
Character-level kappa labels each code point with the label of the span covering it (``O``
outside spans), so it credits partial boundary agreement that strict F1 does not.
Inputs are annotation JSONL files (one per pass, or a Label Studio import holding several
annotators, told apart by their ``annotator`` field).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import combinations
from pathlib import Path

from duikou.annotation.gold import read_records
from duikou.errors import AnnotationError, Problem
from duikou.jsonio import atomic_write_text, write_json
from duikou.records import id_sort_key
from duikou.schema import LABEL_NAMES
from duikou.scoring import score
from duikou.spans import Span

Sets = Mapping[str, Mapping[str, Sequence[Span]]]  # annotator → doc id → spans


def char_labels(length: int, spans: Sequence[Span]) -> list[str]:
    out = ["O"] * length
    for s in spans:
        out[s.start:s.end] = [s.label] * (s.end - s.start)
    return out


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float:
    """Cohen's kappa of two equally long label sequences (1.0 when both are constant and equal)."""
    if len(a) != len(b):
        raise ValueError(f"sequences differ in length: {len(a)} vs {len(b)}")
    n = len(a)
    if n == 0:
        return 1.0
    po = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[k] * cb[k] for k in ca) / (n * n)
    return 1.0 if pe == 1.0 else (po - pe) / (1 - pe)


def pair_agreement(a: Mapping[str, Sequence[Span]], b: Mapping[str, Sequence[Span]],
                   texts: Mapping[str, str]) -> dict:
    docs = sorted(set(a) & set(b), key=id_sort_key)
    ga = {d: list(a[d]) for d in docs}
    gb = {d: list(b[d]) for d in docs}
    strict = score(ga, gb, schemes=("strict",))["strict"]
    seq_a = [x for d in docs for x in char_labels(len(texts[d]), ga[d])]
    seq_b = [x for d in docs for x in char_labels(len(texts[d]), gb[d])]
    per_doc = {d: score({d: ga[d]}, {d: gb[d]}, schemes=("strict",))["strict"]["micro"]["f1"]
               for d in docs}
    return {"documents": docs, "strict": strict, "char_kappa": cohen_kappa(seq_a, seq_b),
            "per_document_f1": per_doc,
            "spans": {"a": sum(len(v) for v in ga.values()),
                      "b": sum(len(v) for v in gb.values())}}


def agreement(sets: Sets, texts: Mapping[str, str]) -> dict:
    names = sorted(sets)
    if len(names) < 2:
        raise AnnotationError(Problem(f"agreement needs at least two annotators, found {names}",
                                      code="DK-ANN-004"))
    pairs, apart = [], []
    for x, y in combinations(names, 2):
        res = pair_agreement(sets[x], sets[y], texts)
        if res["documents"]:
            pairs.append({"a": x, "b": y, **res})
        else:  # passes of different batches of documents
            apart.append([x, y])
    if not pairs:
        raise AnnotationError(Problem(f"no two of the annotators {names} share a document",
                                      code="DK-ANN-005"))
    return {"annotators": names, "pairs": pairs, "unpaired": apart}


def load_sets(files: Sequence[Path], texts: Mapping[str, str]) -> dict[str, dict[str, list[Span]]]:
    """Annotator → doc → spans from one or more annotation JSONL files."""
    sets: dict[str, dict[str, list[Span]]] = {}
    problems: list[Problem] = []
    for f in files:
        try:
            records = read_records(Path(f), texts)
        except AnnotationError as exc:
            problems.extend(exc.problems)
            continue
        for rec, spans in records:
            who = str(rec.get("annotator") or Path(f).stem)
            sets.setdefault(who, {})[rec["id"]] = spans
    if problems:
        raise AnnotationError(problems)
    return sets


def render_markdown(result: dict, *, title: str = "Inter-annotator agreement",
                    note: str | None = None) -> str:
    lines = [f"# {title}", ""]
    if note:
        lines += [note.strip(), ""]
    lines += ["Produced by `duikou annotation agreement " + " ".join(result.get("files", []))
              + "`.", ""]
    for p in result["pairs"]:
        s = p["strict"]
        lines += [f"## {p['a']} vs {p['b']}", "",
                  f"Documents: {len(p['documents'])}; spans: {p['a']} {p['spans']['a']}, "
                  f"{p['b']} {p['spans']['b']}.", "",
                  f"* strict span F1 (micro): **{s['micro']['f1']:.4f}** "
                  f"(agreeing spans {s['micro']['tp']}; only {p['b']}: {s['micro']['fp']}; "
                  f"only {p['a']}: {s['micro']['fn']})",
                  f"* strict span F1 (macro over labels): {s['macro']['f1']:.4f}",
                  f"* character-level Cohen's kappa: **{p['char_kappa']:.4f}**", "",
                  "| label | F1 | agree | only " + p["b"] + " | only " + p["a"] + " |",
                  "|---|---:|---:|---:|---:|"]
        for lb in LABEL_NAMES:
            row = s["per_label"].get(lb)
            if row:
                lines.append(f"| {lb} | {row['f1']:.4f} | {row['tp']} | {row['fp']} | "
                             f"{row['fn']} |")
        lines += ["", "| document | strict F1 |", "|---|---:|"]
        lines += [f"| {d} | {f:.4f} |" for d, f in p["per_document_f1"].items()]
        lines.append("")
    return "\n".join(lines)


def run_agreement(files: Sequence[str], *, out_md: str | None = None,
                  out_json: str | None = None, title: str = "Inter-annotator agreement",
                  note_file: str | None = None) -> int:
    from duikou.ingest.sources import load_sources
    from duikou.paths import seeds_dir

    texts = {d.id: d.text for d in load_sources(seeds_dir())}
    result = agreement(load_sets([Path(f) for f in files], texts), texts)
    result["files"] = [str(f) for f in files]
    note = Path(note_file).read_text(encoding="utf-8") if note_file else None
    md = render_markdown(result, title=title, note=note)
    print(md)
    if out_md:
        atomic_write_text(Path(out_md), md)
    if out_json:
        write_json(Path(out_json), result)
    return 0
