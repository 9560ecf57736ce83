"""The spec trace: generated from tags, checked against the catalogue."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from mhhs_sec import trace
from mhhs_sec.requirements import REQUIREMENTS
from mhhs_sec.settings import catalogue_path


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
    lines = (tmp_path / "model/rule.py").read_text(encoding="utf-8").splitlines()
    check, table = lines.index("def check(x):") + 1, lines.index("TABLE = (1, 2)") + 1
    assert found["REG-4"] == {trace.Link("model/rule.py", "check", check)}
    assert found["AC-3"] == {trace.Link("model/rule.py", "check", check)}
    assert found["AC-1"] == {trace.Link("model/rule.py", "TABLE", table)}
    assert found["C-5"] == {trace.Link("model/rule.py", "", 1)}
    assert trace.Link("model/rule.py", "check", check).markdown() == (
        f"[`model/rule.py::check` line {check}](../model/rule.py#L{check})"
    )


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
    line = (tmp_path / "tests/test_x.py").read_text(encoding="utf-8").splitlines().index("def test_a():") + 1
    assert found["SCH-2"] == {trace.TestLink(3, trace.Link("tests/test_x.py", "test_a", line))}
    assert found["AUD-1"] == found["SCH-2"]
    assert "helper" not in str(found)


def test_the_tests_checking_a_rule_alone_come_first(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "tests/test_a.py",
        """
        import pytest

        @pytest.mark.req("C-1", "C-2", "C-5")
        def test_among_others():
            pass
        """,
    )
    _write(
        tmp_path,
        "tests/test_z.py",
        """
        import pytest

        @pytest.mark.req("C-5")
        def test_alone():
            pass
        """,
    )
    collected = trace.Trace(tests=trace.scan_tests(tmp_path, Path("tests")))
    row = next(line for line in trace.render(collected).splitlines() if line.startswith("| C-5 |"))
    assert row.index("test_alone") < row.index("test_among_others")


def test_the_vectors_column_gives_the_count_and_the_listing_command() -> None:
    row = next(
        line for line in trace.render(trace.Trace(vectors={"C-5": 7})).splitlines() if line.startswith("| C-5 |")
    )
    assert row.endswith("| 7: `mhhs-sec list vectors --req C-5` |")


def test_a_rule_row_no_test_asserts_is_named_and_an_out_row_is_not() -> None:
    tests = {r.id: {trace.TestLink(1, trace.Link("tests/t.py", "test", 1))} for r in REQUIREMENTS.values()}
    del tests["C-5"], tests["C-11"], tests["S1-2"], tests["REG-9"]
    untested = trace.untested(trace.Trace(tests=tests))
    assert [problem.split(" ")[0] for problem in untested] == ["C-5", "C-11"]  # rule, interp; not out, process


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


def test_trace_check_fails_naming_the_untested_rule_row(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from mhhs_sec.cli import main

    monkeypatch.setattr(trace, "collect", lambda: trace.Trace())
    assert main(["trace", "--check"]) == 1
    err = capsys.readouterr().err
    assert "trace: C-5 (rule): no test asserts it" in err and "S1-2" not in err
