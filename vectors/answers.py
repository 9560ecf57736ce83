"""Reading outputs: the conformance runner's check of every answer's outputs
and the loader's check of a vector's expected outputs, against the output
shapes of ``vectors/protocol/outputs.schema.json``.

The reference model writes outputs (:func:`mhhs_sec.model.codec.encode_output`)
and never reads one, so this reading lives with the vectors, not in the model.
:func:`decode_output` is strict and names the bad field; :func:`output_ok` is
its fast path for well-formed JSON exactly as :func:`json.loads` builds it
(False: ask :func:`decode_output`, which never accepts less).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from mhhs_sec.model.clock import parse_instant
from mhhs_sec.model.codec import _device_fields, _Reader
from mhhs_sec.model.codec_fast import _day, _fits, _instant, _shape
from mhhs_sec.model.entities import LogEntry
from mhhs_sec.model.errors import MalformedValue
from mhhs_sec.model.outputs import Acknowledgement, Alert, AuditExtract, AuditRecord, Output, Response


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


_ACKNOWLEDGEMENT: Final = _shape(
    {"type": str, "request_id": str, "user_id": str, "at": str, "execute_at": str, "code": str}
)
_RESPONSE: Final = _shape(
    {
        "type": str, "request_id": str, "user_id": str, "role": str, "srv": str, "device_id": str, "code": str,
        "requirements": list, "reason": str, "submitted_at": str, "responded_at": str, "mode": str,
        "for_settlement": bool, "entries": list, "device_read": bool, "schedule_ids": list, "interp": list,
    },
    {"trt_s": int, "inventory": dict},
)  # fmt: skip
_DEVICE: Final = _shape({"device_id": str, "mpan": str, "generation": str, "kind": str, "commissioned": str})
_ALERT: Final = _shape(
    {"type": str, "code": str, "recipient": str, "at": str, "device_id": str, "schedule_id": int, "requirements": list}
)
_EXTRACT: Final = _shape({"type": str, "user_id": str, "records": list})
_RECORD: Final = _shape({"at": str, "user_id": str, "kind": str, "reference": str, "code": str})


def _response_ok(data: dict[str, Any]) -> bool:
    if not _fits(data, _RESPONSE):
        return False
    if _instant(data["submitted_at"]) is None or _instant(data["responded_at"]) is None:
        return False
    if not _entries_ok(data["entries"]):
        return False
    inventory = data.get("inventory")
    return inventory is None or (_fits(inventory, _DEVICE) and _day(inventory["commissioned"]) is not None)


def _entries_ok(entries: list[Any]) -> bool:
    """Each entry is exactly {timestamp: instant, value: int}, checked inline
    rather than through :func:`_fits`, as a response may carry 48 or 50 of
    them (CON-5)."""
    for entry in entries:
        if type(entry) is not dict or len(entry) != 2:
            return False
        timestamp, value = entry.get("timestamp"), entry.get("value")
        if type(timestamp) is not str or type(value) is not int:
            return False
        try:
            parse_instant(timestamp)
        except ValueError:
            return False
    return True


def _acknowledgement_ok(data: dict[str, Any]) -> bool:
    if not _fits(data, _ACKNOWLEDGEMENT):
        return False
    return _instant(data["at"]) is not None and _instant(data["execute_at"]) is not None


def _alert_ok(data: dict[str, Any]) -> bool:
    return _fits(data, _ALERT) and _instant(data["at"]) is not None


def _extract_ok(data: dict[str, Any]) -> bool:
    if not _fits(data, _EXTRACT):
        return False
    return all(_fits(r, _RECORD) and _instant(r["at"]) is not None for r in data["records"])


_OUTPUTS: Final[dict[str, Callable[[dict[str, Any]], bool]]] = {
    "response": _response_ok,
    "acknowledgement": _acknowledgement_ok,
    "alert": _alert_ok,
    "audit_extract": _extract_ok,
}


def output_ok(data: object) -> bool:
    """True only if the strict ``decode_output`` accepts ``data`` (False: ask it)."""
    if type(data) is not dict:
        return False
    kind = data.get("type")
    check = _OUTPUTS.get(kind) if type(kind) is str else None
    return check is not None and check(data)
