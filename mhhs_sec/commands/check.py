"""``mhhs-sec check``: the main job on the bundled default.  Runs the model's
self-check on its bundled scenarios, then every later stage that is present
(prove, generate --check, conform against the reference), and prints one
summary.  Exit code 0 only when every stage passed."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mhhs_sec.model.scenarios import SCENARIOS
from mhhs_sec.model.scenarios import run as run_scenario


@dataclass(frozen=True)
class Stage:
    name: str
    ok: bool
    summary: str
    seconds: float


def self_check() -> tuple[bool, str]:
    """The model's bundled scenarios (expectations written from the catalogue)."""
    failures = []
    for scenario in SCENARIOS:
        for problem in run_scenario(scenario):
            failures.append(f"{scenario.name}: {problem}")
    for failure in failures:
        print(f"  FAIL {failure}")
    return not failures, f"{len(SCENARIOS) - len({f.split(':')[0] for f in failures})}/{len(SCENARIOS)} scenarios pass"


STAGES: list[tuple[str, Callable[[], tuple[bool, str]]]] = [("model self-check", self_check)]


def run(args: argparse.Namespace) -> int:
    results = []
    for name, stage in STAGES:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        ok, summary = stage()
        results.append(Stage(name, ok, summary, time.perf_counter() - started))
    print("\nsummary")
    for result in results:
        print(f"  {'PASS' if result.ok else 'FAIL'}  {result.name:<24} {result.summary}  ({result.seconds:.1f} s)")
    return 0 if all(r.ok for r in results) else 1


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("check", help="run the main job: self-check, prove, generate --check, conform")
    parser.set_defaults(func=run)
