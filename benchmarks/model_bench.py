"""Events per second of the reference model on a long random run (one core).

    python benchmarks/model_bench.py [--events 200000] [--seed 20251125] [--profile] [--breakdown] [--bounds]

The run starts from the standard world (:mod:`mhhs_sec.model.world`) a few days
before the UK spring clock change and is generated up front, deterministically
from the seed, so that only :func:`mhhs_sec.model.step` is timed.  The mix:
On Demand and future-dated requests of every role, SRV and flag (most from a
sender authorised for the day, some not), 5.1 / 5.3 schedules, clock advances
across the scheduling windows (so schedule runs, retries, held requests and
cache expiry execute), comms up / down, restrictions and future MDRA changes.
Prints the figures; the target is at least 50,000 events/s.
``--breakdown`` runs the events again with timers on the model's main parts
(schedule runs, queued work, access control, the meter, the cache, the clock
advance's own machinery) and prints the work done per event and where the time
goes, so that the figure can be explained part by part; ``--bounds`` prints
what the run would reach with the meter, access control or both at no cost
(their results replayed from an earlier run of the same events).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import functools
import gc
import hashlib
import pstats
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final

from mhhs_sec.generate import synthetic_meter
from mhhs_sec.model import (
    AdvanceClock,
    Appointment,
    Event,
    InvalidEvent,
    LoadRegistration,
    ReadLogPeriod,
    Registration,
    Response,
    RestrictDevice,
    ScheduleSpec,
    ServiceRequest,
    SetDeviceComms,
    State,
    SubmitRequest,
    cache,
    execution,
    machine,
    meter,
    step,
)
from mhhs_sec.model.clock import day_start, settlement_day
from mhhs_sec.model.registration import party_on
from mhhs_sec.model.tables import MDR_SRVS
from mhhs_sec.model.tables import SRVS as SRV_SPECS
from mhhs_sec.model.world import (
    DEVICES_A,
    DEVICES_B,
    MDR_IN,
    MDR_OUT,
    MPAN_A,
    MPAN_B,
    ROLES_OF,
    SUPPLIER_2,
    standard_world,
)

TARGET = 50_000
START_DAY = dt.date(2025, 3, 26)
ONE_DAY = dt.timedelta(days=1)
DEVICES = (*DEVICES_A.all(), *DEVICES_B.all())
ESMES = (DEVICES_A.s1_esme, DEVICES_A.s2_esme, DEVICES_B.s1_esme, DEVICES_B.s2_esme)
# Derived from the model's tables (one source of truth), in table order.
SRVS = tuple(SRV_SPECS)
PERIOD_SRVS = frozenset(s for s, spec in SRV_SPECS.items() if spec.read_log_period)
DEVICE_READS = frozenset(s for s, spec in SRV_SPECS.items() if spec.device_request)
SCHEDULABLE = tuple(row.srv for row in MDR_SRVS if SRV_SPECS[row.srv].schedulable)  # AC-2
SENDERS = tuple((user, role) for user, roles in ROLES_OF.items() for role in sorted(roles))
MPAN_OF = {d: MPAN_A for d in DEVICES_A.all()} | {d: MPAN_B for d in DEVICES_B.all()}


@dataclass
class Planner:
    """Generates a valid random run by tracking the clock and registration it plans."""

    rng: random.Random
    now: int
    registrations: dict[str, Registration]
    ids: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    open_ended: Counter[str] = field(default_factory=Counter)

    def next_id(self) -> str:
        self.ids += 1
        return f"B{self.ids}"

    @property
    def today(self) -> dt.date:
        return settlement_day(self.now)

    def event(self) -> Event:
        """One random event, weighted towards requests and clock advances."""
        roll = self.rng.random()
        kind, make = next((k, f) for limit, k, f in self._table() if roll < limit)
        self.kinds[kind] += 1
        return make()

    def _table(self) -> tuple[tuple[float, str, object], ...]:
        return (
            (0.30, "advance", self.advance),
            (0.70, "authorised read", self.authorised_read),
            (0.86, "any request", self.any_request),
            (0.91, "create schedule", self.create_schedule),
            (0.93, "delete schedule", self.delete_schedule),
            (0.97, "comms", self.comms),
            (0.98, "restrict", lambda: RestrictDevice(self.rng.choice(ESMES))),
            (1.01, "registration", self.change_mdra),
        )  # type: ignore[return-value]

    def advance(self) -> Event:
        self.now += self.rng.choice((60, 600, 1800, 3600, 3 * 3600, 7 * 3600))
        return AdvanceClock(self.now)

    def period(self) -> ReadLogPeriod:
        day = self.today - self.rng.randint(1, 4) * ONE_DAY
        start = day_start(day)
        return ReadLogPeriod(start, day_start(day + ONE_DAY) - 1)

    def authorised_read(self) -> Event:
        """A read by the day's MDRA (MDR) or Supplier (IS / ES) of one of its ESMEs."""
        device = self.rng.choice(ESMES)
        registration = self.registrations[MPAN_OF[device]]
        srv = self.rng.choice(("4.8.1", "4.8.1", "4.6.1", "4.8.3", "4.1.1"))
        period = self.period() if srv in PERIOD_SRVS else None
        day = settlement_day(period.start) if period else self.today
        if self.rng.random() < 0.5:
            user, role, flag = party_on(registration.mdras, day, "inclusive"), "MDR", True
        else:
            user, role, flag = party_on(registration.suppliers, day, "inclusive"), "IS", self.rng.choice((None, True))
        if user == SUPPLIER_2 and role == "MDR":
            role = "IS"
        if srv == "4.8.3" and role == "IS":
            role = "ES"
        request = ServiceRequest(self.next_id(), user or "", role, srv, device, flag, period)
        return SubmitRequest(request)

    def any_request(self) -> Event:
        user, role = self.rng.choice(SENDERS)
        srv = self.rng.choice(SRVS)
        device = self.rng.choice(DEVICES)
        period = self.period() if srv in PERIOD_SRVS else None
        execute_at = (
            self.now + self.rng.randint(0, 30 * 3600) if srv in DEVICE_READS and self.rng.random() < 0.2 else None
        )
        schedule = ScheduleSpec(self.rng.choice(SCHEDULABLE), self.today + ONE_DAY) if srv == "5.1" else None
        flag = self.rng.choice((None, True, False))
        return SubmitRequest(
            ServiceRequest(self.next_id(), user, role, srv, device, flag, period, execute_at, schedule)
        )

    def create_schedule(self) -> Event:
        device = self.rng.choice(ESMES)
        registration = self.registrations[MPAN_OF[device]]
        start = self.today + self.rng.randint(1, 2) * ONE_DAY
        mdra = party_on(registration.mdras, start - ONE_DAY, "inclusive") or ""
        user, role = (mdra, "MDR") if mdra in (MDR_OUT, MDR_IN) else (mdra, "IS")
        # Most schedules end after 3-30 days; a device keeps at most two open-ended ones
        # (a steady state: schedules do not pile up on the world's eight devices).
        open_ended = self.open_ended[device] < 2 and self.rng.random() < 0.3
        end = None if open_ended else start + self.rng.randint(3, 30) * ONE_DAY
        self.open_ended[device] += open_ended
        spec = ScheduleSpec(self.rng.choice(("4.8.1", "4.6.1", "4.8.1")), start, end)
        return SubmitRequest(ServiceRequest(self.next_id(), user, role, "5.1", device, True, schedule=spec))

    def delete_schedule(self) -> Event:
        user, role = self.rng.choice(((MDR_OUT, "MDR"), (MDR_IN, "MDR"), (SUPPLIER_2, "IS")))
        device = self.rng.choice(ESMES)
        self.open_ended[device] = 0  # (approximately: the sender's own schedules go)
        return SubmitRequest(ServiceRequest(self.next_id(), user, role, "5.3", device, role == "MDR" or None))

    def comms(self) -> Event:
        return SetDeviceComms(self.rng.choice(DEVICES), self.rng.random() < 0.9)

    def change_mdra(self) -> Event:
        """A future change of MDRA of MPAN_A or MPAN_B between the two agents (REG-3, REG-6)."""
        mpan = self.rng.choice((MPAN_A, MPAN_B))
        current = self.registrations[mpan]
        efd = self.today + self.rng.randint(1, 4) * ONE_DAY
        # REG-6: registration data carries the current and future appointments (and a week of history).
        history = self.today - 7 * ONE_DAY
        kept = [a for a in current.mdras if a.efd < efd and (a.etd is None or a.etd >= history)]
        last = kept[-1]
        party = MDR_IN if last.party != MDR_IN else MDR_OUT
        mdras = (*kept[:-1], Appointment(last.party, last.efd, efd - ONE_DAY), Appointment(party, efd))
        registration = Registration(mpan, current.suppliers, mdras)
        self.registrations[mpan] = registration
        return LoadRegistration(registration)


