"""Model bugs on the paths the proofs' abstraction leaves out (retries, held
reads, several schedules, cache hits, restricted devices, the SCH-3 alert),
each planted by patching the model (nothing in ``model/`` changes) and each
caught by the runtime checks of the proved invariants (``proofs/runtime.py``)
on a real run.

Every bug is first shown to break its property in that run (the outputs or
the cache say so, the reference model's same run does not), then shown to
raise :class:`~mhhs_sec.proofs.runtime.InvariantBroken` naming the invariant
under the checks, while the reference model's run passes them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import pytest
from mhhs_sec.model import (
    Appointment,
    ReadLogPeriod,
    Registration,
    Response,
    RestrictDevice,
    ScheduleSpec,
    SetDeviceComms,
    State,
    machine,
    schedules,
)
from mhhs_sec.model import LoadRegistration as Load
from mhhs_sec.model import cache as model_cache
from mhhs_sec.model.access import Accepted
from mhhs_sec.model.entities import ServiceRequest
from mhhs_sec.model.events import SubmitRequest
from mhhs_sec.model.execution import respond
from mhhs_sec.model.state import Pending, evolve
from mhhs_sec.model.world import MDR_IN, MDR_OUT, SUPPLIER, SUPPLIER_2
from mhhs_sec.proofs.faulty import restamping_hits
from mhhs_sec.proofs.obligations import OBLIGATIONS
from mhhs_sec.proofs.runtime import CHECKS, InvariantBroken, checking
from model_kit import DEVICES_A, FIRST, MPAN_A, ONE_DAY, Run, at, day_of, world

DAY = dt.date(2025, 6, 10)
LATER_CHANGE = dt.date(2025, 6, 20)  # the MDRA change the world starts with, well ahead
S1_ESME, S2_ESME = DEVICES_A.s1_esme, DEVICES_A.s2_esme
Story = Callable[[], Run]


@pytest.mark.req("REG-4", "C-5", "C-7", "C-6", "SCH-3")
def test_every_proved_invariant_has_runtime_checks() -> None:
    assert {o.name for o in OBLIGATIONS} == set(CHECKS)
    assert all(CHECKS[o.name] for o in OBLIGATIONS)


def whole_day(day: dt.date) -> ReadLogPeriod:
    return ReadLogPeriod(at(day, 0), at(day + ONE_DAY, 0) - 1)


def mdra_change_after(last_out: dt.date) -> Load:
    """MPAN_A's MDRA chain reloaded: MDR_OUT to ``last_out``, MDR_IN from the day after."""
    mdras = (Appointment(MDR_OUT, FIRST, last_out), Appointment(MDR_IN, last_out + ONE_DAY))
    return Load(Registration(MPAN_A, (Appointment(SUPPLIER, FIRST),), mdras))


def days_given(run: Run, user: str) -> set[dt.date]:
    """The settlement days of the entries a user has received."""
    return {day_of(e.timestamp) for r in run.responses() if r.user_id == user and r.code == "I0" for e in r.entries}


# ---- the planted bugs ------------------------------------------------------------


def _kept_decisions(retries: bool) -> contextlib.AbstractContextManager[Any]:
    """A read executed later keeps the access decision of its first attempt
    (``retries``) or of its submission (held work): never re-authorised."""
    kept: dict[str, Accepted] = {}
    execute, start_read = machine.execute, machine._start_read

    def start(state: State, request: ServiceRequest, at: int, decision: Accepted) -> Any:
        if not retries:
            kept[request.request_id] = decision
        return start_read(state, request, at, decision)

    def run(state: State, work: Pending, decided: Accepted | None = None) -> Any:
        key = work.request.request_id
        if decided is not None and retries:
            kept[key] = decided
        is_retry = work.retry_cutoff is not None
        if decided is None and key in kept and is_retry == retries:
            decided = kept[key]
        return execute(state, work, decided)

    stack = contextlib.ExitStack()
    stack.enter_context(mock.patch.object(machine, "execute", run))
    stack.enter_context(mock.patch.object(machine, "_start_read", start))
    return stack


