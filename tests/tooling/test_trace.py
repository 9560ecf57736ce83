"""The spec trace: generated from tags, checked against the catalogue."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from mhhs_sec import trace
from mhhs_sec.requirements import REQUIREMENTS
from mhhs_sec.settings import catalogue_path

pytestmark = [pytest.mark.req("REG-9", "S1-2", "VOL-1")]


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def test_code_tags_name_file_and_function(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "model/rule.py",
        '''
        """Module about C-5."""
        # AC-1: table below
        TABLE = (1, 2)

        def check(x):
            """REG-4: outgoing MDRA."""
            # AC-3: sender is the MDRA on every targeted day
            return x
        ''',
    )
    found = trace.scan_code(tmp_path, Path("model"))
    assert found["REG-4"] == {"model/rule.py:check"}
    assert found["AC-3"] == {"model/rule.py:check"}
    assert found["AC-1"] == {"model/rule.py:TABLE"}
    assert found["C-5"] == {"model/rule.py"}


def test_test_markers_are_collected(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "tests/test_x.py",
        """
        import pytest
        pytestmark = pytest.mark.req("AUD-1")

        @pytest.mark.req("SCH-2", "SCH-1")
        def test_a():
            pass

        def helper():
            pass
        """,
    )
    found = trace.scan_tests(tmp_path, Path("tests"))
    assert found["SCH-2"] == {"tests/test_x.py::test_a"}
    assert found["AUD-1"] == {"tests/test_x.py::test_a"}
    assert "helper" not in str(found)


def test_render_has_a_row_per_requirement_and_explains_unmodelled_rows() -> None:
    text = trace.render(trace.Trace())
    for requirement in REQUIREMENTS.values():
        row = next(line for line in text.splitlines() if line.startswith(f"| {requirement.id} |"))
        if requirement.kind in ("process", "out"):
            assert "Not modelled" in row, requirement.id


def test_gaps_report_rule_rows_without_tests() -> None:
    assert "REG-4: no code and no tests" in trace.gaps(trace.Trace())


def test_missing_catalogue_ids_are_found(tmp_path: Path) -> None:
    catalogue = tmp_path / "requirements.md"
    catalogue.write_text("| ID | kind |\n|---|---|\n| REG-1 | rule | x |\n| ZZZ-9 | rule | y |\n", encoding="utf-8")
    assert trace.missing_from_registry(catalogue) == ["ZZZ-9"]


def test_registry_matches_the_catalogue() -> None:
    path = catalogue_path()
    if path is None:
        pytest.skip("requirement catalogue ../shared/spec/requirements.md not present in this checkout")
    ids = trace.catalogue_ids(path)
    assert ids == list(REQUIREMENTS)
    kinds = {
        line.split("|")[1].strip(): line.split("|")[2].strip()
        for line in path.read_text().splitlines()
        if line.startswith("| ") and line.split("|")[1].strip() in REQUIREMENTS
    }
    assert {i: REQUIREMENTS[i].kind for i in ids} == kinds
