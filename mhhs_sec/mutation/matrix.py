"""The kill matrix (``mhhs-sec mutants --kill-matrix PATH``): for every mutant
of the model, every vector that kills it, not only the first.  The suite is
minimised against it (:mod:`mhhs_sec.generate.minimise`): a vector may go
only when each mutant it kills is killed by a vector that stays.

Each mutant runs, in a worker (:mod:`.analysis`), the vectors that execute its
lines (:mod:`.coverage`); a vector that never executes them computes what the
model computes.  Vectors ``settled`` (in files that are kept whatever the
minimisation decides) run first: a mutant one of them kills is recorded with
that vector only (``"settled": true``), since it stays killed whatever else
goes; every other mutant runs all its vectors and records each that fails,
except that it stops at the first vector whose run exceeds the step budget
(a mutant that loops costs the whole budget on every vector it runs; those
already recorded and that one are its killers, ``"budget": true``: fewer
killers only make the minimiser keep more).  A mutant that does not compile
or load is killed by ``every`` vector.

The matrix is written as it grows, one JSON line per mutant (``PATH.partial``),
so a run stopped half way resumes where it stopped; the finished matrix is
one JSON document, in the mutants' order.  Same commit, same matrix.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

from . import analysis, operators, runtime

Json = dict[str, Any]

CHUNK: Final = 50  # mutants between two appends to the partial file


def _outcome(adapter: Any, vector: Any) -> str:
    """``"pass"``, ``"fail"``, or ``"budget"``: the run ended by exceeding the
    step budget (the mutant loops; :mod:`.runtime`)."""
    from mhhs_sec.conformance.runner import run_vector
    from mhhs_sec.vectors import compare

    try:
        return "pass" if run_vector(adapter, vector, compare).status == "pass" else "fail"
    except runtime.StepBudgetExceeded:
        return "budget"
    except Exception:  # noqa: BLE001 - a crash kills it
        return "fail"


def _row(mutant: operators.Mutant) -> Json:
    """In a worker: the vectors that kill ``mutant``."""
    suite = analysis._SUITE[0]
    assert suite.coverage is not None
    settled = _SETTLED[0]
    try:
        codes = analysis._mutant_codes(suite, mutant)
        adapter = analysis._reference(codes, runtime.Budget(analysis.STEP_BUDGET))
    except Exception:  # noqa: BLE001 - a mutant that does not compile or load fails every vector
        return {"every": True}
    order = suite.coverage.vectors(analysis._lines(mutant), len(suite.vectors))
    for index in (i for i in order if i in settled):
        if _outcome(adapter, suite.vectors[index]) != "pass":
            return {"killers": [suite.vectors[index].id], "settled": True}
    killers: list[str] = []
    for index in (i for i in order if i not in settled):
        outcome = _outcome(adapter, suite.vectors[index])
        if outcome != "pass":
            killers.append(suite.vectors[index].id)
        if outcome == "budget":
            return {"killers": killers, "budget": True}
    return {"killers": killers}


_SETTLED: list[frozenset[int]] = [frozenset()]  # set in the parent, inherited by the forked workers


def _done(partial: Path) -> dict[str, Json]:
    if not partial.exists():
        return {}
    rows = (json.loads(line) for line in partial.read_text(encoding="utf-8").splitlines() if line.strip())
    return {row["mutant"]: row for row in rows}


def compute(
    suite: analysis.Suite, mutants: Sequence[operators.Mutant], jobs: int, path: Path,
    settled: frozenset[str] = frozenset(), on_result: Callable[[int], None] = lambda _: None,
) -> Json:  # fmt: skip
    """The kill matrix of ``mutants`` against the suite's vectors, written to
    ``path`` (resumed from ``path.partial`` when a run was stopped)."""
    analysis._SUITE[:] = [suite]
    _SETTLED[:] = [frozenset(i for i, v in enumerate(suite.vectors) if v.id in settled)]
    partial = path.with_name(path.name + ".partial")
    done = _done(partial)
    to_run = [m for m in mutants if m.id not in done and not analysis._unexecuted(suite, m)]
    for start in range(0, len(to_run), CHUNK):
        chunk = to_run[start : start + CHUNK]
        rows = analysis._in_workers(_row, chunk, jobs, partial_progress(on_result, len(done)))
        with partial.open("a", encoding="utf-8") as out:
            for mutant, row in zip(chunk, rows, strict=True):
                row = {"mutant": mutant.id, **_normalised(row)}
                done[mutant.id] = row
                out.write(json.dumps(row, sort_keys=True) + "\n")
    document = {
        "vectors": [v.id for v in suite.vectors],
        "settled": sorted(settled),
        "mutants": {m.id: _without_id(done.get(m.id, {"killers": []})) for m in mutants},
    }
    path.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    partial.unlink(missing_ok=True)
    return document


def partial_progress(on_result: Callable[[int], None], before: int) -> Callable[[int], None]:
    """Progress over the whole run from the progress of one chunk."""
    return lambda done: on_result(before + done)


def _normalised(row: Json) -> Json:
    """A worker that died (``analysis._received``) killed the mutant with every vector it ran."""
    if row.get("status") == "killed":
        return {"every": True}
    return row


def _without_id(row: Json) -> Json:
    return {k: v for k, v in row.items() if k != "mutant"}


def killed(document: Json) -> dict[str, list[str]]:
    """Mutant id -> the vectors that kill it, for every mutant some vector kills
    (``["*"]``: every vector does)."""
    found: dict[str, list[str]] = {}
    for mutant, row in document["mutants"].items():
        if row.get("every"):
            found[mutant] = ["*"]
        elif row.get("killers"):
            found[mutant] = list(row["killers"])
    return found
