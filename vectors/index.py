"""The index of the committed vectors (``vectors/json/index.tsv``): written by
``mhhs-sec generate`` after it has checked every file it writes against the
JSON Schema (and the strict model codec), it records the SHA-256 of the
schema and of each file, and for each vector its id, requirements, tags, observables, file and
line.

While the schema and every file still have the recorded hashes, the loader
trusts the check made when they were written: it selects vectors from the
index and decodes only the lines of the selected ones, so a one-vector rerun
reads one line of JSON instead of validating ten megabytes.  A file that
differs from its recorded hash, a file the index does not list, or a changed
schema makes the loader fall back to validating every file (and a file a user
passes with ``--vectors`` is always validated in full).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from .format import JSON_DIR, SCHEMA_FILE

INDEX_NAME: Final = "index.tsv"
INDEX_FILE: Final = JSON_DIR / INDEX_NAME
# A vector row: "vector", id, file, line, requirements, tags, observables.
VECTOR_FIELDS: Final = 7
_HEAD: Final = (
    "# The committed vectors, checked against vector.schema.json and the model codec when written by "
    "`mhhs-sec generate`: the loader trusts that check while the schema and each file keep the SHA-256 below."
)


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One vector as the index lists it: enough to select it (id,
    requirements, tags, observables) and to find it (file name, line)."""

    id: str
    requirements: tuple[str, ...]
    tags: tuple[str, ...]
    file: str
    line: int
    observables: tuple[str, ...]


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def vector_lines(text: str) -> list[int]:
    """The 0-based line of each vector in a vector file's canonical text (one
    vector per line, after the header: ``mhhs_sec.generate.writer.dumps``)."""
    lines = text.split("\n")
    if ' "vectors": [' not in lines:  # no vector: ' "vectors": []'
        return []
    start = lines.index(' "vectors": [') + 1
    end = lines.index(" ]", start)
    return list(range(start, end))


def render_index(files: dict[str, str], documents: dict[str, dict[str, Any]], xml_files: dict[str, str],
                 inputs: str) -> str:  # fmt: skip
    """The index text for vector files ``name -> text``, their parsed
    ``documents`` (already checked), their XML forms ``name -> text`` and the
    hash of the generator's ``inputs`` (``mhhs_sec.generate.inputs``)."""
    out = [_HEAD, f"schema\t{sha256(SCHEMA_FILE.read_bytes())}", f"inputs\t{inputs}"]
    out += [f"file\t{name}\t{sha256(files[name].encode('utf-8'))}" for name in sorted(files)]
    out += [f"xml\t{name}\t{sha256(xml_files[name].encode('utf-8'))}" for name in sorted(xml_files)]
    for name in sorted(files):
        for line, vector in zip(vector_lines(files[name]), documents[name]["vectors"], strict=True):
            out.append("\t".join(("vector", vector["id"], name, str(line), " ".join(vector["requirements"]),
                                  " ".join(vector["tags"]), " ".join(vector["observables"]))))  # fmt: skip
    return "\n".join(out) + "\n"


def _rows(folder: Path) -> list[list[str]]:
    path = folder / INDEX_NAME
    if not path.is_file():
        return []
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()[1:]]


def recorded_inputs(folder: Path = JSON_DIR) -> str | None:
    """The hash of the generator's inputs the index records, if any."""
    return next((row[1] for row in _rows(folder) if row[0] == "inputs"), None)


def xml_current(xml_folder: Path, folder: Path = JSON_DIR) -> bool:
    """Are the XML files exactly those the index lists, with their hashes
    (written by ``generate`` with their JSON twins, from the same data)?"""
    hashes = {row[1]: row[2] for row in _rows(folder) if row[0] == "xml"}
    present = {p.name: p for p in xml_folder.glob("*.xml")}
    return (
        bool(hashes)
        and set(hashes) == set(present)
        and all(sha256(present[name].read_bytes()) == digest for name, digest in hashes.items())
    )


def read_index(folder: Path = JSON_DIR) -> list[IndexEntry] | None:
    """The entries of the index of ``folder`` when it vouches for the schema
    and for exactly the vector files there (each with its recorded hash);
    None otherwise (the loader then validates every file)."""
    rows = _rows(folder)
    if not rows or rows[0] != ["schema", sha256(SCHEMA_FILE.read_bytes())]:
        return None
    hashes = {row[1]: row[2] for row in rows if row[0] == "file"}
    present = {p.name: p for p in folder.glob("*.json")}
    if set(hashes) != set(present) or any(sha256(present[n].read_bytes()) != h for n, h in hashes.items()):
        return None
    vectors = [row for row in rows if row[0] == "vector"]
    if any(len(row) != VECTOR_FIELDS for row in vectors):  # written by an older generator: validate again
        return None
    return [
        IndexEntry(row[1], tuple(row[4].split()), tuple(row[5].split()), row[2], int(row[3]), tuple(row[6].split()))
        for row in vectors
    ]
