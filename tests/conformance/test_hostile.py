"""The runner's contract against hostile implementations: whatever an
implementation sends (depth, size, bytes, extra answers, children, signals),
each vector gets a verdict, within the runner's own deadlines and bounded
memory, the reports are written and no process is left behind.

The hostile ``cmd:`` implementations are modes of ``fakes/misbehave.py``; the
hostile HTTP servers are tiny loopback servers defined here.  No assertion
measures wall-clock time: where speed matters, the runner's own per-call
timeout is the judge (a slow path would turn the expected cause into
``timeout``)."""

from __future__ import annotations

import contextlib
import io
import socket
import socketserver
import threading
import tracemalloc
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conform_kit import fake_command, subset_folder
from mhhs_sec.conformance import http as http_transport
from mhhs_sec.conformance.adapters import open_adapter
from mhhs_sec.conformance.reference import ReferenceImplementation
from mhhs_sec.conformance.runner import Run, Verdict, run_all
from mhhs_sec.conformance.wire import MAX_MESSAGE

from mhhs_sec.cli import main

# Generous per-call timeout: these tests show a cause other than 'timeout'.
TIMEOUT_S = 10.0
MIB = 1024 * 1024


def _run(spec: str, vectors: list[Any], timeout_s: float = TIMEOUT_S) -> list[Verdict]:
    adapter = open_adapter(spec, timeout_s=timeout_s)
    try:
        return run_all(adapter, vectors, give_up_after=0)[1]
    finally:
        adapter.close()


def _alive(pid: int) -> bool:
    """Is the process running and not about to die?  Gone, a zombie, or with
    a SIGKILL pending (delivered, not yet acted on) counts as dead: no waiting."""
    try:
        status = dict(
            line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
        )
    except (FileNotFoundError, ProcessLookupError):
        return False
    pending = int(status["ShdPnd"], 16) | int(status["SigPnd"], 16)
    return not status["State"].strip().startswith(("Z", "X")) and not pending & (1 << (9 - 1))


# ---- stdio ----------------------------------------------------------------------


def test_an_answer_nested_1000_deep_is_an_error_verdict(few_vectors: list[Any]) -> None:
    verdicts = _run(fake_command("deep"), few_vectors[:2])
    assert [v.status for v in verdicts] == ["error", "error"], [v.reason for v in verdicts]
    assert all(v.reason.startswith("garbage") and "JSON nested" in v.reason for v in verdicts)


def test_a_63_mib_answer_line_is_read_within_the_timeout(few_vectors: list[Any]) -> None:
    """Reading a line is linear in its length: 63 MiB (under the limit) fit
    in the per-call timeout and the vector passes."""
    verdicts = _run(fake_command("long-answer"), few_vectors[:1])
    assert [v.status for v in verdicts] == ["pass"], [v.reason for v in verdicts]


def test_a_line_past_the_limit_is_an_error_not_a_timeout(few_vectors: list[Any]) -> None:
    verdicts = _run(fake_command("endless-line"), few_vectors[:1])
    assert verdicts[0].status == "error"
    assert verdicts[0].reason.startswith("garbage") and f"longer than {MAX_MESSAGE} bytes" in verdicts[0].reason


def test_stderr_is_kept_as_a_bounded_tail(few_vectors: list[Any]) -> None:
    """300 MB of stderr: the report keeps its end, the runner holds a few
    kilobytes of it (traced allocations stay far below the stream's size)."""
    tracemalloc.start()
    try:
        verdicts = _run(fake_command("stderr-flood"), few_vectors[:1])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    reason = verdicts[0].reason
    assert verdicts[0].status == "error" and reason.startswith("crash"), reason
    assert "exit code 3" in reason and reason.endswith("last words)"), reason
    assert peak < 16 * MIB, peak


def test_a_child_holding_stdout_does_not_hide_the_crash_nor_survive(few_vectors: list[Any], tmp_path: Path) -> None:
    marker = tmp_path / "child.pid"
    verdicts = _run(fake_command("orphan", str(marker)), few_vectors[:1])
    reason = verdicts[0].reason
    assert verdicts[0].status == "error" and reason.startswith("crash"), reason
    assert "exit code 3" in reason and "leaving a child behind" in reason
    assert not _alive(int(marker.read_text()))


