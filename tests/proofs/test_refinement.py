"""Refinement on a bounded domain, exhaustively: from seed states and the
states the agreement runs reach (a 5.1 held, its first run made and cached;
a chain of four MDRA appointments loaded, and its first run; the device off
line, a retry queued; a future-dated read queued; an MDR read held to its
window; the device restricted; the queued work again with the chain loaded),
every event of a bounded enumeration (every event kind; every sender of the
world, in its roles and in a role it does not hold; every SRV with
ForSettlement true and false; clock advances to the boundary instants of the
windows, the settlement day, every EFD and the 25 h cache age, one second
either side, and each queued piece of work's instant; registration loads
moving the EFD, and chains of three and four appointments, with a gap and an
overlap; device comms and restrictions; future-dated reads) is
checked against the Z3 transition relation both ways: the model's step is a
step of the encoding, and the encoding has no other successor.  Hypothesis
goes beyond this domain (``test_agreement.py``)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator

import pytest
from mhhs_sec.model import InvalidEvent, step, world
from mhhs_sec.model.clock import day_start, settlement_day
from mhhs_sec.model.entities import ReadLogPeriod, Registration, ScheduleSpec, ServiceRequest
from mhhs_sec.model.events import (
    AdvanceClock,
    Event,
    LoadRegistration,
    RestrictDevice,
    SetDeviceComms,
    SubmitRequest,
)
from mhhs_sec.model.profile import Profile
from mhhs_sec.model.registration import party_on
from mhhs_sec.model.schedules import due, window_bounds, window_for
from mhhs_sec.model.state import State
from mhhs_sec.model.tables import CACHE, SRVS
from mhhs_sec.proofs.agreement import checker
from mhhs_sec.proofs.concrete import (
    Frame,
    abstract_event,
    abstract_output,
    abstract_state,
    alt_of,
    chain_registration,
    day_number,
    profile_of,
    registration,
    setup,
)
from mhhs_sec.proofs.symbolic import PARAM_OPTIONS

FIRST, LAST = dt.date(2025, 3, 10), dt.date(2025, 4, 30)  # as test_agreement.py: spans the spring clock change
DAY = dt.timedelta(days=1)
START = dt.date(2025, 3, 26)
SENDERS = [(world.SUPPLIER, "IS"), (world.SUPPLIER, "ES"), (world.MDR_OUT, "MDR"), (world.MDR_IN, "MDR"),
           (world.NETWORK_OPERATOR, "ED"), (world.OTHER_USER, "OU"), (world.OTHER_USER, "MDR")]  # fmt: skip
# (generation, kind, watched SRV, every option at its alternative?, EFD days after START)
SEEDS = [("SMETS1", "ESME", "4.8.1", False, 2), ("SMETS1", "ESME", "4.6.1", True, 1),
         ("SMETS2", "GSME", "4.8.3", True, 0)]  # fmt: skip


def _frame(generation: str, kind: str, srv: str) -> Frame:
    step_s = 86400 if SRVS[srv].cadence == "daily" else 1800
    watched = day_start(START - DAY, "utc") + 1800 // step_s * step_s
    return Frame(generation, kind, dt.date(2025, 3, 15), dt.date(2025, 3, 15), srv, watched)


def _reached(frame: Frame, alternative: bool, efd_in: int) -> Iterator[State]:
    """A seed state (10:00, inside the MDR window), then the states a run
    reaches from it: the MDRA of today schedules the watched SRV from tomorrow;
    the clock passes its first run (made, and cached where C-1 / C-2 allow);
    and, from the held 5.1, a chain of four appointments loaded, then the run;
    queued work and device conditions (:func:`_queued`), with the two
    appointments and with the chain."""
    profile = profile_of({o: alternative for o in PARAM_OPTIONS})
    tz = profile.settlement_tz
    efd = START + efd_in * DAY
    etd = efd - DAY if profile.etd == "inclusive" else efd
    seed, _ = setup(frame, profile, day_start(START, tz) + 10 * 3600, day_number(etd), day_number(efd))
    state = seed
    yield state
    mdra = world.MDR_OUT if efd > START else world.MDR_IN
    spec = ScheduleSpec(frame.srv_w, START + DAY)
    state, _ = step(state, SubmitRequest(ServiceRequest("Q0", mdra, "MDR", "5.1", frame.device.device_id, True,
                                                        schedule=spec)))  # fmt: skip
    yield state
    held = state
    first_run = window_bounds(START + DAY, window_for("MDR", state.config), tz)[0]
    ran, _ = step(state, AdvanceClock(first_run + 60))
    yield ran
    yield from _queued(frame, seed, ran)
    yield from _two_schedules(frame, held, mdra)
    # a chain of four appointments (the schedule's owner handing over, taking
    # over again, handing over), loaded while the 5.1 is held; its first run
    parties = (world.MDR_OUT, world.MDR_IN, world.MDR_OUT, world.MDR_IN)
    chain = LoadRegistration(_chain(frame, profile, parties, (efd, efd + DAY, efd + 2 * DAY)))
    state, _ = step(held, chain)
    yield state
    chain_ran, _ = step(state, AdvanceClock(first_run + 60))
    yield chain_ran
    # queued work decided again, when it executes, on the chain's registration then
    yield from _queued(frame, step(seed, chain)[0], chain_ran)


def _two_schedules(frame: Frame, held: State, mdra: str) -> Iterator[State]:
    """SCH-1, C-6: a second schedule for the watched key beside the MDRA's
    held 5.1, the Supplier's (its runs in the DSP window) or the same MDRA's
    (both run at the same instant); then each first run made, in time order."""
    device = frame.device.device_id
    spec = ScheduleSpec(frame.srv_w, START + DAY)
    for user, role in ((world.SUPPLIER, "IS"), (mdra, "MDR")):
        request = ServiceRequest("Q1", user, role, "5.1", device, True, schedule=spec)
        state, _ = step(held, SubmitRequest(request))
        yield state
        for at in sorted({due(s, state) for s in state.schedules.values()}):
            state, _ = step(state, AdvanceClock(at + 60))
            yield state


def _chain(frame: Frame, profile: Profile, parties: tuple[str, ...], efds: tuple[dt.date, ...],
           fault: int = 0) -> Registration:  # fmt: skip
    """The MDRA chain of ``parties`` from the first day, each after the first
    from its EFD; the last link with a gap (+1) or an overlap (-1) if ``fault``."""
    starts = (frame.first, *efds)
    ends = [e - DAY if profile.etd == "inclusive" else e for e in efds]
    ends[-1] += fault * DAY
    etds: list[dt.date | None] = [*ends, None]
    return chain_registration(frame, list(zip(parties, starts, etds, strict=True)))


def _watched_read(frame: Frame, state: State, user: str, role: str, execute_at: int | None = None) -> SubmitRequest:
    tz = state.profile.settlement_tz
    watched = settlement_day(frame.ts_w, tz)
    period = ReadLogPeriod(day_start(watched, tz), day_start(watched + DAY, tz) - 1)
    request = ServiceRequest("R0", user, role, frame.srv_w, frame.device.device_id, True, period, execute_at)
    return SubmitRequest(request)


def _queued(frame: Frame, seed: State, ran: State) -> Iterator[State]:
    """SCH-4, SCH-5, C-8: the device off line and the Supplier's read of the
    watched day retried; a future-dated read; the MDRA's read held from 21:00
    to its window; the device restricted after the first run."""
    device = frame.device.device_id
    offline, _ = step(seed, SetDeviceComms(device, False))
    retried, _ = step(offline, _watched_read(frame, offline, world.SUPPLIER, "IS"))
    yield retried
    future, _ = step(seed, _watched_read(frame, seed, world.SUPPLIER, "IS", seed.now + 3 * 3600))
    yield future
    evening, _ = step(seed, AdvanceClock(day_start(START, seed.profile.settlement_tz) + 21 * 3600))
    mdras = seed.registrations[world.MPAN_A].mdras
    mdra = party_on(mdras, evening.today, seed.profile.etd) or mdras[0].party
    held, _ = step(evening, _watched_read(frame, evening, mdra, "MDR"))
    yield held
    restricted, _ = step(ran, RestrictDevice(device))
    yield restricted


def _submissions(state: State, frame: Frame) -> Iterator[Event]:
    tz = state.profile.settlement_tz
    watched = settlement_day(frame.ts_w, tz)
    period = ReadLogPeriod(day_start(watched, tz), day_start(watched + DAY, tz) - 1)
    for n, ((user, role), srv, flag) in enumerate(itertools.product(SENDERS, sorted(SRVS), (True, False))):
        if srv == "5.1" and len(state.schedules) > 1:
            continue  # the abstraction holds at most two schedules
        schedule = ScheduleSpec(frame.srv_w, state.today + DAY) if srv == "5.1" else None
        chosen = period if SRVS[srv].read_log_period else None
        yield SubmitRequest(ServiceRequest(f"Q{n}", user, role, srv, frame.device.device_id, flag, chosen, None,
                                           schedule))  # fmt: skip
    for user, role in SENDERS:  # SCH-4: future-dated reads of the watched day, to the next boundaries
        for at in (state.now + 1, day_start(state.today + DAY, tz) + 3600):
            yield _watched_read(frame, state, user, role, at)


def _device_events(frame: Frame) -> Iterator[Event]:
    device = frame.device.device_id
    yield from (SetDeviceComms(device, True), SetDeviceComms(device, False), RestrictDevice(device))


def _boundaries(state: State) -> Iterator[int]:
    """The instants where something happens: window openings and closings,
    the settlement day's end, every EFD's 00:00, the 25 h cache age, the
    instant queued work falls due."""
    tz = state.profile.settlement_tz
    today = state.today
    marks = [state.now, day_start(today + DAY, tz)]
    marks += [day_start(a.efd, tz) for a in state.registrations[world.MPAN_A].mdras[1:]]
    for day, role in itertools.product((today, today + DAY), ("MDR", "IS")):
        marks.extend(window_bounds(day, window_for(role, state.config), tz))
    marks += [c.retrieved_at + CACHE.max_age_s for slot in state.cache.values() for c in slot.entries.values()]
    marks += [work.due for work in state.pending]
    for mark in sorted(set(marks)):
        yield from (t for t in (mark - 1, mark, mark + 1) if t >= state.now)


def _advances(state: State) -> Iterator[Event]:
    """Clock advances running at most one piece of work (a schedule run or the
    queued work, and no retry of it), as the abstraction does."""
    tz = state.profile.settlement_tz
    dues = sorted([w.due for w in state.pending] + [due(s, state) for s in state.schedules.values()])
    seconds = [
        window_bounds(s.next_run + DAY, window_for(s.role, state.config), tz)[0] for s in state.schedules.values()
    ]
    if dues and state.offline:
        seconds.append(dues[0] + state.config.retry_interval_s)
    limit = min([*dues[1:2], *seconds], default=None)
    for to in _boundaries(state):
        if limit is None or to < limit:
            yield AdvanceClock(to)


def _loads(state: State, frame: Frame) -> Iterator[Event]:
    for shift, fault in itertools.product((-1, 0, 1, 3), (0, 1, -1)):  # fault: a gap (+1) or an overlap (-1)
        efd = max(state.today + shift * DAY, frame.first + DAY)
        etd = (efd - DAY if state.profile.etd == "inclusive" else efd) + fault * DAY
        yield LoadRegistration(registration(frame, day_number(etd), day_number(efd)))
    # chains of three and four appointments, a later link with a gap or an overlap
    parties = (world.MDR_OUT, world.MDR_IN, world.MDR_OUT, world.MDR_IN)
    for shift, fault, length in itertools.product((-1, 0, 1), (0, 1, -1), (3, 4)):
        efd = max(state.today + shift * DAY, frame.first + DAY)
        efds = tuple(efd + n * DAY for n in range(length - 1))
        yield LoadRegistration(_chain(frame, state.profile, parties[:length], efds, fault))


@pytest.mark.req("REG-3", "REG-4", "REG-5", "AC-1", "AC-3", "AC-6", "AC-7", "AC-8", "FS-2", "FS-4", "FS-5",
                 "TRT-1", "TRT-2", "TRT-3", "C-1", "C-2", "C-5", "C-7", "C-8", "SCH-1", "SCH-3", "SCH-4",
                 "SCH-5")  # fmt: skip
def test_every_bounded_event_from_every_reached_state_refines_the_encoding() -> None:
    check = checker(FIRST, LAST)
    found: list[str] = []
    pairs = 0
    kinds: set[str] = set()
    for generation, kind, srv, alternative, efd_in in SEEDS:
        frame = _frame(generation, kind, srv)
        for state in _reached(frame, alternative, efd_in):
            events = [*_submissions(state, frame), *_advances(state), *_loads(state, frame), *_device_events(frame)]
            for event in events:
                refused = False
                try:
                    post, outputs = step(state, event)
                except InvalidEvent:
                    assert isinstance(event, LoadRegistration), event
                    post, outputs, refused = state, (), True
                if len(post.pending) > 1:
                    continue  # the abstraction queues one piece of work (proofs/README.md, "Queued work")
                problem = check.check(frame, alt_of(state.profile), abstract_state(frame, state),
                                      abstract_event(frame, event), abstract_state(frame, post),
                                      abstract_output(frame, state, outputs, refused))  # fmt: skip
                pairs += 1
                kinds.add(type(event).__name__)
                if problem is not None:
                    found.append(f"{generation} {kind} {srv} at {state.now}: {event}: {problem.direction}")
    print(f"refinement: {pairs} (state, event) pairs checked, event kinds {sorted(kinds)}")
    assert found == []
    assert kinds == {"SubmitRequest", "AdvanceClock", "LoadRegistration", "SetDeviceComms", "RestrictDevice"}
    assert pairs >= 1500
