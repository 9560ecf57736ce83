"""The fuzz targets on the wire: the HTTP server (``mhhs-sec serve --http``,
JSON control calls and DUIS XML service requests, damaged heads included)
and the runner's reading of an implementation's answers."""

from __future__ import annotations

import contextlib
import os
import re
import selectors
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final
from xml.sax.saxutils import escape

from mhhs_sec.bounded_json import loads
from mhhs_sec.conformance import duis_bridge
from mhhs_sec.conformance.http import EVENT_PATH, RESET_PATH, SERVICE_REQUEST_PATH, read_result, start_background
from mhhs_sec.conformance.protocol import AdapterFault, Capabilities, EventRejected
from mhhs_sec.conformance.reference import ReferenceImplementation, full_capabilities
from mhhs_sec.conformance.reports import json_summary, junit, text_summary
from mhhs_sec.conformance.runner import Run, run_vector
from mhhs_sec.conformance.stdio import read_answer
from mhhs_sec.conformance.wire import check_answer
from mhhs_sec.vectors.compare import compare

from .mutate import Chooser, Mutant, chance, dumps, mutate, mutate_bytes, mutate_node, pick
from .targets import ACCEPTED, REFUSED, BadAnswer, Case, Hang, Inputs, check_error, worst

_TEXT: Final = re.compile(rb">([^<>]+)<")
_HEAD_END: Final = b"\r\n\r\n"


# ---- HTTP ---------------------------------------------------------------------------


def http_request(path: str, body: bytes, kind: str = "application/json", head: bytes = b"") -> bytes:
    """A POST as a client writes it (``head``: extra header lines)."""
    return (
        f"POST {path} HTTP/1.1\r\nHost: fuzz\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\n".encode()
        + head + b"\r\n" + body
    )  # fmt: skip


def damaged_head(chooser: Chooser, request: bytes, mutant: Mutant) -> bytes:
    """The request with its head damaged: lengths that lie, a chunked body,
    huge or many headers, a bad request line, an unknown call."""
    head, _, body = request.partition(_HEAD_END)
    how = chooser.below(8)
    mutant.label("http", ("length", "length", "chunked", "huge-header", "many-headers", "request-line",
                          "call", "version")[how])  # fmt: skip
    if how < 2:
        length = pick(chooser, (b"-1", b"1000000000000", b"abc", b"", str(len(body) + 10).encode(), b"0x10", b"1 2"))
        head = re.sub(rb"Content-Length: [0-9]+", b"Content-Length: " + length, head)
        if how == 1:
            head += b"\r\nContent-Length: " + str(len(body)).encode()
    elif how == 2:
        head += b"\r\nTransfer-Encoding: chunked"
    elif how == 3:
        head += b"\r\nX-Fuzz: " + b"x" * pick(chooser, (8_000, 70_000))
    elif how == 4:
        head += b"".join(b"\r\nX-Fuzz-%d: 1" % i for i in range(pick(chooser, (100, 101, 1_000))))
    elif how == 5:
        head = (
            pick(chooser, (b"POST", b"\x00\x1b[2J / HTTP/1.1", b"POST /" + b"a" * 9000 + b" HTTP/1.1", b""))
            + (head[head.index(b"\r\n") :])
        )
    elif how == 6:
        head = head.replace(b"POST /", pick(chooser, (b"GET /", b"PUT /", b"POST /../", b"POST /x/..%2F")), 1)
    else:
        head = head.replace(b"HTTP/1.1", pick(chooser, (b"HTTP/1.0", b"HTTP/2.0", b"HTTP/0.9")), 1)
    return head + _HEAD_END + body


def mutate_xml(chooser: Chooser, xml: bytes, mutant: Mutant, pool: Any) -> bytes:
    """A DUIS request document damaged: a text mutated like a JSON value, a
    document type with entities, deep nesting, an undeclared entity, bytes."""
    how = chooser.below(7)
    texts = list(_TEXT.finditer(xml))
    if how in (0, 1) and texts:
        found = pick(chooser, texts)
        value = mutate_node(chooser, found.group(1).decode().strip(), mutant, pool)
        text = value if isinstance(value, str) else dumps(value).decode()
        return xml[: found.start(1)] + escape(text).encode("utf-8", "surrogatepass") + xml[found.end(1) :]
    mutant.label("xml", ("text", "text", "doctype", "external", "nesting", "entity", "bytes")[how])
    if how == 2:
        bomb = b'<!DOCTYPE r [<!ENTITY a "' + b"a" * 1000 + b'"><!ENTITY b "' + b"&a;" * 1000 + b'">]>'
        return bomb + xml.replace(b"</sr:RequestID>", b"&b;</sr:RequestID>", 1)
    if how == 3:
        return b'<!DOCTYPE r SYSTEM "file:///etc/passwd">' + xml
    if how == 4:
        depth = pick(chooser, (25, 27, 10_000))
        return b"<a>" * depth + xml + b"</a>" * depth
    if how == 5:
        return xml.replace(b"</sr:RequestID>", b"&undeclared;</sr:RequestID>", 1)
    return mutate_bytes(chooser, xml, mutant)


