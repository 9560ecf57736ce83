"""The committed counterexample vectors (``proofs/vectors/counterexamples.json``,
written by ``mhhs-sec prove --mutants --vectors``) are valid vectors that the
reference model passes and that the model carrying each vector's seeded fault
fails.  If the model changes, regenerate them with that
command."""

from __future__ import annotations

from pathlib import Path

import pytest
from mhhs_sec.model import InvalidEvent, step
from mhhs_sec.proofs import OBLIGATIONS
from mhhs_sec.proofs.faulty import PATCHES
from mhhs_sec.vectors import compare, load_vectors
from mhhs_sec.vectors.loader import Vector

FILE = Path(__file__).resolve().parents[2] / "proofs" / "vectors" / "counterexamples.json"
VECTORS = load_vectors(FILE) if FILE.exists() else []


def _problems(vector: Vector) -> list[str]:
    state = vector.model_state()
    problems: list[str] = []
    for n, s in enumerate(vector.steps):
        try:
            state, outputs = step(state, s.model_event())
        except InvalidEvent:
            outputs = ()
            if s.refused is None:
                problems.append(f"step {n}: refused")
        else:
            if s.refused is not None:
                problems.append(f"step {n}: should be refused ({s.refused['requirement']})")
        problems += compare(s.expected, outputs, vector.observables)
    return problems


def _fault(vector: Vector) -> str:
    return next(t.removeprefix("fault:") for t in vector.tags if t.startswith("fault:"))


@pytest.mark.req("REG-4", "REG-5", "C-5", "C-7", "C-1", "C-2", "C-6", "AC-6", "AC-7", "AC-8", "FS-2", "TRT-2",
                 "TRT-3", "SCH-3")  # fmt: skip
def test_every_invariant_has_a_counterexample_vector() -> None:
    assert FILE.exists(), "run: mhhs-sec prove --mutants --vectors proofs/vectors/counterexamples.json"
    covered = {req for v in VECTORS for req in v.requirements}
    assert {req for ob in OBLIGATIONS for req in ob.requirements} <= covered


@pytest.mark.req("C-9", "REG-4", "C-5")
@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v.id)
def test_reference_passes_and_the_seeded_fault_fails(vector: Vector) -> None:
    assert _problems(vector) == [], "stale vector: regenerate with mhhs-sec prove --mutants --vectors ..."
    with PATCHES[_fault(vector)]():
        assert _problems(vector), f"the '{_fault(vector)}' fault passes the vector"
