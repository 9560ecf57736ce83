"""Fresh suites, the calendar: which whole-day shifts keep a vector's
calendar facts true (:mod:`.fresh`).

A vector's *window* is the span of settlement days its clock, its events and
its schedules touch (appointment and commissioning dates far before it are
history: shifted with the rest, they stay before it).  The calendar facts a
vector may depend on are the marked days of its window, one day either side:
the UK clock changes (a spring day of 46 half-hours, an autumn day of 50,
REG-8, CON-5), 29 February and 1 January.  A shift of ``days`` keeps them
when the shifted window holds the same marks at the same places and starts
at the same UK offset (so every instant of the window keeps its offset, and
every settlement day its length and its local midnight).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from functools import lru_cache
from typing import Final

from mhhs_sec.model.clock import day_start, half_hours

# Spring and autumn clock changes by their settlement day's half-hours (REG-8).
_CLOCK_CHANGES: Final = {46: "clock-change-spring", 50: "clock-change-autumn"}
# The Gregorian calendar, and with it the UK clock changes (which fall on a
# fixed weekday of March and of October), repeats every 28 years between 1901
# and 2099.
CYCLE_YEARS: Final = 28
# Target years a seed picks from (a fresh suite's dates land in one of them).
FIRST_YEAR: Final = 2027
YEARS: Final = 24
JITTER_DAYS: Final = 40
CANDIDATE_YEARS: Final = 6

Window = tuple[dt.date, dt.date]


def derived(seed: int, *labels: object) -> int:
    """A 64-bit number that depends only on the seed and the labels."""
    text = "/".join(str(part) for part in (seed, *labels))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


@lru_cache(maxsize=1 << 14)
def mark(day: dt.date) -> str | None:
    """The calendar fact a settlement day carries, if any."""
    if (day.month, day.day) == (2, 29):
        return "leap-day"
    if (day.month, day.day) == (1, 1):
        return "new-year"
    return _CLOCK_CHANGES.get(half_hours(day, "uk"))


def shape(window: Window) -> tuple[int, tuple[tuple[int, str], ...]]:
    """The UK offset at the window's start and its marked days (one day either
    side included), each as (days from the start, mark)."""
    first, last = window
    start = first - dt.timedelta(days=1)
    marks = []
    for offset in range((last - start).days + 2):
        found = mark(start + dt.timedelta(days=offset))
        if found is not None:
            marks.append((offset, found))
    utc_midnight = (first - dt.date(1970, 1, 1)).days * 86400
    return utc_midnight - day_start(first, "uk"), tuple(marks)


def keeps_calendar(window: Window, days: int) -> bool:
    """Shifting by ``days`` keeps the window's calendar facts (module docstring)."""
    step = dt.timedelta(days=days)
    return shape(window) == shape((window[0] + step, window[1] + step))


def _same_mark_in(year: int, kind: str) -> dt.date:
    """The day of ``year`` carrying mark ``kind``."""
    if kind == "new-year":
        return dt.date(year, 1, 1)
    if kind == "leap-day":  # the first leap year from ``year`` on (1901..2099: every fourth)
        return dt.date(year + (-year % 4), 2, 29)
    # the clock change as the model's settlement calendar has it (no second copy of the UK rule)
    month = 3 if kind == "clock-change-spring" else 10
    return next(day for day in (dt.date(year, month, n) for n in range(1, 32)) if mark(day) == kind)


def target_years(seed: int) -> list[int]:
    """The years a seed moves vectors into, in the order tried."""
    years: list[int] = []
    for attempt in range(4 * CANDIDATE_YEARS):
        year = FIRST_YEAR + derived(seed, "year", attempt) % YEARS
        if year not in years:
            years.append(year)
    return years[:CANDIDATE_YEARS]


def candidate_shifts(seed: int, window: Window) -> Iterator[int]:
    """Whole-day shifts to try, in order: onto the same calendar fact in each
    target year (a window with marks: its first marked day lands on that
    year's day with the same mark), else to the same day of the target year
    moved by a jitter drawn from the seed; last, whole 28-year cycles, which
    keep every fact.  The jitter depends on the seed alone, so vectors of the
    same kind move together and stories that differ only in their dates stay
    different."""
    first, _ = window
    marks = shape(window)[1]
    for year in target_years(seed):
        if marks:
            offset, kind = marks[0]
            anchor = first + dt.timedelta(days=offset - 1)
            yield (_same_mark_in(year + anchor.year - first.year, kind) - anchor).days
            continue
        jitter = derived(seed, "jitter", year) % (2 * JITTER_DAYS + 1) - JITTER_DAYS
        yield (_same_day_in(first, year) - first).days + jitter
    for cycles in (1, -1, 2):
        yield (_same_day_in(first, first.year + cycles * CYCLE_YEARS) - first).days


def _same_day_in(day: dt.date, year: int) -> dt.date:
    return (
        day.replace(year=year) if (day.month, day.day) != (2, 29) or year % 4 == 0 else day.replace(year=year, day=28)
    )