class HttpTarget:
    """Raw requests to a reference HTTP server: ``process`` runs
    ``python -m mhhs_sec serve --http 0`` (the script; restarted after a hang),
    else a server thread in this process (the tests).  ``timeout_s``: the
    script's per-input bound of CPU time; the answer is awaited three times as
    long on the wall clock (None in the tests: no wall-clock limit)."""

    name = "http"

    def __init__(self, inputs: Inputs, *, process: bool = False, timeout_s: float | None = None) -> None:
        self.inputs, self.process = inputs, process
        self.wait_s = None if timeout_s is None else 3 * timeout_s
        self.peak_kib = 0
        self._xml: dict[tuple[int, int], bytes | None] = {}
        self._server: Any = None
        self._start()

    def _start(self) -> None:
        if not self.process:
            self._server = start_background(ReferenceImplementation())
            self.address = self._server.server_address[:2]
            return
        command = [sys.executable, "-m", "mhhs_sec", "serve", "--http", "0"]
        self._server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert self._server.stdout is not None
        host, port = self._server.stdout.readline().decode().strip().removeprefix("http://").rsplit(":", 1)
        self.address = (host, int(port))

    def make(self, chooser: Chooser) -> Case:
        where = self.inputs.corpus.step_at(chooser)
        mutant = Mutant(None)
        how = chooser.below(8)
        if how < 3:
            request = self._xml_request(chooser, mutant)
        elif how < 7:
            event = self.inputs.event(chooser, where)
            mutant.labels += event.labels
            body = mutate_bytes(chooser, dumps({"event": event.value}), mutant)
            request = http_request(EVENT_PATH, body)
        else:
            state = mutate(chooser, self.inputs.corpus.vectors[where[0]].initial_state, rounds=1)
            mutant.labels += state.labels
            request = http_request(RESET_PATH, dumps({"initial_state": state.value}))
        if chance(chooser, 5):
            request = damaged_head(chooser, request, mutant)
        requests = [request]
        if chance(chooser, 4):  # begin from the vector's initial state
            initial = self.inputs.corpus.vectors[where[0]].initial_state
            requests.insert(0, http_request(RESET_PATH, dumps({"initial_state": initial})))
        return Case("requests", requests, tuple(mutant.labels), where)

    def _xml_request(self, chooser: Chooser, mutant: Mutant) -> bytes:
        where = pick(chooser, self.inputs.corpus.submit_steps)
        if where not in self._xml:
            try:
                request = self.inputs.corpus.vectors[where[0]].steps[where[1]].event["request"]
                self._xml[where] = duis_bridge.request_to_xml(request).encode()
            except ValueError:
                self._xml[where] = None  # DUIS cannot carry it
        xml = self._xml[where] or b"<mhhs:ServiceRequest/>"
        body = mutate_xml(chooser, xml, mutant, self.inputs.corpus.strings)
        return http_request(SERVICE_REQUEST_PATH, body, "application/xml")

    def run(self, case: Case) -> str:
        hung = False
        try:
            return self._run(case)
        except Hang:
            hung = True
            raise
        finally:
            if not hung and not case.in_domain:
                self._forget(case)

    def _forget(self, case: Case) -> None:
        """After an input outside the model's domain, the server is reset to
        the vector's initial state: that input may have left it where no
        other input can go (a clock in year 9999), and the next would fail
        for it."""
        initial = self.inputs.corpus.vectors[case.context[0]].initial_state
        with contextlib.suppress(OSError):
            exchange(self.address, http_request(RESET_PATH, dumps({"initial_state": initial})), self.wait_s)

    def _run(self, case: Case) -> str:
        try:
            data = exchange(self.address, b"".join(case.payload), self.wait_s)
        except ConnectionResetError:
            data = None
        except TimeoutError:
            raise Hang(f"http: no answer within {self.wait_s} s") from None
        except ConnectionRefusedError:
            self.recover()
            raise BadAnswer("http: the server is gone (connection refused); started again") from None
        if not data:
            return self._nothing(case)
        answers = http_answers(data)
        if len(answers) > len(case.payload):
            raise BadAnswer(f"http: {len(answers)} answers to {len(case.payload)} requests")
        return worst(check_http_answer(status, body) for status, body in answers)

    @staticmethod
    def _nothing(case: Case) -> str:
        """No answer at all: right only when the request never ended (a body
        shorter than its Content-Length) or was refused and the connection
        reset before the answer was read."""
        if any(label.startswith(("http:", "size:", "bytes:")) for label in case.labels):
            return REFUSED
        raise BadAnswer("http: no answer")

    def recover(self) -> None:
        """After a hang: a new server (the old one is stopped, or left to its thread)."""
        self.close()
        self._start()

    def close(self) -> None:
        if not self.process:
            self._server.shutdown()
            self._server.server_close()
            return
        self.peak_kib = max(self.peak_kib, _peak_kib(self._server.pid))
        self._server.kill()
        self._server.wait()


