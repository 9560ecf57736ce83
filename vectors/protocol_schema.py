"""JSON Schemas (draft 2020-12) of every adapter-protocol message, built from
the model's tables so that no list of SRVs, roles, options, observables or
event kinds is written twice.  ``mhhs-sec docs`` writes them to
``vectors/protocol/`` (shipped with the vectors); ``mhhs-sec docs --check``
and a test fail when the committed files differ from what this module builds.

One file per message family (``docs/adapter-protocol.md``):

- ``envelope.schema.json``: a request, an answer, an error;
- ``hello.schema.json``: the ``hello`` result (capabilities);
- ``reset.schema.json``: the ``reset`` params (the initial state);
- ``step.schema.json``: the ``step`` params (one event of each kind);
- ``outputs.schema.json``: the ``step`` result (the outputs).

Each file is self-contained (its own ``$defs``), so any validator can use it
without resolving references across files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final, get_args

from mhhs_sec.conformance.protocol import ANY_VALUE, EVENT_KINDS, PROTOCOL_VERSION
from mhhs_sec.conformance.wire import METHODS
from mhhs_sec.model import domain
from mhhs_sec.model.outputs import CODES
from mhhs_sec.model.profile import PROFILE_OPTIONS, Profile
from mhhs_sec.model.registration import MPAN_RE
from mhhs_sec.model.rules import ROLES
from mhhs_sec.model.tables import GENERATIONS, MODES, SRVS, DeviceKind
from mhhs_sec.model.validate import DEVICE_ID_RE

from .format import OBSERVABLES, VECTORS_DIR

PROTOCOL_DIR: Final = VECTORS_DIR / "protocol"
DRAFT: Final = "https://json-schema.org/draft/2020-12/schema"
Schema = dict[str, Any]

REQUIREMENT_PATTERN: Final = "^[A-Z][A-Z0-9]*-[0-9]+$"
# A reason class is a code the sources do not define (hello 'codes' maps them).
REASON_CLASSES: Final = tuple(code for code in CODES if code.startswith("MHHS-"))


def _years(first: int, last: int) -> str:
    """A regular expression of the four-digit years ``first``..``last``
    (whole decades: the domain's ends are)."""
    assert first % 10 == 0 and last % 10 == 9, (first, last)
    return "(" + "|".join(f"{decade // 10}[0-9]" for decade in range(first, last + 1, 10)) + ")"


_DOMAIN_YEARS: Final = _years(domain.FIRST_DAY.year, domain.LAST_DAY.year)
_DOMAIN_TEXT: Final = (
    f"Inside the model's input domain (docs/adapter-protocol.md, 'The model's input domain'): days from "
    f"{domain.FIRST_DAY} to {domain.LAST_DAY}, instants from {domain.FIRST_INSTANT_TEXT} to "
    f"{domain.LAST_INSTANT_TEXT}."
)


def _ref(name: str) -> Schema:
    return {"$ref": f"#/$defs/{name}"}


def _nullable(schema: Schema) -> Schema:
    return {"oneOf": [schema, {"type": "null"}]}


def _object(properties: dict[str, Schema], required: list[str] | None = None, **extra: Any) -> Schema:
    """A closed object: the codec refuses an unknown key, naming it."""
    keys = list(properties) if required is None else required
    return {"type": "object", "required": keys, "additionalProperties": False, "properties": properties, **extra}


def _described(schema: Schema, description: str) -> Schema:
    return {"description": description, **schema}


# ---- shared pieces ------------------------------------------------------------


def _common() -> dict[str, Schema]:
    return {
        "instant": {
            "type": "string",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
            "description": "An instant of the virtual clock: ISO 8601 UTC to the second with a 'Z' suffix "
            "(2025-06-09T23:00:00Z). The runner sends this form; answer in it (docs/timing.md).",
        },
        "input_instant": {
            "type": "string",
            "pattern": f"^({_DOMAIN_YEARS}-[0-9]{{2}}-[0-9]{{2}}T[0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}|"
            f"{domain.LAST_INSTANT_TEXT.removesuffix('Z')})Z$",
            "description": f"An instant the runner sends (an 'instant'). {_DOMAIN_TEXT}",
        },
        "day": {
            "type": "string",
            "pattern": f"^{_DOMAIN_YEARS}-[0-9]{{2}}-[0-9]{{2}}$",
            "description": "A settlement day, ISO 8601 date (REG-3, REG-8: it starts at local 00:00 of the "
            f"settlement time zone of the profile). {_DOMAIN_TEXT}",
        },
        "eui64": {
            "type": "string",
            "pattern": DEVICE_ID_RE.pattern,
            "description": "A device ID: an EUI-64 as eight upper-case hex octets joined by '-' "
            "(00-DB-12-34-56-78-90-A1).",
        },
        "mpan": {"type": "string", "pattern": MPAN_RE.pattern, "description": "An MPAN: 13 digits (REG-2)."},
        "user_id": {
            "type": "string",
            "minLength": 1,
            "description": "A DCC User id (REG-1). The vectors use EUI-64 text (90-B3-D5-1F-30-02-00-00); "
            "any non-empty string is accepted.",
        },
        "role": {"enum": list(ROLES), "description": "A user role (REG-1; MDR is the role MHHS adds)."},
        "srv": {
            "enum": list(SRVS),
            "description": "A Service Request Variant the model knows (AC-1; names in docs/rules.md).",
        },
        "generation": {"enum": list(GENERATIONS), "description": "The device generation."},
        "device_kind": {
            "enum": list(get_args(DeviceKind)),
            "description": "ESME electricity meter, GSME gas meter (AC-7).",
        },
        "requirement": {"type": "string", "pattern": REQUIREMENT_PATTERN, "description": "A catalogue ID."},
        "requirements": {"type": "array", "items": _ref("requirement")},
        "device": _object(
            {
                "device_id": _ref("eui64"),
                "mpan": _described(_ref("mpan"), "The MPAN the device serves; it must have a registration."),
                "generation": _ref("generation"),
                "kind": _ref("device_kind"),
                "commissioned": _described(_ref("day"), "The day the device was commissioned."),
            },
            description="A device of the Smart Metering Inventory.",
        ),
    }


def _document(name: str, title: str, description: str, root: Schema, defs: dict[str, Schema]) -> Schema:
    """A self-contained schema holding the definitions ``root`` reaches."""
    available = {**_common(), **defs}
    used: dict[str, Schema] = {}
    todo = [root]
    while todo:
        for ref in _refs(todo.pop()):
            if ref not in used:
                used[ref] = available[ref]
                todo.append(available[ref])
    ordered = {key: used[key] for key in available if key in used}
    document = {"$schema": DRAFT, "$id": f"urn:mhhs-sec:1:protocol:{name}", "title": title, "description": description}
    return {**document, **root, **({"$defs": ordered} if ordered else {})}


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"].removeprefix("#/$defs/")] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


# ---- envelope -------------------------------------------------------------------


def envelope_schema() -> Schema:
    error = {
        "type": "object",
        "required": ["kind", "message"],
        "properties": {
            "kind": {
                "enum": ["rejected", "protocol", "internal"],
                "description": "rejected: the event, or the initial state of a reset, is invalid input and the "
                "state is kept (REG-5, a clock moved backwards, a malformed field, device data logging a timestamp "
                "twice); protocol: the request itself was malformed; internal: the implementation failed.",
            },
            "field": {
                "type": "string",
                "minLength": 1,
                "description": "rejected: the path of the bad field (docs/adapter-protocol.md lists them; "
                "not compared).",
            },
            "requirement": {
                "type": "string",
                "pattern": "^([A-Z][A-Z0-9]*-[0-9]+|INPUT)$",
                "description": "rejected: the catalogue ID the input breaks, or INPUT for a plain format error.",
            },
            "message": {"type": "string"},
        },
        "additionalProperties": False,
        "if": {"properties": {"kind": {"const": "rejected"}}},
        "then": {"required": ["field", "requirement"]},
    }
    request = _object(
        {
            "id": {"type": "integer", "description": "Chosen by the runner; the answer carries the same id."},
            "method": {"enum": list(METHODS)},
            "params": {
                "type": "object",
                "description": "hello, shutdown: {}; reset: reset.schema.json; step: step.schema.json.",
            },
        },
        ["id", "method"],
        **{"if": {"properties": {"method": {"enum": ["reset", "step"]}}}, "then": {"required": ["params"]}},
    )
    answer = {
        "type": "object",
        "required": ["id"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": ["integer", "null"], "description": "The request's id (null: the request had none)."},
            "result": {
                "description": "hello: hello.schema.json; reset, shutdown: {}; step: outputs.schema.json.",
            },
            "error": _ref("error"),
        },
        "if": {"required": ["error"]},
        "then": {"not": {"required": ["result"]}},
        "else": {"required": ["result"]},
    }
    root: Schema = {"if": {"required": ["method"]}, "then": _ref("request"), "else": _ref("answer")}
    return _document(
        "envelope",
        "Adapter protocol: request and answer envelopes",
        "One JSON object per line on stdio (docs/adapter-protocol.md, mhhs-sec-adapter/1): a request from the "
        "runner, or the implementation's answer to it.",
        root,
        {"request": request, "answer": answer, "error": error},
    )


# ---- hello ----------------------------------------------------------------------


def _option_value(option: str) -> Schema:
    """The JSON type of one profile option's values (read from its default)."""
    requirement, values = PROFILE_OPTIONS[option]
    default = getattr(Profile(), option)
    if isinstance(default, bool):
        schema: Schema = {"type": "boolean"}
    elif isinstance(default, int):
        schema = {"type": "integer", "minimum": 0}
    else:
        schema = {"enum": list(values)}
    return {**schema, "description": f"{requirement}: catalogue default {json.dumps(default)}."}


def hello_schema() -> Schema:
    profiles = {
        option: {"type": "array", "minItems": 1, "items": {"anyOf": [_option_value(option), {"const": ANY_VALUE}]}}
        for option in PROFILE_OPTIONS
    }
    observables = {
        "type": "array",
        "items": {"enum": list(OBSERVABLES)},
        "description": "The observables the implementation can expose (docs/vector-format.md); a vector needing "
        "another is skipped, visibly.",
    }
    root = _object(
        {
            "protocol": {"const": PROTOCOL_VERSION},
            "implementation": {"type": "string", "description": "A name and version for the reports."},
            "observables": observables,
            "profiles": {
                "type": "object",
                "additionalProperties": False,
                "properties": profiles,
                "description": "Per interpretation option (catalogue 'interp' rows), the values implemented; "
                f"'{ANY_VALUE}' = any value. An option left out: the catalogue default only.",
            },
            "events": {
                "type": "array",
                "items": {"enum": list(EVENT_KINDS)},
                "description": "The event kinds accepted (absent: all).",
            },
            "codes": {
                "type": "object",
                "propertyNames": {"enum": list(REASON_CLASSES)},
                "additionalProperties": {"type": "string", "minLength": 1},
                "description": "Optional: for each reason class of the suite (MHHS-*: codes the sources do not "
                "define, docs/codes.md) the implementation's own response code; the runner maps it back "
                "before comparing. DUIS 5.4 codes are compared as they are.",
            },
        },
        ["protocol", "implementation", "observables"],
    )
    return _document(
        "hello",
        "Adapter protocol: the hello result",
        "What an implementation declares it supports (docs/adapter-protocol.md, section 2).",
        root,
        {},
    )


# ---- reset: the initial state ------------------------------------------------------


def _appointment() -> Schema:
    return _object(
        {
            "party": {"type": "string", "minLength": 1, "description": "The appointed party's user id (REG-2)."},
            "efd": _described(_ref("day"), "Effective From Date: the first day of the appointment (REG-3)."),
            "etd": _described(
                _nullable(_ref("day")),
                "Effective To Date, null = open (REG-2). Under the default REG-12 profile the last day of the "
                "appointment; under 'exclusive' the next appointment's EFD.",
            ),
        }
    )


def _registration_properties() -> dict[str, Schema]:
    chain = (
        "in EFD order, covering every day from the first EFD without gap or overlap, the last one open "
        "(etd null) (REG-5; otherwise refused)"
    )
    return {
        "mpan": _ref("mpan"),
        "suppliers": {
            "type": "array",
            "minItems": 1,
            "items": _ref("appointment"),
            "description": f"Supplier appointments, {chain}.",
        },
        "mdras": {
            "type": "array",
            "minItems": 1,
            "items": _ref("appointment"),
            "description": f"MDRA appointments, {chain}.",
        },
    }


def _window(name: str, requirement: str) -> Schema:
    return {
        "type": "array",
        "prefixItems": [{"type": "integer", "minimum": 0}, {"type": "integer", "maximum": 86400}],
        "items": False,
        "minItems": 2,
        "description": f"{requirement}: the {name} as [open_s, close_s], seconds after local 00:00 of the settlement "
        "day, open <= time < close (0 <= open_s < close_s <= 86400).",
    }


def _config() -> Schema:
    return _object(
        {
            "dsp_window": _window("existing DSP scheduling window (default [0, 21600])", "SCH-4"),
            "mdr_window": _window("MDR window (default [25200, 72000])", "SCH-4"),
            "retry_interval_s": {
                "type": "integer",
                "minimum": 1,
                "description": "SCH-5: seconds between retries of an unreachable MHHS read (default 3600).",
            },
        },
        description="What the SEC leaves to each service provider's configuration. Absent: the defaults.",
    )


def _schedule() -> Schema:
    schedulable = [srv for srv, spec in SRVS.items() if spec.schedulable]
    return _object(
        {
            "schedule_id": {"type": "integer", "minimum": 1},
            "owner": _described(_ref("user_id"), "SCH-1, SCH-2: the user that created it."),
            "role": _described(_ref("role"), "The role it was created in (MDR: runs in the MDR window, SCH-4)."),
            "device_id": _described(_ref("eui64"), "The target device; it must be in 'devices' (SCH-1)."),
            "srv": {"enum": schedulable, "description": "AC-2, SCH-7: an SRV that may be DCC Scheduled."},
            "for_settlement": {"type": "boolean", "description": "FS-1: the flag each run carries."},
            "start_day": _described(_ref("day"), "The first run day."),
            "end_day": _described(_nullable(_ref("day")), "The last run day (null: open)."),
            "next_run": _described(
                _ref("day"),
                "The settlement day of its next run (docs/timing.md), at most "
                f"{domain.MAX_OVERDUE_DAYS} days before the settlement day of the clock.",
            ),
        },
        description="An existing DSP Schedule (SCH-1).",
    )


def _device_data_run() -> Schema:
    return _object(
        {
            "device_id": _ref("eui64"),
            "srv": _ref("srv"),
            "start": _described(
                _ref("input_instant"), "The timestamp of values[0]; the last one is inside the domain."
            ),
            "interval_s": {
                "type": "integer",
                "minimum": 1,
                "description": "values[i] is logged at start + i * interval_s (86400 daily logs, 1800 profile data).",
            },
            "values": {"type": "array", "minItems": 1, "items": {"type": "integer"}},
        },
        description="A run of log entries the device logs for one SRV: held once its timestamp is at or before "
        "now (docs/vector-format.md, 'Device data').",
    )


def initial_state_schema() -> Schema:
    profile = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            option: {**_option_value(option), "default": getattr(Profile(), option)} for option in PROFILE_OPTIONS
        },
        "description": "The interpretation options of the run (catalogue 'interp' rows); the runner sends every "
        "option; an absent one is the catalogue default.",
    }
    user = _object(
        {
            "user_id": _ref("user_id"),
            "roles": {
                "type": "array",
                "minItems": 1,
                "uniqueItems": True,
                "items": _ref("role"),
                "description": "REG-1, REG-7.",
            },
        }
    )
    state = _object(
        {
            "clock": _described(_ref("input_instant"), "The virtual now the run starts at (docs/timing.md)."),
            "profile": profile,
            "config": _ref("config"),
            "users": {"type": "array", "items": _ref("user")},
            "registrations": {"type": "array", "items": _ref("registration"), "description": "Per MPAN (REG-2)."},
            "devices": {"type": "array", "items": _ref("device"), "description": "The Smart Metering Inventory."},
            "schedules": {"type": "array", "items": _ref("schedule")},
            "device_data": {
                "type": "array",
                "items": _ref("device_data_run"),
                "description": "What each device logs, sorted by (device_id, srv, start); absent or empty: the devices "
                "log nothing (docs/vector-format.md, 'Device data').",
            },
        },
        ["clock", "profile", "users", "registrations", "devices"],
    )
    root = _object({"initial_state": _ref("initial_state")})
    return _document(
        "reset",
        "Adapter protocol: the reset params",
        "The vector's initial state: forget everything, then start from it (docs/adapter-protocol.md).",
        root,
        {
            "initial_state": state,
            "config": _config(),
            "user": user,
            "appointment": _appointment(),
            "registration": _object(_registration_properties()),
            "schedule": _schedule(),
            "device_data_run": _device_data_run(),
        },
    )


