"""``mhhs-sec trace [--check]``: write docs/spec-trace.md from the tags in the
code and tests, or check that the committed file is current and that every
catalogue ID has a row."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from mhhs_sec import trace
from mhhs_sec.files import write_atomic
from mhhs_sec.requirements import REQUIREMENTS
from mhhs_sec.settings import PROJECT_ROOT, catalogue_path


def _catalogue_problems() -> list[str]:
    path = catalogue_path()
    if path is None:
        print(
            "trace: requirement catalogue not found (../shared/spec/requirements.md); ID check skipped", file=sys.stderr
        )
        return []
    problems = [f"catalogue ID {i} has no row in mhhs_sec/requirements.py" for i in trace.missing_from_registry(path)]
    known = set(trace.catalogue_ids(path))
    problems += [f"registry ID {i} is not in the catalogue" for i in REQUIREMENTS if i not in known]
    return problems


def run(args: argparse.Namespace) -> int:
    problems = _catalogue_problems()
    target = PROJECT_ROOT / trace.TRACE_PATH
    collected = trace.collect()  # once: it scans the code, the tests and the vectors
    text = trace.render(collected)
    if args.check:
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            problems.append(f"{trace.TRACE_PATH} is stale: run `mhhs-sec trace` and commit it")
    elif not problems:
        write_atomic(target, text)
        print(f"wrote {trace.TRACE_PATH} ({len(REQUIREMENTS)} requirements)")
    for problem in problems:
        print(f"trace: {problem}", file=sys.stderr)
    for gap in trace.gaps(collected) if args.check else []:
        print(f"trace: gap: {gap}", file=sys.stderr)
    return 1 if problems else 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("trace", help="write or check docs/spec-trace.md")
    parser.add_argument("--check", action="store_true", help="fail if the file is stale or a catalogue ID has no row")
    parser.set_defaults(func=run)
