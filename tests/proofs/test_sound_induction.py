"""The induction assumes each invariant only under the profile values it is
proved for; a query that reaches its resource limit says so.

SCH-3 'delete' (the default) and 'keep' reach different states: under 'keep'
the outgoing MDRA still holds, after the incoming EFD has begun, a schedule it
created before it.  The 'delete' invariant ``outgoing-schedules-end-at-efd``
excludes those states; were it assumed under every profile, consecution would
never look at them, and a fault acting only there would be 'proved' away.
"""

from __future__ import annotations

import dataclasses

import pytest
import z3
from mhhs_sec.proofs import OBLIGATIONS, chain, encode, solve
from mhhs_sec.proofs.inputs import OUT, reference_inputs
from mhhs_sec.proofs.obligations import Obligation
from mhhs_sec.proofs.replay import replay
from mhhs_sec.proofs.report import table
from mhhs_sec.proofs.run import check_inputs
from mhhs_sec.proofs.solve import Counterexample, Induction, Unrolling, prove
from mhhs_sec.proofs.symbolic import Ctx, SymState

KEEP = {"schedules_on_mdra_change": True}


def _named(name: str) -> Obligation:
    return next(ob for ob in OBLIGATIONS if ob.name == name)


def _kept_schedule(ctx: Ctx, st: SymState) -> z3.BoolRef:
    """The outgoing MDRA holds, once the incoming EFD has begun, an MDR schedule
    it created before it (what SCH-3 'keep' allows and 'delete' does not)."""
    efd = ctx.day_start(st.b_efd)
    return z3.And(st.s_on, st.s_owner == OUT, st.s_role == encode.MDR, st.s_created < efd, st.now >= efd)


@pytest.mark.req("SCH-3")
def test_keep_reaches_states_the_delete_invariant_excludes() -> None:
    # the 'delete' invariant's state part, asked of the 'keep' profile
    delete = _named("outgoing-schedules-end-at-efd")
    assert delete.state is not None and delete.profile == {"schedules_on_mdra_change": False}
    asked = dataclasses.replace(delete, step=None, profile=KEEP)
    verdict = Unrolling(reference_inputs()).search(asked)
    assert isinstance(verdict, Counterexample)
    assert len(verdict.trace.steps) == 2  # create the schedule, advance past the EFD
    assert verdict.trace.profile["schedules_on_mdra_change"]
    # a state the reference Python model itself reaches
    on_model = replay(verdict.trace, asked, None)
    assert on_model.agrees, on_model.mismatches
    assert on_model.violated


@pytest.mark.req("REG-4", "SCH-3")
def test_a_fault_acting_only_in_kept_schedule_states_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    # the fault: while such a kept schedule exists the outgoing MDRA keeps one
    # more day of appointment (it then gets EFD data, against REG-4)
    def faulty(ctx: Ctx, st: SymState) -> list[z3.ArithRef]:
        last = chain.last_day(ctx, st.a_etd)
        return [z3.If(_kept_schedule(ctx, st), last + 1, last), st.m_efd2 - 1, st.m_efd3 - 1]

    monkeypatch.setattr(encode, "appointment_lasts", faulty)
    reg4 = _named("outgoing-mdra-no-data-from-efd[uk]")
    inputs = reference_inputs()
    outcome = prove(reg4, Induction(inputs), Unrolling(inputs))
    assert outcome.checks["consecution"] == "sat"
    assert isinstance(outcome.verdict, Counterexample), outcome.verdict
    trace = outcome.verdict.trace
    assert len(trace.steps) <= 3
    assert trace.profile["schedules_on_mdra_change"]


@pytest.mark.req("REG-4", "C-5")
def test_a_query_stopped_by_its_resource_limit_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    # limits far below what the queries need: every result is unknown, never
    # proved, and names the checks that stopped and the limit they reached
    monkeypatch.setattr(solve, "QUERY_RLIMIT", 2000)
    monkeypatch.setattr(solve, "BMC_RLIMIT", 2000)
    results = check_inputs(reference_inputs(), depth=1)
    assert {r.status for r in results} == {"unknown"}
    reg4 = next(r for r in results if r.name == "outgoing-mdra-no-data-from-efd[uk]")
    assert "stopped at the Z3 resource limit (rlimit 2,000)" in reg4.reason
    assert "consecution (submit)" in reg4.reason and "BMC step 1" in reg4.reason
    assert f"{reg4.name} is unknown: {reg4.reason}" in table(results, False)
