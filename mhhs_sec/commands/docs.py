"""``mhhs-sec docs [--check]``: write the generated documents a vendor builds
from, or check the committed ones are current: the JSON Schemas of the adapter
protocol (``vectors/protocol/``), the code table (``docs/codes.md``) and the
roles / SRVs / devices table (``docs/rules.md``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from mhhs_sec.codes import CODES_DOC, codes_markdown
from mhhs_sec.commands.rules import RULES_DOC, rules_document, rules_markdown
from mhhs_sec.files import write_atomic
from mhhs_sec.settings import PROJECT_ROOT
from mhhs_sec.vectors.protocol_schema import PROTOCOL_DIR, protocol_schemas, render, stale_files


def generated() -> dict[Path, str]:
    """Every generated document: path -> its text."""
    files = {PROTOCOL_DIR / name: render(schema) for name, schema in protocol_schemas().items()}
    files[PROJECT_ROOT / CODES_DOC] = codes_markdown()
    files[PROJECT_ROOT / RULES_DOC] = rules_markdown(rules_document())
    return files


def stale() -> list[str]:
    """The generated documents that are missing, extra or not current."""
    problems = [f"vectors/protocol/{name}" for name in stale_files()]
    for path, text in generated().items():
        if path.parent != PROTOCOL_DIR and (not path.is_file() or path.read_text(encoding="utf-8") != text):
            problems.append(str(path.relative_to(PROJECT_ROOT)))
    return problems


def run(args: argparse.Namespace) -> int:
    if args.check:
        problems = stale()
        for problem in problems:
            print(f"docs: {problem} is stale: run `mhhs-sec docs` and commit it", file=sys.stderr)
        return 1 if problems else 0
    for extra in set(PROTOCOL_DIR.glob("*.json")) - set(generated()):
        extra.unlink()
    for path, text in generated().items():
        write_atomic(path, text)
        print(f"wrote {path.relative_to(PROJECT_ROOT)}")
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("docs", help="write or check the protocol schemas, docs/codes.md, docs/rules.md")
    parser.add_argument("--check", action="store_true", help="fail if a generated document is stale")
    parser.set_defaults(func=run)
