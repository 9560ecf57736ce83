"""Targeted vectors for rule rows whose behaviour needs a short story rather
than one decision: repeated reads by several users (AC-9), what the cache
keeps (C-3), cache removal with the schedule (C-6), the change-of-tenancy
restriction (C-8) and refused registration (REG-5).  Inputs are built over the
standard world; the expected outputs come from the model."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from mhhs_sec.model import (
    AdvanceClock,
    Appointment,
    LoadRegistration,
    Profile,
    ReadAuditTrail,
    ReadLogPeriod,
    Registration,
    RestrictDevice,
    ScheduleSpec,
    SetDeviceComms,
    State,
    SubmitRequest,
    step,
)
from mhhs_sec.model.clock import day_start
from mhhs_sec.model.registration import ONE_DAY
from mhhs_sec.model.rules import SUPPLIER_ROLES, role_may_send
from mhhs_sec.model.schedules import window_bounds
from mhhs_sec.model.tables import SRVS
from mhhs_sec.model.world import MPAN_A, MPAN_B, SUPPLIER

from . import situations as sit
from .build import Case
from .edges import around
from .world import AUTUMN_CHANGE, CHANGE_DAY, SPRING_CHANGE, at


def _repeated_reads() -> Case:
    """AC-9: the same data, read by the Supplier and the MDRA again and again."""
    state = sit.base()
    device_id = sit.esme_or("SMETS2", "ESME")
    mdra = sit.sender(state, "MDR", device_id, state.today - ONE_DAY)
    events = []
    for n in range(6):
        user, role, flag = (SUPPLIER, "IS", "true") if n % 2 else (mdra, "MDR", "true")
        events.append(SubmitRequest(sit.request(state, user, role, "4.8.1", device_id, flag, n + 1)))
    return Case("targeted.repeated-reads", "AC-9: six reads of the same day by two users: none refused for volume",
                ("AC-9", "TRT-2"), state, tuple(events), ("response-code", "entries"), ("targeted",))  # fmt: skip


def _primed(srv: str = "4.8.1") -> tuple[State, str]:
    state = sit.base()
    device_id = sit.esme_or("SMETS1", "ESME")
    state = sit.with_schedule(state, SUPPLIER, "IS", device_id, srv, state.today + 30 * ONE_DAY, False)
    return state, device_id


def _reader(state: State, device_id: str) -> Callable[[int], SubmitRequest]:
    """Supplier 4.8.1 reads of yesterday, numbered."""

    def read(n: int) -> SubmitRequest:
        return SubmitRequest(sit.request(state, SUPPLIER, "IS", "4.8.1", device_id, "false", n))

    return read


def _cache_keeps() -> Case:
    """C-3: yesterday's entries are cached; so are an older day's, read after
    them but never retrieved before (C-12 default; not under 'after-latest');
    once expired (C-5), entries retrieved before are not cached again."""
    state, device_id = _primed()

    def read(n: int, days: int) -> SubmitRequest:
        day = state.today - days * ONE_DAY
        return SubmitRequest(sit.request(state, SUPPLIER, "IS", "4.8.1", device_id, "false", n, day=day))

    expired = AdvanceClock(state.now + 26 * sit.HOUR)
    events = (read(1, 1), read(2, 1), read(3, 3), read(4, 1), read(5, 3), expired, read(6, 3), read(7, 3))
    return Case("targeted.cache-keeps", "C-3: a previous-day read is cached (second read from cache); an older "
                "period read later, never retrieved before, is cached too (C-12); after expiry it is not cached "
                "again", ("C-3", "C-9", "C-4", "C-5", "C-12"), state, events,
                ("response-code", "entries", "device-read"), ("targeted", "cache"))  # fmt: skip


def _cache_dropped() -> Case:
    """C-6: deleting the DSP Schedule removes the cache."""
    state, device_id = _primed()
    read = _reader(state, device_id)
    delete = SubmitRequest(sit.request(state, SUPPLIER, "IS", "5.3", device_id, "false", 3))
    events = (read(1), read(2), delete, read(4))
    return Case("targeted.cache-dropped", "C-6: after 5.3 deletes the schedule the next read goes to the device",
                ("C-6", "SCH-1", "SCH-2", "C-9"), state, events, ("response-code", "device-read", "schedules"),
                ("targeted", "cache"))  # fmt: skip


def _restriction(generation: str) -> Case:
    """C-8: after a change-of-tenancy restriction a 4.8.1 read returns only
    entries after it, except entries held in the cache under a schedule."""
    state, device_id = _primed()
    device_id = sit.esme_or(generation, "ESME")
    read = _reader(state, device_id)
    events = (read(1), RestrictDevice(device_id), read(2))
    what = "cached entries still returned" if generation == "SMETS1" else "no entries from before it"
    return Case(f"targeted.restriction.{generation.lower()}", f"C-8 ({generation}): read after restriction: {what}",
                ("C-8", "C-9", "C-10"), state, events, ("response-code", "entries", "device-read"),
                ("targeted", "cache"))  # fmt: skip


def _refused_registration(kind: str) -> Case:
    """REG-5: a registration with a gap or an overlap is refused and the old one stands."""
    state = sit.base()
    old = state.registrations[MPAN_A]
    first = old.mdras[0]
    change = state.today + 5 * ONE_DAY
    etd = change - (2 if kind == "gap" else 0) * ONE_DAY
    mdras = (Appointment(first.party, first.efd, etd), Appointment(old.mdras[1].party, change))
    bad = Registration(MPAN_A, old.suppliers, mdras)
    device_id = sit.esme_or("SMETS2", "ESME")
    mdra = sit.sender(state, "MDR", device_id, state.today - ONE_DAY)
    read = SubmitRequest(sit.request(state, mdra, "MDR", "4.8.1", device_id, "true", 1))
    return Case(f"targeted.registration-{kind}", f"REG-5: a registration with an {kind} is refused; the MDRA "
                "appointed before still reads", ("REG-5", "REG-2", "AC-3"), state, (LoadRegistration(bad), read),
                ("response-code", "refusal"), ("targeted",))  # fmt: skip


def _cache_per_srv() -> Iterator[Case]:
    """C-1, C-2: for every schedulable data-log SRV, a SMETS1 ESME with an active
    schedule, read twice: only 4.6.1 / 4.8.1 / 4.8.3 are answered from the cache."""
    for srv in sorted(SRVS):
        spec = SRVS[srv]
        roles = [r for r in sorted(SUPPLIER_ROLES) if role_may_send(r, srv)]
        if not (spec.schedulable and spec.read_log_period and roles):
            continue
        state = sit.base()
        device_id = sit.esme_or("SMETS1", "ESME")
        state = sit.with_schedule(state, SUPPLIER, roles[0], device_id, srv, state.today + 30 * ONE_DAY, False)
        reads = tuple(SubmitRequest(sit.request(state, SUPPLIER, roles[0], srv, device_id, "false", n)) for n in (1, 2))
        yield Case(f"targeted.cache-srv.{srv}", f"C-1: {srv} read twice under an active schedule: second read "
                   "from the cache only for the SRVs the S1SP caches", ("C-1", "C-2", "C-9"), state, reads,
                   ("response-code", "entries", "device-read"), ("targeted", "cache"))  # fmt: skip


def _older_entry_never_retrieved() -> Case:
    """C-12: under an active schedule, a read of four days ago, then two of six
    days ago: never retrieved, though older than the latest entry retrieved."""
    state, device_id = _primed()

    def read(n: int, days: int) -> SubmitRequest:
        day = state.today - days * ONE_DAY
        return SubmitRequest(sit.request(state, SUPPLIER, "IS", "4.8.1", device_id, "false", n, day=day))

    return Case("targeted.cache-older-never-retrieved", "C-12: an entry older than the latest retrieved but never "
                "retrieved itself is cached (default) or not (option after-latest)", ("C-12", "C-3", "C-9"), state,
                (read(1, 4), read(2, 6), read(3, 6)), ("response-code", "entries", "device-read"),
                ("targeted", "cache"))  # fmt: skip


def _schedule_requests_outside_window() -> Case:
    """SCH-8: the MDRA's 5.1 and 5.2 at 21:00, after the MDR window closed, then
    the clock past its next opening."""
    state = sit.base(now=at(sit.TODAY, 21 * sit.HOUR))
    device_id = sit.esme_or("SMETS1", "ESME")
    mdra = sit.sender(state, "MDR", device_id, state.today)
    create = replace(sit.request(state, mdra, "MDR", "5.1", device_id, "true", 1, schedule_srv="4.8.1"),
                     schedule=ScheduleSpec("4.8.1", state.today + 3 * ONE_DAY))  # fmt: skip
    listed = sit.request(state, mdra, "MDR", "5.2", device_id, "true", 2)
    events = (SubmitRequest(create), SubmitRequest(listed), AdvanceClock(at(sit.TODAY + ONE_DAY, 9 * sit.HOUR)))
    return Case("targeted.mdr-schedule-requests-outside-window", "SCH-8: MDR 5.1 and 5.2 after the MDR window "
                "closes: answered at once (default) or held until it opens (option all-mdr-requests)",
                ("SCH-8", "SCH-4", "SCH-1"), state, events, ("response-code", "timing", "schedules"),
                ("targeted", "window"))  # fmt: skip


def _audit_with_alert() -> Case:
    """AUD-3: the outgoing MDRA's schedule is deleted at the MDRA change with an
    alert (SCH-3); it then reads its audit trail."""
    state = sit.base(now=at(CHANGE_DAY - ONE_DAY, 12 * sit.HOUR))
    efd, outgoing, _ = sit.mpan_a_registration(state)
    device_id = sit.esme_or("SMETS1", "ESME")
    read = sit.request(state, outgoing, "MDR", "4.8.1", device_id, "true", 1)
    create = replace(sit.request(state, outgoing, "MDR", "5.1", device_id, "true", 2, schedule_srv="4.8.1"),
                     schedule=ScheduleSpec("4.8.1", efd))  # fmt: skip
    events = (SubmitRequest(read), SubmitRequest(create), AdvanceClock(at(efd, 12 * sit.HOUR)),
              ReadAuditTrail(outgoing))  # fmt: skip
    return Case("targeted.audit-with-alert", "AUD-3: the outgoing MDRA's audit extract after a read, a schedule and "
                "the alert deleting it: requests and responses (default), responses only, or with the alert",
                ("AUD-3", "AUD-1", "AUD-2", "SCH-3"), state, events, ("response-code", "alerts", "audit"),
                ("targeted",))  # fmt: skip


def _audit() -> Case:
    """AUD-1, AUD-2: each user's audit extract holds its own requests only."""
    state = sit.base()
    device_id = sit.esme_or("SMETS2", "ESME")
    mdra = sit.sender(state, "MDR", device_id, state.today - ONE_DAY)
    events = (
        SubmitRequest(sit.request(state, mdra, "MDR", "4.8.1", device_id, "true", 1)),
        SubmitRequest(sit.request(state, SUPPLIER, "IS", "4.8.1", device_id, "false", 2)),
        SubmitRequest(sit.request(state, SUPPLIER, "MDR", "4.8.1", device_id, "true", 3)),
        ReadAuditTrail(mdra), ReadAuditTrail(SUPPLIER),
    )  # fmt: skip
    return Case("targeted.audit-own-records", "AUD-2: two users' audit extracts each hold only their own records",
                ("AUD-2", "AUD-1"), state, events, ("response-code", "audit"), ("targeted",))  # fmt: skip