# ---- step: the events ---------------------------------------------------------------


def _srv_is(srvs: list[str]) -> Schema:
    return {"properties": {"srv": {"enum": srvs}}, "required": ["srv"]}


def _request() -> Schema:
    with_period = [srv for srv, spec in SRVS.items() if spec.read_log_period]
    dsp_only = [srv for srv, spec in SRVS.items() if not spec.device_request]
    by_schedule = ["5.2", "5.3"]
    properties = {
        "request_id": {"type": "string", "minLength": 1, "description": "Answered with as it is."},
        "user_id": _described(_ref("user_id"), "The sender (REG-1; unknown: E1)."),
        "role": _described(_ref("role"), "The role it sends in (REG-1, REG-7: one it holds, else E1)."),
        "srv": _ref("srv"),
        "device_id": {
            "anyOf": [_ref("eui64"), {"const": ""}],
            "description": "The target device (unknown: E19). Empty only on a 5.2 / 5.3 naming a schedule_id.",
        },
        "for_settlement": {
            "type": ["boolean", "null"],
            "description": "FS-1: the ForSettlement flag; null = absent (FS-2, FS-4, AC-5).",
        },
        "period": _object(
            {"start": _ref("input_instant"), "end": _ref("input_instant")},
            description="The DUIS ReadLogPeriod, both ends included, end >= start, end - start at most "
            f"{domain.MAX_PERIOD_DAYS} days; required for "
            f"{', '.join(with_period)} and absent otherwise (AC-3: the settlement days it touches are the "
            "targeted days).",
        ),
        "execute_at": _described(
            _ref("input_instant"),
            "Future-dated execution (a device read only, not in the past): acknowledged I99 and executed then "
            "(docs/timing.md).",
        ),
        "schedule": _object(
            {
                "srv": _described(_ref("srv"), "The SRV to run daily (AC-2, SCH-7: not schedulable: MHHS-E3)."),
                "start_day": _described(_ref("day"), "The first run day, not before today."),
                "end_day": _described(_nullable(_ref("day")), "The last run day (null: open), not before start_day."),
            },
            description="5.1 only (required there): the DSP Schedule to create (SCH-1). Each run reads the "
            "previous settlement day.",
        ),
        "schedule_id": {
            "type": "integer",
            "description": "5.2 / 5.3: the schedule (SCH-2: none of the sender's: MHHS-E8); absent: every own "
            "schedule of device_id (none: I0 with no ids). 5.2 / 5.3 address no device (no E19).",
        },
    }
    others = [srv for srv in SRVS if srv not in with_period]
    rules = [
        {"if": _srv_is(with_period), "then": {"required": ["period"]}},
        {"if": _srv_is(others), "then": {"not": {"required": ["period"]}}},
        {"if": _srv_is(dsp_only), "then": {"not": {"required": ["execute_at"]}}},
        {"if": _srv_is(["5.1"]), "then": {"required": ["schedule"]}},
        {"if": _srv_is([srv for srv in SRVS if srv != "5.1"]), "then": {"not": {"required": ["schedule"]}}},
        {
            "if": {**_srv_is(by_schedule), "required": ["srv", "schedule_id"]},
            "else": {"properties": {"device_id": _ref("eui64")}},
        },
    ]
    return _object(
        properties,
        ["request_id", "user_id", "role", "srv", "device_id", "for_settlement"],
        allOf=rules,
        description="A service request as the DCC receives it (DUIS 5.4 plus the MHHS additions).",
    )


