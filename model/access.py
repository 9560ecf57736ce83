"""Access control, the ForSettlement flag and TRT selection for one request.

:func:`authorise` runs the checks in a fixed order, one function per rule, and
returns :class:`Accepted` or the first :class:`Rejected`; :func:`rejections`
runs the same checks on and gives every rejection whose condition holds (the
sources fix no order between them).  Each check cites
the catalogue row it implements.  The same decision is re-run when a held,
future-dated or scheduled request executes, so a request is never answered on
the strength of a registration that no longer stands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import cast

from .clock import days_touched, settlement_day
from .entities import Appointment, Device, ServiceRequest
from .frozen import frozen
from .outputs import Alternative
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
    """Decide a request executed at instant ``at`` in ``mode``: the first
    rejection in check order, else the acceptance.

    AC-9: the decision depends only on the request, the sender, the device and
    registration: nothing counts requests or remembers who read what before."""
    return next(_outcomes(state, request, mode, at))


def rejections(state: State, request: ServiceRequest, mode: str, at: int) -> tuple[Rejected, ...]:
    """Every rejection whose condition holds for the request, in check order
    (empty: :func:`authorise` accepts it).  The sources fix no order between
    these checks, so a DCC system answering any of them conforms; the first is
    the model's own choice.  A check whose precondition fails is not made: an
    unknown device (E19) has no kind, generation or MPAN to check."""
    return tuple(outcome for outcome in _outcomes(state, request, mode, at) if isinstance(outcome, Rejected))


def alternatives(
    state: State, request: ServiceRequest, mode: str, at: int, decision: Rejected
) -> tuple[Alternative, ...]:
    """The rejections other than ``decision`` that also conform, one per code."""
    found: dict[str, Alternative] = {}
    for rejected in rejections(state, request, mode, at):
        if rejected.code != decision.code and rejected.code not in found:
            found[rejected.code] = Alternative(rejected.code, rejected.reason, rejected.requirements)
    return tuple(found.values())


def _outcomes(state: State, request: ServiceRequest, mode: str, at: int) -> Iterator[Decision]:
    """The rejections in check order, then the acceptance if there was none.
    Lazy: :func:`authorise` runs the checks only up to the first rejection."""
    rejected = False
    for outcome in _checks(state, request, mode, at):
        rejected = rejected or isinstance(outcome, Rejected)
        if isinstance(outcome, Rejected) or not rejected:
            yield outcome


def _checks(state: State, request: ServiceRequest, mode: str, at: int) -> Iterator[Decision]:
    """Each failed check as a Rejected, then the acceptance the checks that
    passed would give (dropped by :func:`_outcomes` after a rejection)."""
    yield from _failed(check_user(state, request), check_srv_allowed(request.role, request.srv))
    flag = check_flag(state, request)
    if isinstance(flag, Rejected):
        yield flag
        flag = _Flag(request.for_settlement is True, flag.interp)
    if request.srv in ("5.2", "5.3"):
        # AC-7: an MDR request naming a known device that is not an ESME is
        # rejected, 5.2 / 5.3 included (they read no device, but AC-7 makes no
        # exception for them).
        named = state.devices.get(request.device_id)
        if request.role == "MDR" and named is not None and named.kind != "ESME":
            yield Rejected("E11", ("AC-7",), f"MDR request to a {named.kind}")
        yield Accepted(flag.value, _trt(request.srv, "SMETS2", "on-demand", flag.value), (), flag.interp)
        return
    device = state.devices.get(request.device_id)
    if device is None:
        # E19: the device is not in the Smart Metering Inventory.
        yield Rejected("E19", ("AC-3",), f"device {request.device_id} is unknown")
        return
    if request.srv == "5.1":
        yield from _create_schedule_checks(state, request, device, flag)
    else:
        yield from _read_checks(state, request, device, mode, at, flag)


def _failed(*checks: Rejected | None) -> Iterator[Rejected]:
    yield from (rejected for rejected in checks if rejected)


def _create_schedule_checks(state: State, request: ServiceRequest, device: Device, flag: _Flag) -> Iterator[Decision]:
    assert request.schedule is not None
    scheduled = request.schedule.srv
    yield from _failed(
        check_srv_allowed(request.role, scheduled),
        check_schedulable(scheduled),
        check_device(request.role, scheduled, device, "scheduled", flag.value),
    )
    days = schedule_read_days(request)
    decision = check_registration(state, request, device, days)
    if isinstance(decision, Rejected):
        yield decision
        return
    trt = _trt("5.1", device.generation, "on-demand", flag.value)
    yield Accepted(flag.value, trt, decision.days, flag.interp + decision.interp)


def _read_checks(
    state: State, request: ServiceRequest, device: Device, mode: str, at: int, flag: _Flag
) -> Iterator[Decision]:
    if mode == "scheduled":
        yield from _failed(check_schedulable(request.srv))
    yield from _failed(check_device(request.role, request.srv, device, mode, flag.value))
    days = target_days(state, request, at)
    checked, run_day = check_run_day(state, request, device, days, mode, at)
    decision = check_registration(state, request, device, checked)
    if isinstance(decision, Rejected):
        # SCH-9: a run the two readings decide apart carries the option's tag
        yield Rejected(decision.code, decision.requirements, decision.reason, decision.interp + run_day)
    yield from _failed(check_schedule_first(state, request, mode, flag.value))
    if isinstance(decision, Accepted):
        yield read_acceptance(state, request, device, mode, flag, decision, days, run_day)


def read_acceptance(
    state: State, request: ServiceRequest, device: Device, mode: str, flag: _Flag, decision: Accepted,
    days: tuple[dt.date, ...], run_day: tuple[str, ...] = (),
) -> Accepted:  # fmt: skip
    """An accepted read: its flag, its Table 3 TRT (TRT-1, TRT-2) and the days it reads."""
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
    """AC-3, REG-4, AC-4: an MDR must be the MPAN's MDRA on every targeted day;
    an existing role as :func:`existing_role_appointments` approximates."""
    chain = _appointments(state, request.role, device.mpan)
    if chain is None:
        return Accepted(False, None, days, ())
    etd = state.profile.etd
    allowed = tuple([d for d in days if party_on(chain, d, etd) == request.user_id])
    if len(allowed) == len(days):
        return Accepted(False, None, days, ())
    what = {"MDR": "MDRA", "IS": "Supplier", "ES": "Supplier"}.get(request.role, f"{request.role} appointee")
    reason = f"{request.user_id} is not the registered {what} of {device.mpan} on every targeted day"
    if not allowed:
        return Rejected("E4", ("AC-3", "REG-4"), reason)
    # AC-4: a partly authorised period is rejected whole, or answered in part.
    tag = state.profile.tag("partial_period")
    if state.profile.partial_period == "reject":
        return Rejected("E4", ("AC-3", "AC-4", "REG-4"), reason, (tag,))
    return Accepted(False, None, allowed, (tag,))


def _appointments(state: State, role: str, mpan: str) -> tuple[Appointment, ...] | None:
    """The appointments a sender in ``role`` must hold for the MPAN (None: not checked)."""
    if role == "MDR":
        # AC-3: the registered MDRA, checked as the RSA check is.
        registration = state.registrations.get(mpan)
        return () if registration is None else registration.mdras
    return existing_role_appointments(state, role, mpan)


def existing_role_appointments(state: State, role: str, mpan: str) -> tuple[Appointment, ...] | None:
    """AC-11 (out): the model's approximation of the existing roles' device
    access, which the sources leave to DUIS and the SEC: an IS or ES must be the
    MPAN's registered Supplier (the sources name only the MDRA check, AC-3);
    GS, GT, ED, OU and RSA are not checked (None), so they may address any
    device the SRV applies to.  No vector asserts an outcome that depends on
    this (docs/architecture.md, 'Decisions where the sources leave room')."""
    if role not in SUPPLIER_ROLES:
        return None
    registration = state.registrations.get(mpan)
    return () if registration is None else registration.suppliers


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
