"""The reference state machine: ``step(state, event) -> (state, outputs)``.

Pure and deterministic: no wall clock, no randomness, the input state is never
changed.  An invalid event raises :class:`~mhhs_sec.model.errors.InvalidEvent`
before anything is built.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import field
from functools import partial
from typing import Any

from . import cache, schedules, validate
from .access import Accepted, Rejected, alternatives, authorise
from .clock import day_start, settlement_day
from .entities import ReadLogPeriod, Schedule, ServiceRequest, User
from .events import (
    AdvanceClock,
    Event,
    LoadDevice,
    LoadRegistration,
    ReadAuditTrail,
    RestrictDevice,
    SetDeviceComms,
    SetUser,
    SubmitRequest,
)
from .execution import execute, respond
from .frozen import frozen
from .outputs import Acknowledgement, Alert, AuditExtract, Output, Response
from .registration import ONE_DAY, mdra_changes
from .state import AuditRow, Pending, State, evolve
from .tables import SRVS

Outputs = tuple[Output, ...]
Redo = Callable[[State], tuple[State, Outputs]]


@frozen
class MicroStep:
    """One transition as the runtime checks see it (:mod:`mhhs_sec.proofs.runtime`):
    an event other than a clock advance, or one piece of work a clock advance
    runs (an MDRA change, queued work, a schedule run) or its closing cache
    expiry.  ``redo`` takes the same transition from another state (None for
    the closing expiry).  ``since``: the instant of the state the event was
    applied to (a clock advance's work starts later, at the instant it falls
    due: whatever ``before`` holds that no earlier micro-step made was held
    then)."""

    before: State
    outputs: Outputs
    after: State
    redo: Redo | None
    since: int


# The runtime checks installed (``mhhs_sec.proofs.runtime.checking``); empty
# outside a checked run, when stepping costs one test of this list per step.
OBSERVERS: list[Callable[[MicroStep], None]] = []


# not mutated: the hooks of the runtime checks (``mhhs-sec prove --runtime``); no adapter run installs one
def _observe(before: State, outputs: Outputs, after: State, redo: Redo | None, since: int) -> None:
    micro = MicroStep(before, outputs, after, redo, since)
    for observer in OBSERVERS:
        observer(micro)


def step(state: State, event: Event) -> tuple[State, Outputs]:
    """Apply one event."""
    handler: Callable[[State, Any], tuple[State, Outputs]] | None = _HANDLERS.get(type(event))
    if handler is None:  # not mutated: a guard against a Python caller; the codec makes model events only
        raise TypeError(f"not a model event: {type(event).__name__}; see mhhs_sec.model.events")
    new_state, outputs = handler(state, event)
    if OBSERVERS and not isinstance(event, AdvanceClock):  # not mutated: a runtime-check hook
        _observe(state, outputs, new_state, lambda again: handler(again, event), state.now)
    if isinstance(event, SubmitRequest):
        return _audit(new_state, outputs, _request_row(new_state, event.request, outputs)), outputs
    return _audit(new_state, outputs), outputs


def _set_user(state: State, event: SetUser) -> tuple[State, Outputs]:
    validate.check_set_user(event)
    users = dict(state.users)
    users[event.user_id] = User(event.user_id, frozenset(event.roles))
    return evolve(state, users=users), ()


def _load_registration(state: State, event: LoadRegistration) -> tuple[State, Outputs]:
    # REG-5: a gap or an overlap is refused and the old registration stands.
    validate.check_load_registration(state, event)
    previous = state.registrations.get(event.registration.mpan)
    known = frozenset(mdra_changes(previous)) if previous is not None else frozenset()
    registrations = dict(state.registrations)
    registrations[event.registration.mpan] = event.registration
    state = evolve(state, registrations=registrations)
    # SCH-3: an MDRA change whose EFD has already begun takes effect at once, if
    # it is new; one the MPAN already had took effect when its EFD began (or
    # when it was loaded), and restating it deletes nothing.
    alerts: list[Output] = []
    for efd, outgoing, incoming in mdra_changes(event.registration):
        if (efd, outgoing, incoming) not in known and day_start(efd, state.profile.settlement_tz) <= state.now:
            state, produced = schedules.on_mdra_change(state, event.registration.mpan, outgoing, state.now)
            alerts.extend(produced)
    return state, tuple(alerts)


def _load_device(state: State, event: LoadDevice) -> tuple[State, Outputs]:
    validate.check_load_device(state, event)
    device = event.device
    before = state.devices.get(device.device_id)
    devices = dict(state.devices)
    devices[device.device_id] = device
    state = evolve(state, devices=devices)
    if before is not None and (before.mpan, before.generation, before.kind) != (
        device.mpan,
        device.generation,
        device.kind,
    ):
        # C-2: what was cached for the device as it was is no longer cacheable.
        for key in [k for k in state.cache if k[0] == device.device_id]:
            state = cache.drop(state, *key)
    return state, ()


def _restrict_device(state: State, event: RestrictDevice) -> tuple[State, Outputs]:
    # C-8 / AM 18.9(d): the device deletes what it held before now.
    validate.known_device(state, event.device_id, "device_id")
    restrictions = dict(state.restrictions)
    restrictions[event.device_id] = state.now
    return evolve(state, restrictions=restrictions), ()


def _set_device_comms(state: State, event: SetDeviceComms) -> tuple[State, Outputs]:
    validate.known_device(state, event.device_id, "device_id")
    offline = state.offline - {event.device_id} if event.online else state.offline | {event.device_id}
    return evolve(state, offline=offline), ()


def _read_audit(state: State, event: ReadAuditTrail) -> tuple[State, Outputs]:
    # AUD-2: a user reads only the records of its own requests (AUD-3: which records).
    kinds = extract_kinds(state)
    own = tuple(r for r in state.audit if r.user_id == event.user_id and r.kind in kinds)
    return state, (AuditExtract(event.user_id, tuple(reversed(own))),)


def extract_kinds(state: State) -> frozenset[str]:
    """AUD-3: the records a user's audit extract holds: default its own service
    requests and the responses to them; options: the responses only, or also
    the alerts sent to it."""
    option = state.profile.audit_extract
    if option == "responses-only":
        return frozenset({"response"})
    if option == "with-alerts":
        return frozenset({"request", "response", "alert"})
    return frozenset({"request", "response"})


def _submit(state: State, event: SubmitRequest) -> tuple[State, Outputs]:
    request = event.request
    validate.check_request(state, request)
    at = request.execute_at if request.execute_at is not None else state.now
    if held_in_window(state, request):
        # SCH-4, AC-3: a held MDR read targets the day it executes on (window opening).
        window = schedules.window_for(request.role, state.config)
        at = schedules.next_window_open(at, window, state.profile.settlement_tz)
    decision = authorise(state, request, "on-demand", at)
    if isinstance(decision, Rejected):
        others = alternatives(state, request, "on-demand", at, decision)
        return state, (respond(state, request, state.now, "on-demand", decision, alternatives=others),)
    if not SRVS[request.srv].device_request:
        return _dsp_request(state, request, at, decision)
    return _start_read(state, request, at, decision)


def held_in_window(state: State, request: ServiceRequest) -> bool:
    """SCH-4, SCH-8: is this MDR request held until the MDR window opens?  Every
    MDR device read is; a 5.1 / 5.2 / 5.3 (no device read) only under SCH-8's
    option 'all-mdr-requests'; an 8.2 never (its 30 s TRT)."""
    if request.role != "MDR":
        return False
    if SRVS[request.srv].device_request:
        return True
    return request.srv in _SCHEDULE_SRVS and state.profile.mdr_window_scope == "all-mdr-requests"


_SCHEDULE_SRVS = frozenset({"5.1", "5.2", "5.3"})


def _window_tag(state: State, request: ServiceRequest) -> tuple[str, ...]:
    """SCH-8: the tag of an MDR 5.1 / 5.2 / 5.3 submitted outside the MDR window
    (answered at once, or held, by the option)."""
    if request.role != "MDR" or request.srv not in _SCHEDULE_SRVS:
        return ()
    window = schedules.window_for(request.role, state.config)
    if schedules.next_window_open(state.now, window, state.profile.settlement_tz) == state.now:
        return ()
    return (state.profile.tag("mdr_window_scope"),)


def _dsp_request(state: State, request: ServiceRequest, at: int, decision: Accepted) -> tuple[State, Outputs]:
    """5.1 / 5.2 / 5.3 / 8.2: answered by the DSP at once, or (SCH-8 option)
    held until the MDR window opens and acknowledged."""
    tag = _window_tag(state, request)
    if at == state.now:
        return _dsp_only(state, request, _tagged(decision, tag), state.now)
    work = Pending(at, state.next_seq, request, state.now, "on-demand", None, None)
    ack = Acknowledgement(request.request_id, request.user_id, state.now, at)
    return evolve(state, pending=(*state.pending, work), next_seq=state.next_seq + 1), (ack,)


def _tagged(decision: Accepted, tags: tuple[str, ...]) -> Accepted:
    if not tags:
        return decision
    return Accepted(decision.for_settlement, decision.trt_s, decision.days, decision.interp + tags)


def _start_read(state: State, request: ServiceRequest, at: int, decision: Accepted) -> tuple[State, Outputs]:
    """SCH-4: an MDR read outside the MDR window is held until it opens; a
    future-dated read waits for its execution time.  Both are acknowledged."""
    due = at  # (an MDR read's ``at`` is already its window's next opening: see _submit)
    work = Pending(due, state.next_seq, request, state.now, "on-demand", None, None)
    if due == state.now:
        # Executed at once (never queued, so it takes no sequence number); the
        # decision just taken stands (same instant, same state).
        return execute(state, work, decision)
    ack = Acknowledgement(request.request_id, request.user_id, state.now, due)
    return evolve(state, pending=(*state.pending, work), next_seq=state.next_seq + 1), (ack,)


def _dsp_only(state: State, request: ServiceRequest, decision: Accepted, submitted_at: int) -> tuple[State, Outputs]:
    """5.1 / 5.2 / 5.3 / 8.2: answered by the DSP now."""
    if request.srv == "5.1":
        state, schedule = schedules.create(state, request)
        return state, (
            respond(
                state,
                request,
                submitted_at,
                "on-demand",
                decision,
                schedule_ids=(schedule.schedule_id,),
            ),
        )
    if request.srv == "8.2":
        device = state.devices[request.device_id]
        return state, (respond(state, request, submitted_at, "on-demand", decision, inventory=device),)
    mine = schedules.owned(state, request)
    if not mine and request.schedule_id is not None:
        # SCH-2: another user's schedule is as good as none.
        missing = Rejected(
            "MHHS-E8",
            ("SCH-2",),
            f"no schedule {request.schedule_id} of this user",
            decision.interp,
        )
        return state, (respond(state, request, submitted_at, "on-demand", missing),)
    ids = tuple(s.schedule_id for s in mine)
    if request.srv == "5.3":
        state = schedules.remove(state, mine)
    return state, (
        respond(
            state,
            request,
            submitted_at,
            "on-demand",
            decision,
            schedule_ids=ids,
            requirements=("SCH-1", "SCH-2"),
        ),
    )


def _advance(state: State, event: AdvanceClock) -> tuple[State, Outputs]:
    """Run everything that falls due up to ``event.to``, in time order."""
    validate.check_advance(state, event)
    since = state.now  # not mutated: read by the runtime-check hooks only
    outputs: list[Output] = []
    agenda = _Agenda(state, event.to)
    while (due := agenda.pop(state)) is not None:
        before = cache.expire(evolve(state, now=due.at))
        state, produced = due.run(before)
        if OBSERVERS:  # not mutated: a runtime-check hook
            _observe(before, produced, state, due.run, since)
        outputs.extend(produced)
        agenda.ran(due, state)
    final = cache.expire(evolve(state, now=event.to))
    if OBSERVERS:  # not mutated: a runtime-check hook
        _observe(state, (), final, None, since)
    return final, tuple(outputs)


Run = Callable[[State], tuple[State, tuple[Output, ...]]]


@frozen
class _Due:
    """A piece of work that falls due: ordered by instant, then kind (MDRA
    changes before queued work before schedule runs, SCH-3), then sequence."""

    at: int
    kind: int
    seq: int
    run: Run = field(compare=False)

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.at, self.kind, self.seq)


_PENDING, _SCHEDULE = 1, 2


class _Agenda:
    """The work of one clock advance up to ``limit``, taken in :class:`_Due`
    order.  MDRA changes are listed once (registration does not change while
    the clock moves); queued work is scanned afresh (a retry joins it); schedule
    runs come from a heap, each run putting its schedule's next run back, and an
    entry whose schedule has since changed or gone is skipped (no schedule is
    created while the clock moves: only a 5.1 creates one)."""

    def __init__(self, state: State, limit: int) -> None:
        self.limit = limit
        # A window opens at or after the local 00:00 of its day: a schedule whose
        # next run is on a later day than ``limit`` cannot be due.
        self.last_day = settlement_day(limit, state.profile.settlement_tz)
        self.changes = sorted(_mdra_changes_due(state, limit), key=lambda d: d.key)
        self.changes.reverse()  # taken from the end; equal keys keep their order
        self.runs: list[tuple[int, int, Schedule]] = []
        for schedule in state.schedules.values():
            self._push(state, schedule)

    def _push(self, state: State, schedule: Schedule) -> None:
        if schedule.next_run > self.last_day:
            return
        at = schedules.due(schedule, state)
        if at <= self.limit:
            heapq.heappush(self.runs, (at, schedule.schedule_id, schedule))

    def pop(self, state: State) -> _Due | None:
        """The earliest work due no later than ``limit``."""
        runs = self.runs
        while runs and state.schedules.get(runs[0][1]) is not runs[0][2]:
            heapq.heappop(runs)  # the schedule ran, moved on or was removed since
        keys = [self.changes[-1].key] if self.changes else []
        if state.pending:
            pending = min(((w.due, _PENDING, w.seq) for w in state.pending if w.due <= self.limit), default=None)
            if pending is not None:
                keys.append(pending)
        if runs:
            keys.append((runs[0][0], _SCHEDULE, runs[0][1]))
        if not keys:
            return None
        best = min(keys)
        if best[1] == _SCHEDULE:
            return _Due(*best, partial(_run_schedule, heapq.heappop(runs)[2]))
        if best[1] == _PENDING:
            work = next(w for w in state.pending if w.seq == best[2])
            return _Due(*best, partial(_run_pending, work))
        return self.changes.pop()

    def ran(self, due: _Due, state: State) -> None:
        """After a schedule run: its next run, if it is still there."""
        if due.kind == _SCHEDULE:
            schedule = state.schedules.get(due.seq)
            if schedule is not None:
                self._push(state, schedule)


def _mdra_changes_due(state: State, limit: int) -> list[_Due]:
    tz = state.profile.settlement_tz
    found = []
    for registration in state.registrations.values():
        for efd, outgoing, _incoming in mdra_changes(registration):
            at = day_start(efd, tz)
            if state.now < at <= limit:
                found.append(_Due(at, 0, 0, partial(_run_mdra_change, registration.mpan, outgoing, at)))
    return found


def _run_mdra_change(mpan: str, outgoing: str, at: int, state: State) -> tuple[State, tuple[Output, ...]]:
    return schedules.on_mdra_change(state, mpan, outgoing, at)


def _run_pending(work: Pending, state: State) -> tuple[State, tuple[Output, ...]]:
    state = evolve(state, pending=tuple(p for p in state.pending if p is not work))
    if SRVS[work.request.srv].device_request:
        return execute(state, work)
    # SCH-8 (option 'all-mdr-requests'): a held 5.1 / 5.2 / 5.3, decided again now.
    request = work.request
    decision = authorise(state, request, work.mode, state.now)
    tag = (state.profile.tag("mdr_window_scope"),)
    if isinstance(decision, Rejected):
        rejected = Rejected(decision.code, decision.requirements, decision.reason, decision.interp + tag)
        return state, (respond(state, request, work.submitted_at, work.mode, rejected),)
    return _dsp_only(state, request, _tagged(decision, tag), work.submitted_at)


def _run_schedule(schedule: Schedule, state: State) -> tuple[State, tuple[Output, ...]]:
    request = scheduled_request(schedule, state.profile.settlement_tz)
    # Executed at once: never queued, so it takes no sequence number.
    work = Pending(state.now, state.next_seq, request, state.now, "scheduled", schedule.schedule_id, None)
    return execute(schedules.finish_run(state, schedule), work)


def scheduled_request(schedule: Schedule, settlement_tz: str) -> ServiceRequest:
    """SCH-1: the read a schedule makes on its run day: the previous settlement day."""
    read_day = schedule.next_run - ONE_DAY
    period = ReadLogPeriod(day_start(read_day, settlement_tz), day_start(schedule.next_run, settlement_tz) - 1)
    return ServiceRequest(
        request_id=f"S{schedule.schedule_id}-{schedule.next_run.isoformat()}",
        user_id=schedule.owner,
        role=schedule.role,
        srv=schedule.srv,
        device_id=schedule.device_id,
        for_settlement=schedule.for_settlement,
        period=period,
    )


def _request_row(state: State, request: ServiceRequest, outputs: Outputs) -> tuple[AuditRow, ...]:
    """AUD-1, AUD-3: the record of a service request answered at once (no code:
    a held one is recorded by its acknowledgement, I99)."""
    if any(isinstance(o, Acknowledgement) for o in outputs):
        return ()
    return ((state.now, request.user_id, "request", request.request_id, ""),)


def _audit(state: State, outputs: Outputs, requests: tuple[AuditRow, ...] = ()) -> State:
    """AUD-1: every request, response and alert goes into the audit trail."""
    if not outputs and not requests:
        return state
    rows = requests + tuple([row for output in outputs if (row := _audit_row(output)) is not None])
    return evolve(state, audit=state.audit.appended(rows)) if rows else state


def _audit_row(output: Output) -> AuditRow | None:
    """The :class:`~mhhs_sec.model.outputs.AuditRecord` of an output, as a row (at, user_id, kind, reference, code)."""
    if isinstance(output, Response):
        return (output.responded_at, output.user_id, "response", output.request_id, output.code)
    if isinstance(output, Acknowledgement):
        return (output.at, output.user_id, "request", output.request_id, output.code)
    if isinstance(output, Alert):
        return (output.at, output.recipient, "alert", str(output.schedule_id), output.code)
    return None


_HANDLERS: dict[type, Callable[[State, Any], tuple[State, Outputs]]] = {
    SetUser: _set_user,
    LoadRegistration: _load_registration,
    LoadDevice: _load_device,
    SubmitRequest: _submit,
    AdvanceClock: _advance,
    RestrictDevice: _restrict_device,
    SetDeviceComms: _set_device_comms,
    ReadAuditTrail: _read_audit,
}
