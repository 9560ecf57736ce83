"""Fuzz the suite for a given number of inputs and print the counts.

    python benchmarks/fuzz.py --inputs 1000000 --seed 1 --target all

Inputs are made from the committed vectors and the protocol schemas, mutated
(``mhhs_sec/fuzz``), and fed to the codec, the model's ``step``, the stdio
server loop (one input in ten through ``python -m mhhs_sec serve --stdio``,
its own process), the HTTP server (``python -m mhhs_sec serve --http 0``, its
own process) and the runner's reading side.  For each target it prints the inputs
run, typed refusals, acceptances, untyped exceptions (an ``internal`` answer
included), bad answers (a server or the runner breaking its contract), hangs
(no outcome within ``--bound-s`` seconds of CPU time; for a server process,
three times that on the wall clock) and, among the inputs, how many lay
outside the model's input domain (each must be refused like any other bad
input: ``model/domain.py``); then the peak
memory of this process and of the server processes against ``--memory-mib``.  The
first few failing inputs of each kind are minimised and saved as JSON in
``--save``.  Exit 0 only with no untyped exception, bad answer or hang and the
peak memory under the bound.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from mhhs_sec.fuzz.harness import TARGETS, Tally, fuzz, load_inputs, make_target, minimise

# Shares of --target all: the in-process targets run thousands of inputs a
# second, the servers hundreds.
SHARES = {"codec": 0.40, "step": 0.25, "runner": 0.20, "stdio": 0.10, "http": 0.05}
COLUMNS = ("inputs", "refused", "accepted", "untyped", "bad_answers", "hangs", "domain")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=int, default=10_000, help="inputs in all (default 10000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the choices (default 0)")
    parser.add_argument("--target", choices=(*TARGETS, "all"), default="all")
    parser.add_argument(
        "--bound-s", type=float, default=1.0, help="per-input bound in seconds of CPU time: a hang past it (default 1)"
    )
    parser.add_argument("--memory-mib", type=int, default=1024, help="bound on peak memory (default 1024 MiB)")
    parser.add_argument("--save", default="fuzz-findings", help="folder for minimised failing inputs")
    parser.add_argument("--keep", type=int, default=3, help="failing inputs kept (and minimised) per kind")
    parser.add_argument("--vectors", help="vector file or folder of the corpus (default: the committed vectors)")
    parser.add_argument("--json", action="store_true", help="print the counts as one JSON object")
    args = parser.parse_args(argv)

    inputs = load_inputs(args.vectors)
    names = TARGETS if args.target == "all" else (args.target,)
    shares = {name: SHARES[name] for name in names}
    total = sum(shares.values())
    tallies, server_kib = [], 0
    for name in names:
        count = round(args.inputs * shares[name] / total)
        target = make_target(name, inputs, process=True, timeout_s=args.bound_s)
        started = time.perf_counter()
        tally = fuzz(target, count, args.seed, bound_s=args.bound_s, keep=args.keep)
        seconds = time.perf_counter() - started
        saved = _save(target, tally, Path(args.save), args.bound_s)
        target.close()
        server_kib = max(server_kib, getattr(target, "peak_kib", 0))
        tallies.append((tally, seconds, saved))
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = _report(tallies, peak_mib, server_kib / 1024, args)
    print(json.dumps(report, indent=1) if args.json else _text(report))
    return 0 if report["ok"] else 1


def _save(target: Any, tally: Tally, folder: Path, bound_s: float) -> list[str]:
    """Minimise and save the kept failing inputs; their file names."""
    saved = []
    for number, (key, kept) in enumerate(sorted(tally.failures.items())):
        for index, (kind, case, message) in enumerate(kept):
            small = case if kind == "hang" else minimise(target, case, key, bound_s)
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{tally.target}-{number:02d}-{index}.json"
            fields = {k: v for k, v in asdict(small).items() if k != "payload"}
            record = {"target": tally.target, "failure": key, "kind": kind, "message": message, **fields,
                      "payload": _plain(small.payload)}  # fmt: skip
            path.write_text(json.dumps(record, indent=1, default=repr) + "\n", encoding="utf-8")
            saved.append(str(path))
    return saved


def _plain(value: Any) -> Any:
    """Bytes as latin-1 text (one character a byte), the rest as it is."""
    if isinstance(value, bytes):
        return {"bytes": value.decode("latin-1")}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _report(tallies: list[tuple[Tally, float, list[str]]], peak_mib: float, server_mib: float, args: Any) -> Any:
    targets = {
        tally.target: {**{c: getattr(tally, c) for c in COLUMNS}, "seconds": round(seconds, 1),
                       "per_second": round(tally.inputs / seconds) if seconds else 0,
                       "failures": {key: len(kept) for key, kept in sorted(tally.failures.items())}, "saved": saved}
        for tally, seconds, saved in tallies
    }  # fmt: skip
    totals = {c: sum(t[c] for t in targets.values()) for c in COLUMNS}
    failed = totals["untyped"] or totals["bad_answers"] or totals["hangs"]
    ok = not failed and max(peak_mib, server_mib) < args.memory_mib
    return {"seed": args.seed, "bound_s": args.bound_s, "memory_bound_mib": args.memory_mib,
            "targets": targets, "totals": totals,
            "peak_mib": round(peak_mib), "server_peak_mib": round(server_mib), "ok": ok}  # fmt: skip


def _text(report: Any) -> str:
    lines = [f"{'target':8}" + "".join(f"{c:>12}" for c in (*COLUMNS, "per second"))]
    for name, row in report["targets"].items():
        lines.append(f"{name:8}" + "".join(f"{row[c]:>12}" for c in (*COLUMNS, "per_second")))
    lines.append(f"{'total':8}" + "".join(f"{report['totals'][c]:>12}" for c in COLUMNS))
    servers = report["server_peak_mib"]
    lines.append(f"peak memory: {report['peak_mib']} MiB (harness), {servers} MiB (server processes); "
                 f"bound {report['memory_bound_mib']} MiB")  # fmt: skip
    lines.append(f"per-input bound {report['bound_s']:g} s; seed {report['seed']}")
    lines.append("domain: of the inputs, those outside the model's input domain (refused or accepted like any other)")
    for name, row in report["targets"].items():
        lines.extend(f"  {name}: {count}x kept  {key}" for key, count in row["failures"].items())
        lines.extend(f"    saved {path}" for path in row["saved"])
    lines.append("OK" if report["ok"] else "NOT OK")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
