"""The error catalogue: every code raised is listed once, every listed code is raised."""

from __future__ import annotations

import re
from pathlib import Path

import duikou
from duikou.errors import CODES, FAMILIES, AnnotationError, Problem

PACKAGE = Path(duikou.__file__).parent
CODE = re.compile(r'"(DK-[A-Z]+-\d{3})"')


def _codes_in_source() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "errors.py":
            continue
        for code in CODE.findall(path.read_text(encoding="utf-8")):
            found.setdefault(code, []).append(str(path.relative_to(PACKAGE)))
    return found


def test_every_raised_code_is_catalogued_and_every_catalogued_code_is_raised():
    used = _codes_in_source()
    assert sorted(set(used) - set(CODES)) == [], "codes missing from duikou.errors.CODES"
    retired = {c for c, text in CODES.items() if text.startswith("retired")}
    assert not retired & set(used), "a retired code is raised again"
    unused = sorted(set(CODES) - set(used) - retired - {"DK-GEN-000"})
    assert unused == [], "catalogued codes no code raises"


def test_codes_have_a_known_family_and_a_description():
    for code, text in CODES.items():
        assert code.split("-")[1] in FAMILIES, code
        assert text.strip(), code


def test_messages_carry_their_code_and_location():
    exc = AnnotationError([Problem("expected X, found Y", file="a.jsonl", doc_id="d", start=3,
                                   end=5, code="DK-ANN-001")])
    assert exc.codes == ["DK-ANN-001"]
    assert str(exc) == "file a.jsonl, document d, offsets [3, 5): expected X, found Y [DK-ANN-001]"


def test_the_cli_shows_the_first_50_problems_and_counts_the_rest(tmp_path, capsys) -> None:
    from duikou.app.cli import main

    bad = tmp_path / "preds.jsonl"
    bad.write_text("not json\n" * 300, encoding="utf-8")
    assert main(["evaluate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n  - ") == 50 and "… and" in err and "more (" in err
