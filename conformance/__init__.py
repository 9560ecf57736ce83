"""Run the conformance vectors against any implementation.

Adapters (in-process, JSON lines over stdio, HTTP with DUIS XML), the reference
implementation backed by the model, the runner, JUnit / HTML reports, seeded
faulty implementations for the self-check and a pytest plugin.  The protocol
an implementation speaks is ``docs/adapter-protocol.md``.
"""

from __future__ import annotations

from typing import Any

from .adapters import open_adapter
from .protocol import PROTOCOL_VERSION, AdapterFault, Capabilities, EventRejected, Implementation
from .reference import ReferenceImplementation

__all__ = [
    "PROTOCOL_VERSION",
    "AdapterFault",
    "Capabilities",
    "EventRejected",
    "Implementation",
    "ReferenceImplementation",
    "conform_summary",
    "open_adapter",
]


def conform_summary(adapter: str = "reference", *, vectors: str | None = None) -> dict[str, Any]:
    """Run every committed vector against ``adapter`` (a ``--adapter`` spec;
    vectors schema-checked, not re-decoded: ``generate --check`` does that;
    ``vectors``: another vector file or folder);
    ``{"passed", "failed", "errors", "skipped"}`` counts (for ``mhhs-sec check``)."""
    from mhhs_sec.vectors import load_vectors

    from .runner import run_all

    chosen = sorted(load_vectors(vectors, strict=False), key=lambda v: v.id)
    opened = open_adapter(adapter)
    try:
        _name, verdicts = run_all(opened, chosen)
    finally:
        opened.close()
    counts = {"passed": 0, "failed": 0, "errors": 0, "skipped": 0}
    key = {"pass": "passed", "fail": "failed", "error": "errors", "skip": "skipped"}
    for verdict in verdicts:
        counts[key[verdict.status]] += 1
    return counts
