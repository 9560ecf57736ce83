"""Mutation analysis of the model: every mutant of the model's source
(:mod:`.operators`) is run, in a worker process, against the committed vectors
through the in-process reference adapter (:mod:`.runtime`).

- ``killed``: a vector fails or errors (a crash, a module that no longer
  imports, or a loop exhausting the step budget counts);
- otherwise the mutant replays long random walks (:mod:`mhhs_sec.generate.walks`)
  and its outputs are compared with the unmutated model's on every observable:
  ``survived`` when a walk tells it apart (a gap in the suite; the evidence is
  the walk up to the first differing event), ``equivalent`` when none does
  (the evidence: the number of random events replayed without a difference);
- ``unconfirmed`` when no walk even executes the mutated line: no vector
  kills it and nothing shows it equivalent (a gap, or an equivalent mutant of
  code the walks never reach: input checks, option values they never set).

The score is killed / (killed + survived + unconfirmed): only mutants shown
equivalent leave the denominator.  Same commit, same mutants, same result:
the mutants come in source order, the vectors in an order fixed by what each
executes on the unmutated model (:mod:`.coverage`), the walks from fixed
seeds; workers run one mutant each and share nothing.
"""

from __future__ import annotations

import itertools
import multiprocessing
import multiprocessing.connection
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from types import CodeType, ModuleType
from typing import Any, Final

from . import fuzzed, operators, runtime
from .coverage import Coverage, Line, Recorder

# Loop iterations allowed per event: the unmutated model needs far fewer on
# every vector and walk (``baseline`` reports the most it used).
STEP_BUDGET: Final = 200_000
WALK_SEEDS: Final = (20250610, 20251026, 20250330, 7)
WALKS_PER_SEED: Final = 5
# Spread walks (:mod:`mhhs_sec.generate.spread`) per seed replayed as well:
# random profiles and calendar days, future-dated reads.
SPREAD_PER_SEED: Final = 10

Json = dict[str, Any]


@dataclass(frozen=True)
class WalkRun:
    """A random walk as the adapter protocol sees it, with the unmutated
    model's outputs for each event."""

    initial_state: Json
    events: tuple[Json, ...]
    outputs: tuple[tuple[Json, ...], ...]


@dataclass(frozen=True)
class Suite:
    """What each mutant is run against."""

    vectors: Sequence[Any]
    walks: Sequence[WalkRun]
    codes: dict[str, CodeType]
    files: tuple[str, ...] = ()
    coverage: Coverage | None = None
    most_loop_iterations: int = 0
    fuzz_inputs: Sequence[fuzzed.FuzzedInput] = ()

    @property
    def walk_events(self) -> int:
        return sum(len(w.events) for w in self.walks)


def random_walks(
    seeds: Sequence[int] = WALK_SEEDS, per_seed: int = WALKS_PER_SEED, spread_per_seed: int = SPREAD_PER_SEED
) -> list[WalkRun]:
    """The long random walks of :mod:`mhhs_sec.generate.walks` (fixed seeds,
    catalogue defaults), then the first ``spread_per_seed`` candidates of each
    seed of :mod:`mhhs_sec.generate.spread` (every profile option value, the
    calendar's odd days, future-dated reads), in codec JSON, each device
    logging what the walk can reach of the synthetic meter (as the generated
    vectors do), with the unmutated model's outputs."""
    from mhhs_sec.generate import situations, spread, walks

    start = situations.base(now=walks.START)
    found = [_walk_run(start, w.events) for value in seeds for w in walks._generated(walks.LONG_WALKS, value, per_seed)]
    if spread_per_seed:
        found += [
            _walk_run(s.state, s.events) for value in spread.SEEDS for s in spread.candidates(value, spread_per_seed)
        ]
    return found


def _walk_run(start: Any, events: Sequence[Any]) -> WalkRun:
    from mhhs_sec.generate.build import run_case
    from mhhs_sec.generate.device_data import synthetic, with_device_data
    from mhhs_sec.model import InvalidEvent
    from mhhs_sec.model.codec import encode_output
    from mhhs_sec.vectors.jsonform import encode_event, encode_state

    state = with_device_data(start, events, run_case(synthetic(start), events))
    outputs = []
    for produced in run_case(state, events):
        assert not isinstance(produced, InvalidEvent), "a walk holds valid events only"
        outputs.append(tuple(encode_output(o) for o in produced))
    return WalkRun(encode_state(state), tuple(encode_event(e) for e in events), tuple(outputs))


