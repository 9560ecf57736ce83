"""Malformed input: one vector per way an event can break the protocol's
event schema or the input checks that a model event cannot express (a field
of the wrong type, an unknown key, an event that is no object, a role or SRV
outside the schema's lists, a request without a part its SRV needs or with one
it may not carry).  Each such event is refused (docs/adapter-protocol.md,
"Refusing an event": the vector compares the requirement, INPUT or the rule
of the field) and the state is kept, which the MDRA's valid read that follows
shows.  The refused event is written as given (:class:`.build.Malformed`);
its requirement is the reference model's reading of it.

Each input is one a mutant of the model's input reading answers otherwise
(``mhhs-sec mutants``: a crash, acceptance, or another requirement)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from mhhs_sec.model import ServiceRequest, State, SubmitRequest
from mhhs_sec.model.clock import format_instant
from mhhs_sec.model.codec import encode_device
from mhhs_sec.model.registration import ONE_DAY
from mhhs_sec.model.world import MPAN_A, SUPPLIER
from mhhs_sec.vectors.jsonform import encode_registration, encode_request

from . import situations as sit
from .build import Case, Malformed

Json = dict[str, Any]
Bad = Callable[[State], Any]


def _read(state: State, counter: int = 1) -> ServiceRequest:
    """The MDRA's 4.8.1 of yesterday's first hours (read as before after a refusal)."""
    device_id = sit.esme_or("SMETS2", "ESME")
    mdra = sit.sender(state, "MDR", device_id, state.today - ONE_DAY)
    return sit.request(state, mdra, "MDR", "4.8.1", device_id, "true", counter)


def _submit(state: State, **changes: Any) -> Json:
    """The read's submit event, with ``changes`` made to its request object."""
    return {"event": "submit", "request": encode_request(_read(state)) | changes}


def _srv(state: State, srv: str, **changes: Any) -> Json:
    """An MDRA's request of ``srv`` to the read's device (a 5.1 schedules 4.8.1 from tomorrow)."""
    device_id = sit.esme_or("SMETS2", "ESME")
    mdra = sit.sender(state, "MDR", device_id, state.today - ONE_DAY)
    request = sit.request(state, mdra, "MDR", srv, device_id, "true", 9, schedule_srv="4.8.1")
    return {"event": "submit", "request": encode_request(request) | changes}


def _period(state: State, **changes: Any) -> Json:
    request = encode_request(_read(state))
    return _submit(state, period=request["period"] | changes)


def _schedule(state: State, **changes: Any) -> Json:
    request = _srv(state, "5.1")
    return _srv(state, "5.1", schedule=request["request"]["schedule"] | changes)


def _device(state: State, **changes: Any) -> Json:
    device = state.devices[sit.esme_or("SMETS2", "ESME")]
    return {"event": "load_device", **encode_device(device), **changes}


def _registration(state: State, **changes: Any) -> Json:
    """MPAN_A's registration, its first MDRA appointment changed."""
    data = encode_registration(state.registrations[MPAN_A])
    return data | {"mdras": [data["mdras"][0] | changes, *data["mdras"][1:]]}


def _by_schedule_id(state: State) -> Json:
    """A 5.3 by schedule id that names a device id that is no EUI-64."""
    request = sit.request(state, SUPPLIER, "IS", "5.3", "", "false", 9, schedule_id=1)
    return {"event": "submit", "request": encode_request(replace(request, device_id="ESME-1"))}


