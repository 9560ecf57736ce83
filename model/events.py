"""The events the state machine accepts (inputs of :func:`step`)."""

from __future__ import annotations

from .entities import Device, Registration, ServiceRequest
from .frozen import frozen


@frozen
class SetUser:
    """Add or replace a DCC User and its roles (REG-1, REG-7)."""

    user_id: str
    roles: frozenset[str]


@frozen
class LoadRegistration:
    """Load or replace the registration of one MPAN (REG-2, REG-5, REG-6)."""

    registration: Registration


@frozen
class LoadDevice:
    """Add or update a device of the inventory."""

    device: Device


@frozen
class SubmitRequest:
    """A user submits a service request at the current instant."""

    request: ServiceRequest


@frozen
class AdvanceClock:
    """Move the clock forward to ``to``; work falling due on the way runs in
    time order (held and future-dated requests, schedule executions, retries,
    MDRA changes, cache expiry)."""

    to: int


@frozen
class RestrictDevice:
    """The ESME deletes its data now (change-of-tenancy restriction, AM 18.9(d),
    as far as C-8 states it)."""

    device_id: str


@frozen
class SetDeviceComms:
    """The device becomes reachable or unreachable (drives SCH-5 retries)."""

    device_id: str
    online: bool


@frozen
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
