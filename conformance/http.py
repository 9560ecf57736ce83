"""HTTP transport: the HTTP adapter (``http://HOST:PORT``) and the server behind
``mhhs-sec serve --http PORT``.

Service requests travel as DUIS XML, as a DCC Boxed-style endpoint takes them:
``POST /api/v1/serviceRequest`` with an ``sr:Request`` body whose MHHS
additions (MDR role, ForSettlement, execution time, ...) sit in the project
namespace beside the DUIS part (:mod:`mhhs_sec.vectors.duis`).  The control
calls are JSON: ``GET /mhhs/v1/hello``, ``POST /mhhs/v1/reset``,
``POST /mhhs/v1/event`` (every event but ``submit``).  Answers are JSON: 200
with the result, 422 with ``{"error": {"kind": "rejected", ...}}`` for an
invalid event, 400 for a malformed call, 500 for an internal failure, 503
while another client's call holds the state.
"""

from __future__ import annotations

import http.client
import io
import json
import re
import socket
import socketserver
import threading
import time
from typing import Any, Final
from urllib.parse import urlsplit

from mhhs_sec.bounded_json import loads

from . import duis_bridge
from .protocol import AdapterFault, Capabilities, Implementation, Json
from .wire import MAX_MESSAGE, MAX_REQUEST, check_answer, clipped, dispatch

SERVICE_REQUEST_PATH: Final = "/api/v1/serviceRequest"
HELLO_PATH: Final = "/mhhs/v1/hello"
RESET_PATH: Final = "/mhhs/v1/reset"
EVENT_PATH: Final = "/mhhs/v1/event"
_STATUS: Final = {"rejected": 422, "protocol": 400, "internal": 500}
# How long a call waits for another client's call to end before it is
# answered 503 (the server holds one state: one run at a time).
BUSY_WAIT_S: Final = 2.0


class HttpAdapter:
    """Drive an implementation served over HTTP at ``url``."""

    def __init__(self, url: str, *, timeout_s: float = 10.0) -> None:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"HTTP adapter needs http://HOST:PORT, got {url!r}")
        self.spec = url
        self.host, self.port = parts.hostname, parts.port or 80
        self.base = parts.path.rstrip("/")
        self.timeout_s = timeout_s
        self._socket: socket.socket | None = None
        self._reader: _Reader | None = None

    def hello(self) -> Capabilities:
        return Capabilities.from_json(self._call("GET", HELLO_PATH, None, "application/json", "hello"))

    def reset(self, initial_state: Json) -> None:
        self._call("POST", RESET_PATH, _json_body({"initial_state": initial_state}), "application/json", "reset")

    def step(self, event: Json) -> list[Json]:
        body = self._duis_body(event)
        if body is not None:
            result = self._call("POST", SERVICE_REQUEST_PATH, body, "application/xml", "step")
        else:
            result = self._call("POST", EVENT_PATH, _json_body({"event": event}), "application/json", "step")
        outputs: list[Json] = check_answer({"id": 0, "result": result}, 0, "step")
        return outputs

    @staticmethod
    def _duis_body(event: Json) -> bytes | None:
        """A submit event's request as DUIS XML; None for other events and for
        requests DUIS cannot carry or the model's codec refuses (sent as JSON,
        so the implementation still sees and judges them)."""
        if not isinstance(event, dict) or event.get("event") != "submit":
            return None
        try:
            return duis_bridge.request_to_xml(event["request"]).encode()
        except (ValueError, KeyError, TypeError):
            return None

    def _call(self, verb: str, path: str, body: bytes | None, kind: str, method: str) -> Any:
        sock, reader = self._connection(method)
        payload = body or b""
        head = (
            f"{verb} {self.base}{path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: {kind}\r\nContent-Length: {len(payload)}\r\n\r\n"
        )
        reader.raw.deadline = time.monotonic() + self.timeout_s
        try:
            sock.settimeout(self.timeout_s)
            sock.sendall(head.encode("latin-1") + payload)  # one segment: no Nagle / delayed-ACK stall
            response = http.client.HTTPResponse(_Source(reader), method=verb)  # type: ignore[arg-type]
            response.begin()
            status, data = response.status, _read_body(response, method)
            self._check_nothing_more(method)
            if response.will_close:
                self.restart()
        except TimeoutError:
            self.restart()
            raise AdapterFault("timeout", f"{method}: no answer within {self.timeout_s:g} s") from None
        except (http.client.HTTPException, ConnectionError, OSError) as error:
            self.restart()
            raise AdapterFault("crash", f"{method}: connection lost: {type(error).__name__}: {error}") from None
        return read_result(status, data, method)

    def _connection(self, method: str) -> tuple[socket.socket, _Reader]:
        """The open connection (a new one if there is none or the server
        closed the idle one); AdapterFault if the server sent bytes nobody
        asked for since the last answer."""
        if self._socket is not None and self._reader is not None:
            self._check_nothing_more(method)
            if not self._reader.raw.peer_closed:
                return self._socket, self._reader
            self.restart()  # the server closed an idle keep-alive connection: open another
        sock = self._connect(method)
        self._socket, self._reader = sock, _Reader(_DeadlineReader(sock))
        return sock, self._reader

    def _check_nothing_more(self, method: str) -> None:
        """HTTP/1.1 answers carry no request id: bytes after an answer (an
        extra answer, a body longer than its Content-Length) would be read as
        the answer to the next request.  They end the connection with an error."""
        assert self._reader is not None
        extra = self._reader.unsolicited()
        if extra:
            self.restart()
            raise AdapterFault("protocol", f"{method}: the server sent {extra} byte(s) no request asked for "
                               "(an extra answer?); the connection is dropped")  # fmt: skip

    def _connect(self, method: str) -> socket.socket:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.timeout_s)
        except ConnectionRefusedError:
            raise AdapterFault("refused", f"{method}: connection to {self.host}:{self.port} refused") from None
        except OSError as error:
            raise AdapterFault("refused", f"{method}: cannot connect to {self.host}:{self.port}: {error}") from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def restart(self) -> None:
        """Drop the connection; the next call opens a new one (a server that
        went away cannot be restarted from here)."""
        sock, self._socket, self._reader = self._socket, None, None
        if sock is not None:
            sock.close()

    def close(self) -> None:
        self.restart()


