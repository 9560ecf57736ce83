"""The events the state machine accepts (inputs of :func:`step`)."""

from __future__ import annotations

from dataclasses import dataclass

from .entities import Device, Registration, ServiceRequest


@dataclass(frozen=True, slots=True)
class SetUser:
    """Add or replace a DCC User and its roles (REG-1, REG-7)."""

    user_id: str
    roles: frozenset[str]


@dataclass(frozen=True, slots=True)
class LoadRegistration:
    """Load or replace the registration of one MPAN (REG-2, REG-5, REG-6)."""

    registration: Registration


@dataclass(frozen=True, slots=True)
class LoadDevice:
    """Add or update a device of the inventory."""

    device: Device


@dataclass(frozen=True, slots=True)
class SubmitRequest:
    """A user submits a service request at the current instant."""

    request: ServiceRequest


@dataclass(frozen=True, slots=True)
class AdvanceClock:
    """Move the clock forward to ``to``; work falling due on the way runs in
    time order (held and future-dated requests, schedule executions, retries,
    MDRA changes, cache expiry)."""

    to: int


@dataclass(frozen=True, slots=True)
class RestrictDevice:
    """The ESME deletes its data now (change-of-tenancy restriction, AM 18.9(d),
    as far as C-8 states it)."""

    device_id: str


@dataclass(frozen=True, slots=True)
class SetDeviceComms:
    """The device becomes reachable or unreachable (drives SCH-5 retries)."""

    device_id: str
    online: bool


@dataclass(frozen=True, slots=True)
class ReadAuditTrail:
    """A user reads the Service Audit Trail (AUD-2: its own records only)."""

    user_id: str


Event = (
    SetUser
    | LoadRegistration
    | LoadDevice
    | SubmitRequest
    | AdvanceClock
    | RestrictDevice
    | SetDeviceComms
    | ReadAuditTrail
)
