"""Executing an accepted request: answering it, reading the device or the S1SP
cache, and retrying an unreachable device (C-4, C-8, C-9, C-10, SCH-5)."""

from __future__ import annotations

from collections.abc import Sequence

from . import access, cache, meter, schedules
from .access import Accepted, Rejected, authorise
from .clock import days_touched, settlement_day
from .entities import Device, LogEntry, ServiceRequest
from .outputs import Alternative, Response
from .registration import ONE_DAY
from .state import Pending, State, evolve
from .tables import SRVS


def respond(
    state: State,
    request: ServiceRequest,
    submitted_at: int,
    mode: str,
    decision: Accepted | Rejected,
    *,
    entries: tuple[LogEntry, ...] = (),
    device_read: bool = False,
    schedule_ids: tuple[int, ...] = (),
    inventory: Device | None = None,
    requirements: tuple[str, ...] = (),
    alternatives: tuple[Alternative, ...] = (),
) -> Response:
    """The Response to a request: data only with I0 (an error carries none).
    It is stamped with the TRT of its Table 3 cell; the model always answers
    inside it (TRT-4: a TRT is a maximum)."""
    if isinstance(decision, Rejected):
        return Response(
            request.request_id, request.user_id, request.role, request.srv, request.device_id,
            decision.code, decision.requirements, decision.reason, submitted_at, state.now, mode,
            request.for_settlement is True, None, interp=decision.interp, alternatives=alternatives,
        )  # fmt: skip
    return Response(
        request.request_id, request.user_id, request.role, request.srv, request.device_id, "I0", requirements, "",
        submitted_at, state.now, mode, decision.for_settlement, decision.trt_s, entries, device_read, schedule_ids,
        inventory, decision.interp,
    )  # fmt: skip


def execute(state: State, work: Pending, decided: Accepted | None = None) -> tuple[State, tuple[Response, ...]]:
    """Run a device read now: re-check access (unless ``decided``: the decision
    just taken for this instant and state), then read cache and device."""
    request = work.request
    decision = authorise(state, request, work.mode, state.now) if decided is None else decided
    if isinstance(decision, Rejected):
        others = access.alternatives(state, request, work.mode, state.now, decision)
        return state, (respond(state, request, work.submitted_at, work.mode, decision, alternatives=others),)
    if request.device_id in state.offline:
        return _unreachable(state, work, decision)
    entries, from_device, device_asked = _read(state, request, decision)
    state, stored = cache.store(state, request.device_id, request.srv, from_device)
    if stored:
        decision = Accepted(decision.for_settlement, decision.trt_s, decision.days, decision.interp + stored)
    response = respond(
        state, request, work.submitted_at, work.mode, decision,
        entries=entries, device_read=device_asked,
    )  # fmt: skip
    return state, (response,)


def _timestamps(state: State, request: ServiceRequest, decision: Accepted) -> Sequence[int]:
    device = state.devices[request.device_id]
    period = request.period
    start, end = (state.now, state.now) if period is None else (period.start, period.end)
    stamps = meter.timestamps(state, device, request.srv, start, end)
    if period is None:
        return stamps
    # AC-4 (option 'authorised-days'): only entries of the authorised days.
    tz = state.profile.settlement_tz
    if decision.days == days_touched(period.start, period.end, tz):
        return stamps  # every day the period touches is authorised
    days = set(decision.days)
    return [t for t in stamps if settlement_day(t, tz) in days]


def _restriction(state: State, request: ServiceRequest) -> int | None:
    """C-8: after a change-of-tenancy restriction a 4.8.1 read from the device
    returns only entries at or after this instant (None: no restriction)."""
    return state.restrictions.get(request.device_id) if request.srv == "4.8.1" else None


def _read(
    state: State, request: ServiceRequest, decision: Accepted
) -> tuple[tuple[LogEntry, ...], list[LogEntry], bool]:
    """C-4, C-9: each entry from the cache when held fresh, else from the device.
    Returns the answer, what the device gave, and whether the device was asked
    at all (C-9: not when every covered timestamp was held in the cache)."""
    device = state.devices[request.device_id]
    stamps = _timestamps(state, request, decision)
    restricted_at = _restriction(state, request)
    logged = meter.entries(state, device, request.srv, stamps)
    held = cache.fresh(state, request.device_id, request.srv)
    if restricted_at is None and (not held or held.keys().isdisjoint(stamps)):
        # nothing held and nothing deleted: the device answers for every timestamp
        return logged, list(logged), True
    answer: list[LogEntry] = []
    from_device: list[LogEntry] = []
    device_asked = SRVS[request.srv].cadence == "instant"
    for entry in logged:
        cached = held.get(entry.timestamp)
        if cached is not None:
            answer.append(cached.entry)  # C-8: cached data may be returned despite a restriction
            continue
        device_asked = True
        # C-8: a restricted device holds only entries from the restriction on.
        if restricted_at is None or entry.timestamp >= restricted_at:
            answer.append(entry)
            from_device.append(entry)
    return tuple(answer), from_device, device_asked or not stamps


def _unreachable(state: State, work: Pending, decision: Accepted) -> tuple[State, tuple[Response, ...]]:
    """SCH-5: an MHHS read is retried, but never at or after the cut-off (the
    next day's DSP window at midnight), nor outside an MDR's window (SCH-4)."""
    request = work.request
    if not decision.for_settlement:
        failed = replace_code(decision, "MHHS-E7", ("SCH-5",), "device unreachable")
        return state, (respond(state, request, work.submitted_at, work.mode, failed),)
    cutoff = work.retry_cutoff if work.retry_cutoff is not None else retry_cutoff(state, state.now)
    retry_at = state.now + state.config.retry_interval_s
    window = schedules.window_for(request.role, state.config)
    in_window = schedules.next_window_open(retry_at, window, state.profile.settlement_tz) == retry_at
    if retry_at < cutoff and (request.role != "MDR" or in_window):
        retry = Pending(retry_at, state.next_seq, request, work.submitted_at, work.mode, work.schedule_id, cutoff)
        return evolve(state, pending=(*state.pending, retry), next_seq=state.next_seq + 1), ()
    failed = replace_code(decision, "MHHS-E6", ("SCH-5",), "retries stopped before the next DSP window")
    return state, (respond(state, request, work.submitted_at, work.mode, failed),)


def retry_cutoff(state: State, at: int) -> int:
    """SCH-5: the opening of the next settlement day's DSP window."""
    day = settlement_day(at, state.profile.settlement_tz)
    return schedules.window_bounds(day + ONE_DAY, state.config.dsp_window, state.profile.settlement_tz)[0]


def replace_code(decision: Accepted, code: str, requirements: tuple[str, ...], reason: str) -> Rejected:
    """A failure after acceptance, carrying the decision's interp tags."""
    return Rejected(code, requirements, reason, decision.interp)
