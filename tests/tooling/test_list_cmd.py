"""``mhhs-sec list``: what it lists is what the vector files hold, its filters
select what they say, and a bad filter is a usage error."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from mhhs_sec.vectors import load_vectors

from mhhs_sec.cli import main


def _listed(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any]:
    code = main(["list", *argv, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out else None


def test_vectors_of_a_requirement_are_those_whose_files_cite_it(capsys: pytest.CaptureFixture[str]) -> None:
    code, rows = _listed(capsys, "vectors", "--req", "C-5")
    assert code == 0
    assert [row["id"] for row in rows] == sorted(v.id for v in load_vectors(requirement="C-5"))


def test_filters_of_different_kinds_must_all_match(capsys: pytest.CaptureFixture[str]) -> None:
    _, rows = _listed(capsys, "vectors", "--req", "C-5", "--tag", "boundary", "--observable", "device-read")
    chosen = {row["id"] for row in rows}
    vectors = load_vectors(requirement="C-5")
    expected = {v.id for v in vectors if "boundary" in v.tags and "device-read" in v.observables}
    assert chosen == expected and 0 < len(chosen) < len(vectors)


def test_tags_are_counted_over_the_vectors(capsys: pytest.CaptureFixture[str]) -> None:
    _, rows = _listed(capsys, "tags")
    counts = Counter(tag for vector in load_vectors(tag="etd") for tag in vector.tags)
    assert {row["tag"]: row["vectors"] for row in rows}["etd"] == counts["etd"] > 0


def test_requirements_count_the_vectors_citing_each(capsys: pytest.CaptureFixture[str]) -> None:
    _, rows = _listed(capsys, "requirements", "--kind", "interp")
    by_id = {row["id"]: row for row in rows}
    assert {row["kind"] for row in rows} == {"interp"}
    assert by_id["C-11"]["vectors"] == len(load_vectors(requirement="C-11")) > 0
    assert by_id["C-11"]["meaning"]


def test_faults_of_a_requirement(capsys: pytest.CaptureFixture[str]) -> None:
    _, rows = _listed(capsys, "faults", "--req", "C-5")
    assert rows and all("C-5" in row["requirements"] for row in rows)
    assert "cache-kept-26h" in {row["name"] for row in rows}


def test_lines_are_tab_separated_with_the_count_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "vectors", "--req", "C-12"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert all(line.split("\t")[1].split().count("C-12") == 1 for line in lines)
    assert captured.err.strip() == f"{len(lines)} vectors"


@pytest.mark.parametrize(
    "argv", [("vectors", "--req", "C-99"), ("vectors", "--tag", "no-such-tag"), ("vectors", "--observable", "smell"),
             ("faults", "--req", "C-99")],
)  # fmt: skip
def test_an_unknown_filter_value_is_a_usage_error(argv: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", *argv]) == 2
    err = capsys.readouterr().err
    assert argv[-1] in err and err.count("\n") == 1
