"""``mhhs-sec selfcheck [--json]``: run the vectors against the reference
implementation (must pass all) and against each seeded faulty implementation
(each must fail at least one vector).  Exit 0 only when both hold."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def _text(document: dict[str, Any]) -> str:
    reference = document["reference"]
    lines = [
        f"reference: {reference['passed']} passed, {reference['failed']} failed, {reference['errors']} errors",
    ]
    for entry in document["faulty"]:
        caught = entry["caught_by"]
        status = f"caught by {len(caught)} vector(s), e.g. {caught[0]}" if caught else "NOT CAUGHT by any vector"
        lines.append(f"fault {entry['name']:<30} [{', '.join(entry['requirements'])}]: {status}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from mhhs_sec.conformance.faults import FAULTS, FAULTS_BY_NAME
    from mhhs_sec.conformance.selfcheck import healthy, selfcheck
    from mhhs_sec.vectors import load_vectors

    unknown = sorted(set(args.fault) - set(FAULTS_BY_NAME))
    if unknown:
        print(f"mhhs-sec selfcheck: unknown fault(s) {unknown}; known: {sorted(FAULTS_BY_NAME)}", file=sys.stderr)
        return 2
    faults = [FAULTS_BY_NAME[name] for name in args.fault] if args.fault else list(FAULTS)
    vectors = sorted(load_vectors(args.vectors, strict=False), key=lambda v: v.id)
    if not vectors:
        print("mhhs-sec selfcheck: no vectors found", file=sys.stderr)
        return 2
    document = selfcheck(vectors, faults, jobs=args.jobs)
    print(json.dumps(document, indent=2) if args.json else _text(document))
    return 0 if healthy(document) else 1


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "selfcheck", help="reference passes every vector; every seeded faulty implementation is caught"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--vectors", metavar="PATH", help="vector file or folder (default: the committed vectors)")
    parser.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: one per core)")
    parser.add_argument("--fault", action="append", default=[], metavar="NAME", help="only this fault (repeatable)")
    parser.set_defaults(func=run)
