"""Instants and settlement days (REG-3, REG-8).

Instants are int seconds UTC; settlement days are dates in the settlement
time zone (Europe/London by default, UTC under ``settlement_tz = utc``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
DAY = timedelta(days=1)


def parse_instant(text: str) -> int:
    """ISO 8601 UTC text with ``Z`` -> seconds."""
    if not text.endswith("Z"):
        raise ValueError(f"instant {text!r} is not UTC (no Z)")
    return int(datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC).timestamp())


def format_instant(instant: int) -> str:
    return datetime.fromtimestamp(instant, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_day(text: str) -> date:
    return date.fromisoformat(text)


class SettlementClock:
    """The settlement-day calendar of one profile (REG-8)."""

    def __init__(self, settlement_tz: str) -> None:
        if settlement_tz not in ("uk", "utc"):
            raise ValueError(f"settlement_tz {settlement_tz!r}")
        self.zone = LONDON if settlement_tz == "uk" else ZoneInfo("UTC")

    def day_of(self, instant: int) -> date:
        """REG-3/REG-8: the settlement day an instant falls in."""
        return datetime.fromtimestamp(instant, self.zone).date()

    def local_time(self, day: date, seconds: int) -> int:
        """The instant of wall-clock time ``seconds`` after local 00:00 of
        ``day`` (a window edge, SCH-4; timing.md 3.1: wall-clock time)."""
        wall = datetime.combine(day, time()) + timedelta(seconds=seconds)
        return int(wall.replace(tzinfo=self.zone).timestamp())

    def start_of(self, day: date) -> int:
        """00:00 of a settlement day (REG-3)."""
        return self.local_time(day, 0)

    def days_between(self, start: int, end: int) -> list[date]:
        """Every settlement day from the one of ``start`` to the one of ``end``."""
        first, last = self.day_of(start), self.day_of(end)
        return [first + DAY * i for i in range((last - first).days + 1)]
