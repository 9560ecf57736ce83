"""Short stories for rule edges that a mutant of the model showed no other
vector checks (``mhhs-sec mutants``), each kept because it kills such a
mutant.  Inputs are built over the standard world; the expected outputs come
from the model."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Final

from mhhs_sec.model import (
    AdvanceClock,
    Appointment,
    LoadDevice,
    LoadRegistration,
    Profile,
    ReadAuditTrail,
    ReadLogPeriod,
    ScheduleSpec,
    State,
    SubmitRequest,
)
from mhhs_sec.model.registration import ONE_DAY
from mhhs_sec.model.state import evolve
from mhhs_sec.model.world import MDR_IN, MDR_OUT, MPAN_A, SUPPLIER, registration_a

from . import situations as sit
from .build import Case
from .walks import OBSERVABLES
from .world import CHANGE_DAY, at

HOUR = 3600

UNKNOWN_DEVICE = "00-DB-12-34-56-78-90-FF"  # a well-formed EUI-64 the inventory lacks


def _unknown_device() -> Case:
    """E19 (AC-3): a read of a device the Smart Metering Inventory does not hold
    is answered E19, with nothing disclosed; a 5.1 on it too."""
    state = sit.base()
    mdra = sit.sender(state, "MDR", sit.esme_or("SMETS2", "ESME"), state.today)
    read = sit.request(state, mdra, "MDR", "4.8.1", UNKNOWN_DEVICE, "true", 1)
    schedule = sit.request(state, mdra, "MDR", "5.1", UNKNOWN_DEVICE, "true", 2, schedule_srv="4.8.1")
    return Case(
        "story.unknown-device",
        "E19: the MDRA reads, then schedules, a device that is not in the Smart Metering Inventory: both "
        "answered E19, nothing disclosed",
        ("AC-3",), state, (SubmitRequest(read), SubmitRequest(schedule)), OBSERVABLES, ("story",),
    )  # fmt: skip


def _registration_change_already_begun() -> Case:
    """SCH-3: a registration loaded when its MDRA change has already begun
    (EFD today) deletes the outgoing MDRA's schedules at once and alerts it
    (docs/timing.md 7.3), before anything else happens."""
    state = sit.base()
    device_id = sit.esme_or("SMETS2", "ESME")
    mdra = sit.sender(state, "MDR", device_id, state.today)
    create = sit.request(state, mdra, "MDR", "5.1", device_id, "true", 1, schedule_srv="4.8.1")
    old = state.registrations[MPAN_A]
    back = (*old.mdras[:-1], replace(old.mdras[-1], etd=_last_day(state, state.today - ONE_DAY)),
            Appointment(MDR_OUT, state.today))  # fmt: skip
    return Case(
        "story.registration-change-already-begun",
        "SCH-3: the incoming MDRA schedules a read; then a registration arrives in which the MDRA changed back "
        "to the earlier agent today: the schedule is deleted at once and its owner alerted (MHHS-A1, now)",
        ("SCH-3", "REG-6", "C-6"), state,
        (SubmitRequest(create), LoadRegistration(replace(old, mdras=back))), OBSERVABLES, ("story",),
    )  # fmt: skip


def _last_day(state: State, day: dt.date) -> dt.date:
    """REG-12: the ETD written for an appointment whose last day is ``day``."""
    return day if state.profile.etd == "inclusive" else day + ONE_DAY


def _device_changed() -> Case:
    """C-2: a device loaded again as another generation loses what the S1SP
    cached for it as it was: the read that follows goes to the device."""
    state = sit.base()
    device_id = sit.esme_or("SMETS1", "ESME")
    state = sit.with_schedule(state, SUPPLIER, "IS", device_id, "4.8.1", state.today + 30 * ONE_DAY, False)
    mdra = sit.sender(state, "MDR", device_id, state.today - ONE_DAY)
    read = [SubmitRequest(sit.request(state, mdra, "MDR", "4.8.1", device_id, "true", n)) for n in (1, 2, 3)]
    changed = LoadDevice(replace(state.devices[device_id], generation="SMETS2"))
    return Case(
        "story.device-changed",
        "C-2: a SMETS1 ESME's read is cached (a schedule is active) and served from the cache; the device is "
        "then loaded again as SMETS2: the next read goes to the device",
        ("C-2", "C-9"), state, (read[0], read[1], changed, read[2]), OBSERVABLES, ("story",),
    )  # fmt: skip


def _held_schedule_refused_when_it_runs() -> Case:
    """SCH-8 (option 'all-mdr-requests'): an MDR 5.1 sent before the MDR window
    is held; the registration then ends the sender's appointment, so at the
    window's opening the 5.1 is decided again and refused (E4, AC-3)."""
    profile = Profile(mdr_window_scope="all-mdr-requests")
    day = CHANGE_DAY - 2 * ONE_DAY
    state = sit.base(profile, at(day, 6 * HOUR))
    device_id = sit.esme_or("SMETS2", "ESME")
    create = sit.request(state, MDR_OUT, "MDR", "5.1", device_id, "true", 1, schedule_srv="4.8.1")
    moved = LoadRegistration(registration_a(dt.date(2024, 1, 1), day, profile))  # MDR_IN from today
    return Case(
        "story.held-schedule-refused-when-it-runs",
        "SCH-8 (all-mdr-requests): the outgoing MDRA's 5.1 at 06:00 is held for the MDR window; the MDRA change "
        "is brought forward to today; at 07:00 the 5.1 is decided again and refused E4",
        ("SCH-8", "SCH-4", "AC-3"), state, (SubmitRequest(create), moved, AdvanceClock(at(day, 8 * HOUR))),
        OBSERVABLES, ("story",),
    )  # fmt: skip


