"""Constants of the vector format (``docs/vector-format.md``) and the model
revision that makes committed vectors stale when the model changes.

The observables are the parts of the DCC's behaviour a vector may check; an
implementation that cannot expose one skips the vectors that need it, visibly
(the runner reports them as skipped, never as passed).
"""

from __future__ import annotations

import ast
import hashlib
from functools import cache
from pathlib import Path
from typing import Final

FORMAT_NAME: Final = "mhhs-sec-vectors"
FORMAT_VERSION: Final = 1
GENERATOR_NAME: Final = "mhhs_sec.generate"
GENERATOR_VERSION: Final = "1.0.0"
PROJECT_NAMESPACE: Final = "urn:mhhs-sec:1"

VECTORS_DIR: Final = Path(__file__).resolve().parent
JSON_DIR: Final = VECTORS_DIR / "json"
XML_DIR: Final = VECTORS_DIR / "xml"
SCHEMA_FILE: Final = VECTORS_DIR / "vector.schema.json"
XSD_FILE: Final = VECTORS_DIR / "vector.xsd"

# observable -> what of the expected outputs it covers (docs/vector-format.md).
OBSERVABLES: Final[dict[str, str]] = {
    "response-code": "which responses / acknowledgements a step produces (matched by type and request_id), "
    "their code, user_id, role, srv, device_id, mode and effective for_settlement",
    "entries": "which log entries a response carries: their timestamps, in order (none on an error)",
    "entry-values": "the values of the log entries a response carries (the device data of the initial state); "
    "without it the runner checks entry-consistency instead: the same value for the same device, SRV and "
    "timestamp in every response of the vector (C-10)",
    "device-read": "whether answering the request interacted with the device (C-9)",
    "trt": "the Target Response Time a response is given (trt_s)",
    "timing": "instants: acknowledgement at / execute_at, response submitted_at / responded_at, alert at",
    "alerts": "alerts raised to users (code, recipient, device_id, schedule_id)",
    "schedules": "DSP Schedule ids a 5.x response names",
    "inventory": "the device record an 8.2 Read Inventory returns",
    "audit": "Service Audit Trail extracts (AUD-2)",
    "refusal": "the implementation refuses an invalid event (a step with 'refused') and keeps its state (REG-5)",
}
# Never compared: explanatory text and the model's own bookkeeping.
INFORMATIONAL_FIELDS: Final = frozenset({"reason", "interp", "requirements"})


def _model_dir() -> Path:
    return VECTORS_DIR.parent / "model"


_ROOTS: Final = ("__init__", "codec", "world")


def _local_imports(source: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found


@cache
def model_files() -> tuple[Path, ...]:
    """The model modules a vector's outcome can depend on: the import closure
    of ``mhhs_sec.model`` (its ``__init__``), the codec and the standard world."""
    folder = _model_dir()
    seen: set[str] = set()
    todo = list(_ROOTS)
    while todo:
        name = todo.pop()
        path = folder / f"{name}.py"
        if name in seen or not path.is_file():
            continue
        seen.add(name)
        todo.extend(_local_imports(path.read_text(encoding="utf-8")))
    return tuple(folder / f"{name}.py" for name in sorted(seen))


@cache
def model_revision() -> str:
    """A deterministic hash of the model's source files (name and content),
    recorded in every vector file; a different value means the vectors are stale."""
    digest = hashlib.sha256()
    for path in model_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return "sha256:" + digest.hexdigest()[:32]
