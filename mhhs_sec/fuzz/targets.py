"""What the fuzz harness feeds its inputs to.  Each target makes an input
(:meth:`make`, from the corpus, a :class:`~.mutate.Chooser` and the protocol
schemas) and runs it (:meth:`run`), answering ``"refused"`` (the input got a
typed refusal: an ``InvalidEvent``, an ``error`` answer of kind ``rejected``
or ``protocol``, a 4xx, an ``error`` verdict) or ``"accepted"``.  Anything
else is raised: an untyped exception, or :class:`BadAnswer` when a server or
the runner breaks its contract (an ``internal`` answer, a missing or extra
answer, an error that echoes the input, a report that is not XML).

``codec``: events and initial states decoded (``model/codec.py``), an
accepted event read back the same after encoding.  ``step``: the model's
``step`` on a mutated event, in the state the vector had reached before it.
``stdio``: ``serve_stdio`` (the loop behind ``mhhs-sec serve --stdio``) on
request lines.  ``http`` and ``runner``: :mod:`.wire_targets`.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass, field
from typing import Any, Final

from mhhs_sec.bounded_json import loads
from mhhs_sec.conformance.reference import ReferenceImplementation
from mhhs_sec.conformance.stdio import serve_stdio
from mhhs_sec.conformance.wire import MAX_ERROR_TEXT, MAX_REQUEST
from mhhs_sec.model import InvalidEvent, State, step
from mhhs_sec.model.codec import decode_event, decode_state, encode_output
from mhhs_sec.vectors.jsonform import encode_event

from .mutate import (
    DOMAIN,
    FAR_S,
    Chooser,
    Corpus,
    Mutant,
    chance,
    dumps,
    mutate,
    mutate_bytes,
    seconds_apart,
    temporal_strings,
)
from .schema import SchemaValues, schema

REFUSED: Final = "refused"
ACCEPTED: Final = "accepted"
# An error answer (a whole line or body) is at most this long: a server never echoes its input.
MAX_ERROR_ANSWER: Final = 4 * MAX_ERROR_TEXT + 200
_STATE_MEMO: Final = 2048


class BadAnswer(Exception):
    """A server or the runner broke its contract (not an exception of its own)."""


class Hang(BaseException):
    """An input ran past the per-input bound (a BaseException: the servers'
    ``except Exception`` must not answer it as an internal error)."""


class InternalAnswer(BadAnswer):
    """A server answered ``internal``: the implementation raised an untyped exception."""


@dataclass
class Case:
    """One input: what ``payload`` is (``kind``), the payload, the families of
    the mutations it carries, and the corpus step it started from."""

    kind: str
    payload: Any
    labels: tuple[str, ...] = ()
    context: tuple[int, int] = (0, 0)

    @property
    def in_domain(self) -> bool:
        return Mutant(None, list(self.labels)).in_domain


@dataclass
class Inputs:
    """The corpus with the schema generators and the vectors' states before each step."""

    corpus: Corpus
    _states: dict[tuple[int, int], State] = field(default_factory=dict)

    def __post_init__(self) -> None:
        strings = self.corpus.strings
        self.events = SchemaValues(schema("step"), strings)
        self.outputs = SchemaValues(schema("outputs"), strings)
        self.envelopes = SchemaValues(schema("envelope"), strings)

    def event(self, chooser: Chooser, where: tuple[int, int]) -> Mutant:
        """A mutated event: mostly the vector's own event at ``where``,
        sometimes one generated from the step schema."""
        vector, index = where
        if chance(chooser, 4):
            base, rounds = self.events.value(chooser)["event"], 1
        else:
            base, rounds = self.corpus.vectors[vector].steps[index].event, 3
        mutant = mutate(chooser, base, self.corpus.strings, rounds=rounds)
        if base is not self.corpus.vectors[vector].steps[index].event:
            mutant.label("schema", "step")
            clock = self.corpus.vectors[vector].initial_state.get("clock", "")
            if any((seconds_apart(text, clock) or 0) > FAR_S for text in temporal_strings(base)):
                mutant.label(DOMAIN, "far-time")
        return mutant

    def state_before(self, where: tuple[int, int]) -> State:
        """The model state of vector ``where[0]`` before its step ``where[1]``
        (events it refuses leave the state as it was)."""
        vector, index = where
        known = max((i for i in range(index + 1) if (vector, i) in self._states), default=None)
        initial = self.corpus.vectors[vector].initial_state
        state = decode_state(initial) if known is None else self._states[(vector, known)]
        for i in range(0 if known is None else known, index):
            if (vector, i) not in self._states:
                self._remember((vector, i), state)
            with contextlib.suppress(InvalidEvent):
                state = step(state, decode_event(self.corpus.vectors[vector].steps[i].event))[0]
        self._remember(where, state)
        return state

    def _remember(self, where: tuple[int, int], state: State) -> None:
        if len(self._states) >= _STATE_MEMO:
            self._states.clear()
        self._states[where] = state


