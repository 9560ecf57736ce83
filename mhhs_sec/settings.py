"""Project settings read from the environment.

``MHHS_SEC_DUIS_DIR``: the folder holding the DUIS 5.4 schema
(``DUIS Schema V5.4.xsd`` and the schemas it imports).  The project never
copies that material; when the variable is unset, ``../shared/duis`` beside
the project checkout is used if it exists.  Code that needs the schema calls
:func:`duis_dir` and, when it returns None, skips or says why.

``MHHS_SEC_RUNTIME_CHECKS=1``: every ``mhhs-sec`` command runs the model
under the runtime checks of every proved invariant (``proofs/runtime.py``):
vector generation, the reference implementation of ``conform``, ``serve``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

PROJECT_ROOT: Final = Path(__file__).resolve().parent.parent
DUIS_SCHEMA_FILE: Final = "DUIS Schema V5.4.xsd"
CATALOGUE_ENV: Final = "MHHS_SEC_CATALOGUE"
RUNTIME_CHECKS_ENV: Final = "MHHS_SEC_RUNTIME_CHECKS"


def runtime_checks() -> bool:
    """Run the model under the runtime checks of the proved invariants?"""
    return os.environ.get(RUNTIME_CHECKS_ENV) == "1"


def duis_dir() -> Path | None:
    """The DUIS schema folder, or None when none is available."""
    configured = os.environ.get("MHHS_SEC_DUIS_DIR")
    candidates = (
        [Path(configured)]
        if configured
        else [PROJECT_ROOT.parent / "shared" / "duis", Path.cwd().parent / "shared" / "duis"]
    )
    for folder in candidates:
        if (folder / DUIS_SCHEMA_FILE).is_file():
            return folder
    return None


def catalogue_path() -> Path | None:
    """The requirement catalogue (``../shared/spec/requirements.md``), if present."""
    configured = os.environ.get(CATALOGUE_ENV)
    candidates = (
        [Path(configured)]
        if configured
        else [
            PROJECT_ROOT.parent / "shared" / "spec" / "requirements.md",
            Path.cwd().parent / "shared" / "spec" / "requirements.md",
        ]
    )
    return next((p for p in candidates if p.is_file()), None)


def duis_matrix_path() -> Path | None:
    """The pre-MHHS DUIS request matrix JSON, if present."""
    folder = duis_dir()
    path = None if folder is None else folder / "duis-request-matrix.json"
    return path if path is not None and path.is_file() else None
