"""The model's input domain: the instants, settlement days, periods and
amounts of work it accepts.

Outside these limits the model refuses the event (or the initial state) with
:class:`~mhhs_sec.model.errors.OutOfDomain`, naming the field and the limit,
before anything is built; inside them every step takes time and memory in
proportion to the work that falls due.  ``docs/adapter-protocol.md`` (section
"The model's input domain") states the same limits for implementations, and
the JSON Schemas of ``vectors/protocol/`` carry the date and instant bounds.

- Settlement days (EFD, ETD, commissioning date, schedule days) lie from
  1970-01-01 to 2099-12-31; instants (the clock, ``advance_clock.to``, a
  ReadLogPeriod's ends, ``execute_at``, device data timestamps) from
  1970-01-01T00:00:00Z to 2100-01-01T00:00:00Z, both included.
- A ReadLogPeriod spans at most 366 days (``end - start``).
- One ``advance_clock`` moves the clock at most 366 days, and the schedule
  runs it can make are bounded: the run days of all schedules, from each next
  run day to the settlement day of ``to`` (not past an end day), number at
  most 2,000.
- A schedule of an initial state is at most 7 days overdue: its next run day
  is no earlier than 7 days before the settlement day of the clock.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from .clock import DAY, settlement_day
from .entities import Appointment, ReadLogPeriod, Registration, Schedule
from .errors import OutOfDomain
from .state import State

FIRST_DAY: Final = dt.date(1970, 1, 1)
LAST_DAY: Final = dt.date(2099, 12, 31)
FIRST_INSTANT: Final = 0  # 1970-01-01T00:00:00Z
LAST_INSTANT: Final = 4102444800  # 2100-01-01T00:00:00Z
FIRST_INSTANT_TEXT: Final = "1970-01-01T00:00:00Z"
LAST_INSTANT_TEXT: Final = "2100-01-01T00:00:00Z"
MAX_PERIOD_DAYS: Final = 366
MAX_ADVANCE_DAYS: Final = 366
MAX_RUN_DAYS_PER_ADVANCE: Final = 2_000
MAX_OVERDUE_DAYS: Final = 7


def check_instant(value: int, field: str) -> None:
    """An instant from FIRST_INSTANT to LAST_INSTANT."""
    if not FIRST_INSTANT <= value <= LAST_INSTANT:
        raise OutOfDomain(field, "INPUT", f"an instant lies from {FIRST_INSTANT_TEXT} to {LAST_INSTANT_TEXT}")


def check_day(value: dt.date, field: str) -> None:
    """A settlement day from FIRST_DAY to LAST_DAY."""
    if not FIRST_DAY <= value <= LAST_DAY:
        raise OutOfDomain(field, "INPUT", f"a date lies from {FIRST_DAY} to {LAST_DAY}")


def check_period(period: ReadLogPeriod, field: str) -> None:
    """A ReadLogPeriod's ends are instants of the domain, at most
    MAX_PERIOD_DAYS apart."""
    check_instant(period.start, f"{field}.start")
    check_instant(period.end, f"{field}.end")
    if period.end - period.start > MAX_PERIOD_DAYS * DAY:
        raise OutOfDomain(f"{field}.end", "INPUT", f"a ReadLogPeriod spans at most {MAX_PERIOD_DAYS} days")


def check_registration(registration: Registration, field: str = "registration") -> None:
    """Every EFD and ETD of both appointment chains is a day of the domain."""
    for chain in ("suppliers", "mdras"):
        appointments: tuple[Appointment, ...] = getattr(registration, chain)
        for index, appointment in enumerate(appointments):
            check_day(appointment.efd, f"{field}.{chain}[{index}].efd")
            if appointment.etd is not None:
                check_day(appointment.etd, f"{field}.{chain}[{index}].etd")


def check_advance(state: State, to: int, field: str = "to") -> None:
    """SCH-1: an ``advance_clock`` to an instant of the domain, at most
    MAX_ADVANCE_DAYS ahead, making at most MAX_RUN_DAYS_PER_ADVANCE schedule
    run days."""
    check_instant(to, field)
    if to - state.now > MAX_ADVANCE_DAYS * DAY:
        raise OutOfDomain(field, "INPUT", f"one advance moves the clock at most {MAX_ADVANCE_DAYS} days")
    if run_days(state, to) > MAX_RUN_DAYS_PER_ADVANCE:
        raise OutOfDomain(
            field,
            "SCH-1",
            f"the advance would make more than {MAX_RUN_DAYS_PER_ADVANCE:,} schedule run days: "
            "advance in shorter steps",
        )


def run_days(state: State, to: int) -> int:
    """SCH-1: the run days of every schedule from its next run day to the
    settlement day of ``to``, not past its end day (an upper bound of the runs
    an advance to ``to`` makes: counted, never run)."""
    if not state.schedules:
        return 0
    last = settlement_day(to, state.profile.settlement_tz)
    total = 0
    for schedule in state.schedules.values():
        end = last if schedule.end_day is None else min(last, schedule.end_day)
        total += max(0, end.toordinal() - schedule.next_run.toordinal() + 1)
    return total


def check_schedule(schedule: Schedule, now: int, settlement_tz: str, field: str) -> None:
    """A schedule of an initial state: its days in the domain, its next run at
    most MAX_OVERDUE_DAYS before the settlement day of the clock."""
    check_day(schedule.start_day, f"{field}.start_day")
    if schedule.end_day is not None:
        check_day(schedule.end_day, f"{field}.end_day")
    check_day(schedule.next_run, f"{field}.next_run")
    today = settlement_day(now, settlement_tz)
    if (today - schedule.next_run).days > MAX_OVERDUE_DAYS:
        raise OutOfDomain(
            f"{field}.next_run",
            "SCH-1",
            f"a schedule's next run is at most {MAX_OVERDUE_DAYS} days before the clock's settlement day",
        )


def check_device_log(start: int, interval_s: int, count: int, field: str) -> None:
    """A run of device data: every timestamp an instant of the domain."""
    check_instant(start, f"{field}.start")
    if start + (count - 1) * interval_s > LAST_INSTANT:
        raise OutOfDomain(f"{field}.values", "INPUT", f"a run's last timestamp is at most {LAST_INSTANT_TEXT}")
