"""C-*: the SMETS1 Service Provider data cache, and AUD-*: the audit trail.

Whether a response came from the cache is observed through ``device_read``
(C-9); the 25 h limit and the option at its boundary are the catalogue's
(C-5, C-11).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from mhhs_sec.model import Acknowledgement, Alert, AuditExtract, ReadAuditTrail, ReadLogPeriod, Response, RestrictDevice
from model_kit import (
    CHANGE,
    DEVICES_A,
    DEVICES_B,
    GAS_SUPPLIER,
    HOUR,
    MDR_IN,
    MDR_OUT,
    ONE_DAY,
    OTHER_USER,
    SUPPLIER,
    SUPPLIER_2,
    TODAY,
    Run,
    at,
    entry_days,
    schedule_spec,
    whole_days,
    world,
)

S1 = DEVICES_A.s1_esme
MAX_AGE = 25 * HOUR  # C-5
YESTERDAY = TODAY - ONE_DAY
CACHE_SRVS = ("4.6.1", "4.8.1", "4.8.3")  # C-1


@dataclass
class Cached:
    """A run whose schedule has just read (and so cached) the previous day."""

    run: Run
    schedule_id: int
    retrieved_at: int
    first: Response


def _cached(user: str = MDR_IN, role: str = "MDR", srv: str = "4.8.1", device: str = S1, **options: Any) -> Cached:
    """The standard world at 06:00 on TODAY; a schedule starting TODAY runs when
    its owner's window opens (07:00 MDR, 00:00 next day otherwise) and reads the day before."""
    run = Run(world(at(TODAY, 6), **options))
    start = TODAY if role == "MDR" else TODAY + ONE_DAY
    flag = True if role == "MDR" else None
    created = run.answer(user, role, "5.1", device, flag=flag, schedule=schedule_spec(srv, start))
    assert created.code == "I0", created
    (sid,) = created.schedule_ids
    run.advance(at(start, 7 if role == "MDR" else 0))  # SCH-4: the owner's window opens
    (first,) = run.scheduled(sid)
    assert first.code == "I0" and first.device_read and first.entries
    return Cached(run, sid, first.responded_at, first)


def _reread(c: Cached, user: str = SUPPLIER, role: str = "IS", srv: str = "4.8.1", **kw: object) -> Response:
    """The same day as the schedule's first run read, asked On Demand."""
    kw.setdefault("period", whole_days(min(entry_days(c.first))))
    return c.run.answer(user, role, srv, c.first.device_id, **kw)


@pytest.mark.req("C-4", "C-9", "C-10")
def test_cached_read_answers_any_later_authorised_party() -> None:
    c = _cached()
    c.run.advance(c.retrieved_at + HOUR)
    for user, role, flag in ((SUPPLIER, "IS", None), (SUPPLIER, "IS", True), (MDR_IN, "MDR", True)):
        response = _reread(c, user, role, flag=flag)
        assert response.code == "I0" and not response.device_read  # C-9: no device interaction
        assert response.entries == c.first.entries  # C-10: same as the device gave


@pytest.mark.req("C-1", "C-2")
@pytest.mark.parametrize(
    ("role", "srv"), [("IS", "4.6.1"), ("IS", "4.8.1"), ("IS", "4.8.2"), ("ES", "4.8.3"), ("IS", "4.17")]
)
def test_cached_only_for_the_three_srvs(role: str, srv: str) -> None:
    device = S1 if srv != "4.17" else DEVICES_A.s2_esme  # 4.17 is N/A for SMETS1 (AC-8)
    c = _cached(SUPPLIER, role, srv, device)
    c.run.advance(c.retrieved_at + HOUR)
    response = _reread(c, SUPPLIER, role, srv)
    assert response.code == "I0" and response.entries == c.first.entries
    cached = srv in CACHE_SRVS and device == S1
    assert response.device_read is not cached


@pytest.mark.req("C-2")
@pytest.mark.parametrize(
    ("user", "role", "device"),
    [
        (MDR_IN, "MDR", DEVICES_A.s2_esme),
        (GAS_SUPPLIER, "GS", DEVICES_A.s1_gsme),
        (GAS_SUPPLIER, "GS", DEVICES_A.s2_gsme),
    ],
)
def test_not_cached_for_smets2_or_gas(user: str, role: str, device: str) -> None:
    c = _cached(user, role, "4.8.1", device)
    c.run.advance(c.retrieved_at + HOUR)
    response = _reread(c, user, role, "4.8.1", flag=True if role == "MDR" else None)
    assert response.code == "I0" and response.device_read
    assert (device, "4.8.1") not in c.run.state.cache or not c.run.state.cache[(device, "4.8.1")].entries


