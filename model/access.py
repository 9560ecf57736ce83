"""Access control, the ForSettlement flag and TRT selection for one request.

:func:`authorise` runs the checks in a fixed order, one function per rule, and
returns :class:`Accepted` or the first :class:`Rejected`.  Each check cites
the catalogue row it implements.  The same decision is re-run when a held,
future-dated or scheduled request executes, so a request is never answered on
the strength of a registration that no longer stands.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from .clock import days_touched, settlement_day
from .entities import Device, ServiceRequest
from .frozen import frozen
from .registration import ONE_DAY, party_on
from .rules import MHHS_ELIGIBLE, NEVER_FOR_SETTLEMENT, SUPPLIER_ROLES, role_may_send, trt_s
from .state import State
from .tables import SRVS, Generation, Mode


@frozen
class Rejected:
    code: str
    requirements: tuple[str, ...]
    reason: str
    interp: tuple[str, ...] = ()


@frozen
class Accepted:
    """The request may be answered: with this effective flag and TRT, for these
    settlement days (all targeted days, or the authorised ones under AC-4)."""

    for_settlement: bool
    trt_s: int | None
    days: tuple[dt.date, ...]
    interp: tuple[str, ...]


Decision = Accepted | Rejected


@frozen
class _Flag:
    value: bool
    interp: tuple[str, ...]


def authorise(state: State, request: ServiceRequest, mode: str, at: int) -> Decision:
    """Decide a request executed at instant ``at`` in ``mode``.

    AC-9: the decision depends only on the request, the sender, the device and
    registration: nothing counts requests or remembers who read what before."""
    rejected = check_user(state, request) or check_srv_allowed(request.role, request.srv)
    if rejected:
        return rejected
    flag = check_flag(state, request)
    if isinstance(flag, Rejected):
        return flag
    if request.srv in ("5.2", "5.3"):
        return Accepted(flag.value, _trt(request.srv, "SMETS2", "on-demand", flag.value), (), flag.interp)
    device = state.devices.get(request.device_id)
    if device is None:
        # E19: the device is not in the Smart Metering Inventory.
        return Rejected("E19", ("AC-3",), f"device {request.device_id} is unknown")
    if request.srv == "5.1":
        return _authorise_create_schedule(state, request, device, flag)
    return _authorise_read(state, request, device, mode, at, flag)


def _authorise_create_schedule(state: State, request: ServiceRequest, device: Device, flag: _Flag) -> Decision:
    assert request.schedule is not None
    scheduled = request.schedule.srv
    rejected = (
        check_srv_allowed(request.role, scheduled)
        or check_schedulable(scheduled)
        or check_device(request.role, scheduled, device, "scheduled", flag.value)
    )
    if rejected:
        return rejected
    days = schedule_read_days(request)
    decision = check_registration(state, request, device, days)
    if isinstance(decision, Rejected):
        return decision
    trt = _trt("5.1", device.generation, "on-demand", flag.value)
    return Accepted(flag.value, trt, decision.days, flag.interp + decision.interp)


def _authorise_read(state: State, request: ServiceRequest, device: Device, mode: str, at: int, flag: _Flag) -> Decision:
    if mode == "scheduled" and (rejected := check_schedulable(request.srv)):
        return rejected
    rejected = check_device(request.role, request.srv, device, mode, flag.value)
    if rejected:
        return rejected
    days = target_days(state, request, at)
    checked, run_day = check_run_day(state, request, device, days, mode, at)
    decision = check_registration(state, request, device, checked)
    if isinstance(decision, Rejected):
        if run_day:  # SCH-9: a run the two readings decide apart
            return Rejected(decision.code, decision.requirements, decision.reason, decision.interp + run_day)
        return decision
    rejected = check_schedule_first(state, request, mode, flag.value)
    if rejected:
        return rejected
    trt = _trt(request.srv, device.generation, mode, flag.value)
    strict = _schedule_first_tag(state, request, mode, flag.value)
    days = _read_days(decision.days, days)
    return Accepted(flag.value, trt, days, flag.interp + decision.interp + run_day + strict)


def _read_days(authorised: tuple[dt.date, ...], targeted: tuple[dt.date, ...]) -> tuple[dt.date, ...]:
    """AC-4: the authorised days among those the request reads (a schedule run's
    own run day may be checked, SCH-9, but is never read)."""
    return authorised if authorised == targeted else tuple(d for d in authorised if d in targeted)


def _trt(srv: str, generation: str, mode: str, for_settlement: bool) -> int | None:
    return trt_s(srv, cast(Generation, generation), cast(Mode, mode), "mhhs" if for_settlement else "existing")


def check_user(state: State, request: ServiceRequest) -> Rejected | None:
    """E1 (REG-1, REG-7): the sender is a known user holding the role it sent in."""
    user = state.users.get(request.user_id)
    if user is None:
        return Rejected("E1", ("REG-1",), f"user {request.user_id} is not a DCC User")
    if request.role not in user.roles:
        # REG-7: an agent MDRA must hold the MDR role; a Supplier uses IS / ES.
        return Rejected("E1", ("REG-1", "REG-7"), f"user {request.user_id} does not hold role {request.role}")
    return None


def check_srv_allowed(role: str, srv: str) -> Rejected | None:
    """E2: AC-1 (MDR: 002 Table 2 only) and the DUIS matrix for other roles."""
    if role_may_send(role, srv):
        return None
    requirement = ("AC-1",) if role == "MDR" else ("AC-5",)
    return Rejected("E2", requirement, f"role {role} may not send SRV {srv}")


def check_schedulable(srv: str) -> Rejected | None:
    """AC-2, SCH-7: only SRVs that may be DCC Scheduled are scheduled."""
    if SRVS[srv].schedulable:
        return None
    return Rejected("MHHS-E3", ("AC-2", "SCH-7"), f"SRV {srv} is On Demand only")


def check_flag(state: State, request: ServiceRequest) -> _Flag | Rejected:
    """FS-2, FS-4 (with the FS-5 option), AC-5 and the REG-11 option."""
    role, flag = request.role, request.for_settlement is True
    coerce = state.profile.flag_violation == "coerce"
    # FS-2: MDR requests always carry ForSettlement = true.
    if role == "MDR" and not flag:
        tag = state.profile.tag("flag_violation")
        if not coerce:
            return Rejected("MHHS-E1", ("FS-2", "FS-5"), "MDR request without ForSettlement = true", (tag,))
        return _Flag(True, (tag,))
    # FS-4: Network Operators and Other Users never set it true.
    if role in NEVER_FOR_SETTLEMENT and flag:
        tag = state.profile.tag("flag_violation")
        if not coerce:
            return Rejected("MHHS-E2", ("FS-4", "FS-5"), f"role {role} may not set ForSettlement", (tag,))
        return _Flag(False, (tag,))
    # AC-5: MHHS data requests only from Eligible Users (IS, ES, MDR).
    if flag and role not in MHHS_ELIGIBLE:
        return Rejected("MHHS-E2", ("AC-5",), f"role {role} is not an Eligible User for MHHS requests")
    # REG-11 (option): a Supplier sends MHHS requests only through an MDR role.
    if flag and role in SUPPLIER_ROLES:
        tag = state.profile.tag("supplier_mhhs_via_mdr")
        if state.profile.supplier_mhhs_via_mdr:
            return Rejected("MHHS-E4", ("REG-11",), "Supplier MHHS request outside the MDR role", (tag,))
        return _Flag(True, (tag,))
    return _Flag(flag, ())


def check_device(role: str, srv: str, device: Device, mode: str, flag: bool) -> Rejected | None:
    """E11: AC-7, AC-6, the SRV's device kinds, and TRT-1 / AC-8 (N/A cells)."""
    # AC-7: MDR requests target ESME only.
    if role == "MDR" and device.kind != "ESME":
        return Rejected("E11", ("AC-7",), f"MDR request to a {device.kind}")
    # AC-6: MDR 4.1.1 is for SMETS1 ESME only (ECS17b grants no ACB role).
    if role == "MDR" and srv == "4.1.1" and device.generation != "SMETS1":
        return Rejected("E11", ("AC-6",), "MDR 4.1.1 to a SMETS2 device")
    if device.kind not in SRVS[srv].device_kinds:
        return Rejected("E11", ("TRT-1",), f"SRV {srv} does not apply to a {device.kind}")
    # TRT-1, AC-8: an N/A cell of Table 3 is not available.
    if srv in _TRT_SRVS and _trt(srv, device.generation, mode, flag) is None:
        return Rejected("E11", ("AC-8", "TRT-1"), f"SRV {srv} {mode} is N/A for {device.generation}")
    # TRT-1, TRT-2: an MHHS request for an SRV with no row in Table 3 (e.g. 4.8.2) has
    # no MHHS service, so no 24 h TRT: not available.
    if flag and srv not in _TRT_SRVS:
        return Rejected("E11", ("TRT-1", "TRT-2"), f"SRV {srv} has no MHHS service (not in 002 Table 3)")
    return None


