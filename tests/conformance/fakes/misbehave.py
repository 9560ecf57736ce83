"""A fake implementation for the runner's robustness tests: the reference
implementation over stdio, misbehaving in one way on ``step`` calls.

Usage: ``python misbehave.py MODE [MARKER_FILE]``.  Modes:

- ``hang``: never answers a step (sleeps, bounded at 60 s so nothing lingers);
- ``slow``: answers each step correctly, but after 1.5 s;
- ``crash``: exits with code 3 (and a line on stderr) at the first step;
- ``close-stdin``: closes its stdin before answering ``hello``, then stays
  alive without reading (bounded at 60 s): the runner's next write fails;
- ``garbage``: answers steps with a line that is not JSON;
- ``schema``: answers steps with JSON whose outputs are not output objects;
- ``wrong-id``: answers steps with another request id;
- ``crash-once``: crashes at the first step if MARKER_FILE does not exist
  (creating it), else behaves (shows the runner restarts and goes on);
- ``ok``: behaves.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from mhhs_sec.conformance.reference import ReferenceImplementation
from mhhs_sec.conformance.wire import dispatch

LIMIT_S = 60


def _write(answer: object) -> None:
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()


def _misbehave(mode: str, marker: Path | None, message: dict[str, object]) -> bool:
    """Misbehave on this step message; True if the message was dealt with."""
    if mode == "hang":
        time.sleep(LIMIT_S)
        sys.exit(0)
    if mode == "crash" or (mode == "crash-once" and marker is not None and not marker.exists()):
        if marker is not None:
            marker.touch()
        print("fake implementation: simulated crash", file=sys.stderr, flush=True)
        os._exit(3)
    if mode == "garbage":
        sys.stdout.write("this is not JSON {\n")
        sys.stdout.flush()
        return True
    if mode == "schema":
        _write({"id": message.get("id"), "result": {"outputs": [{"type": "response", "code": 7}]}})
        return True
    if mode == "wrong-id":
        _write({"id": -1, "result": {"outputs": []}})
        return True
    if mode == "slow":
        time.sleep(1.5)
    return False


def main() -> int:
    mode = sys.argv[1]
    marker = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    implementation = ReferenceImplementation()
    for line in sys.stdin:
        message = json.loads(line)
        if message.get("method") == "step" and _misbehave(mode, marker, message):
            continue
        if mode == "close-stdin" and message.get("method") == "hello":
            os.close(0)
            _write(dispatch(implementation, message))
            time.sleep(LIMIT_S)
            return 0
        _write(dispatch(implementation, message))
        if message.get("method") == "shutdown":
            break
    return 0


if __name__ == "__main__":
    sys.exit(main())
