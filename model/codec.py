"""JSON form of events, outputs and initial states: the one codec the vectors,
the adapters and the CLI share.

Instants are ISO 8601 UTC text ('2025-03-30T00:00:00Z'), settlement days ISO
dates.  Decoding is strict: an unknown key, a missing key or a value of the
wrong type raises :class:`~mhhs_sec.model.errors.MalformedValue` naming the
field by its path (``steps[3].event.request.period.end``).
"""

from __future__ import annotations

import datetime as dt
import reprlib
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, Final, TypeVar

from . import codec_fast, meter
from .clock import format_instant, parse_instant
from .entities import (
    Appointment,
    Device,
    LogEntry,
    ReadLogPeriod,
    Registration,
    Schedule,
    ScheduleSpec,
    ServiceRequest,
)
from .errors import MalformedValue
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
from .outputs import Acknowledgement, Alert, AuditExtract, AuditRecord, Output, Response
from .profile import PROFILE_OPTIONS, Profile, ServiceConfig, Window
from .state import State, initial_state
from .tables import SRVS

T = TypeVar("T")
Json = dict[str, Any]

# A bad value in an error message: its repr cut short, whatever its size or
# depth (the whole repr of a deep value raises RecursionError, of a large one
# echoes the input).
_SHOWN: Final = reprlib.Repr()
_SHOWN.maxlevel, _SHOWN.maxstring, _SHOWN.maxother, _SHOWN.maxlong = 3, 80, 80, 40


def _shown(value: object) -> str:
    """``repr(value)``, at most a few levels deep and a few dozen characters a part."""
    return _SHOWN.repr(value)


