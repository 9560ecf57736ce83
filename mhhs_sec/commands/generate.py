"""``mhhs-sec generate [--check] [--report [--markdown]] [--fresh SEED --out DIR]
[--unminimised --out DIR] [--minimise DIR --kill-matrix PATH]``: write the
conformance vectors (JSON and XML) from the reference model, check that the
committed ones are current, print their coverage report, write a fresh suite
(new identities and dates, the same coverage) for an assessment, or write the
suite before minimisation and minimise it again (``generate/minimised.tsv``)."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

EXIT_OK, EXIT_STALE, EXIT_ENVIRONMENT = 0, 1, 2
EXIT_USAGE = 2


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


def _fresh(seed: int, out: str | None, xml: bool) -> int:
    import os
    from pathlib import Path

    from mhhs_sec.generate.fresh import FreshError, write_fresh
    from mhhs_sec.vectors.duis import duis_schema

    if out is None:
        print("error: --fresh needs --out DIR (a new or empty folder)", file=sys.stderr)
        return EXIT_USAGE
    if xml and duis_schema() is None:
        print("error: the DUIS 5.4 schema folder was not found (set MHHS_SEC_DUIS_DIR or provide ../shared/duis); "
              "--xml needs it to validate every sr:Request written", file=sys.stderr)  # fmt: skip
        return EXIT_ENVIRONMENT
    started = time.perf_counter()
    try:
        paths = write_fresh(seed, Path(out), xml=xml, jobs=os.cpu_count() or 1)
    except FreshError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_STALE
    size = sum(path.stat().st_size for path in paths)
    print(f"wrote a fresh suite (seed {seed}) to {out}: {len(paths)} files, {size / 1e6:.1f} MB "
          f"in {time.perf_counter() - started:.1f} s; run it with: mhhs-sec conform --vectors {out}")  # fmt: skip
    return EXIT_OK


def _unminimised(out: str | None) -> int:
    from pathlib import Path

    from mhhs_sec.generate.minimise import MinimiseError, write_unminimised

    if out is None:
        print("error: --unminimised needs --out DIR (a new or empty folder)", file=sys.stderr)
        return EXIT_USAGE
    try:
        paths = write_unminimised(Path(out))
    except MinimiseError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wrote the suite before minimisation to {out}: {len(paths)} files")
    return EXIT_OK


def _minimise(folder: str, matrix_path: str | None) -> int:
    import json
    from pathlib import Path

    from mhhs_sec.generate.minimise import MINIMISED_FILE, MinimiseError, minimise, render
    from mhhs_sec.settings import PROJECT_ROOT

    if matrix_path is None:
        print("error: --minimise DIR needs --kill-matrix PATH (mhhs-sec mutants --kill-matrix PATH --vectors DIR)",
              file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    try:
        choice, order = minimise(Path(folder), json.loads(Path(matrix_path).read_text(encoding="utf-8")),
                                 Path(PROJECT_ROOT))  # fmt: skip
    except MinimiseError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_STALE
    MINIMISED_FILE.write_text(render(choice, order), encoding="utf-8")
    print(f"{len(order)} vectors: {len(choice.dropped)} dropped, {len(choice.kept)} kept of the minimised groups; "
          f"written to {MINIMISED_FILE}; now run mhhs-sec generate")  # fmt: skip
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    if args.fresh is not None:
        return _fresh(args.fresh, args.out, args.xml)
    if args.unminimised:
        return _unminimised(args.out)
    if args.minimise is not None:
        return _minimise(args.minimise, args.kill_matrix)
    if args.out is not None or args.xml or args.kill_matrix is not None:
        print("error: --out goes with --fresh SEED or --unminimised, --xml with --fresh, --kill-matrix with "
              "--minimise", file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
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
    group.add_argument("--fresh", type=int, metavar="SEED",
                       help="write a fresh suite: the committed coverage with new MPANs, device, user and request ids "
                       "and dates moved across the calendar (same seed, same files); needs --out")  # fmt: skip
    group.add_argument(
        "--unminimised",
        action="store_true",
        help="write the suite before minimisation (JSON only), every case generated; needs --out",
    )
    group.add_argument("--minimise", metavar="DIR",
                       help="choose again which vectors of the older groups stay (generate/minimised.tsv) from "
                       "the unminimised suite in DIR; needs --kill-matrix")  # fmt: skip
    parser.add_argument(
        "--kill-matrix",
        metavar="PATH",
        help="with --minimise: the kill matrix of DIR (mhhs-sec mutants --kill-matrix PATH --vectors DIR)",
    )
    parser.add_argument("--full", action="store_true",
                        help="with --check: regenerate and compare even when the generator's inputs are those "
                        "recorded in vectors/json/index.tsv")  # fmt: skip
    parser.add_argument(
        "--out", metavar="DIR", help="with --fresh or --unminimised: the new (or empty) folder to write it to"
    )
    parser.add_argument("--xml", action="store_true",
                        help="with --fresh: also write the XML form (xml/*.xml, each validated; slow)")  # fmt: skip
    parser.add_argument("--markdown", action="store_true", help="with --report: the docs/spec-trace.md section")
    parser.set_defaults(func=run)
