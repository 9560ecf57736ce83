"""The Z3 encoding and the Python model agree step by step.

Hypothesis drives the model through random runs of the abstraction's world
(MPAN_A, its Supplier and two MDRAs, one device, at most two schedules); every
concrete step is checked against the Z3 transition relation both ways: the
model's (pre, event, post, outputs) is a Z3 step, and Z3 has no other
successor for that pre-state and event.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mhhs_sec.model import InvalidEvent, step, world
from mhhs_sec.model.clock import day_start, settlement_day
from mhhs_sec.model.entities import ReadLogPeriod, ScheduleSpec, ServiceRequest
from mhhs_sec.model.events import (
    AdvanceClock,
    Event,
    LoadRegistration,
    RestrictDevice,
    SetDeviceComms,
    SubmitRequest,
)
from mhhs_sec.model.profile import PROFILE_OPTIONS
from mhhs_sec.model.registration import party_on
from mhhs_sec.model.rules import ROLES
from mhhs_sec.model.schedules import due, window_bounds, window_for
from mhhs_sec.model.state import State
from mhhs_sec.model.tables import CACHE, GENERATIONS, SRVS
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
    setup,
)
from mhhs_sec.proofs.inputs import PARTIES
from mhhs_sec.proofs.symbolic import PARAM_OPTIONS

FIRST, LAST = dt.date(2025, 3, 10), dt.date(2025, 4, 30)  # spans the spring clock change
DAY = dt.timedelta(days=1)


@st.composite
def frames(draw: st.DrawFn) -> tuple[Frame, dict[str, bool], int, int, int]:
    alt = {o: draw(st.sampled_from([False, False, False, True])) for o in PARAM_OPTIONS}
    profile = profile_of(alt)
    start = dt.date(2025, 3, 24) + draw(st.integers(0, 12)) * DAY
    # mostly inside the MDR window (07:00-20:00), where MDR reads execute at once
    now = day_start(start, profile.settlement_tz) + draw(st.sampled_from([*range(14, 40), 0, 2, 46])) * 1800
    srv_w = draw(st.sampled_from([*CACHE.srvs, "4.8.2", "4.6.1"]))
    step_s = 86400 if SRVS[srv_w].cadence == "daily" else 1800
    ts_w = day_start(start - draw(st.integers(1, 3)) * DAY, "utc") + draw(st.integers(0, 47)) * 1800
    ts_w -= ts_w % step_s
    frame = Frame(draw(st.sampled_from([*GENERATIONS, "SMETS1"])), draw(st.sampled_from(["ESME", "ESME", "GSME"])),
                  dt.date(2025, 3, 15), dt.date(2025, 3, 15), srv_w, ts_w)  # fmt: skip
    efd = start + draw(st.integers(-3, 4)) * DAY
    etd = efd - DAY if profile.etd == "inclusive" else efd
    return frame, alt, now, day_number(etd), day_number(efd)


SENDERS = [(world.SUPPLIER, "IS"), (world.SUPPLIER, "ES"), (world.MDR_OUT, "MDR"), (world.MDR_IN, "MDR"),
           (world.NETWORK_OPERATOR, "ED"), (world.OTHER_USER, "OU")]  # fmt: skip


def _request(draw: st.DrawFn, state: State, frame: Frame, n: int) -> Event | None:
    if draw(st.integers(0, 9)):
        user, role = draw(st.sampled_from(SENDERS))
    else:
        user, role = draw(st.sampled_from(PARTIES)), draw(st.sampled_from(ROLES))
    srv = draw(st.sampled_from([frame.srv_w, frame.srv_w, "5.1", "5.1", "5.3", *sorted(SRVS)]))
    flag = draw(st.sampled_from([role in ("MDR", "IS", "ES"), None, True, False]))
    tz = state.profile.settlement_tz
    today = settlement_day(state.now, tz)
    period = schedule = None
    watched = settlement_day(frame.ts_w, tz)
    if SRVS[srv].read_log_period:
        first = draw(st.sampled_from([watched, watched, *(today - k * DAY for k in range(5))]))
        start = day_start(first, tz) + draw(st.sampled_from([0, 0, 1800, 3600]))
        end = day_start(first + draw(st.integers(1, 2)) * DAY, tz) - draw(st.sampled_from([1, 1, 1800]))
        period = ReadLogPeriod(start, end)
    if srv == "5.1":
        if len(state.schedules) > 1:
            return None  # the abstraction holds two schedules
        scheduled = draw(st.sampled_from([frame.srv_w] * 12 + sorted(SRVS)))
        schedule = ScheduleSpec(scheduled, today + draw(st.integers(0, 2)) * DAY)
    execute_at = None  # SCH-4: sometimes future-dated
    if SRVS[srv].device_request and not draw(st.integers(0, 4)):
        execute_at = state.now + draw(st.sampled_from([1, 1800, 6 * 3600, 20 * 3600]))
    device = frame.device.device_id
    return SubmitRequest(ServiceRequest(f"P{n}", user, role, srv, device, flag, period, execute_at, schedule))


def _mdra_on(state: State, day: dt.date) -> str:
    """The MPAN's MDRA on a settlement day (the first, before the chain begins)."""
    mdras = state.registrations[world.MPAN_A].mdras
    return party_on(mdras, day, state.profile.etd) or mdras[0].party


