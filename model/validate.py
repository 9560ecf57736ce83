"""Validation of events before they touch the state.

Each function raises a typed :class:`~mhhs_sec.model.errors.InvalidEvent`
naming the bad field and the requirement; none returns a new state, so a
refused event leaves the caller's state exactly as it was.  What a DUIS
service would answer with a response code (unknown user, unknown but
well-formed device, ...) is not an error here: :mod:`access` answers it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

from . import domain
from .entities import Device, ServiceRequest
from .errors import ClockError, MalformedValue, UnknownReference
from .events import AdvanceClock, LoadDevice, LoadRegistration, SetUser
from .registration import check_mpan, check_registration
from .rules import ROLES
from .state import State
from .tables import GENERATIONS, SRVS

DEVICE_ID_RE: Final = re.compile(r"^[0-9A-F]{2}(-[0-9A-F]{2}){7}$")


def check_device_id(device_id: object, field: str) -> None:
    """A device ID is an EUI-64: eight upper-case hex octets joined by '-'."""
    if not isinstance(device_id, str) or not DEVICE_ID_RE.match(device_id):
        raise MalformedValue(
            field,
            "INPUT",
            "device ID must be an EUI-64 like 00-DB-12-34-56-78-90-A0",
        )


def known_device(state: State, device_id: str, field: str) -> Device:
    check_device_id(device_id, field)
    device = state.devices.get(device_id)
    if device is None:
        raise UnknownReference(field, "INPUT", "the device is not in the inventory; load it first")
    return device


def check_set_user(event: SetUser) -> None:
    if not isinstance(event.user_id, str) or not event.user_id:
        raise MalformedValue("user_id", "REG-1", "user id must be a non-empty string")
    unknown = sorted(set(event.roles) - set(ROLES))
    if unknown or not event.roles:
        raise MalformedValue(
            "roles",
            "REG-1",
            f"roles must be a non-empty subset of {list(ROLES)}",
        )


def check_load_registration(state: State, event: LoadRegistration) -> None:
    check_registration(event.registration, state.profile.etd)
    domain.check_registration(event.registration)


def check_load_device(state: State, event: LoadDevice) -> None:
    device = event.device
    check_device_id(device.device_id, "device.device_id")
    check_mpan(device.mpan, "device.mpan")
    if device.mpan not in state.registrations:
        raise UnknownReference("device.mpan", "REG-2", "the MPAN has no registration; load it first")
    if device.generation not in GENERATIONS:
        raise MalformedValue("device.generation", "INPUT", "must be SMETS1 or SMETS2")
    if device.kind not in ("ESME", "GSME"):
        raise MalformedValue("device.kind", "INPUT", "must be ESME or GSME")
    if not isinstance(device.commissioned, dt.date):
        raise MalformedValue("device.commissioned", "INPUT", "must be a date")
    domain.check_day(device.commissioned, "device.commissioned")


def check_advance(state: State, event: AdvanceClock) -> None:
    if not isinstance(event.to, int) or event.to < state.now:
        raise ClockError("to", "INPUT", "the clock may only move forward")
    domain.check_advance(state, event.to)


def check_request(state: State, request: ServiceRequest) -> None:
    """The shape of a service request: what a DUIS schema check would refuse."""
    if not isinstance(request.request_id, str) or not request.request_id:
        raise MalformedValue("request.request_id", "INPUT", "request id must be a non-empty string")
    if request.role not in ROLES:
        raise MalformedValue("request.role", "REG-1", f"role must be one of {list(ROLES)}")
    spec = SRVS.get(request.srv)
    if spec is None:
        raise MalformedValue("request.srv", "AC-1", f"the SRV is not modelled; known: {sorted(SRVS)}")
    if request.for_settlement not in (None, True, False):
        raise MalformedValue("request.for_settlement", "FS-1", "ForSettlement must be true, false or absent")
    if request.srv in ("5.2", "5.3") and request.schedule_id is not None:
        _check_optional_device(request)
    else:
        check_device_id(request.device_id, "request.device_id")
    _check_period(request, spec.read_log_period)
    _check_execute_at(state, request, spec.device_request)
    _check_schedule_body(state, request)


def _check_optional_device(request: ServiceRequest) -> None:
    if request.device_id:
        check_device_id(request.device_id, "request.device_id")


def _check_period(request: ServiceRequest, wants_period: bool) -> None:
    period = request.period
    if wants_period and period is None:
        raise MalformedValue("request.period", "INPUT", "a log read needs a ReadLogPeriod")
    if not wants_period and period is not None:
        raise MalformedValue("request.period", "INPUT", "only a log read takes a ReadLogPeriod")
    if period is not None and period.end < period.start:
        raise MalformedValue("request.period.end", "INPUT", "ReadLogPeriod ends before it starts")
    if period is not None:
        domain.check_period(period, "request.period")


def _check_execute_at(state: State, request: ServiceRequest, device_request: bool) -> None:
    if request.execute_at is None:
        return
    if not device_request:
        raise MalformedValue("request.execute_at", "INPUT", "only a device request can be future-dated")
    domain.check_instant(request.execute_at, "request.execute_at")
    if request.execute_at < state.now:
        raise MalformedValue("request.execute_at", "INPUT", "a future-dated request cannot execute in the past")


def _check_schedule_body(state: State, request: ServiceRequest) -> None:
    spec = request.schedule
    if request.srv != "5.1":
        if spec is not None:
            raise MalformedValue("request.schedule", "SCH-1", "only 5.1 carries a schedule body")
        return
    if spec is None:
        raise MalformedValue("request.schedule", "SCH-1", "5.1 needs a schedule body")
    if spec.srv not in SRVS:
        raise MalformedValue("request.schedule.srv", "SCH-1", f"the SRV is not modelled; known: {sorted(SRVS)}")
    domain.check_day(spec.start_day, "request.schedule.start_day")
    if spec.end_day is not None:
        domain.check_day(spec.end_day, "request.schedule.end_day")
    if spec.start_day < state.today:
        raise MalformedValue("request.schedule.start_day", "SCH-1", "a schedule cannot start in the past")
    if spec.end_day is not None and spec.end_day < spec.start_day:
        raise MalformedValue("request.schedule.end_day", "SCH-1", "schedule ends before it starts")
