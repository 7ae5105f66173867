
from duikou.annotation.guidelines import END, START, is_in_sync, render
from duikou.errors import AnnotationError
from duikou.schema import LABELS
from tests.helpers import raises_code


def test_guidelines_label_table_is_generated_from_schema():
    assert is_in_sync(), "run: python -c 'from duikou.annotation.guidelines import sync; sync()'"


def test_render_replaces_a_drifted_table():
    drifted = f"intro\n{START}\n| label | old |\n{END}\nrest\n"
    out = render(drifted)
    assert "| old |" not in out and out.startswith("intro\n") and out.endswith("rest\n")
    for lb in LABELS:
        assert f"| {lb.name} |" in out


def test_missing_markers_is_an_error():
    with raises_code(AnnotationError, "DK-ANN-017"):
        render("no markers here")