def typed(run: Any) -> str:
    """``run()``'s outcome, an ``InvalidEvent`` read as a refusal."""
    try:
        run()
    except InvalidEvent:
        return REFUSED
    return ACCEPTED


# ---- codec --------------------------------------------------------------------------


class CodecTarget:
    name = "codec"

    def __init__(self, inputs: Inputs) -> None:
        self.inputs = inputs

    def make(self, chooser: Chooser) -> Case:
        where = self.inputs.corpus.step_at(chooser)
        if chance(chooser, 16):
            state = mutate(chooser, self.inputs.corpus.vectors[where[0]].initial_state, self.inputs.corpus.strings)
            return Case("state", state.value, tuple(state.labels), where)
        event = self.inputs.event(chooser, where)
        return Case("event", event.value, tuple(event.labels), where)

    def run(self, case: Case) -> str:
        if case.kind == "state":
            return typed(lambda: decode_state(case.payload))
        return typed(lambda: _round_trip(case.payload))

    def close(self) -> None:
        pass


def _round_trip(data: Any) -> None:
    """Decode an event; an accepted one must read back the same once encoded."""
    event = decode_event(data)
    again = decode_event(encode_event(event))
    if again != event:
        raise BadAnswer(f"codec: {event!r} reads back as {again!r}")


# ---- step ---------------------------------------------------------------------------


class StepTarget:
    name = "step"

    def __init__(self, inputs: Inputs) -> None:
        self.inputs = inputs

    def make(self, chooser: Chooser) -> Case:
        where = self.inputs.corpus.step_at(chooser)
        event = self.inputs.event(chooser, where)
        self.inputs.state_before(where)  # the vector's own steps, outside the input's bound
        return Case("event", event.value, tuple(event.labels), where)

    def run(self, case: Case) -> str:
        state = self.inputs.state_before(case.context)

        def apply() -> None:
            for output in step(state, decode_event(case.payload))[1]:
                encode_output(output)

        return typed(apply)

    def close(self) -> None:
        pass


# ---- stdio --------------------------------------------------------------------------


