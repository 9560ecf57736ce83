"""``mhhs-sec prove [--json] [--mutants]``: prove the invariants with Z3 for
every reachable state of the abstraction in ``proofs/README.md`` (requirement
IDs per invariant).

``--runtime`` also runs every invariant as a runtime check on every model
step of the committed vectors and the random walks (:mod:`mhhs_sec.proofs.runtime`).

``--mutants --vectors PATH`` also writes every counterexample as a
conformance vector file (docs/vector-format.md).

Results are cached under the content hash of the model, the encoding and the
tables (:mod:`mhhs_sec.proofs.cache`): with nothing changed since the last run
the answer comes from the cache, and says so; ``--no-cache`` proves again.

Exit codes: 0 all proved (and, with ``--mutants``, every invariant falsified
by at least one seeded fault); 1 an invariant violated or unknown, or an
invariant no seeded fault breaks; 2 bad arguments.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def run(args: argparse.Namespace) -> int:
    from mhhs_sec.proofs import prove_all
    from mhhs_sec.proofs.cache import cache_dir, cached
    from mhhs_sec.proofs.report import as_json, describe_trace, table
    from mhhs_sec.proofs.solve import BMC_DEPTH

    if args.vectors and not args.mutants:
        print("mhhs-sec prove: --vectors needs --mutants (the counterexamples come from the seeded faults)")
        return 2
    found = cached(lambda: prove_all(mutants=args.mutants), args.mutants, BMC_DEPTH, use=not args.no_cache)
    results = found.results
    runtime = _runtime_checks() if args.runtime else None
    if args.vectors:
        from mhhs_sec.proofs.vectors_out import document, write

        write(Path(args.vectors), document(results))
    if args.json:
        shown = {**as_json(results, args.mutants), "cached": found.hit}
        if runtime is not None:
            shown["runtime"] = {k: v for k, v in runtime.items() if k != "summary"}
        print(json.dumps(shown, indent=2, sort_keys=False))
    else:
        print(table(results, args.mutants))
        if runtime is not None:
            print(runtime["summary"])
        if found.hit:
            print(f"from the proof cache ({cache_dir()}, key {found.key[:12]}): the model, the encoding and the "
                  "tables are unchanged since these results were proved (seconds as measured then); "
                  "--no-cache proves again")  # fmt: skip
        for r in results:
            if r.counterexample is not None:
                print(f"\ncounterexample to {r.name} ({', '.join(r.requirements)}):")
                print(describe_trace(r.counterexample))
        if args.traces:
            for r in results:
                for fault, trace in sorted(r.mutant_traces.items()):
                    print(f"\n{r.name} falsified by seeded fault {fault}:")
                    print(describe_trace(trace))
    failed = any(r.status != "proved" for r in results)
    unbroken = args.mutants and any(not r.falsified_by for r in results)
    broken = runtime is not None and "broken" in runtime
    return 1 if failed or unbroken or broken else 0


def _runtime_checks() -> dict[str, Any]:
    """Every obligation checked on the model's concrete steps: the figures, or
    the first violation (``"broken"``)."""
    from mhhs_sec.proofs.runtime import InvariantBroken
    from mhhs_sec.proofs.runtime_run import self_check

    try:
        figures = self_check()
    except InvariantBroken as broken:
        return {"broken": str(broken), "summary": f"runtime check FAILED: {broken}"}
    return {"vectors": figures.vectors, "walks": figures.walks, "steps": figures.steps, "summary": figures.summary()}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "prove",
        help="prove the invariants with Z3 for every reachable state of the model's abstraction",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--mutants", action="store_true", help="also run the seeded faults (falsified_by)")
    parser.add_argument("--traces", action="store_true", help="with --mutants: print each fault's counterexample")
    parser.add_argument("--vectors", metavar="PATH", help="with --mutants: write the counterexamples as a vector file")
    parser.add_argument("--no-cache", action="store_true", help="prove again even when the cache has the answer")
    parser.add_argument("--runtime", action="store_true",
                        help="also run every invariant as a runtime check on every model step of the committed "
                        "vectors and the random walks (proofs/runtime.py)")  # fmt: skip
    parser.set_defaults(func=run)
