"""Random interleaved runs over every device and both MPANs of the standard
world, replayable in part (:mod:`test_noninterference` runs each device and
MPAN alone on the events that concern it).

Moves (requests of every role, SRV, flag and device, 5.1 / 5.2 / 5.3 of every
kind, registration changes, comms, restrictions, clock advances) are drawn by
Hypothesis and turned into planned events against the whole run's state as it
goes; each planned event says what it concerns.  The one thing resolved again
in each run is the schedule a 5.2 / 5.3 names by id: ids come from one counter
for every device, so a run names a schedule by the 5.1 request that created it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from hypothesis import strategies as st
from mhhs_sec.generate.synthetic_meter import SYNTHETIC
from mhhs_sec.model import (
    PROFILE_OPTIONS,
    Acknowledgement,
    AdvanceClock,
    Alert,
    InvalidEvent,
    LoadRegistration,
    Output,
    Profile,
    ReadLogPeriod,
    Registration,
    Response,
    RestrictDevice,
    ScheduleSpec,
    ServiceRequest,
    SetDeviceComms,
    State,
    SubmitRequest,
    step,
)
from mhhs_sec.model.events import Event
from mhhs_sec.model.rules import ROLES
from mhhs_sec.model.world import MDR_IN, MDR_OUT, standard_world
from model_kit import DEVICES_A, DEVICES_B, MPAN_A, MPAN_B, ONE_DAY, at
from test_stateful import (
    CACHE_SRVS,
    DEVICE_READS,
    ESMES,
    MDRA_CANDIDATES,
    OWNERS,
    PERIOD_SRVS,
    READERS,
    SCHEDULABLE,
    SENDERS,
    SRV_IDS,
    STARTS,
    SUPPLIER_CANDIDATES,
    USERS,
    appointee,
    future_change,
)

HOUR: Final = 3600
NO_SUCH_SCHEDULE: Final = 999_999_999  # named by a 5.2 / 5.3 whose schedule this run never created
SCHEDULED_RUN: Final = re.compile(r"^S(\d+)-(.+)$")  # the request id of a schedule's run
DEVICES: Final = (*DEVICES_A.all(), *DEVICES_B.all())
MPAN_OF: Final = {**dict.fromkeys(DEVICES_A.all(), MPAN_A), **dict.fromkeys(DEVICES_B.all(), MPAN_B)}


@dataclass(frozen=True)
class Planned:
    """One event of a run and what it concerns (neither device nor MPAN: a
    clock advance, which concerns every unit).  ``names``: for a 5.2 / 5.3 by
    schedule id, the 5.1 request that created the schedule, its id resolved in
    each run (the ids differ between runs)."""

    event: Event
    device: str | None = None
    mpan: str | None = None
    names: str | None = None

    def concerns(self, devices: frozenset[str], mpans: frozenset[str]) -> bool:
        if self.device is None and self.mpan is None:
            return True
        return self.device in devices or self.mpan in mpans


@dataclass
class Replay:
    """A run of planned events, its outputs and state after each event (a
    refused event: its requirement) and the schedules each 5.1 created."""

    state: State
    about: Mapping[str, str]  # request id -> the device the request concerns (shared with the plan)
    outputs: list[tuple[Output, ...]] = field(default_factory=list)
    states: list[State] = field(default_factory=list)  # the state after each event
    refused: list[str | None] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)  # 5.1 request id -> schedule id
    creator: dict[int, str] = field(default_factory=dict)  # schedule id -> 5.1 request id

    def do(self, planned: Planned) -> tuple[Output, ...]:
        event = planned.event
        if planned.names is not None:
            assert isinstance(event, SubmitRequest)
            named = self.created.get(planned.names, NO_SUCH_SCHEDULE)
            event = SubmitRequest(dataclasses.replace(event.request, schedule_id=named))
        try:
            self.state, produced = step(self.state, event)
            self.refused.append(None)
        except InvalidEvent as error:
            produced = ()
            self.refused.append(error.requirement)
        for output in produced:
            if isinstance(output, Response) and output.srv == "5.1" and output.code == "I0":
                (schedule_id,) = output.schedule_ids
                self.created[output.request_id] = schedule_id
                self.creator[schedule_id] = output.request_id
        self.outputs.append(produced)
        self.states.append(self.state)
        return produced

    def sid(self, schedule_id: int | None) -> str | None:
        """A schedule id renamed after the 5.1 that created it."""
        if schedule_id is None:
            return None
        return f"created by {self.creator[schedule_id]}" if schedule_id in self.creator else f"#{schedule_id}"

    def rid(self, request_id: str) -> str:
        """A request id, a scheduled run's renamed after its schedule's creator."""
        run = SCHEDULED_RUN.match(request_id)
        return request_id if run is None else f"S<{self.sid(int(run[1]))}>-{run[2]}"

    def device_of(self, request_id: str) -> str:
        """The device a request concerns (a scheduled run: its schedule's device)."""
        run = SCHEDULED_RUN.match(request_id)
        return self.about[request_id if run is None else self.creator[int(run[1])]]

    def concerned(self, output: Output) -> str | None:
        if isinstance(output, Response | Acknowledgement):
            return self.device_of(output.request_id)
        return output.device_id if isinstance(output, Alert) else None


class Builder:
    """Turns moves into planned events, running them whole (the full run)."""

    def __init__(self, state: State) -> None:
        self.about: dict[str, str] = {}
        self.run = Replay(state, self.about)
        self.plan: list[Planned] = []
        self.requests: dict[str, ServiceRequest] = {}
        self._ids = itertools.count(1)

    @property
    def state(self) -> State:
        return self.run.state

    @property
    def tz(self) -> str:
        return self.state.profile.settlement_tz

    @property
    def etd(self) -> str:
        return self.state.profile.etd

    def emit(self, planned: Planned) -> None:
        self.plan.append(planned)
        self.run.do(planned)

    def submit(self, request: ServiceRequest, names: str | None = None, device: str | None = None) -> None:
        concerned = request.device_id if device is None else device
        self.about[request.request_id] = concerned
        self.requests[request.request_id] = request
        self.emit(Planned(SubmitRequest(request), device=concerned, names=names))

    def advance(self, to: int) -> None:
        if to > self.state.now:
            self.emit(Planned(AdvanceClock(to)))

    def new_id(self) -> str:
        return f"R{next(self._ids)}"

    def period(self, first_back: int, days: int, start_h: int, end_h: int) -> ReadLogPeriod:
        """From ``first_back`` days ago (local ``start_h``), spanning ``days`` more days."""
        first = self.state.today - first_back * ONE_DAY
        start = at(first, start_h, tz=self.tz)
        last = first + days * ONE_DAY
        end = (at(last + ONE_DAY, tz=self.tz) if end_h == 24 else at(last, end_h, tz=self.tz)) - 1
        return ReadLogPeriod(start, max(start, end))


@dataclass(frozen=True)
class Advance:
    """Move the clock (SCH-4 windows, SCH-5 retries, C-5 expiry, MDRA changes)."""

    seconds: int

    def __call__(self, b: Builder) -> None:
        b.advance(b.state.now + self.seconds)


@dataclass(frozen=True)
class ToWindowEdge:
    """To just before, at or after the next local 00:00 / 06:00 / 07:00 / 20:00 (SCH-4)."""

    hour: int
    nudge: int

    def __call__(self, b: Builder) -> None:
        days = (b.state.today + n * ONE_DAY for n in (0, 1, 2))
        b.advance(next(t for day in days if (t := at(day, self.hour, tz=b.tz) + self.nudge) > b.state.now))


@dataclass(frozen=True)
class Request:
    """Any request: every role (held or not), SRV, flag and device, On Demand or future-dated."""

    sender: tuple[str, str]
    srv: str
    device: str
    flag: bool | None
    back: int
    days: int
    hours: tuple[int, int]
    future: int | None

    def __call__(self, b: Builder) -> None:
        period = b.period(self.back, self.days, *self.hours) if self.srv in PERIOD_SRVS else None
        execute_at = b.state.now + self.future if self.future is not None and self.srv in DEVICE_READS else None
        schedule = ScheduleSpec("4.8.1", b.state.today + ONE_DAY) if self.srv == "5.1" else None
        user, role = self.sender
        b.submit(ServiceRequest(b.new_id(), user, role, self.srv, self.device, self.flag, period, execute_at, schedule))


@dataclass(frozen=True)
class ReadRecent:
    """A read of a recent whole day of an ESME: what the cache may answer (C-4, C-7, C-9)."""

    sender: tuple[str, str]
    srv: str
    device: str
    back: int
    flag: bool

    def __call__(self, b: Builder) -> None:
        user, role = self.sender
        mhhs = self.flag if role in ("IS", "ES") else role == "MDR"
        b.submit(ServiceRequest(b.new_id(), user, role, self.srv, self.device, mhhs, b.period(self.back, 0, 0, 24)))


@dataclass(frozen=True)
class CreateSchedule:
    """5.1 Create Schedule by a party that may or may not be entitled (SCH-1, SCH-7)."""

    who: tuple[str, str]
    srv: str
    device: str
    start_in: int
    length: int | None

    def __call__(self, b: Builder) -> None:
        user, role = self.who
        start = b.state.today + self.start_in * ONE_DAY
        spec = ScheduleSpec(self.srv, start, None if self.length is None else start + self.length * ONE_DAY)
        flag = True if role == "MDR" else None
        b.submit(ServiceRequest(b.new_id(), user, role, "5.1", self.device, flag, schedule=spec))


@dataclass(frozen=True)
class ScheduleAndRun:
    """The MDRA (``agent``) or Supplier of an MPAN schedules a cacheable read of
    its SMETS1 ESME from tomorrow, the clock runs to the first run (C-2, C-3),
    and ``reader`` (if any) asks for the day it read (C-4, C-7)."""

    mpan: str
    srv: str
    agent: bool
    reader: tuple[str, str] | None

    def __call__(self, b: Builder) -> None:
        tomorrow = b.state.today + ONE_DAY
        registration = b.state.registrations[self.mpan]
        owner = appointee(registration.mdras if self.agent else registration.suppliers, b.state.today, b.etd)
        assert owner is not None, "REG-5: every day has an appointee"
        role = "MDR" if owner in (MDR_OUT, MDR_IN) else ("ES" if self.srv == "4.8.3" else "IS")
        device = DEVICES_A.s1_esme if self.mpan == MPAN_A else DEVICES_B.s1_esme
        flag = True if role == "MDR" else None
        spec = ScheduleSpec(self.srv, tomorrow)
        b.submit(ServiceRequest(b.new_id(), owner, role, "5.1", device, flag, schedule=spec))
        b.advance(at(tomorrow, 7 if role == "MDR" else 0, 1, tz=b.tz))
        if self.reader is not None:
            ReadRecent(self.reader, self.srv, device, 1, True)(b)


@dataclass(frozen=True)
class OnSchedule:
    """5.2 / 5.3 on a schedule created earlier, by its owner or ``stranger``
    (SCH-1, SCH-2, C-6): by id (naming ``echo`` as device, or none, or the
    schedule's own) or by device."""

    srv: str
    pick: int
    by_id: bool
    echo: str | None
    stranger: tuple[str, str] | None

    def __call__(self, b: Builder) -> None:
        if not b.run.created:
            return
        creator = list(b.run.created)[self.pick % len(b.run.created)]
        made = b.requests[creator]
        user, role = self.stranger or (made.user_id, made.role)
        flag = True if role == "MDR" else None
        if not self.by_id:
            b.submit(ServiceRequest(b.new_id(), user, role, self.srv, made.device_id, flag))
            return
        echo = made.device_id if self.echo is None else self.echo
        b.submit(ServiceRequest(b.new_id(), user, role, self.srv, echo, flag), names=creator, device=made.device_id)


@dataclass(frozen=True)
class ChangeRegistration:
    """A future change of MDRA (or Supplier) of an MPAN (REG-3, REG-6, SCH-3)."""

    mpan: str
    which: str
    pick: int
    days_ahead: int

    def __call__(self, b: Builder) -> None:
        current = b.state.registrations[self.mpan]
        candidates = MDRA_CANDIDATES[self.mpan] if self.which == "mdras" else SUPPLIER_CANDIDATES
        party = candidates[self.pick % len(candidates)]
        chain = future_change(getattr(current, self.which), b.state.today + self.days_ahead * ONE_DAY, party, b.etd)
        chains = {"suppliers": current.suppliers, "mdras": current.mdras, self.which: chain}
        registration = Registration(self.mpan, chains["suppliers"], chains["mdras"])
        b.emit(Planned(LoadRegistration(registration), mpan=self.mpan))


@dataclass(frozen=True)
class Comms:
    """The device goes off line or comes back (SCH-5 retries)."""

    device: str
    online: bool

    def __call__(self, b: Builder) -> None:
        b.emit(Planned(SetDeviceComms(self.device, self.online), device=self.device))


@dataclass(frozen=True)
class Restrict:
    """Change-of-tenancy restriction (C-8)."""

    device: str

    def __call__(self, b: Builder) -> None:
        b.emit(Planned(RestrictDevice(self.device), device=self.device))


MOVES: Final = st.one_of(
    st.builds(Advance, st.one_of(st.integers(1, 2 * HOUR), st.integers(2 * HOUR, 2 * 86400))),
    st.builds(ToWindowEdge, st.sampled_from((0, 6, 7, 20)), st.sampled_from((-1, 0, 1))),
    st.builds(
        Request,
        sender=st.one_of(st.sampled_from(SENDERS), st.tuples(st.sampled_from(USERS), st.sampled_from(ROLES))),
        srv=st.sampled_from(SRV_IDS),
        device=st.sampled_from(DEVICES),
        flag=st.sampled_from((None, True, False)),
        back=st.integers(0, 6),
        days=st.integers(0, 2),
        hours=st.tuples(st.sampled_from((0, 0, 1, 12)), st.sampled_from((24, 24, 23, 13))),
        future=st.one_of(st.none(), st.integers(0, 30 * HOUR)),
    ),
    st.builds(
        ReadRecent,
        st.sampled_from(READERS),
        st.sampled_from(sorted(CACHE_SRVS)),
        st.sampled_from(ESMES),
        st.integers(1, 2),
        st.booleans(),
    ),
    st.builds(
        CreateSchedule,
        st.sampled_from(OWNERS),
        st.sampled_from(SCHEDULABLE),
        st.sampled_from(ESMES),
        st.integers(0, 2),
        st.one_of(st.none(), st.integers(0, 3)),
    ),
    st.builds(
        ScheduleAndRun,
        st.sampled_from((MPAN_A, MPAN_B)),
        st.sampled_from(sorted(CACHE_SRVS)),
        st.booleans(),
        st.one_of(st.none(), st.sampled_from(READERS)),
    ),
    st.builds(
        OnSchedule,
        st.sampled_from(("5.2", "5.3")),
        st.integers(0, 15),
        st.booleans(),
        st.one_of(st.none(), st.just(""), st.sampled_from(DEVICES)),
        st.one_of(st.none(), st.sampled_from(OWNERS)),
    ),
    st.builds(
        ChangeRegistration,
        st.sampled_from((MPAN_A, MPAN_B)),
        st.sampled_from(("mdras", "mdras", "suppliers")),
        st.integers(0, 2),
        st.integers(1, 5),
    ),
    st.builds(Comms, st.sampled_from(DEVICES), st.booleans()),
    st.builds(Restrict, st.sampled_from(ESMES)),
)


@dataclass(frozen=True)
class Case:
    """A random run: the standard world under a profile, and the moves."""

    start: dt.date
    hour: int
    change_in: int  # MPAN_A's built-in change of MDRA, this many days ahead
    options: Mapping[str, Any]
    moves: tuple[Callable[[Builder], None], ...]

    def world(self) -> State:
        profile = Profile().with_options(**self.options)
        now = at(self.start, self.hour, tz=profile.settlement_tz)
        return standard_world(now, self.start + self.change_in * ONE_DAY, profile, source=SYNTHETIC)


CASES: Final = st.builds(
    Case,
    st.sampled_from(STARTS),
    st.integers(0, 23),
    st.integers(1, 4),
    st.fixed_dictionaries({name: st.sampled_from(allowed) for name, (_, allowed) in PROFILE_OPTIONS.items()}),
    st.lists(MOVES, min_size=20, max_size=50).map(tuple),
)
