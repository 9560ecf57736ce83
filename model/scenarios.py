"""Bundled scenarios: short stories over the standard world whose expected
outcomes are written from the catalogue, not from the model.  ``mhhs-sec
check`` runs them as the model's self-check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from .clock import DAY, HALF_HOUR, day_start, parse_instant
from .entities import ReadLogPeriod, ScheduleSpec, ServiceRequest
from .events import AdvanceClock, Event, SubmitRequest
from .machine import step
from .meter import DeviceLog, log_of
from .outputs import Acknowledgement, Alert, Output, Response
from .state import State, evolve
from .tables import SRVS
from .world import DEVICES_A, MDR_IN, MDR_OUT, NETWORK_OPERATOR, OTHER_USER, SUPPLIER, standard_world

CHANGE_DAY = dt.date(2025, 3, 30)  # the UK spring clock change: also a 46-period day


@dataclass(frozen=True)
class Expect:
    """What one output must show (only the fields given are checked)."""

    request_id: str
    code: str
    trt_s: int | None = None
    device_read: bool | None = None
    has_entries: bool | None = None


@dataclass(frozen=True)
class Scenario:
    name: str
    requirements: tuple[str, ...]
    start: str
    events: tuple[Event, ...]
    expected: tuple[Expect, ...]
    alerts: int = 0


def _read(rid: str, user: str, role: str, srv: str, device: str, start: str, end: str, flag: bool | None) -> Event:
    period = ReadLogPeriod(parse_instant(start), parse_instant(end))
    return SubmitRequest(ServiceRequest(rid, user, role, srv, device, flag, period))


def _at(text: str) -> Event:
    return AdvanceClock(parse_instant(text))


EFD_START = day_start(CHANGE_DAY)  # 2025-03-30T00:00:00Z (GMT until 01:00)

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "outgoing MDRA loses the EFD day",
        ("REG-3", "REG-4", "AC-3", "REG-6"),
        "2025-04-02T08:00:00Z",
        (
            # the last minute before the EFD is still the outgoing MDRA's
            _read(
                "a", MDR_OUT, "MDR", "4.8.1", DEVICES_A.s2_esme, "2025-03-29T00:00:00Z", "2025-03-29T23:59:00Z", True
            ),
            # a period ending at 00:00 of the EFD touches the incoming MDRA's day
            _read(
                "b", MDR_OUT, "MDR", "4.8.1", DEVICES_A.s2_esme, "2025-03-29T00:00:00Z", "2025-03-30T00:00:00Z", True
            ),
            _read("c", MDR_IN, "MDR", "4.8.1", DEVICES_A.s2_esme, "2025-03-30T00:00:00Z", "2025-03-30T23:30:00Z", True),
        ),
        (
            Expect("a", "I0", trt_s=86400, has_entries=True),
            Expect("b", "E4", has_entries=False),
            Expect("c", "I0", trt_s=86400, has_entries=True),
        ),
    ),
    Scenario(
        "ForSettlement flag rules",
        ("FS-2", "FS-4", "FS-5", "AC-5"),
        "2025-04-02T08:00:00Z",
        (
            _read("d", MDR_IN, "MDR", "4.8.1", DEVICES_A.s2_esme, "2025-04-01T00:00:00Z", "2025-04-01T23:30:00Z", None),
            _read(
                "e", OTHER_USER, "OU", "4.8.1", DEVICES_A.s2_esme, "2025-04-01T00:00:00Z", "2025-04-01T23:30:00Z", True
            ),
            _read(
                "f",
                NETWORK_OPERATOR,
                "ED",
                "4.8.1",
                DEVICES_A.s2_esme,
                "2025-04-01T00:00:00Z",
                "2025-04-01T23:30:00Z",
                True,
            ),
        ),
        (Expect("d", "MHHS-E1"), Expect("e", "MHHS-E2"), Expect("f", "MHHS-E2")),
    ),
    Scenario(
        "level playing field: a Supplier's MHHS read gets 24 h",
        ("TRT-1", "TRT-2", "TRT-5"),
        "2025-04-02T08:00:00Z",
        (
            _read(
                "g", SUPPLIER, "IS", "4.8.1", DEVICES_A.s2_esme, "2025-04-01T00:00:00Z", "2025-04-01T23:30:00Z", True
            ),
            _read(
                "h", SUPPLIER, "IS", "4.8.1", DEVICES_A.s2_esme, "2025-04-01T00:00:00Z", "2025-04-01T23:30:00Z", False
            ),
            _read(
                "i", SUPPLIER, "IS", "4.8.1", DEVICES_A.s1_esme, "2025-04-01T00:00:00Z", "2025-04-01T23:30:00Z", False
            ),
        ),
        (Expect("g", "I0", trt_s=86400), Expect("h", "I0", trt_s=5600), Expect("i", "I0", trt_s=16)),
    ),
    Scenario(
        "MDR window holds a late request until 07:00",
        ("SCH-4", "TRT-4"),
        "2025-04-02T20:30:00Z",
        (
            _read("j", MDR_IN, "MDR", "4.6.1", DEVICES_A.s2_esme, "2025-04-01T00:00:00Z", "2025-04-01T23:30:00Z", True),
            _at("2025-04-03T12:00:00Z"),
        ),
        (Expect("j", "I99"), Expect("j", "I0", trt_s=86400, has_entries=True)),
    ),
    Scenario(
        "S1SP cache serves within 25 h, then the device is read again",
        ("C-1", "C-2", "C-4", "C-5", "C-9", "C-11"),
        "2025-04-01T10:00:00Z",
        (
            SubmitRequest(
                ServiceRequest(
                    "k",
                    MDR_IN,
                    "MDR",
                    "5.1",
                    DEVICES_A.s1_esme,
                    True,
                    schedule=ScheduleSpec("4.8.1", dt.date(2025, 4, 2)),
                )
            ),
            _at("2025-04-02T06:00:00Z"),  # 07:00 BST: the MDR window opens, the schedule reads 1 April
            _at("2025-04-02T10:00:00Z"),
            _read(
                "m", SUPPLIER, "IS", "4.8.1", DEVICES_A.s1_esme, "2025-04-01T00:00:00Z", "2025-04-01T10:00:00Z", False
            ),
            _at("2025-04-03T06:59:59Z"),  # 25 h - 1 s after the 1 April entries were retrieved
            _read(
                "n", SUPPLIER, "IS", "4.8.1", DEVICES_A.s1_esme, "2025-04-01T00:00:00Z", "2025-04-01T10:00:00Z", False
            ),
            _at("2025-04-03T07:00:00Z"),  # exactly 25 h: expired under the default C-11 option
            _read(
                "q", SUPPLIER, "IS", "4.8.1", DEVICES_A.s1_esme, "2025-04-01T00:00:00Z", "2025-04-01T10:00:00Z", False
            ),
        ),
        (
            Expect("k", "I0"),
            Expect("S1-2025-04-02", "I0", device_read=True, has_entries=True),
            Expect("m", "I0", device_read=False, has_entries=True),
            Expect("S1-2025-04-03", "I0", device_read=True, has_entries=True),
            Expect("n", "I0", device_read=False, has_entries=True),
            Expect("q", "I0", device_read=True, has_entries=True),
        ),
    ),
    Scenario(
        "outgoing MDRA's schedule is deleted at the EFD with an alert",
        ("SCH-3", "C-6"),
        "2025-03-28T10:00:00Z",
        (
            SubmitRequest(
                ServiceRequest(
                    "p",
                    MDR_OUT,
                    "MDR",
                    "5.1",
                    DEVICES_A.s1_esme,
                    True,
                    schedule=ScheduleSpec("4.6.1", dt.date(2025, 3, 29)),
                )
            ),
            _at("2025-03-31T12:00:00Z"),
        ),
        (Expect("p", "I0"), Expect("S1-2025-03-29", "I0", has_entries=True)),
        alerts=1,
    ),
)


# What MPAN_A's devices log over the scenarios' days (every SRV on its
# cadence, one Wh a half-hour), so that a read that may disclose data does.
_LOGGED_FROM, _LOGGED_DAYS = day_start(dt.date(2025, 3, 20), "utc"), 20
_INTERVAL = {"daily": DAY, "half-hour": HALF_HOUR, "instant": HALF_HOUR}


@cache
def _device_data() -> Mapping[tuple[str, str], DeviceLog]:
    data = {}
    for device_id in DEVICES_A.all():
        for srv, spec in SRVS.items():
            interval = _INTERVAL.get(spec.cadence)
            if interval is not None:
                values = [1 + i for i in range(_LOGGED_DAYS * DAY // interval)]
                data[(device_id, srv)] = log_of([(_LOGGED_FROM, interval, values)])
    return MappingProxyType(data)


def run(scenario: Scenario) -> list[str]:
    """The differences between a scenario's expectations and the model's outputs."""
    state: State = standard_world(parse_instant(scenario.start), CHANGE_DAY)
    state = evolve(state, device_data=_device_data())
    outputs: list[Output] = []
    for event in scenario.events:
        state, produced = step(state, event)
        outputs.extend(produced)
    answers = [o for o in outputs if isinstance(o, Response | Acknowledgement)]
    problems = _compare(scenario.expected, answers)
    alerts = sum(isinstance(o, Alert) for o in outputs)
    if alerts != scenario.alerts:
        problems.append(f"expected {scenario.alerts} alert(s), got {alerts}")
    return problems


def _compare(expected: tuple[Expect, ...], answers: list[Response | Acknowledgement]) -> list[str]:
    if len(expected) != len(answers):
        seen = [(a.request_id, a.code) for a in answers]
        return [f"expected {len(expected)} answers, got {len(answers)}: {seen}"]
    problems = []
    for want, answer in zip(expected, answers, strict=True):
        for name, wanted, actual in _observed(want, answer):
            if wanted is not None and actual != wanted:
                problems.append(f"{want.request_id}: {name} expected {wanted!r}, got {actual!r}")
    return problems


def _observed(want: Expect, answer: Response | Acknowledgement) -> list[tuple[str, object, object]]:
    """(field, expected, actual) for every field an Expect can name."""
    response = answer if isinstance(answer, Response) else None
    return [
        ("request_id", want.request_id, answer.request_id),
        ("code", want.code, answer.code),
        ("trt_s", want.trt_s, response.trt_s if response else None),
        ("device_read", want.device_read, response.device_read if response else None),
        ("has_entries", want.has_entries, bool(response.entries) if response else False),
    ]
