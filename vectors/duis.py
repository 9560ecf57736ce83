"""The DUIS request codec: a model :class:`ServiceRequest` as a real DUIS 5.4
``sr:Request`` and back, plus the project envelope that carries the MHHS
additions DUIS 5.4 lacks (FS-1 ForSettlement flag, REG-1 MDR role).

Stable API (the HTTP adapter of the conformance runner relies on it; see
``docs/vector-format.md``):

- :func:`render_request` ``(request) -> str``: a bare ``sr:Request``.
- :func:`render_envelope` ``(request) -> str``: ``mhhs:ServiceRequest``
  (namespace ``urn:mhhs-sec:1``) holding the role, the flag and the ``sr:Request``.
- :func:`parse_request` ``(xml_text, role=None, for_settlement=None) -> ServiceRequest``:
  the inverse of both (a bare ``sr:Request`` needs ``role``).

The DUIS part is validated against the DUIS 5.4 schema from
:func:`mhhs_sec.settings.duis_dir` (compiled once and cached) whenever that
folder is available; nothing of the schema is copied into the project.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zlib
from functools import cache
from pathlib import Path
from typing import Any, Final

import jinja2
from markupsafe import Markup
from mhhs_sec.model.clock import format_instant, parse_instant
from mhhs_sec.model.entities import ReadLogPeriod, ScheduleSpec, ServiceRequest
from mhhs_sec.model.tables import SRVS

from mhhs_sec.settings import DUIS_SCHEMA_FILE, duis_dir

from .format import PROJECT_NAMESPACE

SR_NS: Final = "http://www.dccinterface.co.uk/ServiceUserGateway"
MHHS_NS: Final = PROJECT_NAMESPACE
# The EUI-64 this project uses as the target of DCC-only requests (5.x, 8.2)
# in a DUIS RequestID (its second part); a project value, not a DCC one.
DSP_TARGET: Final = "90-B3-D5-1F-30-00-00-00"
EUI_RE: Final = re.compile(r"^[0-9A-Fa-f]{2}(-[0-9A-Fa-f]{2}){7}$")
REQUEST_ID_RE: Final = re.compile(
    r"^([0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){7}):([0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){7}):(\d{1,20})$"
)
_MAX_COUNTER: Final = 2**64 - 1
_TEMPLATES: Final = Path(__file__).resolve().parent / "templates"


class DuisError(ValueError):
    """A request DUIS 5.4 cannot carry, or XML that is not a valid request.
    ``field`` names the offending field, ``requirement`` the catalogue ID or 'INPUT'."""

    def __init__(self, field: str, message: str, requirement: str = "INPUT") -> None:
        super().__init__(f"{field}: {message} [{requirement}]")
        self.field, self.requirement, self.message = field, requirement, message


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
    )


@cache
def duis_schema() -> Any | None:
    """The compiled DUIS 5.4 schema (large: compiled once per process), or None
    when :func:`duis_dir` finds no schema folder."""
    folder = duis_dir()
    if folder is None:
        return None
    import xmlschema

    return xmlschema.XMLSchema(str(folder / DUIS_SCHEMA_FILE))


@cache
def dsp_schedulable_variants() -> frozenset[str] | None:
    """The SRVs DUIS 5.4 lets a 5.1 Create Schedule name, read from the schema
    (None without it)."""
    schema = duis_schema()
    if schema is None:
        return None
    simple = schema.types["DSPScheduledServiceReferenceVariant"]
    return frozenset(str(v) for v in simple.enumeration or ())


def target_of(request: ServiceRequest) -> str:
    """The second part of the DUIS RequestID: the device for a device request,
    the DSP for a DCC-only one (5.x, 8.2)."""
    return request.device_id if SRVS[request.srv].device_request else DSP_TARGET


def duis_request_id(request: ServiceRequest) -> str:
    """The DUIS RequestID (``sender:target:counter``) of a request: its own
    request_id when already in that form for this sender and target, else one
    derived deterministically from it (the envelope then keeps the original)."""
    match = REQUEST_ID_RE.match(request.request_id)
    same_parts = match is not None and (match.group(1), match.group(2)) == (request.user_id, target_of(request))
    if match is not None and same_parts and int(match.group(3)) <= _MAX_COUNTER:
        return request.request_id
    return f"{request.user_id}:{target_of(request)}:{zlib.crc32(request.request_id.encode())}"


def _check_expressible(request: ServiceRequest) -> None:
    if request.srv not in SRVS:
        raise DuisError("request.srv", f"SRV {request.srv!r} is not modelled", "AC-1")
    if not EUI_RE.match(request.user_id):
        raise DuisError("request.user_id", f"a DUIS sender is an EUI-64, got {request.user_id!r}")
    if SRVS[request.srv].device_request and not EUI_RE.match(request.device_id):
        raise DuisError("request.device_id", f"a DUIS target device is an EUI-64, got {request.device_id!r}")
    if SRVS[request.srv].read_log_period and request.period is None:
        raise DuisError("request.period", "a DUIS log read carries its ReadLogPeriod")
    if (request.srv == "5.1") != (request.schedule is not None):
        raise DuisError("request.schedule", "a DUIS CreateSchedule is a 5.1 with its schedule body", "SCH-1")
    if request.schedule is not None:
        scheduled = SRVS.get(request.schedule.srv)
        allowed = dsp_schedulable_variants()
        if scheduled is None or not scheduled.device_request or (allowed is not None and scheduled.srv not in allowed):
            raise DuisError(
                "request.schedule.srv", f"DUIS 5.4 CreateSchedule cannot name SRV {request.schedule.srv}", "SCH-1"
            )


def _body(request: ServiceRequest) -> dict[str, Any]:
    spec = SRVS[request.srv]
    if spec.device_request:
        period = request.period
        return {
            "kind": "read", "element": spec.body_element,
            "execute_at": None if request.execute_at is None else format_instant(request.execute_at),
            "start": None if period is None else format_instant(period.start),
            "end": None if period is None else format_instant(period.end),
        }  # fmt: skip
    if request.srv == "5.1":
        assert request.schedule is not None
        scheduled = SRVS[request.schedule.srv]
        return {
            "kind": "create", "start_day": request.schedule.start_day.isoformat(),
            "end_day": None if request.schedule.end_day is None else request.schedule.end_day.isoformat(),
            "scheduled_reference": scheduled.service_reference, "scheduled_srv": scheduled.srv,
            "device_id": request.device_id, "block": "DSP" + scheduled.body_element,
            "offsets": scheduled.read_log_period,
        }  # fmt: skip
    by_id = request.schedule_id if request.srv in ("5.2", "5.3") else None
    return {"kind": "by-id", "element": spec.body_element, "schedule_id": by_id, "device_id": request.device_id}


def render_request(request: ServiceRequest, *, validate: bool = True) -> str:
    """The DUIS 5.4 ``sr:Request`` of a request (no signature; the role and
    the ForSettlement flag are not DUIS: see :func:`render_envelope`).
    Validated against the DUIS schema when ``validate`` and the schema is available."""
    _check_expressible(request)
    spec = SRVS[request.srv]
    header = {
        "request_id": duis_request_id(request),
        "command_variant": 1 if spec.device_request else 8,
        "service_reference": spec.service_reference,
        "srv": spec.srv,
    }
    text = _environment().get_template("duis_request.xml.j2").render(h=header, b=_body(request))
    if validate:
        validate_duis(text)
    return text


def render_envelope(request: ServiceRequest, *, validate: bool = True) -> str:
    """``mhhs:ServiceRequest``: the role (REG-1), the ForSettlement flag when
    present (FS-1), the model request id when DUIS could not carry it, a device
    id DUIS could not carry (5.2 / 5.3 by schedule id), then the ``sr:Request``."""
    inner = render_request(request, validate=validate)
    unrecoverable_device = request.srv in ("5.2", "5.3") and request.schedule_id is not None and request.device_id
    envelope = {
        "role": request.role,
        "for_settlement": request.for_settlement,
        "request_ref": None if duis_request_id(request) == request.request_id else request.request_id,
        "device_id": request.device_id if unrecoverable_device else None,
        "request": Markup(inner),
    }
    return _environment().get_template("envelope.xml.j2").render(e=envelope)


def validate_duis(xml_text: str) -> None:
    """Raise :class:`DuisError` when a ``sr:Request`` is not valid DUIS 5.4
    (no-op when the schema folder is absent)."""
    schema = duis_schema()
    if schema is None:
        return
    errors = list(schema.iter_errors(xml_text))
    if errors:
        first = errors[0]
        # The path names the element; the schema's reason is left out, as it may quote the value.
        raise DuisError(str(getattr(first, "path", None) or "sr:Request"), "not valid DUIS 5.4 at this element")


# ---- parsing ------------------------------------------------------------------


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _text(element: ET.Element, path: str, field: str, *, optional: bool = False) -> str | None:
    found = element.find("/".join(_q(SR_NS, part) for part in path.split("/")))
    if found is None or found.text is None:
        if optional:
            return None
        raise DuisError(field, "is required")
    return found.text.strip()


def _instant(text: str | None, field: str) -> int | None:
    if text is None:
        return None
    try:
        return parse_instant(text)
    except ValueError:
        raise DuisError(field, "not an ISO 8601 date-time with a UTC offset") from None


def _flag(text: str | None) -> bool | None:
    if text is None:
        return None
    if text not in ("true", "false", "1", "0"):
        raise DuisError("mhhs:ForSettlement", "must be true or false", "FS-1")
    return text in ("true", "1")


def parse_request(
    xml_text: str,
    role: str | None = None,
    for_settlement: bool | None = None,
    *,
    validate: bool = True,
) -> ServiceRequest:
    """A :class:`ServiceRequest` from an ``mhhs:ServiceRequest`` envelope or a
    bare ``sr:Request``.  A bare request takes the role and flag from the
    arguments (role required); an envelope's own values win, and an argument
    that contradicts them is an error."""
    try:
        root = ET.fromstring(xml_text)
    except ET.ParseError as error:
        raise DuisError("(xml)", f"not well-formed XML: {error}") from None
    extra: dict[str, str | None] = {"ref": None, "device": None}
    if root.tag == _q(MHHS_NS, "ServiceRequest"):
        role, for_settlement, root = _unwrap(root, role, for_settlement, extra)
    if root.tag != _q(SR_NS, "Request"):
        raise DuisError("(root)", "expected sr:Request or mhhs:ServiceRequest")
    if role is None:
        raise DuisError("role", "a bare sr:Request needs the sender's role (REG-1)", "REG-1")
    if validate:
        validate_duis(ET.tostring(root, encoding="unicode"))
    return _from_sr(root, role, for_settlement, extra)


def _unwrap(
    envelope: ET.Element, role: str | None, flag: bool | None, extra: dict[str, str | None]
) -> tuple[str, bool | None, ET.Element]:
    def child(name: str) -> str | None:
        found = envelope.find(_q(MHHS_NS, name))
        return None if found is None or found.text is None else found.text.strip()

    own_role, own_flag = child("Role"), _flag(child("ForSettlement"))
    if own_role is None:
        raise DuisError("mhhs:Role", "is required", "REG-1")
    if role is not None and role != own_role:
        raise DuisError("role", "the role argument contradicts the envelope's mhhs:Role", "REG-1")
    if flag is not None and own_flag is not None and flag != own_flag:
        raise DuisError("for_settlement", "argument contradicts the envelope's ForSettlement", "FS-1")
    extra["ref"], extra["device"] = child("RequestRef"), child("DeviceID")
    inner = envelope.find(_q(SR_NS, "Request"))
    if inner is None:
        raise DuisError("sr:Request", "the envelope holds no sr:Request")
    return own_role, own_flag if own_flag is not None else flag, inner


def _from_sr(root: ET.Element, role: str, flag: bool | None, extra: dict[str, str | None]) -> ServiceRequest:
    request_id = _text(root, "Header/RequestID", "sr:Header/sr:RequestID")
    srv = _text(root, "Header/ServiceReferenceVariant", "sr:Header/sr:ServiceReferenceVariant")
    assert request_id is not None and srv is not None
    match = REQUEST_ID_RE.match(request_id)
    if match is None:
        raise DuisError("sr:Header/sr:RequestID", "not sender:target:counter")
    spec = SRVS.get(srv)
    if spec is None:
        raise DuisError("sr:Header/sr:ServiceReferenceVariant", "the SRV is not modelled", "AC-1")
    body = root.find(f"{_q(SR_NS, 'Body')}/{_q(SR_NS, spec.body_element)}")
    if body is None:
        raise DuisError(f"sr:Body/sr:{spec.body_element}", "the SRV needs this body element")
    try:
        fields = _body_fields(body, spec.srv, spec.body_element, match.group(2))
    except DuisError:
        raise
    except ValueError:  # a date or an id that is not one (unvalidated input)
        raise DuisError(f"sr:Body/sr:{spec.body_element}", "holds a date or an id that is not one") from None
    if extra["device"]:
        fields["device_id"] = extra["device"]
    return ServiceRequest(
        request_id=extra["ref"] or request_id, user_id=match.group(1), role=role, srv=srv,
        for_settlement=flag, **fields,
    )  # fmt: skip


def _body_fields(body: ET.Element, srv: str, element: str, target: str) -> dict[str, Any]:
    where = f"sr:Body/sr:{element}"
    spec = SRVS[srv]
    if spec.device_request:
        start = _instant(_text(body, "ReadLogPeriod/StartDateTime", f"{where}/sr:ReadLogPeriod", optional=True), where)
        end = _instant(_text(body, "ReadLogPeriod/EndDateTime", f"{where}/sr:ReadLogPeriod", optional=True), where)
        period = None if start is None or end is None else ReadLogPeriod(start, end)
        execute_at = _instant(_text(body, "ExecutionDateTime", where, optional=True), f"{where}/sr:ExecutionDateTime")
        return {"device_id": target, "period": period, "execute_at": execute_at}
    if srv == "5.1":
        import datetime as dt

        scheduled = _text(
            body, "DSPScheduledServiceReferenceVariant", f"{where}/sr:DSPScheduledServiceReferenceVariant"
        )
        start_day = _text(body, "ScheduleStartDate", f"{where}/sr:ScheduleStartDate")
        end_day = _text(body, "ScheduleEndDate", where, optional=True)
        assert scheduled is not None and start_day is not None
        spec_ = ScheduleSpec(
            scheduled, dt.date.fromisoformat(start_day), None if end_day is None else dt.date.fromisoformat(end_day)
        )
        return {"device_id": _text(body, "DeviceID", f"{where}/sr:DeviceID"), "schedule": spec_}
    schedule_id = _text(body, "DSPScheduleID", where, optional=True)
    device_id = _text(body, "DeviceID", where, optional=True)
    return {"device_id": device_id or "", "schedule_id": None if schedule_id is None else int(schedule_id)}
