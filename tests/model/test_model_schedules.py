"""SCH-*: DSP Schedules, scheduling windows, retries, the MDRA-change options.

Window times are taken from the catalogue (SCH-4: existing DSP window
00:00-06:00, MHHS window 07:00-20:00, both local wall clock) and computed with
the zoneinfo oracle of :mod:`model_kit`.
"""

from __future__ import annotations

import datetime as dt

import pytest
from mhhs_sec.model import Acknowledgement, Appointment, LoadRegistration, Registration, Response, SetDeviceComms
from model_kit import (
    CHANGE,
    DEVICES_A,
    DEVICES_B,
    HOUR,
    MDR_IN,
    MDR_OUT,
    MPAN_B,
    ONE_DAY,
    SPRING,
    SUPPLIER,
    Run,
    at,
    day_of,
    entry_days,
    schedule_spec,
    whole_days,
    world,
)

S1 = DEVICES_A.s1_esme
S2 = DEVICES_A.s2_esme
DAY_S = 24 * HOUR
MDR_OPEN, MDR_CLOSE, DSP_OPEN = 7, 20, 0  # SCH-4 catalogue defaults (hours, local)


def _create(run: Run, user: str, role: str, srv: str, device: str, start: dt.date, end: dt.date | None = None) -> int:
    flag = True if role == "MDR" else None
    response = run.answer(user, role, "5.1", device, flag=flag, schedule=schedule_spec(srv, start, end))
    assert response.code == "I0", response
    (schedule_id,) = response.schedule_ids
    return schedule_id


@pytest.mark.req("SCH-1", "SCH-4", "TRT-2")
@pytest.mark.parametrize(("user", "role", "opens"), [(MDR_IN, "MDR", MDR_OPEN), (SUPPLIER, "IS", DSP_OPEN)])
def test_create_read_run_delete(user: str, role: str, opens: int) -> None:
    today = CHANGE + 2 * ONE_DAY
    run = Run(world(at(today, 10)))
    sid = _create(run, user, role, "4.8.1", S1, today + ONE_DAY)
    listed = run.answer(user, role, "5.2", S1, flag=role == "MDR" or None)
    assert listed.code == "I0" and listed.schedule_ids == (sid,)
    run.advance(at(today + 3 * ONE_DAY, 12))
    runs = run.scheduled(sid)
    # One run a day when the owner's window opens, each reading the previous settlement day.
    assert [r.responded_at for r in runs] == [at(today + n * ONE_DAY, opens) for n in (1, 2, 3)]
    assert [entry_days(r) for r in runs] == [{today}, {today + ONE_DAY}, {today + 2 * ONE_DAY}]
    assert all(r.code == "I0" and r.mode == "scheduled" and r.user_id == user for r in runs)
    if role == "MDR":
        assert all(r.for_settlement and r.trt_s == DAY_S for r in runs)
    deleted = run.answer(user, role, "5.3", S1, flag=role == "MDR" or None, schedule_id=sid)
    assert deleted.code == "I0" and deleted.schedule_ids == (sid,)
    assert run.answer(user, role, "5.2", S1, flag=role == "MDR" or None).schedule_ids == ()
    run.advance(at(today + 6 * ONE_DAY, 12))
    assert len(run.scheduled(sid)) == 3


@pytest.mark.req("SCH-2")
def test_only_own_schedules_read_or_deleted() -> None:
    today = CHANGE + 2 * ONE_DAY
    run = Run(world(at(today, 10)))
    theirs = _create(run, SUPPLIER, "IS", "4.8.1", S1, today + ONE_DAY)
    mine = _create(run, MDR_IN, "MDR", "4.8.1", S1, today + ONE_DAY)
    read = run.answer(MDR_IN, "MDR", "5.2", S1, schedule_id=theirs)
    delete = run.answer(MDR_IN, "MDR", "5.3", S1, schedule_id=theirs)
    for response in (read, delete):
        assert response.code != "I0" and "SCH-2" in response.requirements and theirs not in response.schedule_ids
    assert run.answer(MDR_IN, "MDR", "5.2", S1).schedule_ids == (mine,)
    assert run.answer(SUPPLIER, "IS", "5.2", S1).schedule_ids == (theirs,)