def _events() -> dict[str, Schema]:
    registration = _registration_properties()
    return {
        "set_user": {
            "user_id": _ref("user_id"),
            "roles": {
                "type": "array",
                "minItems": 1,
                "uniqueItems": True,
                "items": _ref("role"),
                "description": "REG-1, REG-7: replaces the user's roles.",
            },
        },
        "load_registration": registration,
        "load_device": _common()["device"]["properties"],
        "submit": {"request": _ref("request")},
        "advance_clock": {
            "to": _described(
                _ref("input_instant"),
                f"The new now, not before the current one and at most {domain.MAX_ADVANCE_DAYS} days after it, "
                f"making at most {domain.MAX_RUN_DAYS_PER_ADVANCE:,} schedule run days (docs/timing.md).",
            )
        },
        "restrict_device": {
            "device_id": _described(
                _ref("eui64"), "C-8: the ESME deletes the 4.8.1 entries it logged before now (docs/timing.md)."
            )
        },
        "set_device_comms": {
            "device_id": _ref("eui64"),
            "online": {"type": "boolean", "description": "SCH-5: false: unreachable."},
        },
        "read_audit_trail": {"user_id": _described(_ref("user_id"), "AUD-2: answer one audit_extract.")},
    }


def event_schema() -> Schema:
    events = _events()
    assert tuple(events) == EVENT_KINDS, "one schema per event kind"
    rules = [
        {
            "if": {"properties": {"event": {"const": kind}}, "required": ["event"]},
            "then": _object({"event": {"const": kind}, **properties}),
        }
        for kind, properties in events.items()
    ]
    event = {
        "type": "object",
        "required": ["event"],
        "properties": {"event": {"enum": list(EVENT_KINDS), "description": "The kind of event."}},
        "allOf": rules,
    }
    root = _object({"event": _ref("event")})
    return _document(
        "step",
        "Adapter protocol: the step params",
        "One event of the vector (docs/adapter-protocol.md, 'step').",
        root,
        {"event": event, "request": _request(), "appointment": _appointment()},
    )