def _peak_kib(pid: int) -> int:
    with contextlib.suppress(OSError, ValueError, StopIteration):
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
        return int(next(line for line in lines if line.startswith("VmHWM:")).split()[1])
    return 0


def exchange(address: tuple[str, int], data: bytes, timeout_s: float | None) -> bytes:
    """Send ``data``, end the sending side, read every byte until the server closes."""
    with socket.create_connection(address, timeout=timeout_s) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(data)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(1 << 16):
            chunks.append(chunk)
    return b"".join(chunks)


def http_answers(data: bytes) -> list[tuple[int, bytes]]:
    """The (status, body) of each answer in ``data``; BadAnswer if malformed."""
    answers = []
    while data:
        head, found, data = data.partition(_HEAD_END)
        lines = head.split(b"\r\n")
        match = re.fullmatch(rb"HTTP/1\.1 ([0-9]{3}) [ -~]+", lines[0])
        lengths = [line.split(b":", 1)[1].strip() for line in lines[1:] if line.lower().startswith(b"content-length:")]
        if not found or match is None or len(lengths) != 1 or not lengths[0].isdigit():
            raise BadAnswer(f"http: malformed answer head {head[:200]!r}")
        size = int(lengths[0])
        if len(data) < size:
            raise BadAnswer("http: answer body shorter than its Content-Length")
        answers.append((int(match.group(1)), data[:size]))
        data = data[size:]
    return answers


def check_http_answer(status: int, body: bytes) -> str:
    answer = loads(body)
    if status == 200:
        return ACCEPTED
    if status not in (400, 404, 411, 413, 414, 422, 431, 500) or not isinstance(answer, dict) or "error" not in answer:
        raise BadAnswer(f"http: answer {status} {body[:200]!r}")
    return check_error(answer["error"], len(body))


class StdioServer:
    """``python -m mhhs_sec serve --stdio`` as its own process: request lines
    written and answer lines read without blocking (neither side can fill a
    pipe and wait for the other), each exchange within ``wait_s`` on the wall
    clock (else Hang); started again after a hang, a failure or a shutdown."""

    def __init__(self, wait_s: float) -> None:
        self.wait_s, self.peak_kib = wait_s, 0
        self._start()

    def _start(self) -> None:
        command = [sys.executable, "-m", "mhhs_sec", "serve", "--stdio"]
        pipe = subprocess.PIPE
        self.process = subprocess.Popen(command, stdin=pipe, stdout=pipe, stderr=subprocess.DEVNULL)
        assert self.process.stdin is not None
        os.set_blocking(self.process.stdin.fileno(), False)

    def exchange(self, stream: bytes, wanted: int) -> list[bytes]:
        """The answer lines to ``stream``, once ``wanted`` of them have come."""
        try:
            answers = self._exchange(stream, wanted)
        except BaseException:
            self.restart()
            raise
        if b'"shutdown"' in stream or self.process.poll() is not None:
            self.restart()
        return answers

    def restart(self) -> None:
        self.stop()
        self._start()

    def _exchange(self, stream: bytes, wanted: int) -> list[bytes]:
        process = self.process
        assert process.stdin is not None and process.stdout is not None
        pending, received = memoryview(stream), bytearray()
        deadline = time.monotonic() + self.wait_s
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            selector.register(process.stdin, selectors.EVENT_WRITE)
            while (count := received.count(b"\n")) < wanted:
                if (remaining := deadline - time.monotonic()) <= 0:
                    raise Hang(f"stdio: {count} of {wanted} answers within {self.wait_s:g} s")
                for key, _ in selector.select(remaining):
                    if key.fileobj is process.stdin:
                        pending = _write_some(process.stdin.fileno(), pending)
                        if not pending:
                            selector.unregister(process.stdin)
                    elif chunk := os.read(process.stdout.fileno(), 1 << 16):
                        received += chunk
                    else:
                        raise BadAnswer(f"stdio: the server exited after {count} of {wanted} answers")
        return bytes(received).split(b"\n")[:-1] if received.endswith(b"\n") else [bytes(received)]

    def stop(self) -> None:
        self.peak_kib = max(self.peak_kib, _peak_kib(self.process.pid))
        self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()