@pytest.mark.req("C-2")
def test_not_cached_without_an_active_schedule() -> None:
    run = Run(world(at(TODAY, 10)))
    period = whole_days(YESTERDAY)
    first = run.answer(SUPPLIER, "IS", "4.8.1", S1, period=period)
    second = run.answer(SUPPLIER, "IS", "4.8.1", S1, period=period)
    assert first.device_read and second.device_read and first.entries == second.entries
    assert not run.state.cache


@pytest.mark.req("C-3")
def test_cache_holds_previous_day_or_never_retrieved_entries() -> None:
    run = Run(world(at(TODAY, 10)))
    run.answer(SUPPLIER, "IS", "5.1", S1, schedule=schedule_spec("4.8.1", TODAY))  # active today (C-13)
    old = whole_days(TODAY - 5 * ONE_DAY)
    first = run.answer(SUPPLIER, "IS", "4.8.1", S1, period=old)
    again = run.answer(SUPPLIER, "IS", "4.8.1", S1, period=old)
    assert first.device_read and not again.device_read  # never retrieved before: cached
    run.advance(run.state.now + MAX_AGE + HOUR)  # expired
    third = run.answer(SUPPLIER, "IS", "4.8.1", S1, period=old)
    fourth = run.answer(SUPPLIER, "IS", "4.8.1", S1, period=old)
    # Retrieved before and not the previous day: not cached again.
    assert third.device_read and fourth.device_read
    assert third.entries == fourth.entries == first.entries


@pytest.mark.req("C-5", "C-11")
@pytest.mark.parametrize("option", ["exclusive", "inclusive"])
@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_cache_age_boundary(option: str, offset: int) -> None:
    c = _cached(cache_boundary=option)
    age = MAX_AGE + offset
    c.run.advance(c.retrieved_at + age)
    # C-11: default held and served only while younger than 25 h; option: up to and including 25 h.
    fresh = age < MAX_AGE if option == "exclusive" else age <= MAX_AGE
    held = c.run.state.cache[(S1, "4.8.1")].entries
    assert all((e.timestamp in held) is fresh for e in c.first.entries)
    response = _reread(c, MDR_IN, "MDR")
    assert response.code == "I0" and response.entries == c.first.entries
    assert response.device_read is not fresh


@pytest.mark.req("C-5")
def test_nothing_held_past_25_hours() -> None:
    c = _cached()
    for hours in range(1, 80, 5):
        c.run.advance(c.retrieved_at + hours * HOUR)
        now = c.run.state.now
        for slot in c.run.state.cache.values():
            assert all(now - x.retrieved_at < MAX_AGE for x in slot.entries.values())


@pytest.mark.req("C-6", "SCH-1")
def test_cache_removed_with_the_schedule() -> None:
    c = _cached()
    deleted = c.run.answer(MDR_IN, "MDR", "5.3", S1, schedule_id=c.schedule_id)
    assert deleted.code == "I0" and (S1, "4.8.1") not in c.run.state.cache
    response = _reread(c, MDR_IN, "MDR")
    assert response.device_read and response.entries == c.first.entries


@pytest.mark.req("C-7", "AC-3", "AC-5", "REG-4")
def test_cached_read_refused_to_a_party_that_may_not_see_it() -> None:
    c = _cached()  # MDR_IN's schedule caches YESTERDAY (after the EFD)
    c.run.advance(c.retrieved_at + HOUR)
    for user, role in ((MDR_OUT, "MDR"), (SUPPLIER_2, "IS"), (SUPPLIER_2, "ES")):
        srv = "4.8.1" if role != "ES" else "4.8.3"
        response = _reread(c, user, role, srv, flag=True)
        assert response.code == "E4" and not response.entries
    # AC-4 option 'authorised-days': the outgoing MDRA gets its own days only, never the cached ones.
    d = _cached(partial_period="authorised-days")
    d.run.advance(d.retrieved_at + HOUR)
    mixed = _reread(d, MDR_OUT, "MDR", period=whole_days(CHANGE - ONE_DAY, YESTERDAY))
    assert mixed.code == "I0" and entry_days(mixed) == {CHANGE - ONE_DAY}


