"""Two DSP Schedules for one key on the watched device (``proofs/schedules.py``):
removing one removes the key's cache though the other remains (C-6, as the
model does), and a model that keeps it there is caught by the step agreement
(the model's step is not a step of the encoding) and by the Z3 form of
``cache-scope`` evaluated on the model's step, not only by a hand-written
test."""

from __future__ import annotations

import datetime as dt

import pytest
from mhhs_sec.model import step, world
from mhhs_sec.model.clock import day_start
from mhhs_sec.model.entities import ScheduleSpec, ServiceRequest
from mhhs_sec.model.events import AdvanceClock, Event, SubmitRequest
from mhhs_sec.model.profile import Profile
from mhhs_sec.model.schedules import due
from mhhs_sec.model.state import State
from mhhs_sec.proofs.agreement import Disagreement, ObligationEvaluator, checker
from mhhs_sec.proofs.concrete import Frame, abstract_event, abstract_output, abstract_state, alt_of, setup
from mhhs_sec.proofs.faulty import PATCHES

FIRST, LAST = dt.date(2025, 3, 10), dt.date(2025, 4, 30)
DAY = dt.timedelta(days=1)
START = dt.date(2025, 3, 26)
# SMETS1 ESME, the watched key a 4.8.1 entry of START: what the first runs read
FRAME = Frame("SMETS1", "ESME", dt.date(2025, 3, 15), dt.date(2025, 3, 15), "4.8.1", day_start(START, "uk") + 1800)
EFD = START + 3 * DAY


def _both_schedules_ran() -> State:
    """The outgoing MDRA's and the Supplier's schedules for 4.8.1 of the device,
    both from START + 1; their first runs made (the entry of START cached)."""
    state, _ = setup(FRAME, Profile(), day_start(START, "uk") + 10 * 3600, (EFD - DAY - dt.date(1970, 1, 1)).days,
                     (EFD - dt.date(1970, 1, 1)).days)  # fmt: skip
    for n, (user, role) in enumerate(((world.MDR_OUT, "MDR"), (world.SUPPLIER, "IS"))):
        spec = ScheduleSpec(FRAME.srv_w, START + DAY)
        request = ServiceRequest(f"S{n}", user, role, "5.1", FRAME.device.device_id, True, schedule=spec)
        state, _ = step(state, SubmitRequest(request))
    for at in sorted({due(s, state) for s in state.schedules.values()}):
        state, _ = step(state, AdvanceClock(at + 60))
    return state


def _supplier_deletes(state: State) -> Event:
    return SubmitRequest(ServiceRequest("D0", world.SUPPLIER, "IS", "5.3", FRAME.device.device_id, True))


def _verdicts(state: State, event: Event) -> tuple[State, Disagreement | None, set[str]]:
    """The model's step; whether it is a step of the encoding; the obligations
    whose Z3 form it falsifies."""
    post, outputs = step(state, event)
    alt = alt_of(state.profile)
    values = (abstract_state(FRAME, state), abstract_event(FRAME, event), abstract_state(FRAME, post),
              abstract_output(FRAME, state, outputs, False))  # fmt: skip
    problem = checker(FIRST, LAST).check(FRAME, alt, *values)
    false = ObligationEvaluator(FIRST, LAST).falsified(FRAME, alt, *values)
    return post, problem, false


@pytest.mark.req("C-6", "SCH-1", "SCH-2")
def test_removing_one_of_two_schedules_for_a_key_removes_its_cache() -> None:
    state = _both_schedules_ran()
    assert len(state.schedules) == 2 and abstract_state(FRAME, state)["c_on"]  # the entry is held
    post, problem, false = _verdicts(state, _supplier_deletes(state))
    assert [s.owner for s in post.schedules.values()] == [world.MDR_OUT]  # SCH-2: its own only
    assert not abstract_state(FRAME, post)["c_on"]  # C-6: gone though the MDRA's schedule remains
    assert problem is None and false == set()


@pytest.mark.req("C-6")
def test_a_model_keeping_the_cache_while_another_schedule_remains_is_caught() -> None:
    state = _both_schedules_ran()
    with PATCHES["cache-kept-while-scheduled"]():
        post, problem, false = _verdicts(state, _supplier_deletes(state))
    assert abstract_state(FRAME, post)["c_on"]  # the planted bug: the deleted schedule's entry stays
    assert problem is not None and problem.direction == "forward"  # not a step of the encoding
    assert false == {"cache-scope"}  # C-6, the Z3 form on the model's step