@pytest.mark.req("SCH-3", "REG-4", "AC-3", "C-6")
@pytest.mark.parametrize("option", ["delete", "keep"])
def test_outgoing_mdra_schedules_at_the_efd(option: str) -> None:
    run = Run(world(at(CHANGE - 3 * ONE_DAY, 10), schedules_on_mdra_change=option))
    sid = _create(run, MDR_OUT, "MDR", "4.8.1", S1, CHANGE - 2 * ONE_DAY)
    run.advance(at(CHANGE + 3 * ONE_DAY, 12))
    runs = run.scheduled(sid)
    alerts = run.alerts()
    # Nothing ever gives the outgoing MDRA a day on or after the EFD.
    assert all(d < CHANGE for r in runs for d in entry_days(r))
    if option == "delete":
        assert [(a.code, a.recipient, a.at, a.schedule_id) for a in alerts] == [("MHHS-A1", MDR_OUT, at(CHANGE), sid)]
        assert all(r.responded_at < at(CHANGE) for r in runs)
        assert sid not in run.state.schedules and (S1, "4.8.1") not in run.state.cache
    else:
        assert alerts == [] and sid in run.state.schedules
        late = [r for r in runs if min(entry_days(r) or {CHANGE}) >= CHANGE or r.code != "I0"]
        assert late and all(r.code == "E4" and "AC-3" in r.requirements and not r.entries for r in late)
        assert all(day_of(r.responded_at) >= CHANGE for r in late)  # SCH-3 keep: every run from the EFD on


@pytest.mark.req("SCH-3", "REG-3")
def test_mdra_changes_of_two_mpans_on_the_same_efd() -> None:
    # Both MPANs pass from MDR_OUT to MDR_IN on the same EFD: each MPAN's outgoing
    # schedules go at its own 00:00 EFD (one change must not hide the other).
    run = Run(world(at(CHANGE - 3 * ONE_DAY, 10)))
    b = run.state.registrations[MPAN_B]
    etd = CHANGE - ONE_DAY
    run.do(LoadRegistration(Registration(MPAN_B, b.suppliers, (Appointment(MDR_OUT, b.mdras[0].efd, etd),
                                                               Appointment(MDR_IN, CHANGE)))))  # fmt: skip
    ids = [_create(run, MDR_OUT, "MDR", "4.8.1", device, CHANGE - ONE_DAY) for device in (S1, DEVICES_B.s1_esme)]
    run.advance(at(CHANGE + 2 * ONE_DAY, 12))
    assert sorted((a.recipient, a.at, a.schedule_id) for a in run.alerts()) == [(MDR_OUT, at(CHANGE), i) for i in ids]
    assert not set(ids) & set(run.state.schedules)
    assert all(d < CHANGE for i in ids for r in run.scheduled(i) for d in entry_days(r))


@pytest.mark.req("SCH-4", "REG-8")
@pytest.mark.parametrize("tz", ["uk", "utc"])
@pytest.mark.parametrize(
    ("hour", "minute", "second", "held_until_day"),
    [(6, 59, 59, 0), (7, 0, 0, None), (19, 59, 59, None), (20, 0, 0, 1)],
)
def test_mdr_window_boundaries(tz: str, hour: int, minute: int, second: int, held_until_day: int | None) -> None:
    for day in (CHANGE + 2 * ONE_DAY, SPRING):
        sent = at(day, hour, minute, second, tz=tz)
        run = Run(world(sent, settlement_tz=tz))
        first = run.submit(SUPPLIER, "IS", "4.8.1", S2, flag=True, period=whole_days(day - ONE_DAY, tz=tz))
        assert isinstance(first, Response) and first.code == "I0"  # the MDR window is the MDR's
        mdra = MDR_IN if day - 2 * ONE_DAY >= CHANGE else MDR_OUT
        first = run.submit(mdra, "MDR", "4.8.1", S2, period=whole_days(day - 2 * ONE_DAY, tz=tz))
        if held_until_day is None:
            assert isinstance(first, Response) and first.code == "I0" and first.responded_at == sent
            continue
        opens = at(day + held_until_day * ONE_DAY, MDR_OPEN, tz=tz)
        assert isinstance(first, Acknowledgement) and first.code == "I99" and first.execute_at == opens
        run.advance(opens + HOUR)
        response = run.response_to(first.request_id)
        assert response.code == "I0" and response.responded_at == opens
        assert response.responded_at - sent <= DAY_S


@pytest.mark.req("SCH-4", "TRT-2")
def test_future_dated_mdr_read_held_to_the_window() -> None:
    today = CHANGE + 2 * ONE_DAY
    run = Run(world(at(today, 10)))
    ack = run.submit(MDR_IN, "MDR", "4.1.1", S1, execute_at=at(today, 21))
    assert isinstance(ack, Acknowledgement) and ack.execute_at == at(today + ONE_DAY, MDR_OPEN)
    run.advance(at(today + 2 * ONE_DAY, 0))
    response = run.response_to(ack.request_id)
    assert response.code == "I0" and response.responded_at == ack.execute_at and response.trt_s == DAY_S


