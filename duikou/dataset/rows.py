"""Dataset rows: one built document → its ``documents`` row and its ``sentences`` rows.

Offsets in every row are code points into the clean text, end-exclusive. Figure and date
spans carry the normalisation attributes of :func:`duikou.normalise.normalise_in_text`
with the document's publication date.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from duikou.ingest.sources import SourceDoc
from duikou.normalise import normalise_in_text
from duikou.records import Relation
from duikou.spans import Span, spans_to_bio


@dataclass
class BuiltDoc:
    source: SourceDoc
    split: str
    fold: int
    spans: list[Span]
    sentences: list[tuple[int, int]]
    relations: list[Relation] = field(default_factory=list)


def document_record(b: BuiltDoc) -> dict:
    d = b.source
    ents = []
    for s in b.spans:
        attrs = normalise_in_text(s.label, d.text, s.start, s.end, doc_date=d.date)
        prov = (s.attrs or {}).get("provenance")
        ents.append({"start": s.start, "end": s.end, "label": s.label,
                     "text": d.text[s.start:s.end], **attrs, "provenance": prov})
    return {
        "id": d.id, "title": d.title, "date": d.date, "source": d.outlet, "script": d.script,
        "fold": b.fold, "text": d.text, "entities": ents,
        "relations": [{"head": r.head, "tail": r.tail, "type": r.type,
                       "provenance": r.provenance} for r in b.relations],
        "raw_file": f"seeds/{d.file}",
        "raw_sha256": d.raw_sha256, "text_sha256": d.clean.text_sha256,
        "offset_map": [list(seg) for seg in d.clean.segments],
    }


def sentence_records(b: BuiltDoc) -> list[dict]:
    text = b.source.text
    tags = spans_to_bio(len(text), b.spans)
    return [{
        "id": f"{b.source.id}-s{n:03d}", "doc_id": b.source.id, "fold": b.fold, "start": a,
        "tokens": list(text[a:e]), "ner_tags": tags[a:e],
    } for n, (a, e) in enumerate(b.sentences)]