def _schedule(state: State, frame: Frame, n: int) -> Event | None:
    """The MDRA of today schedules the watched SRV from tomorrow (reaches runs
    and the cache; a second schedule for the same key beside another)."""
    if len(state.schedules) > 1:
        return None
    tz = state.profile.settlement_tz
    today = settlement_day(state.now, tz)
    mdra = _mdra_on(state, today)
    spec = ScheduleSpec(frame.srv_w, today + DAY)
    return SubmitRequest(ServiceRequest(f"P{n}", mdra, "MDR", "5.1", frame.device.device_id, True, schedule=spec))


def _read_watched(draw: st.DrawFn, state: State, frame: Frame, n: int) -> Event | None:
    """A read of the watched entry's settlement day by its MDRA or the Supplier."""
    tz = state.profile.settlement_tz
    day = settlement_day(frame.ts_w, tz)
    user, role = draw(st.sampled_from([(_mdra_on(state, day), "MDR"), (world.SUPPLIER, "IS")]))
    period = ReadLogPeriod(day_start(day, tz), day_start(day + DAY, tz) - 1)
    request = ServiceRequest(f"P{n}", user, role, frame.srv_w, frame.device.device_id, True, period)
    return SubmitRequest(request)


def _advance(draw: st.DrawFn, state: State) -> Event:
    to = state.now + draw(st.sampled_from([0, 1, 1800, 3600, 6 * 3600, 12 * 3600, 25 * 3600, 30 * 3600]))
    # the abstraction runs at most one piece of work (a schedule run or the
    # queued work, and no retry of it) per clock advance
    tz = state.profile.settlement_tz
    dues = sorted([w.due for w in state.pending] + [due(s, state) for s in state.schedules.values()])
    seconds = [window_bounds(s.next_run + DAY, window_for(s.role, state.config), tz)[0]
               for s in state.schedules.values()]  # fmt: skip
    if dues and state.offline:
        seconds.append(dues[0] + state.config.retry_interval_s)
    for limit in [*dues[1:2], *seconds]:
        to = min(to, limit - 1)
    return AdvanceClock(max(to, state.now))


def _device(draw: st.DrawFn, frame: Frame) -> Event:
    """SCH-5, C-8: the device goes off or on line, or is restricted."""
    device = frame.device.device_id
    return draw(st.sampled_from([SetDeviceComms(device, False), SetDeviceComms(device, True), RestrictDevice(device)]))


