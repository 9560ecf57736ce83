"""Item 5: the runner survives the implementation.  Each fault of a fake
implementation gives an ``error`` verdict naming its cause, the runner restarts
the implementation and goes on, and nothing waits without a deadline.  The
vectors played are REG-4 / AC-3 ones: a misbehaving implementation never gets
a pass (or a silent drop) on them."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conform_kit import fake_command
from mhhs_sec.conformance.adapters import open_adapter
from mhhs_sec.conformance.reference import ReferenceImplementation
from mhhs_sec.conformance.runner import run_all

TIMEOUT_S = 0.5


def _run(spec: str, vectors: list[Any], timeout_s: float = TIMEOUT_S) -> list[Any]:
    adapter = open_adapter(spec, timeout_s=timeout_s)
    try:
        return run_all(adapter, vectors)[1]
    finally:
        adapter.close()


@pytest.mark.parametrize(
    ("mode", "cause"),
    [
        ("hang", "timeout"),
        ("slow", "timeout"),
        ("crash", "crash"),
        ("close-stdin", "closed-pipe"),
        ("garbage", "garbage"),
        ("schema", "schema"),
        ("wrong-id", "protocol"),
    ],
)
def test_each_fault_is_an_error_verdict_with_its_cause(mode: str, cause: str, few_vectors: list[Any]) -> None:
    verdicts = _run(fake_command(mode), few_vectors[:2])
    # close-stdin misbehaves only in its first life: after the restart it answers.
    expected = ["error", "pass"] if mode == "close-stdin" else ["error", "error"]
    assert [v.status for v in verdicts] == expected, [v.reason for v in verdicts]
    # never hangs: a hang or a slow answer ends at the runner's own per-call deadline ('timeout')
    assert all(v.reason.startswith(cause) for v in verdicts if v.status == "error"), [v.reason for v in verdicts]


def test_crash_reports_exit_code_and_stderr(few_vectors: list[Any]) -> None:
    (verdict,) = _run(fake_command("crash"), few_vectors[:1])
    assert "exit code 3" in verdict.reason and "simulated crash" in verdict.reason


def test_runner_restarts_after_a_crash_and_goes_on(few_vectors: list[Any], tmp_path: Path) -> None:
    marker = tmp_path / "crashed-once"
    verdicts = _run(fake_command("crash-once", str(marker)), few_vectors)
    assert [v.status for v in verdicts] == ["error"] + ["pass"] * (len(few_vectors) - 1)
    assert marker.exists()


def test_a_command_that_cannot_start_errors_every_vector(few_vectors: list[Any]) -> None:
    verdicts = _run("cmd:/nonexistent/mhhs-implementation", few_vectors)
    assert {v.status for v in verdicts} == {"error"}
    assert all("start" in v.reason for v in verdicts)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_refused_http_connection_is_an_error(few_vectors: list[Any]) -> None:
    verdicts = _run(f"http://127.0.0.1:{_free_port()}", few_vectors[:2])
    assert [v.status for v in verdicts] == ["error", "error"]
    assert all("refused" in v.reason for v in verdicts)


class _BadHandler(http.server.BaseHTTPRequestHandler):
    """Answers hello well, then garbage (mode 'garbage') or too late ('slow')."""

    mode = "garbage"

    def log_message(self, *args: Any) -> None:
        return

    def _reply(self, body: bytes, status: int = 200) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the runner gave up waiting, as it should

    def do_GET(self) -> None:  # noqa: N802
        self._reply(json.dumps(ReferenceImplementation().hello()).encode())

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.mode == "trickle":  # each byte in time, the whole answer far too late
            return self._trickle(b'{"outputs": []}' + b" " * 33)  # 48 bytes: 6 s in all
        if self.mode == "slow":
            time.sleep(TIMEOUT_S * 3)
        self._reply(b"<html>not json</html>")

    def _trickle(self, body: bytes) -> None:
        try:
            self.wfile.write(f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode())
            for byte in body:
                self.wfile.write(bytes([byte]))
                time.sleep(TIMEOUT_S / 4)
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture(params=["garbage", "slow", "trickle"])
def bad_server(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    handler = type("Handler", (_BadHandler,), {"mode": request.param})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", request.param
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_http_garbage_and_slow_answers_are_errors(bad_server: tuple[str, str], few_vectors: list[Any]) -> None:
    url, mode = bad_server
    verdicts = _run(url, few_vectors[:1])
    # a trickling server (6 s in all) cannot stretch the deadline: the runner's deadline covers the whole answer
    expected = {"garbage": "garbage", "slow": "timeout", "trickle": "timeout"}[mode]
    assert verdicts[0].status == "error" and verdicts[0].reason.startswith(expected), verdicts[0].reason


def test_inprocess_exceptions_and_bad_outputs_are_errors(few_vectors: list[Any]) -> None:
    verdicts = _run("python:conform_kit:Raises", few_vectors[:1])
    assert verdicts[0].status == "error" and verdicts[0].reason.startswith("internal")
    verdicts = _run("python:conform_kit:BadOutputs", few_vectors[:1])
    assert verdicts[0].status == "error" and verdicts[0].reason.startswith("schema")


def test_runner_gives_up_after_errors_in_a_row(all_vectors: list[Any]) -> None:
    """A hanging implementation costs a few timeouts, not one per vector."""
    vectors = [v for v in all_vectors if v.steps][:6]
    adapter = open_adapter(fake_command("hang"), timeout_s=TIMEOUT_S)
    try:
        verdicts = run_all(adapter, vectors, give_up_after=2)[1]
    finally:
        adapter.close()
    assert [v.status for v in verdicts] == ["error"] * len(vectors)
    # two timeouts, then the rest not run (not six timeouts of a 60 s hang)
    assert [v.reason.split(":")[0] for v in verdicts[:2]] == ["timeout at step 1"] * 2
    assert all(v.reason.startswith("not run: 2 errors in a row") for v in verdicts[2:])
