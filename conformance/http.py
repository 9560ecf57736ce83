"""HTTP transport: the HTTP adapter (``http://HOST:PORT``) and the server behind
``mhhs-sec serve --http PORT``.

Service requests travel as DUIS XML, as a DCC Boxed-style endpoint takes them:
``POST /api/v1/serviceRequest`` with an ``sr:Request`` body whose MHHS
additions (MDR role, ForSettlement, execution time, ...) sit in the project
namespace beside the DUIS part (:mod:`mhhs_sec.vectors.duis`).  The control
calls are JSON: ``GET /mhhs/v1/hello``, ``POST /mhhs/v1/reset``,
``POST /mhhs/v1/event`` (every event but ``submit``).  Answers are JSON: 200
with the result, 422 with ``{"error": {"kind": "rejected", ...}}`` for an
invalid event, 400 for a malformed call, 500 for an internal failure.
"""

from __future__ import annotations

import http.client
import io
import json
import socket
import socketserver
import threading
import time
from typing import Any, Final
from urllib.parse import urlsplit

from . import duis_bridge
from .protocol import AdapterFault, Capabilities, Implementation, Json
from .wire import check_answer, dispatch

SERVICE_REQUEST_PATH: Final = "/api/v1/serviceRequest"
HELLO_PATH: Final = "/mhhs/v1/hello"
RESET_PATH: Final = "/mhhs/v1/reset"
EVENT_PATH: Final = "/mhhs/v1/event"
_STATUS: Final = {"rejected": 422, "protocol": 400, "internal": 500}


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
        sock = self._connect(method)
        payload = body or b""
        head = (
            f"{verb} {self.base}{path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: {kind}\r\nContent-Length: {len(payload)}\r\n\r\n"
        )
        deadline = time.monotonic() + self.timeout_s
        try:
            sock.settimeout(self.timeout_s)
            sock.sendall(head.encode("latin-1") + payload)  # one segment: no Nagle / delayed-ACK stall
            response = http.client.HTTPResponse(_Deadline(sock, deadline), method=verb)  # type: ignore[arg-type]
            response.begin()
            status, data = response.status, response.read()
            if response.will_close:
                self.restart()
        except TimeoutError:
            self.restart()
            raise AdapterFault("timeout", f"{method}: no answer within {self.timeout_s:g} s") from None
        except (http.client.HTTPException, ConnectionError, OSError) as error:
            self.restart()
            raise AdapterFault("crash", f"{method}: connection lost: {type(error).__name__}: {error}") from None
        try:
            answer = json.loads(data)
        except ValueError:
            raise AdapterFault("garbage", f"{method}: HTTP {status} body is not JSON: {data[:120]!r}") from None
        if status == 200:
            return answer
        return check_answer({"id": 0, **(answer if isinstance(answer, dict) else {"junk": answer})}, 0, method)

    def _connect(self, method: str) -> socket.socket:
        if self._socket is not None:
            return self._socket
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.timeout_s)
        except ConnectionRefusedError:
            raise AdapterFault("refused", f"{method}: connection to {self.host}:{self.port} refused") from None
        except OSError as error:
            raise AdapterFault("refused", f"{method}: cannot connect to {self.host}:{self.port}: {error}") from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._socket = sock
        return sock

    def restart(self) -> None:
        """Drop the connection; the next call opens a new one (a server that
        went away cannot be restarted from here)."""
        sock, self._socket = self._socket, None
        if sock is not None:
            sock.close()

    def close(self) -> None:
        self.restart()


class _DeadlineReader(io.RawIOBase):
    """Socket reads that together never take longer than the deadline (a
    server trickling bytes cannot keep the runner waiting)."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock, self.deadline = sock, deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("deadline passed")
        self.sock.settimeout(remaining)
        return self.sock.recv_into(buffer)


class _Deadline:
    """What :class:`http.client.HTTPResponse` needs of a socket: ``makefile``."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock, self.deadline = sock, deadline

    def makefile(self, mode: str, *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self.sock, self.deadline))


