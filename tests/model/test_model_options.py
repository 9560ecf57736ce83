"""The interpretation options of C-12, C-13, SCH-8, SCH-9 and AUD-3: each
default and each alternative on a concrete story, expected values worked out
from the catalogue rows (a response's ``interp`` names the option wherever the
two readings part)."""

from __future__ import annotations

import datetime as dt

import pytest
from mhhs_sec.model import Acknowledgement, Alert, AuditExtract, ReadAuditTrail, Response
from model_kit import (
    CHANGE,
    DEVICES_A,
    HOUR,
    MDR_IN,
    MDR_OUT,
    ONE_DAY,
    SUPPLIER,
    Run,
    at,
    entry_days,
    schedule_spec,
    whole_days,
    world,
)

S1 = DEVICES_A.s1_esme
TODAY = CHANGE + 5 * ONE_DAY
MAX_AGE = 25 * HOUR  # C-5
MDR_OPEN = 7  # SCH-4: the MDR window opens at 07:00 local


def _read_twice(run: Run, day: dt.date) -> tuple[Response, Response]:
    period = whole_days(day)
    first = run.answer(SUPPLIER, "IS", "4.8.1", S1, period=period)
    again = run.answer(SUPPLIER, "IS", "4.8.1", S1, period=period)
    assert first.code == again.code == "I0" and first.entries == again.entries and first.entries
    return first, again


# ---- C-12: which entries the S1SP 'had not retrieved before' -------------------------


@pytest.mark.req("C-12", "C-3", "C-9")
@pytest.mark.parametrize("option", ["never-retrieved", "after-latest"])
def test_an_older_entry_never_retrieved(option: str) -> None:
    """A schedule active today; the Supplier reads four days ago (its latest entry
    retrieved), then, for the first time, six days ago: an older day, not the
    previous day.  Default: never retrieved, so cached (the re-read does not touch
    the device); option: not after the latest retrieved, so not cached."""
    run = Run(world(at(TODAY, 10), retrieved_entries=option))
    run.answer(SUPPLIER, "IS", "5.1", S1, schedule=schedule_spec("4.8.1", TODAY))
    newer, _ = _read_twice(run, TODAY - 4 * ONE_DAY)
    first, again = _read_twice(run, TODAY - 6 * ONE_DAY)
    assert first.device_read
    assert again.device_read is (option == "after-latest")
    assert f"C-12:retrieved_entries={option}" in first.interp
    assert "C-12:retrieved_entries" not in " ".join(newer.interp)  # after the latest: both readings cache


@pytest.mark.req("C-12", "C-3", "C-5")
@pytest.mark.parametrize("option", ["never-retrieved", "after-latest"])
def test_an_entry_retrieved_before_is_not_cached_again(option: str) -> None:
    """Under both readings an entry retrieved before (and not of the previous day)
    is not cached again once its cached copy has expired."""
    run = Run(world(at(TODAY, 10), retrieved_entries=option))
    run.answer(SUPPLIER, "IS", "5.1", S1, schedule=schedule_spec("4.8.1", TODAY))
    _, cached = _read_twice(run, TODAY - 6 * ONE_DAY)
    assert not cached.device_read  # after every entry retrieved so far: cached under both
    run.advance(run.state.now + MAX_AGE + HOUR)
    first, again = _read_twice(run, TODAY - 6 * ONE_DAY)
    assert first.device_read and again.device_read


# ---- C-13: when a DSP Schedule is active ------------------------------------------


@pytest.mark.req("C-13", "C-2", "C-9")
@pytest.mark.parametrize("option", ["start-to-end", "creation-to-deletion"])
def test_a_schedule_before_its_start_date(option: str) -> None:
    """A schedule created today to start in two days: default, not active yet, so
    nothing read today is cached; option, active from its creation."""
    run = Run(world(at(TODAY, 10), schedule_active=option))
    run.answer(SUPPLIER, "IS", "5.1", S1, schedule=schedule_spec("4.8.1", TODAY + 2 * ONE_DAY))
    first, again = _read_twice(run, TODAY - 3 * ONE_DAY)
    assert first.device_read
    assert again.device_read is (option == "start-to-end")
    assert f"C-13:schedule_active={option}" in first.interp


@pytest.mark.req("C-13", "C-2")
@pytest.mark.parametrize("option", ["start-to-end", "creation-to-deletion"])
def test_a_schedule_from_its_start_date(option: str) -> None:
    """From its start date the schedule is active under both readings."""
    run = Run(world(at(TODAY, 10), schedule_active=option))
    run.answer(SUPPLIER, "IS", "5.1", S1, schedule=schedule_spec("4.8.1", TODAY + 2 * ONE_DAY))
    run.advance(at(TODAY + 2 * ONE_DAY, 10))
    first, again = _read_twice(run, TODAY - 3 * ONE_DAY)
    assert first.device_read and not again.device_read
    assert not any(tag.startswith("C-13") for tag in first.interp)


