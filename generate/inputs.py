"""The generator's inputs, hashed: what the committed vectors are a function of.

Generation is deterministic (the same inputs give byte-identical files), so
the vectors ``mhhs-sec generate`` wrote are current for as long as its inputs
are the same: the source, templates and data of the project's packages (the
model, the generator and its list of the vectors the minimisation keeps, the
vector format, the command and the conformance package the format's schemas
draw on), the DUIS schema folder, and the versions of Python and of the
libraries that take part (Z3, Hypothesis, Jinja2, xmlschema, jsonschema).
``generate`` records the hash in the vector index; ``generate --check``
regenerates only when the hash differs (``--full`` always regenerates), as
``prove`` reuses its proofs while the model, encoding and tables are unchanged.
"""

from __future__ import annotations

import hashlib
import sys
from importlib import metadata
from pathlib import Path
from typing import Final

from mhhs_sec.settings import PROJECT_ROOT, duis_dir

# The project folders whose files the vectors depend on (the vectors
# themselves excluded), and the libraries whose versions they depend on.
SOURCE_FOLDERS: Final = ("mhhs_sec", "model", "generate", "vectors", "conformance")
OUTPUT_FOLDERS: Final = ("vectors/json", "vectors/xml")
SUFFIXES: Final = frozenset({".py", ".j2", ".json", ".xsd", ".xml", ".tsv"})
LIBRARIES: Final = ("z3-solver", "hypothesis", "jinja2", "xmlschema", "jsonschema")


def _source_files() -> list[Path]:
    outputs = [PROJECT_ROOT / folder for folder in OUTPUT_FOLDERS]
    return sorted(
        path
        for folder in SOURCE_FOLDERS
        for path in (PROJECT_ROOT / folder).rglob("*")
        if path.suffix in SUFFIXES and path.is_file() and "__pycache__" not in path.parts
        and not any(path.is_relative_to(out) for out in outputs)
    )  # fmt: skip


def _version(library: str) -> str:
    try:
        return metadata.version(library)
    except metadata.PackageNotFoundError:
        return "absent"


def inputs_hash() -> str:
    """``sha256:...`` of every input of the generator (module docstring)."""
    digest = hashlib.sha256()
    for path in _source_files():
        digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    folder = duis_dir()
    if folder is not None:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(b"duis/" + path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for library in LIBRARIES:
        digest.update(f"{library}=={_version(library)}\0".encode())
    digest.update(f"python {sys.version_info[:3]}\0".encode())
    return "sha256:" + digest.hexdigest()
