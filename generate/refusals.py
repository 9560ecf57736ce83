"""Refusals: one vector per refusal of invalid input that the adapter protocol
lists (docs/adapter-protocol.md, "The refusals") and both vector forms (JSON,
DUIS XML) can carry: the invalid event is
refused with its requirement (REG-1, REG-2, REG-5, REG-12, AC-1, SCH-1, INPUT)
and the state is kept, which the valid read that follows shows (the MDRA of
MPAN_A still reads; the clock, the user, the device and the registration are
as they were).  A fault that lets invalid input through changes one of
them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from mhhs_sec.model import (
    AdvanceClock,
    Appointment,
    Event,
    LoadDevice,
    LoadRegistration,
    ReadLogPeriod,
    RestrictDevice,
    ScheduleSpec,
    ServiceRequest,
    SetDeviceComms,
    SetUser,
    State,
    SubmitRequest,
)
from mhhs_sec.model.registration import ONE_DAY
from mhhs_sec.model.world import MPAN_A, SUPPLIER

from . import situations as sit
from .build import Case

Bad = Callable[[State], Event]
FIRST: dt.date = dt.date(2024, 1, 1)


def _registration(state: State, **changes: Any) -> Event:
    return LoadRegistration(replace(state.registrations[MPAN_A], **changes))


def _mdras(state: State) -> tuple[Appointment, ...]:
    return tuple(state.registrations[MPAN_A].mdras)


def _read(state: State, counter: int = 1, **changes: Any) -> ServiceRequest:
    device_id = sit.esme_or("SMETS2", "ESME")
    mdra = sit.sender(state, "MDR", device_id, state.today - ONE_DAY)
    return replace(sit.request(state, mdra, "MDR", "4.8.1", device_id, "true", counter), **changes)


def _schedule(state: State, spec: ScheduleSpec | None) -> Event:
    device_id = sit.esme_or("SMETS2", "ESME")
    request = sit.request(state, SUPPLIER, "IS", "5.1", device_id, "false", 7, schedule_srv="4.8.1")
    return SubmitRequest(replace(request, schedule=spec))


# (slug, the catalogue row the kept state protects, what is invalid, the invalid event)
REFUSALS: tuple[tuple[str, str, str, Bad], ...] = (
    ("registration-no-mdras", "REG-5", "no MDRA appointment (REG-5)", lambda s: _registration(s, mdras=())),
    ("registration-empty-party", "REG-2", "an empty party id (REG-2)",
     lambda s: _registration(s, mdras=(replace(_mdras(s)[0], party=""), *_mdras(s)[1:]))),
    ("registration-etd-before-efd", "REG-12", "an appointment ending before it starts (REG-12)",
     lambda s: _registration(s, mdras=(replace(_mdras(s)[0], etd=FIRST - 2 * ONE_DAY), *_mdras(s)[1:]))),
    ("registration-open-then-another", "REG-5", "an open-ended appointment followed by another (overlap, REG-5)",
     lambda s: _registration(s, mdras=(replace(_mdras(s)[0], etd=None), *_mdras(s)[1:]))),
    ("registration-last-ends", "REG-5", "the last appointment has an ETD (REG-5)",
     lambda s: _registration(s, mdras=(*_mdras(s)[:-1], replace(_mdras(s)[-1], etd=s.today + 30 * ONE_DAY)))),
    ("user-empty-id", "REG-1", "an empty user id (REG-1)", lambda s: SetUser("", frozenset({"IS"}))),
    ("user-no-roles", "REG-1", "a user with no role (REG-1)", lambda s: SetUser(sit.UNKNOWN_USER, frozenset())),
    ("device-id", "REG-2", "a device id that is not an EUI-64", lambda s: LoadDevice(replace(
        s.devices[sit.esme_or("SMETS2", "ESME")], device_id="00-DB-12"))),
    ("device-mpan-digits", "REG-2", "a device on an MPAN of 5 digits (REG-2)", lambda s: LoadDevice(replace(
        s.devices[sit.esme_or("SMETS2", "ESME")], mpan="12000"))),
    ("device-mpan-unregistered", "REG-2", "a device on an MPAN with no registration (REG-2)", lambda s: LoadDevice(
        replace(s.devices[sit.esme_or("SMETS2", "ESME")], mpan="1299999999999"))),
    ("clock-backwards", "SCH-4", "the clock moved back one second", lambda s: AdvanceClock(s.now - 1)),
    ("restrict-unknown", "C-8", "a restriction of a device not in the inventory",
     lambda s: RestrictDevice("00-DB-12-34-56-78-90-FF")),
    ("comms-unknown", "SCH-5", "communications of a device not in the inventory",
     lambda s: SetDeviceComms("00-DB-12-34-56-78-90-FF", False)),
    ("request-period-reversed", "AC-3", "a ReadLogPeriod ending before it starts",
     lambda s: SubmitRequest(_read(s, period=ReadLogPeriod(s.now - 3600, s.now - 7200)))),
    ("request-execute-in-past", "SCH-4", "a read future-dated one second in the past",
     lambda s: SubmitRequest(_read(s, execute_at=s.now - 1))),
    ("schedule-in-past", "SCH-1", "a schedule starting yesterday (SCH-1)",
     lambda s: _schedule(s, ScheduleSpec("4.8.1", s.today - ONE_DAY))),
    ("schedule-ends-before-start", "SCH-1", "a schedule ending before it starts (SCH-1)",
     lambda s: _schedule(s, ScheduleSpec("4.8.1", s.today + 2 * ONE_DAY, s.today + ONE_DAY))),
)  # fmt: skip


def _case(slug: str, requirement: str, what: str, bad: Bad) -> Case:
    state = sit.base()
    events = (bad(state), SubmitRequest(_read(state, 2)))
    return Case(
        f"refusal.{slug}",
        f"{what}: refused, and the state kept: the MDRA's read that follows is answered as before",
        (requirement,), state, events, ("response-code", "entries", "refusal"), ("refusal",),
        step_comments=(f"refused: {what}", "the state as it was"),
    )  # fmt: skip


def cases() -> list[Case]:
    return [_case(*refusal) for refusal in REFUSALS]
