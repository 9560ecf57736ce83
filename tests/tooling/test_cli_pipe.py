"""A reader that leaves early (``mhhs-sec list vectors | head -1``) ends the
command quietly: exit 0 and no traceback, whichever command was writing (each writes more than a pipe holds)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("argv", [["list", "vectors"], ["show", "walk.soak.seed-20250610"]])
def test_output_cut_short_by_the_reader_is_no_error(argv: list[str]) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "mhhs_sec", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline()  # the first line arrives; then the reader goes away
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait() == 0
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr
