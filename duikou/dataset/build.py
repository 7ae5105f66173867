"""Build the Hugging Face dataset folder from seeds + gold annotations.

``build(out)`` is deterministic (same inputs → byte-identical files) and atomic: everything
is written to a temporary folder beside ``out`` and validated there; only then are the
folder exchanged with the old one in one atomic step. A failure or a kill at any point
leaves the previous dataset as it was, or the new one whole. The hand-written
``CHANGELOG.md`` is carried over.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from duikou import paths
from duikou.annotation.gold import read_annotations
from duikou.annotation.relgold import read_gold
from duikou.dataset.card import render_card, write_chart
from duikou.dataset.rows import BuiltDoc, document_record, sentence_records
from duikou.dataset.splits import SPLIT_NAMES, assign
from duikou.errors import CorpusError, Problem, SpanError
from duikou.ingest.segment import sentence_spans
from duikou.ingest.sources import SourceDoc, load_sources
from duikou.jsonio import atomic_write_text, dumps_line, exchange_folders, write_json
from duikou.records import Relation
from duikou.schema import SCHEMA_VERSION, schema_fingerprint
from duikou.spans import Span, bio_to_spans, check_spans, spans_to_bio

DATASET_VERSION = "2.1.2"
CONFIGS = ("documents", "sentences")
GOLD_FILE = "gold.jsonl"
RELATIONS_FILE = "relations/gold.jsonl"  # beside GOLD_FILE
LICENSE_FILE = "LICENSE"
GENERATED = ("data", "README.md", "MANIFEST.json", "label_distribution.png", LICENSE_FILE)


def assemble(seeds: Path, annotations: Path | None) -> list[BuiltDoc]:
    """Load, clean, attach gold spans and validate every document with ``status: gold``;
    raise on any problem. Documents still ``pending`` annotation are not part of a release
    (:func:`pending` lists them)."""
    every = load_sources(seeds)
    assignment = assign((d.id, d.pairing_group) for d in every)
    sources = [d for d in every if d.status == "gold"]
    texts = {d.id: d.text for d in sources}
    gold: dict[str, list[Span]] = {}
    relations: dict[str, list[Relation]] = {}
    if annotations is not None and annotations.is_file():
        gold = read_annotations(annotations, texts)
        rel_file = annotations.parent / RELATIONS_FILE
        if rel_file.is_file():
            relations = read_gold(rel_file, {d: gold.get(d, []) for d in texts})
    built = []
    for d in sources:
        spans = gold.get(d.id, [])
        check_spans(d.text, spans, doc_id=d.id, file=d.file)
        _check_bio_round_trip(d, spans)
        split, fold = assignment[d.id]
        built.append(BuiltDoc(d, split, fold, spans, sentence_spans(d.text, spans),
                              relations.get(d.id, [])))
    return built


def pending(seeds: Path | None = None) -> list[SourceDoc]:
    """Seed documents collected and cleaned but not yet annotated (``status: pending``)."""
    return [d for d in load_sources(seeds or paths.seeds_dir()) if d.status == "pending"]


def _check_bio_round_trip(d: SourceDoc, spans: list[Span]) -> None:
    back = bio_to_spans(spans_to_bio(len(d.text), spans), text=d.text)
    if [s.key for s in back] != [s.key for s in sorted(spans)]:
        missing = sorted(set(s.key for s in spans) - set(s.key for s in back))
        raise SpanError([Problem("spans → BIO → spans did not give the same spans back",
                                 doc_id=d.id, start=a, end=b, extra=lab,
                                 code="DK-CORPUS-002") for a, b, lab in missing])


def write_dataset(built: list[BuiltDoc], tmp: Path) -> dict[str, str]:
    """Write data files into ``tmp``; return {relative path: sha256}."""
    files: dict[str, str] = {}
    for config in CONFIGS:
        for split in SPLIT_NAMES:
            docs = sorted((b for b in built if b.split == split), key=lambda b: b.source.id)
            if config == "documents":
                rows = [document_record(b) for b in docs]
            else:
                rows = [r for b in docs for r in sentence_records(b)]
            rel = f"data/{config}/{split}.jsonl"
            content = "".join(dumps_line(r) + "\n" for r in rows)
            atomic_write_text(tmp / rel, content)
            files[rel] = hashlib.sha256(content.encode("utf-8")).hexdigest()
    return files


def build(out: Path | None = None, *, seeds: Path | None = None,
          annotations: Path | None = None) -> Path:
    """Build the dataset folder at ``out`` (default ``corpus/``); returns ``out``.

    The whole folder is written and validated in a temporary sibling, then exchanged with
    ``out`` in one atomic step (:func:`duikou.jsonio.exchange_folders`): a reader sees the
    old dataset or the new one, never a mix. ``out`` may hold only what a build writes plus
    ``CHANGELOG.md`` (copied over); anything else is refused, never deleted.
    """
    out = Path(out) if out is not None else paths.corpus_dir()
    seeds = seeds or paths.seeds_dir()
    if annotations is None:
        annotations = paths.annotation_dir() / GOLD_FILE
    built = assemble(seeds, annotations)
    _check_out(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    _clean_stale(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.build-", dir=out.parent))
    os.chmod(tmp, 0o755)  # mkdtemp's 0700 would become the dataset folder's mode
    try:
        _fill(tmp, built)
        _copy_changelog(out, tmp)
        _fault("before-exchange")
        if out.exists():
            exchange_folders(tmp, out)  # tmp now holds the previous dataset
        else:
            os.rename(tmp, out)
        _fault("after-exchange")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def _fill(tmp: Path, built: list[BuiltDoc]) -> None:
    files = write_dataset(built, tmp)
    _fault("after-data")
    chart = write_chart(built, tmp / "label_distribution.png")
    if chart:
        files["label_distribution.png"] = hashlib.sha256(chart.read_bytes()).hexdigest()
    data = {k: v for k, v in files.items() if k.startswith("data/")}
    sizes = {k: (tmp / k).stat().st_size for k in data}
    atomic_write_text(tmp / "README.md", render_card(built, DATASET_VERSION, data, sizes))
    files["README.md"] = hashlib.sha256((tmp / "README.md").read_bytes()).hexdigest()
    licence = paths.project_root() / "LICENSE-DATA"
    if licence.is_file():  # the dataset folder carries its own licence (Hub upload)
        shutil.copyfile(licence, tmp / LICENSE_FILE)
        files[LICENSE_FILE] = hashlib.sha256((tmp / LICENSE_FILE).read_bytes()).hexdigest()
    write_json(tmp / "MANIFEST.json", manifest(files))
    _fault("after-manifest")


def _check_out(out: Path) -> None:
    if not out.exists():
        return
    if not out.is_dir():
        raise CorpusError(Problem("output exists and is not a folder", file=str(out),
                                  code="DK-CORPUS-010"))
    allowed = set(GENERATED) | {"CHANGELOG.md"}
    foreign = sorted(p.name for p in out.iterdir()
                     if p.name not in allowed and not p.name.startswith("."))
    if foreign:
        raise CorpusError(Problem(f"refusing to replace a folder with files a build does not "
                                  f"write: {foreign[:10]}", file=str(out), code="DK-CORPUS-011"))


def _clean_stale(out: Path) -> None:
    """Remove temporaries of builds that were killed (this layout's and the old one's)."""
    for stale in out.parent.glob(f".{out.name}.build-*"):
        shutil.rmtree(stale, ignore_errors=True)
    if out.is_dir():
        for stale in [*out.glob(".build-*"), out / ".data-old"]:
            shutil.rmtree(stale, ignore_errors=True)


def _fault(step: str) -> None:
    """Fault injection for the kill tests: die here when DUIKOU_KILL_AT names this step."""
    if os.environ.get("DUIKOU_KILL_AT") == step:
        os._exit(137)


def manifest(files: dict[str, str]) -> dict:
    return {"dataset_version": DATASET_VERSION, "schema_version": SCHEMA_VERSION,
            "schema_fingerprint": schema_fingerprint(), "files": dict(sorted(files.items()))}


def _copy_changelog(out: Path, tmp: Path) -> None:
    """The hand-written changelog travels with the dataset: from ``out`` when it has one,
    else from the project's ``corpus/``."""
    for src in (out / "CHANGELOG.md", paths.corpus_dir() / "CHANGELOG.md"):
        if src.is_file():
            shutil.copyfile(src, tmp / "CHANGELOG.md")
            return


