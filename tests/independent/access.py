"""Access control of a service request (REG-1, REG-4, REG-7, REG-11, AC-1..AC-8,
FS-2, FS-4, FS-5, TRT-1, TRT-2, SCH-2, SCH-6, SCH-7).

The checks run in a fixed order and the first that fails answers; the
sources fix no order, and the vectors accept any rejection that holds
(``acceptable``, docs/vector-format.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .clock import DAY, SettlementClock
from .device import Device
from .profile import Profile
from .registry import Registration, party_on
from .schedules import ScheduleBook
from .service import ServiceRequest
from .tables import (
    ELECTRICITY_ONLY_SRVS,
    LOG_SRVS,
    SCHEDULE_SRVS,
    cell_available,
    in_table_3,
    schedulable,
)
from .users import ELIGIBLE_ROLES, MDR, NEVER_FOR_SETTLEMENT, SUPPLIER_ROLES, User, role_may_send


@dataclass(frozen=True)
class Rejection:
    code: str
    requirements: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Granted:
    for_settlement: bool
    days: frozenset[date] | None  # AC-4 option: the authorised days a read is cut to; None = all


@dataclass(frozen=True)
class World:
    """What access control reads."""

    clock: SettlementClock
    profile: Profile
    users: dict[str, User]
    registrations: dict[str, Registration]
    devices: dict[str, Device]
    schedules: ScheduleBook


def check_user(world: World, request: ServiceRequest) -> Rejection | None:
    """REG-1, REG-7: a DCC User holding the role it sends in."""
    user = world.users.get(request.user_id)
    if user is None:
        return Rejection("E1", ("REG-1",), f"user {request.user_id} is not a DCC User")
    if request.role not in user.roles:
        return Rejection("E1", ("REG-1", "REG-7"), f"user {request.user_id} does not hold role {request.role}")
    return None


def check_srv(request: ServiceRequest) -> Rejection | None:
    """AC-1 (MDR: 002 Table 2); the DUIS matrix for the existing roles."""
    srvs = [request.srv] + ([request.schedule.srv] if request.schedule else [])
    for srv in srvs:
        if not role_may_send(request.role, srv):
            requirement = "AC-1" if request.role == MDR else "AC-5"
            return Rejection("E2", (requirement,), f"role {request.role} may not send SRV {srv}")
    return None


def effective_flag(profile: Profile, request: ServiceRequest) -> bool | Rejection:
    """FS-2, FS-4, FS-5, AC-5, REG-11: the ForSettlement flag the request is handled with."""
    flag = request.for_settlement is True
    if request.role == MDR and not flag:
        return (
            True
            if profile.coerce_flag
            else Rejection("MHHS-E1", ("FS-2", "FS-5"), "MDR request without ForSettlement = true")
        )
    if not flag:
        return False
    if request.role in NEVER_FOR_SETTLEMENT:
        return (
            False
            if profile.coerce_flag
            else Rejection("MHHS-E2", ("FS-4", "FS-5"), f"role {request.role} may not set ForSettlement")
        )
    if request.role not in ELIGIBLE_ROLES:
        return Rejection("MHHS-E2", ("AC-5",), f"role {request.role} is not an Eligible User for MHHS requests")
    if request.role in SUPPLIER_ROLES and profile.supplier_mhhs_via_mdr:
        return Rejection("MHHS-E4", ("REG-11",), "Supplier MHHS request outside the MDR role")
    return True


def data_srv(request: ServiceRequest) -> tuple[str, str]:
    """The SRV a request reads from a device and its mode (a 5.1: the scheduled SRV)."""
    if request.schedule is not None:
        return request.schedule.srv, "scheduled"
    return request.srv, "on-demand"


def check_device(world: World, request: ServiceRequest, mhhs: bool) -> Rejection | None:
    """E19, AC-6, AC-7, AC-8, TRT-1, TRT-2, SCH-7 for the device a request names."""
    srv, mode = data_srv(request)
    if request.schedule is not None and not schedulable(srv):
        return Rejection("MHHS-E3", ("AC-2", "SCH-7"), f"SRV {srv} is On Demand only")
    if mhhs and not in_table_3(srv):
        return Rejection("E11", ("TRT-1", "TRT-2"), f"SRV {srv} has no MHHS service (not in 002 Table 3)")
    if srv in SCHEDULE_SRVS and not request.device_id:
        return None
    device = world.devices.get(request.device_id)
    if device is None:
        return Rejection("E19", ("INPUT",), f"unknown device {request.device_id}")
    if srv in SCHEDULE_SRVS:
        # AC-7: every MDR request targets an ESME, 5.2 / 5.3 included
        return (
            Rejection("E11", ("AC-7",), f"MDR request to a {device.kind}")
            if request.role == MDR and device.kind != "ESME"
            else None
        )
    return check_device_kind(device, request.role, srv, mode, mhhs)


def check_device_kind(device: Device, role: str, srv: str, mode: str, mhhs: bool) -> Rejection | None:
    if role == MDR and device.kind != "ESME":
        return Rejection("E11", ("AC-7",), f"MDR request to a {device.kind}")
    if device.kind != "ESME" and srv in ELECTRICITY_ONLY_SRVS:
        return Rejection("E11", ("TRT-1",), f"SRV {srv} does not apply to a {device.kind}")
    if role == MDR and srv == "4.1.1" and device.generation != "SMETS1":
        return Rejection("E11", ("AC-6",), f"MDR {srv} to a {device.generation} device")
    if not cell_available(srv, device.generation, mode, mhhs):
        return Rejection("E11", ("AC-8", "TRT-1"), f"SRV {srv} {mode} is N/A for {device.generation}")
    return None


def targeted_days(world: World, request: ServiceRequest, now: int) -> list[date]:
    """The settlement days a request targets (REG-4, AC-3, SCH-7)."""
    if request.period is not None:
        return world.clock.days_between(*request.period)
    if request.schedule is not None:
        spec = request.schedule
        last = spec.end_day if spec.end_day is not None else spec.start_day
        return [spec.start_day - DAY + DAY * i for i in range((last - spec.start_day).days + 1)]
    return [world.clock.day_of(now)]


def check_registration(
    world: World, request: ServiceRequest, device: Device, days: list[date]
) -> Rejection | frozenset[date] | None:
    """AC-3, REG-4 (and the Supplier check of IS / ES): the sender holds the
    appointment on every targeted day; AC-4's option keeps the authorised days."""
    registration = world.registrations.get(device.mpan)
    if request.role == MDR:
        chain, what = (registration.mdras if registration else ()), "MDRA"
    elif request.role in SUPPLIER_ROLES:
        chain, what = (registration.suppliers if registration else ()), "Supplier"
    else:
        return None
    allowed = frozenset(d for d in days if party_on(chain, d, world.profile.etd_inclusive) == request.user_id)
    if len(allowed) == len(set(days)):
        return None
    # timing.md 5.1: a 5.1 is checked for the days its schedule will read, with AC-4's option too.
    if allowed and world.profile.authorised_days_only and (request.srv in LOG_SRVS or request.srv == "5.1"):
        return allowed
    requirements = ("AC-3", "AC-4", "REG-4") if allowed else ("AC-3", "REG-4")
    return Rejection(
        "E4", requirements, f"{request.user_id} is not the registered {what} of {device.mpan} on every targeted day"
    )


