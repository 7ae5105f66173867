"""Check relation adjudication sheets against the passes; prints problems or counts.

    python scripts/check_adjudication.py annotation/relations/adjudication
"""

import sys
from collections import Counter
from pathlib import Path

from duikou.annotation import relgold
from duikou.annotation.reladj import compile_sheets
from duikou.app.relations_cli import _gold_spans
from duikou.errors import AnnotationError

_, gold = _gold_spans()
passes = relgold.read_passes(gold)
try:
    lines = compile_sheets(Path(sys.argv[1]), gold, passes)
except AnnotationError as exc:
    for p in exc.problems:
        print(p)
    sys.exit(2)
print(f"{len(lines)} decisions: {dict(Counter(d['decision'] for d in lines))}")