def _drop_unless_scheduled(state: State, device_id: str, srv: str) -> State:
    # the cache stays while any other schedule for the device and SRV remains
    if any((s.device_id, s.srv) == (device_id, srv) for s in state.schedules.values()):
        return state
    return DROP(state, device_id, srv)


DROP = model_cache.drop


@contextlib.contextmanager
def _restricted_from_cache() -> Iterator[None]:
    """A restricted device's reads are answered from the cache before access control."""
    submit = machine._HANDLERS[SubmitRequest]

    def handler(state: State, event: SubmitRequest) -> Any:
        r = event.request
        held = model_cache.fresh(state, r.device_id, r.srv) if r.device_id in state.restrictions else {}
        if held and r.period is not None:
            hits = tuple(held[t].entry for t in sorted(held) if r.period.start <= t <= r.period.end)
            decision = Accepted(r.for_settlement is True, None, (), ())
            return state, (respond(state, r, state.now, "on-demand", decision, entries=hits),)
        return submit(state, event)

    with mock.patch.dict(machine._HANDLERS, {SubmitRequest: handler}):
        yield


@contextlib.contextmanager
def _silent_deletion() -> Iterator[None]:
    """SCH-3: the outgoing MDRA's schedules are deleted at the EFD, unalerted."""
    change = schedules.on_mdra_change

    def delete(state: State, mpan: str, outgoing: str, at: int) -> tuple[State, tuple[()]]:
        return change(state, mpan, outgoing, at)[0], ()

    with mock.patch.object(schedules, "on_mdra_change", delete):
        yield


@contextlib.contextmanager
def _restating_reapplies() -> Iterator[None]:
    """SCH-3: a load re-applies every MDRA change whose EFD has begun, those the
    MPAN already had included (deleting, with an alert, the schedules its
    outgoing MDRA created since, when appointed again)."""

    def load(state: State, event: Load) -> tuple[State, tuple[Any, ...]]:
        previous = state.registrations.get(event.registration.mpan)
        if previous is not None:
            state = evolve(state, registrations={**state.registrations, previous.mpan: _no_change(previous)})
        return machine._load_registration(state, event)

    with mock.patch.dict(machine._HANDLERS, {Load: load}):
        yield


def _no_change(registration: Registration) -> Registration:
    return Registration(registration.mpan, registration.suppliers, registration.mdras[:1])


# ---- the runs --------------------------------------------------------------------


def retried_across_the_change() -> Run:
    """REG-4: MDR_OUT's MHHS read of today finds the device offline and is
    retried; meanwhile a registration load makes today MDR_IN's EFD."""
    run = Run(world(at(DAY, 8), LATER_CHANGE))
    run.do(SetDeviceComms(S2_ESME, False))
    run.submit(MDR_OUT, "MDR", "4.8.1", S2_ESME, period=ReadLogPeriod(at(DAY, 0), at(DAY, 8) - 1))
    run.advance(at(DAY, 8, 30))
    run.do(mdra_change_after(DAY - ONE_DAY))
    run.do(SetDeviceComms(S2_ESME, True))
    run.advance(at(DAY, 9, 30))  # the retry at 09:00
    return run


def held_across_the_change() -> Run:
    """REG-4: MDR_OUT's read at 21:00 is held to the MDR window of tomorrow
    (I99); then a registration load makes tomorrow MDR_IN's EFD."""
    run = Run(world(at(DAY, 21), LATER_CHANGE))
    run.submit(MDR_OUT, "MDR", "4.8.1", S2_ESME, period=ReadLogPeriod(at(DAY, 0), at(DAY + ONE_DAY, 7) - 1))
    run.advance(at(DAY, 22))
    run.do(mdra_change_after(DAY))
    run.advance(at(DAY + ONE_DAY, 8))  # the held read executes at 07:00 on the EFD
    return run


def _supplier_schedule(run: Run) -> Response:
    produced = run.submit(SUPPLIER, "IS", "5.1", S1_ESME, schedule=ScheduleSpec("4.8.1", DAY + ONE_DAY), flag=False)
    assert isinstance(produced, Response) and produced.code == "I0"
    return produced