def _clock_change_days() -> Iterator[Case]:
    """REG-8, CON-5: a whole settlement day of half-hourly data on each UK
    clock-change day (46 and 50 periods), and the same days under UTC (48)."""
    for name, day in (("spring", SPRING_CHANGE), ("autumn", AUTUMN_CHANGE)):
        for tz in ("uk", "utc"):
            profile = Profile(settlement_tz=tz)
            state = sit.base(profile, now=at(day + 2 * ONE_DAY, 9 * sit.HOUR, tz))
            device_id = sit.esme_or("SMETS2", "ESME")
            whole = ReadLogPeriod(day_start(day, tz), day_start(day + ONE_DAY, tz) - 1)
            read = replace(sit.request(state, SUPPLIER, "IS", "4.8.1", device_id, "false", 1), period=whole)
            comment = f"REG-8: the whole {name} clock-change day ({day}) read in {tz} settlement time"
            tags = ("targeted", f"clock-change-{name}")
            yield Case(f"targeted.clock-change.{name}.{tz}", comment, ("REG-8", "REG-3", "CON-5"), state,
                       (SubmitRequest(read),), ("response-code", "entries"), tags)  # fmt: skip


def _window_on_clock_change_days() -> Iterator[Case]:
    """SCH-4, REG-8: an MDR read one second before, at and after the MDR window
    opens on each UK clock-change day (the window is local wall-clock time)."""
    for name, day in (("spring", SPRING_CHANGE), ("autumn", AUTUMN_CHANGE)):
        state = sit.base(now=at(day, 0))
        device_id = sit.esme_or("SMETS2", "ESME")
        opens = window_bounds(day, state.config.mdr_window, state.profile.settlement_tz)[0]
        mdra = sit.sender(state, "MDR", device_id, day - ONE_DAY)
        read = sit.request(state, mdra, "MDR", "4.8.1", device_id, "true", 1, day=day - ONE_DAY)
        for label, instant in zip(("before", "at", "after"), around(opens), strict=True):
            events = (AdvanceClock(instant), SubmitRequest(read), AdvanceClock(opens + 3600))
            yield Case(f"targeted.mdr-window.{name}.{label}-open", f"SCH-4 on the {name} clock change ({day}): MDR "
                       f"read {label} the MDR window opens (local time)", ("SCH-4", "REG-8", "TRT-4"), state, events,
                       ("response-code", "timing"), ("targeted", f"clock-change-{name}", "window"))  # fmt: skip


