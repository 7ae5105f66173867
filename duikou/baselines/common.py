"""What every baseline shares: the self-describing model folder, predictions I/O and tagging.

A model folder holds ``duikou_model.json``::

    {"kind": "crf" | "bert" | "rules", "schema_version", "schema_fingerprint", "bio_tags",
     "dataset_version", "manifest_sha256", "trained_on": {"split" | "fold", "documents"},
     "seed", "training_time_s", "hyperparameters", "duikou_version", "encoder"?}

plus the kind's own files. :func:`read_model_info` refuses a folder trained under another
label schema (the tag set would be wrong) and warns-by-error for another dataset version
unless the caller allows it: scores would otherwise be compared across data versions.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from duikou import __version__
from duikou.baselines.registry import KINDS
from duikou.dataset.build import manifest_sha256, verify
from duikou.errors import ModelError, Problem
from duikou.jsonio import loads, read_bounded, write_json, write_jsonl
from duikou.schema import BIO_TAGS, SCHEMA_VERSION, schema_fingerprint

INFO_FILE = "duikou_model.json"


@dataclass
class TrainingScope:
    """Which documents a model was trained on (documents of the training split or fold)."""

    split: str | None
    fold: int | None
    documents: list[str]

    def to_json(self) -> dict:
        return {"split": self.split, "fold": self.fold, "documents": self.documents}


def corpus_identity(corpus: Path | None = None) -> dict:
    man = verify(corpus)
    return {"dataset_version": man["dataset_version"], "manifest_sha256": manifest_sha256(corpus)}


def write_model_info(folder: Path, *, kind: str, scope: TrainingScope, seed: int,
                     training_time_s: float, hyperparameters: Mapping, corpus: Path | None = None,
                     **extra: object) -> dict:
    info = {
        "kind": kind, "schema_version": SCHEMA_VERSION, "schema_fingerprint": schema_fingerprint(),
        "bio_tags": list(BIO_TAGS), **corpus_identity(corpus), "trained_on": scope.to_json(),
        "seed": seed, "training_time_s": round(training_time_s, 3),
        "hyperparameters": dict(hyperparameters), "duikou_version": __version__,
        "files": model_files(Path(folder)), **extra,
    }
    write_json(Path(folder) / INFO_FILE, info)
    return info


def model_files(folder: Path) -> dict[str, dict]:
    """Size and sha256 of every file the model folder holds so far (the weights; not the
    metadata file or the model card), checked before a model is opened: a truncated or
    overwritten weights file must give an error, not a crash inside a native library."""
    return {str(p.relative_to(folder)): {"bytes": p.stat().st_size,
                                         "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
            for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name not in (INFO_FILE, "README.md")
            and not p.name.startswith(".")}


def _file_problems(folder: Path, listed: object, info_path: Path) -> list[Problem]:
    if not isinstance(listed, dict):
        return []  # folders from before files were recorded
    problems = []
    for rel, want in sorted(listed.items()):
        f = folder / rel
        if not f.is_file():
            problems.append(Problem("model file listed in the metadata is missing", file=str(f),
                                    code="DK-MODEL-048"))
        elif (f.stat().st_size != want.get("bytes")
              or hashlib.sha256(f.read_bytes()).hexdigest() != want.get("sha256")):
            problems.append(Problem(f"model file differs from the one trained (expected "
                                    f"{want.get('bytes')} bytes, sha256 "
                                    f"{str(want.get('sha256'))[:16]}…): it was truncated or "
                                    f"replaced; retrain", file=str(f), code="DK-MODEL-049"))
    return problems


PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle")


def require_safetensors(folder: Path) -> None:
    """Refuse a transformers folder whose weights are pickles (``pytorch_model.bin``, …)
    with no ``.safetensors`` beside them, before torch opens anything: unpickling a file
    can run code, and a safetensors file cannot."""
    folder = Path(folder)
    if not folder.is_dir() or any(folder.glob("*.safetensors")):
        return
    pickles = sorted(p.name for p in folder.iterdir() if p.suffix in PICKLE_SUFFIXES)
    if pickles:
        raise ModelError(Problem(
            f"expected the weights as model.safetensors, found {', '.join(pickles)} (a pickle, "
            "which can run code when loaded); duikou loads safetensors only: convert the "
            "weights (transformers save_pretrained writes safetensors) or retrain",
            file=str(folder), code="DK-MODEL-059"))


def read_model_info(folder: Path, *, corpus: Path | None = None,
                    allow_other_dataset: bool = False) -> dict:
    """The model's metadata, after checking it fits this schema (and dataset version)."""
    folder = Path(folder)
    path = folder / INFO_FILE
    if not folder.is_dir():
        raise ModelError(Problem("model folder does not exist; train one with `duikou train`",
                                 file=str(folder), code="DK-MODEL-023"))
    if not path.is_file():
        raise ModelError(Problem(f"not a duikou model folder: {INFO_FILE} is missing",
                                 file=str(folder), code="DK-MODEL-024"))
    try:
        info = loads(read_bounded(path, 10_000_000, error=ModelError))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(Problem(f"{INFO_FILE} is not readable JSON ({exc}); the folder is "
                                 "damaged: retrain", file=str(path), code="DK-MODEL-047")) from None
    if not isinstance(info, dict):
        raise ModelError(Problem(f"expected a JSON object in {INFO_FILE}, found "
                                 f"{type(info).__name__}", file=str(path), code="DK-MODEL-047"))
    problems = _file_problems(folder, info.get("files"), path)
    if info.get("kind") not in KINDS:
        problems.append(Problem(f"unknown model kind {info.get('kind')!r}; expected {KINDS}",
                                file=str(path), code="DK-MODEL-025"))
    if info.get("schema_fingerprint") != schema_fingerprint():
        problems.append(Problem(
            f"model was trained with label schema {info.get('schema_version')!r} "
            f"(fingerprint {info.get('schema_fingerprint')}), this duikou uses "
            f"{SCHEMA_VERSION!r} ({schema_fingerprint()}): retrain it", file=str(path),
            code="DK-MODEL-026"))
    if not allow_other_dataset:
        here = corpus_identity(corpus)["dataset_version"]
        if not same_training_data(info.get("dataset_version"), here):
            problems.append(Problem(
                f"model was trained on dataset v{info.get('dataset_version')}, the corpus is "
                f"v{here}: retrain, or pass --allow-other-dataset", file=str(path),
                code="DK-MODEL-027"))
    if problems:
        raise ModelError(problems)
    return info


