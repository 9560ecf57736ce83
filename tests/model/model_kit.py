"""Helpers for the model tests: a driver over the public API and an independent
time oracle (zoneinfo, not the model's clock) to build expectations from the
catalogue statements.

Nothing here states an expected outcome; tests write those from the catalogue.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Final
from zoneinfo import ZoneInfo

from mhhs_sec.generate.synthetic_meter import SYNTHETIC
from mhhs_sec.model import (
    Acknowledgement,
    AdvanceClock,
    Alert,
    Event,
    Output,
    Profile,
    ReadLogPeriod,
    Response,
    ScheduleSpec,
    ServiceRequest,
    State,
    SubmitRequest,
    step,
)
from mhhs_sec.model.state import AuditTrail
from mhhs_sec.model.world import (
    DEVICES_A,
    DEVICES_B,
    GAS_SUPPLIER,
    MDR_IN,
    MDR_OUT,
    MPAN_A,
    MPAN_B,
    NETWORK_OPERATOR,
    OTHER_USER,
    SUPPLIER,
    SUPPLIER_2,
    SUPPLIER_AGENT,
    standard_world,
)
from mhhs_sec.vectors.jsonform import encode_state

__all__ = [
    "DEVICES_A",
    "DEVICES_B",
    "GAS_SUPPLIER",
    "MDR_IN",
    "MDR_OUT",
    "MPAN_A",
    "MPAN_B",
    "NETWORK_OPERATOR",
    "OTHER_USER",
    "SUPPLIER",
    "SUPPLIER_2",
    "SUPPLIER_AGENT",
]

HOUR: Final = 3600
DAY_S: Final = 86400
ONE_DAY: Final = dt.timedelta(days=1)
# A summer change of MDRA (BST: UK 00:00 is 23:00 UTC the day before), so that
# the 'uk' and 'utc' settlement days differ (REG-8).
CHANGE: Final = dt.date(2025, 6, 15)
SPRING: Final = dt.date(2025, 3, 30)  # UK clocks go forward: 46 half-hours
AUTUMN: Final = dt.date(2025, 10, 26)  # UK clocks go back: 50 half-hours
# Where most model tests stand: two days after the MDRA change.
TODAY: Final = CHANGE + 2 * ONE_DAY
# The day the standard world's first appointments begin.
FIRST: Final = dt.date(2024, 1, 1)
_ZONES: Final = {"uk": ZoneInfo("Europe/London"), "utc": ZoneInfo("UTC")}


def at(day: dt.date, hour: int = 0, minute: int = 0, second: int = 0, tz: str = "uk") -> int:
    """The instant of a wall-clock time in the settlement time zone (oracle)."""
    local = dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=_ZONES[tz])
    return int(local.timestamp())


def day_of(instant: int, tz: str = "uk") -> dt.date:
    """REG-3, REG-8 oracle: the settlement day an instant falls in."""
    return dt.datetime.fromtimestamp(instant, _ZONES[tz]).date()


def whole_days(first: dt.date, last: dt.date | None = None, tz: str = "uk") -> ReadLogPeriod:
    """A ReadLogPeriod covering settlement days ``first``..``last`` (both ends included)."""
    last = first if last is None else last
    return ReadLogPeriod(at(first, tz=tz), at(last + ONE_DAY, tz=tz) - 1)


def world(now: int, change_day: dt.date = CHANGE, **options: Any) -> State:
    """The standard world with the given profile options, its devices logging
    the synthetic meter's values on every cadence timestamp."""
    return standard_world(now, change_day, Profile().with_options(**options), source=SYNTHETIC)


def snapshot(state: State) -> tuple[object, ...]:
    """A deep snapshot of everything a state holds (for 'left exactly as it was')."""
    return (
        encode_state(state),
        # The audit trail is a linked list (compared record by record below): not deep-copied.
        copy.deepcopy(dataclasses.replace(state, audit=AuditTrail())),
        {k: dict(v.entries) for k, v in state.cache.items()},
        state.pending,
        dict(state.schedules),
        dict(state.restrictions),
        state.offline,
        tuple(state.audit),
        (state.now, state.next_seq, state.next_schedule_id),
    )


@dataclass
class Run:
    """Drives the model through the public API and keeps every output."""

    state: State
    outputs: list[Output] = field(default_factory=list)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def tz(self) -> str:
        return self.state.profile.settlement_tz

    def do(self, event: Event) -> tuple[Output, ...]:
        self.state, produced = step(self.state, event)
        self.outputs.extend(produced)
        return produced

    def advance(self, to: int) -> tuple[Output, ...]:
        return self.do(AdvanceClock(to))

    def request(
        self,
        user: str,
        role: str,
        srv: str,
        device: str,
        flag: bool | None = None,
        period: ReadLogPeriod | None = None,
        execute_at: int | None = None,
        schedule: ScheduleSpec | None = None,
        schedule_id: int | None = None,
    ) -> ServiceRequest:
        """A request with a fresh id; MDR requests carry ForSettlement = true (FS-2)
        unless ``flag`` says otherwise."""
        if flag is None and role == "MDR":
            flag = True
        return ServiceRequest(
            f"R{next(self._ids)}", user, role, srv, device, flag, period, execute_at, schedule, schedule_id
        )

    def submit(self, user: str, role: str, srv: str, device: str, **kw: Any) -> Output:
        """Submit a request and return its one immediate output (response or I99)."""
        produced = self.do(SubmitRequest(self.request(user, role, srv, device, **kw)))
        assert len(produced) <= 1, produced
        return produced[0] if produced else _NoOutput()

    def answer(self, user: str, role: str, srv: str, device: str, **kw: Any) -> Response:
        """Submit and return the request's response, running the clock to its
        execution when it is held (at most 24 h, TRT-2)."""
        first = self.submit(user, role, srv, device, **kw)
        if isinstance(first, Response):
            return first
        assert isinstance(first, Acknowledgement), first
        self.advance(first.execute_at)
        return self.response_to(first.request_id)

    def response_to(self, request_id: str) -> Response:
        found = [o for o in self.outputs if isinstance(o, Response) and o.request_id == request_id]
        assert len(found) == 1, f"expected one response to {request_id}, got {found}"
        return found[0]

    def responses(self) -> list[Response]:
        return [o for o in self.outputs if isinstance(o, Response)]

    def alerts(self) -> list[Alert]:
        return [o for o in self.outputs if isinstance(o, Alert)]

    def scheduled(self, schedule_id: int) -> list[Response]:
        return [r for r in self.responses() if r.mode == "scheduled" and r.request_id.startswith(f"S{schedule_id}-")]


@dataclass(frozen=True)
class _NoOutput:
    """Stands for 'no immediate output' (a retry queued silently)."""

    code: str = "none"


def entry_days(response: Response, tz: str = "uk") -> set[dt.date]:
    """The settlement days of a response's entries."""
    return {day_of(e.timestamp, tz) for e in response.entries}


def schedule_spec(srv: str, start: dt.date, end: dt.date | None = None) -> ScheduleSpec:
    return ScheduleSpec(srv, start, end)
