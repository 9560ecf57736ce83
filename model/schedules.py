"""DSP Schedules and scheduling windows (SCH-1..SCH-5, SCH-7, C-6).

A schedule runs once a settlement day, when its owner's window opens: the MDR
window for a schedule created in the MDR role, the existing DSP window for any
other (SCH-4).  Each run reads the previous settlement day.  Window times are
wall-clock times of the settlement time zone, exact on clock-change days.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from . import cache
from .clock import settlement_day, zone
from .entities import Schedule, ServiceRequest
from .outputs import Alert
from .profile import ServiceConfig, Window
from .registration import ONE_DAY
from .state import State, evolve


def window_for(role: str, config: ServiceConfig) -> Window:
    """SCH-4: the MDR window applies to every MDRA request; others use the DSP window."""
    return config.mdr_window if role == "MDR" else config.dsp_window


@lru_cache(maxsize=65536)
def window_bounds(day: dt.date, window: Window, settlement_tz: str) -> tuple[int, int]:
    """The instants a window opens and closes on a settlement day."""
    return _wall_clock(day, window.open_s, settlement_tz), _wall_clock(day, window.close_s, settlement_tz)


def _wall_clock(day: dt.date, seconds: int, settlement_tz: str) -> int:
    extra_days, seconds = divmod(seconds, 86400)
    day = day + dt.timedelta(days=extra_days)
    hours, rest = divmod(seconds, 3600)
    local = dt.datetime(day.year, day.month, day.day, hours, rest // 60, rest % 60, tzinfo=zone(settlement_tz))
    return int(local.timestamp())


def next_window_open(at: int, window: Window, settlement_tz: str) -> int:
    """SCH-4: ``at`` itself if inside the window, else the window's next opening."""
    day = settlement_day(at, settlement_tz)
    opens, closes = window_bounds(day, window, settlement_tz)
    if opens <= at < closes:
        return at
    if at < opens:
        return opens
    return window_bounds(day + ONE_DAY, window, settlement_tz)[0]


def due(schedule: Schedule, state: State) -> int:
    """The instant of a schedule's next run."""
    window = window_for(schedule.role, state.config)
    return window_bounds(schedule.next_run, window, state.profile.settlement_tz)[0]


def create(state: State, request: ServiceRequest) -> tuple[State, Schedule]:
    """SCH-1: record a new schedule; its first run is the first window opening
    on or after its start day that is still to come."""
    assert request.schedule is not None
    spec = request.schedule
    schedule = Schedule(
        schedule_id=state.next_schedule_id,
        owner=request.user_id,
        role=request.role,
        device_id=request.device_id,
        srv=spec.srv,
        for_settlement=request.for_settlement is True or request.role == "MDR",
        start_day=spec.start_day,
        end_day=spec.end_day,
        next_run=spec.start_day,
    )
    while due(schedule, state) <= state.now:
        schedule = schedule.moved_on()
    schedules = dict(state.schedules)
    schedules[schedule.schedule_id] = schedule
    return evolve(state, schedules=schedules, next_schedule_id=state.next_schedule_id + 1), schedule


def owned(state: State, request: ServiceRequest) -> tuple[Schedule, ...]:
    """SCH-2: the sender's own schedules the request names (by id, else by device)."""
    return tuple(
        s
        for s in sorted(state.schedules.values(), key=lambda s: s.schedule_id)
        if s.owner == request.user_id
        and (
            s.schedule_id == request.schedule_id
            if request.schedule_id is not None
            else s.device_id == request.device_id
        )
    )


def remove(state: State, doomed: tuple[Schedule, ...]) -> State:
    """Remove schedules, their queued runs and (C-6) the cache they kept alive."""
    if not doomed:
        return state
    ids = {s.schedule_id for s in doomed}
    schedules = {k: v for k, v in state.schedules.items() if k not in ids}
    pending = tuple(p for p in state.pending if p.schedule_id not in ids)
    state = evolve(state, schedules=schedules, pending=pending)
    for schedule in doomed:
        # C-6: the cache for that device and SRV is removed with the schedule.
        state = cache.drop(state, schedule.device_id, schedule.srv)
    return state


def finish_run(state: State, schedule: Schedule) -> State:
    """Move a schedule to its next day; at its last run (on its end day) remove
    it, with its cache (C-6), before that run executes (SCH-1: the run itself
    still executes and is retried like any other, SCH-5)."""
    following = schedule.next_run + ONE_DAY
    if schedule.end_day is not None and following > schedule.end_day:
        return remove(state, (schedule,))
    schedules = dict(state.schedules)
    schedules[schedule.schedule_id] = schedule.moved_on()
    return evolve(state, schedules=schedules)


def on_mdra_change(state: State, mpan: str, outgoing: str, at: int) -> tuple[State, tuple[Alert, ...]]:
    """SCH-3: at the incoming EFD the outgoing MDRA's schedules on the MPAN's
    devices are deleted and it is alerted (profile 'delete'); under 'keep' they
    stay and each later run is refused by AC-3."""
    if state.profile.schedules_on_mdra_change != "delete":
        return state, ()
    doomed = tuple(
        s
        for s in sorted(state.schedules.values(), key=lambda s: s.schedule_id)
        if s.owner == outgoing and s.role == "MDR" and state.devices[s.device_id].mpan == mpan
    )
    alerts = tuple(Alert("MHHS-A1", outgoing, at, s.device_id, s.schedule_id, ("SCH-3",)) for s in doomed)
    return remove(state, doomed), alerts
