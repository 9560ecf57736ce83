"""Per-invariant proof times of ``mhhs-sec prove`` (issue 3 item 8: all in
under 5 s on a 2-core machine), optionally BMC on the reference encoding and
the seeded faults.

    python benchmarks/prove_bench.py [--repeat 3] [--bmc] [--mutants]

Prints, per invariant, the best and the median of ``--repeat`` runs of
:func:`mhhs_sec.proofs.prove_all` (initiation, consecution, non-vacuity, with
the auxiliary invariants' share); with ``--bmc`` the time for bounded model
checking of each invariant to the stated depth on the reference encoding (no
violation expected); with ``--mutants`` the time to falsify each seeded fault.
"""

from __future__ import annotations

import argparse
import statistics
import time

from mhhs_sec.proofs import OBLIGATIONS, prove_all
from mhhs_sec.proofs.inputs import reference_inputs
from mhhs_sec.proofs.mutants import MUTANTS
from mhhs_sec.proofs.solve import BMC_DEPTH, Counterexample, Unrolling


def proofs(repeat: int) -> None:
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
    print(f"{'invariant':<{width}}  status    best s  median s")
    for name, times in runs.items():
        print(f"{name:<{width}}  {statuses[name]:<8} {min(times):7.3f}  {statistics.median(times):8.3f}")
    print(f"total wall time of prove_all: best {min(totals):.2f} s, median {statistics.median(totals):.2f} s "
          f"({repeat} runs; target < 5 s)")  # fmt: skip


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--bmc", action="store_true")
    parser.add_argument("--mutants", action="store_true")
    parser.add_argument("--depth", type=int, default=BMC_DEPTH)
    args = parser.parse_args()
    proofs(args.repeat)
    if args.bmc:
        bmc(args.depth)
    if args.mutants:
        mutants(args.depth)


if __name__ == "__main__":
    main()