def _retry_cutoff_on_clock_change_days() -> Iterator[Case]:
    """SCH-5, REG-8: a Supplier MHHS read of an unreachable device submitted so
    that its first retry falls one second before, at or after the cut-off
    (the next day's DSP window, local midnight) on each clock-change day."""
    for name, day in (("spring", SPRING_CHANGE), ("autumn", AUTUMN_CHANGE)):
        state = sit.base(now=at(day, 0))
        device_id = sit.esme_or("SMETS2", "ESME")
        cutoff = window_bounds(day + ONE_DAY, state.config.dsp_window, state.profile.settlement_tz)[0]
        read = sit.request(state, SUPPLIER, "IS", "4.8.1", device_id, "true", 1, day=day - ONE_DAY)
        for label, instant in zip(("before", "at", "after"), around(cutoff - state.config.retry_interval_s),
                                  strict=True):  # fmt: skip
            events = (SetDeviceComms(device_id, False), AdvanceClock(instant), SubmitRequest(read),
                      AdvanceClock(cutoff + 3600))  # fmt: skip
            yield Case(f"targeted.retry-cutoff.{name}.{label}", f"SCH-5 on the {name} clock change ({day}): first "
                       f"retry {label} the cut-off (next local midnight)", ("SCH-5", "REG-8"), state, events,
                       ("response-code", "timing"), ("targeted", f"clock-change-{name}", "retry"))  # fmt: skip