# ---- SCH-8: the MDR window and MDR requests that read no device ----------------------


@pytest.mark.req("SCH-8", "SCH-4", "SCH-1")
@pytest.mark.parametrize("option", ["device-reads", "all-mdr-requests"])
def test_mdr_schedule_requests_outside_the_window(option: str) -> None:
    """An MDR 5.1 then 5.2 at 21:00, after the MDR window closed: default answered
    at once; option held (I99) until the window opens at 07:00 the next day."""
    run = Run(world(at(TODAY, 21), mdr_window_scope=option))
    opens = at(TODAY + ONE_DAY, MDR_OPEN)
    created = run.submit(MDR_IN, "MDR", "5.1", S1, schedule=schedule_spec("4.8.1", TODAY + 3 * ONE_DAY))
    listed = run.submit(MDR_IN, "MDR", "5.2", S1)
    if option == "device-reads":
        assert isinstance(created, Response) and created.code == "I0" and created.responded_at == at(TODAY, 21)
        assert isinstance(listed, Response) and listed.schedule_ids == created.schedule_ids
        answers = [created, listed]
    else:
        assert isinstance(created, Acknowledgement) and created.execute_at == opens
        assert isinstance(listed, Acknowledgement) and listed.execute_at == opens
        assert not run.state.schedules  # nothing created while held
        run.advance(opens + HOUR)
        answers = [run.response_to(created.request_id), run.response_to(listed.request_id)]
        assert all(r.code == "I0" and r.responded_at == opens for r in answers)
        assert answers[1].schedule_ids == answers[0].schedule_ids  # the 5.2 sees the 5.1 held before it
        assert all(r.responded_at - r.submitted_at <= r.trt_s for r in answers if r.trt_s)  # TRT-2: 24 h
    assert all(f"SCH-8:mdr_window_scope={option}" in r.interp for r in answers)


@pytest.mark.req("SCH-8", "TRT-3")
@pytest.mark.parametrize("option", ["device-reads", "all-mdr-requests"])
def test_mdr_read_inventory_answered_at_once(option: str) -> None:
    """8.2 has a 30 s TRT: answered at once outside the window under both readings."""
    run = Run(world(at(TODAY, 21), mdr_window_scope=option))
    response = run.submit(MDR_IN, "MDR", "8.2", S1)
    assert isinstance(response, Response) and response.code == "I0" and response.responded_at == at(TODAY, 21)
    assert response.trt_s == 30


@pytest.mark.req("SCH-8")
@pytest.mark.parametrize("option", ["device-reads", "all-mdr-requests"])
def test_mdr_schedule_request_inside_the_window(option: str) -> None:
    """Inside the MDR window a 5.1 is answered at once under both readings, untagged."""
    run = Run(world(at(TODAY, 10), mdr_window_scope=option))
    created = run.submit(MDR_IN, "MDR", "5.1", S1, schedule=schedule_spec("4.8.1", TODAY + ONE_DAY))
    assert isinstance(created, Response) and created.code == "I0" and created.responded_at == at(TODAY, 10)
    assert not any(tag.startswith("SCH-8") for tag in created.interp)


# ---- SCH-9: a run on the incoming EFD reading the day before -------------------------


@pytest.mark.req("SCH-9", "SCH-3", "AC-3", "REG-4")
@pytest.mark.parametrize("option", ["answered", "refused"])
@pytest.mark.parametrize("story", ["created-on-efd", "kept"])
def test_outgoing_run_on_the_efd(option: str, story: str) -> None:
    """The outgoing MDRA's schedule runs at 07:00 on the incoming EFD (CHANGE) and
    reads CHANGE - 1, still the outgoing MDRA's day.  Default answered with that
    day's entries; option refused (E4).  The next run reads CHANGE itself: refused
    under both (AC-3).  The schedule is one created on the EFD before the window
    opens, or one created earlier and kept at the change (SCH-3 option)."""
    if story == "created-on-efd":
        run = Run(world(at(CHANGE, 5), run_on_efd_reading_before=option))
        start = CHANGE
    else:
        run = Run(world(at(CHANGE - 3 * ONE_DAY, 10), run_on_efd_reading_before=option,
                        schedules_on_mdra_change="keep"))  # fmt: skip
        start = CHANGE - ONE_DAY
    created = run.answer(MDR_OUT, "MDR", "5.1", S1, schedule=schedule_spec("4.8.1", start))
    assert created.code == "I0"
    (sid,) = created.schedule_ids
    run.advance(at(CHANGE + ONE_DAY, 12))
    runs = {r.responded_at: r for r in run.scheduled(sid)}
    on_efd, after = runs[at(CHANGE, MDR_OPEN)], runs[at(CHANGE + ONE_DAY, MDR_OPEN)]
    if option == "answered":
        assert on_efd.code == "I0" and entry_days(on_efd) == {CHANGE - ONE_DAY}
    else:
        assert on_efd.code == "E4" and not on_efd.entries
    assert f"SCH-9:run_on_efd_reading_before={option}" in on_efd.interp
    assert after.code == "E4" and not after.entries


