"""Service requests as the vectors carry them (``submit`` events)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from .clock import parse_day, parse_instant
from .errors import Refused
from .tables import LOG_SRVS


@dataclass(frozen=True)
class ScheduleSpec:
    """A 5.1's schedule: the SRV it runs and its first and last day."""

    srv: str
    start_day: date
    end_day: date | None


@dataclass(frozen=True)
class ServiceRequest:
    request_id: str
    user_id: str
    role: str
    srv: str
    device_id: str
    for_settlement: bool | None
    period: tuple[int, int] | None
    schedule: ScheduleSpec | None
    schedule_id: int | None
    execute_at: int | None = None  # future-dated (timing.md 4.1)


EUI_64 = re.compile(r"[0-9A-F]{2}(-[0-9A-F]{2}){7}")


def _device_id(data: dict[str, Any]) -> str:
    """Adapter protocol, the refusals: a device id is an EUI-64; it may be
    empty only on a 5.2 / 5.3 naming its schedule."""
    value = data.get("device_id") or ""
    optional = data["srv"] in ("5.2", "5.3") and data.get("schedule_id") is not None
    if not (optional and not value) and not EUI_64.fullmatch(value):
        raise Refused("request.device_id", "INPUT", f"device_id {value!r} is not an EUI-64")
    return str(value)


def _period(data: dict[str, Any], srv: str) -> tuple[int, int] | None:
    """A ReadLogPeriod, both ends included: a log read needs one, no other
    SRV takes one, and it may not end before it starts."""
    period = data.get("period")
    if (period is None) == (srv in LOG_SRVS):
        raise Refused("request.period", "INPUT", f"SRV {srv}: a ReadLogPeriod exactly for a log read")
    if period is None:
        return None
    start, end = parse_instant(period["start"]), parse_instant(period["end"])
    if start > end:
        raise Refused("request.period.end", "INPUT", "the period ends before it starts")
    return start, end


def decode_request(data: dict[str, Any]) -> ServiceRequest:
    """A submitted request; invalid input is refused before anything changes."""
    spec = data.get("schedule")
    if (data["srv"] == "5.1") != bool(spec):
        raise Refused("request.schedule", "SCH-1", "a schedule body exactly on a 5.1")
    return ServiceRequest(
        request_id=data["request_id"],
        user_id=str(data["user_id"]),
        role=data["role"],
        srv=data["srv"],
        device_id=_device_id(data),
        for_settlement=data.get("for_settlement"),
        period=_period(data, data["srv"]),
        schedule=ScheduleSpec(
            spec["srv"], parse_day(spec["start_day"]), parse_day(spec["end_day"]) if spec.get("end_day") else None
        )
        if spec
        else None,
        schedule_id=data.get("schedule_id"),
        execute_at=parse_instant(data["execute_at"]) if data.get("execute_at") else None,
    )
