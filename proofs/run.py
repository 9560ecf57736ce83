"""``prove_all``: the obligations proved on the reference encoding, and (with
``mutants=True``) falsified on each seeded fault."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from .inputs import reference_inputs
from .obligations import OBLIGATIONS
from .solve import BMC_DEPTH, Counterexample, Induction, Outcome, Trace, Unrolling, prove


@dataclass
class Result:
    """One invariant's result (the public shape ``mhhs-sec check`` reads)."""

    name: str
    requirements: tuple[str, ...]
    status: str  # 'proved' | 'violated' | 'unknown'
    seconds: float
    statement: str = ""
    checks: dict[str, str] = field(default_factory=dict)
    counterexample: Trace | None = None
    falsified_by: list[str] = field(default_factory=list)
    mutant_traces: dict[str, Trace] = field(default_factory=dict)
    aux: bool = False


def _result(outcome: Outcome) -> Result:
    ob, verdict = outcome.obligation, outcome.verdict
    status = verdict.status
    if status == "proved" and outcome.checks.get("vacuity") != "sat":
        status = "unknown"  # a proof whose hypotheses cannot be met proves nothing
    trace = verdict.trace if isinstance(verdict, Counterexample) else None
    return Result(ob.name, ob.requirements, status, outcome.seconds, ob.statement, outcome.checks, trace, aux=ob.aux)


def prove_all(mutants: bool = False, depth: int = BMC_DEPTH) -> list[Result]:
    """Prove every obligation on the reference encoding; with ``mutants``,
    also record which seeded faults each one catches (BMC to ``depth``)."""
    start = time.perf_counter()
    induction = Induction(reference_inputs())
    setup = time.perf_counter() - start
    results = []
    bmc: Unrolling | None = None
    for ob in OBLIGATIONS:
        outcome = prove(ob, induction, None)
        if outcome.verdict.status != "proved":
            bmc = bmc or Unrolling(reference_inputs(), depth)
            outcome = prove(ob, induction, bmc)
        outcome.seconds += setup / len(OBLIGATIONS)
        results.append(_result(outcome))
    if mutants:
        from .mutants import falsify_all

        falsify_all(results, depth)
    return results


__all__ = ["Result", "prove_all"]