def second_schedule_kept_cache() -> Run:
    """C-6: two schedules for the SMETS1 ESME's 4.8.1 (the Supplier's, MDR_OUT's);
    both run; the Supplier deletes its own; MDR_OUT then reads the same day."""
    run = Run(world(at(DAY, 8), LATER_CHANGE))
    own = _supplier_schedule(run)
    run.submit(MDR_OUT, "MDR", "5.1", S1_ESME, schedule=ScheduleSpec("4.8.1", DAY + ONE_DAY))
    run.advance(at(DAY + ONE_DAY, 8))  # both run: 00:00 (DSP window), 07:00 (MDR window)
    run.submit(SUPPLIER, "IS", "5.3", S1_ESME, schedule_id=own.schedule_ids[0], flag=False)
    run.answer(MDR_OUT, "MDR", "4.8.1", S1_ESME, period=whole_day(DAY))
    return run


def served_after_a_restamping_hit() -> Run:
    """C-5: the Supplier's schedule reads DAY at 00:00 the next day (cached);
    the Supplier reads DAY at 20:00 (a cache hit) and again at 03:00 the day
    after: 27 h after the device was read."""
    run = Run(world(at(DAY, 23), LATER_CHANGE))
    _supplier_schedule(run)
    run.advance(at(DAY + ONE_DAY, 20))
    run.answer(SUPPLIER, "IS", "4.8.1", S1_ESME, period=whole_day(DAY), flag=False)
    run.advance(at(DAY + 2 * ONE_DAY, 3))
    run.answer(SUPPLIER, "IS", "4.8.1", S1_ESME, period=whole_day(DAY), flag=False)
    return run


def restricted_device_read_by_the_incoming_mdra() -> Run:
    """C-7, C-4: DAY is cached by the Supplier's schedule; the device is
    restricted (C-8); MDR_IN, appointed only from its EFD, asks for DAY."""
    run = Run(world(at(DAY, 23), LATER_CHANGE))
    _supplier_schedule(run)
    run.advance(at(DAY + ONE_DAY, 2))
    run.do(RestrictDevice(S1_ESME))
    run.answer(MDR_IN, "MDR", "4.8.1", S1_ESME, period=whole_day(DAY))
    return run


def schedule_across_the_change() -> Run:
    """SCH-3: MDR_OUT schedules 4.8.1 of the SMETS2 ESME; the clock passes MDR_IN's EFD."""
    run = Run(world(at(DAY, 8), DAY + 2 * ONE_DAY))
    run.submit(MDR_OUT, "MDR", "5.1", S2_ESME, schedule=ScheduleSpec("4.8.1", DAY + ONE_DAY))
    run.advance(at(DAY + 2 * ONE_DAY, 8))
    return run


def reappointed_outgoing_mdra() -> Run:
    """SCH-3: MDR_OUT schedules 4.8.1 of the SMETS2 ESME; a load makes DAY + 1
    MDR_IN's EFD and appoints MDR_OUT again from DAY + 3; the clock passes both
    EFDs; MDR_OUT schedules again; a Supplier change restates the MDRA chain."""
    mdras = (
        Appointment(MDR_OUT, FIRST, DAY),
        Appointment(MDR_IN, DAY + ONE_DAY, DAY + 2 * ONE_DAY),
        Appointment(MDR_OUT, DAY + 3 * ONE_DAY),
    )
    run = Run(world(at(DAY, 8), LATER_CHANGE))
    run.submit(MDR_OUT, "MDR", "5.1", S2_ESME, schedule=ScheduleSpec("4.8.1", DAY + ONE_DAY))
    run.do(Load(Registration(MPAN_A, (Appointment(SUPPLIER, FIRST),), mdras)))
    run.advance(at(DAY + 3 * ONE_DAY, 8))
    run.submit(MDR_OUT, "MDR", "5.1", S2_ESME, schedule=ScheduleSpec("4.8.1", DAY + 4 * ONE_DAY))
    suppliers = (Appointment(SUPPLIER, FIRST, DAY + 5 * ONE_DAY), Appointment(SUPPLIER_2, DAY + 6 * ONE_DAY))
    run.do(Load(Registration(MPAN_A, suppliers, mdras)))
    return run


