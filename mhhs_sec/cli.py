"""The ``mhhs-sec`` command: a thin layer over the library.

Each sub-command lives in its own module under :mod:`mhhs_sec.commands` and
exposes ``register(subparsers)``, which adds its parser and sets ``func`` to a
callable taking the parsed arguments and returning the exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from mhhs_sec.settings import runtime_checks

# Sub-command modules, in the order ``--help`` lists them.
COMMANDS: tuple[str, ...] = (
    "check",
    "conform",
    "docs",
    "generate",
    "mutants",
    "prove",
    "rules",
    "selfcheck",
    "serve",
    "trace",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mhhs-sec", description=__doc__.splitlines()[0] if __doc__ else None)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"mhhs_sec.commands.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if runtime_checks():  # MHHS_SEC_RUNTIME_CHECKS=1: the model under the proved invariants' runtime checks
        from mhhs_sec.proofs.runtime import checking

        with checking():
            checked: int = args.func(args)
        return checked
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
