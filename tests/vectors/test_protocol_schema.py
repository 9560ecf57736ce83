"""The protocol JSON Schemas (vectors/protocol/): current, valid, satisfied by
every committed vector and by the reference's real answers over stdio, and
refusing wrong messages with the bad field named."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import jsonschema
import pytest
from jsonschema.exceptions import best_match
from mhhs_sec.vectors.format import JSON_DIR
from mhhs_sec.vectors.protocol_schema import PROTOCOL_DIR, part, protocol_schemas, stale_files

Json = dict[str, Any]
REQUEST = {
    "request_id": "r1",
    "user_id": "90-B3-D5-1F-30-02-00-00",
    "role": "MDR",
    "srv": "4.8.1",
    "device_id": "00-DB-12-34-56-78-90-A1",
    "for_settlement": True,
    "period": {"start": "2025-06-09T23:00:00Z", "end": "2025-06-09T23:30:00Z"},
}

APPOINTMENT = {"party": "90-B3-D5-1F-30-01-00-00", "efd": "2024-01-01", "etd": None}


def _committed(name: str) -> Json:
    schema: Json = json.loads((PROTOCOL_DIR / name).read_text(encoding="utf-8"))
    return schema


def _validator(name: str, definition: str | None = None) -> jsonschema.Draft202012Validator:
    schema = _committed(name)
    return jsonschema.Draft202012Validator(schema if definition is None else part(schema, definition))


def _vector_files() -> list[str]:
    return sorted(p.name for p in JSON_DIR.glob("*.json"))


def test_committed_schemas_are_current_and_valid() -> None:
    assert stale_files() == [], "run `mhhs-sec docs` and commit vectors/protocol/"
    for name in protocol_schemas():
        jsonschema.Draft202012Validator.check_schema(_committed(name))


@pytest.mark.parametrize("file_name", _vector_files())
def test_every_committed_vector_validates(file_name: str) -> None:
    state = _validator("reset.schema.json", "initial_state")
    event = _validator("step.schema.json", "event")
    output = _validator("outputs.schema.json", "output")
    document = json.loads((JSON_DIR / file_name).read_text(encoding="utf-8"))
    problems = []
    for vector in document["vectors"]:
        # an initial state the vector expects refused may break the schema: that is what is refused
        found = [] if "reset_refused" in vector else list(state.iter_errors(vector["initial_state"]))
        for step in vector["steps"]:
            if "refused" not in step:  # a refused step's event may break the schema: that is what is refused
                found += event.iter_errors(step["event"])
            for expected in step["expected"]:
                found += output.iter_errors(expected["output"])
        problems += [f"{vector['id']}: {e.json_path}: {e.message[:200]}" for e in found]
    assert problems == []


def _sample() -> list[Json]:
    """Every 40th vector by id, and every vector whose step or reset is refused
    (the `rejected` error answer)."""
    vectors = sorted(
        (v for name in _vector_files() for v in json.loads((JSON_DIR / name).read_text(encoding="utf-8"))["vectors"]),
        key=lambda v: v["id"],
    )
    return [
        v
        for i, v in enumerate(vectors)
        if i % 40 == 0 or "reset_refused" in v or any("refused" in s for s in v["steps"])
    ]


def _kind(step: Json) -> str:
    """'step', or 'refused step' for an event meant to be refused."""
    return "refused step" if "refused" in step else "step"


class _Server:
    """`mhhs-sec serve --stdio`, spoken to line by line."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mhhs_sec", "serve", "--stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.ident = 0

    def call(self, method: str, params: Json) -> tuple[Json, Json]:
        self.ident += 1
        request = {"id": self.ident, "method": method, "params": params}
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer: Json = json.loads(self.process.stdout.readline())
        return request, answer