def test_no_child_survives_a_restart(few_vectors: list[Any], tmp_path: Path) -> None:
    """A hanging implementation is killed with its whole process group."""
    marker = tmp_path / "child.pid"
    adapter = open_adapter(fake_command("orphan-hang", str(marker)), timeout_s=2.0)
    try:
        (verdict,) = run_all(adapter, few_vectors[:1])[1]
        assert verdict.status == "error" and verdict.reason.startswith("timeout"), verdict.reason
        assert not _alive(int(marker.read_text()))  # restarted after the error: the group is gone
    finally:
        adapter.close()


def test_signals_to_its_group_do_not_reach_the_runner(few_vectors: list[Any]) -> None:
    """The implementation SIGINTs its process group, then dies by SIGKILL: its
    group is not the runner's, and the verdict names the signal."""
    verdicts = _run(fake_command("signal"), few_vectors[:2])
    assert [v.status for v in verdicts] == ["error", "error"]
    assert all(v.reason.startswith("crash") and "killed by signal SIGKILL" in v.reason for v in verdicts)


def test_an_extra_stdio_answer_is_an_error_never_a_fail(few_vectors: list[Any]) -> None:
    """The extra answer is read as the answer to the next request: its id
    gives it away."""
    verdicts = _run(fake_command("double"), few_vectors)
    assert "fail" not in [v.status for v in verdicts] and "error" in [v.status for v in verdicts]
    assert all("does not match request id" in v.reason for v in verdicts if v.status == "error")