def _read_body(response: http.client.HTTPResponse, method: str) -> bytes:
    """The answer's body, refused unread past MAX_MESSAGE bytes (a declared
    Content-Length at once, a chunked body once that much has come)."""
    if response.length is not None and response.length > MAX_MESSAGE:
        raise AdapterFault("garbage", f"{method}: answer body of {response.length} bytes; at most {MAX_MESSAGE}")
    data = response.read(MAX_MESSAGE + 1)
    if len(data) > MAX_MESSAGE:
        raise AdapterFault("garbage", f"{method}: answer body longer than {MAX_MESSAGE} bytes")
    return data


def read_result(status: int, data: bytes, method: str) -> Any:
    """The runner's reading of one answer: the result of a 200, else what
    :func:`~.wire.check_answer` makes of the error (EventRejected or
    AdapterFault); AdapterFault if the body is not JSON."""
    try:
        answer = loads(data)
    except ValueError as error:  # TooDeep included
        raise AdapterFault("garbage", f"{method}: HTTP {status} body is not JSON ({clipped(str(error), 120)}): "
                           f"{clipped(repr(data[:120]), 160)}") from None  # fmt: skip
    if status == 200:
        return answer
    return check_answer({"id": 0, **(answer if isinstance(answer, dict) else {"junk": answer})}, 0, method)


