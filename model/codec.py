"""JSON form of events, outputs and initial states: the one codec the vectors,
the adapters and the CLI share.

Instants are ISO 8601 UTC text ('2025-03-30T00:00:00Z'), settlement days ISO
dates.  Decoding is strict: an unknown key, a missing key or a value of the
wrong type raises :class:`~mhhs_sec.model.errors.MalformedValue` naming the
field by its path (``steps[3].event.request.period.end``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, TypeVar

from . import codec_fast, domain, meter
from .clock import format_instant, parse_instant
from .entities import (
    Appointment,
    Device,
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
            raise MalformedValue(self._field(key), "INPUT", f"expected {_JSON_TYPES[kind]}, got {_json_type(value)}")
        return value

    def parsed(self, key: str, parse: Callable[[str], T], *, optional: bool = False) -> T:
        text: str | None = self.get(key, str, optional=optional)
        if text is None:
            return None  # type: ignore[return-value]
        try:
            return parse(text)
        except ValueError:
            raise MalformedValue(self._field(key), "INPUT", f"expected {_FORMATS[parse]}") from None

    def child(self, key: str, *, optional: bool = False) -> _Reader | None:
        value = self.get(key, dict, optional=optional)
        return None if value is None else _Reader(value, self._field(key))

    def items(self, key: str) -> list[_Reader]:
        values = self.get(key, list)
        return [_Reader(v, f"{self._field(key)}[{i}]") for i, v in enumerate(values)]

    def done(self) -> None:
        extra = set(self.data) - self.used
        if extra:
            known = sorted(self.used)
            raise MalformedValue(self.path or "(root)", "INPUT", f"holds {len(extra)} unknown field(s); known: {known}")


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# What a refusal says of a value (never the value itself: an answer does not
# echo its input).
_JSON_TYPES: dict[type, str] = {str: "a string", int: "an integer", bool: "true or false", dict: "an object",
                                list: "an array", float: "a number", type(None): "null"}  # fmt: skip
_FORMATS: dict[Callable[[str], Any], str] = {
    _day: "an ISO 8601 date (YYYY-MM-DD)",
    parse_instant: "an ISO 8601 date-time with a UTC offset (YYYY-MM-DDThh:mm:ssZ)",
}


def _json_type(value: object) -> str:
    return _JSON_TYPES.get(type(value), "another type")


# ---- events ---------------------------------------------------------------


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
        raise MalformedValue(f"{path}.event", "INPUT", f"unknown event kind; known: {sorted(_EVENT_DECODERS)}")
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


# ---- initial state ----------------------------------------------------------


def decode_profile(data: object, path: str = "profile") -> Profile:
    r = _Reader(data, path)
    if not set(r.data) <= set(PROFILE_OPTIONS):
        raise MalformedValue(path, "INPUT", f"holds an unknown profile option; known: {list(PROFILE_OPTIONS)}")
    try:
        return Profile(**dict(r.data))
    except ValueError:
        pass
    for option, value in r.data.items():  # which option: named, its value not quoted
        try:
            Profile(**{option: value})
        except ValueError:
            values = PROFILE_OPTIONS[option][1]
            allowed = f"one of {list(values)}" if option != "daily_log_delay_tolerance_s" else "seconds, 0 or more"
            raise MalformedValue(f"{path}.{option}", "INPUT", f"expected {allowed}") from None
    raise MalformedValue(path, "INPUT", "an option has a value outside its list")


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


def _decode_schedule(r: _Reader) -> Schedule:
    schedule = Schedule(
        r.get("schedule_id", int), r.get("owner", str), r.get("role", str), r.get("device_id", str), r.get("srv", str),
        r.get("for_settlement", bool), r.parsed("start_day", _day), r.parsed("end_day", _day, optional=True),
        r.parsed("next_run", _day),
    )  # fmt: skip
    r.done()
    return schedule


def _run(r: _Reader) -> tuple[str, str, int, int, list[int]]:
    """One run of device data: (device_id, srv, start, interval_s, values)."""
    srv, interval, values = r.get("srv", str), r.get("interval_s", int), r.get("values", list)
    if srv not in SRVS or SRVS[srv].cadence == "none":
        raise MalformedValue(r._field("srv"), "INPUT", "the SRV logs no entries (a log read's SRV)")
    if interval <= 0:
        raise MalformedValue(r._field("interval_s"), "INPUT", "interval_s must be positive")
    if not values or not all(type(v) is int for v in values):
        raise MalformedValue(r._field("values"), "INPUT", "values must be a non-empty list of integers")
    run = (r.get("device_id", str), srv, r.parsed("start", parse_instant), interval, values)
    domain.check_device_log(run[2], interval, len(values), r.path)
    r.done()
    return run


def decode_device_data(data: object, path: str = "initial_state.device_data") -> dict[tuple[str, str], meter.DeviceLog]:
    """The ``device_data`` runs of an initial state (None: none), as one log
    per (device, SRV); two runs may not log the same timestamp."""
    if data is None:
        return {}
    if not isinstance(data, list):
        raise MalformedValue(path, "INPUT", f"expected an array, got {_json_type(data)}")
    grouped: dict[tuple[str, str], list[tuple[int, int, list[int]]]] = {}
    for i, item in enumerate(data):
        device_id, srv, start, interval, values = _run(_Reader(item, f"{path}[{i}]"))
        grouped.setdefault((device_id, srv), []).append((start, interval, values))
    logs = {}
    for key, runs in grouped.items():
        try:
            logs[key] = meter.log_of(runs)
        except ValueError:
            raise MalformedValue(path, "INPUT", "two runs of one device and SRV log the same timestamp") from None
    return logs


def decode_state(data: object, path: str = "initial_state") -> State:
    """A state from an initial-state object, built through :func:`step` so that
    every part is validated as events are."""
    from .machine import step

    r = _Reader(data, path)
    clock = r.parsed("clock", parse_instant)
    domain.check_instant(clock, r._field("clock"))
    state = initial_state(
        clock,
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
        domain.check_schedule(schedule, state.now, state.profile.settlement_tz, item.path)
        if schedule.device_id not in state.devices:
            raise MalformedValue(f"{item.path}.device_id", "SCH-1", "schedule names a device not in the inventory")
        if not SRVS[schedule.srv].schedulable if schedule.srv in SRVS else True:
            raise MalformedValue(f"{item.path}.srv", "AC-2", "the SRV cannot be DCC Scheduled")
        schedules[schedule.schedule_id] = schedule
    r.used.add("schedules")
    device_data = decode_device_data(r.get("device_data", list, optional=True), r._field("device_data"))
    r.done()
    next_id = max(schedules, default=0) + 1
    return replace(state, schedules=schedules, next_schedule_id=next_id, device_data=device_data)
