"""The fuzz harness's judge and counting loop.

:func:`judge` runs one input on one target and says what happened:
``refused`` or ``accepted``, else it raises the failure (an untyped
exception, :class:`~.targets.BadAnswer`, :class:`Hang`).  A failure on an
input outside the model's input domain (mutation family ``domain``) is a
``domain`` case while the model has no input domain (``model/domain.py``);
once it has one, such an input must be refused like any other.

:func:`fuzz` runs a target on ``count`` inputs from a seeded chooser and
counts the outcomes, keeping the first few failing inputs of each kind,
minimised (:func:`minimise`).  The per-input bound (``bound_s``, seconds of
CPU time; a server in another process gets three times as long on the wall
clock) is the counting script's; the tests use none (their bounds are input
sizes).
"""

from __future__ import annotations

import contextlib
import signal
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Final, Protocol

from .mutate import Chooser, Corpus, RandomChooser
from .targets import (
    REFUSED,
    BadAnswer,
    Case,
    CodecTarget,
    Hang,
    Inputs,
    InternalAnswer,
    StdioTarget,
    StepTarget,
)

TARGETS: Final = ("codec", "step", "stdio", "http", "runner")


class Target(Protocol):
    name: str

    def make(self, chooser: Chooser) -> Case: ...

    def run(self, case: Case) -> str: ...

    def close(self) -> None: ...


def make_target(name: str, inputs: Inputs, *, process: bool = False, timeout_s: float | None = None) -> Target:
    """A target by name; ``process``: the stdio and HTTP servers as processes of their own."""
    from .wire_targets import HttpTarget, RunnerTarget

    if name == "http":
        return HttpTarget(inputs, process=process, timeout_s=timeout_s)
    if name == "stdio":
        return StdioTarget(inputs, process=process, timeout_s=timeout_s)
    found: dict[str, Callable[[Inputs], Target]] = {
        "codec": CodecTarget, "step": StepTarget, "runner": RunnerTarget,
    }  # fmt: skip
    return found[name](inputs)


@contextlib.contextmanager
def bounded(seconds: float | None) -> Iterator[None]:
    """Raise Hang in the main thread once this process has spent ``seconds``
    of CPU time (None: no bound).  CPU time, not wall-clock time: on a busy
    machine an input waiting for a core is not a hang."""
    if seconds is None:
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise Hang(f"no outcome within {seconds:g} s of CPU time")

    previous = signal.signal(signal.SIGPROF, expired)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def judge(target: Target, case: Case, bound_s: float | None = None) -> str:
    """``refused`` or ``accepted``; any other outcome is raised."""
    with bounded(bound_s):
        return target.run(case)


def signature(failure: BaseException) -> str:
    """What tells one failure from another: the exception and where it was raised."""
    if isinstance(failure, Hang):
        return "hang"
    if isinstance(failure, BadAnswer):
        return f"{type(failure).__name__}: {str(failure)[:80]}"
    frames = traceback.extract_tb(failure.__traceback__)
    where = next((f for f in reversed(frames) if _in_project(f.filename)), None)
    if where is None:
        return type(failure).__name__
    return f"{type(failure).__name__} at {'/'.join(where.filename.rsplit('/', 2)[-2:])}:{where.lineno}"


def _in_project(filename: str) -> bool:
    """A frame of the code under test (the project, not this harness)."""
    project = any(part in filename for part in ("/mhhs_sec/", "/model/", "/conformance/", "/vectors/"))
    return project and "/mhhs_sec/fuzz/" not in filename


