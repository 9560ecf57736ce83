"""Non-vacuity by a reachable witness: for every invariant, a bounded trace
from an initial state reaches its hypothesis (the outgoing MDRA receiving an
entry of EFD − 1, a cache hit near 25 h, a coerced flag, ...), under the
profile the invariant names, and the reference model takes that very trace
(each step's state and output abstract to the trace's)."""

from __future__ import annotations

import pytest
from mhhs_sec.proofs import OBLIGATIONS
from mhhs_sec.proofs.inputs import reference_inputs
from mhhs_sec.proofs.obligations import Obligation
from mhhs_sec.proofs.replay import replay
from mhhs_sec.proofs.solve import Counterexample, Unrolling


@pytest.mark.req("REG-4", "REG-5", "AC-7", "FS-5", "TRT-1", "TRT-2", "TRT-3", "C-5", "C-7", "C-1", "SCH-3")
@pytest.mark.parametrize("ob", OBLIGATIONS, ids=lambda ob: ob.name)
def test_each_invariant_has_a_witness_the_model_reaches(ob: Obligation) -> None:
    verdict = Unrolling(reference_inputs()).reach(ob)
    assert isinstance(verdict, Counterexample), f"{ob.name}: {verdict.status}"
    assert 1 <= len(verdict.trace.steps) <= 4
    for option, value in ob.profile.items():
        assert verdict.trace.profile[option] == value  # under the profile the invariant names
    replayed = replay(verdict.trace, ob, None)
    assert replayed.agrees, replayed.mismatches  # the model reaches the same state and output
    assert not replayed.violated
