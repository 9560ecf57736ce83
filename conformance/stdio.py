"""JSON lines over stdin / stdout: the subprocess adapter (``cmd:COMMAND``) and
the server loop behind ``mhhs-sec serve --stdio``.

The client never blocks without a deadline: every answer is awaited with
``select`` up to the per-step timeout, so a hang, a crash (EOF), a closed pipe,
garbage or an over-long line each become an :class:`AdapterFault` naming the
cause; the process is then killed and started again on the next call.
"""

from __future__ import annotations

import contextlib
import math
import os
import select
import selectors
import shlex
import signal
import subprocess
import sys
import threading
import time
from typing import IO, Any, Final

from mhhs_sec.bounded_json import TooDeep, loads

from .protocol import AdapterFault, Capabilities, Implementation, Json
from .wire import ENCODER, MAX_MESSAGE, MAX_REQUEST, check_answer, dispatch, printable

STARTUP_S: Final = 30.0  # extra time for the first answer of a freshly started process
STDERR_TAIL: Final = 1000  # bytes of the implementation's stderr kept (the last ones) for error reports
_EXIT_CHECK_S: Final = 0.1  # while waiting for an answer, how often the runner checks the process is alive
_EXIT_WAIT_S: Final = 0.5  # how long a process that closed its stdout gets to exit before it is called hung
_CLOSE_GRACE_S: Final = 1.0  # after shutdown, how long the process gets to exit before its group is killed
_CHUNK: Final = 1 << 20


class StdioAdapter:
    """Drive an implementation run as ``COMMAND`` (a shell-style word list).

    The command runs in a process group of its own (a new session), and the
    whole group is killed on restart and at the end: a child the implementation
    started cannot outlive it.  Its stderr is drained as it comes, keeping only
    the last :data:`STDERR_TAIL` bytes for error reports."""

    def __init__(
        self, command: str, *, timeout_s: float = 10.0, spec: str | None = None, startup_s: float = STARTUP_S
    ) -> None:
        self.spec = spec or f"cmd:{command}"
        self.argv = shlex.split(command)
        self.timeout_s = timeout_s
        self.startup_s = startup_s
        self._fresh = False
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: _StderrTail | None = None
        self._poll: select.poll | None = None
        self._buffer = bytearray()
        self._next_id = 0

    # ---- process life ----------------------------------------------------

    def _start(self) -> subprocess.Popen[bytes]:
        try:
            process = subprocess.Popen(
                self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0,
                start_new_session=True,  # its own process group: killed as a whole (_stop)
            )  # fmt: skip
        except OSError as error:
            raise AdapterFault("start", f"cannot start {self.argv!r}: {error}") from None
        assert process.stdout is not None and process.stdin is not None and process.stderr is not None
        self._stderr = _StderrTail(process.stderr)
        os.set_blocking(process.stdout.fileno(), False)
        os.set_blocking(process.stdin.fileno(), False)
        self._poll = select.poll()
        self._poll.register(process.stdout.fileno(), select.POLLIN)
        self._process, self._buffer, self._fresh = process, bytearray(), True
        return process

    def restart(self) -> None:
        """Kill the process and its group (if any); the next call starts a new one."""
        process, self._process = self._process, None
        if process is not None:
            _stop(process)
        if self._stderr is not None:
            self._stderr.tail()  # the stream ends when every process holding it is gone
        self._poll = None
        self._stderr = None

    def close(self) -> None:
        process = self._process
        if process is not None and process.poll() is None:
            with contextlib.suppress(AdapterFault):
                self._send(process, {"id": self._new_id(), "method": "shutdown", "params": {}})
            _close_stdin(process)  # EOF: exiting on it is enough (section 2, shutdown)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=_CLOSE_GRACE_S)
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
        return read_answer(self._read_line(process, time.monotonic() + allowance, method), ident, method)

    def _send(self, process: subprocess.Popen[bytes], message: Json) -> None:
        """Write one line, never blocking past the timeout (a child that stops
        reading cannot hang the runner on a full pipe)."""
        assert process.stdin is not None
        data = memoryview(ENCODER.encode(message).encode() + b"\n")
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

    def _read_line(self, process: subprocess.Popen[bytes], deadline: float, method: str) -> bytearray:
        """The next line on stdout.  Linear in its length (the buffer grows in
        place and only new bytes are searched); at most MAX_MESSAGE bytes."""
        assert process.stdout is not None
        buffer, searched = self._buffer, 0
        while (newline := buffer.find(b"\n", searched)) < 0:
            searched = len(buffer)
            if searched > MAX_MESSAGE:
                raise AdapterFault("garbage", f"{method}: answer longer than {MAX_MESSAGE} bytes with no newline")
            if not self._wait_for_output(process, deadline):
                raise AdapterFault("timeout", f"{method}: no answer within {self.timeout_s:g} s (per-call timeout)")
            chunk = _read_some(process.stdout.fileno())
            if not chunk:
                note = self._exit_note(process)
                what = "closed its stdout" if chunk == b"" else "exited (a child of it kept its stdout open)"
                raise AdapterFault("crash", f"{method}: the implementation {what}{note}")
            buffer += chunk
        self._buffer = buffer[newline + 1 :]  # what follows the line (usually nothing)
        del buffer[newline:]  # the line itself, in place: a large answer is never copied
        return buffer

    def _wait_for_output(self, process: subprocess.Popen[bytes], deadline: float) -> bool:
        """Wait until stdout has something to read (True: data, its end, or
        the process has exited with nothing left to read) or the deadline
        passes (False).  The process is checked every _EXIT_CHECK_S: a child
        holding stdout open must not turn the implementation's exit into a
        timeout."""
        assert self._poll is not None
        while (remaining := deadline - time.monotonic()) > 0:
            if self._poll.poll(math.ceil(min(remaining, _EXIT_CHECK_S) * 1000)) or _exited(process):
                return True
        return False

    def _exit_note(self, process: subprocess.Popen[bytes]) -> str:
        """' (exit code N; stderr: ...)' once the process has exited (its
        group is then killed, so the stderr tail is complete), else ''."""
        try:
            code = process.wait(timeout=_EXIT_WAIT_S)
        except subprocess.TimeoutExpired:
            return ""
        _kill_group(process)
        text = self._stderr.tail() if self._stderr is not None else ""
        return f" ({_exit_text(code)}{f'; stderr: {printable(text)}' if text else ''})"


