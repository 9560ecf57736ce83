"""Choosing new vectors by the mutants they kill (``mhhs-sec mutants --select
CANDIDATES``): the mutants the suite does not kill are run against candidate
vectors; a candidate is worth keeping only when it kills one of them.  Each
mutant is run against the candidates that execute its lines, the longest
first, up to the first that kills it (running every candidate against every
mutant costs too much on two cores); the candidates so found are then
reduced to the fewest that still kill every mutant (greedy set cover: the
candidate killing most of the mutants still alive first, ties to the first in
id order).  Deterministic: same suite, same candidates, same choice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from . import analysis, operators, runtime

Json = dict[str, Any]


def _killed_by(mutant: operators.Mutant) -> Json:
    """The ids of the candidates (the worker's suite vectors) the mutant fails."""
    from mhhs_sec.conformance.runner import run_vector
    from mhhs_sec.vectors import compare

    suite = analysis._SUITE[0]
    assert suite.coverage is not None
    try:
        codes = analysis._mutant_codes(suite, mutant)
    except (SyntaxError, ValueError, TypeError):
        return {"killers": []}
    order = suite.coverage.vectors(analysis._lines(mutant), len(suite.vectors))
    killers = []
    budget = runtime.Budget(analysis.STEP_BUDGET)
    try:
        adapter = analysis._reference(codes, budget)
    except Exception:  # noqa: BLE001 - does not load: every candidate kills it
        return {"killers": [suite.vectors[i].id for i in order]}
    for index in order:
        try:
            verdict = run_vector(adapter, suite.vectors[index], compare)
            failed = verdict.status != "pass"
        except (runtime.StepBudgetExceeded, Exception):  # noqa: BLE001 - a crash kills it
            failed = True
        if failed:
            killers.append(suite.vectors[index].id)
            break
    return {"killers": killers}


def killers(
    candidates: Sequence[Any], mutants: Sequence[operators.Mutant], jobs: int,
    on_result: Callable[[int], None] = lambda _: None,
) -> dict[str, list[str]]:  # fmt: skip
    """Mutant id -> the first candidate (longest first) that kills it, if any."""
    candidates = sorted(candidates, key=lambda v: (-len(v.steps), v.id))
    suite = analysis.prepare(candidates, [])
    analysis._SUITE[:] = [suite]
    results = analysis._in_workers(_killed_by, list(mutants), jobs, on_result)
    return {m.id: list(r.get("killers", [])) for m, r in zip(mutants, results, strict=True)}


def cover(killed: dict[str, list[str]]) -> list[str]:
    """The fewest candidates (greedy) killing every mutant some candidate kills."""
    alive = {mutant for mutant, by in killed.items() if by}
    chosen: list[str] = []
    while alive:
        counts: dict[str, int] = {}
        for mutant in sorted(alive):
            for candidate in killed[mutant]:
                counts[candidate] = counts.get(candidate, 0) + 1
        best = min(counts, key=lambda c: (-counts[c], c))
        chosen.append(best)
        alive = {m for m in alive if best not in killed[m]}
    return chosen
