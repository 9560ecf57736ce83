"""JSON lines over stdin / stdout: the subprocess adapter (``cmd:COMMAND``) and
the server loop behind ``mhhs-sec serve --stdio``.

The client never blocks without a deadline: every answer is awaited with
``select`` up to the per-step timeout, so a hang, a crash (EOF), a closed pipe,
garbage or an over-long line each become an :class:`AdapterFault` naming the
cause; the process is then killed and started again on the next call.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import select
import selectors
import shlex
import subprocess
import sys
import tempfile
import time
from typing import IO, Any, Final

from .protocol import AdapterFault, Capabilities, Implementation, Json
from .wire import check_answer, dispatch

MAX_LINE: Final = 64 * 1024 * 1024
# json.dumps(message, separators=(",", ":")) builds this encoder on every call; one is enough.
_ENCODER: Final = json.JSONEncoder(separators=(",", ":"))
STARTUP_S: Final = 30.0  # extra time for the first answer of a freshly started process
STDERR_TAIL: Final = 400


class StdioAdapter:
    """Drive an implementation run as ``COMMAND`` (a shell-style word list)."""

    def __init__(
        self, command: str, *, timeout_s: float = 10.0, spec: str | None = None, startup_s: float = STARTUP_S
    ) -> None:
        self.spec = spec or f"cmd:{command}"
        self.argv = shlex.split(command)
        self.timeout_s = timeout_s
        self.startup_s = startup_s
        self._fresh = False
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._poll: select.poll | None = None
        self._buffer = b""
        self._next_id = 0

    # ---- process life ----------------------------------------------------

    def _start(self) -> subprocess.Popen[bytes]:
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - kept open for the process's life
        try:
            process = subprocess.Popen(
                self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, bufsize=0
            )
        except OSError as error:
            raise AdapterFault("start", f"cannot start {self.argv!r}: {error}") from None
        assert process.stdout is not None
        assert process.stdin is not None
        os.set_blocking(process.stdout.fileno(), False)
        os.set_blocking(process.stdin.fileno(), False)
        self._poll = select.poll()
        self._poll.register(process.stdout.fileno(), select.POLLIN)
        self._process, self._buffer, self._fresh = process, b"", True
        return process

    def restart(self) -> None:
        """Kill the process (if any); the next call starts a new one."""
        process, self._process = self._process, None
        if process is not None:
            _stop(process)
        self._poll = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def close(self) -> None:
        process = self._process
        if process is not None and process.poll() is None:
            with contextlib.suppress(AdapterFault):
                self._send(process, {"id": self._new_id(), "method": "shutdown", "params": {}})
        self.restart()

    # ---- calls -----------------------------------------------------------

    def hello(self) -> Capabilities:
        result: Capabilities = self._call("hello", {})
        return result

    def reset(self, initial_state: Json) -> None:
        self._call("reset", {"initial_state": initial_state})

    def step(self, event: Json) -> list[Json]:
        outputs: list[Json] = self._call("step", {"event": event})
        return outputs

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _call(self, method: str, params: Json) -> Any:
        process = self._process or self._start()
        ident = self._new_id()
        self._send(process, {"id": ident, "method": method, "params": params})
        # The first answer of a new process may also include its start-up.
        allowance = self.timeout_s + (self.startup_s if self._fresh else 0.0)
        self._fresh = False
        line = self._read_line(process, time.monotonic() + allowance, method)
        try:
            answer = json.loads(line)
        except ValueError:
            raise AdapterFault("garbage", f"{method}: not JSON: {_clip(line)}") from None
        return check_answer(answer, ident, method)

    def _send(self, process: subprocess.Popen[bytes], message: Json) -> None:
        """Write one line, never blocking past the timeout (a child that stops
        reading cannot hang the runner on a full pipe)."""
        assert process.stdin is not None
        data = memoryview(_ENCODER.encode(message).encode() + b"\n")
        deadline = None
        fd = process.stdin.fileno()
        while data:
            try:
                written = os.write(fd, data)
            except BlockingIOError:
                written = 0
            except (BrokenPipeError, ConnectionResetError, OSError):
                note = self._exit_note(process)
                what = f"{message['method']}: the implementation closed its stdin{note}"
                raise AdapterFault("closed-pipe", what) from None
            data = data[written:]
            if data:  # a full pipe (rare): wait, up to the timeout, for the child to read
                if deadline is None:
                    deadline = time.monotonic() + self.timeout_s
                if not _writable(fd, deadline - time.monotonic()):
                    raise AdapterFault("timeout", f"{message['method']}: the implementation stopped reading its stdin")

    def _read_line(self, process: subprocess.Popen[bytes], deadline: float, method: str) -> bytes:
        assert process.stdout is not None and self._poll is not None
        while (newline := self._buffer.find(b"\n")) < 0:
            if len(self._buffer) > MAX_LINE:
                raise AdapterFault("garbage", f"{method}: answer longer than {MAX_LINE} bytes with no newline")
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._poll.poll(math.ceil(remaining * 1000)):
                raise AdapterFault("timeout", f"{method}: no answer within {self.timeout_s:g} s (per-call timeout)")
            chunk = os.read(process.stdout.fileno(), 1 << 16)
            if not chunk:
                note = self._exit_note(process)
                raise AdapterFault("crash", f"{method}: the implementation closed its stdout{note}")
            self._buffer += chunk
        line, self._buffer = self._buffer[:newline], self._buffer[newline + 1 :]
        return line

    def _exit_note(self, process: subprocess.Popen[bytes]) -> str:
        try:
            code = process.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            return ""
        tail = ""
        if self._stderr is not None:
            self._stderr.seek(0)
            text = self._stderr.read().decode(errors="replace").strip()
            tail = f"; stderr: {_clip(text[-STDERR_TAIL:].encode())}" if text else ""
        return f" (exit code {code}{tail})"


def _writable(fd: int, timeout: float) -> bool:
    if timeout <= 0:
        return False
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_WRITE)
        return bool(selector.select(timeout))


def _stop(process: subprocess.Popen[bytes]) -> None:
    for stream in (process.stdin, process.stdout):
        try:
            if stream is not None:
                stream.close()
        except OSError:
            pass
    if process.poll() is None:
        process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


def _clip(data: bytes, limit: int = 120) -> str:
    text = data.decode(errors="replace")
    return text if len(text) <= limit else text[:limit] + "..."


def serve_stdio(implementation: Implementation, stdin: IO[bytes] | None = None, stdout: IO[bytes] | None = None) -> int:
    """``mhhs-sec serve --stdio``: answer one JSON line per request line until
    EOF or a ``shutdown`` request.  A line that is not JSON (or not UTF-8) gets
    a protocol error answer; the loop never dies on bad input.  Lines are read
    and written as bytes: answers are ASCII JSON (``ensure_ascii``), so no text
    layer is needed on either side."""
    source = stdin or sys.stdin.buffer
    sink = stdout or sys.stdout.buffer
    for line in source:
        if not line.strip():
            continue
        message: object = None
        try:
            message = json.loads(line)
        except ValueError:  # UnicodeDecodeError included
            answer: Json = {"id": None, "error": {"kind": "protocol", "message": "request line is not JSON"}}
        else:
            answer = dispatch(implementation, message)
        sink.write(_ENCODER.encode(answer).encode() + b"\n")
        sink.flush()
        if isinstance(message, dict) and message.get("method") == "shutdown":
            break
    return 0
