"""Print the spans of one gold document with their worksheet handles and span ids.

    python scripts/relation_handles.py DOC_ID
"""

import sys

from duikou import paths
from duikou.annotation.gold import read_annotations
from duikou.annotation.relsheet import handles
from duikou.ingest.segment import sentence_spans
from duikou.ingest.sources import load_sources
from duikou.records import span_id

docs = {d.id: d for d in load_sources(paths.seeds_dir()) if d.status == "gold"}
if len(sys.argv) != 2 or sys.argv[1] not in docs:
    sys.exit(f"usage: relation_handles.py DOC_ID (a gold document id, e.g. {min(docs)}); "
             f"found {sys.argv[1:]!r}")
doc = docs[sys.argv[1]]
spans = read_annotations(paths.annotation_dir() / "gold.jsonl",
                         {d.id: d.text for d in docs.values()})[doc.id]
sents = sentence_spans(doc.text, spans)
for h, s in handles(spans).items():
    n = next(i for i, (a, b) in enumerate(sents, 1) if a <= s.start < b)
    print(f"{h}\t{span_id(s)}\t{s.label}\t{doc.text[s.start:s.end]}\tS{n}")
