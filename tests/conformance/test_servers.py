"""The reference servers (``mhhs-sec serve --stdio`` / ``--http``) as an
attack surface: bounded lines, headers, bodies and nesting; 4xx answers at
once, with fixed or clipped text that never echoes the input; no XML entity
is ever expanded; a listen backlog that holds 1,000 clients connecting at
once.  Loopback only; socket timeouts are deadlines against a hang, never
measurements."""

from __future__ import annotations

import io
import json
import resource
import socket
import threading
from pathlib import Path

import pytest
from mhhs_sec.conformance.http import (
    MAX_HEADER_BYTES,
    MAX_HEADERS,
    MAX_REQUEST_LINE,
    ImplementationServer,
)
from mhhs_sec.conformance.reference import ReferenceImplementation
from mhhs_sec.conformance.stdio import serve_stdio
from mhhs_sec.conformance.wire import MAX_ERROR_TEXT, MAX_REQUEST

DEADLINE_S = 30.0  # against a hang only: every answer here comes at once
MARKER = "ECHO-MARKER-" * 400  # 4,800 characters an answer must not carry back


def _serve_lines(*lines: bytes) -> list[dict[str, object]]:
    sink = io.BytesIO()
    serve_stdio(ReferenceImplementation(), io.BytesIO(b"".join(lines)), sink)
    return [json.loads(line) for line in sink.getvalue().splitlines()]


def test_stdio_server_refuses_deep_and_overlong_lines_and_goes_on() -> None:
    hello = b'{"id": 9, "method": "hello", "params": {}}\n'
    answers = _serve_lines(
        b"[" * 100_000 + b"\n",
        MARKER.encode() * (MAX_REQUEST // len(MARKER) + 1) + b"\n",
        b'{"id": 1, "method": "' + MARKER.encode() * 200 + b'"}\n',
        hello,
    )
    assert [a["id"] for a in answers] == [None, None, 1, 9]
    assert "nested" in answers[0]["error"]["message"]  # type: ignore[index]
    assert f"longer than {MAX_REQUEST} bytes" in answers[1]["error"]["message"]  # type: ignore[index]
    assert len(json.dumps(answers[2])) < MAX_ERROR_TEXT + 100  # the unknown method is clipped
    assert "result" in answers[3]


def _exchange(server: ImplementationServer, request: bytes, *, closes: bool = False) -> tuple[int, bytes, bool]:
    """Send raw bytes (the connection left open for writing), read one answer:
    status, body and (``closes``: waiting for it) whether the server then
    closed the connection."""
    with socket.create_connection(server.server_address[:2], timeout=DEADLINE_S) as sock:
        sock.sendall(request)
        reader = sock.makefile("rb")
        status = int(reader.readline().split()[1])
        length = 0
        while (line := reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            length = int(value) if name.lower() == "content-length" else length
        body = reader.read(length)
        return status, body, closes and reader.read(1) == b""


def _post(path: str, body: bytes, kind: str = "application/json") -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"POST /mhhs/v1/event HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
        (b"POST /mhhs/v1/event HTTP/1.1\r\nContent-Length: +5\r\n\r\n", 400),
        (b"POST /mhhs/v1/event HTTP/1.1\r\nContent-Length: 1000000000000\r\n\r\n", 413),
        (f"POST /mhhs/v1/event HTTP/1.1\r\nContent-Length: {MAX_REQUEST + 1}\r\n\r\n".encode(), 413),
        (b"POST /mhhs/v1/event HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400),
        (b"POST /mhhs/v1/event HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 411),
        (b"GET /" + b"a" * MAX_REQUEST_LINE + b" HTTP/1.1\r\n\r\n", 414),
        (b"GET /mhhs/v1/hello HTTP/1.1\r\n" + b"X-A: b\r\n" * (MAX_HEADERS + 1) + b"\r\n", 431),
        (b"GET /mhhs/v1/hello HTTP/1.1\r\nX-A: " + b"b" * MAX_HEADER_BYTES + b"\r\n\r\n", 431),
        (b"GET /mhhs/v1/hello HTTP/1.1\r\nno colon here\r\n\r\n", 400),
    ],
)
def test_http_server_refuses_bad_framing_at_once_and_closes(
    server: ImplementationServer, request_bytes: bytes, status: int
) -> None:
    """Answered before any body is read (the client still holds its side
    open), then the connection is closed."""
    answer_status, body, closed = _exchange(server, request_bytes, closes=True)
    assert (answer_status, closed) == (status, True), body
    assert json.loads(body)["error"]["kind"] == "protocol"


@pytest.mark.parametrize(
    "request_bytes",
    [
        f"GET /{MARKER} HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
        _post("/mhhs/v1/event", f'{{"event": "{MARKER}'.encode()),
        _post("/mhhs/v1/event", json.dumps({"event": {"event": "advance_clock", "to": MARKER}}).encode()),
        _post("/mhhs/v1/event", json.dumps({"event": {"event": MARKER}}).encode()),
        _post("/api/v1/serviceRequest", f"<mhhs:ServiceRequest xmlns:mhhs='urn:mhhs-sec:1'>{MARKER}".encode(), "x"),
    ],
)
def test_error_answers_never_echo_the_input(server: ImplementationServer, request_bytes: bytes) -> None:
    status, body, _ = _exchange(server, request_bytes)
    assert 400 <= status < 500
    assert "ECHO-MARKER-" * 30 not in body.decode() and len(body) < MAX_ERROR_TEXT + 200, body


_BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]><mhhs:ServiceRequest xmlns:mhhs='urn:mhhs-sec:1'>&lol9;</mhhs:ServiceRequest>"
)
_EXTERNAL = (
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    "<mhhs:ServiceRequest xmlns:mhhs='urn:mhhs-sec:1'><mhhs:Role>&x;</mhhs:Role></mhhs:ServiceRequest>"
)
_PARAMETER = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]><r/>'


