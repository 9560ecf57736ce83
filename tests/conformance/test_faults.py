"""Item 6: every seeded faulty implementation is a real fault.

For each fault a short scenario on the standard world shows (a) the reference
giving the outcome the catalogue statement requires and (b) the faulty
implementation giving an observably different answer.  Whether the committed
vectors catch each fault is the self-check's job (``test_selfcheck.py``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from mhhs_sec.conformance import EventRejected
from mhhs_sec.conformance.adapters import open_adapter
from mhhs_sec.conformance.faults import FAULTS, FAULTS_BY_NAME, installed
from mhhs_sec.generate.build import run_case
from mhhs_sec.generate.device_data import with_device_data
from mhhs_sec.generate.synthetic_meter import SYNTHETIC
from mhhs_sec.model import ReadLogPeriod, ScheduleSpec, ServiceRequest, step
from mhhs_sec.model.clock import day_start, format_instant, parse_instant
from mhhs_sec.model.events import (
    AdvanceClock,
    Event,
    ReadAuditTrail,
    RestrictDevice,
    SetDeviceComms,
    SubmitRequest,
)
from mhhs_sec.model.world import DEVICES_A, MDR_IN, MDR_OUT, SUPPLIER, standard_world
from mhhs_sec.vectors import OBSERVABLES, compare
from mhhs_sec.vectors.jsonform import encode_event, encode_state

EFD = dt.date(2025, 6, 10)  # MDR_OUT -> MDR_IN on MPAN_A (BST: local 00:00 is 23:00Z the day before)
DAY = dt.timedelta(days=1)
HOUR = 3600
S1, S2, GAS = DEVICES_A.s1_esme, DEVICES_A.s2_esme, DEVICES_A.s1_gsme


def local(day: dt.date, hour: float = 0) -> int:
    """An instant at a local (Europe/London) wall-clock hour of a settlement day."""
    return day_start(day) + int(hour * HOUR)


def day_period(day: dt.date, hours: float = 0.5) -> ReadLogPeriod:
    return ReadLogPeriod(local(day), local(day, hours))


_counter = iter(range(1, 10**6))


def read(user: str, srv: str, device: str, *, role: str = "MDR", flag: bool | None = True, **extra: Any) -> Event:
    return SubmitRequest(ServiceRequest(f"r{next(_counter)}", user, role, srv, device, flag, **extra))


def schedule(user: str, srv: str, device: str, start: dt.date, *, role: str = "MDR", flag: bool | None = True) -> Event:
    return read(user, "5.1", device, role=role, flag=flag, schedule=ScheduleSpec(srv, start))


def at(instant: int) -> Event:
    return AdvanceClock(instant)


@dataclass(frozen=True)
class Scenario:
    """Start instant, events, and the catalogue's outcome for the reference's
    outputs of the last step."""

    start: int
    events: tuple[Event, ...]
    reference_ok: Callable[[list[dict[str, Any]]], bool]


def code(expected: str) -> Callable[[list[dict[str, Any]]], bool]:
    return lambda outputs: [o["code"] for o in outputs if o["type"] == "response"] == [expected]


def field(name: str, expected: Any) -> Callable[[list[dict[str, Any]]], bool]:
    return lambda outputs: [o.get(name) for o in outputs if o["type"] == "response"] == [expected]


_CACHED = (schedule(MDR_IN, "4.8.1", S1, EFD + DAY), at(local(EFD + DAY, 7)))  # first run caches EFD's data

SCENARIOS: dict[str, Scenario] = {
    # C-5: 25 h after retrieval the entry is gone: the device is read again.
    "cache-kept-26h": Scenario(
        local(EFD, 9), (*_CACHED, at(local(EFD + DAY, 7) + 25 * HOUR + 1800),
                        read(MDR_IN, "4.8.1", S1, period=day_period(EFD))), field("device_read", True)),
    # REG-4: the outgoing MDRA cannot read the incoming EFD.
    "efd-compared-inclusive": Scenario(local(EFD, 9), (read(MDR_OUT, "4.8.1", S1, period=day_period(EFD)),),
                                       code("E4")),
    # C-7: cached data only for parties access control lets through.
    "cache-before-access-control": Scenario(
        local(EFD, 9), (*_CACHED, read(MDR_OUT, "4.8.1", S1, period=day_period(EFD))), code("E4")),
    # REG-8: the settlement day starts at 00:00 UK time (23:00Z in summer).
    "utc-settlement-day": Scenario(local(EFD, 9), (read(MDR_IN, "4.8.1", S1, period=day_period(EFD)),), code("I0")),
    # TRT-2: a Supplier's MHHS read gets the 24 h TRT like an MDR's.
    "supplier-mhhs-existing-trt": Scenario(
        local(EFD, 9), (read(SUPPLIER, "4.8.1", S2, role="IS", period=day_period(EFD)),), field("trt_s", 86400)),
    # AC-6: MDR 4.1.1 is for SMETS1 only.
    "mdr-4.1.1-on-smets2": Scenario(local(EFD, 9), (read(MDR_IN, "4.1.1", S2),), code("E11")),
    # FS-2: an MDR request without ForSettlement = true is rejected (FS-5 default).
    "flag-not-checked": Scenario(local(EFD, 9), (read(MDR_IN, "4.8.1", S1, flag=False, period=day_period(EFD)),),
                                 code("MHHS-E1")),
    # SCH-3: at the incoming EFD the outgoing MDRA's schedule goes, with an alert.
    "schedules-kept-after-efd": Scenario(
        local(EFD - 2 * DAY, 9), (schedule(MDR_OUT, "4.8.1", S1, EFD - DAY), at(local(EFD, 1))),
        lambda outputs: [(o["type"], o.get("recipient")) for o in outputs if o["type"] == "alert"]
        == [("alert", MDR_OUT)]),
    # C-1: 4.8.2 is never cached: a second read asks the device again.
    "cache-4.8.2": Scenario(
        local(EFD, 9), (schedule(SUPPLIER, "4.8.2", S1, EFD + DAY, role="IS", flag=None), at(local(EFD + DAY, 8)),
                        read(SUPPLIER, "4.8.2", S1, role="IS", flag=None, period=day_period(EFD))),
        field("device_read", True)),
    # C-2: never for SMETS2.
    "cache-smets2": Scenario(
        local(EFD, 9), (schedule(SUPPLIER, "4.8.1", S2, EFD + DAY, role="IS", flag=None), at(local(EFD + DAY, 8)),
                        read(SUPPLIER, "4.8.1", S2, role="IS", flag=None, period=day_period(EFD))),
        field("device_read", True)),
    # C-8: after the restriction a 4.8.1 response holds only later entries.
    "restriction-ignored": Scenario(
        local(EFD, 9), (RestrictDevice(S1), read(MDR_IN, "4.8.1", S1, period=day_period(EFD))), field("entries", [])),
    # SCH-5: retries stop before the next day's DSP window opens at midnight.
    "retry-past-midnight": Scenario(
        local(EFD, 22), (SetDeviceComms(S2, False), read(SUPPLIER, "4.8.1", S2, role="IS", period=day_period(EFD)),
                         at(local(EFD + DAY, 7))),
        lambda outputs: [o["responded_at"] for o in outputs] == [format_instant(local(EFD, 23))]),
    # C-6: the cache goes with the schedule: after 5.3 the device is read again.
    "cache-outlives-schedule": Scenario(
        local(EFD, 9), (*_CACHED, read(MDR_IN, "5.3", S1, schedule_id=1),
                        read(MDR_IN, "4.8.1", S1, period=day_period(EFD))), field("device_read", True)),
    # SCH-4: an MDR request outside the MDR window is held (I99) until it opens.
    "mdr-window-ignored": Scenario(
        local(EFD, 21), (read(MDR_IN, "4.8.1", S1, period=day_period(EFD)),),
        lambda outputs: [(o["type"], o["code"]) for o in outputs] == [("acknowledgement", "I99")]),
    # AC-4 (default): a period partly outside the sender's appointment is rejected whole.
    "partial-period-answered": Scenario(
        local(EFD, 9), (read(MDR_OUT, "4.8.1", S1, period=ReadLogPeriod(local(EFD, -1), local(EFD, 0.5))),),
        code("E4")),
    # AUD-2: a user reads only its own records.
    "audit-shows-everyone": Scenario(
        local(EFD, 9), (read(MDR_IN, "4.8.1", S1, period=day_period(EFD)),
                        read(SUPPLIER, "4.8.1", S2, role="IS", period=day_period(EFD)), ReadAuditTrail(MDR_IN)),
        lambda outputs: {r["user_id"] for r in outputs[0]["records"]} == {MDR_IN}),
    # TRT-3: 8.2 has a 30 s TRT for every device generation.
    "inventory-smets1-16s": Scenario(local(EFD, 9), (read(MDR_IN, "8.2", S1),), field("trt_s", 30)),
    # AC-1: an MDR may not send 4.8.2.
    "mdr-supplier-matrix": Scenario(local(EFD, 9), (read(MDR_IN, "4.8.2", S1, period=day_period(EFD)),),
                                    code("E2")),
    # AC-7: MDR requests target ESME only.
    "mdr-gas-meter": Scenario(local(EFD, 9), (read(MDR_IN, "4.6.1", GAS, period=day_period(EFD)),), code("E11")),
    # AC-8: 4.6.2 is N/A for SMETS1.
    "smets1-na-served": Scenario(local(EFD, 9), (read(MDR_IN, "4.6.2", S1, period=day_period(EFD)),), code("E11")),
    # C-12: an entry never retrieved is cached, though older than one retrieved before.
    "cache-after-latest-only": Scenario(
        local(EFD, 9), (schedule(SUPPLIER, "4.8.1", S1, EFD, role="IS", flag=None),
                        read(SUPPLIER, "4.8.1", S1, role="IS", flag=None, period=day_period(EFD - 2 * DAY)),
                        read(SUPPLIER, "4.8.1", S1, role="IS", flag=None, period=day_period(EFD - 4 * DAY)),
                        read(SUPPLIER, "4.8.1", S1, role="IS", flag=None, period=day_period(EFD - 4 * DAY))),
        field("device_read", False)),
    # C-13: a schedule is active from its start date: nothing is cached before it.
    "schedule-active-from-creation": Scenario(
        local(EFD, 9), (schedule(SUPPLIER, "4.8.1", S1, EFD + 2 * DAY, role="IS", flag=None),
                        read(SUPPLIER, "4.8.1", S1, role="IS", flag=None, period=day_period(EFD - 3 * DAY)),
                        read(SUPPLIER, "4.8.1", S1, role="IS", flag=None, period=day_period(EFD - 3 * DAY))),
        field("device_read", True)),
    # SCH-8: an MDR 5.1 after the MDR window closes is answered at once.
    "mdr-schedule-requests-held": Scenario(local(EFD, 21), (schedule(MDR_IN, "4.8.1", S1, EFD + 3 * DAY),),
                                           code("I0")),
    # SCH-9: the outgoing MDRA's run on the EFD reads the day before, still its own: answered.
    "run-day-targeted": Scenario(local(EFD, 5), (schedule(MDR_OUT, "4.8.1", S1, EFD), at(local(EFD, 8))), code("I0")),
    # AUD-3: the extract holds the user's request and the response to it.
    "audit-without-requests": Scenario(
        local(EFD, 9), (read(MDR_IN, "4.8.1", S1, period=day_period(EFD)), ReadAuditTrail(MDR_IN)),
        lambda outputs: [r["kind"] for r in outputs[0]["records"]] == ["request", "response"]),
    # SCH-2: a user reads only its own schedules.
    "other-users-schedules": Scenario(
        local(EFD, 9), (schedule(SUPPLIER, "4.8.1", S1, EFD + DAY, role="IS", flag=None),
                        read(MDR_IN, "5.2", S1, schedule_id=1)), code("MHHS-E8")),
}  # fmt: skip


def _initial(scenario: Scenario) -> dict[str, Any]:
    """The scenario's initial state carrying the device data it reaches (as a vector's does)."""
    state = standard_world(scenario.start, EFD, source=SYNTHETIC)
    return encode_state(with_device_data(state, scenario.events, run_case(state, scenario.events)))


def _play(spec: str, scenario: Scenario) -> list[list[dict[str, Any]]]:
    adapter = open_adapter(spec)
    adapter.reset(_initial(scenario))
    return [adapter.step(encode_event(event)) for event in scenario.events]


def _overlapping_device_data() -> dict[str, Any]:
    """A scenario's initial state whose device data logs one timestamp twice: a
    second run starting on the first one's last timestamp, with another value."""
    state = _initial(SCENARIOS["restriction-ignored"])
    first = state["device_data"][0]
    last = parse_instant(first["start"]) + first["interval_s"] * (len(first["values"]) - 1)
    second = first | {"start": format_instant(last), "values": [first["values"][-1] + 1]}
    return state | {"device_data": [first, second, *state["device_data"][1:]]}


