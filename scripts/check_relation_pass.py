"""Check a relation pass folder against the gold spans: prints every problem, or a count.

    python scripts/check_relation_pass.py annotation/relations/passes/R-S
"""

import sys
from collections import Counter
from pathlib import Path

from duikou import paths
from duikou.annotation.gold import read_annotations
from duikou.annotation.relsheet import compile_relation_folder
from duikou.errors import AnnotationError
from duikou.ingest.sources import load_sources

docs = [d for d in load_sources(paths.seeds_dir()) if d.status == "gold"]
gold = read_annotations(paths.annotation_dir() / "gold.jsonl", {d.id: d.text for d in docs})
try:
    rels = compile_relation_folder(Path(sys.argv[1]), gold)
except AnnotationError as exc:
    for p in exc.problems:
        print(p)
    sys.exit(2)
counts = Counter(r.type for rs in rels.values() for r in rs)
print(f"{len(rels)} documents, {sum(counts.values())} relations: {dict(sorted(counts.items()))}")
