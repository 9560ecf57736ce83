"""The runtime checks (``proofs/runtime.py``) agree with the Z3 invariants:
each seeded fault's counterexample (the trace BMC found on the faulty
encoding, ``proofs/vectors/counterexamples.json``), replayed on the model
carrying the same fault (``proofs/faulty.py``), trips the runtime check of the
very invariant Z3 found falsified, and the reference model's replay trips
none; and on the reachable states of the committed vectors and the random
walks, where Z3 proves every invariant, every runtime check holds."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest
from mhhs_sec.conformance.protocol import EventRejected
from mhhs_sec.conformance.reference import ReferenceImplementation
from mhhs_sec.proofs import OBLIGATIONS
from mhhs_sec.proofs.faulty import PATCHES
from mhhs_sec.proofs.runtime import CHECKS, Monitor, checking
from mhhs_sec.proofs.runtime_run import self_check

COUNTEREXAMPLES = Path(__file__).resolve().parents[2] / "proofs" / "vectors" / "counterexamples.json"
VECTORS: list[dict[str, Any]] = json.loads(COUNTEREXAMPLES.read_text(encoding="utf-8"))["vectors"]


def _falsified(vector: dict[str, Any]) -> tuple[str, str]:
    """The invariant and the seeded fault a counterexample vector is for."""
    fault = next(t.removeprefix("fault:") for t in vector["tags"] if t.startswith("fault:"))
    slug = {o.name: "proofs." + o.name.replace("[", ".").rstrip("]") + "." for o in OBLIGATIONS}
    return next(name for name, prefix in slug.items() if vector["id"] == prefix + fault), fault


def _violations(vector: dict[str, Any]) -> set[str]:
    monitor = Monitor(strict=False)
    reference = ReferenceImplementation()
    with checking(monitor):
        reference.reset(vector["initial_state"])
        for item in vector["steps"]:
            with contextlib.suppress(EventRejected):
                reference.step(item["event"])
    return {name for name, _ in monitor.broken}


def test_every_obligation_has_runtime_checks() -> None:
    assert {o.name for o in OBLIGATIONS} == set(CHECKS) and all(CHECKS.values())


@pytest.mark.req("REG-4", "C-5", "C-7", "C-6", "SCH-3", "AC-1", "FS-2", "TRT-2", "TRT-3", "REG-5")
@pytest.mark.parametrize("vector", VECTORS, ids=[v["id"] for v in VECTORS])
def test_a_counterexample_trips_the_runtime_check_of_the_invariant_it_falsifies(vector: dict[str, Any]) -> None:
    invariant, fault = _falsified(vector)
    assert _violations(vector) == set()  # the reference model
    with PATCHES[fault]():
        assert invariant in _violations(vector)


@pytest.mark.req("REG-4", "C-5", "C-7", "C-6", "SCH-3")
def test_every_runtime_check_holds_on_the_committed_vectors_and_the_random_walks() -> None:
    figures = self_check()
    assert figures.vectors > 2000 and figures.walks > 100 and figures.steps > figures.vectors