def _json_body(data: Json) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


# ---- server -------------------------------------------------------------------


_REASONS: Final = {200: "OK", 400: "Bad Request", 404: "Not Found", 411: "Length Required", 422: "Unprocessable Entity",
                   500: "Internal Server Error"}  # fmt: skip
_MAX_HEADER_LINE: Final = 65536


class _Handler(socketserver.StreamRequestHandler):
    """A lean HTTP/1.1 handler: keep-alive, Content-Length bodies, one write
    per answer (the stdlib handler's header parsing would dominate a step)."""

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
        line = self.rfile.readline(_MAX_HEADER_LINE + 1)
        if not line.strip():
            return False
        parts = line.decode("latin-1").split()
        headers = self._headers()
        if len(parts) != 3 or headers is None:
            self._send(400, {"error": {"kind": "protocol", "message": "malformed HTTP request"}}, close=True)
            return False
        verb, target, version = parts
        if "chunked" in headers.get("transfer-encoding", "").lower():
            self._send(411, {"error": {"kind": "protocol", "message": "send a Content-Length body"}}, close=True)
            return False
        body = self.rfile.read(int(headers.get("content-length") or 0))
        connection = headers.get("connection", "").lower()
        keep = connection != "close" if version == "HTTP/1.1" else connection == "keep-alive"
        status, answer = self._route(verb, target.split("?")[0].rstrip("/"), body)
        self._send(status, answer, close=not keep)
        return keep

    def _headers(self) -> dict[str, str] | None:
        headers: dict[str, str] = {}
        while True:
            line = self.rfile.readline(_MAX_HEADER_LINE + 1)
            if line in (b"\r\n", b"\n"):
                return headers
            if not line or len(line) > _MAX_HEADER_LINE:
                return None
            name, sep, value = line.decode("latin-1").partition(":")
            if not sep:
                return None
            headers[name.strip().lower()] = value.strip()

    def _route(self, verb: str, path: str, body: bytes) -> tuple[int, object]:
        if verb == "GET" and path == HELLO_PATH:
            return self._answer({"method": "hello", "params": {}})
        if verb != "POST" or path not in (SERVICE_REQUEST_PATH, RESET_PATH, EVENT_PATH):
            return 404, {"error": {"kind": "protocol", "message": f"no such call: {verb} {path}"}}
        try:
            message = self._message(path, body)
        except (ValueError, KeyError, TypeError) as error:
            return 400, {"error": {"kind": "protocol", "message": str(error)}}
        return self._answer(message)

    def _message(self, path: str, body: bytes) -> Json:
        if path == SERVICE_REQUEST_PATH:
            request = duis_bridge.xml_to_request(body.decode(), validate=self.server.validate_duis)
            return {"method": "step", "params": {"event": {"event": "submit", "request": request}}}
        return {"method": "reset" if path == RESET_PATH else "step", "params": json.loads(body)}

    def _answer(self, message: Json) -> tuple[int, object]:
        with self.server.lock:
            answer = dispatch(self.server.implementation, {"id": 0, **message})
        if "error" in answer:
            error = answer["error"]
            return _STATUS.get(error.get("kind"), 500), {"error": error}
        return 200, answer["result"]

    def _send(self, status: int, data: object, *, close: bool = False) -> None:
        body = _json_body(data)  # type: ignore[arg-type]
        head = (
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{'Connection: close' + chr(13) + chr(10) if close else ''}\r\n"
        )
        self.wfile.write(head.encode("latin-1") + body)


class ImplementationServer(socketserver.ThreadingTCPServer):
    """An HTTP server in front of one implementation (one runner at a time:
    calls are serialised by a lock, since the implementation holds one state).
    Connection threads are daemons, so ``shutdown`` never waits for an idle
    keep-alive connection."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

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
