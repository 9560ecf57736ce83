"""Device reloads, outside the encoding (its device is a rigid constant): the
argument of ``proofs/README.md`` rests on two facts of the model, shown here.
A reload changing the device's generation or kind drops its cache (so the
inductive invariant's parts naming the device hold of the state it leaves);
a reload changing only the commissioning day keeps the cache, and an entry
logged before the new commissioning day is then never answered."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from mhhs_sec.generate.synthetic_meter import SYNTHETIC
from mhhs_sec.model import LoadRegistration, Response, schedules, step, world
from mhhs_sec.model.clock import day_start
from mhhs_sec.model.entities import Appointment, Device, ReadLogPeriod, ScheduleSpec, ServiceRequest
from mhhs_sec.model.events import AdvanceClock, LoadDevice, SubmitRequest
from mhhs_sec.model.profile import Profile
from mhhs_sec.model.state import State
from mhhs_sec.proofs.concrete import Frame, day_number, setup
from mhhs_sec.proofs.runtime import Monitor, checking

DAY = dt.date(2025, 4, 2)
ONE = dt.timedelta(days=1)
FRAME = Frame("SMETS1", "ESME", dt.date(2025, 3, 15), dt.date(2025, 3, 15), "4.8.1", day_start(DAY, "uk") + 1800)


def _cached_day() -> State:
    """MDR_OUT schedules 4.8.1 from DAY + 1; its first run caches DAY."""
    efd = dt.date(2025, 4, 21)
    state, _ = setup(FRAME, Profile(), day_start(DAY - ONE, "uk") + 10 * 3600, day_number(efd - ONE), day_number(efd))
    spec = ScheduleSpec("4.8.1", DAY + ONE)
    device = FRAME.device.device_id
    state, _ = step(state, SubmitRequest(ServiceRequest("A", world.MDR_OUT, "MDR", "5.1", device, True, schedule=spec)))
    state, _ = step(state, AdvanceClock(day_start(DAY + ONE, "uk") + 8 * 3600))
    assert state.cache[(device, "4.8.1")].entries, "the run cached DAY"
    return state


def _reload(state: State, device: Device) -> State:
    reloaded, outputs = step(state, LoadDevice(device))
    assert outputs == ()
    return reloaded


@pytest.mark.req("C-2", "C-1")
def test_a_reload_changing_generation_or_kind_drops_the_devices_cache() -> None:
    state = _cached_day()
    for changed in (
        dataclasses.replace(FRAME.device, generation="SMETS2"),
        dataclasses.replace(FRAME.device, kind="GSME"),
    ):
        reloaded = _reload(state, changed)
        assert not any(slot.entries for key, slot in reloaded.cache.items() if key[0] == changed.device_id)
        assert reloaded.schedules == state.schedules  # kept: no invariant part on schedules names the device


@pytest.mark.req("C-7", "C-4")
def test_an_entry_logged_before_a_reloaded_commissioning_day_is_never_answered() -> None:
    state = _reload(_cached_day(), dataclasses.replace(FRAME.device, commissioned=DAY + ONE))
    device = FRAME.device.device_id
    assert state.cache[(device, "4.8.1")].entries, "the cache is kept"
    period = ReadLogPeriod(day_start(DAY, "uk"), day_start(DAY + ONE, "uk") - 1)
    _, outputs = step(state, SubmitRequest(ServiceRequest("B", world.MDR_OUT, "MDR", "4.8.1", device, True, period)))
    (response,) = outputs
    assert response.code == "I0" and response.entries == ()


CHANGE = dt.date(2025, 6, 12)  # MPAN_A's MDRA change in the standard world below


def _scheduled_on_mpan_b() -> State:
    """MDR_OUT, MPAN_A's outgoing MDRA, is also MPAN_B's MDRA and schedules a
    read of MPAN_B's ESME two days before MPAN_A's EFD."""
    state = world.standard_world(day_start(CHANGE - 2 * ONE, "uk") + 9 * 3600, CHANGE, source=SYNTHETIC)
    registration = state.registrations[world.MPAN_B]
    mdra = (Appointment(world.MDR_OUT, registration.mdras[0].efd),)
    state, _ = step(state, LoadRegistration(dataclasses.replace(registration, mdras=mdra)))
    spec = ScheduleSpec("4.8.1", state.today)
    create = ServiceRequest("A", world.MDR_OUT, "MDR", "5.1", world.DEVICES_B.s1_esme, True, schedule=spec)
    state, (created,) = step(state, SubmitRequest(create))
    assert created.code == "I0", "SCH-1: MPAN_B's MDRA may schedule its ESME"
    return state


def _moved_to_mpan_a(state: State) -> State:
    return _reload(state, dataclasses.replace(state.devices[world.DEVICES_B.s1_esme], mpan=world.MPAN_A))


@pytest.mark.req("SCH-3", "AC-3", "REG-4")
def test_a_schedule_whose_device_joins_the_mpan_after_the_efd_is_not_sch3s_and_ac3_decides_its_runs() -> None:
    # SCH-3 deletes the outgoing MDRA's schedules for the MPAN's devices when its
    # appointment ends; a device that joins the MPAN afterwards was not one of them.
    state = _scheduled_on_mpan_b()
    monitor = Monitor(strict=False)
    with checking(monitor):
        state, _ = step(state, AdvanceClock(day_start(CHANGE, "uk") + 3600))
        state = _moved_to_mpan_a(state)
        state, outputs = step(state, AdvanceClock(day_start(CHANGE + 2 * ONE, "uk") + 8 * 3600))
    assert len(state.schedules) == 1, "kept: not held on MPAN_A when its appointment ended"
    runs = {o.request_id: o.code for o in outputs if isinstance(o, Response)}
    # AC-3 on MPAN_A: the run on the EFD reads EFD - 1, still MDR_OUT's (SCH-9 default); later runs are refused
    assert runs == {"S1-2025-06-12": "I0", "S1-2025-06-13": "E4", "S1-2025-06-14": "E4"}, runs
    assert monitor.broken == [], monitor.broken


@pytest.mark.req("SCH-3")
def test_a_device_that_joined_before_the_efd_has_its_schedules_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The same schedule, its device moved to MPAN_A before the EFD: SCH-3 deletes
    # it at the EFD, and a model keeping it is caught by the runtime check.
    state = _moved_to_mpan_a(_scheduled_on_mpan_b())
    monkeypatch.setattr(schedules, "on_mdra_change", lambda state, mpan, outgoing, at: (state, ()))
    monitor = Monitor(strict=False)
    with checking(monitor):
        step(state, AdvanceClock(day_start(CHANGE, "uk") + 3600))
    assert any(name == "outgoing-schedules-end-at-efd" for name, _ in monitor.broken), monitor.broken
