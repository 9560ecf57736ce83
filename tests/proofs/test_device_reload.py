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
from mhhs_sec.model import step, world
from mhhs_sec.model.clock import day_start
from mhhs_sec.model.entities import Device, ReadLogPeriod, ScheduleSpec, ServiceRequest
from mhhs_sec.model.events import AdvanceClock, LoadDevice, SubmitRequest
from mhhs_sec.model.profile import Profile
from mhhs_sec.model.state import State
from mhhs_sec.proofs.concrete import Frame, day_number, setup

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
