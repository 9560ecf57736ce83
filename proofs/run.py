"""``prove_all``: the obligations proved on the reference encoding, and (with
``mutants=True``) falsified on each seeded fault."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from mhhs_sec.model.profile import PROFILE_OPTIONS

from .inputs import Inputs, reference_inputs
from .obligations import AUXILIARY, OBLIGATIONS, Obligation
from .solve import BMC_DEPTH, Counterexample, Induction, Outcome, Trace, Unknown, Unrolling, prove


@dataclass
class Result:
    """One invariant's result (the public shape ``mhhs-sec check`` reads)."""

    name: str
    requirements: tuple[str, ...]
    status: str  # 'proved' | 'violated' | 'unknown'
    seconds: float
    statement: str = ""
    profile: dict[str, Any] = field(default_factory=dict)  # option -> the value it holds under; absent: any
    reason: str = ""  # why the status is not 'proved'
    checks: dict[str, str] = field(default_factory=dict)
    counterexample: Trace | None = None
    falsified_by: list[str] = field(default_factory=list)
    mutant_traces: dict[str, Trace] = field(default_factory=dict)


def profile_values(ob: Obligation) -> dict[str, Any]:
    """The profile values an obligation is proved under, in the options' own
    vocabulary (e.g. ``{"schedules_on_mdra_change": "keep"}``)."""
    return {option: PROFILE_OPTIONS[option][1][int(alt)] for option, alt in ob.profile.items()}


def _reason(outcome: Outcome, support: bool) -> str:
    verdict, checks = outcome.verdict, outcome.checks
    reasons = [verdict.reason] if isinstance(verdict, Unknown) else []
    if verdict.status == "proved" and checks.get("vacuity") != "sat":
        reasons.append(f"non-vacuity check answered {checks.get('vacuity')}: the invariant's hypothesis is never met")
    if verdict.status == "proved" and not support:
        reasons.append("an auxiliary invariant is not proved")
    return "; ".join(reasons + outcome.notes)


def _result(outcome: Outcome, support: bool) -> Result:
    ob, verdict = outcome.obligation, outcome.verdict
    status = verdict.status
    if status == "proved" and (outcome.checks.get("vacuity") != "sat" or not support):
        # a proof whose hypotheses cannot be met, or whose auxiliary invariants
        # are not themselves proved, proves nothing
        status = "unknown"
    trace = verdict.trace if isinstance(verdict, Counterexample) else None
    reason = "" if status == "proved" else _reason(outcome, support)
    return Result(ob.name, ob.requirements, status, outcome.seconds, ob.statement, profile_values(ob), reason,
                  outcome.checks, trace)  # fmt: skip


def _outcomes(induction: Induction, obligations: Sequence[Obligation], depth: int) -> list[Outcome]:
    """Prove ``obligations`` in order (BMC for a trace where the induction
    fails); the auxiliary invariants' time is spread over the others."""
    start = time.perf_counter()
    bmc: list[Unrolling] = []

    def run(ob: Obligation) -> Outcome:
        outcome = prove(ob, induction, None)
        if outcome.verdict.status != "proved":
            bmc.append(bmc[0] if bmc else Unrolling(induction.ctx.inputs, depth))
            outcome = prove(ob, induction, bmc[0])
        return outcome

    outcomes = [run(ob) for ob in obligations]
    _spread(outcomes, time.perf_counter() - start - sum(o.seconds for o in outcomes if not o.obligation.aux))
    return outcomes


def _spread(outcomes: Sequence[Outcome], seconds: float) -> None:
    """Add ``seconds`` (set-up, auxiliary proofs) to the invariants' seconds in equal parts."""
    shown = [o for o in outcomes if not o.obligation.aux]
    for outcome in shown:
        outcome.seconds += seconds / len(shown)


def _results(outcomes: Sequence[Outcome]) -> list[Result]:
    """The invariants' results in the order of OBLIGATIONS, each with the
    auxiliary invariants' statuses (a proof resting on an auxiliary invariant
    not proved proves nothing)."""
    by_name = {o.obligation.name: o for o in outcomes}
    aux = [by_name[ob.name] for ob in AUXILIARY]
    support = all(a.verdict.status == "proved" for a in aux)
    results = []
    for ob in OBLIGATIONS:
        results.append(_result(by_name[ob.name], support))
        results[-1].checks.update({a.obligation.name: a.verdict.status for a in aux})
    return results


def check_inputs(inputs: Inputs, depth: int = BMC_DEPTH) -> list[Result]:
    """Prove every obligation on one encoding, in this process (BMC for a
    trace where the induction fails)."""
    start = time.perf_counter()
    induction = Induction(inputs)
    built = time.perf_counter() - start
    outcomes = _outcomes(induction, AUXILIARY + OBLIGATIONS, depth)
    _spread(outcomes, built)
    return _results(outcomes)


# prove_all splits the obligations between this process and a copy of it
# forked once the relation is built (so it is built once), the same way on any
# machine, so that every query runs after the same others (and uses the same
# solver work) whatever the number of cores or the scheduling: here the
# auxiliary invariants and every second invariant from the first, there the
# others.
HERE: Final = AUXILIARY + OBLIGATIONS[::2]
FORKED: Final = OBLIGATIONS[1::2]


def _forked(work: Callable[[], list[Outcome]]) -> Callable[[], list[Outcome]]:
    """Start ``work`` in a forked copy of this process; the function returned
    waits for its outcomes."""
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    child = context.Process(target=lambda: writer.send(work()), daemon=True)
    child.start()
    writer.close()

    def outcomes() -> list[Outcome]:
        try:
            received: list[Outcome] = reader.recv()
        except EOFError:
            child.join()
            raise RuntimeError(f"the forked prover ended without outcomes (exit code {child.exitcode})") from None
        finally:
            child.join()
            reader.close()
        return received

    return outcomes


def prove_all(mutants: bool = False, depth: int = BMC_DEPTH) -> list[Result]:
    """Prove every obligation on the reference encoding; with ``mutants``,
    also record which seeded faults each one catches (BMC to ``depth``)."""
    start = time.perf_counter()
    induction = Induction(reference_inputs())
    built = time.perf_counter() - start
    there = _forked(lambda: _outcomes(induction, FORKED, depth))
    outcomes = _outcomes(induction, HERE, depth) + there()
    _spread(outcomes, built)
    results = _results(outcomes)
    if mutants:
        from .mutants import falsify_all

        falsify_all(results, depth)
    return results


__all__ = ["Result", "check_inputs", "profile_values", "prove_all"]
