"""``mhhs-sec conform --adapter SPEC``: run the conformance vectors against an
implementation and report a verdict per vector (docs/adapter-protocol.md).

Exit codes: 0 the implementation conforms (no selected vector failed or
errored; skipped vectors are reported with their reasons and counted, and the
verdict names the profile and observables it holds for); 1 some failed or
errored (or, with ``--fail-on-skip``, were skipped); 2 bad usage (unknown adapter,
bad filter, no vector selected, a ``--baseline`` that is not a ``--json``
summary); 3 the runner itself failed (a bug of the suite, not a verdict on the
implementation: the reason is on stderr).  With ``--baseline``, 1 means some
vector fails that did not fail in the baseline, and 0 that none does (vectors
still failing as in the baseline do not count).
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from typing import Any, Final

from mhhs_sec.conformance.adapters import DEFAULT_TIMEOUT_S, SPEC_HELP
from mhhs_sec.conformance.runner import DEFAULT_GIVE_UP

# The exit codes (module docstring).
PASSED: Final = 0
NOT_CONFORMING: Final = 1
USAGE: Final = 2
RUNNER_FAILED: Final = 3


def add_selection_arguments(parser: argparse.ArgumentParser) -> None:
    """The vector filters shared by ``conform`` and the pytest plugin's docs."""
    parser.add_argument("--vectors", metavar="PATH", help="vector file or folder (default: the committed vectors)")
    parser.add_argument("--requirement", action="append", default=[], metavar="ID",
                        help="only vectors citing this requirement ID (repeatable)")  # fmt: skip
    parser.add_argument("--tag", action="append", default=[], help="only vectors with this tag (repeatable)")
    parser.add_argument("--vector", action="append", default=[], metavar="ID", help="only this vector (repeatable)")
    parser.add_argument(
        "--profile",
        action="append",
        default=[],
        metavar="OPTION=VALUE",
        help="a profile option the implementation runs; vectors needing another value are skipped",
    )
    parser.add_argument("--shard", metavar="I/N", help="run only shard I of N (1-based), stable across machines")


def prepare(args: argparse.Namespace) -> tuple[list[str], int, dict[str, Any]]:
    """The ids of the selected vectors (in run order), how many exist, the run
    profile.  Raises ValueError on bad usage (a bad filter, an unknown vector,
    a bad vector file).  Nothing is decoded yet but what selection needs."""
    from mhhs_sec.conformance.runner import Selection, parse_profile_filter, parse_shard
    from mhhs_sec.vectors.loader import did_you_mean, vector_entries

    profile = parse_profile_filter(args.profile)
    selection = Selection(
        tuple(args.requirement), tuple(args.tag), tuple(args.vector), profile,
        parse_shard(args.shard) if args.shard else None,
    )  # fmt: skip
    entries = vector_entries(args.vectors)
    unknown = sorted(set(args.vector) - {entry.id for entry in entries})
    if unknown:
        ids = [entry.id for entry in entries]
        raise ValueError(f"--vector: no vector with id {', '.join(unknown)}{did_you_mean(unknown, ids)}")
    return [entry.id for entry in selection.select(entries)], len(entries), profile


def run(args: argparse.Namespace) -> int:
    """The command; an exception that escapes the run is the runner's own
    failure (exit 3): the runner turns everything an implementation does into
    verdicts, so it never comes from the implementation."""
    try:
        return _run(args)
    except Exception:  # noqa: BLE001 - reported, with its traceback, as the runner's own failure
        print(f"mhhs-sec conform: the runner failed (not a verdict):\n{traceback.format_exc()}", file=sys.stderr)
        return RUNNER_FAILED