# -- in the worker ---------------------------------------------------------

_SUITE: list[Suite] = []  # set in the parent, inherited by the forked workers


def _reference(codes: dict[str, CodeType], budget: runtime.Budget) -> Any:
    """The reloaded reference implementation over ``codes`` behind an
    in-process adapter that starts the step budget afresh on every event."""
    from mhhs_sec.conformance.inprocess import InProcessAdapter

    module: ModuleType = runtime.load_reference(codes, budget)
    base = module.ReferenceImplementation

    class Budgeted(base):  # type: ignore[misc, valid-type]
        def reset(self, initial_state: Json) -> None:
            budget.start_event()
            super().reset(initial_state)

        def step(self, event: Json) -> list[Json]:
            budget.start_event()
            outputs: list[Json] = super().step(event)
            return outputs

    return InProcessAdapter(Budgeted, "mutant", timeout_s=float("inf"))


def _first_failure(adapter: Any, vectors: Sequence[Any], order: Sequence[int]) -> Json | None:
    """The first vector (in ``order``) the adapter does not pass, or None."""
    from mhhs_sec.conformance.runner import run_vector
    from mhhs_sec.vectors import compare

    for index in order:
        verdict = run_vector(adapter, vectors[index], compare)
        if verdict.status != "pass":
            return {"vector": verdict.vector_id, "status": verdict.status, "reason": verdict.reason[:300]}
    return None


def _first_difference(adapter: Any, walks: Sequence[WalkRun]) -> Json | None:
    """The first walk event whose outputs differ from the unmutated model's."""
    from mhhs_sec.conformance.protocol import AdapterFault, EventRejected
    from mhhs_sec.vectors import OBSERVABLES, compare

    for number, walk in enumerate(walks):
        adapter.reset(walk.initial_state)
        for index, (event, expected) in enumerate(zip(walk.events, walk.outputs, strict=True)):
            try:
                actual = adapter.step(event)
                differences = compare(expected, actual, OBSERVABLES)
            except (AdapterFault, EventRejected) as fault:
                actual, differences = [], [f"{type(fault).__name__}: {fault}"]
            if differences:
                return {"walk": number, "step": index, "events": list(walk.events[: index + 1]),
                        "expected": list(expected), "actual": actual, "differences": differences[:5]}  # fmt: skip
    return None


def judge(codes: dict[str, CodeType], suite: Suite, order: Sequence[int], walked: bool, fuzz: bool = False) -> Json:
    """Run the model compiled in ``codes`` against the vectors (in ``order``)
    and, when ``walked`` (the walks execute the mutated code), the walks, else
    when ``fuzz`` (a mutant of the input reading that the fuzzed inputs
    execute), the fuzzed inputs (in a worker):
    ``{"status": killed|survived|equivalent|unconfirmed, ...}``."""
    budget = runtime.Budget(STEP_BUDGET)
    try:
        adapter = _reference(codes, budget)
        failure = _first_failure(adapter, suite.vectors, order)
        if failure is not None:
            return {"status": "killed", "by": failure}
        if not walked and fuzz:
            return _fuzz_verdict(fuzzed.first_difference(adapter, suite.fuzz_inputs), len(suite.fuzz_inputs))
        if not walked:
            return {"status": "unconfirmed", "evidence": "no random walk executes the mutated line"}
        difference = _first_difference(adapter, suite.walks)
    except runtime.StepBudgetExceeded as exceeded:
        return {"status": "killed", "by": {"status": "error", "reason": f"step budget: {exceeded}"}}
    except Exception as error:  # noqa: BLE001 - a mutant that does not even load is killed
        return {"status": "killed", "by": {"status": "error", "reason": f"{type(error).__name__}: {error}"[:300]}}
    if difference is not None:
        return {"status": "survived", "walk": difference}
    return {"status": "equivalent", "evidence": f"no difference in {suite.walk_events} random events"}


