"""The model's input domain as the reference servers answer it: every
extreme date, period or advance the servers were probed with is a ``rejected``
answer naming the field and the requirement (never ``internal``, never a
hang), a refusal names the field and the rule but never quotes the value, and
a call that cannot have the server's one state soon is answered 503 while
``hello`` is answered at once.  Loopback only; socket timeouts are deadlines
against a hang, never measurements."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import socket
from typing import Any

import pytest
from mhhs_sec.conformance.http import ImplementationServer
from mhhs_sec.conformance.reference import ReferenceImplementation
from mhhs_sec.conformance.stdio import serve_stdio
from mhhs_sec.model import Profile
from mhhs_sec.model.world import DEVICES_A, MDR_IN, MPAN_B, SUPPLIER, SUPPLIER_2, standard_world
from mhhs_sec.vectors.jsonform import encode_state

DEADLINE_S = 60.0  # against a hang only
MARKER = "ECHO-MARKER-" * 40
NOW = int(dt.datetime(2025, 6, 17, 8, tzinfo=dt.UTC).timestamp())


def _initial(**options: Any) -> dict[str, Any]:
    return encode_state(standard_world(NOW, dt.date(2025, 6, 15), Profile().with_options(**options)))


def _read(start: str, end: str) -> dict[str, Any]:
    request = {"request_id": "X1", "user_id": MDR_IN, "role": "MDR", "srv": "4.8.1", "device_id": DEVICES_A.s1_esme,
               "for_settlement": True, "period": {"start": start, "end": end}}  # fmt: skip
    return {"event": "submit", "request": request}


def _suppliers(*chain: tuple[str, str, str | None]) -> dict[str, Any]:
    return {"event": "load_registration", "mpan": MPAN_B,
            "suppliers": [{"party": p, "efd": efd, "etd": etd} for p, efd, etd in chain],
            "mdras": [{"party": SUPPLIER_2, "efd": "2024-01-01", "etd": None}]}  # fmt: skip


def _with_schedule(start_day: str, next_run: str) -> dict[str, Any]:
    state = copy.deepcopy(_initial())
    state["schedules"] = [{"schedule_id": 1, "owner": MDR_IN, "role": "MDR", "device_id": DEVICES_A.s1_esme,
                           "srv": "4.8.1", "for_settlement": True, "start_day": start_day, "end_day": None,
                           "next_run": next_run}]  # fmt: skip
    return state


def _advance(to: str) -> dict[str, Any]:
    return {"event": "advance_clock", "to": to}


# (case id, initial state, event or None (the reset is refused), field, requirement)
CASES: list[tuple[str, dict[str, Any], dict[str, Any] | None, str, str]] = [
    ("period-from-year-1", _initial(), _read("0001-01-01T00:00:00Z", "2025-06-16T00:00:00Z"),
     "request.period.start", "INPUT"),
    ("period-of-50-years", _initial(), _read("2000-01-01T00:00:00Z", "2049-12-31T23:59:59Z"),
     "request.period.end", "INPUT"),
    # year 10000 in UTC: no instant the protocol can write, so refused where the event is read
    ("advance-to-9999-offset", _initial(), _advance("9999-12-31T23:59:59-01:00"), "event.to", "INPUT"),
    ("advance-100-years", _initial(), _advance("2125-06-17T08:00:00Z"), "to", "INPUT"),
    ("advance-to-9999", _initial(), _advance("9999-06-17T08:00:00Z"), "to", "INPUT"),
    ("etd-year-1-exclusive", _initial(etd="exclusive"),
     _suppliers((SUPPLIER, "0001-01-01", "0001-01-01"), (SUPPLIER_2, "0001-01-01", None)),
     "registration.suppliers[0].etd", "REG-12"),
    ("etd-9999-then-another", _initial(),
     _suppliers((SUPPLIER, "2024-01-01", "9999-12-31"), (SUPPLIER_2, "2025-01-01", None)),
     "registration.suppliers[1].efd", "REG-5"),
    ("schedule-next-run-year-1", _with_schedule("2024-01-01", "0001-01-01"), None,
     "initial_state.schedules[0].next_run", "INPUT"),
    ("schedule-from-1900", _with_schedule("1900-01-01", "1900-01-01"), None,
     "initial_state.schedules[0].start_day", "INPUT"),
    ("schedule-overdue-since-2000", _with_schedule("2000-01-01", "2000-01-01"), None,
     "initial_state.schedules[0].next_run", "SCH-1"),
]  # fmt: skip
IDS = [c[0] for c in CASES]


def _stdio(*messages: dict[str, Any]) -> list[dict[str, Any]]:
    lines = b"".join(json.dumps({"id": i, **m}).encode() + b"\n" for i, m in enumerate(messages))
    sink = io.BytesIO()
    serve_stdio(ReferenceImplementation(), io.BytesIO(lines), sink)
    return [json.loads(line) for line in sink.getvalue().splitlines()]


@pytest.mark.req("REG-5", "REG-12", "SCH-1")
@pytest.mark.parametrize(("state", "event", "field", "requirement"), [c[1:] for c in CASES], ids=IDS)
def test_stdio_server_refuses_outside_the_domain(
    state: dict[str, Any], event: dict[str, Any] | None, field: str, requirement: str
) -> None:
    messages = [{"method": "reset", "params": {"initial_state": state}}]
    if event is not None:
        messages.append({"method": "step", "params": {"event": event}})
    error = _stdio(*messages)[-1]["error"]
    assert (error["kind"], error["field"], error["requirement"]) == ("rejected", field, requirement)


def _call(server: ImplementationServer, verb: str, path: str, data: object = None) -> tuple[int, bytes]:
    body = b"" if data is None else json.dumps(data).encode()
    head = f"{verb} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    with socket.create_connection(server.server_address[:2], timeout=DEADLINE_S) as sock:
        sock.sendall(head.encode() + b"Connection: close\r\n\r\n" + body)
        reader = sock.makefile("rb")
        status = int(reader.readline().split()[1])
        while reader.readline() not in (b"\r\n", b""):
            pass
        return status, reader.read()


@pytest.mark.req("REG-5", "REG-12", "SCH-1")
@pytest.mark.parametrize(("state", "event", "field", "requirement"), [c[1:] for c in CASES], ids=IDS)
def test_http_server_refuses_outside_the_domain(
    server: ImplementationServer, state: dict[str, Any], event: dict[str, Any] | None, field: str, requirement: str
) -> None:
    status, body = _call(server, "POST", "/mhhs/v1/reset", {"initial_state": state})
    if event is not None:
        assert status == 200, body
        status, body = _call(server, "POST", "/mhhs/v1/event", {"event": event})
    error = json.loads(body)["error"]
    assert (status, error["kind"], error["field"], error["requirement"]) == (422, "rejected", field, requirement)


def _marked(event: dict[str, Any], *path: str | int) -> dict[str, Any]:
    """``event`` with the marker put at ``path`` (as a value, or as a key where
    the path ends in '')."""
    marked = copy.deepcopy(event)
    where: Any = marked
    for key in path[:-1]:
        where = where[key]
    if path[-1] == "":
        where[MARKER] = 1
    else:
        where[path[-1]] = MARKER
    return marked


_DEVICE = {"event": "load_device", "device_id": "00-DB-12-34-56-78-90-C1", "mpan": MPAN_B, "generation": "SMETS2",
           "kind": "ESME", "commissioned": "2024-01-01"}  # fmt: skip
_REGISTRATION = _suppliers((SUPPLIER_2, "2024-01-01", None))
_READ = _read("2025-06-16T00:00:00Z", "2025-06-16T23:59:59Z")


@pytest.mark.parametrize(
    "event",
    [
        {"event": "restrict_device", "device_id": MARKER},
        {"event": "set_user", "user_id": "U", "roles": [MARKER]},
        {"event": MARKER},
        _advance(MARKER),
        _marked(_DEVICE, "generation"),
        _marked(_DEVICE, "kind"),
        _marked(_DEVICE, "mpan"),
        _marked(_DEVICE, "commissioned"),
        _marked(_DEVICE, ""),
        _marked(_REGISTRATION, "mpan"),
        _marked(_REGISTRATION, "suppliers", 0, "etd"),
        _marked(_READ, "request", "srv"),
        _marked(_READ, "request", "role"),
        _marked(_READ, "request", "device_id"),
        _marked(_READ, "request", "for_settlement"),
        _marked(_READ, "request", "period", "start"),
        _marked(_READ, "request", "period", ""),
        _marked(_READ, "request", ""),
    ],
)
def test_refusals_name_the_field_and_the_rule_never_the_value(
    server: ImplementationServer, event: dict[str, Any]
) -> None:
    assert _call(server, "POST", "/mhhs/v1/reset", {"initial_state": _initial()})[0] == 200
    status, body = _call(server, "POST", "/mhhs/v1/event", {"event": event})
    error = json.loads(body)["error"]
    assert (status, error["kind"]) == (422, "rejected") and error["field"] and error["message"]
    assert b"ECHO-MARKER" not in body, body


def test_profile_refusal_never_quotes_the_value(server: ImplementationServer) -> None:
    for key, value in (("etd", MARKER), (MARKER, "x")):
        state = _initial()
        state["profile"][key] = value
        status, body = _call(server, "POST", "/mhhs/v1/reset", {"initial_state": state})
        assert status == 422 and b"ECHO-MARKER" not in body, body


def test_a_busy_server_answers_503_and_hello_at_once(server: ImplementationServer) -> None:
    """While another client's call holds the one state, a call is answered
    503 after a short wait (never held for as long as that call runs), and
    ``hello``, which reads no state, is answered."""
    assert server.lock.acquire(timeout=DEADLINE_S)
    try:
        status, body = _call(server, "POST", "/mhhs/v1/reset", {"initial_state": _initial()})
        assert status == 503 and json.loads(body)["error"]["kind"] == "protocol"
        assert _call(server, "GET", "/mhhs/v1/hello")[0] == 200
    finally:
        server.lock.release()
    assert _call(server, "POST", "/mhhs/v1/reset", {"initial_state": _initial()})[0] == 200