# ---- step result: the outputs ---------------------------------------------------------


def _code(description: str) -> Schema:
    return {
        "type": "string",
        "minLength": 1,
        "description": f"{description} The suite's codes are listed in docs/codes.md; an implementation may answer "
        "a reason class (MHHS-*) with its own code declared in hello 'codes'.",
    }


def _response() -> Schema:
    entry = _object({"timestamp": _ref("instant"), "value": {"type": "integer", "description": "Wh."}})
    return _object(
        {
            "type": {"const": "response"},
            "request_id": {
                "type": "string",
                "minLength": 1,
                "description": "The request's id; a DSP Schedule run's is S<schedule_id>-<run day> (SCH-1).",
            },
            "user_id": _ref("user_id"),
            "role": _ref("role"),
            "srv": _ref("srv"),
            "device_id": {"anyOf": [_ref("eui64"), {"const": ""}], "description": "As in the request."},
            "code": _code("I0 success, else the rejection."),
            "requirements": _described(_ref("requirements"), "Explanation (never compared)."),
            "reason": {"type": "string", "description": "Explanation (never compared)."},
            "submitted_at": _described(_ref("instant"), "When the request was submitted (a run: when it ran)."),
            "responded_at": _described(_ref("instant"), "When it was answered (TRT-4)."),
            "mode": {"enum": list(MODES), "description": "scheduled: a DSP Schedule run; else on-demand (TRT-1)."},
            "for_settlement": {
                "type": "boolean",
                "description": "An answer: the effective ForSettlement flag (FS-1, FS-5). A rejection: the flag "
                "the request carried (absent: false).",
            },
            "trt_s": {
                "type": ["integer", "null"],
                "minimum": 0,
                "description": "TRT-1..TRT-3: the Table 3 cell of the SRV, generation, mode and purpose "
                "(docs/rules.md); null on a rejection, and for an SRV with no Table 3 row (4.8.2, TRT-2).",
            },
            "entries": {
                "type": "array",
                "items": entry,
                "description": "The log entries returned, in time order, from the cache or the device (C-4, C-8, C-9, "
                "docs/timing.md); none unless I0.",
            },
            "device_read": {
                "type": "boolean",
                "description": "C-9: whether answering interacted with the device: false when fully answered "
                "from the cache, on a rejection and for 5.x and 8.2.",
            },
            "schedule_ids": {
                "type": "array",
                "items": {"type": "integer"},
                "description": "5.1: the new schedule; 5.2 / 5.3: the sender's schedules read or deleted, in id order "
                "(SCH-2).",
            },
            "inventory": _described(_nullable(_ref("device")), "8.2: the device record; else null."),
            "interp": {
                "type": "array",
                "items": {"type": "string", "pattern": "^[A-Z][A-Z0-9]*-[0-9]+:[a-z_0-9]+=.+$"},
                "description": "Explanation (never compared): 'ID:option=value' for each option the outcome "
                "depended on.",
            },
        }
    )


