"""Seeded faulty implementations for the self-check (``mhhs-sec selfcheck``).

Each :class:`Fault` is the reference implementation with ONE model function
replaced by the version a real vendor might have written: a plausible
misreading of one SEC rule.  The replacement is installed only while the faulty
implementation handles a call (``reset`` / ``step``) and removed afterwards, in
the implementation's own process (in process for ``fault:NAME``, or inside
``mhhs-sec serve --stdio --fault NAME``).  Do not run a faulty implementation
and the reference concurrently in one process: the patch is process-wide while
a call runs.

The suite is only as good as the faults it catches: the self-check requires
every fault here to fail at least one committed vector.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from mhhs_sec.model import access, cache, clock, codec, execution, machine, meter, registration, rules, schedules
from mhhs_sec.model.events import ReadAuditTrail, RestrictDevice
from mhhs_sec.model.outputs import AuditExtract
from mhhs_sec.model.profile import Window
from mhhs_sec.model.tables import CACHE, TRT_TABLE

from .protocol import Json
from .reference import ReferenceImplementation

Patch = tuple[Any, Any, Any]  # (module or dict, attribute name or key, replacement)


@dataclass(frozen=True)
class Fault:
    """A named vendor fault: the requirements it breaks, what the vendor got
    wrong, and the one replacement that seeds it."""

    name: str
    requirements: tuple[str, ...]
    description: str
    patches: Callable[[], list[Patch]]


@contextlib.contextmanager
def installed(fault: Fault) -> Iterator[None]:
    """Install a fault's replacement for the duration of one call."""
    saved: list[tuple[Any, str, Any]] = []
    try:
        for target, name, replacement in fault.patches():
            if isinstance(target, dict):
                saved.append((target, name, target[name]))
                target[name] = replacement
            else:
                saved.append((target, name, getattr(target, name)))
                setattr(target, name, replacement)
        yield
    finally:
        for target, name, original in reversed(saved):
            if isinstance(target, dict):
                target[name] = original
            else:
                setattr(target, name, original)


class FaultyImplementation(ReferenceImplementation):
    """The reference implementation running with one seeded fault."""

    def __init__(self, fault: Fault) -> None:
        super().__init__()
        self.fault = fault
        self.name = f"seeded fault {fault.name}"

    def reset(self, initial_state: Json) -> None:
        with installed(self.fault):
            super().reset(initial_state)

    def step(self, event: Json) -> list[Json]:
        with installed(self.fault):
            return super().step(event)


# ---- the replacements ---------------------------------------------------------
# Originals are captured at import time, before any patch is installed.

_authorise = access.authorise
_read_acceptance = access.read_acceptance
_check_device = access.check_device
_check_flag = access.check_flag
_check_registration = access.check_registration
_check_srv_allowed = access.check_srv_allowed
_trt = access._trt
_cacheable = rules.cacheable  # cache.py imports it by name; patched there
_decode_profile = codec.decode_profile
_retry_cutoff = execution.retry_cutoff
_window_for = schedules.window_for
_store = cache.store
_check_run_day = access.check_run_day
_HOUR = 3600


def _cache_26h() -> list[Patch]:
    # C-5: the vendor holds cached entries 26 h instead of at most 25 h.
    def is_fresh(retrieved_at: int, now: int, profile: Any) -> bool:
        return now - retrieved_at < CACHE.max_age_s + _HOUR

    return [(cache, "is_fresh", is_fresh)]


def _efd_inclusive() -> list[Patch]:
    # REG-4: the outgoing appointment is compared with the incoming EFD using
    # '<=', so the outgoing MDRA still holds the EFD day (and the incoming not).
    def party_on(appointments: Any, day: Any, etd_mode: str) -> str | None:
        for appointment in appointments:
            if appointment.efd > day:
                return None
            end = registration.last_day(appointment, etd_mode)
            if end is None or day <= end + registration.ONE_DAY:
                return str(appointment.party)
        return None

    return [(access, "party_on", party_on)]


def _fully_cached(state: Any, request: Any) -> bool:
    device = state.devices.get(request.device_id)
    if device is None or request.period is None or (request.device_id, request.srv) not in state.cache:
        return False
    stamps = meter.timestamps(state, device, request.srv, request.period.start, request.period.end)
    held = cache.fresh(state, request.device_id, request.srv)
    return len(stamps) > 0 and all(t in held for t in stamps)


def _cache_before_access() -> list[Patch]:
    # C-7: the S1SP answers from its cache before the DSP's access control.
    def authorise(state: Any, request: Any, mode: str, at: int) -> Any:
        decision = _authorise(state, request, mode, at)
        if isinstance(decision, access.Rejected) and _fully_cached(state, request):
            days = access.target_days(state, request, at)
            return access.Accepted(request.for_settlement is True, None, days, ())
        return decision

    return [(machine, "authorise", authorise), (execution, "authorise", authorise)]


