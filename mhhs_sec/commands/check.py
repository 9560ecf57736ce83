"""``mhhs-sec check``: the main job on the bundled default.

Runs, in order, the model's self-check on its bundled scenarios and the runtime
checks of every proved invariant over the vectors and random walks, the Z3 proofs
of every invariant, ``generate --check`` on the committed vectors, ``docs
--check`` on the generated protocol schemas and tables, and every
vector against the reference implementation; prints one summary.  Exit code
0 only when every stage passed."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mhhs_sec.model.profile import Profile
from mhhs_sec.model.scenarios import SCENARIOS
from mhhs_sec.model.scenarios import run as run_scenario


@dataclass(frozen=True)
class Stage:
    name: str
    ok: bool
    summary: str
    seconds: float


def self_check() -> tuple[bool, str]:
    """The model's bundled scenarios (expectations written from the catalogue),
    then every proved invariant as a runtime check on every model step of the
    committed vectors and the random walks (``proofs/runtime.py``)."""
    from mhhs_sec.proofs.runtime import InvariantBroken, checking
    from mhhs_sec.proofs.runtime_run import self_check as runtime_check

    failed = 0
    try:
        with checking():
            for scenario in SCENARIOS:
                problems = run_scenario(scenario)
                failed += bool(problems)
                for problem in problems:
                    print(f"  FAIL {scenario.name}: {problem}")
        figures = runtime_check()
    except InvariantBroken as broken:
        print(f"  FAIL runtime check: {broken}")
        return False, f"a proved invariant does not hold of the model: {broken}"
    return not failed, f"{len(SCENARIOS) - failed}/{len(SCENARIOS)} scenarios pass; {figures.summary()}"


def prove() -> tuple[bool, str]:
    """Every invariant proved for all reachable states; from the proof
    cache when the model, the encoding and the tables are unchanged."""
    from mhhs_sec.proofs import prove_all
    from mhhs_sec.proofs.cache import cached
    from mhhs_sec.proofs.solve import BMC_DEPTH

    found = cached(prove_all, False, BMC_DEPTH)
    results = found.results
    bad = [r for r in results if r.status != "proved"]
    for result in bad:
        print(f"  {result.status.upper()} {result.name} ({', '.join(result.requirements)}): {result.reason}")
    source = " (from the proof cache: model, encoding and tables unchanged)" if found.hit else ""
    return not bad, f"{len(results) - len(bad)}/{len(results)} invariants proved{source}"


def vectors_current() -> tuple[bool, str]:
    """The committed vectors are valid and what the model generates now."""
    from mhhs_sec.generate.check import check
    from mhhs_sec.vectors.format import JSON_DIR

    problems, notes = check()
    for note in notes:
        print(f"  note: {note}")
    for problem in problems[:20]:
        print(f"  FAIL {problem}")
    files = len(list(JSON_DIR.glob("*.json")))
    return not problems, f"{files} vector files current" if not problems else f"{len(problems)} problem(s)"


def documents_current() -> tuple[bool, str]:
    """The generated protocol schemas, code table and rules table are current."""
    from mhhs_sec.commands.docs import generated, stale

    problems = stale()
    for problem in problems:
        print(f"  FAIL {problem} is stale: run `mhhs-sec docs`")
    return not problems, f"{len(generated())} documents current" if not problems else f"{len(problems)} stale"


def conform() -> tuple[bool, str]:
    """Every committed vector against the reference implementation."""
    from mhhs_sec.conformance import conform_summary

    counts = conform_summary("reference")
    ok = counts["failed"] == 0 and counts["errors"] == 0 and counts["passed"] > 0
    return ok, ", ".join(f"{counts[k]} {k}" for k in ("passed", "failed", "errors", "skipped"))


STAGES: tuple[tuple[str, Callable[[], tuple[bool, str]]], ...] = (
    ("model self-check", self_check),
    ("prove", prove),
    ("generate --check", vectors_current),
    ("docs --check", documents_current),
    ("conform reference", conform),
)


def run(args: argparse.Namespace) -> int:
    profile = Profile().non_default() or "catalogue defaults"
    print(f"profile: {profile}")
    results = []
    for name, stage in STAGES:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        try:
            ok, summary = stage()
        except Exception as error:  # a stage that cannot run has failed, visibly
            ok, summary = False, f"could not run: {type(error).__name__}: {error}"
        results.append(Stage(name, ok, summary, time.perf_counter() - started))
        print(f"   {'PASS' if ok else 'FAIL'}: {summary}", flush=True)
    print("\nsummary")
    for result in results:
        print(f"  {'PASS' if result.ok else 'FAIL'}  {result.name:<20} {result.summary}  ({result.seconds:.1f} s)")
    failed = [r.name for r in results if not r.ok]
    print("check: all stages passed" if not failed else f"check: FAILED: {', '.join(failed)}", file=sys.stderr)
    return 0 if not failed else 1


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check", help="run the main job: self-check, prove, generate --check, docs --check, conform"
    )
    parser.set_defaults(func=run)
