"""Each seeded fault (:data:`.mutants.MUTANTS`) applied to the Python model, so
that a counterexample found on the faulty encoding replays on a faulty model
(and, replayed on the reference model, shows the invariant holding there).

A fault is a context manager patching the model's module attributes; nothing
in ``model/`` changes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from typing import Any, Final
from unittest import mock

from mhhs_sec.model import access, cache, clock, execution, machine, schedules, validate
from mhhs_sec.model.access import Accepted
from mhhs_sec.model.entities import CachedEntry, Registration, ServiceRequest
from mhhs_sec.model.events import SubmitRequest
from mhhs_sec.model.outputs import Response
from mhhs_sec.model.registration import ONE_DAY, last_day, mdra_changes
from mhhs_sec.model.state import CacheSlot, Pending, State, evolve
from mhhs_sec.model.tables import CACHE, SRVS, TRT_TABLE

Patch = Callable[[], contextlib.AbstractContextManager[Any]]


def _trt_override(cells: Callable[[str, str, str, str], int | None | bool]) -> Patch:
    original = vars(access)["trt_s"]

    def trt(srv: str, generation: str, mode: str, purpose: str) -> int | None:
        value = cells(srv, generation, mode, purpose)
        return original(srv, generation, mode, purpose) if value is False else value

    return lambda: mock.patch.object(access, "trt_s", trt)


def _printed(srv: str, generation: str, mode: str, purpose: str) -> int | None | bool:
    if (srv, generation, mode) != ("8.2", "SMETS1", "on-demand"):
        return False
    row = next(r for r in TRT_TABLE if r.srv == srv)
    value: int | None = getattr(row, f"{purpose}_s1_od")
    return value


def _party_on_keeps_efd(appointments: Any, day: Any, etd_mode: str) -> str | None:
    # '<=' for '<' at the EFD: each appointment lasts one day longer
    for appointment in appointments:
        if appointment.efd > day:
            return None
        end = last_day(appointment, etd_mode)
        if end is None or day <= end + ONE_DAY:
            return str(appointment.party)
    return None


@contextlib.contextmanager
def _utc_access() -> Iterator[None]:
    def days(start: int, end: int, tz: str = "uk") -> Any:
        return clock.days_touched(start, end, "utc")

    def day(instant: int, tz: str = "uk") -> Any:
        return clock.settlement_day(instant, "utc")

    with mock.patch.multiple(access, days_touched=days, settlement_day=day), \
            mock.patch.multiple(execution, days_touched=days, settlement_day=day):  # fmt: skip
        yield


def _changes_at_utc_midnight(state: State, limit: int) -> list[Any]:
    # REG-3 fault: the model's own look-up, but every EFD starts at UTC midnight.
    utc = evolve(state, profile=dataclasses.replace(state.profile, settlement_tz="utc"))
    return _MDRA_CHANGES_DUE(utc, limit)


_MDRA_CHANGES_DUE: Final = machine._mdra_changes_due  # captured before any patch


def _cache_first() -> contextlib.AbstractContextManager[Any]:
    original = machine._HANDLERS[SubmitRequest]

    def submit(state: State, event: SubmitRequest) -> Any:
        r: ServiceRequest = event.request
        spec = SRVS.get(r.srv)
        slot = state.cache.get((r.device_id, r.srv))
        if spec is not None and spec.device_request and slot is not None:
            start, end = (r.period.start, r.period.end) if r.period else (state.now, state.now)
            held = cache.fresh(state, r.device_id, r.srv)
            hits = [held[t].entry for t in sorted(held) if start <= t <= min(end, state.now)]
            if hits:
                response = Response(r.request_id, r.user_id, r.role, r.srv, r.device_id, "I0", ("C-4",),
                                    "answered from the cache", state.now, state.now, "on-demand",
                                    r.for_settlement is True, None, entries=tuple(hits))  # fmt: skip
                return state, (response,)
        return original(state, event)

    return mock.patch.dict(machine._HANDLERS, {SubmitRequest: submit})


@contextlib.contextmanager
def restamping_hits() -> Iterator[None]:
    """C-5 fault: a cache hit stamps the entries it served with the instant of the hit."""
    execute = execution.execute  # what the model calls as machine.execute

    def run(state: State, work: Pending, decided: Accepted | None = None) -> Any:
        key = (work.request.device_id, work.request.srv)
        held = cache.fresh(state, *key)
        new, responses = execute(state, work, decided)
        hits = {e.timestamp for r in responses for e in r.entries if e.timestamp in held}
        slot = new.cache.get(key)
        if hits and slot is not None:
            entries = {t: CachedEntry(c.entry, new.now) if t in hits else c for t, c in slot.entries.items()}
            new = evolve(new, cache={**new.cache, key: CacheSlot(entries, slot.high_water, slot.retrieved)})
        return new, responses

    with mock.patch.object(machine, "execute", run):
        yield


@contextlib.contextmanager
def kept_decisions() -> Iterator[None]:
    """SCH-4, SCH-5 fault: queued work (a held or future-dated read, a retry)
    executes on the decision that queued it, never decided again."""
    kept: dict[str, Accepted | access.Rejected] = {}
    execute, start_read = execution.execute, machine._start_read  # execute: what machine calls

    def start(state: State, request: ServiceRequest, at: int, decision: Accepted) -> Any:
        kept[request.request_id] = decision  # the decision taken at submission
        return start_read(state, request, at, decision)

    def run(state: State, work: Pending, decided: Accepted | None = None) -> Any:
        decision = decided or kept.get(work.request.request_id)
        if decision is None:  # a schedule's run: decided now, kept for its retries
            decision = access.authorise(state, work.request, work.mode, state.now)
        kept[work.request.request_id] = decision
        return execute(state, work, decision)  # type: ignore[arg-type]

    with mock.patch.object(machine, "execute", run), mock.patch.object(machine, "_start_read", start):
        yield


def _check_device_without(requirement: str) -> Patch:
    original = access.check_device

    def check(role: str, srv: str, device: Any, mode: str, flag: bool) -> Any:
        if role == "MDR" and requirement == "AC-7" and device.kind != "ESME":
            if srv == "4.1.1" and device.generation != "SMETS1":
                return access.Rejected("E11", ("AC-6",), "MDR 4.1.1 to a SMETS2 device")
            return original("IS", srv, device, mode, flag)
        if role == "MDR" and requirement == "AC-6" and srv == "4.1.1" and device.kind == "ESME":
            return original("IS", srv, device, mode, flag)
        return original(role, srv, device, mode, flag)

    return lambda: mock.patch.object(access, "check_device", check)


def _supplier_fast() -> contextlib.AbstractContextManager[Any]:
    original = access.read_acceptance

    def read_acceptance(state: State, request: ServiceRequest, device: Any, mode: str, flag: Any, *rest: Any) -> Any:
        decision = original(state, request, device, mode, flag, *rest)
        if request.role in ("IS", "ES") and decision.for_settlement:
            fast = vars(access)["trt_s"](request.srv, device.generation, mode, "existing")
            return dataclasses.replace(decision, trt_s=fast)
        return decision

    return mock.patch.object(access, "read_acceptance", read_acceptance)


def _cacheable(srvs: tuple[str, ...], any_generation: bool) -> Patch:
    def check(srv: str, generation: str, device_kind: str) -> bool:
        return srv in srvs and (any_generation or generation == CACHE.generation) and device_kind == CACHE.device_kind

    return lambda: mock.patch.object(cache, "cacheable", check)


def _flag_unchecked(state: State, request: ServiceRequest) -> Any:
    return access._Flag(request.for_settlement is True, ())


def _first_change_only(registration: Registration) -> Iterator[tuple[dt.date, str, str]]:
    # SCH-3 fault: only the first MDRA change of a chain takes effect
    yield from itertools.islice(mdra_changes(registration), 1)


def _drop_unless_scheduled(state: State, device_id: str, srv: str) -> State:
    # C-6 fault: the cache stays while another schedule for the device and SRV remains
    if any((s.device_id, s.srv) == (device_id, srv) for s in state.schedules.values()):
        return state
    return _DROP(state, device_id, srv)


_DROP: Final = cache.drop

PATCHES: Final[dict[str, Patch]] = {
    "cache-ttl-26h": lambda: mock.patch.object(cache, "CACHE", dataclasses.replace(CACHE, max_age_s=26 * 3600)),
    "cache-hit-restamps": restamping_hits,
    "efd-le": lambda: mock.patch.object(access, "party_on", _party_on_keeps_efd),
    "access-utc-midnight": _utc_access,
    "change-utc-midnight": lambda: mock.patch.object(machine, "_mdra_changes_due", _changes_at_utc_midnight),
    "cache-before-access": _cache_first,
    "flag-unchecked": lambda: mock.patch.object(access, "check_flag", _flag_unchecked),
    "mdr-4.1.1-smets2": _check_device_without("AC-6"),
    "mdr-gsme": _check_device_without("AC-7"),
    "4.6.2-available-smets1": _trt_override(lambda s, g, m, p: 86400 if (s, g) == ("4.6.2", "SMETS1") else False),
    "supplier-mhhs-trt-30s": _supplier_fast,
    "4.8.1-mhhs-5600s": _trt_override(lambda s, g, m, p: 5600 if (s, g, p) == ("4.8.1", "SMETS2", "mhhs") else False),
    "8.2-smets1-16s": _trt_override(_printed),
    "4.8.2-cacheable": _cacheable((*CACHE.srvs, "4.8.2"), False),
    "smets2-cacheable": _cacheable(CACHE.srvs, True),
    "cache-kept-on-schedule-delete": lambda: mock.patch.object(cache, "drop", lambda state, device_id, srv: state),
    "cache-kept-while-scheduled": lambda: mock.patch.object(cache, "drop", _drop_unless_scheduled),
    "schedules-kept-after-efd": lambda: mock.patch.object(schedules, "on_mdra_change",
                                                          lambda state, mpan, outgoing, at: (state, ())),
    "registration-gap-accepted": lambda: mock.patch.object(validate, "check_load_registration",
                                                           lambda state, event: None),
    "sch3-first-change-only": lambda: mock.patch.object(machine, "mdra_changes", _first_change_only),
    "queued-work-keeps-decision": kept_decisions,
}  # fmt: skip