# ---- each run breaks its property under its bug, and not on the reference --------


def _last(run: Run, user: str) -> Response:
    return [r for r in run.responses() if r.user_id == user][-1]


@pytest.mark.req("REG-4", "SCH-5", "AC-3")
def test_a_retry_not_reauthorised_gives_the_outgoing_mdra_the_efd_day() -> None:
    assert DAY not in days_given(retried_across_the_change(), MDR_OUT)
    with _kept_decisions(retries=True):
        assert DAY in days_given(retried_across_the_change(), MDR_OUT)  # REG-4 broken: DAY is MDR_IN's EFD


@pytest.mark.req("REG-4", "SCH-4", "AC-3")
def test_a_held_read_keeping_its_decision_gives_the_outgoing_mdra_the_efd_day() -> None:
    assert DAY + ONE_DAY not in days_given(held_across_the_change(), MDR_OUT)
    with _kept_decisions(retries=False):
        assert DAY + ONE_DAY in days_given(held_across_the_change(), MDR_OUT)


@pytest.mark.req("C-6")
def test_a_second_schedule_keeping_the_cache_serves_a_deleted_schedules_entries() -> None:
    assert _last(second_schedule_kept_cache(), MDR_OUT).device_read  # C-6: the cache went with the schedule
    with mock.patch.object(model_cache, "drop", _drop_unless_scheduled):
        answer = _last(second_schedule_kept_cache(), MDR_OUT)
    assert answer.code == "I0" and answer.entries and not answer.device_read  # served what the deleted one cached


@pytest.mark.req("C-5")
def test_a_restamping_hit_serves_an_entry_27_hours_after_the_device_read() -> None:
    device_read = at(DAY + ONE_DAY, 0)  # the schedule's run: the only device read of DAY
    assert _last(served_after_a_restamping_hit(), SUPPLIER).device_read  # expired at 25 h: read again
    with restamping_hits():
        answer = _last(served_after_a_restamping_hit(), SUPPLIER)
    assert answer.entries and not answer.device_read and answer.responded_at - device_read == 27 * 3600


@pytest.mark.req("C-7", "C-4", "C-8", "AC-3")
def test_a_restricted_device_answered_before_access_control_gives_a_refused_party_data() -> None:
    assert _last(restricted_device_read_by_the_incoming_mdra(), MDR_IN).code != "I0"  # AC-3: not yet appointed
    with _restricted_from_cache():
        answer = _last(restricted_device_read_by_the_incoming_mdra(), MDR_IN)
    assert answer.code == "I0" and answer.entries


@pytest.mark.req("SCH-3")
def test_a_silent_deletion_leaves_the_outgoing_mdra_unalerted() -> None:
    assert [a.recipient for a in schedule_across_the_change().alerts()] == [MDR_OUT]
    with _silent_deletion():
        run = schedule_across_the_change()
    assert not run.alerts() and not run.state.schedules  # deleted, and nobody told


@pytest.mark.req("SCH-3")
def test_an_mdra_change_takes_effect_once_and_a_restated_chain_deletes_nothing() -> None:
    # SCH-3: the schedule MDR_OUT held at MDR_IN's EFD is deleted then, with its
    # alert, although MDR_OUT is appointed again later; the one it creates once
    # appointed again survives a load that restates the chain.
    run = reappointed_outgoing_mdra()
    assert [(a.recipient, a.at) for a in run.alerts()] == [(MDR_OUT, at(DAY + ONE_DAY, 0))]
    assert [s.owner for s in run.state.schedules.values()] == [MDR_OUT]
    with _restating_reapplies():
        run = reappointed_outgoing_mdra()
    assert len(run.alerts()) == 2 and not run.state.schedules  # deleted again, with an alert


# ---- and the runtime checks catch each one -----------------------------------------