# (slug, the catalogue row of the malformed part, what is malformed, the event as JSON)
MALFORMED: tuple[tuple[str, str, str, Bad], ...] = (
    ("event-not-object", "AC-3", "an event that is a number, not an object", lambda s: 7),
    ("event-no-kind", "AC-3", "an event without its kind", lambda s: {"device_id": sit.esme_or("SMETS2", "ESME")}),
    ("event-kind-not-text", "AC-3", "an event whose kind is an object",
     lambda s: {**_submit(s), "event": {"kind": "submit"}}),
    ("event-kind-unknown", "AC-3", "an event of an unknown kind", lambda s: {**_submit(s), "event": "submit_request"}),
    ("submit-no-request", "AC-3", "a submit without its request", lambda s: {"event": "submit"}),
    ("request-empty", "AC-3", "a submit whose request is empty", lambda s: {"event": "submit", "request": {}}),
    ("request-id-number", "AUD-1", "a request id that is a number", lambda s: _submit(s, request_id=7)),
    ("request-id-empty", "AUD-1", "an empty request id", lambda s: _submit(s, request_id="")),
    ("request-unknown-field", "AC-3", "a request with a field the protocol lacks",
     lambda s: _submit(s, priority="high")),
    ("request-flag-text", "FS-1", "a ForSettlement flag that is text", lambda s: _submit(s, for_settlement="yes")),
    ("request-role-false", "REG-1", "a role that is false, not a role name", lambda s: _submit(s, role=False)),
    ("request-role-unknown", "REG-1", "a role not in the schema's list", lambda s: _submit(s, role="MDRA")),
    ("request-srv-unknown", "AC-1", "an SRV not in the schema's list", lambda s: _submit(s, srv="4.99")),
    ("period-missing", "AC-3", "a log read without a ReadLogPeriod", lambda s: _submit(s, period=None)),
    ("period-on-inventory", "AC-3", "an 8.2 with a ReadLogPeriod",
     lambda s: _srv(s, "8.2", period=_submit(s)["request"]["period"])),
    ("period-start-no-date", "AC-3", "a ReadLogPeriod starting on 30 February",
     lambda s: _period(s, start="2025-02-30T00:00:00Z")),
    ("period-end-number", "AC-3", "a ReadLogPeriod ending at a number, not an instant",
     lambda s: _period(s, end=1749513600)),
    ("period-unknown-field", "AC-3", "a ReadLogPeriod with a field the protocol lacks",
     lambda s: _period(s, resolution="PT30M")),
    ("execute-at-no-instant", "AC-3", "a read future-dated to a text that is no instant",
     lambda s: _submit(s, execute_at="tomorrow")),
    ("execute-at-on-schedule", "SCH-1", "a 5.1 future-dated an hour ahead with execute_at",
     lambda s: _srv(s, "5.1", execute_at=format_instant(s.now + sit.HOUR))),
    ("schedule-missing", "SCH-1", "a 5.1 without its schedule body", lambda s: _srv(s, "5.1", schedule=None)),
    ("schedule-on-read", "SCH-1", "a log read with a schedule body",
     lambda s: _submit(s, schedule=_srv(s, "5.1")["request"]["schedule"])),
    ("schedule-request-unknown-field", "SCH-1", "a 5.1 with a field the protocol lacks",
     lambda s: _srv(s, "5.1", priority="high")),
    ("schedule-not-object", "SCH-1", "a 5.1 whose schedule body is text", lambda s: _srv(s, "5.1", schedule="daily")),
    ("schedule-start-no-date", "SCH-1", "a schedule body starting on 30 February",
     lambda s: _schedule(s, start_day="2025-02-30")),
    ("schedule-end-number", "SCH-1", "a schedule body whose end day is a number",
     lambda s: _schedule(s, end_day=20250630)),
    ("schedule-srv-false", "SCH-1", "a schedule body whose SRV is false", lambda s: _schedule(s, srv=False)),
    ("schedule-srv-unknown", "SCH-1", "a schedule body of an SRV not in the schema's list",
     lambda s: _schedule(s, srv="4.99")),
    ("schedule-device-by-id", "SCH-1", "a 5.3 by schedule id naming a device id that is no EUI-64",
     _by_schedule_id),
    ("device-generation", "AC-6", "a device of a generation other than SMETS1 and SMETS2",
     lambda s: _device(s, generation="SMETS3")),
    ("device-kind", "AC-7", "a device of a kind other than ESME and GSME", lambda s: _device(s, kind="HCALCS")),
    ("device-commissioned", "AC-6", "a device commissioned on 30 February",
     lambda s: _device(s, commissioned="2025-02-30")),
    ("user-role-array", "REG-1", "a user whose role is an array, not a role name",
     lambda s: {"event": "set_user", "user_id": sit.UNKNOWN_USER, "roles": [["MDR"]]}),
    ("registration-party-number", "REG-2", "an appointment whose party is a number",
     lambda s: {"event": "load_registration", **_registration(s, party=1)}),
)  # fmt: skip


def _case(slug: str, requirement: str, what: str, bad: Bad) -> Case:
    state = sit.base()
    events = (Malformed(bad(state)), SubmitRequest(_read(state, 2)))
    return Case(
        f"malformed.{slug}",
        f"{what}: refused, and the state kept: the MDRA's read that follows is answered as before",
        (requirement,), state, events, ("response-code", "entries", "refusal"), ("refusal", "malformed"),
        step_comments=(f"refused: {what}", "the state as it was"),
    )  # fmt: skip


def cases() -> list[Case]:
    return [_case(*malformed) for malformed in MALFORMED]
