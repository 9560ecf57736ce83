"""REG-*: roles, registration, the MDRA change at 00:00 of the EFD, settlement days.

Expected outcomes are written from the catalogue statements; instants and
settlement days come from the zoneinfo oracle in :mod:`model_kit`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mhhs_sec.model import (
    Appointment,
    InvalidEvent,
    LoadRegistration,
    ReadLogPeriod,
    Registration,
    RegistrationConflict,
    SetUser,
)
from mhhs_sec.model.clock import half_hours, settlement_day
from mhhs_sec.model.rules import REMOTE_PARTY_ROLE, ROLES
from model_kit import (
    AUTUMN,
    CHANGE,
    DEVICES_A,
    DEVICES_B,
    HOUR,
    MDR_IN,
    MDR_OUT,
    MPAN_A,
    ONE_DAY,
    SPRING,
    SUPPLIER,
    SUPPLIER_2,
    Run,
    at,
    day_of,
    entry_days,
    whole_days,
    world,
)

TZS = ("uk", "utc")
S1 = DEVICES_A.s1_esme
MINUTE = 60


def _after_change(tz: str, **options: Any) -> Run:
    """The standard world two days after the MDRA change of MPAN_A, 10:00 local (inside the MDR window)."""
    return Run(world(at(CHANGE + 2 * ONE_DAY, 10, tz=tz), settlement_tz=tz, **options))


@pytest.mark.req("REG-1", "REG-7")
def test_mdr_role_exists_and_is_required_to_send_in_it() -> None:
    assert "MDR" in ROLES
    run = _after_change("uk")
    ok = run.answer(MDR_IN, "MDR", "4.8.1", S1, period=whole_days(CHANGE))
    assert ok.code == "I0"
    # A user without the MDR role cannot send in it (REG-7: an agent MDRA must hold it).
    run.do(SetUser(MDR_IN, frozenset({"OU"})))
    refused = run.answer(MDR_IN, "MDR", "4.8.1", S1, period=whole_days(CHANGE))
    assert refused.code == "E1" and not refused.entries


@pytest.mark.req("REG-7")
def test_supplier_as_own_mdra_keeps_supplier_role() -> None:
    run = _after_change("uk")
    # SUPPLIER_2 is Supplier and MDRA of MPAN_B: it reads for MHHS as IS, with no MDR role.
    ok = run.answer(SUPPLIER_2, "IS", "4.8.1", DEVICES_B.s1_esme, flag=True, period=whole_days(CHANGE))
    assert ok.code == "I0" and ok.for_settlement and ok.entries
    refused = run.answer(SUPPLIER_2, "MDR", "4.8.1", DEVICES_B.s1_esme, period=whole_days(CHANGE))
    assert refused.code == "E1"


@pytest.mark.req("REG-2")
def test_registration_holds_mdra_appointments_with_open_etd() -> None:
    run = _after_change("uk")
    registration = run.state.registrations[MPAN_A]
    assert [a.party for a in registration.mdras] == [MDR_OUT, MDR_IN]
    assert registration.mdras[-1].etd is None  # ETD may be open
    assert registration.mdras[-1].efd == CHANGE


@pytest.mark.req("REG-3", "REG-4", "REG-8")
@pytest.mark.parametrize("tz", TZS)
def test_outgoing_mdra_one_minute_before_efd_and_at_it(tz: str) -> None:
    run = _after_change(tz)
    efd = at(CHANGE, tz=tz)
    before = run.answer(MDR_OUT, "MDR", "4.8.1", S1, period=ReadLogPeriod(efd - DAY, efd - MINUTE))
    assert before.code == "I0"
    assert before.entries and max(e.timestamp for e in before.entries) < efd
    assert all(d < CHANGE for d in entry_days(before, tz))
    # REG-4: a period reaching 00:00 of the EFD targets the EFD day: refused (AC-4 default: whole request).
    at_efd = run.answer(MDR_OUT, "MDR", "4.8.1", S1, period=ReadLogPeriod(efd - DAY, efd))
    assert at_efd.code == "E4" and not at_efd.entries
    after = run.answer(MDR_OUT, "MDR", "4.8.1", S1, period=whole_days(CHANGE + ONE_DAY, tz=tz))
    assert after.code == "E4" and not after.entries


@pytest.mark.req("REG-3", "AC-3", "REG-8")
@pytest.mark.parametrize("tz", TZS)
def test_incoming_mdra_one_minute_before_efd_and_at_it(tz: str) -> None:
    run = _after_change(tz)
    efd = at(CHANGE, tz=tz)
    early = run.answer(MDR_IN, "MDR", "4.8.1", S1, period=ReadLogPeriod(efd - MINUTE, efd + HOUR))
    assert early.code == "E4" and not early.entries
    on_time = run.answer(MDR_IN, "MDR", "4.8.1", S1, period=ReadLogPeriod(efd, efd + HOUR))
    assert on_time.code == "I0"
    assert [e.timestamp for e in on_time.entries] == [efd, efd + 1800, efd + 3600]


DAY = 86400


@pytest.mark.req("REG-3", "REG-4", "REG-8")
@pytest.mark.parametrize("tz", TZS)
def test_instant_read_held_across_the_efd_targets_the_execution_day(tz: str) -> None:
    """4.1.1 targets the day it executes on (docs/architecture.md); an MDR read
    sent one minute before the EFD, outside the MDR window, executes on the EFD."""
    efd = at(CHANGE, tz=tz)
    for sent in (efd - MINUTE, efd):
        run = Run(world(sent, settlement_tz=tz))
        incoming = run.answer(MDR_IN, "MDR", "4.1.1", S1)
        outgoing = run.answer(MDR_OUT, "MDR", "4.1.1", S1)
        assert day_of(incoming.responded_at, tz) == CHANGE
        assert incoming.code == "I0" and incoming.entries
        assert outgoing.code == "E4" and not outgoing.entries


@pytest.mark.req("REG-8")
@pytest.mark.parametrize(("day", "uk_periods"), [(SPRING, 46), (AUTUMN, 50), (CHANGE, 48)])
def test_settlement_day_half_hours_on_clock_change_days(day: dt.date, uk_periods: int) -> None:
    assert half_hours(day, "uk") == uk_periods and half_hours(day, "utc") == 48
    for tz, expected in (("uk", uk_periods), ("utc", 48)):
        run = Run(world(at(AUTUMN + 3 * ONE_DAY, 10, tz=tz), settlement_tz=tz))
        read = run.answer(SUPPLIER, "IS", "4.8.1", S1, period=whole_days(day, tz=tz))
        assert read.code == "I0"
        assert len(read.entries) == expected
        assert entry_days(read, tz) == {day}


_ZONES = {"uk": ZoneInfo("Europe/London"), "utc": dt.UTC}
# UK clock changes: 01:00 UTC on the last Sunday of March and of October.
_CHANGES = [
    int(dt.datetime(2025, 3, 30, 1, tzinfo=dt.UTC).timestamp()),
    int(dt.datetime(2025, 10, 26, 1, tzinfo=dt.UTC).timestamp()),
    int(dt.datetime(2031, 3, 30, 1, tzinfo=dt.UTC).timestamp()),
    int(dt.datetime(2031, 10, 26, 1, tzinfo=dt.UTC).timestamp()),
]


@pytest.mark.req("REG-3", "REG-8")
@given(st.integers(0, 2**32), st.sampled_from(sorted(_ZONES)))
def test_settlement_day_is_the_local_date(instant: int, tz: str) -> None:
    # REG-3, REG-8: the settlement day of an instant is its calendar date in the
    # settlement time zone (zoneinfo is the oracle).
    assert settlement_day(instant, tz) == dt.datetime.fromtimestamp(instant, _ZONES[tz]).date()


@pytest.mark.req("REG-3", "REG-8")
@pytest.mark.parametrize("change", _CHANGES, ids=lambda c: dt.datetime.fromtimestamp(c, dt.UTC).date().isoformat())
def test_settlement_day_around_clock_changes(change: int) -> None:
    # Every quarter hour (and a second either side) from two days before a UK
    # clock change to two days after it.
    for quarter in range(-2 * 96, 2 * 96):
        for instant in (change + quarter * 900 - 1, change + quarter * 900, change + quarter * 900 + 1):
            for tz, zone in _ZONES.items():
                assert settlement_day(instant, tz) == dt.datetime.fromtimestamp(instant, zone).date(), (instant, tz)


@pytest.mark.req("REG-8")
@pytest.mark.parametrize("change", [SPRING, AUTUMN])
def test_read_log_period_spanning_a_clock_change(change: dt.date) -> None:
    first, last = change - ONE_DAY, change + ONE_DAY
    for tz in TZS:
        run = Run(world(at(AUTUMN + 3 * ONE_DAY, 10, tz=tz), settlement_tz=tz))
        read = run.answer(SUPPLIER, "IS", "4.8.1", S1, period=whole_days(first, last, tz=tz))
        stamps = [e.timestamp for e in read.entries]
        # Every half-hour from local 00:00 of the first day to the end of the last, once.
        assert stamps == list(range(at(first, tz=tz), at(last + ONE_DAY, tz=tz), 1800))
        expected = 48 * 3 + ({"uk": (-2 if change == SPRING else 2), "utc": 0}[tz])
        assert len(stamps) == expected


@pytest.mark.req("REG-3", "REG-8", "SCH-3")
@pytest.mark.parametrize("change", [SPRING, AUTUMN])
def test_mdra_change_on_a_clock_change_day(change: dt.date) -> None:
    for tz in TZS:
        efd = at(change, tz=tz)
        run = Run(world(efd - 3 * DAY, change, settlement_tz=tz))
        run.advance(efd + 12 * HOUR)
        before = run.answer(MDR_OUT, "MDR", "4.8.1", S1, period=ReadLogPeriod(efd - HOUR, efd - 1))
        at_efd = run.answer(MDR_IN, "MDR", "4.8.1", S1, period=ReadLogPeriod(efd, efd + HOUR))
        assert before.code == "I0" and len(before.entries) == 2
        assert at_efd.code == "I0" and at_efd.entries[0].timestamp == efd
        assert run.answer(MDR_OUT, "MDR", "4.8.1", S1, period=ReadLogPeriod(efd, efd)).code == "E4"


@pytest.mark.req("REG-5")
def test_gap_or_overlap_rejected_previous_registration_intact() -> None:
    run = _after_change("uk")
    previous = run.state.registrations[MPAN_A]
    supplier = (Appointment(SUPPLIER, CHANGE - 30 * ONE_DAY),)
    gap = (Appointment(MDR_OUT, CHANGE - 30 * ONE_DAY, CHANGE - 2 * ONE_DAY), Appointment(MDR_IN, CHANGE))
    overlap = (Appointment(MDR_OUT, CHANGE - 30 * ONE_DAY, CHANGE), Appointment(MDR_IN, CHANGE))
    for mdras in (gap, overlap, ()):
        with pytest.raises(RegistrationConflict) as caught:
            run.do(LoadRegistration(Registration(MPAN_A, supplier, mdras)))
        assert caught.value.requirement == "REG-5" and caught.value.field.startswith("registration.mdras")
        assert run.state.registrations[MPAN_A] is previous


@pytest.mark.req("REG-6")
def test_current_and_future_mdra_both_honoured_each_on_its_days() -> None:
    now = at(CHANGE - 2 * ONE_DAY, 10)  # registration made before the EFD
    run = Run(world(now))
    assert run.answer(MDR_OUT, "MDR", "4.8.1", S1, period=whole_days(CHANGE - 3 * ONE_DAY)).code == "I0"
    assert run.answer(MDR_IN, "MDR", "4.8.1", S1, period=whole_days(CHANGE - 3 * ONE_DAY)).code == "E4"
    assert run.answer(MDR_OUT, "MDR", "4.1.1", S1).code == "I0"  # today is still MDR_OUT's
    # Future-dated reads: each MDRA on its own days.
    later = at(CHANGE + ONE_DAY, 9)
    outgoing = run.submit(MDR_OUT, "MDR", "4.1.1", S1, execute_at=later)
    assert outgoing.code == "E4"
    assert run.answer(MDR_IN, "MDR", "4.1.1", S1, execute_at=later).code == "I0"


@pytest.mark.req("REG-10")
def test_mdr_remote_party_role_is_127_like_ou() -> None:
    assert REMOTE_PARTY_ROLE["MDR"] == 127 == REMOTE_PARTY_ROLE["OU"]


@pytest.mark.req("REG-11", "AC-5", "TRT-2")
@pytest.mark.parametrize("option", [False, True])
def test_supplier_mhhs_request_under_reg11_option(option: bool) -> None:
    run = _after_change("uk", supplier_mhhs_via_mdr=option)
    mhhs = run.answer(SUPPLIER, "IS", "4.8.1", S1, flag=True, period=whole_days(CHANGE))
    existing = run.answer(SUPPLIER, "IS", "4.8.1", S1, flag=False, period=whole_days(CHANGE))
    assert existing.code == "I0"
    if option:  # Option 1: an IS / ES request with ForSettlement = true is rejected
        assert mhhs.code != "I0" and "REG-11" in mhhs.requirements and not mhhs.entries
    else:  # REG-7 stands
        assert mhhs.code == "I0" and mhhs.trt_s == 24 * HOUR
    assert "REG-11:supplier_mhhs_via_mdr=" + ("on" if option else "off") in mhhs.interp


@pytest.mark.req("REG-12", "REG-5")
@pytest.mark.parametrize("mode", ["inclusive", "exclusive"])
def test_etd_inclusive_or_exclusive(mode: str) -> None:
    run = _after_change("uk", etd=mode)
    etd = CHANGE  # the outgoing appointment's ETD
    # inclusive: the next EFD is the day after the ETD; exclusive: it equals the ETD.
    next_efd = etd + ONE_DAY if mode == "inclusive" else etd
    wrong_efd = etd if mode == "inclusive" else etd + ONE_DAY
    supplier = run.state.registrations[MPAN_A].suppliers
    start = supplier[0].efd
    good = Registration(MPAN_A, supplier, (Appointment(MDR_OUT, start, etd), Appointment(MDR_IN, next_efd)))
    bad = Registration(MPAN_A, supplier, (Appointment(MDR_OUT, start, etd), Appointment(MDR_IN, wrong_efd)))
    with pytest.raises(RegistrationConflict):
        run.do(LoadRegistration(bad))
    run.do(LoadRegistration(good))
    on_etd = run.answer(MDR_OUT, "MDR", "4.8.1", S1, period=whole_days(etd))
    assert (on_etd.code == "I0") is (mode == "inclusive")
    other = run.answer(MDR_IN, "MDR", "4.8.1", S1, period=whole_days(etd))
    assert (other.code == "I0") is (mode == "exclusive")


@pytest.mark.req("REG-2")
def test_registration_values_are_checked() -> None:
    run = _after_change("uk")
    reg = run.state.registrations[MPAN_A]
    for bad in (dataclasses.replace(reg, mpan="12"), dataclasses.replace(reg, suppliers=())):
        with pytest.raises(InvalidEvent):
            run.do(LoadRegistration(bad))
    assert run.state.registrations[MPAN_A] is reg