def _load(draw: st.DrawFn, state: State, frame: Frame) -> Event:
    """A chain of one to four appointments of the two MDRAs (the first the
    outgoing MDRA's), sometimes with a gap or an overlap at one link."""
    today = settlement_day(state.now, state.profile.settlement_tz)
    efd = max(today + draw(st.integers(-2, 4)) * DAY, frame.first + DAY)
    mdras: list[tuple[str, dt.date, dt.date | None]] = [(world.MDR_OUT, frame.first, None)]
    for _ in range(draw(st.sampled_from([1, 1, 0, 2, 3]))):
        etd = efd - DAY if state.profile.etd == "inclusive" else efd
        etd += draw(st.sampled_from([dt.timedelta(0)] * 4 + [DAY, -DAY]))  # sometimes a gap or an overlap
        mdras[-1] = (mdras[-1][0], mdras[-1][1], etd)
        mdras.append((draw(st.sampled_from([world.MDR_IN, world.MDR_OUT])), efd, None))
        efd += draw(st.sampled_from([DAY, 2 * DAY]))
    return LoadRegistration(chain_registration(frame, mdras))


@pytest.mark.req("REG-3", "REG-4", "REG-5", "AC-1", "AC-3", "AC-6", "AC-7", "AC-8", "FS-2", "FS-4", "FS-5",
                 "TRT-1", "TRT-2", "TRT-3", "C-1", "C-2", "C-3", "C-4", "C-5", "C-6", "C-7", "SCH-1", "SCH-3",
                 "SCH-4")  # fmt: skip
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_encoding_and_model_agree_step_by_step(data: st.DataObject) -> None:
    frame, alt, now, a_etd, b_efd = data.draw(frames())
    state, _ = setup(frame, profile_of(alt), now, a_etd, b_efd)
    check = checker(FIRST, LAST)
    for n in range(10):
        choice = data.draw(st.sampled_from(["submit", "submit", "advance", "advance", "load", "schedule", "read",
                                            "device"]))  # fmt: skip
        if choice == "schedule":
            event = _schedule(state, frame, n)
        elif choice == "read":
            event = _read_watched(data.draw, state, frame, n)
        elif choice == "submit":
            event = _request(data.draw, state, frame, n)
        elif choice == "advance":
            event = _advance(data.draw, state)
        elif choice == "device":
            event = _device(data.draw, frame)
        else:
            event = _load(data.draw, state, frame)
        if event is None:
            continue
        refused = False
        try:
            post, outputs = step(state, event)
        except InvalidEvent:
            assert isinstance(event, LoadRegistration), event
            post, outputs, refused = state, (), True
        if len(post.pending) > 1:
            continue  # the abstraction queues one piece of work (proofs/README.md, "Queued work")
        assert settlement_day(post.now, post.profile.settlement_tz) <= LAST - 3 * DAY
        pre_v, post_v = abstract_state(frame, state), abstract_state(frame, post)
        out_v = abstract_output(frame, state, outputs, refused)
        problem = check.check(frame, alt_of(state.profile), pre_v, abstract_event(frame, event), post_v, out_v)
        assert problem is None, (
            f"step {n}: {event}\nmodel state {post_v}\nmodel output {out_v}\n"
            f"Z3 ({problem.direction}) state {problem.z3_state}\nZ3 output {problem.z3_output}"
        )
        state = post


@pytest.mark.req("REG-8", "SCH-8", "AUD-3")
def test_profile_parameters_cover_every_interpretation_option() -> None:
    # every interp option of the catalogue is a parameter of the encoding but S1-1 (daily-log
    # timestamps), SCH-8 (the encoding holds reads only: its default) and AUD-3 (it has no audit trail)
    outside = {"daily_log_delay_tolerance_s", "mdr_window_scope", "audit_extract"}
    assert set(PROFILE_OPTIONS) - set(PARAM_OPTIONS) == outside


@pytest.mark.req("REG-1", "REG-7", "AC-1", "AC-5", "AC-6", "AC-7", "AC-8", "FS-2", "FS-4", "FS-5", "REG-11",
                 "TRT-1", "TRT-2", "TRT-3")  # fmt: skip
