"""``conform --baseline RUN.json``: a run compared with an earlier ``--json``
run; only a vector that newly fails makes the exit code 1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mhhs_sec.vectors import load_vectors

from mhhs_sec.cli import main

FAULT = "fault:cache-kept-26h"


@pytest.fixture(scope="module")
def caught() -> list[str]:
    """Two vectors the fault fails (a cache entry served just past 25 h), then
    one about no cache at all, which it passes."""
    ages = sorted(v.id for v in load_vectors(tag="cache-age") if v.id.endswith(".f"))
    other = sorted(v.id for v in load_vectors(tag="negative") if not {"C-5", "C-11"} & set(v.requirements))
    return [*ages[:2], other[0]]


def _run(capsys: pytest.CaptureFixture[str], adapter: str, vectors: list[str], *extra: str) -> tuple[int, str]:
    argv = ["conform", "--quiet", "--adapter", adapter, *(f"--vector={v}" for v in vectors), *extra]
    code = main(argv)
    return code, capsys.readouterr().out


def _baseline(capsys: pytest.CaptureFixture[str], tmp_path: Path, adapter: str, vectors: list[str]) -> str:
    _, out = _run(capsys, adapter, vectors, "--json")
    path = tmp_path / "run.json"
    path.write_text(out, encoding="utf-8")
    return str(path)


def test_a_newly_failing_vector_exits_1_with_its_rerun_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, caught: list[str]
) -> None:
    baseline = _baseline(capsys, tmp_path, "reference", caught)
    code, out = _run(capsys, FAULT, caught, "--baseline", baseline)
    assert code == 1
    assert "2 newly failing, 0 newly passing, 0 still failing" in out
    assert f"newly failing: {caught[0]}   rerun: mhhs-sec conform --adapter {FAULT} --vector {caught[0]}" in out


def test_still_failing_as_in_the_baseline_exits_0(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, caught: list[str]
) -> None:
    baseline = _baseline(capsys, tmp_path, FAULT, caught)
    code, out = _run(capsys, FAULT, caught, "--baseline", baseline)
    assert code == 0 and "DOES NOT CONFORM" in out
    assert "0 newly failing, 0 newly passing, 2 still failing" in out


def test_newly_passing_vectors_are_named_and_in_the_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, caught: list[str]
) -> None:
    baseline = _baseline(capsys, tmp_path, FAULT, caught)
    code, out = _run(capsys, "reference", caught[:1], "--baseline", baseline, "--json")
    assert code == 0
    assert json.loads(out)["baseline"] == {
        "newly_failing": [], "newly_passing": [caught[0]], "still_failing": [], "not_checked": 1,
    }  # fmt: skip


@pytest.mark.parametrize("content", ["not json", '{"verdict": "x"}', '{"problems": [{"id": 1}]}'])
def test_a_baseline_that_is_not_a_summary_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str
) -> None:
    path = tmp_path / "run.json"
    path.write_text(content, encoding="utf-8")
    assert main(["conform", "--quiet", "--baseline", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"mhhs-sec conform: --baseline {path}") and err.count("\n") == 1