_TRT_SRVS = frozenset(s for s in SRVS if trt_s(s, "SMETS2", "on-demand", "existing") is not None)


def target_days(state: State, request: ServiceRequest, at: int) -> tuple[dt.date, ...]:
    """AC-3: the settlement days a request targets: those its ReadLogPeriod
    touches, else the day it executes on."""
    tz = state.profile.settlement_tz
    if request.period is not None:
        return days_touched(request.period.start, request.period.end, tz)
    return (settlement_day(at, tz),)


def check_run_day(
    state: State, request: ServiceRequest, device: Device, days: tuple[dt.date, ...], mode: str, at: int
) -> tuple[tuple[dt.date, ...], tuple[str, ...]]:
    """SCH-9: the days AC-3 checks for a DSP Schedule run: the days it reads
    (default 'answered'), or also the day it runs on (option 'refused'), so a
    run on the incoming EFD that reads the day before is refused.  Returns the
    days to check and the tag, given when the sender is not entitled on the run
    day (where the two readings part)."""
    if mode != "scheduled":
        return days, ()
    run_day = settlement_day(at, state.profile.settlement_tz)
    if run_day in days or isinstance(check_registration(state, request, device, (run_day,)), Accepted):
        return days, ()
    tag = (state.profile.tag("run_on_efd_reading_before"),)
    if state.profile.run_on_efd_reading_before == "answered":
        return days, tag
    return (*days, run_day), tag