def read_answer(line: bytes | bytearray, ident: int, method: str) -> Any:
    """The runner's reading of one answer line: its result, EventRejected for
    a refused event, AdapterFault for anything else (not JSON, too deep, not
    UTF-8, not a well-formed answer)."""
    try:
        answer = loads(line)
    except ValueError as error:  # TooDeep and UnicodeDecodeError included
        raise AdapterFault("garbage", f"{method}: not JSON ({_clip(str(error).encode())}): {_clip(line)}") from None
    return check_answer(answer, ident, method)


class _StderrTail:
    """Drains a process's stderr on a daemon thread as it is written, keeping
    the last STDERR_TAIL bytes: a chatty implementation never fills the pipe
    (and blocks) nor the runner's memory.  The thread owns the stream and ends
    at its end (when the process group is gone)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._kept = bytearray()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._drain, args=(stream,), name="mhhs-sec-stderr", daemon=True)
        self._thread.start()

    def _drain(self, stream: IO[bytes]) -> None:
        with stream, contextlib.suppress(OSError):
            while chunk := os.read(stream.fileno(), 1 << 16):
                with self._lock:
                    self._kept += chunk
                    del self._kept[:-STDERR_TAIL]

    def tail(self) -> str:
        """The last bytes written (as text), once the stream has ended (or after _EXIT_WAIT_S)."""
        self._thread.join(_EXIT_WAIT_S)
        with self._lock:
            return self._kept.decode(errors="replace").strip()


def _read_some(fd: int) -> bytes | None:
    """What stdout holds now: b'' at its end, None if nothing (yet)."""
    try:
        return os.read(fd, _CHUNK)
    except BlockingIOError:
        return None


def _exited(process: subprocess.Popen[bytes]) -> bool:
    """Has the process exited?  Asked without reaping it (WNOWAIT), so its
    process group id stays reserved until :func:`_kill_group`."""
    if process.returncode is not None:
        return True
    try:
        return os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _exit_text(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by signal {signal.Signals(-code).name}"
        return f"killed by signal {-code}"
    return f"exit code {code}"


def _writable(fd: int, timeout: float) -> bool:
    if timeout <= 0:
        return False
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_WRITE)
        return bool(selector.select(timeout))


def _close_stdin(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        if process.stdin is not None:
            process.stdin.close()


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process's group: the implementation and every child it
    left (the group id is the process id: start_new_session)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def _stop(process: subprocess.Popen[bytes]) -> None:
    _close_stdin(process)
    with contextlib.suppress(OSError):
        if process.stdout is not None:
            process.stdout.close()
    _kill_group(process)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


def _clip(data: bytes | bytearray, limit: int = 120) -> str:
    text = printable(data.decode(errors="replace"))
    return text if len(text) <= limit else text[:limit] + "..."


def serve_stdio(implementation: Implementation, stdin: IO[bytes] | None = None, stdout: IO[bytes] | None = None) -> int:
    """``mhhs-sec serve --stdio``: answer one JSON line per request line until
    EOF or a ``shutdown`` request.  A line that is not JSON (or not UTF-8, or
    nested deeper than the limit, or longer than MAX_REQUEST bytes: the rest of
    it is skipped unread) gets a protocol error answer that does not quote it;
    the loop never dies on bad input.  Lines are read and written as bytes:
    answers are ASCII JSON (``ensure_ascii``), so no text layer is needed on
    either side."""
    source = stdin or sys.stdin.buffer
    sink = stdout or sys.stdout.buffer
    while line := source.readline(MAX_REQUEST + 1):
        if len(line) > MAX_REQUEST and not line.endswith(b"\n"):
            _skip_line(source)
            message: object = None
            answer: Json = _protocol_error(f"request line longer than {MAX_REQUEST} bytes")
        elif not line.strip():
            continue
        else:
            message, answer = _answer_line(implementation, line)
        sink.write(ENCODER.encode(answer).encode() + b"\n")
        sink.flush()
        if isinstance(message, dict) and message.get("method") == "shutdown":
            break
    return 0


def _answer_line(implementation: Implementation, line: bytes) -> tuple[object, Json]:
    try:
        message = loads(line)
    except TooDeep as error:
        return None, _protocol_error(f"request line: {error}")
    except ValueError:  # UnicodeDecodeError included
        return None, _protocol_error("request line is not JSON")
    return message, dispatch(implementation, message)


def _protocol_error(message: str) -> Json:
    return {"id": None, "error": {"kind": "protocol", "message": message}}


def _skip_line(source: IO[bytes]) -> None:
    """Read and drop the rest of an over-long line, a chunk at a time."""
    while (chunk := source.readline(_CHUNK)) and not chunk.endswith(b"\n"):
        pass
