"""``mhhs-sec generate --check``: are the committed vectors current and valid?

Fails (with the reason and what to do) when a file records another model
revision, when regenerating from the model would give different bytes, when a
file is missing or extra, when a file breaks the JSON Schema / XSD, or when an
XML file does not read back to its JSON twin.
"""

from __future__ import annotations

import json
from pathlib import Path

from mhhs_sec.vectors.duis import duis_schema
from mhhs_sec.vectors.format import JSON_DIR, XML_DIR, model_revision
from mhhs_sec.vectors.index import read_index
from mhhs_sec.vectors.loader import VectorFormatError, load_vectors
from mhhs_sec.vectors.xmlform import read_xml_document

FIX = "run `mhhs-sec generate` and commit vectors/"


def _revisions() -> list[str]:
    problems = []
    current = model_revision()
    for path in sorted(JSON_DIR.glob("*.json")):
        recorded = json.loads(path.read_text(encoding="utf-8")).get("model_revision")
        if recorded != current:
            problems.append(f"{path.name}: stale: generated from model revision {recorded}, the model is now "
                            f"{current}; {FIX}")  # fmt: skip
    return problems


def _valid() -> list[str]:
    """Each file valid: checked when ``generate`` wrote it, while the index
    vouches for it (the schema and every file keep their recorded hashes, and
    the index itself is compared with what the generator writes); otherwise
    validated here."""
    try:
        if read_index() is None:
            load_vectors(JSON_DIR)
    except VectorFormatError as error:
        return [f"invalid vector file: {error}; {FIX}"]
    problems = []
    for path in sorted(JSON_DIR.glob("*.json")):
        twin = XML_DIR / (path.stem + ".xml")
        if not twin.is_file():
            problems.append(f"{twin.name}: missing XML form of {path.name}; {FIX}")
        elif read_xml_document(twin) != json.loads(path.read_text(encoding="utf-8")):
            problems.append(f"{twin.name}: does not read back to the same data as {path.name}; {FIX}")
    return problems


def _regenerated() -> list[str]:
    from .run import rendered

    files = rendered(validate=False)
    problems = []
    for path, text in sorted(files.items()):
        if not path.is_file():
            problems.append(f"{path.parent.name}/{path.name}: missing; {FIX}")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{path.parent.name}/{path.name}: differs from what the generator produces; {FIX}")
    for folder, pattern in ((JSON_DIR, "*.json"), (XML_DIR, "*.xml")):
        problems += [f"{p.parent.name}/{p.name}: not produced by the generator; {FIX}"
                     for p in sorted(folder.glob(pattern)) if p not in files]  # fmt: skip
    return problems


def check() -> tuple[list[str], list[str]]:
    """(problems, notes): no problems means the committed vectors are current."""
    notes: list[str] = []
    problems = _revisions()
    if not list(JSON_DIR.glob("*.json")):
        return [f"no committed vectors in {JSON_DIR}; {FIX}"], notes
    problems += _valid()
    if problems:
        return problems, notes
    if duis_schema() is None:
        notes.append("DUIS schema folder not found (MHHS_SEC_DUIS_DIR / ../shared/duis): skipped regenerating "
                     "and comparing; revision, JSON Schema and XML read-back were checked")  # fmt: skip
        return problems, notes
    return _regenerated(), notes


def check_paths() -> list[Path]:
    return sorted(JSON_DIR.glob("*.json")) + sorted(XML_DIR.glob("*.xml"))
