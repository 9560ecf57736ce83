"""The JSON form of the model's events, service requests and initial states,
as the vectors carry them (``docs/vector-format.md``, ``vectors/protocol/``):
the writing side of :mod:`mhhs_sec.model.codec`, which reads them.

The reference model reads events and initial states and writes outputs; it
never writes an event or a state.  Those are written by the generators, the
fresh suites, the proofs' counterexample vectors, the mutation analysis (its
random walks), the fuzz harness, the XML form's read-back and the HTTP
transport's DUIS bridge, so this writing lives with the vectors, not in the
model.  ``decode_*(encode_*(x)) == x`` for every value the model builds
(``tests/model``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mhhs_sec.model import meter
from mhhs_sec.model.clock import format_instant
from mhhs_sec.model.codec import encode_device
from mhhs_sec.model.entities import Appointment, Registration, Schedule, ServiceRequest
from mhhs_sec.model.events import (
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
from mhhs_sec.model.profile import Profile, ServiceConfig
from mhhs_sec.model.state import State

Json = dict[str, Any]


def encode_event(event: Event) -> Json:
    """The JSON object of an event."""
    match event:
        case SetUser(user_id, roles):
            return {"event": "set_user", "user_id": user_id, "roles": sorted(roles)}
        case LoadRegistration(registration):
            return {"event": "load_registration", **encode_registration(registration)}
        case LoadDevice(device):
            return {"event": "load_device", **encode_device(device)}
        case SubmitRequest(request):
            return {"event": "submit", "request": encode_request(request)}
        case AdvanceClock(to):
            return {"event": "advance_clock", "to": format_instant(to)}
        case RestrictDevice(device_id):
            return {"event": "restrict_device", "device_id": device_id}
        case SetDeviceComms(device_id, online):
            return {"event": "set_device_comms", "device_id": device_id, "online": online}
        case ReadAuditTrail(user_id):
            return {"event": "read_audit_trail", "user_id": user_id}
    raise TypeError(f"not a model event: {event!r}")


def encode_registration(registration: Registration) -> Json:
    return {
        "mpan": registration.mpan,
        "suppliers": [_encode_appointment(a) for a in registration.suppliers],
        "mdras": [_encode_appointment(a) for a in registration.mdras],
    }


def _encode_appointment(a: Appointment) -> Json:
    return {"party": a.party, "efd": a.efd.isoformat(), "etd": _day_text(a.etd)}


def encode_request(request: ServiceRequest) -> Json:
    data: Json = {
        "request_id": request.request_id,
        "user_id": request.user_id,
        "role": request.role,
        "srv": request.srv,
        "device_id": request.device_id,
        "for_settlement": request.for_settlement,
    }
    if request.period is not None:
        data["period"] = {
            "start": format_instant(request.period.start),
            "end": format_instant(request.period.end),
        }
    if request.execute_at is not None:
        data["execute_at"] = format_instant(request.execute_at)
    if request.schedule is not None:
        s = request.schedule
        data["schedule"] = {
            "srv": s.srv,
            "start_day": s.start_day.isoformat(),
            "end_day": _day_text(s.end_day),
        }
    if request.schedule_id is not None:
        data["schedule_id"] = request.schedule_id
    return data


def encode_profile(profile: Profile) -> Json:
    return profile.as_dict()


def encode_config(config: ServiceConfig) -> Json:
    return {
        "dsp_window": [config.dsp_window.open_s, config.dsp_window.close_s],
        "mdr_window": [config.mdr_window.open_s, config.mdr_window.close_s],
        "retry_interval_s": config.retry_interval_s,
    }


def encode_schedule(s: Schedule) -> Json:
    return {
        "schedule_id": s.schedule_id, "owner": s.owner, "role": s.role, "device_id": s.device_id, "srv": s.srv,
        "for_settlement": s.for_settlement, "start_day": s.start_day.isoformat(), "end_day": _day_text(s.end_day),
        "next_run": s.next_run.isoformat(),
    }  # fmt: skip


def encode_device_data(state: State) -> list[Json]:
    """The device data of a state as runs, sorted by (device_id, srv, start):
    the device logs ``values[i]`` for ``srv`` at ``start + i * interval_s``."""
    return [
        {"device_id": device_id, "srv": srv, "start": format_instant(start), "interval_s": interval, "values": values}
        for (device_id, srv), log in sorted(state.device_data.items())
        for start, interval, values in meter.runs(log, srv)
    ]


def encode_state(state: State) -> Json:
    """The initial-state object of a vector: clock, profile, config, users,
    registration, inventory, schedules and device data (no cache, no queued work)."""
    return {
        "clock": format_instant(state.now),
        "profile": encode_profile(state.profile),
        "config": encode_config(state.config),
        "users": [{"user_id": u.user_id, "roles": sorted(u.roles)} for u in state.users.values()],
        "registrations": [encode_registration(r) for r in state.registrations.values()],
        "devices": [encode_device(d) for d in state.devices.values()],
        "schedules": [encode_schedule(s) for s in state.schedules.values()],
        "device_data": encode_device_data(state),
    }


def _day_text(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()