def _outputs() -> dict[str, Schema]:
    acknowledgement = _object(
        {
            "type": {"const": "acknowledgement"},
            "request_id": {"type": "string", "minLength": 1},
            "user_id": _ref("user_id"),
            "code": {"const": "I99", "description": "DUIS: acknowledged, executed later."},
            "at": _described(_ref("instant"), "When it was acknowledged (the submission)."),
            "execute_at": _described(_ref("instant"), "When it will execute (SCH-4 window opening, or execute_at)."),
        },
        description="A request accepted for later execution (docs/timing.md).",
    )
    alert = _object(
        {
            "type": {"const": "alert"},
            "code": _code("MHHS-A1: a DSP Schedule deleted at the incoming MDRA's EFD (SCH-3)."),
            "recipient": _ref("user_id"),
            "at": _ref("instant"),
            "device_id": _ref("eui64"),
            "schedule_id": {"type": "integer"},
            "requirements": _described(_ref("requirements"), "Explanation (never compared)."),
        },
        description="An alert to a user (SCH-3).",
    )
    record = _object(
        {
            "at": _ref("instant"),
            "user_id": _ref("user_id"),
            "kind": {"enum": ["request", "response", "alert"]},
            "reference": {
                "type": "string",
                "description": "A request or response record: the request id. An alert record: the id of the "
                'DSP Schedule the alert names, as decimal text (schedule 7: "7").',
            },
            "code": {
                "type": "string",
                "description": "A response or alert record: its code. A request record: the empty string "
                "(a request has no code; AUD-3), except a held or future-dated request, recorded with its "
                "acknowledgement's code I99.",
            },
        }
    )
    extract = _object(
        {
            "type": {"const": "audit_extract"},
            "user_id": _ref("user_id"),
            "records": {"type": "array", "items": record, "description": "AUD-1, AUD-2: the user's own records."},
        },
        description="The answer to read_audit_trail (AUD-2).",
    )
    return {"acknowledgement": acknowledgement, "response": _response(), "alert": alert, "audit_extract": extract}