def _authorised_days_apart() -> Case:
    """AC-4 (option 'authorised-days'), REG-3, REG-6: the MDRA hands over for
    one day and takes the MPAN back; its read of the five days around answers
    only its own two days, which are not consecutive (nor is the first day,
    before its first appointment)."""
    state = sit.base(Profile(partial_period="authorised-days"))
    device_id = sit.esme_or("SMETS2", "ESME")
    mine, other, back = state.today - 4 * ONE_DAY, state.today - 3 * ONE_DAY, state.today - 2 * ONE_DAY
    mdras = (Appointment(MDR_OUT, mine, mine), Appointment(MDR_IN, other, other), Appointment(MDR_OUT, back))
    moved = LoadRegistration(replace(state.registrations[MPAN_A], mdras=mdras))
    period = ReadLogPeriod(at(mine - ONE_DAY, 0), at(state.today - ONE_DAY, 0) - 1)
    read = replace(sit.request(state, MDR_OUT, "MDR", "4.8.1", device_id, "true", 1), period=period)
    return Case(
        "story.authorised-days-apart",
        "AC-4 (authorised-days): MDR_OUT is the MDRA on the 9th, MDR_IN on the 10th, MDR_OUT again from the 11th; "
        "MDR_OUT's read of the 8th to the 12th answers the entries of the 9th and the 11th only",
        ("AC-4", "REG-3", "REG-6"), state, (moved, SubmitRequest(read)), OBSERVABLES, ("story",),
    )  # fmt: skip


def _nothing_logged_yet() -> Case:
    """AC-3: a device commissioned today has logged nothing for yesterday:
    its MDRA's read of yesterday is answered, with no entries (the device
    data holds nothing for it)."""
    state = sit.base()
    device_id = sit.esme_or("SMETS2", "ESME")
    mdra = sit.sender(state, "MDR", device_id, state.today)
    state = evolve(
        state, devices={**state.devices, device_id: replace(state.devices[device_id], commissioned=state.today)}
    )
    read = sit.request(state, mdra, "MDR", "4.8.1", device_id, "true", 1)
    return Case(
        "story.nothing-logged-yet",
        "a device commissioned today logs nothing for yesterday (no device data): its MDRA's read of yesterday is "
        "answered I0 with no entries",
        ("AC-3",), state, (SubmitRequest(read),), OBSERVABLES, ("story",),
    )  # fmt: skip


def _schedule_starting_today() -> Case:
    """SCH-1, SCH-4: a schedule created at 09:00 to start today, after its
    window opened (07:00 for an MDR), first runs at the next day's opening."""
    state = sit.base()
    device_id = sit.esme_or("SMETS2", "ESME")
    mdra = sit.sender(state, "MDR", device_id, state.today)
    create = sit.request(state, mdra, "MDR", "5.1", device_id, "true", 1, schedule_srv="4.8.1")
    create = replace(create, schedule=ScheduleSpec("4.8.1", state.today))
    return Case(
        "story.schedule-starting-today",
        "SCH-1, SCH-4: the MDRA's schedule created at 09:00 to start today (its window opened at 07:00) first runs "
        "at 07:00 the next day",
        ("SCH-1", "SCH-4"), state, (SubmitRequest(create), AdvanceClock(state.now + 24 * HOUR)), OBSERVABLES,
        ("story",),
    )  # fmt: skip


LONG_TRAIL: Final = 130  # requests: 260 audit records, more than a page of any plausible store


