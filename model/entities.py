"""The things the state is made of: users, appointments, devices, schedules,
service requests and log entries.  All immutable; dates are settlement days
(:class:`datetime.date`), times are instants (int seconds, UTC)."""

from __future__ import annotations

import datetime as dt
from typing import Final

from .frozen import frozen, replacer


@frozen
class User:
    """REG-1, REG-7: a DCC User and the user roles it holds."""

    user_id: str
    roles: frozenset[str]


@frozen
class Appointment:
    """REG-2: a party appointed to an MPAN from its EFD to its ETD (None = open).
    Under the default REG-12 profile the ETD is the last day of the appointment."""

    party: str
    efd: dt.date
    etd: dt.date | None = None


@frozen
class Registration:
    """REG-2, REG-5, REG-6: the Supplier and MDRA appointments of one MPAN, in
    EFD order; each list covers every day from its first EFD on, without gap or
    overlap."""

    mpan: str
    suppliers: tuple[Appointment, ...]
    mdras: tuple[Appointment, ...]


@frozen
class Device:
    """A device of the Smart Metering Inventory."""

    device_id: str
    mpan: str
    generation: str  # 'SMETS1' | 'SMETS2'
    kind: str  # 'ESME' | 'GSME'
    commissioned: dt.date


@frozen
class ReadLogPeriod:
    """A DUIS ReadLogPeriod; both ends included."""

    start: int
    end: int


@frozen
class ScheduleSpec:
    """The body of a 5.1 Create Schedule: what to read, daily, from when."""

    srv: str
    start_day: dt.date
    end_day: dt.date | None = None


@frozen
class ServiceRequest:
    """A service request as the DCC receives it.

    ``for_settlement`` is the MHHS ForSettlement flag (FS-1; None when absent).
    ``execute_at`` makes the request future-dated.  ``schedule`` is the body of
    a 5.1; ``schedule_id`` names the schedule of a 5.2 / 5.3 (a 5.2 / 5.3 with
    no id acts on every own schedule of ``device_id``).
    """

    request_id: str
    user_id: str
    role: str
    srv: str
    device_id: str
    for_settlement: bool | None = None
    period: ReadLogPeriod | None = None
    execute_at: int | None = None
    schedule: ScheduleSpec | None = None
    schedule_id: int | None = None


@frozen
class Schedule:
    """SCH-1: a DSP Schedule: owner, role, target device, SRV, daily recurrence.
    ``next_run`` is the settlement day of its next execution."""

    schedule_id: int
    owner: str
    role: str
    device_id: str
    srv: str
    for_settlement: bool
    start_day: dt.date
    end_day: dt.date | None
    next_run: dt.date

    def moved_on(self) -> Schedule:
        """The schedule with its next run a day later (``dataclasses.replace``
        without its overhead: a run moves its schedule on every day)."""
        return _replace_schedule(self, next_run=self.next_run + dt.timedelta(days=1))


_replace_schedule: Final = replacer(Schedule)


@frozen
class LogEntry:
    """One entry a device returns: its timestamp and value (Wh)."""

    timestamp: int
    value: int


@frozen
class CachedEntry:
    """C-3, C-5: a log entry held by the S1SP and when it was retrieved."""

    entry: LogEntry
    retrieved_at: int
