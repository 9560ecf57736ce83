"""The everyday commands, timed end to end, each figure beside its target.

    python benchmarks/everyday_bench.py [--runs 3] [--only rerun,usage,list,full,check,trace,pytest,pytest-cmd,tests]

Each command is started ``--runs`` times as a whole process (start-up, imports
and loading included, as a vendor or an assessor meets it) from the current
Python environment; the minimum and the median wall time are printed beside
the target.  Targets: the one-vector rerun and every usage error under 1 s;
``mhhs-sec list`` under 1 s; the full in-process run of the suite under 3 s;
``mhhs-sec check`` under 15 s; ``mhhs-sec trace --check`` under 3 s;
``pytest -n auto`` faster than plain pytest, shown three times: the vectors
through the pytest plugin against the in-process reference (``pytest``, one
item per vector), against the reference as a subprocess implementation over
stdio (``pytest-cmd``, as a vendor's ``cmd:`` adapter runs), and the project's
conformance tests (``tests``).  On a shared machine the figures are
noisy: quote the median, and the minimum as the machine's best.  The commands
run with Python's bytecode cache on (``PYTHONDONTWRITEBYTECODE`` removed), as
a user's installation has it, and one unmeasured run first fills it.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MHHS = [sys.executable, "-m", "mhhs_sec"]
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--mhhs-adapter", "reference"]


def _first_vector_id() -> str:
    from mhhs_sec.vectors.loader import vector_entries

    return sorted(entry.id for entry in vector_entries())[0]


ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def _time(command: Sequence[str], runs: int) -> tuple[float, float, int]:
    """(min, median) wall seconds of ``runs`` runs (after one unmeasured), and
    the last exit code."""
    times, code = [], 0
    subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    for _ in range(runs):
        started = time.perf_counter()
        code = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=ENV).returncode  # fmt: skip
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times), code


def _row(name: str, command: Sequence[str], runs: int, target: float | None) -> float:
    low, median, code = _time(command, runs)
    verdict = "" if target is None else ("  meets target" if median < target else "  MISSES target")
    goal = f"< {target:g} s" if target is not None else ""
    print(f"{name:<44} min {low:6.2f} s  median {median:6.2f} s  {goal:<8} (exit {code}){verdict}", flush=True)
    return median


def _faster(spread: float, plain: float) -> None:
    print(f"{'  -n auto faster than plain pytest':<44} {'yes' if spread < plain else 'NO'} "
          f"(median {spread:.2f} s vs {plain:.2f} s)")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="rerun,usage,list,full,check,trace,pytest,pytest-cmd,tests")
    args = parser.parse_args(argv)
    only, runs = set(args.only.split(",")), args.runs
    if "rerun" in only:
        _row("one-vector rerun", [*MHHS, "conform", "--quiet", "--vector", _first_vector_id()], runs, 1)
    if "usage" in only:
        _row("usage: --adapter bogus", [*MHHS, "conform", "--adapter", "bogus"], runs, 1)
        _row("usage: --vector no-such-vector", [*MHHS, "conform", "--vector", "no-such-vector"], runs, 1)
        _row("usage: --adapter cmd:/nonexistent", [*MHHS, "conform", "--adapter", "cmd:/nonexistent"], runs, 1)
    if "list" in only:
        _row("mhhs-sec list vectors --req C-5", [*MHHS, "list", "vectors", "--req", "C-5"], runs, 1)
        _row("mhhs-sec list requirements", [*MHHS, "list", "requirements"], runs, 1)
    if "full" in only:
        _row("full in-process run (conform --quiet)", [*MHHS, "conform", "--quiet"], runs, 3)
    if "check" in only:
        _row("mhhs-sec check", [*MHHS, "check"], runs, 15)
    if "trace" in only:
        _row("mhhs-sec trace --check", [*MHHS, "trace", "--check"], runs, 3)
    if "pytest" in only:
        plain = _row("pytest --mhhs-adapter reference", PYTEST, runs, None)
        spread = _row("pytest --mhhs-adapter reference -n auto", [*PYTEST, "-n", "auto"], runs, None)
        _faster(spread, plain)
    if "pytest-cmd" in only:
        cmd = [*PYTEST[:-1], f"cmd:{shlex.quote(sys.executable)} -m mhhs_sec serve --stdio"]
        plain = _row("pytest cmd:(serve --stdio)", cmd, runs, None)
        _faster(_row("pytest cmd:(serve --stdio) -n auto", [*cmd, "-n", "auto"], runs, None), plain)
    if "tests" in only:
        tests = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/conformance"]
        plain = _row("pytest tests/conformance", tests, runs, None)
        _faster(_row("pytest tests/conformance -n auto", [*tests, "-n", "auto"], runs, None), plain)
    return 0


if __name__ == "__main__":
    sys.exit(main())