PLANTED: dict[str, tuple[Story, Callable[[], contextlib.AbstractContextManager[Any]], str]] = {
    "retry-not-reauthorised": (retried_across_the_change, lambda: _kept_decisions(True), "outgoing-mdra-no-data"),
    "held-read-keeps-decision": (held_across_the_change, lambda: _kept_decisions(False), "outgoing-mdra-no-data"),
    "second-schedule-keeps-cache": (second_schedule_kept_cache,
                                    lambda: mock.patch.object(model_cache, "drop", _drop_unless_scheduled),
                                    "cache-scope"),
    "cache-hit-restamps": (served_after_a_restamping_hit, restamping_hits, "cache-held-at-most-25h"),
    "deleted-unalerted": (schedule_across_the_change, _silent_deletion, "outgoing-schedules-end-at-efd"),
    "restated-change-reapplied": (reappointed_outgoing_mdra, _restating_reapplies, "outgoing-schedules-end-at-efd"),
    "restricted-device-cache-first": (restricted_device_read_by_the_incoming_mdra, _restricted_from_cache,
                                      "cache-never-bypasses-access"),
}  # fmt: skip


@pytest.mark.req("REG-4", "C-5", "C-6", "C-7", "C-4", "SCH-3")
@pytest.mark.parametrize("bug", sorted(PLANTED))
def test_the_runtime_checks_catch_the_planted_bug(bug: str) -> None:
    story, planted, invariant = PLANTED[bug]
    with checking() as monitor:
        story()  # the reference model passes every check on the same run
    assert monitor.steps > 0
    with planted(), checking(), pytest.raises(InvariantBroken) as broken:
        story()
    assert str(broken.value).startswith(invariant)


# ---- a schedule's last run re-reads what a sibling just cached (no bug) ------------


def last_run_after_a_sibling_cached() -> Run:
    """C-6, C-5: two Supplier schedules for the SMETS1 ESME's 4.8.1 run at the
    same 00:00: the open one (lower id) reads DAY from the device and caches it;
    the one-day one's last run ends it first, and with it (C-6) the cache, so it
    reads DAY from the device again and the open schedule keeps that fresh read."""
    run = Run(world(at(DAY, 8), LATER_CHANGE))
    _supplier_schedule(run)
    last = ScheduleSpec("4.8.1", DAY + ONE_DAY, DAY + ONE_DAY)
    run.submit(SUPPLIER, "IS", "5.1", S1_ESME, schedule=last, flag=False)
    run.advance(at(DAY + ONE_DAY, 1))
    return run


@pytest.mark.req("C-5", "C-6", "C-9")
def test_a_last_run_reading_after_its_cache_went_is_a_device_read() -> None:
    with checking() as monitor:
        run = last_run_after_a_sibling_cached()
    assert monitor.steps > 0
    first, last = [r for r in run.responses() if r.mode == "scheduled"]
    assert first.device_read and last.device_read and first.responded_at == last.responded_at
    assert first.entries == last.entries and {day_of(e.timestamp) for e in last.entries} == {DAY}
    slot = run.state.cache[(S1_ESME, "4.8.1")]  # the open schedule keeps the last run's read
    assert {c.retrieved_at for c in slot.entries.values()} == {last.responded_at}


@pytest.mark.req("SCH-1", "SCH-5", "C-6")
def test_a_last_run_ends_its_schedule_before_it_executes_and_is_retried() -> None:
    # Timing rule 5.6: the run on the end day removes the schedule first, then
    # executes like any other run; the device is off line, so it is retried
    # (SCH-5) and its retry is not removed with the schedule.
    run = Run(world(at(DAY, 8), LATER_CHANGE))
    run.submit(MDR_OUT, "MDR", "5.1", S2_ESME, schedule=ScheduleSpec("4.8.1", DAY + ONE_DAY, DAY + ONE_DAY))
    run.do(SetDeviceComms(S2_ESME, False))
    with checking():
        run.advance(at(DAY + ONE_DAY, 7, 30))
        assert not run.state.schedules and len(run.state.pending) == 1  # ended; its retry queued
        run.do(SetDeviceComms(S2_ESME, True))
        run.advance(at(DAY + ONE_DAY, 8, 30))
    answer = [r for r in run.responses() if r.mode == "scheduled"]
    assert [(r.code, r.responded_at) for r in answer] == [("I0", at(DAY + ONE_DAY, 8))]
    assert {day_of(e.timestamp) for e in answer[0].entries} == {DAY}