@pytest.mark.req("C-8")
def test_restriction_keeps_only_later_entries_except_cached_ones() -> None:
    c = _cached()
    restricted_at = c.retrieved_at + 15 * 60  # 07:15, between half-hours
    c.run.advance(restricted_at)
    c.run.do(RestrictDevice(S1))
    c.run.advance(restricted_at + 2 * HOUR)
    now = c.run.state.now
    period = ReadLogPeriod(at(YESTERDAY), now)
    response = c.run.answer(MDR_IN, "MDR", "4.8.1", S1, period=period)
    stamps = [e.timestamp for e in response.entries]
    cached = [e.timestamp for e in c.first.entries]
    after = list(range(at(TODAY), now + 1, 1800))
    after = [t for t in after if t > restricted_at]
    assert stamps == cached + after  # nothing of TODAY before the restriction
    # With no schedule (nothing cached) only entries after the restriction.
    run = Run(world(now))
    run.do(RestrictDevice(S1))
    run.advance(now + 1)
    plain = run.answer(MDR_IN, "MDR", "4.8.1", S1, period=ReadLogPeriod(at(YESTERDAY), now + 1))
    assert all(e.timestamp >= now for e in plain.entries)


@pytest.mark.req("C-9", "C-10")
def test_partly_covered_read_reads_only_what_is_missing() -> None:
    c = _cached()
    c.run.advance(c.retrieved_at + 2 * HOUR)
    now = c.run.state.now
    response = c.run.answer(MDR_IN, "MDR", "4.8.1", S1, period=ReadLogPeriod(at(YESTERDAY), now))
    assert response.code == "I0" and response.device_read
    slot = c.run.state.cache[(S1, "4.8.1")]
    # The covered entries were not read again (their retrieval time is unchanged).
    assert all(slot.entries[e.timestamp].retrieved_at == c.retrieved_at for e in c.first.entries)
    # C-10: the answer is what the device alone gives.
    fresh = Run(world(now))
    alone = fresh.answer(MDR_IN, "MDR", "4.8.1", S1, period=ReadLogPeriod(at(YESTERDAY), now))
    assert alone.device_read and alone.entries == response.entries


@pytest.mark.req("AUD-1")
def test_every_request_response_and_alert_recorded() -> None:
    run = Run(world(at(CHANGE - 2 * ONE_DAY, 21)))
    run.answer(MDR_OUT, "MDR", "5.1", S1, schedule=schedule_spec("4.8.1", CHANGE - ONE_DAY))
    run.submit(MDR_OUT, "MDR", "4.8.1", S1, period=whole_days(CHANGE - 3 * ONE_DAY))  # held: I99
    run.submit(OTHER_USER, "OU", "4.8.1", S1, period=whole_days(CHANGE - 3 * ONE_DAY))
    run.advance(at(CHANGE + ONE_DAY, 12))
    records = {(r.kind, r.reference, r.user_id, r.at, r.code) for r in run.state.audit}
    assert run.alerts() and run.responses()
    for output in run.outputs:
        if isinstance(output, Response):
            assert ("response", output.request_id, output.user_id, output.responded_at, output.code) in records
        elif isinstance(output, Acknowledgement):
            assert ("request", output.request_id, output.user_id, output.at, output.code) in records
        else:
            assert isinstance(output, Alert)
            assert ("alert", str(output.schedule_id), output.recipient, output.at, output.code) in records


@pytest.mark.req("AUD-2")
def test_users_read_only_their_own_audit_records() -> None:
    run = Run(world(at(CHANGE + 2 * ONE_DAY, 10)))
    sent: dict[str, set[str]] = {MDR_IN: set(), SUPPLIER: set(), SUPPLIER_2: set()}
    for user, role, device in ((MDR_IN, "MDR", S1), (SUPPLIER, "IS", S1), (SUPPLIER_2, "IS", DEVICES_B.s1_esme)):
        for day in (CHANGE, CHANGE + ONE_DAY):
            response = run.answer(user, role, "4.8.1", device, flag=True, period=whole_days(day))
            sent[user].add(response.request_id)
    for user, mine in sent.items():
        (extract,) = run.do(ReadAuditTrail(user))
        assert isinstance(extract, AuditExtract) and extract.user_id == user
        records = extract.records
        assert records and all(r.user_id == user for r in records)
        assert {r.reference for r in records} == mine
        assert [r.at for r in records] == sorted(r.at for r in records)