def _long_audit_trail() -> Case:
    """AUD-1, AUD-2: the MDRA sends 130 reads (260 audit records, each with
    its time), then reads its audit extract: every record, oldest first."""
    state = sit.base()
    device_id = sit.esme_or("SMETS2", "ESME")
    mdra = sit.sender(state, "MDR", device_id, state.today)
    yesterday = state.today - ONE_DAY
    one = ReadLogPeriod(at(yesterday, 0), at(yesterday, 0))  # one entry: a small response
    reads = tuple(
        SubmitRequest(replace(sit.request(state, mdra, "MDR", "4.8.1", device_id, "true", n), period=one))
        for n in range(1, LONG_TRAIL + 1)
    )
    return Case(
        "story.long-audit-trail",
        f"AUD-1, AUD-2: the MDRA sends {LONG_TRAIL} reads, then reads its audit extract: all {2 * LONG_TRAIL} "
        "records, oldest first",
        ("AUD-1", "AUD-2"), state, (*reads, ReadAuditTrail(mdra)), (*OBSERVABLES, "audit"), ("story",),
    )  # fmt: skip


def _calendar(name: str, day: dt.date) -> Case:
    """SCH-1, C-2, C-5, C-11, REG-8 on a calendar day: the Supplier's daily
    schedule of a SMETS1 ESME's half-hourly log runs at 00:00 of ``day`` and
    of the day after (reading the day before each); the day is then read
    whole: from the cache 9 h after the run, still at 25 h - 1 s, from the
    device again at exactly 25 h (expired: C-12 stores none of it again);
    the day after, which the next run refilled the same cache slot with, is
    read from the cache 1 h and 25 h - 1 s after that run."""
    state = sit.base(now=at(day - ONE_DAY, 12 * HOUR), change_day=day + 30 * ONE_DAY)
    device_id = sit.esme_or("SMETS1", "ESME")
    create = sit.request(state, SUPPLIER, "IS", "5.1", device_id, "false", 1, schedule_srv="4.8.1")
    create = replace(create, schedule=ScheduleSpec("4.8.1", day))
    run = at(day + ONE_DAY, 0)  # the run that reads the whole of ``day``
    refill = at(day + 2 * ONE_DAY, 0)  # the next run: the day after, into the same cache slot

    def read(counter: int, first: dt.date = day) -> SubmitRequest:
        whole = ReadLogPeriod(at(first, 0), at(first + ONE_DAY, 0) - 1)
        return SubmitRequest(replace(sit.request(state, SUPPLIER, "IS", "4.8.1", device_id, "false", counter),
                                     period=whole))  # fmt: skip

    events = (
        SubmitRequest(create), AdvanceClock(run + 9 * HOUR), read(2), AdvanceClock(run + 25 * HOUR - 1), read(3),
        AdvanceClock(run + 25 * HOUR), read(4), read(5, day + ONE_DAY), AdvanceClock(refill + 25 * HOUR - 1),
        read(6, day + ONE_DAY),
    )  # fmt: skip
    return Case(
        f"story.calendar.{name.replace(' ', '-')}",
        f"{name} ({day.isoformat()}): the Supplier's schedule reads the whole day at the next 00:00; the day "
        "read again from the cache 9 h later and at 25 h - 1 s, from the device at exactly 25 h (expired, C-11 "
        "default); the day after, refilled into the same cache slot by the next run, read from the cache 1 h and "
        "25 h - 1 s after it",
        ("SCH-1", "C-2", "C-5", "C-11", "REG-8"), state, events, OBSERVABLES, ("story", "calendar"),
        step_comments=("", "runs at 00:00 of the day and of the next", "cache, 9 h old", "", "cache, 25 h - 1 s old",
                       "", "device: expired at 25 h", "the day after: the refilled slot, 1 h old", "",
                       "the refilled slot, 25 h - 1 s old"),
    )  # fmt: skip


CALENDAR: Final = {
    "spring clock change": dt.date(2025, 3, 30), "autumn clock change": dt.date(2025, 10, 26),
    "new year": dt.date(2025, 1, 1), "leap day": dt.date(2024, 2, 29), "winter": dt.date(2025, 1, 15),
    "summer": dt.date(2025, 7, 15),
}  # fmt: skip


STORIES: tuple[Callable[[], Case], ...] = (
    _unknown_device, _registration_change_already_begun, _device_changed, _held_schedule_refused_when_it_runs,
    _authorised_days_apart, _nothing_logged_yet, _schedule_starting_today, _long_audit_trail,
)  # fmt: skip


def cases() -> list[Case]:
    return [story() for story in STORIES] + [_calendar(name, day) for name, day in CALENDAR.items()]
