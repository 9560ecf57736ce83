"""``mhhs-sec list WHAT``: the committed vectors, their tags, the catalogue's
requirements and the seeded faults, one per line (or ``--json``).

It reads the vector index (``vectors/json/index.tsv``), not the vector files:
nothing is decoded.  Exit codes: 0 listed (possibly nothing: a filter that
matches no vector is not an error); 2 bad usage (an unknown requirement, tag
or observable).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final

from mhhs_sec.requirements import REQUIREMENTS

USAGE: Final = 2
Rows = list[dict[str, Any]]


def _entries() -> list[Any]:
    from mhhs_sec.vectors.loader import vector_entries

    return vector_entries()


def _unknown(flag: str, asked: Sequence[str], known: Iterable[str]) -> str | None:
    """The usage error for values of ``flag`` that are not in ``known``."""
    missing = sorted(set(asked) - set(known))
    return f"{flag}: unknown {', '.join(missing)}" if missing else None


def vectors(args: argparse.Namespace) -> Rows:
    """The vectors citing any ``--req``, carrying any ``--tag`` and checking
    any ``--observable`` (each filter optional), sorted by id."""
    from mhhs_sec.conformance.runner import Selection
    from mhhs_sec.vectors.format import OBSERVABLES

    entries = _entries()
    problems = [
        _unknown("--req", args.req, REQUIREMENTS),
        _unknown("--tag", args.tag, {tag for entry in entries for tag in entry.tags}),
        _unknown("--observable", args.observable, OBSERVABLES),
    ]
    if any(problems):
        raise ValueError("; ".join(p for p in problems if p))
    chosen = Selection(tuple(args.req), tuple(args.tag)).select(entries)
    return [
        {"id": entry.id, "requirements": list(entry.requirements), "tags": list(entry.tags),
         "observables": list(entry.observables)}
        for entry in chosen
        if not args.observable or set(args.observable) & set(entry.observables)
    ]  # fmt: skip


def tags(args: argparse.Namespace) -> Rows:
    """Every tag of the committed vectors, with how many carry it."""
    counts = Counter(tag for entry in _entries() for tag in entry.tags)
    return [{"tag": tag, "vectors": counts[tag]} for tag in sorted(counts)]


def requirements(args: argparse.Namespace) -> Rows:
    """Every catalogue row (of ``--kind``, if given): ID, kind, how many
    vectors cite it, what the project takes it to mean."""
    counts = Counter(requirement for entry in _entries() for requirement in entry.requirements)
    return [
        {"id": r.id, "kind": r.kind, "vectors": counts[r.id], "meaning": r.meaning}
        for r in REQUIREMENTS.values()
        if not args.kind or r.kind in args.kind
    ]


def faults(args: argparse.Namespace) -> Rows:
    """The seeded vendor faults (``conform --adapter fault:NAME``), those
    breaking any ``--req`` if given."""
    from mhhs_sec.conformance.faults import FAULTS

    problem = _unknown("--req", args.req, REQUIREMENTS)
    if problem:
        raise ValueError(problem)
    return [
        {"name": f.name, "requirements": list(f.requirements), "description": f.description}
        for f in FAULTS
        if not args.req or set(args.req) & set(f.requirements)
    ]


def _line(row: dict[str, Any]) -> str:
    """One row as tab-separated fields (lists joined by spaces)."""
    return "\t".join(" ".join(v) if isinstance(v, list) else str(v) for v in row.values())


def _run(listing: Callable[[argparse.Namespace], Rows], noun: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            rows = listing(args)
        except ValueError as error:
            print(f"mhhs-sec list {noun}: {error}", file=sys.stderr)
            return USAGE
        text = json.dumps(rows, indent=1, ensure_ascii=False) if args.json else "\n".join(map(_line, rows))
        if text:
            print(text)
        if not args.json:
            print(f"{len(rows)} {noun}", file=sys.stderr)
        return 0

    return run


EXAMPLES: Final = """\
examples:
  mhhs-sec list vectors --req C-5                     the vectors that check C-5 (id, requirements, tags,
                                                      observables; tab-separated)
  mhhs-sec list vectors --req C-5 --tag boundary --observable entries
  mhhs-sec list vectors --tag etd | cut -f1           ids only
  mhhs-sec list tags                                  every tag, with how many vectors carry it
  mhhs-sec list requirements --kind rule              ID, kind, vectors citing it, meaning
  mhhs-sec list faults --req C-5 --json               the seeded faults breaking C-5, as JSON

Filters of one kind match any of their values (--req C-5 --req C-11: either); different kinds
must all match. The count is printed on stderr, so stdout pipes cleanly.

exit codes:
  0  listed (a filter that matches nothing lists nothing and still exits 0)
  2  usage error: an unknown requirement ID, tag or observable
"""


def register(subparsers: Any) -> None:
    from mhhs_sec.vectors.format import OBSERVABLES

    observables = ", ".join(OBSERVABLES)
    parser = subparsers.add_parser(
        "list", help="list vectors, tags, requirements or faults (reads the vector index: instant)",
        description="List the committed vectors, their tags, the catalogue's requirements or the seeded faults.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    kinds = parser.add_subparsers(dest="what", required=True, metavar="WHAT")
    json_help = "print a JSON array of objects instead of lines"
    for noun, listing, help_text in (
        ("vectors", vectors, "vectors, filtered by --req, --tag, --observable"),
        ("tags", tags, "tags and how many vectors carry each"),
        ("requirements", requirements, "catalogue rows: ID, kind, vectors citing it, meaning"),
        ("faults", faults, "seeded vendor faults (conform --adapter fault:NAME) and the requirements they break"),
    ):
        sub = kinds.add_parser(noun, help=help_text, description=help_text, epilog=EXAMPLES,
                               formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
        sub.add_argument("--json", action="store_true", help=json_help)
        sub.set_defaults(func=_run(listing, noun))
        if noun in ("vectors", "faults"):
            sub.add_argument("--req", "--requirement", action="append", default=[], metavar="ID",
                             help="only those citing this requirement ID (repeatable)")  # fmt: skip
        if noun == "vectors":
            sub.add_argument("--tag", action="append", default=[], help="only vectors with this tag (repeatable)")
            sub.add_argument("--observable", action="append", default=[], metavar="NAME",
                             help=f"only vectors checking this observable (repeatable): {observables}")  # fmt: skip
        if noun == "requirements":
            sub.add_argument("--kind", action="append", default=[],
                             choices=sorted({r.kind for r in REQUIREMENTS.values()}),
                             help="only rows of this kind (repeatable)")  # fmt: skip
