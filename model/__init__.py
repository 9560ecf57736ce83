"""The reference state machine of the SEC MHHS rules (library API).

``step(state, event) -> (state, outputs)`` is pure and deterministic; see
:mod:`.machine`.  The SEC tables it runs on are in :mod:`.tables`.
"""

from .entities import (
    Appointment,
    Device,
    LogEntry,
    ReadLogPeriod,
    Registration,
    Schedule,
    ScheduleSpec,
    ServiceRequest,
    User,
)
from .errors import ClockError, InvalidEvent, MalformedValue, OutOfDomain, RegistrationConflict, UnknownReference
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
from .machine import step
from .outputs import CODES, Acknowledgement, Alert, AuditExtract, AuditRecord, Output, Response
from .profile import PROFILE_OPTIONS, Profile, ServiceConfig, Window
from .state import State, initial_state

__all__ = [
    "CODES",
    "PROFILE_OPTIONS",
    "Acknowledgement",
    "AdvanceClock",
    "Alert",
    "Appointment",
    "AuditExtract",
    "AuditRecord",
    "ClockError",
    "Device",
    "Event",
    "InvalidEvent",
    "LoadDevice",
    "LoadRegistration",
    "LogEntry",
    "MalformedValue",
    "OutOfDomain",
    "Output",
    "Profile",
    "ReadAuditTrail",
    "ReadLogPeriod",
    "Registration",
    "RegistrationConflict",
    "Response",
    "RestrictDevice",
    "Schedule",
    "ScheduleSpec",
    "ServiceConfig",
    "ServiceRequest",
    "SetDeviceComms",
    "SetUser",
    "State",
    "SubmitRequest",
    "UnknownReference",
    "User",
    "Window",
    "initial_state",
    "step",
]