def _outgoing_schedule_runs() -> Iterator[Case]:
    """SCH-3 both options: the outgoing MDRA's DSP Schedule on MPAN_A, the clock
    run over the EFD and two more days: deleted with an alert, or kept and every
    run from the EFD on refused by AC-3."""
    for option in ("delete", "keep"):
        state = sit.base(Profile(schedules_on_mdra_change=option), now=at(CHANGE_DAY - 2 * ONE_DAY, 12 * sit.HOUR))
        efd, outgoing, _ = sit.mpan_a_registration(state)
        device_id = sit.esme_or("SMETS1", "ESME")
        state = sit.with_schedule(state, outgoing, "MDR", device_id, "4.8.1", state.today + ONE_DAY, True)
        events = tuple(AdvanceClock(at(efd + n * ONE_DAY, 21 * sit.HOUR)) for n in (-1, 0, 1, 2))
        yield Case(f"targeted.outgoing-schedule.{option}", f"SCH-3 ({option}): the outgoing MDRA's schedule over "
                   "the MDRA change", ("SCH-3", "AC-3", "REG-4"), state, events,
                   ("response-code", "alerts", "entries"), ("targeted", "schedules"))  # fmt: skip


def _two_mpans_same_efd() -> Case:
    """SCH-3, REG-3: both MPANs pass from the same outgoing MDRA to the same
    incoming one on the same EFD; the outgoing MDRA has a schedule on each.
    Each MPAN's change takes effect at its 00:00: both schedules are deleted
    and alerted, neither runs from the EFD on."""
    state = sit.base(now=at(CHANGE_DAY - 2 * ONE_DAY, 12 * sit.HOUR))
    efd, outgoing, incoming = sit.mpan_a_registration(state)
    b = state.registrations[MPAN_B]
    etd = efd - ONE_DAY if state.profile.etd == "inclusive" else efd
    mdras = (Appointment(outgoing, b.mdras[0].efd, etd), Appointment(incoming, efd))
    state, _ = step(state, LoadRegistration(Registration(MPAN_B, b.suppliers, mdras)))
    for mpan_a in (True, False):
        device_id = sit.esme_or("SMETS1", "ESME", mpan_a)
        state = sit.with_schedule(state, outgoing, "MDR", device_id, "4.8.1", state.today + ONE_DAY, True)
    events = tuple(AdvanceClock(at(efd + n * ONE_DAY, 21 * sit.HOUR)) for n in (-1, 0, 1))
    return Case("targeted.outgoing-schedule.two-mpans-same-efd", "SCH-3: two MPANs change MDRA on the same EFD: "
                "the outgoing MDRA's schedules on both are deleted and alerted at 00:00", ("SCH-3", "REG-3", "AC-3"),
                state, events, ("response-code", "alerts", "entries"), ("targeted", "schedules"))  # fmt: skip


def cases() -> Iterator[Case]:
    yield from _outgoing_schedule_runs()
    yield _two_mpans_same_efd()
    yield from _retry_cutoff_on_clock_change_days()
    yield from _window_on_clock_change_days()
    yield from _clock_change_days()
    yield from _cache_per_srv()
    yield _audit()
    yield _audit_with_alert()
    yield _older_entry_never_retrieved()
    yield _schedule_requests_outside_window()
    yield _repeated_reads()
    yield _cache_keeps()
    yield _cache_dropped()
    yield _restriction("SMETS1")
    yield _restriction("SMETS2")
    yield _refused_registration("gap")
    yield _refused_registration("overlap")