@pytest.mark.req("SCH-9", "AC-3")
@pytest.mark.parametrize("option", ["answered", "refused"])
def test_incoming_run_on_the_efd(option: str) -> None:
    """The incoming MDRA's schedule from the EFD + 1 runs on it and reads the EFD,
    its own day: answered under both readings, untagged."""
    run = Run(world(at(CHANGE, 10), run_on_efd_reading_before=option))
    created = run.answer(MDR_IN, "MDR", "5.1", S1, schedule=schedule_spec("4.8.1", CHANGE + ONE_DAY))
    (sid,) = created.schedule_ids
    run.advance(at(CHANGE + ONE_DAY, 12))
    (first,) = run.scheduled(sid)
    assert first.code == "I0" and entry_days(first) == {CHANGE}
    assert not any(tag.startswith("SCH-9") for tag in first.interp)


# ---- AUD-3: what a user's audit extract holds ---------------------------------------


@pytest.mark.req("AUD-3", "AUD-1", "AUD-2")
@pytest.mark.parametrize("option", ["requests-and-responses", "responses-only", "with-alerts"])
def test_audit_extract(option: str) -> None:
    """The outgoing MDRA, the evening before the EFD, creates a schedule (answered
    at once) and sends a read held until the window opens; at the EFD its schedule
    is deleted and it is alerted (SCH-3); the held read is answered at 07:00.
    Default: its two requests and two responses; options: the responses only, or
    also the alert, each in time order."""
    run = Run(world(at(CHANGE - ONE_DAY, 21), audit_extract=option))
    created = run.submit(MDR_OUT, "MDR", "5.1", S1, schedule=schedule_spec("4.8.1", CHANGE))
    held = run.submit(MDR_OUT, "MDR", "4.8.1", S1, period=whole_days(CHANGE - 2 * ONE_DAY))
    run.submit(MDR_IN, "MDR", "8.2", S1)  # another user's request: never in MDR_OUT's extract
    assert isinstance(created, Response) and isinstance(held, Acknowledgement)
    run.advance(at(CHANGE, 12))
    (alert,) = run.alerts()
    assert isinstance(alert, Alert) and alert.at == at(CHANGE, 0)
    (extract,) = run.do(ReadAuditTrail(MDR_OUT))
    assert isinstance(extract, AuditExtract)
    got = [(r.kind, r.reference, r.at) for r in extract.records]
    sent, opens = at(CHANGE - ONE_DAY, 21), at(CHANGE, MDR_OPEN)
    requests = [("request", created.request_id, sent), ("request", held.request_id, sent)]
    responses = [("response", created.request_id, sent), ("response", held.request_id, opens)]
    expected = {
        "requests-and-responses": [requests[0], responses[0], requests[1], responses[1]],
        "responses-only": responses,
        "with-alerts": [requests[0], responses[0], requests[1], ("alert", str(alert.schedule_id), alert.at),
                        responses[1]],
    }[option]  # fmt: skip
    assert got == expected


@pytest.mark.req("S1-1")
def test_daily_log_entries_at_exact_midnight_unless_a_delay_is_stated() -> None:
    from mhhs_sec.conformance.runner import parse_profile
    from mhhs_sec.model.profile import Profile

    # S1-1: by default no delay is tolerated; a profile may state one in seconds, never a negative one
    assert Profile().daily_log_delay_tolerance_s == 0
    stated = parse_profile(["daily_log_delay_tolerance_s=900"])
    assert stated.daily_log_delay_tolerance_s == 900
    assert stated.tag("daily_log_delay_tolerance_s") == "S1-1:daily_log_delay_tolerance_s=900"
    for bad in (-1, True, "900"):
        with pytest.raises(ValueError, match="S1-1"):
            Profile(daily_log_delay_tolerance_s=bad)  # type: ignore[arg-type]
