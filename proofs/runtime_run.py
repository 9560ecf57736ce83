"""The runtime checks (:mod:`.runtime`) over the committed vectors and the
random walks: ``mhhs-sec prove --runtime`` and the model self-check stage of
``mhhs-sec check``."""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

from .runtime import Monitor, checking


@dataclass(frozen=True)
class Figures:
    """What a runtime self-check covered: runs, micro-steps checked, seconds."""

    vectors: int
    walks: int
    steps: int
    seconds: float

    def summary(self) -> str:
        return (f"runtime checks: every invariant held on {self.steps:,} model steps of {self.vectors:,} vectors "
                f"and {self.walks} random walks ({self.seconds:.1f} s)")  # fmt: skip


def check_vectors(monitor: Monitor, folder: Path | None = None) -> int:
    """Run every committed vector's events through the reference implementation
    (the model behind the adapter protocol) under the checks; the number of
    vectors.  The files are read as they are (``generate --check`` validates
    them); an event the model refuses leaves the state as it was."""
    from mhhs_sec.conformance.protocol import EventRejected
    from mhhs_sec.conformance.reference import ReferenceImplementation
    from mhhs_sec.vectors.format import JSON_DIR

    reference = ReferenceImplementation()
    count = 0
    with checking(monitor):
        for file in sorted((folder or JSON_DIR).glob("*.json")):
            for vector in json.loads(file.read_text(encoding="utf-8"))["vectors"]:
                count += 1
                if "reset_refused" in vector:  # an initial state the vector expects refused: nothing runs
                    continue
                reference.reset(vector["initial_state"])
                for item in vector["steps"]:
                    with contextlib.suppress(EventRejected):
                        reference.step(item["event"])
    return count


def check_walks(monitor: Monitor) -> int:
    """The random walks vector generation explores (fixed seeds), under the checks."""
    from mhhs_sec.generate import walks

    with checking(monitor):
        return len(walks.explore())


def self_check(folder: Path | None = None) -> Figures:
    """Both, with the figures; raises :class:`.runtime.InvariantBroken` on the first violation."""
    started = time.perf_counter()
    monitor = Monitor()
    vectors = check_vectors(monitor, folder)
    walked = check_walks(monitor)
    return Figures(vectors, walked, monitor.steps, time.perf_counter() - started)