def _utc_settlement_day() -> list[Patch]:
    # REG-8: the settlement day is taken to start at UTC midnight, whatever the profile says.
    def decode_profile(data: object, path: str = "profile") -> Any:
        return replace(_decode_profile(data, path), settlement_tz="utc")

    return [(codec, "decode_profile", decode_profile)]


def _supplier_fast_trt() -> list[Patch]:
    # TRT-2: a Supplier's MHHS read keeps the existing-service TRT (e.g. 30 s).
    def read_acceptance(state: Any, request: Any, device: Any, mode: str, flag: Any, *rest: Any) -> Any:
        decision = _read_acceptance(state, request, device, mode, flag, *rest)
        if decision.for_settlement and request.role in rules.SUPPLIER_ROLES:
            return replace(decision, trt_s=rules.trt_s(request.srv, device.generation, mode, "existing"))
        return decision

    return [(access, "read_acceptance", read_acceptance)]


def _mdr_411_smets2() -> list[Patch]:
    # AC-6: the MDR 4.1.1 device check forgets the SMETS1-only restriction.
    def check_device(role: str, srv: str, device: Any, mode: str, flag: bool) -> Any:
        if role == "MDR" and srv == "4.1.1":
            device = replace(device, generation="SMETS1")
        return _check_device(role, srv, device, mode, flag)

    return [(access, "check_device", check_device)]


def _flag_not_checked() -> list[Patch]:
    # FS-2, FS-4, AC-5: the ForSettlement flag is passed through unchecked.
    def check_flag(state: Any, request: Any) -> Any:
        return access._Flag(request.for_settlement is True, ())

    return [(access, "check_flag", check_flag)]


def _schedules_kept() -> list[Patch]:
    # SCH-3: the outgoing MDRA's schedules survive the incoming EFD (no alert).
    def on_mdra_change(state: Any, mpan: str, outgoing: str, at: int) -> Any:
        return state, ()

    return [(schedules, "on_mdra_change", on_mdra_change)]


def _cache_482() -> list[Patch]:
    # C-1: 4.8.2 (reactive profile) is cached like 4.8.1.
    def cacheable(srv: str, generation: str, kind: str) -> bool:
        return _cacheable("4.8.1" if srv == "4.8.2" else srv, generation, kind)

    return [(cache, "cacheable", cacheable)]


def _cache_smets2() -> list[Patch]:
    # C-2: the cache is applied to SMETS2 ESMEs too.
    def cacheable(srv: str, generation: str, kind: str) -> bool:
        return _cacheable(srv, CACHE.generation, kind)

    return [(cache, "cacheable", cacheable)]


def _restriction_ignored() -> list[Patch]:
    # C-8: the change-of-tenancy restriction is not recorded, so the device's
    # older data is still served (without any schedule's cache).
    def restrict_device(state: Any, event: RestrictDevice) -> Any:
        return state, ()

    return [(machine._HANDLERS, RestrictDevice, restrict_device)]


def _retry_past_midnight() -> list[Patch]:
    # SCH-5: retries run on until the DSP window closes instead of stopping before it opens.
    def retry_cutoff(state: Any, at: int) -> int:
        window = state.config.dsp_window
        cutoff: int = _retry_cutoff(state, at)
        return cutoff + int(window.close_s - window.open_s)

    return [(execution, "retry_cutoff", retry_cutoff)]


def _cache_outlives_schedule() -> list[Patch]:
    # C-6: deleting the DSP Schedule leaves its cache in place.
    return [(cache, "drop", lambda state, device_id, srv: state)]


def _no_mdr_window() -> list[Patch]:
    # SCH-4: the MDR window is not configured: MDR work runs at any hour.
    def window_for(role: str, config: Any) -> Window:
        return Window(0, clock.DAY) if role == "MDR" else _window_for(role, config)

    return [(schedules, "window_for", window_for)]


def _partial_period_answered() -> list[Patch]:
    # AC-4: a partly authorised period is answered for the authorised days
    # whatever the profile says (default: reject the whole request).
    def check_registration(state: Any, request: Any, device: Any, days: Any) -> Any:
        lenient = replace(state, profile=replace(state.profile, partial_period="authorised-days"))
        return _check_registration(lenient, request, device, days)

    return [(access, "check_registration", check_registration)]


