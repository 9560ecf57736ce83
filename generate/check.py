"""``mhhs-sec generate --check``: are the committed vectors current and valid?

Fails (with the reason and what to do) when a file records another model
revision, when regenerating from the model would give different bytes, when a
file is missing or extra, when a file breaks the JSON Schema / XSD, or when an
XML file does not read back to its JSON twin.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mhhs_sec.vectors.format import JSON_DIR, XML_DIR, model_revision
from mhhs_sec.vectors.index import INDEX_FILE, read_index, recorded_inputs, xml_current
from mhhs_sec.vectors.loader import VectorFormatError, load_vectors
from mhhs_sec.vectors.xmlform import read_xml_document

from mhhs_sec.settings import duis_dir

from .inputs import inputs_hash

Json = dict[str, Any]
FIX = "run `mhhs-sec generate` and commit vectors/"


def _header(path: Path) -> Json:
    """The header of a vector file (everything but its vectors), read without
    decoding the vectors when the file has the canonical layout."""
    text = path.read_text(encoding="utf-8")
    head, marker, _rest = text.partition('\n "vectors": [\n')
    return json.loads(head + '\n "vectors": []}' if marker else text)  # type: ignore[no-any-return]


def _revisions() -> list[str]:
    problems = []
    current = model_revision()
    for path in sorted(JSON_DIR.glob("*.json")):
        recorded = _header(path).get("model_revision")
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
    if xml_current(XML_DIR) and read_index() is not None:
        return []  # both forms written together by generate, from the same data, and unchanged since
    problems = []
    for path in sorted(JSON_DIR.glob("*.json")):
        twin = XML_DIR / (path.stem + ".xml")
        if not twin.is_file():
            problems.append(f"{twin.name}: missing XML form of {path.name}; {FIX}")
        elif read_xml_document(twin) != json.loads(path.read_text(encoding="utf-8")):
            problems.append(f"{twin.name}: does not read back to the same data as {path.name}; {FIX}")
    return problems


def _content(path: Path, text: str) -> str:
    """What a full check compares: the index's ``inputs`` line records the
    environment the files were written in (library versions), not their content,
    so a check in another environment regenerates and compares the rest."""
    if path != INDEX_FILE:
        return text
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("inputs\t"))


def _regenerated() -> list[str]:
    from .run import rendered

    files = rendered(validate=False)
    problems = []
    for path, text in sorted(files.items()):
        if not path.is_file():
            problems.append(f"{path.parent.name}/{path.name}: missing; {FIX}")
        elif _content(path, path.read_text(encoding="utf-8")) != _content(path, text):
            problems.append(f"{path.parent.name}/{path.name}: differs from what the generator produces; {FIX}")
    for folder, pattern in ((JSON_DIR, "*.json"), (XML_DIR, "*.xml")):
        problems += [f"{p.parent.name}/{p.name}: not produced by the generator; {FIX}"
                     for p in sorted(folder.glob(pattern)) if p not in files]  # fmt: skip
    return problems


def check(*, full: bool = False) -> tuple[list[str], list[str]]:
    """(problems, notes): no problems means the committed vectors are current.
    The vectors are regenerated and compared unless the index vouches for the
    files and records the generator's current inputs (``full``: always)."""
    notes: list[str] = []
    problems = _revisions()
    if not list(JSON_DIR.glob("*.json")):
        return [f"no committed vectors in {JSON_DIR}; {FIX}"], notes
    problems += _valid()
    if problems:
        return problems, notes
    if duis_dir() is None:  # found, not compiled: regenerating compiles it
        notes.append("DUIS schema folder not found (MHHS_SEC_DUIS_DIR / ../shared/duis): skipped regenerating "
                     "and comparing; revision, JSON Schema and XML read-back were checked")  # fmt: skip
        return problems, notes
    if not full and read_index() is not None and xml_current(XML_DIR) and recorded_inputs() == inputs_hash():
        notes.append("not regenerated: the generator's inputs (model, generator and format sources, DUIS "
                     "schema, library versions) are those recorded when these files were written; --full "
                     "regenerates")  # fmt: skip
        return problems, notes
    return _regenerated(), notes


def check_paths() -> list[Path]:
    return sorted(JSON_DIR.glob("*.json")) + sorted(XML_DIR.glob("*.xml"))
