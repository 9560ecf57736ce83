"""The self-check: the reference must pass every vector, and every seeded
faulty implementation (:mod:`.faults`) must fail at least one.

A fault no vector catches means the vectors do not pin down the rule it breaks;
``mhhs-sec selfcheck`` exits non-zero and names it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .adapters import open_adapter
from .faults import FAULTS, Fault
from .runner import Verdict, run_all


def _verdicts(spec: str, vectors: Sequence[Any]) -> list[Verdict]:
    adapter = open_adapter(spec)
    try:
        return run_all(adapter, vectors)[1]
    finally:
        adapter.close()


def selfcheck(
    vectors: Sequence[Any], faults: Sequence[Fault] = FAULTS, on_fault: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """``{"reference": {"passed", "failed", "errors"}, "faulty": [{"name",
    "requirements", "caught_by"}]}``: a fault is caught by a vector on which
    it fails or errors."""
    reference = _verdicts("reference", vectors)
    document: dict[str, Any] = {
        "reference": {
            "passed": sum(v.status == "pass" for v in reference),
            "failed": sum(v.status == "fail" for v in reference),
            "errors": sum(v.status == "error" for v in reference),
        },
        "faulty": [],
    }
    for fault in faults:
        if on_fault:
            on_fault(fault.name)
        verdicts = _verdicts(f"fault:{fault.name}", vectors)
        caught = sorted(v.vector_id for v in verdicts if v.status in ("fail", "error"))
        document["faulty"].append({"name": fault.name, "requirements": list(fault.requirements), "caught_by": caught})
    return document


def healthy(document: dict[str, Any]) -> bool:
    """The reference passes everything and every fault is caught."""
    reference = document["reference"]
    clean = reference["failed"] == 0 and reference["errors"] == 0 and reference["passed"] > 0
    return clean and all(entry["caught_by"] for entry in document["faulty"])