# Faults of what a reset accepts: the damaged initial state the reference refuses.
RESET_SCENARIOS: dict[str, Callable[[], dict[str, Any]]] = {
    # C-10: device data logging one timestamp twice is invalid input: the reset is refused.
    "device-data-overlap-accepted": _overlapping_device_data,
}


def test_every_fault_has_a_scenario() -> None:
    assert set(SCENARIOS) | set(RESET_SCENARIOS) == set(FAULTS_BY_NAME)
    assert len(FAULTS) >= 12
    # the markers of test_fault_changes_an_observable and test_reset_fault_accepts_a_refused_initial_state
    # cite every requirement a fault breaks
    cited = {"C-1", "C-2", "C-5", "C-6", "C-7", "C-8", "C-10", "C-12", "C-13", "REG-4", "REG-8", "TRT-2", "TRT-3",
             "AC-1", "AC-4", "AC-6", "AC-7", "AC-8", "FS-2", "SCH-2", "SCH-3", "SCH-4", "SCH-5", "SCH-8", "SCH-9",
             "AUD-2", "AUD-3"}  # fmt: skip
    primary = {fault.requirements[0] for fault in FAULTS}
    assert primary <= cited


@pytest.mark.req("C-10")
@pytest.mark.parametrize("name", sorted(RESET_SCENARIOS))
def test_reset_fault_accepts_a_refused_initial_state(name: str) -> None:
    state = RESET_SCENARIOS[name]()
    with pytest.raises(EventRejected):
        open_adapter("reference").reset(state)
    open_adapter(f"fault:{name}").reset(state)  # accepted: no refusal


