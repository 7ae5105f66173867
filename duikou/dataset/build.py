"""Build the Hugging Face dataset folder from seeds + gold annotations.

``build(out)`` is deterministic (same inputs → byte-identical files) and atomic: everything
is written to a temporary folder beside ``out`` and validated there; only then are the
generated parts swapped in (``data/`` by rename, then ``README.md`` and finally
``MANIFEST.json``). A failure at any point before the swap leaves the previous dataset as it
was. Hand-written files in the folder (``CHANGELOG.md``) are untouched.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

from duikou import paths
from duikou.annotation.gold import read_annotations
from duikou.dataset.card import render_card, write_chart
from duikou.dataset.rows import BuiltDoc, document_record, sentence_records
from duikou.dataset.splits import ASSIGNMENT, SPLIT_NAMES
from duikou.errors import CorpusError, Problem, SpanError
from duikou.ingest.segment import sentence_spans
from duikou.ingest.sources import SourceDoc, load_sources
from duikou.jsonio import atomic_write_text, dumps_line, write_json
from duikou.schema import SCHEMA_VERSION, schema_fingerprint
from duikou.spans import Span, bio_to_spans, check_spans, spans_to_bio

DATASET_VERSION = "1.0.0"
CONFIGS = ("documents", "sentences")
GOLD_FILE = "gold.jsonl"
LICENSE_FILE = "LICENSE"
GENERATED = ("data", "README.md", "MANIFEST.json", "label_distribution.png", LICENSE_FILE)


def assemble(seeds: Path, annotations: Path | None) -> list[BuiltDoc]:
    """Load, clean, attach gold spans and validate every document with ``status: gold``;
    raise on any problem. Documents still ``pending`` annotation are not part of a release
    (:func:`pending` lists them)."""
    sources = [d for d in load_sources(seeds) if d.status == "gold"]
    texts = {d.id: d.text for d in sources}
    gold: dict[str, list[Span]] = {}
    if annotations is not None and annotations.is_file():
        gold = read_annotations(annotations, texts)
    problems = [Problem("document has no split/fold in corpus/splits.py", doc_id=d.id,
                        file=d.file,
                        code="DK-CORPUS-001") for d in sources if d.id not in ASSIGNMENT]
    if problems:
        raise CorpusError(problems)
    built = []
    for d in sources:
        spans = gold.get(d.id, [])
        check_spans(d.text, spans, doc_id=d.id, file=d.file)
        _check_bio_round_trip(d, spans)
        split, fold = ASSIGNMENT[d.id]
        built.append(BuiltDoc(d, split, fold, spans, sentence_spans(d.text, spans)))
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
    """Build the dataset folder at ``out`` (default ``corpus/``); returns ``out``."""
    out = Path(out) if out is not None else paths.corpus_dir()
    seeds = seeds or paths.seeds_dir()
    if annotations is None:
        annotations = paths.annotation_dir() / GOLD_FILE
    built = assemble(seeds, annotations)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=out))
    try:
        files = write_dataset(built, tmp)
        chart = write_chart(built, tmp / "label_distribution.png")
        if chart:
            files["label_distribution.png"] = hashlib.sha256(chart.read_bytes()).hexdigest()
        atomic_write_text(tmp / "README.md", render_card(built, DATASET_VERSION))
        files["README.md"] = hashlib.sha256((tmp / "README.md").read_bytes()).hexdigest()
        licence = paths.project_root() / "LICENSE-DATA"
        if licence.is_file():  # the dataset folder carries its own licence (Hub upload)
            shutil.copyfile(licence, tmp / LICENSE_FILE)
            files[LICENSE_FILE] = hashlib.sha256((tmp / LICENSE_FILE).read_bytes()).hexdigest()
        write_json(tmp / "MANIFEST.json", manifest(files))
        _swap_in(tmp, out)
        _copy_changelog(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def manifest(files: dict[str, str]) -> dict:
    return {"dataset_version": DATASET_VERSION, "schema_version": SCHEMA_VERSION,
            "schema_fingerprint": schema_fingerprint(), "files": dict(sorted(files.items()))}


def _swap_in(tmp: Path, out: Path) -> None:
    old = out / ".data-old"
    shutil.rmtree(old, ignore_errors=True)
    if (out / "data").exists():
        (out / "data").rename(old)
    (tmp / "data").rename(out / "data")
    shutil.rmtree(old, ignore_errors=True)
    for name in ("label_distribution.png", LICENSE_FILE, "README.md", "MANIFEST.json"):
        # the manifest last: it vouches for everything swapped in before it
        if (tmp / name).exists():
            (tmp / name).replace(out / name)
        elif (out / name).exists() and name == "label_distribution.png":
            (out / name).unlink()


def _copy_changelog(out: Path) -> None:
    src = paths.corpus_dir() / "CHANGELOG.md"
    if src.is_file() and out.resolve() != paths.corpus_dir().resolve():
        shutil.copyfile(src, out / "CHANGELOG.md")


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
