"""Reading an event before any rule is checked (adapter protocol, "Refusing
an event"): an event that is no object, of an unknown kind, missing a field
its kind requires, holding a field its kind does not define, a field of
another JSON type, or a date / instant text that is none, is refused INPUT;
then the lists of the schema: a role (REG-1) or an SRV (AC-1, the SRV a 5.1
schedules: SCH-1) outside them."""

from __future__ import annotations

from typing import Any, Final

from .clock import parse_day, parse_instant
from .errors import Refused

# The protocol's lists (step.schema.json): the roles (REG-1) and the SRVs (AC-1).
ROLES: Final = frozenset({"IS", "ES", "GS", "ED", "GT", "OU", "RSA", "MDR"})
SRVS: Final = frozenset({"4.1.1", "4.2", "4.6.1", "4.6.2", "4.8.1", "4.8.2", "4.8.3", "4.17", "5.1", "5.2", "5.3",
                         "8.2"})  # fmt: skip

INSTANT, DAY = "instant", "day"  # text that must read as one
Shape = tuple[dict[str, Any], dict[str, Any]]  # (required fields, optional fields): field -> JSON type

_EVENTS: Final[dict[str, Shape]] = {
    "submit": ({"request": dict}, {}),
    "advance_clock": ({"to": INSTANT}, {}),
    "set_user": ({"user_id": str, "roles": list}, {}),
    "load_registration": ({"mpan": str, "suppliers": list, "mdras": list}, {}),
    "load_device": ({"device_id": str, "mpan": str, "generation": str, "kind": str, "commissioned": DAY}, {}),
    "restrict_device": ({"device_id": str}, {}),
    "set_device_comms": ({"device_id": str, "online": bool}, {}),
    "read_audit_trail": ({"user_id": str}, {}),
}
_REQUEST: Final[Shape] = (
    {"request_id": str, "user_id": str, "role": str, "srv": str, "device_id": str},
    {"for_settlement": bool, "period": dict, "execute_at": INSTANT, "schedule": dict, "schedule_id": int},
)
_PERIOD: Final[Shape] = ({"start": INSTANT, "end": INSTANT}, {})
_SCHEDULE: Final[Shape] = ({"srv": str, "start_day": DAY}, {"end_day": DAY})
_APPOINTMENT: Final[Shape] = ({"party": str, "efd": DAY}, {"etd": DAY})


def _fits(value: Any, kind: Any) -> bool:
    if kind is INSTANT or kind is DAY:
        if not isinstance(value, str):
            return False
        try:
            (parse_instant if kind is INSTANT else parse_day)(value)
        except ValueError:
            return False
        return True
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))


def check_shape(data: Any, shape: Shape, path: str, *, kind_key: bool = False) -> None:
    """``data`` is an object of this shape (a null optional field is absent)."""
    if not isinstance(data, dict):
        raise Refused(path, "INPUT", "not an object")
    required, optional = shape
    unknown = set(data) - set(required) - set(optional) - ({"event"} if kind_key else set())
    if unknown:
        raise Refused(path, "INPUT", f"{len(unknown)} field(s) the protocol does not define")
    for key, kind in (*required.items(), *optional.items()):
        value = data.get(key)
        if value is None and key in optional:
            continue
        if not _fits(value, kind):
            raise Refused(f"{path}.{key}", "INPUT", "missing, or not of its type")


def read_event(event: Any) -> None:
    """Refuse an event the protocol cannot read (INPUT), a role or SRV outside its lists."""
    kind = event.get("event") if isinstance(event, dict) else None
    if not isinstance(kind, str) or kind not in _EVENTS:
        raise Refused("event", "INPUT", "not an event object of a known kind")
    check_shape(event, _EVENTS[kind], "event", kind_key=True)
    if kind == "submit":
        _read_request(event["request"])
    elif kind == "set_user" and not all(isinstance(role, str) for role in event["roles"]):
        raise Refused("roles", "REG-1", "roles are the schema's role names")
    elif kind == "load_registration":
        for chain in ("suppliers", "mdras"):
            for index, appointment in enumerate(event[chain]):
                check_shape(appointment, _APPOINTMENT, f"registration.{chain}[{index}]")


def _read_request(request: dict[str, Any]) -> None:
    check_shape(request, _REQUEST, "request")
    for key, shape in (("period", _PERIOD), ("schedule", _SCHEDULE)):
        if request.get(key) is not None:
            check_shape(request[key], shape, f"request.{key}")
    if not request["request_id"]:
        raise Refused("request.request_id", "INPUT", "an empty request id")
    # The SRV-dependent checks (period, execute_at, schedule) follow these two.
    if request["role"] not in ROLES:
        raise Refused("request.role", "REG-1", "a role not in the schema's list")
    if request["srv"] not in SRVS:
        raise Refused("request.srv", "AC-1", "an SRV not in the schema's list")
    schedule = request.get("schedule")
    if schedule is not None and schedule["srv"] not in SRVS:
        raise Refused("request.schedule.srv", "SCH-1", "a 5.1 of an SRV not in the schema's list")