def manifest_sha256(corpus: Path | None = None) -> str:
    """The dataset's identity: sha256 of the manifest's data part (dataset version, schema
    and the data files' hashes). Models and scores record it. Edits to the card prose or the
    chart do not change it; any change to the data does."""
    path = (corpus or paths.corpus_dir()) / "MANIFEST.json"
    man = json.loads(path.read_text(encoding="utf-8"))
    part = {k: v for k, v in man.items() if k != "files"}
    part["files"] = {k: v for k, v in man["files"].items() if k.startswith("data/")}
    blob = json.dumps(part, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()


def verify(corpus: Path | None = None) -> dict:
    """Check every file against MANIFEST.json; raise CorpusError listing mismatches."""
    corpus = corpus or paths.corpus_dir()
    mpath = corpus / "MANIFEST.json"
    if not mpath.is_file():
        raise CorpusError(Problem("no MANIFEST.json: build the corpus first "
                                  "(duikou corpus build)", file=str(mpath), code="DK-CORPUS-003"))
    man = json.loads(mpath.read_text(encoding="utf-8"))
    problems = []
    for rel, digest in man["files"].items():
        f = corpus / rel
        if not f.is_file():
            problems.append(Problem("listed in the manifest but missing", file=str(f),
                                    code="DK-CORPUS-004"))
        elif hashlib.sha256(f.read_bytes()).hexdigest() != digest:
            problems.append(Problem("sha256 differs from the manifest", file=str(f),
                                    code="DK-CORPUS-005"))
    if problems:
        raise CorpusError(problems)
    return man
