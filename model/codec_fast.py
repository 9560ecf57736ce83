"""Fast paths of the JSON codec for the shapes the adapters carry on every step.

:mod:`mhhs_sec.model.codec` is the strict, error-naming codec.  The functions
here recognise only *well-formed* JSON exactly as :func:`json.loads` builds it
(plain ``dict`` / ``list`` / ``str`` / ``int`` / ``bool``, no unknown key) and
answer ``None`` / ``False`` for anything else, so that the strict codec runs on
it and names the bad field.  They never accept what the strict codec refuses
and build equal objects: the fast path changes speed, never a verdict.

* :func:`event` -- the event kinds of a step (submit, advance_clock, ...).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Final

from .clock import parse_instant
from .entities import ReadLogPeriod, ScheduleSpec, ServiceRequest
from .events import AdvanceClock, Event, ReadAuditTrail, RestrictDevice, SetDeviceComms, SubmitRequest

Shape = tuple[frozenset[str], tuple[tuple[str, type], ...], tuple[tuple[str, type], ...]]


def _shape(required: dict[str, type], optional: dict[str, type] | None = None) -> Shape:
    """Allowed keys, (key, exact type) of the required ones and of the optional
    ones (an optional key may be absent or null, like the strict reader's)."""
    optional = optional or {}
    return frozenset(required) | frozenset(optional), tuple(required.items()), tuple(optional.items())


def _fits(data: Any, shape: Shape) -> bool:
    """``data`` is a plain dict of exactly this shape (types checked exactly:
    ``bool`` is not an ``int``, as in the strict reader)."""
    if type(data) is not dict or not data.keys() <= shape[0]:
        return False
    for key, kind in shape[1]:
        if type(data.get(key)) is not kind:
            return False
    for key, kind in shape[2]:
        value = data.get(key)
        if value is not None and type(value) is not kind:
            return False
    return True


def _instant(text: object) -> int | None:
    """A parsed instant, or None when the strict codec would refuse it."""
    if type(text) is not str:
        return None
    try:
        return parse_instant(text)
    except ValueError:
        return None


def _day(text: str) -> dt.date | None:
    """A parsed day, or None when the strict codec would refuse it (the text's
    type is checked by :func:`_fits` first)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


# ---- events -------------------------------------------------------------------

_REQUEST_KEYS: Final = frozenset(
    ("request_id", "user_id", "role", "srv", "device_id", "for_settlement", "period", "execute_at", "schedule",
     "schedule_id")
)  # fmt: skip
_SCHEDULE_SPEC: Final = _shape({"srv": str, "start_day": str}, {"end_day": str})
_BAD: Final[Any] = object()  # a part the strict codec would refuse
# Read periods by their two texts: vectors and runs reuse a few hundred of them,
# and the model's values are immutable, so one object can serve every request.
_PERIODS: dict[tuple[str, str], ReadLogPeriod] = {}
_PERIODS_LIMIT: Final = 4096


def _submit(data: dict[str, Any]) -> Event | None:
    r: Any = data.get("request")
    if len(data) != 2 or type(r) is not dict or not r.keys() <= _REQUEST_KEYS:
        return None
    request_id, user_id, role, srv, device_id = (
        r.get("request_id"), r.get("user_id"), r.get("role"), r.get("srv"), r.get("device_id"),
    )  # fmt: skip
    if not (type(request_id) is type(user_id) is type(role) is type(srv) is type(device_id) is str):
        return None
    flag, execute_at, schedule_id = r.get("for_settlement"), r.get("execute_at"), r.get("schedule_id")
    if (flag is not None and type(flag) is not bool) or (schedule_id is not None and type(schedule_id) is not int):
        return None
    if execute_at is not None and (execute_at := _instant(execute_at)) is None:
        return None
    period, schedule = _period(r.get("period")), _schedule(r.get("schedule"))
    if period is _BAD or schedule is _BAD:
        return None
    return SubmitRequest(
        ServiceRequest(request_id, user_id, role, srv, device_id, flag, period, execute_at, schedule, schedule_id)
    )


def _period(p: Any) -> Any:
    """A request's read period (exactly {start, end}, both instants), None, or _BAD."""
    if p is None:
        return None
    if type(p) is not dict or len(p) != 2:
        return _BAD
    key: Any = p.get("start"), p.get("end")
    period = _PERIODS.get(key) if type(key[0]) is type(key[1]) is str else None
    if period is None:
        start, end = _instant(key[0]), _instant(key[1])
        if start is None or end is None:
            return _BAD
        if len(_PERIODS) >= _PERIODS_LIMIT:
            _PERIODS.clear()
        period = _PERIODS[key] = ReadLogPeriod(start, end)
    return period


def _schedule(s: Any) -> Any:
    """A 5.1's schedule body (srv, start_day, optional end_day), None, or _BAD."""
    if s is None:
        return None
    if not _fits(s, _SCHEDULE_SPEC):
        return _BAD
    start_day, end_text = _day(s["start_day"]), s.get("end_day")
    end_day = None if end_text is None else _day(end_text)
    if start_day is None or (end_text is not None and end_day is None):
        return _BAD
    return ScheduleSpec(s["srv"], start_day, end_day)


def _advance_clock(data: dict[str, Any]) -> Event | None:
    to = _instant(data.get("to"))
    return None if len(data) != 2 or to is None else AdvanceClock(to)


def _restrict_device(data: dict[str, Any]) -> Event | None:
    device_id = data.get("device_id")
    return RestrictDevice(device_id) if len(data) == 2 and type(device_id) is str else None


def _set_device_comms(data: dict[str, Any]) -> Event | None:
    device_id, online = data.get("device_id"), data.get("online")
    ok = len(data) == 3 and type(device_id) is str and type(online) is bool
    return SetDeviceComms(device_id, online) if ok else None  # type: ignore[arg-type]


def _read_audit_trail(data: dict[str, Any]) -> Event | None:
    user_id = data.get("user_id")
    return ReadAuditTrail(user_id) if len(data) == 2 and type(user_id) is str else None


_EVENTS: Final[dict[str, Callable[[dict[str, Any]], Event | None]]] = {
    "submit": _submit,
    "advance_clock": _advance_clock,
    "restrict_device": _restrict_device,
    "set_device_comms": _set_device_comms,
    "read_audit_trail": _read_audit_trail,
}


def event(data: object) -> Event | None:
    """The event of a well-formed step event object, or None (strict path)."""
    if type(data) is not dict:
        return None
    kind = data.get("event")
    decoder = _EVENTS.get(kind) if type(kind) is str else None
    return None if decoder is None else decoder(data)