@pytest.mark.req("SCH-5")
@pytest.mark.parametrize("back_online", [None, 30, 90])
def test_mhhs_retries_stop_before_next_days_dsp_window(back_online: int | None) -> None:
    today = CHANGE + 2 * ONE_DAY
    sent = at(today, 22)
    cutoff = at(today + ONE_DAY, DSP_OPEN)
    run = Run(world(sent))
    run.do(SetDeviceComms(S2, False))
    first = run.submit(SUPPLIER, "IS", "4.8.1", S2, flag=True, period=whole_days(today - ONE_DAY))
    assert not isinstance(first, Response)  # queued for retry, not failed at once
    if back_online is not None:
        run.advance(sent + back_online * 60)
        run.do(SetDeviceComms(S2, True))
    run.advance(at(today + 2 * ONE_DAY, 12))
    (response,) = run.responses()
    assert response.responded_at < cutoff
    if back_online is not None and sent + back_online * 60 < cutoff - 3600:
        assert response.code == "I0" and response.entries
    else:
        assert response.code != "I0" and "SCH-5" in response.requirements and not response.entries


@pytest.mark.req("SCH-5", "SCH-4")
def test_mdr_retries_stay_in_the_window_and_before_the_cutoff() -> None:
    today = CHANGE + 2 * ONE_DAY
    run = Run(world(at(today, 17, 30)))
    run.do(SetDeviceComms(S2, False))
    run.submit(MDR_IN, "MDR", "4.8.1", S2, period=whole_days(today - ONE_DAY))
    run.advance(at(today + 2 * ONE_DAY, 12))
    (response,) = run.responses()
    assert response.code != "I0" and "SCH-5" in response.requirements
    assert at(today, MDR_OPEN) <= response.responded_at < at(today, MDR_CLOSE)


@pytest.mark.req("SCH-5")
def test_existing_service_read_not_retried() -> None:
    run = Run(world(at(CHANGE + 2 * ONE_DAY, 22)))
    run.do(SetDeviceComms(S2, False))
    response = run.submit(SUPPLIER, "IS", "4.8.1", S2, period=whole_days(CHANGE))
    assert isinstance(response, Response) and response.code != "I0" and not response.entries


@pytest.mark.req("SCH-6")
@pytest.mark.parametrize("option", ["not-enforced", "strict"])
def test_on_demand_first_option(option: str) -> None:
    today = CHANGE + 2 * ONE_DAY
    run = Run(world(at(today, 10), on_demand_first=option))
    period = whole_days(today - ONE_DAY)
    existing = run.answer(SUPPLIER, "IS", "4.8.1", S1, period=period)
    assert existing.code == "I0"
    for user, role in ((SUPPLIER, "IS"), (MDR_IN, "MDR")):
        before = run.answer(user, role, "4.8.1", S1, flag=True, period=period)
        assert f"SCH-6:on_demand_first={option}" in before.interp
        if option == "strict":
            assert before.code != "I0" and "SCH-6" in before.requirements and not before.entries
        else:
            assert before.code == "I0"
        _create(run, user, role, "4.8.1", S1, today + ONE_DAY)
        assert run.answer(user, role, "4.8.1", S1, flag=True, period=period).code == "I0"


@pytest.mark.req("SCH-7", "AC-3", "AC-8")
def test_schedule_creation_checks_access_for_the_days_it_reads() -> None:
    run = Run(world(at(CHANGE - 3 * ONE_DAY, 10)))
    spec = schedule_spec

    def create(user: str, start: dt.date, srv: str = "4.8.1", device: str = S1, role: str = "MDR") -> str:
        return run.answer(user, role, "5.1", device, flag=True, schedule=spec(srv, start)).code

    # A run reads the previous day: starting on the EFD reads the outgoing MDRA's last day.
    assert create(MDR_IN, CHANGE) == "E4"
    assert create(MDR_IN, CHANGE + ONE_DAY) == "I0"
    assert create(MDR_OUT, CHANGE) == "I0"
    assert create(MDR_OUT, CHANGE + ONE_DAY) == "E4"
    # N/A for SMETS1 cannot be scheduled there either.
    assert create(SUPPLIER, CHANGE, "4.6.2", S1, "ES") != "I0"
    assert create(SUPPLIER, CHANGE, "4.6.2", S2, "ES") == "I0"
