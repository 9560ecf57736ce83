"""The stdio adapter: one JSON request a line on stdin, one answer a line on
stdout (adapter protocol ``mhhs-sec-adapter/1``, section 1 and 2)."""

from __future__ import annotations

import json
import sys
from typing import Any

from .errors import Refused
from .profile import declared_profiles
from .system import Dsp

PROTOCOL = "mhhs-sec-adapter/1"
# entry-values: the devices log the vector's device_data.
OBSERVABLES = [
    "response-code", "entries", "entry-values", "device-read", "trt", "timing", "alerts", "schedules", "inventory",
    "audit", "refusal",
]  # fmt: skip
EVENTS = [
    "set_user", "load_registration", "load_device", "submit", "advance_clock", "restrict_device",
    "set_device_comms", "read_audit_trail",
]  # fmt: skip


def hello() -> dict[str, Any]:
    return {
        "protocol": PROTOCOL,
        "implementation": "independent DSP/S1SP test double 0.1 (written from the documents)",
        "observables": OBSERVABLES,
        "profiles": declared_profiles(),
        "events": EVENTS,
    }


class Adapter:
    """Holds the system between calls; ``reset`` replaces it whole."""

    def __init__(self) -> None:
        self.system: Dsp | None = None

    def call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "hello":
            return {"result": hello()}
        if method == "reset":
            self.system = Dsp(params["initial_state"])
            return {"result": {}}
        if method == "step":
            if self.system is None:
                return {"error": {"kind": "protocol", "message": "step before reset"}}
            return {"result": {"outputs": self._step(self.system, params["event"])}}
        if method == "shutdown":
            return {"result": {}}
        return {"error": {"kind": "protocol", "message": f"unknown method {method!r}"}}

    def _step(self, system: Dsp, event: dict[str, Any]) -> list[dict[str, Any]]:
        """An event refused leaves the state as it was: a refusal is raised
        before any change (REG-5 validation, the clock check)."""
        return system.step(event)


def answer(adapter: Adapter, line: str) -> tuple[dict[str, Any], bool]:
    """One request line -> (answer, stop after it)."""
    try:
        request = json.loads(line)
        method, params = request["method"], request.get("params") or {}
    except (ValueError, KeyError, TypeError) as bad:
        return {"id": None, "error": {"kind": "protocol", "message": f"bad request: {bad}"}}, False
    try:
        body = adapter.call(method, params)
    except Refused as refused:
        body = {"error": {"kind": "rejected", "field": refused.field, "requirement": refused.requirement,
                          "message": str(refused)}}  # fmt: skip
    except Exception as failure:  # noqa: BLE001 - any other failure is reported, never fatal
        body = {"error": {"kind": "internal", "message": repr(failure)}}
    return {"id": request.get("id"), **body}, method == "shutdown"


def main() -> None:
    adapter = Adapter()
    for line in sys.stdin:
        if not line.strip():
            continue
        reply, stop = answer(adapter, line)
        sys.stdout.write(json.dumps(reply, separators=(",", ":")) + "\n")
        sys.stdout.flush()
        if stop:
            break


if __name__ == "__main__":
    main()
