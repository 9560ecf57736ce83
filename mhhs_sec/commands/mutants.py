"""``mhhs-sec mutants [--json] [--jobs N] [--file model/x.py] [--limit N]
[--fail-under PERCENT] [--select CANDIDATES]``: mutation analysis of the model
(:mod:`mhhs_sec.mutation.analysis`).  Every mutant of the model's source is run
against the committed vectors; those no vector kills replay long random walks
against the unmutated model.  Prints the score (killed / non-equivalent), the
counts by operator, every survivor and every unconfirmed mutant with its file,
line and operator; with ``--select``, the fewest candidate vectors that kill
the mutants left alive.  Exit 0 when the analysis ran (and the score is at least
``--fail-under``), 1 when the score is below it, 2 on bad usage."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

STATUSES = ("killed", "survived", "equivalent", "unconfirmed")


def report(results: list[tuple[Any, dict[str, Any]]], random_events: int, fuzzed_inputs: int = 0) -> dict[str, Any]:
    """The analysis as a JSON document (no times: the same commit gives the
    same document)."""
    counts = Counter(result["status"] for _, result in results)
    non_equivalent = len(results) - counts["equivalent"]
    return {
        "mutants": len(results),
        **{status: counts[status] for status in STATUSES},
        "score": round(counts["killed"] / non_equivalent, 4) if non_equivalent else None,
        "random_events": random_events,
        "fuzzed_inputs": fuzzed_inputs,
        "by_operator": _by_operator(results),
        "survivors": [_entry(m, r) for m, r in results if r["status"] == "survived"],
        "unconfirmed_mutants": [_entry(m, r) for m, r in results if r["status"] == "unconfirmed"],
        "equivalent_mutants": [_entry(m, r) for m, r in results if r["status"] == "equivalent"],
    }


def _by_operator(results: list[tuple[Any, dict[str, Any]]]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for mutant, result in results:
        row = table.setdefault(mutant.operator, dict.fromkeys(STATUSES, 0))
        row[result["status"]] += 1
    return dict(sorted(table.items()))


def _entry(mutant: Any, result: dict[str, Any]) -> dict[str, Any]:
    entry = {"id": mutant.id, "file": f"model/{mutant.file}", "line": mutant.line, "column": mutant.column,
             "operator": mutant.operator, "detail": mutant.detail}  # fmt: skip
    entry["evidence"] = result["walk"] if result["status"] == "survived" else result["evidence"]
    return entry


def text(document: dict[str, Any], seconds: float | None = None) -> str:
    score = document["score"]
    lines = [
        f"mutants: {document['mutants']}  killed: {document['killed']}  survived: {document['survived']}  "
        f"unconfirmed: {document['unconfirmed']}  equivalent: {document['equivalent']} "
        f"(no difference in {document['random_events']} random events"
        f"{_fuzzed(document)})",
        f"score: {'n/a' if score is None else f'{100 * score:.1f} %'} (killed / non-equivalent)"
        + ("" if seconds is None else f"  run time: {seconds:.1f} s"),
        "",
        f"{'operator':<16} {'killed':>7} {'survived':>9} {'unconfirmed':>12} {'equivalent':>11}",
    ]
    for operator, row in document["by_operator"].items():
        lines.append(f"{operator:<16} {row['killed']:>7} {row['survived']:>9} {row['unconfirmed']:>12} "
                     f"{row['equivalent']:>11}")  # fmt: skip
    if document["survivors"]:
        lines += ["", "survivors (a random walk or a fuzzed input tells them from the model; no vector does):"]
    for entry in document["survivors"]:
        walk = entry["evidence"]
        first = walk["differences"][0]
        shown = first if len(first) <= 160 else first[:157] + "..."
        where = f"fuzzed input {walk['fuzzed']}" if "fuzzed" in walk else f"walk {walk['walk']} event {walk['step']}"
        lines.append(f"  {_where(entry)}: {where}: {shown}")
    if document["unconfirmed_mutants"]:
        lines += [
            "",
            "unconfirmed (no vector kills them; no random walk nor fuzzed input executes their line), LINE:operator:",
        ]
    by_file: dict[str, list[str]] = {}
    for entry in document["unconfirmed_mutants"]:
        by_file.setdefault(entry["file"], []).append(f"{entry['line']}:{entry['operator']}")
    lines += [f"  {file} ({len(found)}): {' '.join(found)}" for file, found in by_file.items()]
    if document.get("not_mutated"):
        lines += ["", "not mutated (marked in the source: the reference never runs them for an event), LINE: reason:"]
        lines += [f"  {e['file']}:{e['line']}: {e['reason']}" for e in document["not_mutated"]]
    selection = document.get("selection")
    if selection is not None:
        lines += ["", f"selection: {selection['killable']} of the {selection['alive']} mutants left alive are killed "
                  f"by {len(selection['chosen'])} of {selection['candidates']} candidates:"]  # fmt: skip
        lines += [f"  {c}: {' '.join(m)}" for c, m in selection["chosen"].items()]
    return "\n".join(lines)


def _fuzzed(document: dict[str, Any]) -> str:
    count = document.get("fuzzed_inputs", 0)
    return f", or, for the input reading, on {count} fuzzed inputs" if count else ""


def _where(entry: dict[str, Any]) -> str:
    return f"{entry['file']}:{entry['line']}:{entry['column']} {entry['operator']} ({entry['detail']})"


def _files(args: argparse.Namespace, known: tuple[str, ...]) -> list[str] | None:
    """The model files to mutate: the ``--file`` ones, else all ``known``."""
    if not args.file:
        return list(known)
    chosen = [Path(f).name for f in args.file]
    unknown = sorted(set(chosen) - set(known))
    if unknown:
        print(f"mhhs-sec mutants: not a model file the reference imports: {unknown}; known: {list(known)}",
              file=sys.stderr)  # fmt: skip
        return None
    return chosen


def run(args: argparse.Namespace) -> int:
    from mhhs_sec.mutation import analysis, fuzzed, runtime
    from mhhs_sec.vectors import load_vectors

    started = time.perf_counter()
    jobs = args.jobs or os.cpu_count() or 1
    if _files(args, tuple(p.name for p in runtime.model_dir().glob("*.py"))) is None:
        return 2
    vectors = sorted(load_vectors(args.vectors, strict=False), key=lambda v: v.id)
    if args.kill_matrix:
        return _kill_matrix(args, vectors, jobs)
    suite = analysis.prepare(vectors, analysis.random_walks(), fuzzed.FUZZ_INPUTS)
    files = _files(args, suite.files)
    if files is None:
        return 2
    mutants = analysis.sample(analysis.enumerate_mutants(files), args.limit)
    progress = _progress if not args.json and sys.stderr.isatty() else (lambda _: None)
    results = analysis.analyse(suite, mutants, jobs, progress)
    document = report(results, suite.walk_events, len(suite.fuzz_inputs))
    document["not_mutated"] = analysis.not_mutated(files)
    if args.select:
        document["selection"] = _select(args.select, [m for m, r in results if r["status"] != "killed"], jobs)
    seconds = time.perf_counter() - started
    print(json.dumps(document, indent=2) if args.json else text(document, seconds))
    below = args.fail_under is not None and (document["score"] or 0) * 100 < args.fail_under
    return 1 if below else 0


def _select(path: str, alive: list[Any], jobs: int) -> dict[str, Any]:
    """The fewest candidate vectors (at ``path``) that kill the mutants the
    suite leaves alive, and what each kills (:mod:`mhhs_sec.mutation.select`)."""
    from mhhs_sec.mutation import select
    from mhhs_sec.vectors import load_vectors

    candidates = sorted(load_vectors(path, strict=False), key=lambda v: v.id)
    killed = select.killers(candidates, alive, jobs)
    chosen = select.cover(killed)
    return {"candidates": len(candidates), "alive": len(alive), "killable": sum(1 for k in killed.values() if k),
            "chosen": {c: sorted(m for m, by in killed.items() if c in by) for c in chosen}}  # fmt: skip


def _kill_matrix(args: argparse.Namespace, vectors: list[Any], jobs: int) -> int:
    """Every vector that kills each mutant, written to ``--kill-matrix PATH``
    (:mod:`mhhs_sec.mutation.matrix`); no walks, no fuzzed inputs."""
    from mhhs_sec.mutation import analysis, matrix

    suite = analysis.prepare(vectors, [])
    files = _files(args, suite.files)
    if files is None:
        return 2
    names = {Path(given).name for given in args.settled}  # a file named by its path or by its name
    settled = frozenset(v.id for v in vectors if Path(v.source).name in names)
    mutants = analysis.sample(analysis.enumerate_mutants(files), args.limit)
    progress = _progress if sys.stderr.isatty() else (lambda _: None)
    document = matrix.compute(suite, mutants, jobs, Path(args.kill_matrix), settled, progress)
    killed = matrix.killed(document)
    print(f"kill matrix of {len(mutants)} mutants against {len(vectors)} vectors ({len(settled)} settled): "
          f"{len(killed)} killed; written to {args.kill_matrix}")  # fmt: skip
    return 0


def _progress(done: int) -> None:
    print(f"\r{done} mutants run", end="", file=sys.stderr, flush=True)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("mutants", help="mutation analysis of the model against the committed vectors")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: one per core)")
    parser.add_argument("--file", action="append", default=[], metavar="model/x.py",
                        help="mutate only this model file (repeatable)")  # fmt: skip
    parser.add_argument("--limit", type=int, metavar="N", help="only N mutants, spread evenly over all of them")
    parser.add_argument("--fail-under", type=float, metavar="PERCENT", help="exit 1 when the score is below this")
    parser.add_argument("--vectors", metavar="PATH", help="vector file or folder (default: the committed vectors)")
    parser.add_argument("--select", metavar="PATH",
                        help="candidate vectors: print the fewest of them killing the mutants left alive")  # fmt: skip
    parser.add_argument("--kill-matrix", metavar="PATH",
                        help="write every vector that kills each mutant (JSON) to PATH instead of the "
                        "analysis")  # fmt: skip
    parser.add_argument("--settled", action="append", default=[], metavar="FILE.json",
                        help="with --kill-matrix: a vector file kept whatever; a mutant it kills is recorded with "
                        "its first killer there only (repeatable)")  # fmt: skip
    parser.set_defaults(func=run)
