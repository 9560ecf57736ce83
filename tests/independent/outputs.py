"""The outputs a step answers with, in the vectors' JSON shapes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .clock import format_instant
from .device import Entry
from .service import ServiceRequest

Json = dict[str, Any]


def response(
    request: ServiceRequest,
    code: str,
    *,
    submitted_at: int,
    now: int,
    mode: str,
    for_settlement: bool,
    trt_s: int | None = None,
    entries: Sequence[Entry] = (),
    device_read: bool = False,
    schedule_ids: Sequence[int] = (),
    inventory: Json | None = None,
    requirements: Sequence[str] = (),
    reason: str = "",
) -> Json:
    return {
        "type": "response",
        "request_id": request.request_id,
        "user_id": request.user_id,
        "role": request.role,
        "srv": request.srv,
        "device_id": request.device_id,
        "code": code,
        "requirements": sorted(requirements),
        "reason": reason,
        "submitted_at": format_instant(submitted_at),
        "responded_at": format_instant(now),
        "mode": mode,
        "for_settlement": for_settlement,
        "trt_s": trt_s,
        "entries": [{"timestamp": format_instant(ts), "value": value} for ts, value in entries],
        "device_read": device_read,
        "schedule_ids": list(schedule_ids),
        "inventory": inventory,
        "interp": [],
    }


def acknowledgement(request: ServiceRequest, now: int, execute_at: int) -> Json:
    """SCH-4: I99, the request is held until ``execute_at``."""
    return {
        "type": "acknowledgement",
        "request_id": request.request_id,
        "user_id": request.user_id,
        "code": "I99",
        "at": format_instant(now),
        "execute_at": format_instant(execute_at),
    }


def alert(recipient: str, device_id: str, schedule_id: int, now: int) -> Json:
    """SCH-3: the outgoing MDRA's schedule was deleted at the incoming EFD."""
    return {
        "type": "alert",
        "code": "MHHS-A1",
        "recipient": recipient,
        "device_id": device_id,
        "schedule_id": schedule_id,
        "at": format_instant(now),
        "requirements": ["SCH-3"],
    }
