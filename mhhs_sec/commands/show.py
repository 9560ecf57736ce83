"""``mhhs-sec show VECTOR [--json]``: the story of one vector in words (what
it checks, its primary requirement with the requirement's statement, the
initial state, each step numbered from 1 with its event, the expected
outcome and why), then its JSON (``--json``: the JSON only).

Exit codes: 0 shown; 2 no vector with that id (the close matches are named)
or a bad vector file."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Final

USAGE: Final = 2


def run(args: argparse.Namespace) -> int:
    from mhhs_sec.vectors.loader import VectorFormatError, did_you_mean, load_vectors, vector_document, vector_entries
    from mhhs_sec.vectors.story import tell

    try:
        data = vector_document(args.vector, args.vectors)
        if data is None:
            ids = [entry.id for entry in vector_entries(args.vectors)]
            print(
                f"mhhs-sec show: no vector with id {args.vector!r}{did_you_mean([args.vector], ids)}", file=sys.stderr
            )
            return USAGE
        text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False)
        if args.json:
            print(text)
            return 0
        (vector,) = load_vectors(args.vectors, strict=False, wants=lambda v: v.id == args.vector)
    except VectorFormatError as error:
        print(f"mhhs-sec show: {error}", file=sys.stderr)
        return USAGE
    print(f"{tell(vector)}\n\nJSON:\n{text}")
    return 0


EXAMPLES: Final = """\
examples:
  mhhs-sec show boundary.cache-age.age-below-25h.f          the story of a vector, then its JSON
  mhhs-sec show boundary.cache-age.age-below-25h.f --json   the JSON only

exit codes:
  0  shown
  2  no vector with that id (close matches named), or a bad vector file
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "show", help="the story of one vector in words, then its JSON",
        description="The story of one vector in words (what it checks, its primary requirement, the initial state, "
        "each step from 1 with the expected outcome and why), then its JSON.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("vector", metavar="VECTOR", help="the vector id")
    parser.add_argument("--vectors", metavar="PATH", help="vector file or folder (default: the committed vectors)")
    parser.add_argument("--json", action="store_true", help="print the vector's JSON only")
    parser.set_defaults(func=run)
