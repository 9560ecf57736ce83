"""DSP Schedules and the scheduling windows (SCH-1..SCH-4, C-13)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from .clock import DAY, SettlementClock, parse_day
from .users import MDR


@dataclass(frozen=True)
class Schedule:
    schedule_id: int
    owner: str
    role: str
    device_id: str
    srv: str
    for_settlement: bool
    start_day: date
    end_day: date | None
    next_run: date | None  # the next settlement day it runs on; None once finished


def decode_schedule(data: dict[str, Any]) -> Schedule:
    return Schedule(
        int(data["schedule_id"]),
        data["owner"],
        data["role"],
        data["device_id"],
        data["srv"],
        bool(data["for_settlement"]),
        parse_day(data["start_day"]),
        parse_day(data["end_day"]) if data["end_day"] else None,
        parse_day(data["next_run"]) if data.get("next_run") else None,
    )


@dataclass(frozen=True)
class Windows:
    """SCH-4: the DSP and MDR windows, seconds of wall-clock time after local 00:00."""

    dsp: tuple[int, int]
    mdr: tuple[int, int]

    def of(self, role: str) -> tuple[int, int]:
        return self.mdr if role == MDR else self.dsp


def inside(clock: SettlementClock, window: tuple[int, int], instant: int) -> bool:
    """SCH-4: is the instant inside the window of its settlement day (open inclusive, close exclusive)?"""
    day = clock.day_of(instant)
    return clock.local_time(day, window[0]) <= instant < clock.local_time(day, window[1])


def next_opening(clock: SettlementClock, window: tuple[int, int], instant: int) -> int:
    """SCH-4: when a request held at ``instant`` executes: the next window opening."""
    day = clock.day_of(instant)
    opening = clock.local_time(day, window[0])
    return opening if opening > instant else clock.local_time(day + DAY, window[0])


class ScheduleBook:
    """Every DSP Schedule; ids continue from the largest of the initial state (SCH-1)."""

    def __init__(self, schedules: list[Schedule]) -> None:
        self.by_id: dict[int, Schedule] = {s.schedule_id: s for s in schedules}
        self.last_id = max(self.by_id, default=0)

    def create(self, owner: str, role: str, device_id: str, srv: str, mhhs: bool, start: date, end: date | None,
               first_run: date | None) -> Schedule:  # fmt: skip
        self.last_id += 1
        schedule = Schedule(self.last_id, owner, role, device_id, srv, mhhs, start, end, first_run)
        self.by_id[schedule.schedule_id] = schedule
        return schedule

    def delete(self, schedule_id: int) -> Schedule:
        return self.by_id.pop(schedule_id)

    def owned(self, owner: str, *, schedule_id: int | None = None, device_id: str = "") -> list[Schedule]:
        """SCH-2: the sender's own schedules, by id or by device."""
        return [
            s
            for s in sorted(self.by_id.values(), key=lambda s: s.schedule_id)
            if s.owner == owner
            and (schedule_id is None or s.schedule_id == schedule_id)
            and (not device_id or s.device_id == device_id)
        ]

    def active_for(self, device_id: str, srv: str, today: date, from_creation: bool) -> bool:
        """C-2 / C-13: an active DSP Schedule for this device and SRV (any owner)."""
        for s in self.by_id.values():
            if s.device_id != device_id or s.srv != srv:
                continue
            started = from_creation or s.start_day <= today
            if started and (s.end_day is None or today <= s.end_day):
                return True
        return False

    def ran(self, schedule_id: int) -> None:
        """The run of ``next_run`` happened: the next one is the day after, if any."""
        s = self.by_id[schedule_id]
        assert s.next_run is not None
        following = s.next_run + DAY
        self.by_id[schedule_id] = replace(s, next_run=None if s.end_day and following > s.end_day else following)


def first_run(clock: SettlementClock, window: tuple[int, int], start: date, end: date | None, now: int) -> date | None:
    """The first settlement day, from ``start``, whose window opens after now."""
    day = max(start, clock.day_of(now))
    if clock.local_time(day, window[0]) <= now:
        day += DAY
    return None if end is not None and day > end else day
