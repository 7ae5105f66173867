
from duikou.annotation.guidelines import END, START, is_in_sync, render
from duikou.errors import AnnotationError
from duikou.schema import LABELS, RELATIONS
from tests.helpers import raises_code


def test_guidelines_label_table_is_generated_from_schema():
    assert is_in_sync(), "run: python -c 'from duikou.annotation.guidelines import sync; sync()'"


def test_render_replaces_a_drifted_table():
    drifted = (f"intro\n{START}\n| label | old |\n{END}\nmiddle\n"
               "<!-- relation-table:start -->\n| relation | stale |\n"
               "<!-- relation-table:end -->\nrest\n")
    out = render(drifted)
    assert "| old |" not in out and "| stale |" not in out
    assert out.startswith("intro\n") and out.endswith("rest\n") and "\nmiddle\n" in out
    for lb in LABELS:
        assert f"| {lb.name} |" in out
    for r in RELATIONS:
        assert f"| {r.name} | {' / '.join(r.heads)} |" in out


def test_missing_markers_is_an_error():
    with raises_code(AnnotationError, "DK-ANN-017"):
        render("no markers here")
