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
- ``deep``: answers steps with outputs nested 1,000 levels deep;
- ``long-answer``: answers steps correctly, padded to a 63 MiB line;
- ``endless-line``: answers steps with a line that never ends (65 MiB, no
  newline), then waits (bounded at 60 s);
- ``stderr-flood``: writes 300 MB to stderr, then ``last words`` and exits 3;
- ``orphan``: starts a child that keeps stdout and stderr open (60 s; its pid
  in MARKER_FILE), then exits 3;
- ``orphan-hang``: starts the same child, then never answers;
- ``signal``: sends SIGINT to its whole process group, then kills itself
  (SIGKILL);
- ``control-bytes``: names itself with an ESC sequence in ``hello`` and
  answers steps with a line of NUL and ESC bytes;
- ``double``: answers every step twice;
- ``ok``: behaves.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from mhhs_sec.conformance.reference import ReferenceImplementation
from mhhs_sec.conformance.wire import dispatch

LIMIT_S = 60
MIB = 1024 * 1024


def _write(answer: object) -> None:
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()


def _orphan(marker: Path | None) -> None:
    """A child that outlives this process, holding its stdout and stderr."""
    child = subprocess.Popen([sys.executable, "-c", f"import time; time.sleep({LIMIT_S})"])
    if marker is not None:
        marker.write_text(str(child.pid))


def _hostile(mode: str, marker: Path | None, message: dict[str, object]) -> bool:
    """The hostile modes: True if the step message was dealt with."""
    if mode == "deep":
        deep = "[" * 1000 + "]" * 1000  # written as text: this side's json would not nest it either
        sys.stdout.write(f'{{"id": {message.get("id")}, "result": {{"outputs": {deep}}}}}\n')
        sys.stdout.flush()
    elif mode == "endless-line":
        sys.stdout.write("x" * (65 * MIB))
        sys.stdout.flush()
        time.sleep(LIMIT_S)
    elif mode == "stderr-flood":
        for _ in range(300):
            sys.stderr.write("early noise " * (MIB // 12))
        print("last words", file=sys.stderr, flush=True)
        os._exit(3)
    elif mode in ("orphan", "orphan-hang"):
        _orphan(marker)
        print("leaving a child behind", file=sys.stderr, flush=True)
        time.sleep(LIMIT_S if mode == "orphan-hang" else 0)
        os._exit(3)
    elif mode == "signal":
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the SIGINT is for the group, not for this process
        os.killpg(os.getpgid(0), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGKILL)
    elif mode == "control-bytes":
        sys.stdout.write("\x00\x1b[2J\x1b]0;owned\x07 not JSON\n")
        sys.stdout.flush()
    else:
        return False
    return True


def _misbehave(mode: str, marker: Path | None, message: dict[str, object]) -> bool:
    """Misbehave on this step message; True if the message was dealt with."""
    if _hostile(mode, marker, message):
        return True
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
        if mode == "double" and message.get("method") == "step":
            answer = dispatch(implementation, message)
            _write(answer)
            _write(answer)
            continue
        if mode == "long-answer" and message.get("method") == "step":
            _write({**dispatch(implementation, message), "padding": "p" * (63 * MIB)})
            continue
        if mode == "control-bytes" and message.get("method") == "hello":
            answer = dispatch(implementation, message)
            answer["result"]["implementation"] = "\x1b[31mred\x00 implementation"
            _write(answer)
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