@pytest.mark.parametrize("alternative", [False, True], ids=["default-profile", "alternative-profile"])
def test_every_submission_agrees_with_the_encoding(alternative: bool) -> None:
    """Exhaustively, not by sampling: every sender and role of the world, every
    SRV, ForSettlement true or false and every device kind and generation, one
    submission each (a read of yesterday, a 5.1 from tomorrow), under the
    default profile and under every alternative option at once."""
    alt = {o: alternative for o in PARAM_OPTIONS}
    profile = profile_of(alt)
    start = dt.date(2025, 3, 26)
    now = day_start(start, profile.settlement_tz) + 10 * 3600  # inside the MDR window
    etd = start + DAY if profile.etd == "inclusive" else start + 2 * DAY
    check = checker(FIRST, LAST)
    found = []
    for generation, kind, (user, role), srv, flag in itertools.product(
        GENERATIONS, ("ESME", "GSME"), SENDERS, sorted(SRVS), (True, False)
    ):
        frame = Frame(generation, kind, dt.date(2025, 3, 15), dt.date(2025, 3, 15), "4.8.1",
                      day_start(start - DAY, "utc") + 1800)  # fmt: skip
        state, _ = setup(frame, profile, now, day_number(etd), day_number(start + 2 * DAY))
        yesterday = start - DAY
        tz = profile.settlement_tz
        period = (
            ReadLogPeriod(day_start(yesterday, tz), day_start(start, tz) - 1) if SRVS[srv].read_log_period else None
        )
        schedule = ScheduleSpec("4.8.1", start + DAY) if srv == "5.1" else None
        request = ServiceRequest("P0", user, role, srv, frame.device.device_id, flag, period, None, schedule)
        event = SubmitRequest(request)
        post, outputs = step(state, event)
        problem = check.check(frame, alt, abstract_state(frame, state), abstract_event(frame, event),
                              abstract_state(frame, post), abstract_output(frame, state, outputs, False))  # fmt: skip
        if problem is not None:
            found.append(f"{role} {srv} flag {flag} {generation} {kind}: {problem.direction}, model {outputs}")
    assert found == []


# SCH-3 x SCH-9: every option at its default, every option at its alternative, and
# schedules kept (SCH-3) with the run on the EFD answered (SCH-9 default).
_AROUND_A_CHANGE = {
    "default-profile": {},
    "alternative-profile": {o: True for o in PARAM_OPTIONS},
    "kept-runs-answered": {"schedules_on_mdra_change": True},
}


@pytest.mark.req("SCH-1", "SCH-3", "SCH-4", "SCH-9", "AC-3", "REG-3", "REG-12", "C-1", "C-2", "C-3")
@pytest.mark.parametrize("name", sorted(_AROUND_A_CHANGE))
def test_every_schedule_run_around_an_mdra_change_agrees_with_the_encoding(name: str) -> None:
    """Exhaustively: a 5.1 by the outgoing or the incoming MDRA, for each cache
    SRV, to every device generation and kind, with the incoming EFD from the day
    before the first run to three days after it; then the clock moves past two
    runs, one at a time.  Every step is checked against the Z3 relation."""
    alt = {o: _AROUND_A_CHANGE[name].get(o, False) for o in PARAM_OPTIONS}
    alternative = alt["schedules_on_mdra_change"]
    profile = profile_of(alt)
    tz = profile.settlement_tz
    start = dt.date(2025, 3, 26)
    check = checker(FIRST, LAST)
    found: list[str] = []
    seen: set[str] = set()  # what the steps did: the test must reach runs and the SCH-3 outcome
    for generation, kind, user, srv, efd_offset in itertools.product(
        GENERATIONS, ("ESME", "GSME"), (world.MDR_OUT, world.MDR_IN), sorted(CACHE.srvs), range(0, 5)
    ):
        efd = start + efd_offset * DAY
        etd = efd - DAY if profile.etd == "inclusive" else efd
        frame = Frame(generation, kind, dt.date(2025, 3, 15), dt.date(2025, 3, 15), srv,
                      day_start(start, "utc") + 1800)  # fmt: skip
        state, _ = setup(frame, profile, day_start(start, tz) + 10 * 3600, day_number(etd), day_number(efd))
        spec = ScheduleSpec(srv, start + DAY)
        runs = [window_bounds(start + n * DAY, window_for("MDR", state.config), tz)[0] + 60 for n in (1, 2)]
        events: list[Event] = [
            SubmitRequest(ServiceRequest("P0", user, "MDR", "5.1", frame.device.device_id, True, schedule=spec)),
            *[AdvanceClock(at) for at in runs],
        ]
        for n, event in enumerate(events):
            post, outputs = step(state, event)
            before, after = abstract_state(frame, state), abstract_state(frame, post)
            out = abstract_output(frame, state, outputs, False)
            problem = check.check(frame, alt, before, abstract_event(frame, event), after, out)
            if problem is not None:
                found.append(f"{user} {srv} {generation} {kind} EFD {efd} step {n}: {problem.direction}")
            seen |= {f"{type(o).__name__}:{getattr(o, 'mode', '')}:{getattr(o, 'code', '')}" for o in outputs}
            state = post
    assert found == []
    # SCH-3: schedules of the outgoing MDRA are deleted with an alert ('delete'), or
    # kept and each later run refused by AC-3 ('keep', the alternative).
    outgoing = "Response:scheduled:E4" if alternative else "Alert::MHHS-A1"
    assert {"Response:scheduled:I0", outgoing} <= seen, seen