def plan(state: State, count: int, seed: int) -> tuple[list[Event], Counter[str]]:
    """The run: ``count`` events generated from ``seed``."""
    planner = Planner(random.Random(seed), state.now, dict(state.registrations))
    return [planner.event() for _ in range(count)], planner.kinds


@dataclass
class Result:
    """What a run produced: time in :func:`step`, outcome counts, refusals and a
    digest of every output (equal digests: an optimisation changed no behaviour)."""

    seconds: float
    outcomes: Counter[str]
    refused: int
    digest: str
    entries: int


def run(state: State, events: list[Event]) -> Result:
    """Step through the events, timing :func:`step` only.  Outputs are counted
    and digested between steps and not kept, and the planned events are frozen
    out of the garbage collector's sight (:func:`gc.freeze`): what the collector
    costs is then the model's own (its state, its audit trail), not the harness's."""
    seconds = 0.0
    refused = entries = 0
    outcomes: Counter[str] = Counter()
    digest = hashlib.sha256()
    gc.collect()
    gc.freeze()
    clock = time.perf_counter
    for event in events:
        started = clock()
        try:
            state, outputs = step(state, event)
        except InvalidEvent:
            seconds += clock() - started
            refused += 1
            continue
        seconds += clock() - started
        for output in outputs:
            outcomes[output.code if isinstance(output, Response) else type(output).__name__] += 1
            entries += len(output.entries) if isinstance(output, Response) else 0
            digest.update(repr(output).encode())
    gc.unfreeze()
    return Result(seconds, outcomes, refused, digest.hexdigest()[:16], entries)


