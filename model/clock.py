"""Settlement time: instants, settlement days and their half-hours.

An instant is an integer count of seconds since 1970-01-01T00:00Z (UTC); the
model never reads a wall clock.  A settlement day is a calendar date in the
settlement time zone: Europe/London by default, UTC under the REG-8 profile
option.  A settlement day starts at local 00:00 (REG-3, REG-8); on the spring
clock change it has 46 half-hours and on the autumn one 50 (REG-8, CON-5).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo

HALF_HOUR: Final = 1800
DAY: Final = 86400
UTC: Final = dt.UTC
_TZ_NAMES: Final = {"uk": "Europe/London", "utc": "UTC"}


def zone(settlement_tz: str) -> dt.tzinfo:
    """The tzinfo of a REG-8 profile value ('uk' or 'utc')."""
    return _zone(settlement_tz)


@lru_cache(maxsize=4)
def _zone(settlement_tz: str) -> dt.tzinfo:
    return ZoneInfo(_TZ_NAMES[settlement_tz])


@lru_cache(maxsize=1 << 16)
def parse_instant(text: str) -> int:
    """An ISO 8601 date-time with an offset (e.g. '2025-03-30T00:00:00Z')."""
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"instant {text!r} has no UTC offset")
    try:  # only an instant that can be written back (format_instant): its UTC date lies in years 1 to 9999
        return int(value.astimezone(UTC).timestamp())
    except OverflowError:
        raise ValueError("instant outside the years 1 to 9999 in UTC") from None


@lru_cache(maxsize=1 << 16)
def format_instant(instant: int) -> str:
    """The canonical text of an instant: UTC with a 'Z' suffix."""
    return dt.datetime.fromtimestamp(instant, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=1 << 14)
def _utc_day(utc_day: int, settlement_tz: str) -> tuple[int, int, int]:
    """The UTC offset at the start of a UTC day, the instant (if any) it changes
    that day and the offset after.  UK offsets change at most once a day and only
    on a whole UTC hour, so checking the 24 hours is exact."""
    tz = _zone(settlement_tz)
    start = utc_day * DAY
    first = _offset_at(start, tz)
    for hour in range(1, 24):
        after = _offset_at(start + hour * 3600, tz)
        if after != first:
            return first, start + hour * 3600, after
    return first, start + DAY, first


def _offset_at(instant: int, tz: dt.tzinfo) -> int:
    offset = dt.datetime.fromtimestamp(instant, tz).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def settlement_day(instant: int, settlement_tz: str = "uk") -> dt.date:
    """REG-3, REG-8: the settlement day an instant falls in (called for every
    log entry: two small memoised look-ups, by UTC day and by local day)."""
    before, change, after = _utc_day(instant // DAY, settlement_tz)
    return _date((instant + (before if instant < change else after)) // DAY)


@lru_cache(maxsize=1 << 14)
def _date(day_number: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=day_number)


_EPOCH: Final = dt.date(1970, 1, 1)


@lru_cache(maxsize=65536)
def day_start(day: dt.date, settlement_tz: str = "uk") -> int:
    """REG-3: the instant of local 00:00 that starts a settlement day."""
    local = dt.datetime(day.year, day.month, day.day, tzinfo=_zone(settlement_tz))
    return int(local.timestamp())


# not mutated: the calendar's periods per day, read by the fresh suites' calendar and tests, never by the reference
def half_hours(day: dt.date, settlement_tz: str = "uk") -> int:
    """REG-8, CON-5: half-hour settlement periods in a day (48; 46 or 50 on the
    UK clock-change days)."""
    next_day = day + dt.timedelta(days=1)
    return (day_start(next_day, settlement_tz) - day_start(day, settlement_tz)) // HALF_HOUR


@lru_cache(maxsize=1 << 12)
def days_touched(start: int, end: int, settlement_tz: str = "uk") -> tuple[dt.date, ...]:
    """The settlement days a ReadLogPeriod [start, end] (both ends included, as
    DUIS reads them) touches, in order (memoised: every read asks)."""
    if end < start:
        raise ValueError("ReadLogPeriod ends before it starts")
    first = settlement_day(start, settlement_tz)
    last = settlement_day(end, settlement_tz)
    return tuple(first + dt.timedelta(days=n) for n in range((last - first).days + 1))