@pytest.mark.parametrize(
    ("document", "said"),
    [
        (_BILLION_LAUGHS, "document type declaration"),
        (_EXTERNAL, "document type declaration"),
        (_PARAMETER, "document type declaration"),
        ("<a>" * 1000 + "</a>" * 1000, "nested deeper"),
        ("<mhhs:ServiceRequest xmlns:mhhs='urn:mhhs-sec:1'>&undeclared;</mhhs:ServiceRequest>", "not well-formed"),
    ],
)
def test_xml_entities_are_never_expanded_and_nesting_is_bounded(
    server: ImplementationServer, document: str, said: str
) -> None:
    status, body, _ = _exchange(server, _post("/api/v1/serviceRequest", document.encode(), "application/xml"))
    assert status == 400 and said in json.loads(body)["error"]["message"], body
    assert b"root:" not in body and b"lollol" not in body


def test_http_server_refuses_deep_json(server: ImplementationServer) -> None:
    status, body, _ = _exchange(server, _post("/mhhs/v1/event", b'{"event": ' + b"[" * 100_000))
    assert status == 400 and "nested" in json.loads(body)["error"]["message"]


def test_listen_backlog_holds_1000_clients_connecting_at_once() -> None:
    """1,000 connections are established before the server accepts any (the
    kernel queues them), then every one gets its answer."""
    _room_for_1000_clients()
    server = ImplementationServer(ReferenceImplementation())
    clients: list[socket.socket] = []
    try:
        for _ in range(1000):
            clients.append(socket.create_connection(server.server_address[:2], timeout=DEADLINE_S))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        for client in clients:
            client.sendall(b"GET /mhhs/v1/hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answers = [client.makefile("rb").readline() for client in clients]
        assert set(answers) == {b"HTTP/1.1 200 OK\r\n"}
    finally:
        for client in clients:
            client.close()
        server.shutdown()
        server.server_close()


def _room_for_1000_clients() -> None:
    """Skip where the system cannot hold the test itself: a listen queue capped
    below 1,000 (somaxconn) or too few file descriptors (the soft limit is
    raised to what the hard limit allows)."""
    somaxconn = Path("/proc/sys/net/core/somaxconn")
    if somaxconn.is_file() and int(somaxconn.read_text()) < 1000:
        pytest.skip("the system caps listen queues below 1,000 (net.core.somaxconn)")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 2200  # 1,000 clients and the server's 1,000 accepted sockets
    if soft < wanted:
        if hard != resource.RLIM_INFINITY and hard < wanted:
            pytest.skip(f"at most {hard} open files here; the test needs {wanted}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