def schedule_read_days(request: ServiceRequest) -> tuple[dt.date, ...]:
    """SCH-7: the days a new schedule will read: each run reads the day before
    it, from the start day to the end day (the first run only, if open)."""
    assert request.schedule is not None
    first = request.schedule.start_day - ONE_DAY
    last = first if request.schedule.end_day is None else request.schedule.end_day - ONE_DAY
    return tuple(first + dt.timedelta(days=n) for n in range((last - first).days + 1))


def check_registration(
    state: State, request: ServiceRequest, device: Device, days: tuple[dt.date, ...]
) -> Accepted | Rejected:
    """AC-3, REG-4, AC-4: an MDR must be the MPAN's MDRA, and an IS / ES its
    Supplier, on every targeted day (other roles are not checked here)."""
    if request.role not in ("MDR", "IS", "ES"):
        return Accepted(False, None, days, ())
    registration = state.registrations.get(device.mpan)
    etd = state.profile.etd
    chain = () if registration is None else (registration.mdras if request.role == "MDR" else registration.suppliers)
    allowed = tuple([d for d in days if party_on(chain, d, etd) == request.user_id])
    if len(allowed) == len(days):
        return Accepted(False, None, days, ())
    what = "MDRA" if request.role == "MDR" else "Supplier"
    reason = f"{request.user_id} is not the registered {what} of {device.mpan} on every targeted day"
    if not allowed:
        return Rejected("E4", ("AC-3", "REG-4"), reason)
    # AC-4: a partly authorised period is rejected whole, or answered in part.
    tag = state.profile.tag("partial_period")
    if state.profile.partial_period == "reject":
        return Rejected("E4", ("AC-3", "AC-4", "REG-4"), reason, (tag,))
    return Accepted(False, None, allowed, (tag,))


def _is_data_read(request: ServiceRequest) -> bool:
    return SRVS[request.srv].read_log_period


def check_schedule_first(state: State, request: ServiceRequest, mode: str, flag: bool) -> Rejected | None:
    """SCH-6 (option 'strict'): an MHHS On Demand data request needs an own DSP
    Schedule for that device and SRV."""
    if state.profile.on_demand_first != "strict" or mode != "on-demand":
        return None
    if not flag or not _is_data_read(request):
        return None
    for schedule in state.schedules.values():
        if (schedule.owner, schedule.device_id, schedule.srv) == (
            request.user_id,
            request.device_id,
            request.srv,
        ):
            return None
    tag = state.profile.tag("on_demand_first")
    return Rejected("MHHS-E5", ("SCH-6",), "MHHS On Demand read with no DSP Schedule", (tag,))


def _schedule_first_tag(state: State, request: ServiceRequest, mode: str, flag: bool) -> tuple[str, ...]:
    if mode == "on-demand" and flag and _is_data_read(request):
        return (state.profile.tag("on_demand_first"),)
    return ()