def _run(args: argparse.Namespace) -> int:
    from mhhs_sec.conformance.adapters import open_adapter
    from mhhs_sec.conformance.baseline import read_baseline
    from mhhs_sec.conformance.reports import Progress

    try:  # usage errors first, each in one line, before anything is decoded or started
        baseline = read_baseline(args.baseline) if args.baseline else None
        adapter = open_adapter(args.adapter, timeout_s=args.timeout)
        chosen, total, profile = prepare(args)
    except ValueError as error:
        print(f"mhhs-sec conform: {error}", file=sys.stderr)
        return USAGE
    try:
        if not chosen:
            print(f"mhhs-sec conform: no vector selected (of {total}); check the filters", file=sys.stderr)
            return USAGE
        capabilities = _handshake(adapter)
        if isinstance(capabilities, str):
            print(f"mhhs-sec conform: {capabilities}", file=sys.stderr)
            return USAGE
        try:
            vectors = _load(args, chosen)
        except ValueError as error:  # --strict or --vectors: a vector the model codec cannot read
            print(f"mhhs-sec conform: {error}", file=sys.stderr)
            return USAGE
        progress = Progress(len(vectors), enabled=not args.quiet)
        implementation, verdicts = _verdicts(args, adapter, vectors, profile, capabilities, progress)
    finally:
        adapter.close()
    return _report(args, implementation, verdicts, (len(vectors), total), profile, baseline)


def _load(args: argparse.Namespace, chosen: list[str]) -> list[Any]:
    """The selected vectors, decoded (only they), in run order.  Vectors a user
    passes (``--vectors``) are always read through the strict model codec: a
    vector the model cannot read is refused, never turned into a verdict."""
    from mhhs_sec.vectors.loader import load_vectors

    wanted = set(chosen)
    strict = args.strict or args.vectors is not None
    by_id = {v.id: v for v in load_vectors(args.vectors, strict=strict, wants=lambda v: v.id in wanted)}
    return [by_id[vector_id] for vector_id in chosen]


# An adapter that cannot start at all (no such command, nothing listening)
# is a usage error: no verdict on an implementation that never ran.
CANNOT_START: Final = ("start", "refused")


def _handshake(adapter: Any) -> Any:
    """The implementation's capabilities; None when the handshake failed (every
    vector then gets an ``error`` verdict); the one-line reason when the
    adapter cannot start."""
    from mhhs_sec.conformance.protocol import AdapterFault, EventRejected

    try:
        return adapter.hello()
    except AdapterFault as fault:
        adapter.restart()
        if fault.cause in CANNOT_START:
            return f"the adapter cannot start: {fault} (check --adapter)"
        return None
    except EventRejected:
        adapter.restart()
        return None


def _verdicts(args: argparse.Namespace, adapter: Any, chosen: list[Any], profile: dict[str, Any],
              capabilities: Any, progress: Any) -> tuple[str, list[Any]]:  # fmt: skip
    from mhhs_sec.conformance.runner import run_all

    return run_all(adapter, chosen, profile=profile, on_verdict=progress, give_up_after=args.give_up_after,
                   capabilities=capabilities, max_failures=args.max_failures)  # fmt: skip


def _report(args: argparse.Namespace, implementation: str, verdicts: list[Any], sizes: tuple[int, int],
            profile: dict[str, Any], baseline: frozenset[str] | None) -> int:  # fmt: skip
    """``sizes``: how many vectors were selected, how many exist; ``baseline``:
    the vectors failing in the ``--baseline`` run, if one is given."""
    from mhhs_sec.conformance.baseline import compare_with, comparison_text
    from mhhs_sec.conformance.reports import html, json_summary, junit, text_summary
    from mhhs_sec.conformance.runner import Run, rerun_prefix
    from mhhs_sec.files import write_atomic

    selected, total = sizes
    result = Run(args.adapter, implementation, verdicts, total, rerun_prefix(args.adapter, args.vectors, profile),
                 profile, args.fail_on_skip, selected - len(verdicts))  # fmt: skip
    if args.junit:
        write_atomic(args.junit, junit(result))
    if args.html:
        write_atomic(args.html, html(result))
    comparison = compare_with(baseline, verdicts) if baseline is not None else None
    if args.json:
        summary = json_summary(result) | ({"baseline": comparison.as_json()} if comparison else {})
        print(json.dumps(summary, indent=1, ensure_ascii=False))
    else:
        print(text_summary(result))
        if comparison is not None:
            print(comparison_text(comparison, args.baseline, result.rerun))
    if comparison is not None:
        return NOT_CONFORMING if comparison.regressed else PASSED
    return PASSED if result.ok else NOT_CONFORMING


