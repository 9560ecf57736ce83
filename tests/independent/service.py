"""Service requests as the vectors carry them (``submit`` events)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from .clock import parse_day, parse_instant


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


def decode_request(data: dict[str, Any]) -> ServiceRequest:
    period = data.get("period")
    spec = data.get("schedule")
    return ServiceRequest(
        request_id=data["request_id"],
        user_id=data["user_id"],
        role=data["role"],
        srv=data["srv"],
        device_id=data.get("device_id") or "",
        for_settlement=data.get("for_settlement"),
        period=(parse_instant(period["start"]), parse_instant(period["end"])) if period else None,
        schedule=ScheduleSpec(
            spec["srv"], parse_day(spec["start_day"]), parse_day(spec["end_day"]) if spec.get("end_day") else None
        )
        if spec
        else None,
        schedule_id=data.get("schedule_id"),
    )