@dataclass
class Tally:
    """The counts of one target's run; ``failures``: the first inputs of each
    failure signature (kind: untyped, bad-answer, hang); ``domain``: how many
    of the inputs lay outside the model's input domain (``model/domain.py``),
    each of which counts as any other input."""

    target: str
    inputs: int = 0
    refused: int = 0
    accepted: int = 0
    untyped: int = 0
    bad_answers: int = 0
    hangs: int = 0
    domain: int = 0
    failures: dict[str, list[tuple[str, Case, str]]] = field(default_factory=dict)

    def add(self, outcome: str, case: Case) -> None:
        self._count(case)
        if outcome == REFUSED:
            self.refused += 1
        else:
            self.accepted += 1

    def fail(self, kind: str, case: Case, failure: BaseException, keep: int) -> None:
        self._count(case)
        counted = {"hang": "hangs", "bad-answer": "bad_answers"}.get(kind, "untyped")
        setattr(self, counted, getattr(self, counted) + 1)
        kept = self.failures.setdefault(f"{kind}: {signature(failure)}", [])
        if len(kept) < keep:
            kept.append((kind, case, str(failure)[:500]))

    def _count(self, case: Case) -> None:
        self.inputs += 1
        self.domain += not case.in_domain


def fuzz(target: Target, count: int, seed: int, *, bound_s: float | None = None, keep: int = 3) -> Tally:
    """Run ``count`` inputs (seeded by ``seed``) and count what happened."""
    chooser = RandomChooser(seed)
    tally = Tally(target.name)
    for _ in range(count):
        case = target.make(chooser)
        try:
            with bounded(bound_s):
                tally.add(target.run(case), case)
        except Hang as hang:
            tally.fail("hang", case, hang, keep)
            recover = getattr(target, "recover", None)
            if recover is not None:
                recover()
        except InternalAnswer as failure:
            tally.fail("untyped", case, failure, keep)
        except BadAnswer as failure:
            tally.fail("bad-answer", case, failure, keep)
        except Exception as failure:  # noqa: BLE001 - counted, never hidden
            tally.fail("untyped", case, failure, keep)
    return tally


def minimise(target: Target, case: Case, failure_signature: str, bound_s: float | None, budget: int = 300) -> Case:
    """A smaller input failing the same way (greedy: drop keys and items,
    halve strings and byte strings, zero numbers; at most ``budget`` runs)."""

    def same(payload: Any) -> bool:
        nonlocal budget
        budget -= 1
        try:
            with bounded(bound_s):
                target.run(replace(case, payload=payload))
        except (Exception, Hang) as failure:
            return signature(failure) == failure_signature.split(": ", 1)[1]
        return False

    payload = case.payload
    progress = True
    while progress and budget > 0:
        progress = False
        for smaller in _smaller(payload):
            if budget <= 0:
                break
            if same(smaller):
                payload, progress = smaller, True
                break
    return replace(case, payload=payload)


def _smaller(value: Any) -> Iterator[Any]:
    """Smaller variants of a JSON value, bytes or text, the biggest cuts first."""
    if isinstance(value, dict):
        for key in list(value):
            yield {k: v for k, v in value.items() if k != key}
        for key in list(value):
            for sub in _smaller(value[key]):
                yield {**value, key: sub}
    elif isinstance(value, list):
        if len(value) > 1:
            yield value[: len(value) // 2]
            yield value[len(value) // 2 :]
        for index in range(len(value)):
            yield value[:index] + value[index + 1 :]
        for index, item in enumerate(value):
            for sub in _smaller(item):
                yield [*value[:index], sub, *value[index + 1 :]]
    elif isinstance(value, str | bytes) and len(value) > 1:
        yield from _cuts(value)
    elif isinstance(value, int | float) and not isinstance(value, bool) and value != 0:
        yield 0


def _cuts(value: Any) -> Iterator[Any]:
    """A text or byte string halved, then with an eighth cut out at each place."""
    half = len(value) // 2
    yield value[:half]
    yield value[half:]
    step = max(1, len(value) // 8)
    for start in range(0, len(value), step):
        yield value[:start] + value[start + step :]


def load_inputs(path: str | None = None) -> Inputs:
    """The corpus (the committed vectors, or the file or folder ``path``) and its generators."""
    return Inputs(Corpus.load(path))