# The parts timed by --breakdown: (label, owner, name, depth).  Depth 0: what a
# step spends on each kind of event; depth 1: inside a clock advance; depth 2:
# parts called wherever a request executes (at once on submission, or later
# inside an advance), the meter nested in the read.  An owner is a module or
# class (attribute ``name``) or the handler table (entry ``name``); ``authorise``
# is imported by name where it is called.
PARTS: tuple[tuple[str, Any, Any, int], ...] = (
    ("clock advance (AdvanceClock)", machine._HANDLERS, AdvanceClock, 0),
    ("agenda: set up", machine._Agenda, "__init__", 1),
    ("agenda: next work", machine._Agenda, "pop", 1),
    ("cache expiry (C-5)", cache, "expire", 1),
    ("schedule runs", machine, "_run_schedule", 1),
    ("queued work (held, future-dated, retries)", machine, "_run_pending", 1),
    ("request submitted (SubmitRequest)", machine._HANDLERS, SubmitRequest, 0),
    ("audit trail (AUD-1)", machine, "_audit", 0),
    ("access control at submission", machine, "authorise", 2),
    ("access control at execution", execution, "authorise", 2),
    ("device / cache read", execution, "_read", 2),
    ("meter: log entries", meter, "entries", 3),
    ("meter: UTC day blocks looked up", synthetic_meter, "_day_block", 4),
    ("cache store (C-3)", cache, "store", 2),
    ("device unreachable (SCH-5)", execution, "_unreachable", 2),
)


def _get(owner: Any, name: Any) -> Any:
    return owner[name] if isinstance(owner, dict) else getattr(owner, name)


def _set(owner: Any, name: Any, value: Any) -> None:
    if isinstance(owner, dict):
        owner[name] = value
    else:
        setattr(owner, name, value)


Patch = tuple[Any, Any, Any]  # (owner, name, replacement), owner as in PARTS


@contextmanager
def _patched(patches: list[Patch]) -> Iterator[None]:
    """Install the replacements for the duration of the block, then restore."""
    saved = [(owner, name, _get(owner, name)) for owner, name, _replacement in patches]
    for owner, name, replacement in patches:
        _set(owner, name, replacement)
    try:
        yield
    finally:
        for owner, name, original in reversed(saved):
            _set(owner, name, original)


def _timers(seconds: Counter[str], calls: Counter[str]) -> list[Patch]:
    """Each part of PARTS wrapped with a timer."""
    return [(owner, name, _timed(label, _get(owner, name), seconds, calls)) for label, owner, name, _ in PARTS]


def _timed(label: str, original: Callable[..., Any], seconds: Counter[str], calls: Counter[str]) -> Callable[..., Any]:
    clock = time.perf_counter

    def timed(*args: Any) -> Any:
        started = clock()
        try:
            return original(*args)
        finally:
            seconds[label] += clock() - started
            calls[label] += 1

    return timed


