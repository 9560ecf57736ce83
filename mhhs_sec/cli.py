"""The ``mhhs-sec`` command: a thin layer over the library.

Each sub-command lives in its own module under :mod:`mhhs_sec.commands` and
exposes ``register(subparsers)``, which adds its parser and sets ``func`` to a
callable taking the parsed arguments and returning the exit code.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from mhhs_sec import __version__
from mhhs_sec.settings import runtime_checks

# Sub-command modules, in the order ``--help`` lists them.
COMMANDS: tuple[str, ...] = (
    "check",
    "conform",
    "docs",
    "generate",
    "list",
    "mutants",
    "prove",
    "rules",
    "selfcheck",
    "serve",
    "show",
    "trace",
)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; when ``argv`` names a sub-command, only that one's module is
    imported (a usage error or ``--help`` of one command answers at once)."""
    parser = argparse.ArgumentParser(prog="mhhs-sec", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    named = _command(argv)
    for name in (named,) if named else COMMANDS:
        importlib.import_module(f"mhhs_sec.commands.{name}").register(subparsers)
    return parser


def _command(argv: Sequence[str] | None) -> str | None:
    """The sub-command ``argv`` names first, if any."""
    words = list(sys.argv[1:] if argv is None else argv)
    first = next((word for word in words if not word.startswith("-")), None)
    return first if first in COMMANDS else None


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _run(argv)
    except BrokenPipeError:  # `mhhs-sec show ID | head`: the reader has what it wanted
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the interpreter's final flush must not fail again
        return 0


def _run(argv: Sequence[str] | None) -> int:
    args = build_parser(argv).parse_args(argv)
    if runtime_checks():  # MHHS_SEC_RUNTIME_CHECKS=1: the model under the proved invariants' runtime checks
        from mhhs_sec.proofs.runtime import checking

        with checking():
            checked: int = args.func(args)
        return checked
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
