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


EUI_64 = re.compile(r"[0-9A-F]{2}(-[0-9A-F]{2}){7}")


def _eui_64(data: dict[str, Any], name: str, *, optional: bool = False) -> str:
    """Architecture decisions: a malformed identifier is invalid input."""
    value = data.get(name) or ""
    if not (optional and not value) and not EUI_64.fullmatch(value):
        raise Refused(f"request.{name}", "INPUT", f"{name} {value!r} is not an EUI-64")
    return str(value)


def _period(data: dict[str, Any], srv: str) -> tuple[int, int] | None:
    """A ReadLogPeriod, both ends included; a log read needs one, start <= end."""
    period = data.get("period")
    if period is None:
        if srv in LOG_SRVS:
            raise Refused("request.period", "INPUT", f"SRV {srv} needs a ReadLogPeriod")
        return None
    start, end = parse_instant(period["start"]), parse_instant(period["end"])
    if start > end:
        raise Refused("request.period", "INPUT", "the period ends before it starts")
    return start, end


def decode_request(data: dict[str, Any]) -> ServiceRequest:
    """A submitted request; invalid input is refused before anything changes."""
    spec = data.get("schedule")
    if data["srv"] == "5.1" and not spec:
        raise Refused("request.schedule", "INPUT", "5.1 needs the schedule to create")
    return ServiceRequest(
        request_id=data["request_id"],
        user_id=_eui_64(data, "user_id"),
        role=data["role"],
        srv=data["srv"],
        device_id=_eui_64(data, "device_id", optional=True),
        for_settlement=data.get("for_settlement"),
        period=_period(data, data["srv"]),
        schedule=ScheduleSpec(
            spec["srv"], parse_day(spec["start_day"]), parse_day(spec["end_day"]) if spec.get("end_day") else None
        )
        if spec
        else None,
        schedule_id=data.get("schedule_id"),
    )