def outputs_schema() -> Schema:
    kinds = _outputs()
    output = {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"enum": list(kinds)}},
        "allOf": [
            {"if": {"properties": {"type": {"const": kind}}, "required": ["type"]}, "then": _ref(kind)}
            for kind in kinds
        ],
    }
    root = _object({"outputs": {"type": "array", "items": _ref("output"), "description": "In the order produced."}})
    return _document(
        "outputs",
        "Adapter protocol: the step result",
        "Every output one event caused (docs/adapter-protocol.md, 'step').",
        root,
        {"output": output, **kinds},
    )


# ---- files ------------------------------------------------------------------------------


def protocol_schemas() -> dict[str, Schema]:
    """File name -> schema, every protocol message family."""
    return {
        "envelope.schema.json": envelope_schema(),
        "hello.schema.json": hello_schema(),
        "reset.schema.json": initial_state_schema(),
        "step.schema.json": event_schema(),
        "outputs.schema.json": outputs_schema(),
    }


def render(schema: Schema) -> str:
    """The canonical text of a schema file."""
    return json.dumps(schema, indent=1, ensure_ascii=False) + "\n"


def part(schema: Schema, name: str) -> Schema:
    """A schema validating one of ``schema``'s definitions on its own."""
    return {"$schema": DRAFT, "$ref": f"#/$defs/{name}", "$defs": schema["$defs"]}


def stale_files(folder: Path = PROTOCOL_DIR) -> list[str]:
    """The protocol schema files that are missing, different or extra."""
    expected = {name: render(schema) for name, schema in protocol_schemas().items()}
    found = {path.name for path in folder.glob("*.json")}
    stale = [
        name
        for name, text in expected.items()
        if not (folder / name).is_file() or (folder / name).read_text(encoding="utf-8") != text
    ]
    return sorted(stale + sorted(found - set(expected)))
