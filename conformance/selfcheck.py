"""The self-check: the reference must pass every vector, and every seeded
faulty implementation (:mod:`.faults`) must fail at least one.

A fault no vector catches means the vectors do not pin down the rule it breaks;
``mhhs-sec selfcheck`` exits non-zero and names it.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
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


_SHARED: list[Any] = []  # the vectors, inherited by forked workers


def _statuses(spec: str) -> list[tuple[str, str]]:
    return [(v.vector_id, v.status) for v in _verdicts(spec, _SHARED)]


def _run_specs(specs: list[str], jobs: int) -> list[list[tuple[str, str]]]:
    """Each spec's (vector id, status) list; in parallel worker processes when
    ``jobs`` > 1 and fork is available (results keep the order of ``specs``)."""
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [_statuses(spec) for spec in specs]
    with multiprocessing.get_context("fork").Pool(min(jobs, len(specs))) as pool:
        return pool.map(_statuses, specs, chunksize=1)


def selfcheck(vectors: Sequence[Any], faults: Sequence[Fault] = FAULTS, jobs: int | None = None) -> dict[str, Any]:
    """``{"reference": {"passed", "failed", "errors"}, "faulty": [{"name",
    "requirements", "caught_by"}]}``: a fault is caught by a vector on which
    it fails or errors.  ``jobs``: worker processes (default: one per core)."""
    _SHARED[:] = list(vectors)
    try:
        specs = ["reference", *(f"fault:{fault.name}" for fault in faults)]
        reference, *faulty = _run_specs(specs, jobs if jobs is not None else os.cpu_count() or 1)
    finally:
        _SHARED.clear()
    statuses = [status for _, status in reference]
    document: dict[str, Any] = {
        "reference": {
            "passed": statuses.count("pass"),
            "failed": statuses.count("fail"),
            "errors": statuses.count("error"),
        },
        "faulty": [],
    }
    for fault, verdicts in zip(faults, faulty, strict=True):
        caught = sorted(vector_id for vector_id, status in verdicts if status in ("fail", "error"))
        document["faulty"].append({"name": fault.name, "requirements": list(fault.requirements), "caught_by": caught})
    return document


def healthy(document: dict[str, Any]) -> bool:
    """The reference passes everything and every fault is caught."""
    reference = document["reference"]
    clean = reference["failed"] == 0 and reference["errors"] == 0 and reference["passed"] > 0
    return clean and all(entry["caught_by"] for entry in document["faulty"])