class _DeadlineReader(io.RawIOBase):
    """Socket reads that together never take longer than the deadline (a
    server trickling bytes cannot keep the runner waiting).  Probing
    (:meth:`_Reader.unsolicited`) reads only what has already arrived."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock, self.deadline = sock, 0.0
        self.probing = self.peer_closed = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        if self.probing:
            self.sock.settimeout(0.0)  # non-blocking: only what has arrived
            try:
                count = self.sock.recv_into(buffer)
            except (BlockingIOError, InterruptedError):
                return None
            except OSError:
                count = 0
            self.peer_closed = count == 0
            return count
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("deadline passed")
        self.sock.settimeout(remaining)
        return self.sock.recv_into(buffer)


class _Reader(io.BufferedReader):
    """The connection's one buffered reader, kept across answers so that no
    byte the server sent is lost between them; answers cannot close it."""

    raw: _DeadlineReader

    def close(self) -> None:
        """Left open: the connection outlives each answer (restart drops it)."""

    def unsolicited(self) -> int:
        """How many bytes are buffered or have arrived past the last answer."""
        self.raw.probing = True
        try:
            return len(self.peek(1))
        finally:
            self.raw.probing = False


class _Source:
    """What :class:`http.client.HTTPResponse` needs of a socket: ``makefile``."""

    def __init__(self, reader: _Reader) -> None:
        self.reader = reader

    def makefile(self, mode: str, *args: Any, **kwargs: Any) -> _Reader:
        return self.reader


def _json_body(data: Json) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


# ---- server -------------------------------------------------------------------


_REASONS: Final = {200: "OK", 400: "Bad Request", 404: "Not Found", 411: "Length Required",
                   413: "Content Too Large", 414: "URI Too Long", 422: "Unprocessable Entity",
                   431: "Request Header Fields Too Large", 500: "Internal Server Error",
                   503: "Service Unavailable"}  # fmt: skip
# Limits of the reference server (a request of the runner is a few kilobytes).
MAX_REQUEST_LINE: Final = 8192
MAX_HEADER_BYTES: Final = 65536  # all header lines together
MAX_HEADERS: Final = 100
_DECIMAL: Final = re.compile(r"[0-9]{1,19}")


class _Refused(Exception):
    """A request refused before its body is read: the status and a fixed
    message (never a piece of the request)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _request_line(line: bytes) -> tuple[str, str, str]:
    if len(line) > MAX_REQUEST_LINE:
        raise _Refused(414, f"request line longer than {MAX_REQUEST_LINE} bytes")
    parts = line.decode("latin-1").split()
    if len(parts) != 3 or parts[2] not in ("HTTP/1.0", "HTTP/1.1"):
        raise _Refused(400, "malformed HTTP request line")
    return parts[0], parts[1], parts[2]


def _content_length(headers: dict[str, str]) -> int:
    """The body's length: a decimal Content-Length up to MAX_REQUEST (none: 0)."""
    if "transfer-encoding" in headers:
        raise _Refused(411, "send the body with a Content-Length (no Transfer-Encoding)")
    text = headers.get("content-length", "0")
    if not _DECIMAL.fullmatch(text):
        raise _Refused(400, "Content-Length must be a decimal number of bytes")
    if int(text) > MAX_REQUEST:
        raise _Refused(413, f"a request body is at most {MAX_REQUEST} bytes")
    return int(text)