@pytest.mark.req("C-2", "C-3", "C-12", "C-13")
@pytest.mark.parametrize("option", ["", "retrieved_entries", "schedule_active"])
def test_every_cache_store_agrees_with_the_encoding(option: str) -> None:
    """Exhaustively over the stories where C-12 and C-13 part: the Supplier
    schedules the watched SRV of a SMETS1 ESME from today or tomorrow, reads a
    later old day (raising the latest retrieved entry) then the watched, older,
    day twice, and the clock moves past the first run; every watched entry of
    that day, under the default and under the option's alternative."""
    alt = {o: o == option for o in PARAM_OPTIONS}
    profile = profile_of(alt)
    tz = profile.settlement_tz
    start = dt.date(2025, 3, 26)
    check = checker(FIRST, LAST)
    found: list[str] = []
    served = set()
    for srv, offset, slot in itertools.product(sorted(CACHE.srvs), (0, 1), range(0, 48, 7)):
        watched = start - 3 * DAY
        step_s = 86400 if SRVS[srv].cadence == "daily" else 1800
        frame = Frame("SMETS1", "ESME", dt.date(2025, 3, 15), dt.date(2025, 3, 15), srv,
                      day_start(watched, "utc") + slot * 1800 // step_s * step_s)  # fmt: skip
        state, _ = setup(frame, profile, day_start(start, tz) + 10 * 3600, day_number(start + 9 * DAY),
                         day_number(start + 10 * DAY))  # fmt: skip
        device, role = frame.device.device_id, "ES" if srv == "4.8.3" else "IS"  # export: the ES role
        reads = [
            ServiceRequest(f"P{n}", world.SUPPLIER, role, srv, device, None,
                           ReadLogPeriod(day_start(day, tz), day_start(day + DAY, tz) - 1))
            for n, day in enumerate((watched + DAY, watched, watched, watched), 1)
        ]  # fmt: skip
        spec = ScheduleSpec(srv, start + offset * DAY)
        events: list[Event] = [
            SubmitRequest(ServiceRequest("P0", world.SUPPLIER, role, "5.1", device, None, schedule=spec)),
            *[SubmitRequest(r) for r in reads[:3]],
            AdvanceClock(day_start(start + DAY, tz) + 3600), SubmitRequest(reads[3]),
        ]  # fmt: skip
        for n, event in enumerate(events):
            post, outputs = step(state, event)
            out = abstract_output(frame, state, outputs, False)
            problem = check.check(frame, alt, abstract_state(frame, state), abstract_event(frame, event),
                                  abstract_state(frame, post), out)  # fmt: skip
            if problem is not None:
                found.append(f"{srv} start +{offset} slot {slot} step {n}: {problem.direction}")
            served.add((offset, n, bool(out["ts_cached"])))
            state = post
    assert found == []
    # The second read of the watched day (step 3) is served from the cache when the first
    # cached it: C-13 default, a schedule from tomorrow is not active today; C-12 default,
    # an entry never retrieved is cached though a later one was retrieved first.
    expected = {"": {(0, True), (1, False)}, "retrieved_entries": {(0, False), (1, False)},
                "schedule_active": {(0, True), (1, True)}}[option]  # fmt: skip
    assert {(offset, cached) for offset, n, cached in served if n == 3} == expected
