"""``prove_all``: the obligations proved on the reference encoding, and (with
``mutants=True``) falsified on each seeded fault."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

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


def check_inputs(inputs: Inputs, depth: int = BMC_DEPTH) -> list[Result]:
    """Prove every obligation on one encoding (BMC for a trace where the
    induction fails)."""
    start = time.perf_counter()
    induction = Induction(inputs)
    bmc: list[Unrolling] = []

    def run(ob: object) -> Outcome:
        outcome = prove(ob, induction, None)  # type: ignore[arg-type]
        if outcome.verdict.status != "proved":
            bmc.append(bmc[0] if bmc else Unrolling(inputs, depth))
            outcome = prove(ob, induction, bmc[0])  # type: ignore[arg-type]
        return outcome

    aux = [run(ob) for ob in AUXILIARY]
    support = all(a.verdict.status == "proved" for a in aux)
    outcomes = [run(ob) for ob in OBLIGATIONS]
    share = (time.perf_counter() - start - sum(o.seconds for o in outcomes)) / len(outcomes)
    results = []
    for outcome in outcomes:
        outcome.seconds += share  # set-up and auxiliary proofs, shared out
        results.append(_result(outcome, support))
        results[-1].checks.update({a.obligation.name: a.verdict.status for a in aux})
    return results


def prove_all(mutants: bool = False, depth: int = BMC_DEPTH) -> list[Result]:
    """Prove every obligation on the reference encoding; with ``mutants``,
    also record which seeded faults each one catches (BMC to ``depth``)."""
    results = check_inputs(reference_inputs(), depth)
    if mutants:
        from .mutants import falsify_all

        falsify_all(results, depth)
    return results


__all__ = ["Result", "check_inputs", "profile_values", "prove_all"]
