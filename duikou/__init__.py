"""duikou (对口): an annotated Chinese corpus and benchmark on paired assistance.

The package follows the data flow. :data:`LAYERS` lists its layers in order; a module may
import only from its own layer or from layers before it (``tests/test_layering.py`` reads
the import graph and enforces this, and that there are no import cycles).
"""

__version__ = "0.1.0"

LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # records, schema, errors, figure/date normalisation and the span scorer: used by all
    ("core", ("duikou", "duikou.errors", "duikou.schema", "duikou.spans", "duikou.jsonio",
              "duikou.records", "duikou.paths", "duikou.normalise", "duikou.scoring",
              "duikou.mentions")),
    ("ingest", ("duikou.ingest",)),  # raw article → clean text + offset map, sentences
    ("annotation", ("duikou.annotation",)),  # worksheets, passes, gold, Label Studio
    ("dataset", ("duikou.dataset",)),  # seeds + gold → the Hugging Face dataset folder
    ("encoders", ("duikou.encoders",)),  # pretrained encoders prepared for offline use
    ("baselines", ("duikou.baselines",)),  # taggers: interface, registry, rules, CRF, BERT
    ("eval", ("duikou.eval",)),  # harness, statistics, leaderboard, pictures
    ("app", ("duikou.app",)),  # command line and reproduction: may import everything
)
