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
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
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
        self._connection: http.client.HTTPConnection | None = None

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
        connection = self._connect(method)
        try:
            connection.request(verb, self.base + path, body=body, headers={"Content-Type": kind})
            response = connection.getresponse()
            status, data = response.status, response.read()
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

    def _connect(self, method: str) -> http.client.HTTPConnection:
        if self._connection is not None:
            return self._connection
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout_s)
        try:
            connection.connect()
        except ConnectionRefusedError:
            raise AdapterFault("refused", f"{method}: connection to {self.host}:{self.port} refused") from None
        except (TimeoutError, OSError) as error:
            raise AdapterFault("refused", f"{method}: cannot connect to {self.host}:{self.port}: {error}") from None
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._connection = connection
        return connection

    def restart(self) -> None:
        """Drop the connection; the next call opens a new one (a server that
        went away cannot be restarted from here)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def close(self) -> None:
        self.restart()


def _json_body(data: Json) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


# ---- server -------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: ImplementationServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        return  # quiet: one line per step would drown the runner's output

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        if self.path.rstrip("/") != HELLO_PATH:
            return self._send(404, {"error": {"kind": "protocol", "message": f"no such path {self.path}"}})
        self._answer({"method": "hello", "params": {}})

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        try:
            message = self._message(self.path.rstrip("/"), body)
        except (ValueError, KeyError, TypeError) as error:
            return self._send(400, {"error": {"kind": "protocol", "message": str(error)}})
        self._answer(message)

    def _message(self, path: str, body: bytes) -> Json:
        if path == SERVICE_REQUEST_PATH:
            request = duis_bridge.xml_to_request(body.decode(), validate=self.server.validate_duis)
            return {"method": "step", "params": {"event": {"event": "submit", "request": request}}}
        if path == RESET_PATH:
            return {"method": "reset", "params": json.loads(body)}
        if path == EVENT_PATH:
            return {"method": "step", "params": json.loads(body)}
        raise ValueError(f"no such path {path}")

    def _answer(self, message: Json) -> None:
        with self.server.lock:
            answer = dispatch(self.server.implementation, {"id": 0, **message})
        if "error" in answer:
            error = answer["error"]
            return self._send(_STATUS.get(error.get("kind"), 500), {"error": error})
        result = answer["result"]
        self._send(200, result)

    def _send(self, status: int, data: object) -> None:
        body = _json_body(data)  # type: ignore[arg-type]
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class ImplementationServer(HTTPServer):
    """An HTTP server in front of one implementation (one runner at a time)."""

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
        return f"http://{host}:{port}"


def start_background(
    implementation: Implementation, host: str = "127.0.0.1", *, validate_duis: bool = False
) -> ImplementationServer:
    """A server on a free loopback port, serving from a daemon thread (tests,
    benchmarks); stop it with ``server.shutdown(); server.server_close()``."""
    server = ImplementationServer(implementation, host, 0, validate_duis=validate_duis)
    threading.Thread(target=server.serve_forever, name="mhhs-sec-http", daemon=True).start()
    return server