@pytest.mark.req("C-1", "C-2", "C-5", "C-6", "C-7", "C-8", "C-12", "C-13", "REG-4", "REG-8", "TRT-2", "TRT-3",
                 "AC-1", "AC-4", "AC-6", "AC-7", "AC-8", "FS-2", "SCH-2", "SCH-3", "SCH-4", "SCH-5", "SCH-8",
                 "SCH-9", "AUD-2", "AUD-3")  # fmt: skip
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_fault_changes_an_observable(name: str) -> None:
    scenario = SCENARIOS[name]
    reference = _play("reference", scenario)
    assert scenario.reference_ok(reference[-1]), (name, reference[-1])
    faulty = _play(f"fault:{name}", scenario)
    differences = [d for e, a in zip(reference, faulty, strict=True) for d in compare(e, a, list(OBSERVABLES))]
    assert differences, f"fault {name} is not observable in its scenario"


def test_fault_patch_is_removed_after_each_call() -> None:
    """A faulty call never leaks into the reference (same process)."""
    from mhhs_sec.model import cache

    original = cache.is_fresh
    with installed(FAULTS_BY_NAME["cache-kept-26h"]):
        assert cache.is_fresh is not original
    assert cache.is_fresh is original
    state = standard_world(local(EFD, 9), EFD, source=SYNTHETIC)
    scenario = SCENARIOS["cache-kept-26h"]
    _play("fault:cache-kept-26h", scenario)
    for event in scenario.events:  # the model itself still expires at 25 h (C-5)
        state, outputs = step(state, event)
    assert [o.device_read for o in outputs] == [True]


def test_protocol_document_lists_every_fault() -> None:
    from pathlib import Path

    document = Path(__file__).resolve().parents[2] / "docs" / "adapter-protocol.md"
    if not document.is_file():
        pytest.skip("docs/adapter-protocol.md not in this checkout")
    text = document.read_text(encoding="utf-8")
    assert all(f"`{fault.name}`" in text for fault in FAULTS)
