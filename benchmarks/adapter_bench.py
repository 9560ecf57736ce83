"""Steps per second of the reference implementation through each adapter.

    python benchmarks/adapter_bench.py [--passes 3] [--vectors PATH] [--only inprocess,stdio,http] [--shares]

Plays every committed vector (reset + each step + comparison with the
expected outputs, exactly as ``mhhs-sec conform`` does) ``--passes`` times and
reports the time spent in ``step`` calls (steps/s: transport, codec and model),
in ``reset`` calls (resets/s) and end to end (vectors/s), through: the
in-process adapter (``reference``), a subprocess speaking JSON lines
(``mhhs-sec serve --stdio``) and an HTTP server in its own process
(``mhhs-sec serve --http 0``; service requests as DUIS XML).  The model alone
(``step`` on pre-decoded events) on the same steps is printed first, so the
adapter's own cost is visible.  Targets: in-process >= 50,000,
subprocess >= 5,000, HTTP >= 1,000 steps/s.  ``--shares`` also profiles the
in-process adapter (cProfile) and prints where its step time goes: decoding the
event, the model's ``step``, encoding the outputs, and the adapter layers.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import pstats
import subprocess
import sys
import time
from typing import Any

from mhhs_sec.conformance.adapters import open_adapter
from mhhs_sec.conformance.runner import run_all
from mhhs_sec.model import InvalidEvent, step
from mhhs_sec.model.codec import decode_event, decode_state
from mhhs_sec.vectors import load_vectors

TARGETS = {"in-process": 50_000, "subprocess": 5_000, "http": 1_000}


class _Timed:
    """An adapter proxy that adds up the time spent in ``step`` and ``reset``."""

    def __init__(self, adapter: Any) -> None:
        self.adapter, self.spec = adapter, adapter.spec
        self.in_step = self.in_reset = 0.0
        self.steps = 0

    def hello(self) -> Any:
        return self.adapter.hello()

    def reset(self, initial_state: Any) -> None:
        started = time.perf_counter()
        try:
            self.adapter.reset(initial_state)
        finally:
            self.in_reset += time.perf_counter() - started

    def step(self, event: Any) -> Any:
        started = time.perf_counter()
        try:
            return self.adapter.step(event)
        finally:
            self.in_step += time.perf_counter() - started
            self.steps += 1

    def restart(self) -> None:
        self.adapter.restart()

    def close(self) -> None:
        self.adapter.close()


def _through(spec: str, vectors: list[Any], passes: int) -> tuple[_Timed, float]:
    """Play the vectors; the proxy's timings and the whole run's wall time."""
    timed = _Timed(open_adapter(spec, timeout_s=30))
    try:
        run_all(timed, vectors[:1])  # start-up (process, connection, imports) is not timed
        timed.in_step = timed.in_reset = 0.0
        timed.steps = 0
        started = time.perf_counter()
        for _ in range(passes):
            _, verdicts = run_all(timed, vectors)
        elapsed = time.perf_counter() - started
    finally:
        timed.close()
    bad = [v for v in verdicts if v.status != "pass"]
    if bad:
        raise SystemExit(f"{spec}: {len(bad)} vector(s) did not pass, e.g. {bad[0].vector_id}: {bad[0].reason}")
    return timed, elapsed


def _decoded(step_: Any) -> Any:
    """A step's model event; None for malformed input a refused step carries
    (the codec refuses it before the model runs)."""
    try:
        return decode_event(step_.event)
    except InvalidEvent:
        return None


def _model_only(vectors: list[Any], passes: int) -> tuple[float, int]:
    prepared = [
        (decode_state(v.initial_state), [e for e in map(_decoded, v.steps) if e is not None])
        for v in vectors
        if v.reset_refused is None  # an initial state the vector expects refused: nothing to run
    ]
    started = time.perf_counter()
    count = 0
    for _ in range(passes):
        for state, events in prepared:
            for event in events:
                count += 1
                with contextlib.suppress(InvalidEvent):  # a step the vector expects refused (REG-5)
                    state, _ = step(state, event)
    return time.perf_counter() - started, count


# (file name ending, function name) of the parts of an in-process step.
_PARTS = {
    "decode_event": ("model/codec.py", "decode_event"),
    "model step": ("model/machine.py", "step"),
    "encode_output": ("model/codec.py", "encode_output"),
}


def _in_reference_step(caller: tuple[str, int, str]) -> bool:
    return caller[0].endswith("conformance/reference.py") and caller[2] in ("step", "<listcomp>")


def _shares(vectors: list[Any], passes: int) -> dict[str, float]:
    """Share of the in-process step time (cProfile) in each part; the rest is
    the adapter layers (ReferenceImplementation, InProcessAdapter, timing)."""
    timed = _Timed(open_adapter("reference", timeout_s=30))
    run_all(timed, vectors[:1])
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(passes):
        run_all(timed, vectors)
    profiler.disable()
    stats: dict[Any, Any] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(v[3] for k, v in stats.items() if k[0].endswith("adapter_bench.py") and k[2] == "step")
    found = dict.fromkeys(_PARTS, 0.0)
    for (filename, _line, function), (_cc, _nc, _tt, _ct, callers) in stats.items():
        for part, (ending, name) in _PARTS.items():
            if filename.endswith(ending) and function == name:
                # Only calls made from the reference's step (decode_state also calls the model's step).
                found[part] += sum(c[3] for k, c in callers.items() if _in_reference_step(k))
    shares = {part: seconds / total for part, seconds in found.items()}
    shares["adapter layers"] = 1.0 - sum(shares.values())
    return shares


def _http_server() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "mhhs_sec", "serve", "--http", "0"], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--vectors", help="vector file or folder (default: committed vectors)")
    parser.add_argument("--only", default="inprocess,stdio,http")
    parser.add_argument("--shares", action="store_true", help="profile the in-process step: share of each part")
    args = parser.parse_args()
    vectors = sorted(load_vectors(args.vectors, strict=False), key=lambda v: v.id)
    steps = sum(len(v.steps) for v in vectors)
    print(f"{len(vectors)} vectors, {steps} steps per pass, {args.passes} passes")
    elapsed, count = _model_only(vectors, args.passes)
    print(f"{'model only (step)':<22}{count / elapsed:>12,.0f} steps/s")
    if args.shares:
        shares = _shares(vectors, args.passes)
        print("in-process step time (cProfile): " + ", ".join(f"{k} {v:.0%}" for k, v in shares.items()))
    chosen = set(args.only.split(","))
    rows: list[tuple[str, str]] = []
    if "inprocess" in chosen:
        rows.append(("in-process", "reference"))
    if "stdio" in chosen:
        rows.append(("subprocess", f"cmd:{sys.executable} -m mhhs_sec serve --stdio"))
    server = None
    if "http" in chosen:
        server, url = _http_server()
        rows.append(("http", url))
    try:
        for label, spec in rows:
            timed, elapsed = _through(spec, vectors, args.passes)
            rate = timed.steps / timed.in_step
            verdict = "meets" if rate >= TARGETS[label] else "BELOW"
            resets = len(vectors) * args.passes / timed.in_reset
            print(
                f"{label:<22}{rate:>12,.0f} steps/s  ({verdict} target {TARGETS[label]:,}); "
                f"{resets:,.0f} resets/s; end to end {len(vectors) * args.passes / elapsed:,.0f} vectors/s"
            )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
