"""The pytest plugin's node ids can be given back to pytest, and a failure
prints the pytest line that reruns it."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

FAILING, PASSING = "boundary.cache-age.age-at-25h.f", "boundary.cache-age.age-at-25h.t"


def _pytest(tmp_path: Path, *args: str) -> str:
    command = [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", *args]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    return done.stdout


def test_a_pasted_node_id_selects_its_vector_and_a_failure_prints_the_pytest_rerun(tmp_path: Path) -> None:
    out = _pytest(tmp_path, "--mhhs-adapter", "fault:cache-kept-26h", f"mhhs-vectors::{FAILING}",
                  f"mhhs-vectors::{PASSING}")  # fmt: skip
    assert "1 failed, 1 passed" in out
    assert f"FAILED mhhs-vectors::{FAILING}" in out and f"PASSED mhhs-vectors::{PASSING}" in out
    line = next(line for line in out.splitlines() if line.startswith("rerun with pytest: "))
    assert line == f"rerun with pytest: pytest --mhhs-adapter fault:cache-kept-26h mhhs-vectors::{FAILING}"
    again = _pytest(tmp_path, *shlex.split(line.removeprefix("rerun with pytest: pytest ")))
    assert "1 failed in" in again and f"FAILED mhhs-vectors::{FAILING}" in again