def _audit_everyone() -> list[Patch]:
    # AUD-2: the audit trail extract holds every user's records.
    def read_audit(state: Any, event: ReadAuditTrail) -> Any:
        records = tuple(r for r in state.audit if r.kind != "alert")
        return state, (AuditExtract(event.user_id, tuple(reversed(records))),)

    return [(machine._HANDLERS, ReadAuditTrail, read_audit)]


def _inventory_16s() -> list[Patch]:
    # TRT-3: 8.2 on SMETS1 keeps the printed 16 s (the anomaly is not amended).
    printed = {row.srv: row for row in TRT_TABLE}

    def trt(srv: str, generation: str, mode: str, for_settlement: bool) -> int | None:
        if srv == "8.2":
            purpose = "mhhs" if for_settlement else "existing"
            return rules._printed_cell(printed[srv], generation, mode, purpose)  # type: ignore[arg-type]
        return _trt(srv, generation, mode, for_settlement)

    return [(access, "_trt", trt)]


def _mdr_supplier_matrix() -> list[Patch]:
    # AC-1: the MDR role is given the Supplier's (IS) DUIS matrix, not 002 Table 2.
    def check_srv_allowed(role: str, srv: str) -> Any:
        return _check_srv_allowed("IS" if role == "MDR" else role, srv)

    return [(access, "check_srv_allowed", check_srv_allowed)]


def _mdr_gas() -> list[Patch]:
    # AC-7: an MDR request to a gas meter is let through like a Supplier's.
    def check_device(role: str, srv: str, device: Any, mode: str, flag: bool) -> Any:
        return _check_device("IS" if role == "MDR" and device.kind != "ESME" else role, srv, device, mode, flag)

    return [(access, "check_device", check_device)]


def _smets1_na_served() -> list[Patch]:
    # AC-8: the N/A SMETS1 cells (4.6.2, 4.17) are served with the SMETS2 TRT.
    def trt(srv: str, generation: str, mode: str, for_settlement: bool) -> int | None:
        value = _trt(srv, generation, mode, for_settlement)
        return _trt(srv, "SMETS2", mode, for_settlement) if value is None and generation == "SMETS1" else value

    return [(access, "_trt", trt)]


def _others_schedules() -> list[Patch]:
    # SCH-2: 5.2 / 5.3 act on any user's schedules of the device.
    def owned(state: Any, request: Any) -> tuple[Any, ...]:
        return tuple(
            s
            for s in sorted(state.schedules.values(), key=lambda s: s.schedule_id)
            if (s.schedule_id == request.schedule_id if request.schedule_id is not None
                else s.device_id == request.device_id)
        )  # fmt: skip

    return [(schedules, "owned", owned)]


def _with_option(state: Any, **options: Any) -> Any:
    return replace(state, profile=replace(state.profile, **options))


def _cache_after_latest() -> list[Patch]:
    # C-12: only entries after the latest one retrieved count as 'not retrieved before'.
    def store(state: Any, device_id: str, srv: str, read: Any) -> Any:
        stored, tags = _store(_with_option(state, retrieved_entries="after-latest"), device_id, srv, read)
        return replace(stored, profile=state.profile), tags

    return [(cache, "store", store)]


def _active_from_creation() -> list[Patch]:
    # C-13: a schedule counts as active from its creation, before its start date.
    return [(cache, "is_active", lambda state, schedule: True)]


def _schedule_requests_held() -> list[Patch]:
    # SCH-8: an MDR 5.1 / 5.2 / 5.3 outside the MDR window is held like a read.
    def held_in_window(state: Any, request: Any) -> bool:
        return bool(request.role == "MDR" and request.srv != "8.2")

    return [(machine, "held_in_window", held_in_window)]


def _run_day_targeted() -> list[Patch]:
    # SCH-9: a schedule run is also checked on the day it runs.
    def check_run_day(state: Any, request: Any, device: Any, days: Any, mode: str, at: int) -> Any:
        return _check_run_day(_with_option(state, run_on_efd_reading_before="refused"), request, device, days, mode,
                              at)  # fmt: skip

    return [(access, "check_run_day", check_run_day)]


def _audit_responses_only() -> list[Patch]:
    # AUD-3: the audit extract holds the responses but not the requests.
    return [(machine, "extract_kinds", lambda state: frozenset({"response"}))]


def _device_data_overlap_accepted() -> list[Patch]:
    # C-10: device data whose runs log one timestamp twice is accepted at
    # reset (the later run's value wins) instead of refused as invalid input.
    def log_of(run_list: Any) -> meter.DeviceLog:
        logged: dict[int, int] = {}
        for start, interval, values in run_list:
            logged.update(zip(range(start, start + len(values) * interval, interval), values, strict=True))
        return meter.DeviceLog(tuple(sorted(logged)), tuple(logged[t] for t in sorted(logged)))

    return [(meter, "log_of", log_of)]