class _Reader:
    """Strict access to one JSON object, naming fields by path in errors."""

    def __init__(self, data: object, path: str) -> None:
        if not isinstance(data, Mapping):
            raise MalformedValue(path or "(root)", "INPUT", f"expected an object, got {type(data).__name__}")
        self.data, self.path = data, path
        self.used: set[str] = set()

    def _field(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str, kind: type[T], *, optional: bool = False) -> T:
        self.used.add(key)
        if key not in self.data or self.data[key] is None:
            if optional:
                return None  # type: ignore[return-value]
            raise MalformedValue(self._field(key), "INPUT", "is required")
        value = self.data[key]
        if kind is int and isinstance(value, bool) or not isinstance(value, kind):
            raise MalformedValue(self._field(key), "INPUT", f"expected {kind.__name__}, got {_shown(value)}")
        return value

    def parsed(self, key: str, parse: Callable[[str], T], *, optional: bool = False) -> T:
        text: str | None = self.get(key, str, optional=optional)
        if text is None:
            return None  # type: ignore[return-value]
        try:
            return parse(text)
        except ValueError as error:
            raise MalformedValue(self._field(key), "INPUT", str(error)) from None

    def child(self, key: str, *, optional: bool = False) -> _Reader | None:
        value = self.get(key, dict, optional=optional)
        return None if value is None else _Reader(value, self._field(key))

    def items(self, key: str) -> list[_Reader]:
        values = self.get(key, list)
        return [_Reader(v, f"{self._field(key)}[{i}]") for i, v in enumerate(values)]

    def done(self) -> None:
        extra = sorted(set(self.data) - self.used)
        if extra:
            raise MalformedValue(self._field(extra[0]), "INPUT", f"unknown field(s) {extra}")


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _day_text(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


# ---- events ---------------------------------------------------------------


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


def decode_event(data: object, path: str = "event") -> Event:
    """An event from its JSON object (strict: anything the fast path of
    :mod:`.codec_fast` does not recognise is read field by field, naming the
    bad one)."""
    fast = codec_fast.event(data)
    return decode_event_strict(data, path) if fast is None else fast


def decode_event_strict(data: object, path: str = "event") -> Event:
    """:func:`decode_event` without the fast path."""
    r = _Reader(data, path)
    kind = r.get("event", str)
    decoder = _EVENT_DECODERS.get(kind)
    if decoder is None:
        raise MalformedValue(f"{path}.event", "INPUT", f"unknown event {kind!r}; known: {sorted(_EVENT_DECODERS)}")
    event = decoder(r)
    r.done()
    return event


def _decode_set_user(r: _Reader) -> Event:
    roles = r.get("roles", list)
    if not all(isinstance(x, str) for x in roles):
        raise MalformedValue(r._field("roles"), "REG-1", "roles must be strings")
    return SetUser(r.get("user_id", str), frozenset(roles))


_EVENT_DECODERS: dict[str, Callable[[_Reader], Event]] = {
    "set_user": _decode_set_user,
    "load_registration": lambda r: LoadRegistration(_registration_fields(r)),
    "load_device": lambda r: LoadDevice(_device_fields(r)),
    "submit": lambda r: SubmitRequest(decode_request(r.child("request"))),  # type: ignore[arg-type]
    "advance_clock": lambda r: AdvanceClock(r.parsed("to", parse_instant)),
    "restrict_device": lambda r: RestrictDevice(r.get("device_id", str)),
    "set_device_comms": lambda r: SetDeviceComms(r.get("device_id", str), r.get("online", bool)),
    "read_audit_trail": lambda r: ReadAuditTrail(r.get("user_id", str)),
}


def encode_registration(registration: Registration) -> Json:
    return {
        "mpan": registration.mpan,
        "suppliers": [_encode_appointment(a) for a in registration.suppliers],
        "mdras": [_encode_appointment(a) for a in registration.mdras],
    }


def _encode_appointment(a: Appointment) -> Json:
    return {"party": a.party, "efd": a.efd.isoformat(), "etd": _day_text(a.etd)}


def _registration_fields(r: _Reader) -> Registration:
    def appointments(key: str) -> tuple[Appointment, ...]:
        found = []
        for item in r.items(key):
            found.append(
                Appointment(
                    item.get("party", str),
                    item.parsed("efd", _day),
                    item.parsed("etd", _day, optional=True),
                )
            )
            item.done()
        return tuple(found)

    return Registration(r.get("mpan", str), appointments("suppliers"), appointments("mdras"))


def encode_device(device: Device) -> Json:
    return {
        "device_id": device.device_id,
        "mpan": device.mpan,
        "generation": device.generation,
        "kind": device.kind,
        "commissioned": device.commissioned.isoformat(),
    }


def _device_fields(r: _Reader) -> Device:
    return Device(
        r.get("device_id", str), r.get("mpan", str), r.get("generation", str), r.get("kind", str),
        r.parsed("commissioned", _day),
    )  # fmt: skip


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


def _period(r: _Reader) -> ReadLogPeriod:
    return ReadLogPeriod(r.parsed("start", parse_instant), r.parsed("end", parse_instant))


def _schedule_spec(r: _Reader) -> ScheduleSpec:
    return ScheduleSpec(r.get("srv", str), r.parsed("start_day", _day), r.parsed("end_day", _day, optional=True))


def decode_request(r: _Reader) -> ServiceRequest:
    period = r.child("period", optional=True)
    schedule = r.child("schedule", optional=True)
    request = ServiceRequest(
        request_id=r.get("request_id", str),
        user_id=r.get("user_id", str),
        role=r.get("role", str),
        srv=r.get("srv", str),
        device_id=r.get("device_id", str),
        for_settlement=r.get("for_settlement", bool, optional=True),
        period=None if period is None else _period(period),
        execute_at=r.parsed("execute_at", parse_instant, optional=True),
        schedule=None if schedule is None else _schedule_spec(schedule),
        schedule_id=r.get("schedule_id", int, optional=True),
    )  # fmt: skip
    for child in (period, schedule):
        if child is not None:
            child.done()
    r.done()
    return request


# ---- outputs ----------------------------------------------------------------


def encode_output(output: Output) -> Json:
    """The JSON object of an output."""
    encoder = _OUTPUT_ENCODERS.get(type(output))
    if encoder is None:
        raise TypeError(f"not a model output: {output!r}")
    return encoder(output)


def _encode_acknowledgement(a: Acknowledgement) -> Json:
    return {
        "type": "acknowledgement", "request_id": a.request_id, "user_id": a.user_id, "code": a.code,
        "at": format_instant(a.at), "execute_at": format_instant(a.execute_at),
    }  # fmt: skip


def _encode_alert(a: Alert) -> Json:
    return {
        "type": "alert", "code": a.code, "recipient": a.recipient, "at": format_instant(a.at),
        "device_id": a.device_id, "schedule_id": a.schedule_id, "requirements": list(a.requirements),
    }  # fmt: skip


def _encode_extract(x: AuditExtract) -> Json:
    return {"type": "audit_extract", "user_id": x.user_id, "records": [_encode_record(r) for r in x.records]}


def _encode_response(r: Response) -> Json:
    return {
        "type": "response", "request_id": r.request_id, "user_id": r.user_id, "role": r.role, "srv": r.srv,
        "device_id": r.device_id, "code": r.code, "requirements": list(r.requirements), "reason": r.reason,
        "submitted_at": format_instant(r.submitted_at), "responded_at": format_instant(r.responded_at),
        "mode": r.mode, "for_settlement": r.for_settlement, "trt_s": r.trt_s,
        "entries": [{"timestamp": format_instant(e.timestamp), "value": e.value} for e in r.entries],
        "device_read": r.device_read, "schedule_ids": list(r.schedule_ids),
        "inventory": None if r.inventory is None else encode_device(r.inventory), "interp": list(r.interp),
    }  # fmt: skip


def _encode_record(r: AuditRecord) -> Json:
    return {
        "at": format_instant(r.at),
        "user_id": r.user_id,
        "kind": r.kind,
        "reference": r.reference,
        "code": r.code,
    }


# Exact types (outputs are final dataclasses): one dictionary look-up per output.
_OUTPUT_ENCODERS: dict[type, Callable[[Any], Json]] = {
    Acknowledgement: _encode_acknowledgement,
    Response: _encode_response,
    Alert: _encode_alert,
    AuditExtract: _encode_extract,
}


def decode_output(data: object, path: str = "output") -> Output:
    """An output from its JSON object (strict; the inverse of :func:`encode_output`)."""
    r = _Reader(data, path)
    kind = r.get("type", str)
    if kind == "acknowledgement":
        out: Output = Acknowledgement(
            r.get("request_id", str), r.get("user_id", str), r.parsed("at", parse_instant),
            r.parsed("execute_at", parse_instant), r.get("code", str),
        )  # fmt: skip
    elif kind == "response":
        out = _decode_response(r)
    elif kind == "alert":
        out = Alert(
            r.get("code", str), r.get("recipient", str), r.parsed("at", parse_instant), r.get("device_id", str),
            r.get("schedule_id", int), tuple(r.get("requirements", list)),
        )  # fmt: skip
    elif kind == "audit_extract":
        records = []
        for item in r.items("records"):
            records.append(AuditRecord(
                item.parsed("at", parse_instant), item.get("user_id", str), item.get("kind", str),
                item.get("reference", str), item.get("code", str),
            ))  # fmt: skip
            item.done()
        out = AuditExtract(r.get("user_id", str), tuple(records))
    else:
        raise MalformedValue(f"{path}.type", "INPUT", f"unknown output type {kind!r}")
    r.done()
    return out


def _decode_response(r: _Reader) -> Response:
    entries = []
    for item in r.items("entries"):
        entries.append(LogEntry(item.parsed("timestamp", parse_instant), item.get("value", int)))
        item.done()
    inventory = r.child("inventory", optional=True)
    device = None
    if inventory is not None:
        device = _device_fields(inventory)
        inventory.done()
    return Response(
        r.get("request_id", str), r.get("user_id", str), r.get("role", str), r.get("srv", str),
        r.get("device_id", str), r.get("code", str), tuple(r.get("requirements", list)), r.get("reason", str),
        r.parsed("submitted_at", parse_instant), r.parsed("responded_at", parse_instant), r.get("mode", str),
        r.get("for_settlement", bool), r.get("trt_s", int, optional=True), tuple(entries),
        r.get("device_read", bool), tuple(r.get("schedule_ids", list)), device, tuple(r.get("interp", list)),
    )  # fmt: skip


# ---- initial state ----------------------------------------------------------


def encode_profile(profile: Profile) -> Json:
    return profile.as_dict()


def decode_profile(data: object, path: str = "profile") -> Profile:
    r = _Reader(data, path)
    for key in r.data:
        if key not in PROFILE_OPTIONS:
            raise MalformedValue(f"{path}.{key}", "INPUT", f"unknown profile option; known: {list(PROFILE_OPTIONS)}")
    try:
        return Profile(**dict(r.data))
    except ValueError as error:
        raise MalformedValue(path, "INPUT", str(error)) from None


def encode_config(config: ServiceConfig) -> Json:
    return {
        "dsp_window": [config.dsp_window.open_s, config.dsp_window.close_s],
        "mdr_window": [config.mdr_window.open_s, config.mdr_window.close_s],
        "retry_interval_s": config.retry_interval_s,
    }


def decode_config(data: object, path: str = "config") -> ServiceConfig:
    r = _Reader(data, path)

    def window(key: str) -> Window:
        pair = r.get(key, list)
        if len(pair) != 2 or not all(isinstance(x, int) for x in pair) or not 0 <= pair[0] < pair[1] <= 86400:
            raise MalformedValue(
                r._field(key),
                "SCH-4",
                "a window is [open_s, close_s] with 0 <= open < close <= 86400",
            )
        return Window(pair[0], pair[1])

    config = ServiceConfig(window("dsp_window"), window("mdr_window"), r.get("retry_interval_s", int))
    r.done()
    return config


def encode_schedule(s: Schedule) -> Json:
    return {
        "schedule_id": s.schedule_id, "owner": s.owner, "role": s.role, "device_id": s.device_id, "srv": s.srv,
        "for_settlement": s.for_settlement, "start_day": s.start_day.isoformat(), "end_day": _day_text(s.end_day),
        "next_run": s.next_run.isoformat(),
    }  # fmt: skip


def _decode_schedule(r: _Reader) -> Schedule:
    schedule = Schedule(
        r.get("schedule_id", int), r.get("owner", str), r.get("role", str), r.get("device_id", str), r.get("srv", str),
        r.get("for_settlement", bool), r.parsed("start_day", _day), r.parsed("end_day", _day, optional=True),
        r.parsed("next_run", _day),
    )  # fmt: skip
    r.done()
    return schedule


def encode_device_data(state: State) -> list[Json]:
    """The device data of a state as runs, sorted by (device_id, srv, start):
    the device logs ``values[i]`` for ``srv`` at ``start + i * interval_s``."""
    return [
        {"device_id": device_id, "srv": srv, "start": format_instant(start), "interval_s": interval, "values": values}
        for (device_id, srv), log in sorted(state.device_data.items())
        for start, interval, values in meter.runs(log, srv)
    ]


def _run(r: _Reader) -> tuple[str, str, int, int, list[int]]:
    """One run of device data: (device_id, srv, start, interval_s, values)."""
    srv, interval, values = r.get("srv", str), r.get("interval_s", int), r.get("values", list)
    if srv not in SRVS or SRVS[srv].cadence == "none":
        raise MalformedValue(r._field("srv"), "INPUT", f"SRV {srv!r} logs no entries")
    if interval <= 0:
        raise MalformedValue(r._field("interval_s"), "INPUT", "interval_s must be positive")
    if not values or not all(type(v) is int for v in values):
        raise MalformedValue(r._field("values"), "INPUT", "values must be a non-empty list of integers")
    run = (r.get("device_id", str), srv, r.parsed("start", parse_instant), interval, values)
    r.done()
    return run


def decode_device_data(data: object, path: str = "initial_state.device_data") -> dict[tuple[str, str], meter.DeviceLog]:
    """The ``device_data`` runs of an initial state (None: none), as one log
    per (device, SRV); two runs may not log the same timestamp."""
    if data is None:
        return {}
    if not isinstance(data, list):
        raise MalformedValue(path, "INPUT", f"expected list, got {_shown(data)}")
    grouped: dict[tuple[str, str], list[tuple[int, int, list[int]]]] = {}
    for i, item in enumerate(data):
        device_id, srv, start, interval, values = _run(_Reader(item, f"{path}[{i}]"))
        grouped.setdefault((device_id, srv), []).append((start, interval, values))
    logs = {}
    for key, runs in grouped.items():
        try:
            logs[key] = meter.log_of(runs)
        except ValueError as error:
            raise MalformedValue(path, "INPUT", f"runs of {key[0]} {key[1]}: {error}") from None
    return logs


def initial_events(state: State) -> list[Event]:
    """The events that rebuild a state's users, registration and inventory."""
    events: list[Event] = [SetUser(u.user_id, u.roles) for u in state.users.values()]
    events += [LoadRegistration(reg) for reg in state.registrations.values()]
    events += [LoadDevice(d) for d in state.devices.values()]
    return events


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


def decode_state(data: object, path: str = "initial_state") -> State:
    """A state from an initial-state object, built through :func:`step` so that
    every part is validated as events are."""
    from .machine import step

    r = _Reader(data, path)
    state = initial_state(
        r.parsed("clock", parse_instant),
        decode_profile(r.get("profile", dict), f"{path}.profile"),
        decode_config(r.get("config", dict), f"{path}.config") if "config" in r.data else ServiceConfig(),
    )
    r.used.add("config")
    for item in r.items("users"):
        state, _ = step(state, _decode_set_user(item))
        item.done()
    for item in r.items("registrations"):
        state, _ = step(state, LoadRegistration(_registration_fields(item)))
        item.done()
    for item in r.items("devices"):
        state, _ = step(state, LoadDevice(_device_fields(item)))
        item.done()
    schedules = {}
    for item in r.items("schedules") if "schedules" in r.data else []:
        schedule = _decode_schedule(item)
        if schedule.device_id not in state.devices:
            raise MalformedValue(f"{item.path}.device_id", "SCH-1", "schedule names a device not in the inventory")
        if not SRVS[schedule.srv].schedulable if schedule.srv in SRVS else True:
            raise MalformedValue(f"{item.path}.srv", "AC-2", f"SRV {schedule.srv} cannot be DCC Scheduled")
        schedules[schedule.schedule_id] = schedule
    r.used.add("schedules")
    device_data = decode_device_data(r.get("device_data", list, optional=True), r._field("device_data"))
    r.done()
    next_id = max(schedules, default=0) + 1
    return replace(state, schedules=schedules, next_schedule_id=next_id, device_data=device_data)
