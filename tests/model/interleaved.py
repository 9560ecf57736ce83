"""The stateful random runs (``test_stateful.ModelMachine``: its rules, over
every device and both MPANs of the standard world) recorded as planned events,
replayable in part (:mod:`test_noninterference` runs each device and MPAN
alone on the events that concern it).

Each planned event says what it concerns.  The one thing resolved again in
each replay is the schedule a 5.2 / 5.3 names by id: ids come from one counter
for every device, so a plan names a schedule by the 5.1 request that created
it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from mhhs_sec.model import (
    Acknowledgement,
    AdvanceClock,
    Alert,
    InvalidEvent,
    LoadRegistration,
    Output,
    Response,
    RestrictDevice,
    ServiceRequest,
    SetDeviceComms,
    State,
    SubmitRequest,
    step,
)
from mhhs_sec.model.events import Event
from model_kit import DEVICES_A, DEVICES_B, MPAN_A, MPAN_B

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


@dataclass
class Recorder:
    """The plan of a run as its events are applied: what each concerns, and
    the 5.1 that created each schedule."""

    world: State
    about: dict[str, str] = field(default_factory=dict)  # request id -> the device it concerns
    plan: list[Planned] = field(default_factory=list)
    creators: dict[int, str] = field(default_factory=dict)  # schedule id -> the 5.1 request that created it
    requests: dict[str, ServiceRequest] = field(default_factory=dict)  # every request submitted, by id

    def before(self, event: Event) -> None:
        """Plan an event about to be applied."""
        if isinstance(event, SubmitRequest):
            self.plan.append(self._request(event))
        elif isinstance(event, LoadRegistration):
            self.plan.append(Planned(event, mpan=event.registration.mpan))
        elif isinstance(event, SetDeviceComms | RestrictDevice):
            self.plan.append(Planned(event, device=event.device_id))
        else:
            assert isinstance(event, AdvanceClock), f"no unit known for {type(event).__name__}"
            self.plan.append(Planned(event))

    def after(self, produced: tuple[Output, ...]) -> None:
        """Note the schedules the event just applied created."""
        for output in produced:
            if isinstance(output, Response) and output.srv == "5.1" and output.code == "I0":
                (schedule_id,) = output.schedule_ids
                self.creators[schedule_id] = output.request_id

    def _request(self, event: SubmitRequest) -> Planned:
        """A request concerns its device; a 5.2 / 5.3 by id, the device of the schedule it names."""
        request = event.request
        self.requests[request.request_id] = request
        if request.schedule_id is None:
            self.about[request.request_id] = request.device_id
            return Planned(event, device=request.device_id)
        creator = self.creators.get(request.schedule_id)
        if creator is None:  # a schedule this run never created: none in any replay
            self.about[request.request_id] = request.device_id
            return Planned(event, device=request.device_id, names="")
        device = self.about[creator]  # the schedule's device, held or since removed
        self.about[request.request_id] = device
        return Planned(event, device=device, names=creator)