class StdioTarget:
    """Request lines through ``serve_stdio``: a reset to the vector's initial
    state, a mutated step, sometimes a mutated or schema-made envelope, each
    line perhaps damaged as bytes.  ``process``: one input in ten goes
    through ``python -m mhhs_sec serve --stdio`` run as its own process (the
    script; its answers awaited three times ``timeout_s`` on the wall clock),
    the others through the same loop in this process, which is faster."""

    name = "stdio"

    def __init__(self, inputs: Inputs, *, process: bool = False, timeout_s: float | None = None) -> None:
        from .wire_targets import StdioServer

        self.inputs = inputs
        self.implementation = ReferenceImplementation()
        self.server = StdioServer(3 * (timeout_s or 1.0)) if process else None
        self.runs = 0

    def make(self, chooser: Chooser) -> Case:
        where = self.inputs.corpus.step_at(chooser)
        initial = self.inputs.corpus.vectors[where[0]].initial_state
        reset = mutate(chooser, initial, rounds=1 if chance(chooser, 8) else 0)
        event = self.inputs.event(chooser, where)
        request = Mutant({"id": 2, "method": "step", "params": {"event": event.value}}, event.labels + reset.labels)
        if chance(chooser, 4):
            request = mutate(chooser, request.value, rounds=1)
            request.labels = event.labels + reset.labels + request.labels
        lines = [dumps({"id": 1, "method": "reset", "params": {"initial_state": reset.value}}), dumps(request.value)]
        if chance(chooser, 8):
            lines.append(dumps(self.inputs.envelopes.value(chooser)))
            request.label("schema", "envelope")
        lines[-1] = mutate_bytes(chooser, lines[-1], request)
        return Case("lines", lines, tuple(request.labels), where)

    def run(self, case: Case) -> str:
        stream = b"".join(line + b"\n" for line in case.payload)
        wanted = expected_answers(stream)
        self.runs += 1
        through_process = self.server is not None and self.runs % 10 == 0
        try:
            answers = self._answers(stream, through_process)
        finally:
            if not case.in_domain:
                self._forget(case, through_process)
        if len(answers) != wanted:
            raise BadAnswer(f"stdio: {len(answers)} answer line(s) to {wanted} request line(s)")
        return worst(check_answer_line(answer) for answer in answers)

    def _forget(self, case: Case, through_process: bool) -> None:
        """After an input outside the model's domain, the server starts again
        from the vector's initial state: that input may have left it where no
        other input can go (a clock in year 9999), and the next would fail for it."""
        if through_process and self.server is not None:
            self.server.restart()
        else:
            self.implementation.reset(self.inputs.corpus.vectors[case.context[0]].initial_state)

    def _answers(self, stream: bytes, through_process: bool) -> list[bytes]:
        wanted = expected_answers(stream)
        if through_process and self.server is not None:
            return self.server.exchange(stream, wanted)
        sink = io.BytesIO()
        serve_stdio(self.implementation, io.BytesIO(stream), sink)
        return sink.getvalue().split(b"\n")[:-1]

    @property
    def peak_kib(self) -> int:
        return 0 if self.server is None else self.server.peak_kib

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()


def expected_answers(stream: bytes) -> int:
    """How many answer lines ``serve_stdio`` owes ``stream``: one per
    non-blank line (an over-long line is one), up to a ``shutdown``."""
    count = 0
    for line in stream.split(b"\n")[:-1]:
        if len(line) + 1 > MAX_REQUEST:
            count += 1
            continue
        if not line.strip():
            continue
        count += 1
        try:
            message = loads(line)
        except ValueError:
            continue
        if isinstance(message, dict) and message.get("method") == "shutdown":
            break
    return count


def check_answer_line(line: bytes) -> str:
    """One answer of a reference server: JSON, ASCII, an id and exactly one
    of result / error; an error short (no echo) and never ``internal``."""
    answer = loads(line)
    if not line.isascii() or not isinstance(answer, dict) or "id" not in answer:
        raise BadAnswer(f"answer is not an ASCII JSON object with an id: {line[:200]!r}")
    if ("result" in answer) == ("error" in answer):
        raise BadAnswer(f"answer has both or neither of result and error: {line[:200]!r}")
    if "result" in answer:
        return ACCEPTED
    return check_error(answer["error"], len(line))


def check_error(error: Any, size: int) -> str:
    if not isinstance(error, dict) or error.get("kind") not in ("rejected", "protocol", "internal"):
        raise BadAnswer(f"error answer of no known kind: {error!r:.200}")
    if error["kind"] == "internal":
        raise InternalAnswer(str(error.get("message"))[:MAX_ERROR_ANSWER])
    if size > MAX_ERROR_ANSWER:
        raise BadAnswer(f"error answer of {size} bytes (an echo of the input?)")
    return REFUSED


def worst(outcomes: Any) -> str:
    """``refused`` if any part of the input was refused."""
    return REFUSED if REFUSED in list(outcomes) else ACCEPTED
