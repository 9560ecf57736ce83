"""``mhhs-sec trace [--check]``: write docs/spec-trace.md from the tags in the
code and tests, or check that the committed file is current, that every
catalogue ID has a row and that every ``rule`` and ``interp`` row has a test
that asserts it.

Exit codes: 0 written (or, with ``--check``, current and complete); 1 a problem,
each named on stderr (stale file, catalogue ID without a row, a rule row no
test asserts)."""

from __future__ import annotations

import argparse
import sys
from typing import Any, Final

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
    if args.check:
        problems += trace.untested(collected)
    for problem in problems:
        print(f"trace: {problem}", file=sys.stderr)
    return 1 if problems else 0


EXAMPLES: Final = """\
examples:
  mhhs-sec trace            write docs/spec-trace.md (commit it)
  mhhs-sec trace --check    what CI runs: e.g. 'trace: C-5 (rule): no test asserts it; ...'

exit codes:
  0  written; with --check: current, every catalogue ID has a row, every rule and interp row a test
  1  a problem, each named on stderr
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "trace", help="write or check docs/spec-trace.md", description=__doc__.splitlines()[0] + " ...",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--check", action="store_true",
                        help="fail if the file is stale, a catalogue ID has no row, or a rule or interp row has "
                        "no test that asserts it (each problem named on stderr)")  # fmt: skip
    parser.set_defaults(func=run)