class _Handler(socketserver.StreamRequestHandler):
    """A lean HTTP/1.1 handler: keep-alive, Content-Length bodies, one write
    per answer (the stdlib handler's header parsing would dominate a step).
    The request line, the headers and the body are bounded (MAX_REQUEST_LINE,
    MAX_HEADER_BYTES, MAX_HEADERS, MAX_REQUEST): a request over a limit, with
    a Transfer-Encoding or with a Content-Length that is not a decimal number
    is answered at once, its body unread, and the connection closed."""

    disable_nagle_algorithm = True
    timeout = 120  # an idle keep-alive connection is closed after this many seconds
    server: ImplementationServer

    def handle(self) -> None:
        try:
            while self._one_request():
                pass
        except (OSError, ValueError):
            return  # the client went away or timed out: just close

    def _one_request(self) -> bool:
        line = self.rfile.readline(MAX_REQUEST_LINE + 1)
        if not line.strip():
            return False
        try:
            verb, target, version = _request_line(line)
            headers = self._headers()
            length = _content_length(headers)
        except _Refused as refused:
            self._send(refused.status, {"error": {"kind": "protocol", "message": refused.message}}, close=True)
            return False
        body = self.rfile.read(length)
        if len(body) < length:
            return False  # the client went away
        connection = headers.get("connection", "").lower()
        keep = connection != "close" if version == "HTTP/1.1" else connection == "keep-alive"
        status, answer = self._route(verb, target.split("?")[0].rstrip("/"), body)
        self._send(status, answer, close=not keep)
        return keep

    def _headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        budget = MAX_HEADER_BYTES
        for _ in range(MAX_HEADERS + 1):
            line = self.rfile.readline(budget + 1)
            if line in (b"\r\n", b"\n"):
                return headers
            budget -= len(line)
            if budget < 0:
                raise _Refused(431, f"the headers exceed {MAX_HEADER_BYTES} bytes")
            name, sep, value = line.decode("latin-1").partition(":")
            if not sep or not line.endswith(b"\n"):
                raise _Refused(400, "malformed HTTP header")
            name, value = name.strip().lower(), value.strip()
            if headers.setdefault(name, value) != value and name == "content-length":
                raise _Refused(400, "conflicting Content-Length headers")  # which body would be meant?
        raise _Refused(431, f"more than {MAX_HEADERS} headers")

    def _route(self, verb: str, path: str, body: bytes) -> tuple[int, object]:
        if verb == "GET" and path == HELLO_PATH:
            return self._answer({"method": "hello", "params": {}})
        if verb != "POST" or path not in (SERVICE_REQUEST_PATH, RESET_PATH, EVENT_PATH):
            known = f"GET {HELLO_PATH}, POST {RESET_PATH}, {EVENT_PATH} or {SERVICE_REQUEST_PATH}"
            return 404, {"error": {"kind": "protocol", "message": f"no such call; the calls are {known}"}}
        try:
            message = self._message(path, body)
        except (ValueError, KeyError, TypeError) as error:
            return 400, {"error": {"kind": "protocol", "message": clipped(str(error))}}
        return self._answer(message)

    def _message(self, path: str, body: bytes) -> Json:
        if path == SERVICE_REQUEST_PATH:
            request = duis_bridge.xml_to_request(body.decode(), validate=self.server.validate_duis)
            return {"method": "step", "params": {"event": {"event": "submit", "request": request}}}
        return {"method": "reset" if path == RESET_PATH else "step", "params": loads(body)}

    def _answer(self, message: Json) -> tuple[int, object]:
        """Dispatch one call.  ``hello`` reads no state and never waits; any
        other call waits at most BUSY_WAIT_S for another client's call to end
        (each call's work is bounded by the model's input domain), else 503."""
        if message["method"] == "hello":
            answer = dispatch(self.server.implementation, {"id": 0, **message})
        elif self.server.lock.acquire(timeout=BUSY_WAIT_S):
            try:
                answer = dispatch(self.server.implementation, {"id": 0, **message})
            finally:
                self.server.lock.release()
        else:
            return 503, {"error": {"kind": "protocol", "message": "busy with another client's call: one run at a time"}}
        if "error" in answer:
            error = answer["error"]
            return _STATUS.get(error.get("kind"), 500), {"error": error}
        return 200, answer["result"]

    def _send(self, status: int, data: object, *, close: bool = False) -> None:
        """Write the whole answer at once (the client may be gone: OSError ends the handler)."""
        body = _json_body(data)  # type: ignore[arg-type]
        head = (
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{'Connection: close' + chr(13) + chr(10) if close else ''}\r\n"
        )
        self.wfile.write(head.encode("latin-1") + body)


class ImplementationServer(socketserver.ThreadingTCPServer):
    """An HTTP server in front of one implementation (one runner at a time:
    calls are serialised by a lock, since the implementation holds one state;
    a call that cannot have it within BUSY_WAIT_S is answered 503).
    Connection threads are daemons, so ``shutdown`` never waits for an idle
    keep-alive connection."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    # Connections the kernel holds before they are accepted: 1,000 clients
    # connecting at once are all queued (the system's somaxconn caps it).
    request_queue_size = 1024

    def __init__(
        self, implementation: Implementation, host: str = "127.0.0.1", port: int = 0, *, validate_duis: bool = False
    ) -> None:
        self.implementation = implementation
        self.validate_duis = validate_duis
        self.lock = threading.Lock()
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


def start_background(
    implementation: Implementation, host: str = "127.0.0.1", *, validate_duis: bool = False
) -> ImplementationServer:
    """A server on a free loopback port, serving from a daemon thread (tests,
    benchmarks); stop it with ``server.shutdown(); server.server_close()``."""
    server = ImplementationServer(implementation, host, 0, validate_duis=validate_duis)
    threading.Thread(target=server.serve_forever, name="mhhs-sec-http", daemon=True).start()
    return server