def test_reference_answers_over_stdio_validate() -> None:
    envelope = _validator("envelope.schema.json")
    checks = {
        "hello": _validator("hello.schema.json"),
        "reset": _validator("reset.schema.json"),
        "step": _validator("step.schema.json"),
        "outputs": _validator("outputs.schema.json"),
    }
    server = _Server()
    exchanged: list[tuple[str, Json, Json]] = [("hello", *server.call("hello", {}))]
    for vector in _sample():
        reset = "refused reset" if "reset_refused" in vector else "reset"  # its initial state may break the schema
        exchanged.append((reset, *server.call("reset", {"initial_state": vector["initial_state"]})))
        exchanged += [(_kind(step), *server.call("step", {"event": step["event"]})) for step in vector["steps"]]
    exchanged.append(("unknown", *server.call("bogus", {})))
    exchanged.append(("shutdown", *server.call("shutdown", {})))
    server.process.wait(timeout=60)
    problems = []
    for method, request, answer in exchanged:
        found = list(envelope.iter_errors(answer))
        if method != "unknown":  # the malformed request is meant to break the envelope
            found += envelope.iter_errors(request)
        if method in ("reset", "step"):  # not "refused step": its event may break the schema
            found += checks[method].iter_errors(request["params"])
        if method == "hello":
            found += checks["hello"].iter_errors(answer["result"])
        if method == "step" and "result" in answer:
            found += checks["outputs"].iter_errors(answer["result"])
        problems += [f"{method} {request['id']}: {e.json_path}: {e.message[:200]}" for e in found]
    assert problems == []
    kinds = {answer["error"]["kind"] for _, _, answer in exchanged if "error" in answer}
    assert kinds == {"rejected", "protocol"}, "the sample exercises a refused event and a malformed request"


def _first_error(validator: jsonschema.Draft202012Validator, message: Json) -> str:
    error = best_match(validator.iter_errors(message))
    assert error is not None, f"accepted: {message}"
    return f"{error.json_path}: {error.message}"


WRONG: dict[str, tuple[str, Json, str]] = {
    "instant without Z": (
        "step.schema.json",
        {"event": {"event": "advance_clock", "to": "2025-06-10T19:30:00"}},
        "$.event.to",
    ),
    "unknown SRV": ("step.schema.json", {"event": {"event": "submit", "request": {**REQUEST, "srv": "4.9"}}}, "srv"),
    "4.8.1 without ReadLogPeriod": (
        "step.schema.json",
        {"event": {"event": "submit", "request": {k: v for k, v in REQUEST.items() if k != "period"}}},
        "period",
    ),
    "8.2 with a ReadLogPeriod": (
        "step.schema.json",
        {"event": {"event": "submit", "request": {**REQUEST, "srv": "8.2"}}},
        "period",
    ),
    "lower-case EUI-64": (
        "step.schema.json",
        {"event": {"event": "restrict_device", "device_id": "00-db-12-34-56-78-90-a1"}},
        "$.event.device_id",
    ),
    "unknown role": (
        "step.schema.json",
        {"event": {"event": "set_user", "user_id": "U", "roles": ["MDR", "NO"]}},
        "$.event.roles[1]",
    ),
    "MPAN of 12 digits": (
        "reset.schema.json",
        {
            "initial_state": {
                "clock": "2025-06-10T19:30:00Z",
                "profile": {},
                "users": [],
                "registrations": [{"mpan": "120000000000", "suppliers": [APPOINTMENT], "mdras": [APPOINTMENT]}],
                "devices": [],
            }
        },
        "$.initial_state.registrations[0].mpan",
    ),
    "unknown profile value": (
        "reset.schema.json",
        {
            "initial_state": {
                "clock": "2025-06-10T19:30:00Z",
                "profile": {"etd": "sometimes"},
                "users": [],
                "registrations": [],
                "devices": [],
            }
        },
        "$.initial_state.profile.etd",
    ),  # fmt: skip
    "response without trt_s": (
        "outputs.schema.json",
        {
            "outputs": [
                {
                    "type": "acknowledgement",
                    "request_id": "r1",
                    "user_id": "U",
                    "code": "I0",
                    "at": "2025-06-10T19:30:00Z",
                    "execute_at": "2025-06-11T06:00:00Z",
                }
            ]
        },
        "$.outputs[0].code",
    ),  # fmt: skip
    "unknown observable": (
        "hello.schema.json",
        {"protocol": "mhhs-sec-adapter/1", "implementation": "x", "observables": ["entries", "colour"]},
        "$.observables[1]",
    ),
    "a DUIS code mapped in codes": (
        "hello.schema.json",
        {"protocol": "mhhs-sec-adapter/1", "implementation": "x", "observables": [], "codes": {"E4": "X"}},
        "E4",
    ),
    "refusal without its field": (
        "envelope.schema.json",
        {"id": 3, "error": {"kind": "rejected", "message": "m"}},
        "field",
    ),
    "step without params": ("envelope.schema.json", {"id": 3, "method": "step"}, "params"),
}


@pytest.mark.parametrize("case", sorted(WRONG))
def test_a_wrong_message_is_refused_naming_the_field(case: str) -> None:
    schema, message, field = WRONG[case]
    assert field in _first_error(_validator(schema), message)
