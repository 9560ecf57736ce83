"""Generation throughput (target: 10,000 vectors in under 10 s).

Prints: the one-off Z3 work (MC/DC pairs of every decision, class witnesses),
then the time to turn 10,000 cases into vectors (run the model, write the
'why' of each output, find the profile options the outcome depends on by
re-running every alternative, encode and serialise the JSON), then the XML
rendering rate.  Run: ``python benchmarks/generate_bench.py [count]``.
"""

from __future__ import annotations

import itertools
import sys
import time
from dataclasses import replace

from mhhs_sec.generate import boundary, cells, classes, negative, targeted
from mhhs_sec.generate.build import build_vector
from mhhs_sec.generate.writer import document, dumps
from mhhs_sec.generate.xmlform import render_document


def main(count: int = 10_000) -> None:
    started = time.perf_counter()
    results = boundary.boundary_results()
    solved = time.perf_counter()
    pool = [*boundary.cases(results), *cells.cases(), *classes.cases(), *negative.cases(), *targeted.cases()]
    cased = time.perf_counter()
    print(f"Z3 MC/DC pairs for {len(results)} decisions: {solved - started:.2f} s")
    print(f"{len(pool)} distinct cases (incl. Z3 class witnesses): {cased - solved:.2f} s")

    stream = [replace(case, id=f"{case.id}.{n}") for n, case in zip(range(count), itertools.cycle(pool))]
    begin = time.perf_counter()
    vectors = [build_vector(case) for case in stream]
    text = dumps(document("boundary", "bench", "benchmark", vectors))
    elapsed = time.perf_counter() - begin
    print(f"{count} vectors built and serialised in {elapsed:.2f} s ({count / elapsed:,.0f} vectors/s, "
          f"{len(text) / 1e6:.1f} MB JSON)")  # fmt: skip

    sample = document("boundary", "bench", "benchmark", vectors[:1000])
    begin = time.perf_counter()
    render_document(sample, validate=False)
    xml_elapsed = time.perf_counter() - begin
    print(f"XML rendering (DUIS envelopes validated, project XSD not): {1000 / xml_elapsed:,.0f} vectors/s")
    verdict = "met" if elapsed < 10 else "NOT met"
    print(f"target 10,000 vectors < 10 s: {verdict} ({elapsed * 10_000 / count:.2f} s per 10,000)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
