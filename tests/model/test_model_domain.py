"""The model's input domain (docs/adapter-protocol.md, "The model's input
domain"): dates from 1970-01-01 to 2099-12-31, instants from
1970-01-01T00:00:00Z to 2100-01-01T00:00:00Z, a ReadLogPeriod of at most 366
days, one clock advance of at most 366 days making at most 2,000 schedule run
days, an initial state's schedule at most 7 days overdue.  Outside it every
event is refused with a typed error naming the field and the limit, the
state left as it was; extreme dates never crash the model."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
from mhhs_sec.model import (
    AdvanceClock,
    Appointment,
    Device,
    Event,
    InvalidEvent,
    LoadDevice,
    LoadRegistration,
    OutOfDomain,
    ReadLogPeriod,
    Registration,
    RegistrationConflict,
    ServiceRequest,
    State,
    SubmitRequest,
    step,
)
from mhhs_sec.model.codec import decode_state
from mhhs_sec.vectors.jsonform import encode_state
from model_kit import (
    CHANGE,
    DEVICES_A,
    FIRST,
    MDR_IN,
    MPAN_A,
    MPAN_B,
    ONE_DAY,
    SUPPLIER,
    SUPPLIER_2,
    TODAY,
    Run,
    at,
    schedule_spec,
    snapshot,
    whole_days,
    world,
)

S1 = DEVICES_A.s1_esme
# The documented limits, written out as the protocol document states them.
FIRST_DAY, LAST_DAY = dt.date(1970, 1, 1), dt.date(2099, 12, 31)
FIRST_INSTANT = int(dt.datetime(1970, 1, 1, tzinfo=dt.UTC).timestamp())
LAST_INSTANT = int(dt.datetime(2100, 1, 1, tzinfo=dt.UTC).timestamp())
YEAR_AND_A_DAY = 366 * 86400


def _state(**options: Any) -> State:
    return world(at(TODAY, 8), **options)


def _read(period: ReadLogPeriod, **changes: Any) -> SubmitRequest:
    base = ServiceRequest("X1", MDR_IN, "MDR", "4.8.1", S1, True, period)
    return SubmitRequest(replace(base, **changes))


def _suppliers(*appointments: Appointment) -> LoadRegistration:
    mdras = (Appointment(MDR_IN, FIRST),)
    return LoadRegistration(Registration(MPAN_B, appointments, mdras))


def _refused(state: State, event: Event) -> InvalidEvent:
    before = snapshot(state)
    with pytest.raises(InvalidEvent) as caught:
        step(state, event)
    assert snapshot(state) == before
    return caught.value


# (case id, event, profile options, error type, field, requirement, limit named in the message)
CASES: list[tuple[str, Event, dict[str, Any], type[InvalidEvent], str, str, str]] = [
    ("period-from-year-1", _read(ReadLogPeriod(int(dt.datetime(1, 1, 1, tzinfo=dt.UTC).timestamp()), at(TODAY, 1))),
     {}, OutOfDomain, "request.period.start", "INPUT", "1970-01-01T00:00:00Z"),
    ("period-to-2100", _read(ReadLogPeriod(at(TODAY, 1), LAST_INSTANT + 1)),
     {}, OutOfDomain, "request.period.end", "INPUT", "2100-01-01T00:00:00Z"),
    ("period-50-years", _read(whole_days(CHANGE - 50 * 365 * ONE_DAY, CHANGE)),
     {}, OutOfDomain, "request.period.end", "INPUT", "366 days"),
    ("period-a-year-and-a-second", _read(ReadLogPeriod(at(TODAY, 1), at(TODAY, 1) + YEAR_AND_A_DAY + 1)),
     {}, OutOfDomain, "request.period.end", "INPUT", "366 days"),
    ("execute-at-9999", _read(whole_days(TODAY - ONE_DAY),
                              execute_at=int(dt.datetime(9999, 12, 31, tzinfo=dt.UTC).timestamp())),
     {}, OutOfDomain, "request.execute_at", "INPUT", "2100-01-01T00:00:00Z"),
    ("advance-to-9999-offset", AdvanceClock(int(dt.datetime.fromisoformat("9999-12-31T23:59:59-01:00").timestamp())),
     {}, OutOfDomain, "to", "INPUT", "2100-01-01T00:00:00Z"),
    ("advance-100-years", AdvanceClock(at(TODAY.replace(year=2125), 8)), {}, OutOfDomain, "to", "INPUT", "2100"),
    ("advance-a-year-and-a-second", AdvanceClock(at(TODAY, 8) + YEAR_AND_A_DAY + 1),
     {}, OutOfDomain, "to", "INPUT", "366 days"),
    ("etd-year-1-exclusive", _suppliers(Appointment(SUPPLIER, dt.date(1, 1, 1), dt.date(1, 1, 1)),
                                        Appointment(SUPPLIER_2, dt.date(1, 1, 1))),
     {"etd": "exclusive"}, InvalidEvent, "registration.suppliers[0].etd", "REG-12", "ETD"),
    ("efd-year-1-exclusive", _suppliers(Appointment(SUPPLIER, dt.date(1, 1, 1), dt.date(1, 1, 2)),
                                        Appointment(SUPPLIER_2, dt.date(1, 1, 2))),
     {"etd": "exclusive"}, OutOfDomain, "registration.suppliers[0].efd", "INPUT", "1970-01-01"),
    ("etd-9999-then-another", _suppliers(Appointment(SUPPLIER, FIRST, dt.date(9999, 12, 31)),
                                         Appointment(SUPPLIER_2, CHANGE)),
     {}, RegistrationConflict, "registration.suppliers[1].efd", "REG-5", "overlap"),
    ("etd-9999-then-9999", _suppliers(Appointment(SUPPLIER, FIRST, dt.date(9999, 12, 30)),
                                      Appointment(SUPPLIER_2, dt.date(9999, 12, 31))),
     {}, OutOfDomain, "registration.suppliers[0].etd", "INPUT", "2099-12-31"),
    ("commissioned-year-1", LoadDevice(Device("00-DB-12-34-56-78-90-C1", MPAN_A, "SMETS2", "ESME", dt.date(1, 1, 1))),
     {}, OutOfDomain, "device.commissioned", "INPUT", "1970-01-01"),
    ("schedule-start-9999", _read(None, srv="5.1", schedule=schedule_spec("4.8.1", dt.date(9999, 12, 31))),
     {}, OutOfDomain, "request.schedule.start_day", "INPUT", "2099-12-31"),
    ("schedule-end-9999", _read(None, srv="5.1", schedule=schedule_spec("4.8.1", TODAY, dt.date(9999, 12, 31))),
     {}, OutOfDomain, "request.schedule.end_day", "INPUT", "2099-12-31"),
]  # fmt: skip


@pytest.mark.req("REG-5", "REG-12", "SCH-1")
@pytest.mark.parametrize(
    ("event", "options", "error", "field", "requirement", "limit"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_outside_the_domain_typed_refusal_naming_field_and_limit(
    event: Event, options: dict[str, Any], error: type[InvalidEvent], field: str, requirement: str, limit: str
) -> None:
    refused = _refused(_state(**options), event)
    assert isinstance(refused, error)
    assert (refused.field, refused.requirement) == (field, requirement)
    assert limit in refused.message


@pytest.mark.req("SCH-1")
def test_the_domain_ends_are_accepted() -> None:
    """The last instant, the last day and a period of exactly 366 days are
    inside the domain (a boundary is refused only past it)."""
    run = Run(_state())
    run.do(_suppliers(Appointment(SUPPLIER, FIRST, LAST_DAY - ONE_DAY), Appointment(SUPPLIER_2, LAST_DAY)))
    year = ReadLogPeriod(at(TODAY, 1) - YEAR_AND_A_DAY, at(TODAY, 1))
    assert run.answer(MDR_IN, "MDR", "4.8.1", S1, period=year).code
    start = Run(world(FIRST_INSTANT))
    start.advance(FIRST_INSTANT + YEAR_AND_A_DAY)
    end = Run(world(LAST_INSTANT - YEAR_AND_A_DAY))
    end.advance(LAST_INSTANT)
    assert end.state.now == LAST_INSTANT


@pytest.mark.req("SCH-1")
def test_an_advance_makes_the_runs_due_and_no_more_than_the_bound() -> None:
    """A year's advance with one daily schedule makes one run a day; with
    enough schedules that the run days pass 2,000 it is refused, naming
    ``to`` and the bound, the state kept."""
    run = Run(_state())
    created = run.answer(MDR_IN, "MDR", "5.1", S1, schedule=schedule_spec("4.8.1", TODAY + ONE_DAY))
    (schedule_id,) = created.schedule_ids
    run.advance(at(TODAY + 366 * ONE_DAY, 8))
    run_days = {r.request_id for r in run.scheduled(schedule_id)}
    assert len(run_days) == 366  # TODAY + 1 .. TODAY + 366: the MDR window opens at 07:00 (config)
    for _ in range(5):  # 6 schedules x 366 run days > 2,000
        run.answer(MDR_IN, "MDR", "5.1", S1, schedule=schedule_spec("4.8.1", run.state.today + ONE_DAY))
    refused = _refused(run.state, AdvanceClock(run.state.now + 366 * 86400))
    assert isinstance(refused, OutOfDomain) and refused.field == "to" and "2,000" in refused.message
    run.advance(run.state.now + 300 * 86400)  # 6 x 301 run days: under the bound


def _with_schedule(next_run: dt.date, start_day: dt.date | None = None) -> dict[str, Any]:
    state = copy.deepcopy(encode_state(_state()))
    device = state["devices"][0]["device_id"]
    start = (start_day or next_run).isoformat()
    state["schedules"] = [{"schedule_id": 1, "owner": MDR_IN, "role": "MDR", "device_id": device, "srv": "4.8.1",
                           "for_settlement": True, "start_day": start, "end_day": None,
                           "next_run": next_run.isoformat()}]  # fmt: skip
    return state


@pytest.mark.req("SCH-1")
@pytest.mark.parametrize(
    ("next_run", "start_day", "field", "limit"),
    [
        (dt.date(1, 1, 1), dt.date(1, 1, 1), "initial_state.schedules[0].start_day", "1970-01-01"),
        (dt.date(1, 1, 1), FIRST, "initial_state.schedules[0].next_run", "1970-01-01"),
        (dt.date(1900, 1, 1), FIRST, "initial_state.schedules[0].next_run", "1970-01-01"),
        (TODAY - 8 * ONE_DAY, FIRST, "initial_state.schedules[0].next_run", "7 days"),
    ],
    ids=["start-year-1", "next-run-year-1", "next-run-1900", "next-run-8-days-overdue"],
)
def test_initial_state_schedule_outside_the_domain(
    next_run: dt.date, start_day: dt.date, field: str, limit: str
) -> None:
    with pytest.raises(OutOfDomain) as caught:
        decode_state(_with_schedule(next_run, start_day))
    assert caught.value.field == field and limit in caught.value.message


@pytest.mark.req("SCH-1")
def test_an_overdue_schedule_within_the_horizon_catches_up() -> None:
    """A schedule 7 days overdue is accepted and makes its 8 runs (the
    overdue days and today's) on the next advance."""
    state = decode_state(_with_schedule(TODAY - 7 * ONE_DAY, FIRST))
    run = Run(state)
    run.advance(at(TODAY, 12))
    assert len(run.scheduled(1)) == 8


@pytest.mark.req("SCH-1")
@pytest.mark.parametrize(
    ("clock", "field"),
    [("0001-01-01T00:00:00Z", "initial_state.clock"), ("2100-01-01T00:00:01Z", "initial_state.clock")],
)
def test_initial_clock_outside_the_domain(clock: str, field: str) -> None:
    state = encode_state(_state())
    state["clock"] = clock
    with pytest.raises(OutOfDomain) as caught:
        decode_state(state)
    assert caught.value.field == field


@pytest.mark.req("SCH-1")
def test_device_data_past_the_domain() -> None:
    state = encode_state(_state())
    device = state["devices"][0]["device_id"]
    state["device_data"] = [{"device_id": device, "srv": "4.8.1", "start": "2099-12-31T23:30:00Z",
                             "interval_s": 1800, "values": [1, 2, 3]}]  # fmt: skip
    with pytest.raises(OutOfDomain) as caught:
        decode_state(state)
    assert caught.value.field == "initial_state.device_data[0].values"