def _fuzz_verdict(difference: Json | None, count: int) -> Json:
    """A mutant of the input reading judged on the fuzzed inputs (:mod:`.fuzzed`)."""
    if difference is not None:
        return {"status": "survived", "walk": difference}
    return {"status": "equivalent", "evidence": f"no observable difference on {count} fuzzed inputs"}


def _fuzzable(suite: Suite, mutant: operators.Mutant) -> bool:
    """Is the mutant in a file that reads input, on a line the fuzzed inputs execute?"""
    assert suite.coverage is not None
    return mutant.file in fuzzed.INPUT_FILES and suite.coverage.fuzzed_through(_lines(mutant))


def _mutant_codes(suite: Suite, mutant: operators.Mutant) -> dict[str, CodeType]:
    path = runtime.model_dir() / mutant.file
    tree = operators.mutated_tree(path.read_text(encoding="utf-8"), mutant.ordinal)
    return {**suite.codes, mutant.file: runtime.compile_module(tree, str(path))}


def _lines(mutant: operators.Mutant) -> tuple[Line, ...]:
    return (mutant.file, mutant.line), (mutant.file, mutant.statement_line)


def _judge_mutant(mutant: operators.Mutant) -> Json:
    suite = _SUITE[0]
    assert suite.coverage is not None
    try:
        codes = _mutant_codes(suite, mutant)
    except (SyntaxError, ValueError, TypeError) as error:
        return {"status": "killed", "by": {"status": "error", "reason": f"does not compile: {error}"}}
    lines = _lines(mutant)
    order = suite.coverage.vectors(lines, len(suite.vectors))
    return judge(codes, suite, order, suite.coverage.walked(lines), _fuzzable(suite, mutant))


def _unexecuted(suite: Suite, mutant: operators.Mutant) -> bool:
    """Does nothing execute the mutant's code (so that nothing can tell it
    from the model)?"""
    assert suite.coverage is not None
    lines = _lines(mutant)
    executed = suite.coverage.vectors(lines, len(suite.vectors)) or suite.coverage.walked(lines)
    executed = executed or _fuzzable(suite, mutant)
    return not executed and not mutant.changes_unexecuted


def _baseline(_: object) -> Json:
    """The unmutated model against the suite, recording what each part executes."""
    from mhhs_sec.conformance.runner import run_vector
    from mhhs_sec.vectors import compare

    suite, found = _SUITE[0], Coverage()
    budget, recorder = runtime.Budget(STEP_BUDGET), Recorder(runtime.model_dir())
    with recorder.into(found.at_import):
        adapter = _reference(suite.codes, budget)
    for index, vector in enumerate(suite.vectors):
        lines: set[Line] = set()
        adapter.restart()
        runtime.forget_memos()
        with recorder.into(lines):
            verdict = run_vector(adapter, vector, compare)
        if verdict.status != "pass":
            return {"failure": f"vector {vector.id}: {verdict.reason}"}
        for line in lines:
            found.by_vector.setdefault(line, []).append(index)
    adapter.restart()
    runtime.forget_memos()
    with recorder.into(found.walks):
        difference = _first_difference(adapter, suite.walks)
    if difference is not None:
        return {"failure": f"walk {difference['walk']} event {difference['step']}: {difference['differences']}"}
    observed = []
    for given in suite.fuzz_inputs:
        adapter.restart()
        runtime.forget_memos()
        with recorder.into(found.fuzzed):
            observed.append(fuzzed.observe(adapter, given))
    budget.start_event()
    return {"coverage": found, "files": runtime.loaded_model_files(), "most_loop_iterations": budget.most_used,
            "observed": observed}  # fmt: skip


