"""Proofs that can fail: every invariant is falsified by a
seeded fault aimed at one of its requirements, with a short counterexample
that replays on the Python model carrying the same fault, and not on the
reference model."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import z3
from mhhs_sec.model import Profile, step, world
from mhhs_sec.model.clock import day_start
from mhhs_sec.model.entities import ReadLogPeriod, ServiceRequest
from mhhs_sec.model.events import SubmitRequest
from mhhs_sec.proofs import OBLIGATIONS
from mhhs_sec.proofs.agreement import StepChecker
from mhhs_sec.proofs.concrete import Frame, abstract_event, abstract_output, abstract_state, alt_of, day_number, setup
from mhhs_sec.proofs.faulty import PATCHES
from mhhs_sec.proofs.inputs import reference_inputs
from mhhs_sec.proofs.mutants import MUTANTS, Mutant
from mhhs_sec.proofs.obligations import Obligation, _within_c5
from mhhs_sec.proofs.replay import replay
from mhhs_sec.proofs.solve import Counterexample, Induction, Unknown, Unrolling
from mhhs_sec.proofs.symbolic import ADVANCE, LOADREG, code


def _first_falsifying(ob: Obligation) -> tuple[Mutant, Counterexample]:
    """The first seeded fault aimed at one of the obligation's requirements whose
    bounded search finds a violation; the failure names every verdict (the
    search runs under resource limits, so each is the same on any machine)."""
    verdicts: dict[str, str] = {}
    for mutant in (m for m in MUTANTS if set(m.breaks) & set(ob.requirements)):
        verdict = Unrolling(mutant.inputs()).search(ob)
        if isinstance(verdict, Counterexample):
            return mutant, verdict
        verdicts[mutant.name] = verdict.reason if isinstance(verdict, Unknown) else verdict.status
    pytest.fail(f"no seeded fault aimed at {ob.requirements} falsifies {ob.name}: {verdicts or 'none aims at it'}")


@pytest.mark.req("REG-4", "REG-5", "AC-6", "AC-7", "AC-8", "FS-2", "FS-4", "TRT-2", "TRT-3", "C-1", "C-2",
                 "C-5", "C-6", "C-7", "SCH-3")  # fmt: skip
@pytest.mark.parametrize("ob", OBLIGATIONS, ids=lambda ob: ob.name)
def test_each_invariant_is_falsified_and_the_counterexample_replays(ob: Obligation) -> None:
    mutant, verdict = _first_falsifying(ob)
    assert 1 <= len(verdict.trace.steps) <= 4
    faulty = replay(verdict.trace, ob, mutant.name)
    assert faulty.agrees, faulty.mismatches
    assert faulty.violated, "the faulty model should show the violation"
    reference = replay(verdict.trace, ob, None)
    assert not reference.violated, "the reference model should not violate the invariant"


@pytest.mark.req("C-5", "REG-4", "C-2")
def test_every_seeded_fault_has_a_model_patch() -> None:
    assert set(PATCHES) == {m.name for m in MUTANTS}


@pytest.mark.req("FS-2", "C-5")
def test_the_agreement_check_catches_a_faulty_encoding() -> None:
    # an MDR read without ForSettlement: the model rejects it (FS-2), the faulty
    # encoding (flag not checked) accepts it, so the step checker must disagree
    frame = Frame("SMETS1", "ESME", dt.date(2025, 3, 1), dt.date(2025, 3, 1), "4.8.1",
                  day_start(dt.date(2025, 4, 3), "utc"))  # fmt: skip
    state, _ = setup(frame, Profile(), day_start(dt.date(2025, 4, 4), "uk") + 9 * 3600,
                     day_number(dt.date(2025, 4, 9)), day_number(dt.date(2025, 4, 10)))  # fmt: skip
    period = ReadLogPeriod(day_start(dt.date(2025, 4, 3), "uk"), day_start(dt.date(2025, 4, 4), "uk") - 1)
    event = SubmitRequest(ServiceRequest("P1", world.MDR_OUT, "MDR", "4.8.1", frame.device.device_id, False, period))
    post, outputs = step(state, event)
    values = (abstract_state(frame, state), abstract_event(frame, event), abstract_state(frame, post),
              abstract_output(frame, state, outputs, False))  # fmt: skip
    first, last = dt.date(2025, 3, 1), dt.date(2025, 5, 1)
    assert StepChecker(first, last).check(frame, alt_of(state.profile), *values) is None
    faulty = next(m for m in MUTANTS if m.name == "flag-unchecked")
    assert StepChecker(first, last, faulty.inputs()).check(frame, alt_of(state.profile), *values) is not None


@pytest.mark.req("C-5", "C-11")
def test_a_cache_hit_restamping_its_retrieval_time_is_caught_from_the_device_read() -> None:
    """C-5 counts an entry's age from the device read (the ghost ``c_read``), not
    from the retrieval instant the encoding keeps: a fault re-stamping that
    instant on a cache hit is falsified, and the trace replays on the model
    carrying it only; measured from the kept instant, the fault goes unseen."""
    ob = next(o for o in OBLIGATIONS if o.name == "cache-held-at-most-25h")
    mutant = next(m for m in MUTANTS if m.name == "cache-hit-restamps")
    verdict = Unrolling(mutant.inputs()).search(ob)
    assert isinstance(verdict, Counterexample), verdict
    faulty = replay(verdict.trace, ob, mutant.name)
    assert faulty.agrees, faulty.mismatches
    assert faulty.violated, "the faulty model should show the violation"
    assert not replay(verdict.trace, ob, None).violated, "the reference model should not violate the invariant"
    from_kept_instant = dataclasses.replace(
        ob,
        state=lambda ctx, s: z3.Implies(s.c_on, _within_c5(ctx, s.c_at, s.now)),
        step=lambda ctx, s, e, o, s2: z3.Implies(o.ts_cached, _within_c5(ctx, s.c_at, o.at)),
    )
    assert not isinstance(Unrolling(mutant.inputs()).search(from_kept_instant), Counterexample)


@pytest.mark.req("SCH-3", "REG-5")
def test_a_change_later_in_an_mdra_chain_left_without_effect_is_caught() -> None:
    """SCH-3 over chains of more than two appointments: a fault letting only the
    first MDRA change of a chain delete the outgoing MDRA's schedules is
    falsified by proof, its trace loads a chain of three or more appointments,
    and it replays on the model carrying the fault only."""
    ob = next(o for o in OBLIGATIONS if o.name == "outgoing-schedules-end-at-efd")
    mutant = next(m for m in MUTANTS if m.name == "sch3-first-change-only")
    induction = Induction(mutant.inputs())
    assert induction.consecution(ob) == z3.sat  # not proved under the fault
    verdict = Unrolling(mutant.inputs()).search(ob)
    assert isinstance(verdict, Counterexample), verdict
    assert any(s.event["kind"] == LOADREG and int(s.event["new_len"]) >= 3 for s in verdict.trace.steps)
    faulty = replay(verdict.trace, ob, mutant.name)
    assert faulty.agrees, faulty.mismatches
    assert faulty.violated, "the faulty model should show the violation"
    assert not replay(verdict.trace, ob, None).violated, "the reference model should not violate the invariant"


@pytest.mark.req("REG-4", "AC-3", "SCH-4", "SCH-5")
def test_queued_work_keeping_the_decision_that_queued_it_is_falsified_by_proof() -> None:
    """A held or future-dated read or a retry executed on the decision that
    queued it (never decided again) is outside no longer: the REG-4 proof
    fails under the fault, BMC finds a trace whose violating step is a clock
    advance executing queued work, and the trace replays on the model
    carrying the same fault only."""
    ob = next(o for o in OBLIGATIONS if o.name == "outgoing-mdra-no-data-from-efd[uk]")
    mutant = next(m for m in MUTANTS if m.name == "queued-work-keeps-decision")
    induction = Induction(mutant.inputs())
    assert induction.consecution(ob) != z3.unsat, "the fault must break the induction"
    assert Induction(reference_inputs()).consecution(ob) == z3.unsat
    verdict = Unrolling(mutant.inputs()).search(ob)
    assert isinstance(verdict, Counterexample), verdict
    steps = verdict.trace.steps
    assert any(s.output["code"] == code("I99") or s.state["w_on"] for s in steps[:-1]), "work was queued"
    assert steps[-1].event["kind"] == ADVANCE and not steps[-1].output["scheduled"], "queued work executes"
    faulty = replay(verdict.trace, ob, mutant.name)
    assert faulty.agrees, faulty.mismatches
    assert faulty.violated, "the faulty model should show the violation"
    assert not replay(verdict.trace, ob, None).violated, "the reference model should not violate the invariant"


@pytest.mark.req("C-6", "SCH-1", "SCH-2")
def test_a_cache_kept_while_another_schedule_remains_is_falsified_by_proof() -> None:
    """C-6 over two schedules for one key: a fault keeping the key's cache when
    one of two schedules for it is removed is falsified by proof (the
    consecution query fails), BMC finds a trace that holds two schedules, and
    it replays on the model carrying the fault only."""
    ob = next(o for o in OBLIGATIONS if o.name == "cache-scope")
    mutant = next(m for m in MUTANTS if m.name == "cache-kept-while-scheduled")
    assert Induction(mutant.inputs()).consecution(ob) == z3.sat  # not proved under the fault
    verdict = Unrolling(mutant.inputs()).search(ob)
    assert isinstance(verdict, Counterexample), verdict
    assert any(s.state["t_on"] for s in verdict.trace.steps), "two schedules were held"
    faulty = replay(verdict.trace, ob, mutant.name)
    assert faulty.agrees, faulty.mismatches
    assert faulty.violated, "the faulty model should show the violation"
    assert not replay(verdict.trace, ob, None).violated, "the reference model should not violate the invariant"