def test_control_bytes_never_reach_reports_or_terminal_raw(
    few_vectors: list[Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = str(subset_folder(few_vectors[:1], tmp_path / "vectors"))
    junit_file, html_file = tmp_path / "conform.xml", tmp_path / "conform.html"
    code = main(["conform", "--quiet", "--vectors", folder, "--adapter", fake_command("control-bytes"),
                 "--junit", str(junit_file), "--html", str(html_file)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 1
    error = ET.parse(junit_file).getroot().find(".//error")  # well-formed XML 1.0
    assert error is not None and "\\x00\\x1b[2J" in error.get("message", "")
    for text in (out, junit_file.read_text(), html_file.read_text()):
        assert "\x1b" not in text and "\x00" not in text and "\x07" not in text
    assert "\\x1b[31mred\\x00 implementation" in out


def test_a_deep_answer_still_writes_the_reports(few_vectors: list[Any], tmp_path: Path) -> None:
    folder = str(subset_folder(few_vectors[:1], tmp_path / "vectors"))
    junit_file, html_file = tmp_path / "conform.xml", tmp_path / "conform.html"
    code = main(["conform", "--quiet", "--vectors", folder, "--adapter", fake_command("deep"),
                 "--junit", str(junit_file), "--html", str(html_file)])  # fmt: skip
    assert code == 1
    assert ET.parse(junit_file).getroot().get("errors") == "1"
    assert "JSON nested" in html_file.read_text()


def test_the_runners_own_failure_has_its_own_exit_code(
    few_vectors: list[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 0 all passed, 1 conformance failures, 2 usage, 3 the runner failed."""
    folder = str(subset_folder(few_vectors[:1], tmp_path / "vectors"))

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug in the runner")

    monkeypatch.setattr("mhhs_sec.conformance.runner.run_all", broken)
    assert main(["conform", "--quiet", "--vectors", folder]) == 3
    assert "a bug in the runner" in capsys.readouterr().err


# ---- HTTP -----------------------------------------------------------------------


class _Scripted(socketserver.StreamRequestHandler):
    """A loopback HTTP server answering hello and reset like the reference and
    every step with ``answer`` (raw bytes: status line, headers, body)."""

    answer: Callable[[socket.socket], None]

    def handle(self) -> None:
        try:
            while self._one():
                pass
        except OSError:
            return

    def _one(self) -> bool:
        line = self.rfile.readline(65537)
        if not line:
            return False
        length = 0
        while (header := self.rfile.readline(65537)) not in (b"\r\n", b"\n", b""):
            name, _, value = header.decode("latin-1").partition(":")
            length = int(value) if name.strip().lower() == "content-length" else length
        self.rfile.read(length)
        if line.startswith(b"GET"):
            self._json(http_transport._json_body(ReferenceImplementation().hello()))
        elif b"/reset" in line:
            self._json(b"{}")
        else:
            type(self).answer(self.request)
        return True

    def _json(self, body: bytes) -> None:
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))


@contextlib.contextmanager
def _serve(answer: Callable[[socket.socket], None]) -> Iterator[str]:
    handler = type("Handler", (_Scripted,), {"answer": staticmethod(answer)})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _deep(sock: socket.socket) -> None:
    body = b"[" * 1000 + b"]" * 1000
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))


def _huge_length(sock: socket.socket) -> None:
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\n{")


def _endless_chunks(sock: socket.socket) -> None:
    sock.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"%x\r\n%s\r\n" % (MIB, b" " * MIB)
    for _ in range(MAX_MESSAGE // MIB + 8):  # past the limit, then stop (the runner has hung up)
        sock.sendall(chunk)


def _endless_header(sock: socket.socket) -> None:
    sock.sendall(b"HTTP/1.1 200 OK\r\nX-Long: " + b"x" * (2 * MIB))


def _many_headers(sock: socket.socket) -> None:
    sock.sendall(b"HTTP/1.1 200 OK\r\n" + b"X-A: b\r\n" * 100_000)


@pytest.mark.parametrize(
    ("answer", "cause", "expected"),
    [
        (_deep, "garbage", "JSON nested 1000 levels"),
        (_huge_length, "garbage", "answer body of 1000000000000 bytes"),
        (_endless_chunks, "garbage", f"longer than {MAX_MESSAGE} bytes"),
        (_endless_header, "crash", "LineTooLong"),
        (_many_headers, "crash", "more than 100 headers"),
    ],
)
def test_http_answers_too_deep_or_too_large_are_error_verdicts(
    answer: Callable[[socket.socket], None], cause: str, expected: str, few_vectors: list[Any]
) -> None:
    with _serve(answer) as url:
        verdicts = _run(url, few_vectors[:1])
        assert verdicts[0].status == "error" and verdicts[0].reason.startswith(cause), verdicts[0].reason
        assert expected in verdicts[0].reason


class _AnswersTwice(http_transport._Handler):
    """The reference server, but every step is answered twice (in one write,
    so the runner always has the extra answer when it looks)."""

    def _send(self, status: int, data: object, *, close: bool = False) -> None:
        if not (isinstance(data, dict) and "outputs" in data):
            return super()._send(status, data, close=close)
        wire, self.wfile = self.wfile, io.BytesIO()
        try:
            super()._send(status, data, close=close)
            once = self.wfile.getvalue()
        finally:
            self.wfile = wire
        wire.write(once + once)


@pytest.fixture
def doubling_server() -> Iterator[str]:
    server = http_transport.ImplementationServer(ReferenceImplementation())
    server.RequestHandlerClass = _AnswersTwice
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.url
    finally:
        server.shutdown()
        server.server_close()


def test_an_extra_http_answer_is_an_error_never_a_fail(doubling_server: str, few_vectors: list[Any]) -> None:
    verdicts = _run(doubling_server, few_vectors)
    assert [v.status for v in verdicts] == ["error"] * len(few_vectors), [v.reason for v in verdicts]
    assert all(v.reason.startswith("protocol") and "no request asked for" in v.reason for v in verdicts)


# ---- reports ----------------------------------------------------------------------


def test_reports_escape_what_xml_and_terminals_cannot_take() -> None:
    from mhhs_sec.conformance.reports import html, junit, text_summary

    hostile = "nul\x00 esc\x1b[2J bell\x07 c1\x85 lone\ud800 nonchar\uffff"
    verdict = Verdict("v-1", "error", ("AC-3",), (), hostile, reason=hostile, differences=(hostile,))
    run = Run("cmd:x", hostile, [verdict], 1, "mhhs-sec conform --adapter x")
    document = junit(run)
    ET.fromstring(document.encode("utf-8"))  # well-formed, and encodable (no lone surrogate)
    for text in (document, text_summary(run), html(run)):
        text.encode("utf-8")
        assert not any(ch in text for ch in "\x00\x1b\x07\x85\ud800\uffff")
        assert "\\x1b[2J" in text