def same_training_data(trained_on: object, corpus_version: str) -> bool:
    """Whether a model trained on dataset ``trained_on`` fits a corpus at ``corpus_version``:
    the same major and minor version (a patch release never changes texts, spans or splits:
    ``corpus/CHANGELOG.md``).

    >>> same_training_data("2.1.0", "2.1.1"), same_training_data("2.0.0", "2.1.0")
    (True, False)
    """
    if not isinstance(trained_on, str):
        return False
    return trained_on.split(".")[:2] == corpus_version.split(".")[:2]


def read_hyperparameters(folder: Path, kind: str, *, corpus: Path | None = None,
                         allow_other_dataset: bool = False) -> dict:
    """The ``hyperparameters`` of a ``kind`` model folder, after every check of
    :func:`read_model_info` (bounded read, files, schema, dataset version)."""
    info = read_model_info(folder, corpus=corpus, allow_other_dataset=allow_other_dataset)
    hyper = info.get("hyperparameters")
    if info.get("kind") != kind or not isinstance(hyper, dict):
        raise ModelError(Problem(f"expected a {kind} model folder with hyperparameters, found "
                                 f"kind {info.get('kind')!r}", file=str(Path(folder) / INFO_FILE),
                                 code="DK-MODEL-045"))
    return hyper


class Timer:
    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start

    def elapsed(self) -> float:
        return time.perf_counter() - self.start


def write_predictions(path: Path, records: list[dict]) -> None:
    write_jsonl(path, sorted(records, key=lambda r: r["id"]))