EXAMPLES: Final = """\
examples:
  mhhs-sec conform --adapter cmd:'./my-dcc --stdio'      every vector against your implementation
  mhhs-sec conform --adapter http://127.0.0.1:8080 --html report.html --junit junit.xml
  mhhs-sec conform --adapter reference --vector ID       rerun one vector (the line a failure prints)
  mhhs-sec conform --requirement C-5 -x                  one rule's vectors, stop at the first failure
  mhhs-sec conform --profile etd=exclusive --json        another catalogue alternative; JSON summary
  mhhs-sec conform --adapter SPEC --json > run.json      keep a run, then later compare with it:
  mhhs-sec conform --adapter SPEC --baseline run.json    newly failing, newly passing, still failing

exit codes:
  0  conforms: no selected vector failed or errored (skips are listed with their reasons and counted;
     the verdict names the profile and observables it holds for)
  1  does not conform: a vector failed or errored (or, with --fail-on-skip, was skipped)
  2  usage error: unknown adapter, an adapter that cannot start, bad filter or vector file, nothing selected,
     a --baseline that is not a conform --json summary
  3  the runner itself failed (a bug of the suite, not a verdict): the reason is on stderr
  with --baseline, 1 and 0 say whether a vector newly fails (vectors still failing as in the baseline
  do not count), so a known set of failures can be tracked while nothing new breaks
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "conform", help="run the conformance vectors against an implementation",
        description="Run the conformance vectors against an implementation; a verdict per vector, one for the run "
        "(docs/adapter-protocol.md).", epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--adapter", default="reference", metavar="SPEC", help=f"{SPEC_HELP} (default reference)")
    add_selection_arguments(parser)
    parser.add_argument("--junit", metavar="FILE", help="write a JUnit XML report")
    parser.add_argument("--html", metavar="FILE", help="write an HTML report")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="SECONDS",
                        help=f"per-call timeout (default {DEFAULT_TIMEOUT_S:g})")  # fmt: skip
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument("--json", action="store_true",
                        help="print the summary as one JSON object (verdict, counts, skips, problems)")  # fmt: skip
    parser.add_argument("-x", "--max-failures", nargs="?", type=int, const=1, default=0, metavar="N",
                        help="stop after N failed or errored vectors (-x: the first; the rest are counted as "
                        "not run)")  # fmt: skip
    parser.add_argument("--baseline", metavar="RUN.json",
                        help="compare with an earlier run (as printed by conform --json): print what newly fails, "
                        "what newly passes, what still fails; exit 1 only when something newly fails")  # fmt: skip
    parser.add_argument("--fail-on-skip", action="store_true",
                        help="a skipped vector makes the run not conforming (exit 1); by default skips are "
                        "reported with their reasons and counted, and the verdict names the profile and "
                        "observables it holds for")  # fmt: skip
    parser.add_argument(
        "--give-up-after", type=int, default=DEFAULT_GIVE_UP, metavar="N",
        help=f"after N errors in a row, report the rest as errors without running them (0: never; "
        f"default {DEFAULT_GIVE_UP})",
    )  # fmt: skip
    parser.add_argument(
        "--strict", action="store_true",
        help="also decode every committed vector with the model codec when loading (slow; the schema is always "
        "checked, and vectors passed with --vectors are always decoded)",
    )  # fmt: skip
    parser.set_defaults(func=run)