def _in_workers(function: Callable[[Any], Json], items: Sequence[Any], jobs: int,
                on_result: Callable[[int], None]) -> list[Json]:  # fmt: skip
    """``function`` of each item (in order), each in a fresh forked worker
    process, at most ``jobs`` at a time: no mutant can leave anything behind
    for the next, and one that kills its process (a crash of the interpreter,
    an exit) is reported killed instead of stopping the analysis."""
    context = multiprocessing.get_context("fork")
    results: list[Json] = [{} for _ in items]
    running: dict[Any, tuple[int, Any]] = {}
    waiting = iter(enumerate(items))

    def start() -> None:
        for index, item in itertools.islice(waiting, 1):
            reader, writer = context.Pipe(duplex=False)
            process = context.Process(target=_send, args=(function, item, writer), daemon=True)
            process.start()
            writer.close()
            running[reader] = (index, process)

    for _ in range(max(1, jobs)):
        start()
    done = 0
    while running:
        for reader in multiprocessing.connection.wait(list(running)):
            index, process = running.pop(reader)
            results[index] = _received(reader, process)
            done += 1
            on_result(done)
            start()
    return results


def _send(function: Callable[[Any], Json], item: Any, writer: Any) -> None:
    writer.send(function(item))
    writer.close()


def _received(reader: Any, process: Any) -> Json:
    try:
        result: Json = reader.recv()
    except EOFError:
        process.join()
        reason = f"the worker process died (exit code {process.exitcode})"
        return {"status": "killed", "by": {"status": "error", "reason": reason}}
    process.join()
    reader.close()
    return result


# -- in the parent ---------------------------------------------------------


def prepare(vectors: Sequence[Any], walks: Sequence[WalkRun], fuzz_inputs: int = 0) -> Suite:
    """The suite, with the unmutated model checked to pass it (the analysis
    is meaningless otherwise), what each part of it executes, the model
    files the reference implementation imports (the files worth mutating)
    and ``fuzz_inputs`` inputs fuzzed from the vectors with what the model
    answers them (:mod:`.fuzzed`)."""
    inputs = fuzzed.inputs(vectors, fuzz_inputs) if fuzz_inputs else []
    _SUITE[:] = [Suite(vectors, walks, runtime.original_codes(), fuzz_inputs=inputs)]
    (baseline,) = _in_workers(_baseline, [None], 1, lambda _: None)
    if "failure" in baseline:
        raise RuntimeError(f"the unmutated model does not pass the suite: {baseline['failure']}")
    observed = [replace(given, observed=seen) for given, seen in zip(inputs, baseline["observed"], strict=True)]
    suite = Suite(vectors, walks, _SUITE[0].codes, tuple(baseline["files"]), baseline["coverage"],
                  baseline["most_loop_iterations"], observed)  # fmt: skip
    _SUITE[:] = [suite]
    return suite


def enumerate_mutants(files: Sequence[str]) -> list[operators.Mutant]:
    """Every mutant of the given model files (names inside ``model/``), in order."""
    folder = runtime.model_dir()
    found: list[operators.Mutant] = []
    for name in sorted(files):
        found += operators.mutants(name, (folder / name).read_text(encoding="utf-8"))
    return found


def not_mutated(files: Sequence[str]) -> list[Json]:
    """The statements of the given model files left unmutated by their
    ``# not mutated: REASON`` marker (:mod:`.operators`), with the reason."""
    folder = runtime.model_dir()
    return [
        {"file": f"model/{name}", "line": line, "reason": reason}
        for name in sorted(files)
        for line, reason in operators.not_mutated((folder / name).read_text(encoding="utf-8"))
    ]


def sample(mutants: Sequence[operators.Mutant], limit: int | None) -> list[operators.Mutant]:
    """``limit`` mutants spread evenly over the list (all when ``limit`` is None)."""
    if limit is None or limit >= len(mutants):
        return list(mutants)
    return [mutants[index * len(mutants) // limit] for index in range(limit)]


def analyse(
    suite: Suite, mutants: Sequence[operators.Mutant], jobs: int, on_result: Callable[[int], None] = lambda _: None
) -> list[tuple[operators.Mutant, Json]]:
    """Each mutant with its result, in the mutants' order."""
    _SUITE[:] = [suite]
    unexecuted = {"status": "unconfirmed", "evidence": "no vector and no random walk executes the mutated line"}
    to_run = [m for m in mutants if not _unexecuted(suite, m)]
    results = dict(zip(to_run, _in_workers(_judge_mutant, to_run, jobs, on_result), strict=True))
    return [(m, results.get(m, unexecuted)) for m in mutants]
