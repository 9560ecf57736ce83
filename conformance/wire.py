"""The message layer shared by the stdio and HTTP transports.

A request is ``{"id": N, "method": M, "params": {...}}``; the answer is
``{"id": N, "result": ...}`` or ``{"id": N, "error": {"kind": K, ...}}`` with
kind ``rejected`` (an invalid event: field, requirement, message),
``protocol`` (a malformed request) or ``internal`` (the implementation failed).
:func:`dispatch` is the server side; :func:`check_answer` the client side,
which turns anything malformed into :class:`AdapterFault`.
"""

from __future__ import annotations

import json
import re
import traceback
from typing import Any, Final

from mhhs_sec.model.errors import InvalidEvent
from mhhs_sec.vectors.answers import decode_output, output_ok

from .protocol import AdapterFault, Capabilities, EventRejected, Implementation, Json

METHODS = ("hello", "reset", "step", "shutdown")
# The largest answer the runner reads (a stdio line, an HTTP body).
MAX_MESSAGE: Final = 64 * 1024 * 1024
# The largest request the reference servers read (the runner's requests are a
# few kilobytes).
MAX_REQUEST: Final = 1024 * 1024
# An error answer's message is clipped to this many characters: a server never
# echoes a large input back.
MAX_ERROR_TEXT: Final = 300
# json.dumps(message, separators=(",", ":")) builds this encoder on every call; one is enough.
ENCODER: Final = json.JSONEncoder(separators=(",", ":"))
# Characters a terminal or an XML 1.0 document must not receive raw: C0 and C1
# controls (tab and newline excepted), DEL, lone surrogates, U+FFFE and U+FFFF.
_UNPRINTABLE: Final = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def printable(text: str) -> str:
    """``text`` with every unprintable character written as an escape
    (``\\x1b``, ``\\ud800``): safe on a terminal and in an XML report."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clipped(text: str, limit: int = MAX_ERROR_TEXT) -> str:
    """``text`` made printable and cut to ``limit`` characters."""
    text = printable(text)
    return text if len(text) <= limit else text[:limit] + "..."


def dispatch(implementation: Implementation, message: object) -> Json:
    """Answer one request message with the implementation."""
    if not isinstance(message, dict) or "method" not in message:
        return {"id": None, "error": {"kind": "protocol", "message": "a request is an object with 'method'"}}
    ident = message.get("id")
    if ident is not None and (not isinstance(ident, int) or isinstance(ident, bool)):
        return {"id": None, "error": {"kind": "protocol", "message": "a request's 'id' is an integer"}}
    method, params = message["method"], message.get("params") or {}
    try:
        result = _call(implementation, method, params)
    except EventRejected as rejected:
        refused = {key: clipped(value) for key, value in rejected.as_json().items()}
        return {"id": ident, "error": {"kind": "rejected", **refused}}
    except _ProtocolError as error:
        return {"id": ident, "error": {"kind": "protocol", "message": clipped(str(error))}}
    except Exception as error:  # noqa: BLE001 - reported to the client, the server goes on
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        return {"id": ident, "error": {"kind": "internal", "message": clipped(detail)}}
    return {"id": ident, "result": result}


class _ProtocolError(ValueError):
    pass


def _call(implementation: Implementation, method: object, params: Any) -> Any:
    if not isinstance(params, dict):
        raise _ProtocolError("params must be an object")
    if method == "hello":
        return implementation.hello()
    if method == "reset":
        if "initial_state" not in params:
            raise _ProtocolError("reset needs params.initial_state")
        implementation.reset(params["initial_state"])
        return {}
    if method == "step":
        if "event" not in params:
            raise _ProtocolError("step needs params.event")
        return {"outputs": implementation.step(params["event"])}
    if method == "shutdown":
        return {}
    raise _ProtocolError(f"unknown method; known: {list(METHODS)}")


def check_answer(answer: object, ident: int, method: str) -> Any:
    """The result of a well-formed answer; raises EventRejected for a refused
    event and AdapterFault for anything else that is wrong."""
    if not isinstance(answer, dict):
        raise AdapterFault("schema", f"{method}: answer must be a JSON object, got {type(answer).__name__}")
    if answer.get("id") != ident:
        raise AdapterFault("protocol", f"{method}: answer id {answer.get('id')!r} does not match request id {ident}")
    if "error" in answer:
        return _raise_error(answer["error"], method)
    if "result" not in answer:
        raise AdapterFault("schema", f"{method}: answer has neither 'result' nor 'error'")
    result = answer["result"]
    if method == "step":
        return check_outputs(result)
    if method == "hello":
        return Capabilities.from_json(result)
    return result


def _raise_error(error: object, method: str) -> Any:
    if not isinstance(error, dict):
        raise AdapterFault("schema", f"{method}: 'error' must be an object")
    if error.get("kind") == "rejected":
        raise EventRejected(str(error.get("field", "?")), str(error.get("requirement", "?")), str(error.get("message")))
    if error.get("kind") == "internal":
        raise AdapterFault("internal", f"{method}: implementation failed: {error.get('message')}")
    raise AdapterFault("protocol", f"{method}: implementation reports {error.get('kind')!r}: {error.get('message')}")


def check_outputs(result: object) -> list[Json]:
    """A step result's outputs, each checked against the codec's output shape."""
    if not isinstance(result, dict) or not isinstance(result.get("outputs"), list):
        raise AdapterFault("schema", "step: result must be an object with an 'outputs' list")
    outputs: list[Json] = result["outputs"]
    for index, output in enumerate(outputs):
        if output_ok(output):  # well-formed: what decode_output would accept, checked fast
            continue
        try:
            decode_output(output, f"outputs[{index}]")
        except InvalidEvent as error:
            raise AdapterFault("schema", f"step: {error}") from None
    return outputs
