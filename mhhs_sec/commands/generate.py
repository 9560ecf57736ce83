"""``mhhs-sec generate [--check] [--report [--markdown]]``: write the
conformance vectors (JSON and XML) from the reference model, check that the
committed ones are current, or print their coverage report (issue 4)."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

EXIT_OK, EXIT_STALE, EXIT_ENVIRONMENT = 0, 1, 2


def _generate() -> int:
    from mhhs_sec.generate.run import write_all
    from mhhs_sec.vectors.duis import duis_schema

    if duis_schema() is None:
        print("error: the DUIS 5.4 schema folder was not found (set MHHS_SEC_DUIS_DIR or provide ../shared/duis); "
              "it is needed to validate every sr:Request written", file=sys.stderr)  # fmt: skip
        return EXIT_ENVIRONMENT
    started = time.perf_counter()
    paths = write_all()
    from mhhs_sec.generate.coverage import text_report

    print(text_report(), end="")
    print(f"wrote {len(paths)} files in {time.perf_counter() - started:.1f} s")
    return EXIT_OK


def _check(full: bool) -> int:
    from mhhs_sec.generate.check import check

    started = time.perf_counter()
    problems, notes = check(full=full)
    for note in notes:
        print(f"note: {note}")
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    if problems:
        return EXIT_STALE
    print(f"vectors are current ({time.perf_counter() - started:.1f} s)")
    return EXIT_OK


def _report(markdown: bool) -> int:
    from mhhs_sec.generate.coverage import text_report, trace_section

    print(trace_section() if markdown else text_report(), end="")
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    if args.check:
        return _check(args.full)
    if args.report:
        return _report(args.markdown)
    return _generate()


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("generate", help="generate the conformance vectors, check them, or report coverage")
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--check", action="store_true", help="fail (exit 1) if the committed vectors are stale or invalid"
    )
    group.add_argument("--report", action="store_true", help="print the coverage report of the committed vectors")
    parser.add_argument("--full", action="store_true",
                        help="with --check: regenerate and compare even when the generator's inputs are those "
                        "recorded in vectors/json/index.tsv")  # fmt: skip
    parser.add_argument("--markdown", action="store_true", help="with --report: the docs/spec-trace.md section")
    parser.set_defaults(func=run)