def breakdown(state: State, events: list[Event]) -> None:
    """Run the events again with a timer on each part and print the work done
    per event and each part's share of the time in step (timers add overhead:
    the shares, not the total, are the figures to read)."""
    seconds: Counter[str] = Counter()
    calls: Counter[str] = Counter()
    synthetic_meter._day_block.cache_clear()
    with _patched(_timers(seconds, calls)):
        total = run(state, events).seconds
    computed = synthetic_meter._day_block.cache_info().misses
    print(f"breakdown (a second run, {total:.2f} s in step with the timers): calls per event, share of the time")
    previous = 0
    for label, _owner, _name, depth in PARTS:
        if depth == 2 and previous < 2:
            print("  wherever a request is decided or executed:")
        share = seconds[label] / total
        print(f"  {'  ' * depth}{label:<{48 - 2 * depth}} {calls[label] / len(events):6.3f} {share:6.1%}")
        previous = depth
    print(f"  UTC day blocks computed (48 entries each): {computed / len(events):.3f} per event")


# Both places access control is called from (it is imported by name there).
_AUTHORISE: Final = ((machine, "authorise"), (execution, "authorise"))


def bounds(state: State, events: list[Event], baseline: Result) -> None:
    """What the run would reach if the meter or access control cost nothing:
    each is replaced by its own results, taken from an earlier run of the same
    events (every UTC day block computed beforehand; every access decision
    replayed in call order).  Equal output digests show nothing else changed."""
    decisions = _recorded_decisions(state, events)
    blocks = functools.cache(synthetic_meter._day_block.__wrapped__)
    with _patched([(synthetic_meter, "_day_block", blocks)]):
        run(state, events)  # computes every UTC day block once
    cases: dict[str, Callable[[], list[Patch]]] = {
        "UTC day blocks computed beforehand": lambda: [(synthetic_meter, "_day_block", blocks)],
        "access decisions replayed": lambda: _replaying(decisions),
        "both": lambda: [(synthetic_meter, "_day_block", blocks), *_replaying(decisions)],
    }
    per_event = 1e6 / len(events)
    print(f"bounds (the same events, one part at no cost; the target allows {1e6 / TARGET:.1f} us per event):")
    print(f"  as measured: {baseline.seconds * per_event:.1f} us per event")
    for label, patches in cases.items():
        with _patched(patches()):
            result = run(state, events)
        same = "same outputs" if result.digest == baseline.digest else f"OUTPUTS DIFFER: digest {result.digest}"
        rate = len(events) / result.seconds
        print(f"  {label}: {result.seconds * per_event:.1f} us per event, {rate:,.0f} events/s ({same})")


def _recorded_decisions(state: State, events: list[Event]) -> list[object]:
    """Every access decision of a run, in call order."""
    recorded: list[object] = []

    def recording(original: Callable[..., object]) -> Callable[..., object]:
        def record(*args: object) -> object:
            recorded.append(decision := original(*args))
            return decision

        return record

    with _patched([(owner, name, recording(_get(owner, name))) for owner, name in _AUTHORISE]):
        run(state, events)
    return recorded


def _replaying(decisions: list[object]) -> list[Patch]:
    """Access control answering from a recorded run, in call order."""
    replay = iter(decisions)
    return [(owner, name, lambda *_args: next(replay)) for owner, name in _AUTHORISE]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=20251125)
    parser.add_argument("--profile", action="store_true", help="print the cProfile top 25 (own time)")
    parser.add_argument("--breakdown", action="store_true", help="time the model's main parts (a second run)")
    parser.add_argument("--bounds", action="store_true", help="the figure with the meter / access control at no cost")
    args = parser.parse_args(argv)
    # The devices log the generators' synthetic meter (no device data).
    state = standard_world(day_start(START_DAY) + 10 * 3600, START_DAY + 2 * ONE_DAY, source=synthetic_meter.SYNTHETIC)
    events, kinds = plan(state, args.events, args.seed)
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
    result = run(state, events)
    if args.profile:
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(25)
    rate = len(events) / result.seconds
    print(f"events: {len(events)} (seed {args.seed}); mix: {dict(sorted(kinds.items()))}")
    print(f"outputs: {dict(sorted(result.outcomes.items()))}; refused as invalid: {result.refused}")
    print(f"outputs digest: {result.digest}")
    per_event = result.entries / len(events)
    print(f"log entries returned: {result.entries} ({per_event:.1f} per event)")
    print(f"time in step: {result.seconds:.2f} s; events/s: {rate:,.0f} (target {TARGET:,})")
    if args.breakdown:
        breakdown(state, events)
    if args.bounds:
        bounds(state, events, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