def _write_some(fd: int, pending: memoryview) -> memoryview:
    """What is left of ``pending`` after one write (nothing once the reader is gone)."""
    try:
        return pending[os.write(fd, pending[: 1 << 16]) :]
    except BlockingIOError:
        return pending
    except (BrokenPipeError, ConnectionResetError):
        return pending[len(pending) :]


# ---- the runner's reading side ------------------------------------------------------

_TRANSPORTS: Final = ("stdio", "stdio", "hello", "http:200", "http:200", "http:422", "http:400", "http:500", "http:302")


class RunnerTarget:
    """An implementation's answer to one step of a vector (its expected
    outputs, or outputs made from the schema, mutated, as bytes) read by the
    runner as the stdio or HTTP adapter reads it, the vector judged
    (``run_vector``) and its reports written; or a ``hello`` answer read and
    the vector run under the capabilities it declares."""

    name = "runner"

    def __init__(self, inputs: Inputs) -> None:
        self.inputs = inputs

    def make(self, chooser: Chooser) -> Case:
        where = self.inputs.corpus.step_at(chooser)
        transport = pick(chooser, _TRANSPORTS)
        if transport == "hello":
            result: Any = full_capabilities("fuzz").as_json()
        elif chance(chooser, 4):
            result = self.inputs.outputs.value(chooser)
        else:
            result = {"outputs": [e.output for e in self.inputs.corpus.vectors[where[0]].steps[where[1]].expected]}
        if transport == "http:422":
            result = {"error": {"kind": "rejected", "field": "event", "requirement": "REG-5", "message": "gap"}}
        answer = result if transport.startswith("http") else {"id": 1, "result": result}
        mutant = mutate(chooser, answer, self.inputs.corpus.strings)
        return Case(transport, mutate_bytes(chooser, dumps(mutant.value), mutant), tuple(mutant.labels), where)

    def run(self, case: Case) -> str:
        vector = self.inputs.corpus.vectors[case.context[0]]
        capabilities = full_capabilities("fuzz")
        answered = case.context[1]
        if case.kind == "hello":
            try:
                capabilities = read_answer(case.payload, 1, "hello")
            except AdapterFault:
                return REFUSED
            answered = -1
        verdict = run_vector(_Scripted(vector, answered, lambda: self._read(case)), vector, compare, capabilities)
        _check_reports(Run("fuzz", "fuzz", [verdict], 1, "mhhs-sec conform --adapter fuzz"))
        return ACCEPTED if verdict.status == "pass" else REFUSED

    @staticmethod
    def _read(case: Case) -> list[Any]:
        if case.kind == "stdio":
            outputs: list[Any] = read_answer(case.payload, 1, "step")
            return outputs
        result = read_result(int(case.kind.removeprefix("http:")), case.payload, "step")
        outputs = check_answer({"id": 0, "result": result}, 0, "step")
        return outputs

    def close(self) -> None:
        pass


class _Scripted:
    """An adapter answering each step with the vector's expected outputs,
    except step ``answered``, whose answer is ``read()``."""

    spec = "fuzz"

    def __init__(self, vector: Any, answered: int, read: Callable[[], list[Any]]) -> None:
        self.vector, self.answered, self.read, self.calls = vector, answered, read, 0

    def hello(self) -> Capabilities:
        return full_capabilities("fuzz")

    def reset(self, initial_state: Any) -> None:
        self.calls = 0

    def step(self, event: Any) -> list[Any]:
        index, self.calls = self.calls, self.calls + 1
        if index == self.answered:
            return self.read()
        step = self.vector.steps[index]
        if step.refused is not None:
            raise EventRejected(str(step.refused.get("field")), str(step.refused.get("requirement")), "refused")
        return [expected.output for expected in step.expected]

    def restart(self) -> None:
        pass

    def close(self) -> None:
        pass


def _check_reports(run: Run) -> None:
    """The reports of a run: JUnit XML that parses, a terminal text with no
    control character but newlines, a JSON summary that is written (the HTML
    report, escaped by its template engine, is left out: it costs a template
    compilation each)."""
    ET.fromstring(junit(run))
    text = text_summary(run)
    if re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", text):
        raise BadAnswer(f"report text holds a control character: {text[:200]!r}")
    dumps(json_summary(run))
