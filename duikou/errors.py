"""Errors as data: one exception family per failure kind, each carrying located problems.

Every problem says *where* (file, document id, code-point offsets) and *what* was expected
versus found, so a user can go straight to the offending place. Functions that can find
several problems collect them all and raise once, rather than stopping at the first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One located defect in some input."""

    message: str
    file: str | None = None
    doc_id: str | None = None
    start: int | None = None
    end: int | None = None
    extra: str | None = None  # e.g. "task 12, annotation 40" for Label Studio input

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(f"file {self.file}")
        if self.doc_id is not None:
            parts.append(f"document {self.doc_id}")
        if self.extra:
            parts.append(self.extra)
        if self.start is not None:
            rng = f"[{self.start}, {self.end})" if self.end is not None else f"{self.start}"
            parts.append(f"offsets {rng}")
        return ", ".join(parts) if parts else "(no location)"

    def __str__(self) -> str:
        return f"{self.where()}: {self.message}"


class DuikouError(Exception):
    """Base class: a failure with one or more located problems."""

    def __init__(self, problems: Problem | str | Iterable[Problem]):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(self._render())

    def _render(self) -> str:
        n = len(self.problems)
        if n == 1:
            return str(self.problems[0])
        lines = [f"{n} problems:"] + [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class IngestError(DuikouError):
    """A raw article could not be turned into a clean document."""


class SpanError(DuikouError):
    """Spans are inconsistent with their text or with the label schema."""


class BioError(DuikouError):
    """A BIO tag sequence is malformed."""


class AnnotationError(DuikouError):
    """An annotation file is malformed or disagrees with the corpus."""


class CorpusError(DuikouError):
    """The dataset folder is missing, stale or inconsistent."""


class SubmissionError(DuikouError):
    """A prediction file submitted for scoring is invalid."""


class LabelStudioError(DuikouError):
    """A Label Studio export, config or server exchange failed."""


class ModelError(DuikouError):
    """A model folder is missing, incompatible or could not be trained."""
