"""Mutation analysis of the model against the committed vectors: the score and
the suite's targets (a score of at least 95 % of non-equivalent mutants; the
whole suite in-process against the reference in under 2 s; regeneration
byte-identical).

Prints the time of each phase (loading the vectors, generating the random
walks, the unmutated run that records what each vector executes, the
mutants); the numbers of mutants killed / survived / unconfirmed / equivalent
and the score, before (the committed vectors without the mutant-driven ones,
the ``spread`` group) and after (all of them); every mutant left alive with
its file, line and operator; the suite's size (vectors, bytes of JSON); the
time of ``mhhs-sec conform --adapter reference --quiet``; and whether
``mhhs-sec generate --check --full`` finds the committed files byte-identical.

Run: ``python benchmarks/mutants_bench.py [--jobs N] [--limit N] [--no-before]
[--no-checks]`` (``mhhs-sec mutants`` prints the same analysis).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Any

from mhhs_sec.vectors import load_vectors
from mhhs_sec.vectors.format import JSON_DIR

from mhhs_sec.commands.mutants import report
from mhhs_sec.mutation import analysis

TARGET = 0.95
CONFORM_TARGET_S = 2.0
MUTANT_DRIVEN = "spread"  # the group whose vectors the mutants chose


def _analysis(vectors: Sequence[Any], walks: list[analysis.WalkRun], jobs: int, limit: int | None) -> dict[str, Any]:
    started = time.perf_counter()
    suite = analysis.prepare(vectors, walks)
    prepared = time.perf_counter()
    mutants = analysis.sample(analysis.enumerate_mutants(suite.files), limit)
    document = report(analysis.analyse(suite, mutants, jobs), suite.walk_events)
    done = time.perf_counter()
    print(f"  unmutated run with line coverage per vector: {prepared - started:.1f} s "
          f"(at most {suite.most_loop_iterations} loop iterations in one event)")  # fmt: skip
    print(f"  {len(mutants)} mutants of {len(suite.files)} model files, {jobs} workers: {done - prepared:.1f} s "
          f"({(done - prepared) / max(1, len(mutants)) * 1000:.0f} ms per mutant)")  # fmt: skip
    print(f"  killed {document['killed']}, survived {document['survived']}, unconfirmed {document['unconfirmed']}, "
          f"equivalent {document['equivalent']}")  # fmt: skip
    score = document["score"]
    if score is not None:
        verdict = "met" if score >= TARGET else "NOT met"
        print(f"  score {100 * score:.1f} % of non-equivalent mutants (target {100 * TARGET:.0f} %: {verdict})")
    return document


def _alive(document: dict[str, Any]) -> None:
    for kind in ("survivors", "unconfirmed_mutants"):
        for entry in document[kind]:
            print(f"  {kind[:-1]}: {entry['file']}:{entry['line']}:{entry['column']} {entry['operator']} "
                  f"({entry['detail']})")  # fmt: skip


def _suite_size(vectors: Sequence[Any]) -> None:
    files = sorted(JSON_DIR.glob("*.json"))
    size = sum(f.stat().st_size for f in files)
    print(f"suite: {len(vectors)} vectors in {len(files)} files, {size / 1e6:.1f} MB of JSON")


def _timed(command: list[str]) -> tuple[float, int, str]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    last = (done.stdout.strip().splitlines() or [""])[-1]
    return time.perf_counter() - started, done.returncode, last


def _checks() -> None:
    cli = [sys.executable, "-m", "mhhs_sec"]
    _timed([*cli, "conform", "--adapter", "reference", "--quiet"])  # one unmeasured run (bytecode, caches)
    seconds, code, last = _timed([*cli, "conform", "--adapter", "reference", "--quiet"])
    verdict = "met" if seconds < CONFORM_TARGET_S and code == 0 else "NOT met"
    print(f"conform --adapter reference --quiet: {seconds:.2f} s, exit {code} (target < {CONFORM_TARGET_S:.0f} s: "
          f"{verdict}): {last}")  # fmt: skip
    seconds, code, last = _timed([*cli, "generate", "--check", "--full"])
    print(f"generate --check --full: {'byte-identical' if code == 0 else 'DIFFERS'} ({seconds:.0f} s): {last}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--no-before", action="store_true", help="skip the analysis without the mutant-driven vectors")
    parser.add_argument("--no-checks", action="store_true", help="skip the conform timing and the regeneration check")
    args = parser.parse_args()

    started = time.perf_counter()
    vectors = sorted(load_vectors(strict=False), key=lambda v: v.id)
    loaded = time.perf_counter()
    walks = analysis.random_walks()
    walked = time.perf_counter()
    print(f"{len(vectors)} vectors loaded: {loaded - started:.1f} s")
    print(f"{len(walks)} random walks, {sum(len(w.events) for w in walks)} events: {walked - loaded:.1f} s")
    if not args.no_before:
        earlier = [v for v in vectors if MUTANT_DRIVEN not in v.tags]
        print(f"before: the {len(earlier)} vectors without the mutant-driven group '{MUTANT_DRIVEN}'")
        _analysis(earlier, walks, args.jobs, args.limit)
    print(f"after: all {len(vectors)} committed vectors")
    document = _analysis(vectors, walks, args.jobs, args.limit)
    _alive(document)
    _suite_size(vectors)
    if not args.no_checks:
        _checks()
    print(f"total run time: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