def check_schedule_first(world: World, request: ServiceRequest, mhhs: bool) -> Rejection | None:
    """SCH-6 (option strict): an MHHS On Demand read needs the sender's schedule first."""
    if not (world.profile.strict_on_demand_first and mhhs and request.srv in LOG_SRVS and schedulable(request.srv)):
        return None
    own = world.schedules.owned(request.user_id, device_id=request.device_id)
    if any(schedule.srv == request.srv for schedule in own):
        return None
    return Rejection("MHHS-E5", ("SCH-6",), "MHHS On Demand read with no DSP Schedule")


def decide(world: World, request: ServiceRequest, now: int) -> Rejection | Granted:
    """The whole access decision for a submitted request."""
    for check in (check_user(world, request), check_srv(request)):
        if check is not None:
            return check
    flag = effective_flag(world.profile, request)
    if isinstance(flag, Rejection):
        return flag
    rejection = check_device(world, request, flag)
    if rejection is not None:
        return rejection
    days: frozenset[date] | None = None
    device = world.devices.get(request.device_id)
    if device is not None and request.srv not in ("5.2", "5.3"):
        found = check_registration(world, request, device, targeted_days(world, request, now))
        if isinstance(found, Rejection):
            return found
        days = found
    first = check_schedule_first(world, request, flag)
    return first if first is not None else Granted(flag, days)


def run_allowed(world: World, owner: str, role: str, device: Device, day_read: date, run_day: date) -> Rejection | None:
    """SCH-3 option / SCH-9: a schedule run is checked by AC-3 on the day it
    reads (and, under SCH-9's option, on the day it runs)."""
    request = ServiceRequest("", owner, role, "", device.device_id, True, None, None, None)
    days = [day_read, run_day] if world.profile.refuse_run_on_efd else [day_read]
    found = check_registration(world, request, device, days)
    return found if isinstance(found, Rejection) else None
