"""Figures of ``mhhs-sec prove`` beside their targets: all invariants proved
from scratch in under 5 s, and under 0.5 s with nothing changed since the last
run (the answer from the proof cache); optionally per-invariant times, BMC on
the reference encoding, the seeded faults and the Z3 resource use per query.

    python benchmarks/prove_bench.py [--repeat 3] [--invariants] [--bmc] [--mutants] [--rlimit]

Cold and warm are whole ``python -m mhhs_sec prove`` processes (interpreter
start and imports included) against an empty, then a filled, cache folder of
their own; each is timed in wall-clock seconds and in CPU seconds (the
machine's other load shows as the difference).  ``--invariants`` prints, per
invariant, the best and the median of ``--repeat`` in-process runs of
:func:`mhhs_sec.proofs.prove_all`; ``--bmc`` the time for bounded model
checking of each invariant on the reference encoding (no violation expected);
``--mutants`` the time for each seeded fault to falsify an invariant it aims
at; ``--rlimit`` the largest Z3 resource use of one query (proofs, and with
``--mutants`` the faults' BMC searches) beside the limits in ``solve.py``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import z3
from mhhs_sec.proofs import OBLIGATIONS, prove_all
from mhhs_sec.proofs.inputs import reference_inputs
from mhhs_sec.proofs.mutants import MUTANTS
from mhhs_sec.proofs.run import check_inputs
from mhhs_sec.proofs.solve import BMC_DEPTH, BMC_RLIMIT, QUERY_RLIMIT, Counterexample, Unrolling

COLD_TARGET_S = 5.0
WARM_TARGET_S = 0.5


def _prove_process(cache: str) -> tuple[float, float]:
    """Wall and CPU seconds of one ``mhhs-sec prove`` process."""
    env = {**os.environ, "MHHS_SEC_CACHE_DIR": cache}
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "mhhs_sec", "prove"], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"mhhs-sec prove failed:\n{done.stdout}{done.stderr}")
    return wall, (after.ru_utime - cpu.ru_utime) + (after.ru_stime - cpu.ru_stime)


def cold_and_warm(repeat: int) -> None:
    cold: list[tuple[float, float]] = []
    warm: list[tuple[float, float]] = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as cache:
            cold.append(_prove_process(cache))
            warm.append(_prove_process(cache))
    figures = (("from scratch", cold, COLD_TARGET_S), ("nothing changed (cache)", warm, WARM_TARGET_S))
    for label, runs, target in figures:
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        print(f"mhhs-sec prove, {label:<24} wall best {min(walls):5.2f} s, median {statistics.median(walls):5.2f} s; "
              f"CPU best {min(cpus):5.2f} s, median {statistics.median(cpus):5.2f} s   (target < {target} s; "
              f"{repeat} runs)")  # fmt: skip
    print(f"load average now: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")


def invariants(repeat: int) -> None:
    runs: dict[str, list[float]] = {ob.name: [] for ob in OBLIGATIONS}
    totals = []
    statuses: dict[str, str] = {}
    for _ in range(repeat):
        start = time.perf_counter()
        for r in prove_all():
            runs[r.name].append(r.seconds)
            statuses[r.name] = r.status
        totals.append(time.perf_counter() - start)
    width = max(map(len, runs))
    print(f"\n{'invariant':<{width}}  status    best s  median s")
    for name, times in runs.items():
        print(f"{name:<{width}}  {statuses[name]:<8} {min(times):7.3f}  {statistics.median(times):8.3f}")
    print(f"prove_all in-process: best {min(totals):.2f} s, median {statistics.median(totals):.2f} s ({repeat} runs)")


def bmc(depth: int) -> None:
    unrolling = Unrolling(reference_inputs(), depth)
    print(f"\nBMC to depth {depth} on the reference encoding (real calendar 2025-03-20 + 40 days):")
    for ob in OBLIGATIONS:
        start = time.perf_counter()
        verdict = unrolling.search(ob)
        print(f"  {ob.name:<40} {verdict.status:<8} {time.perf_counter() - start:6.2f} s")


def mutants(depth: int) -> None:
    print(f"\nseeded faults (BMC depth {depth}): first invariant each breaks, trace length, seconds")
    for mutant in MUTANTS:
        start = time.perf_counter()
        unrolling = Unrolling(mutant.inputs(), depth)
        found = "-"
        for ob in OBLIGATIONS:
            if not set(mutant.breaks) & set(ob.requirements):
                continue
            verdict = unrolling.search(ob)
            if isinstance(verdict, Counterexample):
                found = f"{ob.name} ({len(verdict.trace.steps)} steps)"
                break
        print(f"  {mutant.name:<32} {found:<50} {time.perf_counter() - start:6.2f} s")


@contextmanager
def largest_query() -> Iterator[list[int]]:
    """Records the largest Z3 resource use ('rlimit count') of one check."""
    largest = [0]
    check: Callable[..., z3.CheckSatResult] = z3.Solver.check

    def counted(solver: z3.Solver, *assumptions: z3.ExprRef) -> z3.CheckSatResult:
        before = _rlimit_count(solver)
        result = check(solver, *assumptions)
        largest[0] = max(largest[0], _rlimit_count(solver) - before)
        return result

    z3.Solver.check = counted  # type: ignore[method-assign]
    try:
        yield largest
    finally:
        z3.Solver.check = check  # type: ignore[method-assign]


def _rlimit_count(solver: z3.Solver) -> int:
    stats = solver.statistics()
    counted = "rlimit count" in stats.keys()  # noqa: SIM118 (z3.Statistics has no __contains__)
    return int(stats.get_key_value("rlimit count")) if counted else 0


def rlimits(with_mutants: bool, depth: int) -> None:
    # in this process: prove_all proves half the invariants in a forked copy, whose queries are not counted here
    with largest_query() as largest:
        check_inputs(reference_inputs())
    print(f"\nlargest Z3 resource use of one proof query: {largest[0]:,} (QUERY_RLIMIT {QUERY_RLIMIT:,})")
    if with_mutants:
        with largest_query() as largest:
            mutants(depth)
        print(f"largest Z3 resource use of one BMC query of the seeded faults: {largest[0]:,} "
              f"(BMC_RLIMIT {BMC_RLIMIT:,})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--invariants", action="store_true")
    parser.add_argument("--bmc", action="store_true")
    parser.add_argument("--mutants", action="store_true")
    parser.add_argument("--rlimit", action="store_true")
    parser.add_argument("--depth", type=int, default=BMC_DEPTH)
    args = parser.parse_args()
    cold_and_warm(args.repeat)
    if args.invariants:
        invariants(args.repeat)
    if args.bmc:
        bmc(args.depth)
    if args.rlimit:
        rlimits(args.mutants, args.depth)
    elif args.mutants:
        mutants(args.depth)


if __name__ == "__main__":
    main()
