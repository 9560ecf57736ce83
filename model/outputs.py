"""What the state machine emits: acknowledgements, responses, alerts, audit
extracts.  Response codes are DUIS codes where one fits and project codes
(``MHHS-*``) for the MHHS additions; :data:`CODES` documents each."""

from __future__ import annotations

from dataclasses import field
from typing import Final

from .entities import Device, LogEntry
from .frozen import frozen

# code -> meaning. DUIS meanings as given in ../shared/duis/README.md.
CODES: Final[dict[str, str]] = {
    "I0": "success",
    "I99": "acknowledged: held for later execution (future-dated or outside the MDR window)",
    "E1": "invalid user, or the user does not hold the role it sent in",
    "E2": "role not permitted to send this service request variant",
    "E4": "role not authorised for the device at the required date and time",
    "E11": "request incompatible with the device type or generation",
    "E19": "unknown device",
    "MHHS-E1": "ForSettlement flag missing on a request that must carry it (FS-2)",
    "MHHS-E2": "ForSettlement flag set by a role that may not set it (FS-4, AC-5)",
    "MHHS-E3": "SRV cannot be DCC Scheduled (AC-2, SCH-7)",
    "MHHS-E4": "Supplier MHHS request must be sent through the MDR role (REG-11 option)",
    "MHHS-E5": "MHHS On Demand data request with no DSP Schedule (SCH-6 strict option)",
    "MHHS-E6": "device unreachable: retries stopped before the next DSP window (SCH-5)",
    "MHHS-E7": "device unreachable",
    "MHHS-E8": "no such schedule of this user (SCH-2)",
    "MHHS-A1": "alert: DSP Schedule deleted because the MDRA appointment ended (SCH-3)",
}


@frozen
class Acknowledgement:
    """I99: the request was accepted for later execution."""

    request_id: str
    user_id: str
    at: int
    execute_at: int
    code: str = "I99"


@frozen
class Alternative:
    """Another rejection that also conforms for a request (the sources fix no
    order between the checks whose conditions hold)."""

    code: str
    reason: str
    requirements: tuple[str, ...]


@frozen
class Response:
    """A service response.  ``entries`` are the log entries returned (empty on
    any error); ``device_read`` says whether the device was interacted with
    (C-9); ``interp`` lists the profile options the outcome depended on;
    ``alternatives``: the other rejections that also conform (an explanation
    for the vector's ``acceptable`` list, not part of the wire shape)."""

    request_id: str
    user_id: str
    role: str
    srv: str
    device_id: str
    code: str
    requirements: tuple[str, ...]
    reason: str
    submitted_at: int
    responded_at: int
    mode: str  # 'on-demand' | 'scheduled'
    for_settlement: bool
    trt_s: int | None
    entries: tuple[LogEntry, ...] = ()
    device_read: bool = False
    schedule_ids: tuple[int, ...] = ()
    inventory: Device | None = None
    interp: tuple[str, ...] = field(default=())
    alternatives: tuple[Alternative, ...] = field(default=(), compare=False)


@frozen
class Alert:
    """A DCC alert to a user (SCH-3)."""

    code: str
    recipient: str
    at: int
    device_id: str
    schedule_id: int
    requirements: tuple[str, ...]


@frozen
class AuditRecord:
    """AUD-1: one Service Audit Trail record."""

    at: int
    user_id: str
    kind: str  # 'request' | 'response' | 'alert'
    reference: str  # request id, or schedule id for an alert
    code: str


@frozen
class AuditExtract:
    """AUD-2: the records of one user's own requests, oldest first."""

    user_id: str
    records: tuple[AuditRecord, ...]


Output = Acknowledgement | Response | Alert | AuditExtract
