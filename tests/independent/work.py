"""Held and queued work: MDR requests held for the MDR window (SCH-4) and
retries of unreachable MHHS reads (SCH-5)."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import date

from .clock import DAY, SettlementClock
from .schedules import Windows, inside
from .service import ServiceRequest
from .users import MDR


@dataclass(frozen=True)
class Job:
    """One execution of a request: its first attempt's instant decides the
    retry cut-off (SCH-5)."""

    request: ServiceRequest
    submitted_at: int
    mode: str  # on-demand | scheduled
    for_settlement: bool
    period: tuple[int, int] | None
    days: frozenset[date] | None
    first_attempt: int | None = None


@dataclass(order=True)
class _Queued:
    due: int
    seq: int
    job: Job = field(compare=False)


class WorkQueue:
    def __init__(self) -> None:
        self._heap: list[_Queued] = []
        self._seq = 0

    def put(self, due: int, job: Job) -> None:
        self._seq += 1
        heapq.heappush(self._heap, _Queued(due, self._seq, job))

    def next_due(self) -> int | None:
        return self._heap[0].due if self._heap else None

    def pop(self) -> Job:
        return heapq.heappop(self._heap).job

    def drop_runs_of(self, schedule_id: int) -> None:
        """timing.md 5.6, 7.2: a removed schedule's queued retries go with it."""
        prefix = f"S{schedule_id}-"
        self._heap = [
            q for q in self._heap if not (q.job.mode == "scheduled" and q.job.request.request_id.startswith(prefix))
        ]
        heapq.heapify(self._heap)


def next_retry(clock: SettlementClock, windows: Windows, interval_s: int, job: Job, now: int) -> int | None:
    """SCH-5: when an unreachable MHHS read is tried again, or None when retries
    stop: never at or after the opening of the DSP window of the day after the
    first attempt; an MDR's retries only inside the MDR window."""
    first = job.first_attempt if job.first_attempt is not None else now
    cutoff = clock.local_time(clock.day_of(first) + DAY, windows.dsp[0])
    retry = now + interval_s
    if retry >= cutoff:
        return None
    if job.request.role == MDR and not inside(clock, windows.mdr, retry):
        return None
    return retry
