"""Bad input: every validation path raises the typed error
naming the field and the requirement, and leaves the state exactly as it was
(registration, inventory, schedules, cache, queued work, audit trail, clock)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from mhhs_sec.model import (
    AdvanceClock,
    Appointment,
    ClockError,
    Device,
    Event,
    InvalidEvent,
    LoadDevice,
    LoadRegistration,
    MalformedValue,
    ReadLogPeriod,
    Registration,
    RegistrationConflict,
    RestrictDevice,
    ServiceRequest,
    SetDeviceComms,
    SetUser,
    State,
    SubmitRequest,
    UnknownReference,
    step,
)
from model_kit import (
    CHANGE,
    DEVICES_A,
    DEVICES_B,
    FIRST,
    MDR_IN,
    MDR_OUT,
    MPAN_A,
    ONE_DAY,
    SUPPLIER,
    TODAY,
    Run,
    at,
    schedule_spec,
    snapshot,
    whole_days,
    world,
)

S1 = DEVICES_A.s1_esme
NEW_MPAN = "1200000000099"


def _busy_state() -> State:
    """A state with something in every part: schedules, cache, queued work,
    a restriction, an unreachable device and an audit trail."""
    run = Run(world(at(TODAY, 6)))
    run.answer(MDR_IN, "MDR", "5.1", S1, schedule=schedule_spec("4.8.1", TODAY))
    run.advance(at(TODAY, 7, 30))  # the schedule has run: cache filled
    run.submit(MDR_IN, "MDR", "4.1.1", S1, execute_at=at(TODAY + ONE_DAY, 9))  # queued
    run.do(RestrictDevice(DEVICES_A.s2_esme))
    run.do(SetDeviceComms(DEVICES_B.s2_esme, False))
    state = run.state
    assert state.cache and state.pending and state.schedules and state.restrictions and state.offline
    return state


def _request(**changes: object) -> SubmitRequest:
    base = ServiceRequest("X1", MDR_IN, "MDR", "4.8.1", S1, True, whole_days(TODAY - ONE_DAY))
    return SubmitRequest(replace(base, **changes))


def _registration(suppliers: tuple[Appointment, ...] | None = None, mdras: tuple[Appointment, ...] = ()) -> Event:
    supplier = (Appointment(SUPPLIER, FIRST),) if suppliers is None else suppliers
    return LoadRegistration(Registration(MPAN_A, supplier, mdras))


def _device(**changes: object) -> LoadDevice:
    base = Device("00-DB-12-34-56-78-90-C1", MPAN_A, "SMETS1", "ESME", FIRST)
    return LoadDevice(replace(base, **changes))


A = Appointment
OUT_TO = CHANGE - ONE_DAY
# (case id, event, error type, field, requirement)
CASES: list[tuple[str, Event, type[InvalidEvent], str, str]] = [
    ("user-empty-id", SetUser("", frozenset({"IS"})), MalformedValue, "user_id", "REG-1"),
    ("user-unknown-role", SetUser("U", frozenset({"XX"})), MalformedValue, "roles", "REG-1"),
    ("user-no-role", SetUser("U", frozenset()), MalformedValue, "roles", "REG-1"),
    ("reg-bad-mpan", LoadRegistration(Registration("12AB", (A(SUPPLIER, FIRST),), (A(MDR_IN, FIRST),))),
     MalformedValue, "registration.mpan", "REG-2"),
    ("reg-no-supplier", _registration((), (A(MDR_IN, FIRST),)),
     RegistrationConflict, "registration.suppliers", "REG-5"),
    ("reg-no-mdra", _registration(None, ()), RegistrationConflict, "registration.mdras", "REG-5"),
    ("reg-empty-party", _registration(None, (A("", FIRST),)), MalformedValue, "registration.mdras[0].party", "REG-2"),
    ("reg-etd-before-efd", _registration(None, (A(MDR_OUT, FIRST, FIRST - ONE_DAY), A(MDR_IN, FIRST))),
     MalformedValue, "registration.mdras[0].etd", "REG-12"),
    ("reg-gap", _registration(None, (A(MDR_OUT, FIRST, OUT_TO), A(MDR_IN, CHANGE + ONE_DAY))),
     RegistrationConflict, "registration.mdras[1].efd", "REG-5"),
    ("reg-overlap", _registration(None, (A(MDR_OUT, FIRST, CHANGE), A(MDR_IN, CHANGE))),
     RegistrationConflict, "registration.mdras[1].efd", "REG-5"),
    ("reg-overlap-open", _registration(None, (A(MDR_OUT, FIRST), A(MDR_IN, CHANGE))),
     RegistrationConflict, "registration.mdras[1].efd", "REG-5"),
    ("reg-ends", _registration(None, (A(MDR_OUT, FIRST, OUT_TO),)), RegistrationConflict, "registration.mdras[0].etd",
     "REG-5"),
    ("device-bad-id", _device(device_id="00-db-12"), MalformedValue, "device.device_id", "INPUT"),
    ("device-bad-mpan", _device(mpan="1"), MalformedValue, "device.mpan", "REG-2"),
    ("device-unknown-mpan", _device(mpan=NEW_MPAN), UnknownReference, "device.mpan", "REG-2"),
    ("device-generation", _device(generation="SMETS3"), MalformedValue, "device.generation", "INPUT"),
    ("device-kind", _device(kind="HCALCS"), MalformedValue, "device.kind", "INPUT"),
    ("device-commissioned", _device(commissioned="2024-01-01"), MalformedValue, "device.commissioned", "INPUT"),
    ("clock-backwards", AdvanceClock(at(TODAY, 7)), ClockError, "to", "INPUT"),
    ("clock-not-int", AdvanceClock(float(at(TODAY, 9))), ClockError, "to", "INPUT"),
    ("restrict-malformed", RestrictDevice("nope"), MalformedValue, "device_id", "INPUT"),
    ("restrict-unknown", RestrictDevice("00-DB-12-34-56-78-90-FF"), UnknownReference, "device_id", "INPUT"),
    ("comms-unknown", SetDeviceComms("00-DB-12-34-56-78-90-FF", True), UnknownReference, "device_id", "INPUT"),
    ("req-empty-id", _request(request_id=""), MalformedValue, "request.request_id", "INPUT"),
    ("req-role", _request(role="MDRA"), MalformedValue, "request.role", "REG-1"),
    ("req-srv", _request(srv="4.99"), MalformedValue, "request.srv", "AC-1"),
    ("req-flag", _request(for_settlement="yes"), MalformedValue, "request.for_settlement", "FS-1"),
    ("req-device", _request(device_id="00DB12"), MalformedValue, "request.device_id", "INPUT"),
    ("req-no-period", _request(period=None), MalformedValue, "request.period", "INPUT"),
    ("req-extra-period", _request(srv="4.1.1"), MalformedValue, "request.period", "INPUT"),
    ("req-period-backwards", _request(period=ReadLogPeriod(at(TODAY, 1), at(TODAY, 0))),
     MalformedValue, "request.period.end", "INPUT"),
    ("req-future-non-device", _request(srv="8.2", period=None, execute_at=at(TODAY, 12)),
     MalformedValue, "request.execute_at", "INPUT"),
    ("req-future-in-past", _request(execute_at=at(TODAY, 1)), MalformedValue, "request.execute_at", "INPUT"),
    ("req-body-not-5.1", _request(schedule=schedule_spec("4.8.1", TODAY)), MalformedValue, "request.schedule", "SCH-1"),
    ("req-5.1-no-body", _request(srv="5.1", period=None), MalformedValue, "request.schedule", "SCH-1"),
    ("req-5.1-srv", _request(srv="5.1", period=None, schedule=schedule_spec("9.9", TODAY)),
     MalformedValue, "request.schedule.srv", "SCH-1"),
    ("req-5.1-past", _request(srv="5.1", period=None, schedule=schedule_spec("4.8.1", TODAY - ONE_DAY)),
     MalformedValue, "request.schedule.start_day", "SCH-1"),
    ("req-5.1-ends-first", _request(srv="5.1", period=None, schedule=schedule_spec("4.8.1", TODAY, TODAY - ONE_DAY)),
     MalformedValue, "request.schedule.end_day", "SCH-1"),
    ("req-5.3-bad-device", _request(srv="5.3", period=None, schedule_id=1, device_id="bad"),
     MalformedValue, "request.device_id", "INPUT"),
]  # fmt: skip


@pytest.fixture(scope="module")
def busy() -> State:
    return _busy_state()


@pytest.mark.req("REG-1", "REG-2", "REG-5", "REG-12", "AC-1", "FS-1", "SCH-1")
@pytest.mark.parametrize(("event", "error", "field", "requirement"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_event_typed_error_and_state_unchanged(
    busy: State, event: Event, error: type[InvalidEvent], field: str, requirement: str
) -> None:
    before = snapshot(busy)
    with pytest.raises(error) as caught:
        step(busy, event)
    assert caught.value.field == field
    assert caught.value.requirement == requirement
    assert field in str(caught.value) and f"[{requirement}]" in str(caught.value)
    assert snapshot(busy) == before


@pytest.mark.req("REG-5")
def test_refused_registration_leaves_honoured_days_intact(busy: State) -> None:
    """After a refused registration the old one still decides access (REG-5)."""
    bad = _registration(None, (A(MDR_OUT, FIRST, OUT_TO), A(MDR_IN, CHANGE + ONE_DAY)))
    with pytest.raises(RegistrationConflict):
        step(busy, bad)
    run = Run(busy)
    assert run.answer(MDR_IN, "MDR", "4.8.1", DEVICES_A.s2_esme, period=whole_days(CHANGE)).code == "I0"
