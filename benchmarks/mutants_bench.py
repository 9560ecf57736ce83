"""Mutation analysis of the model against the committed vectors: the score and
its time (issue 12: a score of at least 95 % of non-equivalent mutants, on two
cores in minutes).

Prints the time of each phase (loading the vectors, generating the random
walks, the unmutated run that records what each vector executes, the mutants),
the numbers of mutants killed / survived / unconfirmed / equivalent and the
score.  Run: ``python benchmarks/mutants_bench.py [--jobs N] [--limit N]``
(``mhhs-sec mutants`` prints the same analysis with every survivor).
"""

from __future__ import annotations

import argparse
import os
import time

from mhhs_sec.vectors import load_vectors

from mhhs_sec.commands.mutants import report
from mhhs_sec.mutation import analysis

TARGET = 0.95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--limit", type=int)
    args = parser.parse_args()

    started = time.perf_counter()
    vectors = sorted(load_vectors(strict=False), key=lambda v: v.id)
    loaded = time.perf_counter()
    walks = analysis.random_walks()
    walked = time.perf_counter()
    suite = analysis.prepare(vectors, walks)
    prepared = time.perf_counter()
    mutants = analysis.sample(analysis.enumerate_mutants(suite.files), args.limit)
    document = report(analysis.analyse(suite, mutants, args.jobs), suite.walk_events)
    done = time.perf_counter()

    print(f"{len(vectors)} vectors loaded: {loaded - started:.1f} s")
    print(f"{len(walks)} random walks, {suite.walk_events} events: {walked - loaded:.1f} s")
    print(f"unmutated run with line coverage per vector: {prepared - walked:.1f} s "
          f"(at most {suite.most_loop_iterations} loop iterations in one event)")  # fmt: skip
    print(f"{len(mutants)} mutants of {len(suite.files)} model files, {args.jobs} workers: {done - prepared:.1f} s "
          f"({(done - prepared) / max(1, len(mutants)) * 1000:.0f} ms per mutant)")  # fmt: skip
    print(f"killed {document['killed']}, survived {document['survived']}, unconfirmed {document['unconfirmed']}, "
          f"equivalent {document['equivalent']}")  # fmt: skip
    score = document["score"]
    if score is not None:
        verdict = "met" if score >= TARGET else "NOT met"
        print(f"score {100 * score:.1f} % of non-equivalent mutants (target {100 * TARGET:.0f} %: {verdict})")
    print(f"total run time: {done - started:.1f} s")


if __name__ == "__main__":
    main()