FAULTS: tuple[Fault, ...] = (
    Fault("cache-kept-26h", ("C-5",), "cached entries are served up to 26 h after retrieval", _cache_26h),
    Fault("efd-compared-inclusive", ("REG-4", "AC-3"),
          "the outgoing MDRA keeps the incoming EFD day ('<=' at the EFD)", _efd_inclusive),
    Fault("cache-before-access-control", ("C-7", "AC-3"),
          "a fully cached read is answered before access control", _cache_before_access),
    Fault("utc-settlement-day", ("REG-8", "REG-3"),
          "the settlement day starts at UTC midnight whatever the profile", _utc_settlement_day),
    Fault("supplier-mhhs-existing-trt", ("TRT-2",),
          "a Supplier's MHHS read is given the existing-service TRT", _supplier_fast_trt),
    Fault("mdr-4.1.1-on-smets2", ("AC-6",), "MDR may send 4.1.1 to a SMETS2 ESME", _mdr_411_smets2),
    Fault("flag-not-checked", ("FS-2", "FS-4", "AC-5"),
          "the ForSettlement flag is not checked against the role", _flag_not_checked),
    Fault("schedules-kept-after-efd", ("SCH-3",),
          "the outgoing MDRA's schedules are neither deleted nor alerted at the EFD", _schedules_kept),
    Fault("cache-4.8.2", ("C-1",), "4.8.2 reactive profile data is cached", _cache_482),
    Fault("cache-smets2", ("C-2",), "SMETS2 ESME reads are cached", _cache_smets2),
    Fault("restriction-ignored", ("C-8",),
          "a restricted ESME's earlier data is served without a schedule's cache", _restriction_ignored),
    Fault("retry-past-midnight", ("SCH-5",),
          "retries run past midnight until the DSP window closes", _retry_past_midnight),
    Fault("cache-outlives-schedule", ("C-6",), "the cache stays after its DSP Schedule is deleted",
          _cache_outlives_schedule),
    Fault("mdr-window-ignored", ("SCH-4",), "MDR requests and schedules run outside the MDR window",
          _no_mdr_window),
    Fault("partial-period-answered", ("AC-4",),
          "a partly authorised period is answered in part under the default profile", _partial_period_answered),
    Fault("audit-shows-everyone", ("AUD-2",), "the audit extract holds other users' records", _audit_everyone),
    Fault("inventory-smets1-16s", ("TRT-3",), "8.2 on SMETS1 keeps the 16 s anomaly", _inventory_16s),
    Fault("mdr-supplier-matrix", ("AC-1",), "the MDR role may send every SRV a Supplier may",
          _mdr_supplier_matrix),
    Fault("mdr-gas-meter", ("AC-7",), "MDR requests to a gas meter are accepted", _mdr_gas),
    Fault("smets1-na-served", ("AC-8", "TRT-1"), "4.6.2 / 4.17 are served for SMETS1", _smets1_na_served),
    Fault("other-users-schedules", ("SCH-2",), "5.2 / 5.3 act on other users' schedules", _others_schedules),
    Fault("cache-after-latest-only", ("C-12", "C-3"),
          "an entry older than the latest retrieved is not cached though never retrieved", _cache_after_latest),
    Fault("schedule-active-from-creation", ("C-13", "C-2"),
          "reads are cached under a schedule that has not reached its start date", _active_from_creation),
    Fault("mdr-schedule-requests-held", ("SCH-8", "SCH-4"),
          "an MDR 5.1 / 5.2 / 5.3 outside the MDR window is held until it opens", _schedule_requests_held),
    Fault("run-day-targeted", ("SCH-9", "AC-3"),
          "a schedule run on the incoming EFD reading the day before is refused", _run_day_targeted),
    Fault("audit-without-requests", ("AUD-3", "AUD-1"), "the audit extract leaves out the user's requests",
          _audit_responses_only),
    Fault("device-data-overlap-accepted", ("C-10",),
          "device data logging one timestamp twice is accepted at reset, the later run's value kept",
          _device_data_overlap_accepted),
)  # fmt: skip

FAULTS_BY_NAME: dict[str, Fault] = {fault.name: fault for fault in FAULTS}


def faulty_factory(name: str) -> Callable[[], FaultyImplementation]:
    """A zero-argument factory of the named faulty implementation."""
    fault = FAULTS_BY_NAME.get(name)
    if fault is None:
        raise ValueError(f"unknown fault {name!r}; known: {', '.join(sorted(FAULTS_BY_NAME))}")
    return lambda: FaultyImplementation(fault)
