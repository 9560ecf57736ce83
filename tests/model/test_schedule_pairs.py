"""Two schedules stand for any number: the argument of ``proofs/README.md``
("Several schedules on the device", "Why two slots stand for any number"),
checked on the model.

The Z3 encoding gives the watched device two DSP Schedule slots.  Its argument:
every rule reads the device's schedules as one schedule on its own (its run,
its SCH-3 deletion and alert, its start day), as a schedule's existence for a
key (C-2's store condition, SCH-6's own-schedule check) or as the removal of
some of them (C-6), so a step of a device with *n* schedules is seen in full by
the step of a two-schedule state.  Here random states in which one SMETS1 ESME
holds 3 to 5 schedules are built with real 5.1 requests, and every micro-step
of what follows (the encoding's step: an event other than a clock advance, or
one piece of work a clock advance runs: a schedule run, an MDRA change, held
work) is taken again (``MicroStep.redo``) from the state *reduced* to two of
the schedules: the same state with only those schedules, only the cache of the
keys one of them is for (a reduced state is one the encoding has: C-2's
`cache-scope`, an entry only with a schedule for its SRV), and only the queued
work of theirs (and of none held, e.g. a user's read).

The property, of each micro-step from a state holding n >= 3 schedules:

* one schedule on its own (SCH-1, SCH-2, SCH-3, SCH-4): for every schedule S
  and *every* other schedule W, S's fate (S as the step leaves it: moved on,
  as it was, or gone; and the alerts naming it) is the same from {S, W};
* a removal (C-6): for every schedule S a 5.3 or an MDRA change removes and
  every other W, the cache of S's device and SRV after the step is the same
  from {S, W} (the drop reads no other schedule);
* a read (C-2, C-7, SCH-6): for a read of a key, by a schedule's run or by a
  user, the outputs of the step and the key's cache after it are the same from
  the pair of the reader's schedule and the witness the README names: a
  schedule keeping the key's cache alive (for the key, other than the running
  schedule, within its dates if any is: C-13), and for a user's read the
  sender's own schedule for the key (SCH-6); a run no other schedule keeps the
  key for is paired with each other schedule, a user's read with neither
  witness is taken from no schedule.

It holds step by step, not for a whole clock advance: one advance may run a
schedule after another run due at the same instant stored what it reads, and
the second run's micro-step starts from the state the first left, cache
included, while the advance from a pair without the first does not.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Final
from unittest import mock

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from mhhs_sec.model import (
    AdvanceClock,
    Alert,
    Event,
    Output,
    ReadLogPeriod,
    Response,
    Schedule,
    ScheduleSpec,
    ServiceRequest,
    SetDeviceComms,
    State,
    SubmitRequest,
    machine,
    schedules,
    step,
)
from mhhs_sec.model import cache as mhhs_cache
from mhhs_sec.model.machine import MicroStep
from mhhs_sec.model.state import CacheSlot, evolve
from model_kit import CHANGE, DEVICES_A, MDR_IN, MDR_OUT, ONE_DAY, OTHER_USER, SUPPLIER, at, whole_days, world

DEVICE: Final = DEVICES_A.s1_esme  # a SMETS1 ESME of MPAN_A, whose MDRA changes on CHANGE
START: Final = CHANGE - 3 * ONE_DAY
HOUR: Final = 3600
CACHE_SRVS: Final = ("4.6.1", "4.8.1", "4.8.3")  # C-1
# Who may schedule what (AC-1, AC-5): either MDRA of MPAN_A, the Supplier in each role.
OWNERS: Final = (
    (MDR_OUT, "MDR", CACHE_SRVS),
    (MDR_IN, "MDR", CACHE_SRVS),
    (SUPPLIER, "IS", ("4.6.1", "4.8.1")),
    (SUPPLIER, "ES", ("4.8.3",)),
)
READERS: Final = ((SUPPLIER, "IS"), (SUPPLIER, "ES"), (MDR_OUT, "MDR"), (MDR_IN, "MDR"), (OTHER_USER, "OU"))

Key = tuple[str, str]
Observed = tuple[MicroStep, Event]


# ----- driving the model -----------------------------------------------------------


@dataclass
class Driver:
    """Steps the model and keeps every micro-step with the event it belongs to."""

    state: State
    observed: list[Observed]
    ids: Iterator[int]

    def do(self, event: Event) -> tuple[Output, ...]:
        def observe(micro: MicroStep) -> None:
            self.observed.append((micro, event))

        machine.OBSERVERS.append(observe)
        try:
            self.state, outputs = step(self.state, event)
        finally:
            machine.OBSERVERS.remove(observe)
        return outputs

    def request(
        self,
        user: str,
        role: str,
        srv: str,
        flag: bool | None,
        period: ReadLogPeriod | None = None,
        schedule: ScheduleSpec | None = None,
        schedule_id: int | None = None,
    ) -> ServiceRequest:
        """A request to the watched device with a fresh id."""
        return ServiceRequest(
            f"R{next(self.ids)}", user, role, srv, DEVICE, flag, period, schedule=schedule, schedule_id=schedule_id
        )


def driver(**options: str) -> Driver:
    return Driver(world(at(START), CHANGE, **options), [], itertools.count(1))


# ----- the reduction and the property ----------------------------------------------


def key_of(schedule: Schedule) -> Key:
    return schedule.device_id, schedule.srv


def reduced(state: State, kept: Sequence[Schedule]) -> State:
    """The state with only the ``kept`` schedules: the cache of the keys one of
    them is for, and the queued work of none of the others."""
    ids = {s.schedule_id for s in kept}
    keys = {key_of(s) for s in kept}
    dropped = set(state.schedules) - ids
    return evolve(
        state,
        schedules={i: state.schedules[i] for i in sorted(ids)},
        cache={k: slot for k, slot in state.cache.items() if k in keys},
        pending=tuple(p for p in state.pending if p.schedule_id not in dropped),
    )


def fate(schedule: Schedule, after: State, outputs: tuple[Output, ...]) -> tuple[object, ...]:
    """SCH-1, SCH-2, SCH-3: a schedule as a step leaves it, and the alerts naming it."""
    alerts = tuple(o for o in outputs if isinstance(o, Alert) and o.schedule_id == schedule.schedule_id)
    return after.schedules.get(schedule.schedule_id), alerts


def cache_of(state: State, key: Key) -> CacheSlot | None:
    return state.cache.get(key)


@dataclass(frozen=True)
class Read:
    """A micro-step that reads a key (and may store it, C-2): a schedule's run
    (``runner``: its schedule, if still held) or a user's read (``sender``)."""

    key: Key
    runner: Schedule | None
    sender: str | None


def read_of(micro: MicroStep, event: Event) -> Read | None:
    """The key a micro-step reads, if it reads one."""
    redo = micro.redo
    if isinstance(redo, partial) and redo.func is machine._run_schedule:
        schedule: Schedule = redo.args[0]
        return Read(key_of(schedule), schedule, None)
    if isinstance(redo, partial) and redo.func is machine._run_pending:
        request = redo.args[0].request
        held = micro.before.schedules.get(redo.args[0].schedule_id)
        if request.srv not in CACHE_SRVS:
            return None
        user = None if redo.args[0].schedule_id is not None else request.user_id
        return Read((request.device_id, request.srv), held, user)
    if isinstance(event, SubmitRequest) and event.request.srv in CACHE_SRVS:
        request = event.request
        return Read((request.device_id, request.srv), None, request.user_id)
    return None


def keepers(state: State, key: Key, runner: Schedule | None) -> list[Schedule]:
    """C-2, C-13: the schedules other than the runner that keep the key's cache
    alive: those for the key within their dates, if any is, else all for it."""
    mine = [s for s in state.schedules.values() if key_of(s) == key and s != runner]
    today = state.today
    within = [s for s in mine if s.start_day <= today and (s.end_day is None or today <= s.end_day)]
    return within or mine


def read_pairs(state: State, read: Read) -> list[tuple[Schedule, ...]]:
    """The pairs the README names for a read: the runner (or, SCH-6, one of the
    sender's own schedules for the key) with each keeper of the key's cache."""
    firsts: list[Schedule | None]
    if read.runner is not None:
        firsts = [read.runner]
    else:
        own = [s for s in state.schedules.values() if key_of(s) == read.key and s.owner == read.sender]
        firsts = [*own] or [None]
    found = keepers(state, read.key, read.runner)
    seconds: list[Schedule | None] = [*found] if found else [None]
    if read.runner is not None and not found:
        seconds = [s for s in state.schedules.values() if s != read.runner]
    pairs = {
        tuple(sorted({s for s in (a, b) if s is not None}, key=lambda s: s.schedule_id))
        for a in firsts
        for b in seconds
    }
    return sorted(pairs, key=lambda p: [s.schedule_id for s in p])


class Pairs:
    """The micro-step taken again from reduced states, each taken once."""

    def __init__(self, micro: MicroStep) -> None:
        self.micro = micro
        self.taken: dict[tuple[int, ...], tuple[State, tuple[Output, ...]]] = {}

    def take(self, kept: Sequence[Schedule]) -> tuple[State, tuple[Output, ...]]:
        ids = tuple(sorted(s.schedule_id for s in kept))
        if ids not in self.taken:
            assert self.micro.redo is not None
            self.taken[ids] = self.micro.redo(reduced(self.micro.before, kept))
        return self.taken[ids]


def differences(observed: Sequence[Observed], least: int = 3) -> list[str]:
    """Where a micro-step from a state with at least ``least`` schedules and its
    reduction to a pair part (empty: the property holds)."""
    found: list[str] = []
    for micro, event in observed:
        if micro.redo is None or len(micro.before.schedules) < least:
            continue
        found += _step_differences(micro, event)
    return found


def _step_differences(micro: MicroStep, event: Event) -> list[str]:
    found: list[str] = []
    pairs = Pairs(micro)
    before, after, outputs = micro.before, micro.after, micro.outputs
    read = read_of(micro, event)
    where = f"{type(event).__name__} at {before.now}"
    if pairs.take(tuple(before.schedules.values())) != (after, outputs):
        found.append(f"{where}: taken again from its own state, the step differs")  # the harness, not the model
    for s, w in itertools.permutations(before.schedules.values(), 2):
        pair_after, pair_outputs = pairs.take((s, w))
        # one schedule on its own: S's fate does not depend on W
        if fate(s, after, outputs) != fate(s, pair_after, pair_outputs):
            found.append(f"{where}: schedule {s.schedule_id}'s fate differs from {{{s.schedule_id}, {w.schedule_id}}}")
        # C-6: a removal outside a read drops the removed schedule's cache whatever else is held
        removed = s.schedule_id not in after.schedules
        if removed and read is None and cache_of(after, key_of(s)) != cache_of(pair_after, key_of(s)):
            found.append(f"{where}: cache of removed {s.schedule_id} differs from {{{s.schedule_id}, {w.schedule_id}}}")
    if read is not None:
        for kept in read_pairs(before, read):
            pair_after, pair_outputs = pairs.take(kept)
            same = outputs == pair_outputs and cache_of(after, read.key) == cache_of(pair_after, read.key)
            if not same:
                found.append(f"{where}: the read of {read.key} differs from {[s.schedule_id for s in kept]}")
    return found


# ----- random states ----------------------------------------------------------------


@st.composite
def schedule_requests(draw: st.DrawFn, today: dt.date) -> tuple[str, str, bool, ScheduleSpec]:
    """A 5.1 one of the owners may send today, before CHANGE (AC-3: an MDRA
    schedules only days it holds)."""
    user, role, srvs = draw(st.sampled_from(OWNERS))
    srv = draw(st.sampled_from(srvs))
    if user == MDR_OUT:
        start = today + draw(st.integers(0, (CHANGE - today).days)) * ONE_DAY
    elif user == MDR_IN:
        start = CHANGE + draw(st.integers(1, 2)) * ONE_DAY
    else:
        start = today + draw(st.integers(0, 4)) * ONE_DAY
    length = draw(st.none() | st.integers(0, 2))
    end = None if length is None else start + length * ONE_DAY
    if user == MDR_OUT and end is not None:
        end = min(end, CHANGE)
    flag = True if role == "MDR" else draw(st.booleans())
    return user, role, flag, ScheduleSpec(srv, start, end)


@st.composite
def built(draw: st.DrawFn) -> Driver:
    """One SMETS1 ESME holding 3 to 5 schedules, some of them run (cache held)."""
    run = driver(
        on_demand_first=draw(st.sampled_from(("not-enforced", "strict"))),
        schedule_active=draw(st.sampled_from(("start-to-end", "creation-to-deletion"))),
        schedules_on_mdra_change=draw(st.sampled_from(("delete", "delete", "keep"))),
    )
    run.do(AdvanceClock(at(START, draw(st.integers(0, 12)))))
    for _ in range(draw(st.integers(3, 5))):
        user, role, flag, spec = draw(schedule_requests(run.state.today))
        run.do(SubmitRequest(run.request(user, role, "5.1", flag, schedule=spec)))
        run.do(AdvanceClock(run.state.now + draw(st.integers(0, 8)) * HOUR))
    run.do(AdvanceClock(run.state.now + draw(st.integers(0, 30)) * HOUR))
    assume(len(run.state.schedules) >= 3)
    return run


def next_event(data: st.DataObject, run: Driver) -> Event:
    """A clock advance across runs and the MDRA change, a 5.3 by an owner, or a read."""
    kind = data.draw(st.sampled_from(("advance", "5.3", "read", "read")))
    if kind == "advance":
        return AdvanceClock(run.state.now + data.draw(st.integers(1, 60)) * HOUR)
    if kind == "5.3":
        user, role, _srvs = data.draw(st.sampled_from(OWNERS))
        by_id = data.draw(st.none() | st.sampled_from(sorted(run.state.schedules)))
        return SubmitRequest(run.request(user, role, "5.3", role == "MDR" or None, schedule_id=by_id))
    user, role = data.draw(st.sampled_from(READERS))
    flag = True if role == "MDR" else role != "OU" and data.draw(st.booleans())
    today = run.state.today
    period = whole_days(today - data.draw(st.integers(1, 2)) * ONE_DAY, today - ONE_DAY)
    srv = data.draw(st.sampled_from(CACHE_SRVS))
    return SubmitRequest(run.request(user, role, srv, flag, period=period))


PAIRS: Final = settings(
    max_examples=1500,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.mark.req("SCH-1", "SCH-2", "SCH-3", "SCH-4", "SCH-6", "C-2", "C-6")
@PAIRS
@given(run=built(), data=st.data(), offline=st.booleans())
def test_a_pair_of_schedules_sees_each_step_of_a_device_with_more(
    run: Driver, data: st.DataObject, offline: bool
) -> None:
    # every micro-step of the set-up and of the next event, from 3 to 5 schedules
    if offline:
        run.do(SetDeviceComms(DEVICE, False))  # SCH-5: the runs are retried, each retry naming its schedule
    run.do(next_event(data, run))
    assert differences(run.observed) == []


# ----- where the pair stands for the n schedules: per micro-step, not per clock advance ---

Creation = tuple[str, str, bool | None, ScheduleSpec]


def scenario(creations: Sequence[Creation], **options: str) -> Driver:
    """The standard world at 01:00 on START with these schedules created."""
    run = driver(**options)
    run.do(AdvanceClock(at(START, 1)))
    for user, role, flag, spec in creations:
        run.do(SubmitRequest(run.request(user, role, "5.1", flag, schedule=spec)))
    assert len(run.state.schedules) == len(creations)
    return run


def responses_to(schedule_id: int, outputs: Sequence[Output]) -> list[Response]:
    return [o for o in outputs if isinstance(o, Response) and o.request_id.startswith(f"S{schedule_id}-")]


@pytest.mark.req("SCH-4", "C-2")
def test_runs_due_at_one_instant_are_seen_by_pairs_step_by_step_not_advance_by_advance() -> None:
    # Three Supplier schedules for 4.6.1, due at 00:00 (the DSP window, SCH-4):
    # 1 on day one only, 2 on day two only, 3 on both.  One clock advance runs
    # 1 then 3 on day one and 2 then 3 on day two (same instant: lower id first);
    # 3's runs are answered from what 1, then 2, stored just before (C-2, C-4,
    # C-9: the device is not asked).  No pair holding 3 gives 3's responses over
    # the whole advance: 3 reads the device on the day its partner does not run.
    # Micro-step by micro-step every pair agrees: each of 3's runs starts from
    # the state the run before it left, cache included.
    day_one, day_two = START + ONE_DAY, START + 2 * ONE_DAY
    run = scenario(
        [
            (SUPPLIER, "IS", False, ScheduleSpec("4.6.1", day_one, day_one)),
            (SUPPLIER, "IS", False, ScheduleSpec("4.6.1", day_two, day_two)),
            (SUPPLIER, "IS", True, ScheduleSpec("4.6.1", day_one)),
        ]
    )
    before, advance = run.state, AdvanceClock(at(day_two, 1))
    whole = [r.device_read for r in responses_to(3, run.do(advance))]
    assert whole == [False, False]
    for partner in (1, 2):
        _, outputs = step(reduced(before, [before.schedules[partner], before.schedules[3]]), advance)
        # from the cache on the day the partner ran before it, from the device on the other
        assert [r.device_read for r in responses_to(3, outputs)] == [partner != 1, partner != 2]
    assert differences(run.observed) == []


# ----- seeded faults the property catches ---------------------------------------------


def _sch3_first_only(state: State, mpan: str, outgoing: str, at_: int) -> tuple[State, tuple[Alert, ...]]:
    """The fault: at an MDRA change only the outgoing MDRA's first schedule goes (SCH-3)."""
    ordered = sorted(state.schedules.values(), key=lambda s: s.schedule_id)
    doomed = [s for s in ordered if s.owner == outgoing and s.role == "MDR" and state.devices[s.device_id].mpan == mpan]
    alerts = tuple(Alert("MHHS-A1", outgoing, at_, s.device_id, s.schedule_id, ("SCH-3",)) for s in doomed[:1])
    return schedules.remove(state, tuple(doomed[:1])), alerts


_REMOVE: Final = schedules.remove
_OWNED: Final = schedules.owned


def _keep_cache_while_scheduled(state: State, doomed: tuple[Schedule, ...]) -> State:
    """The fault: a removal keeps the cache of a key another schedule is still for (C-6)."""
    removed = _REMOVE(state, doomed)
    kept = {k: v for k, v in state.cache.items() if any(key_of(s) == k for s in removed.schedules.values())}
    return evolve(removed, cache={**removed.cache, **kept})


def _first_owned(state: State, request: ServiceRequest) -> tuple[Schedule, ...]:
    """The fault: a 5.3 removes only the sender's first schedule on the device (SCH-2)."""
    return _OWNED(state, request)[:1]


def _first_keeps(state: State, device_id: str, srv: str) -> tuple[bool, tuple[str, ...]]:
    """The fault: the store condition reads only the device's first schedule (C-2)."""
    held = sorted((s for s in state.schedules.values() if s.device_id == device_id), key=lambda s: s.schedule_id)
    return bool(held) and held[0].srv == srv, ()


def _three(first: Creation, second: Creation, third: Creation) -> list[Creation]:
    return [first, second, third]


MDR_OUT_481: Final = (MDR_OUT, "MDR", True, ScheduleSpec("4.8.1", START))
MDR_OUT_461: Final = (MDR_OUT, "MDR", True, ScheduleSpec("4.6.1", START))
SUPPLIER_481: Final = (SUPPLIER, "IS", False, ScheduleSpec("4.8.1", START))
SUPPLIER_483: Final = (SUPPLIER, "ES", False, ScheduleSpec("4.8.3", START))


def _mdra_change(run: Driver) -> None:
    run.do(AdvanceClock(at(CHANGE, 1)))  # across the incoming MDRA's EFD


def _supplier_removes(run: Driver) -> None:
    run.do(AdvanceClock(at(START, 12)))  # the MDR runs at 07:00 fill the cache
    run.do(SubmitRequest(run.request(SUPPLIER, "IS", "5.3", None)))


def _runs_next_day(run: Driver) -> None:
    run.do(AdvanceClock(at(START + ONE_DAY, 12)))


FAULTS: Final = {
    # SCH-3: the MDRA change deletes schedules 1 and 2; the fault keeps 2, which {2, 3} deletes
    "sch3-first-only": (
        (schedules, "on_mdra_change", _sch3_first_only),
        _three(MDR_OUT_481, MDR_OUT_461, SUPPLIER_481),
        _mdra_change,
        "schedule 2's fate differs from {2, 3}",
    ),
    # C-6: the Supplier's 5.3 removes 1; the fault keeps 4.8.1's cache for 2, which {1, 3} drops
    "c6-keep-while-scheduled": (
        (schedules, "remove", _keep_cache_while_scheduled),
        _three(SUPPLIER_481, MDR_OUT_481, MDR_OUT_461),
        _supplier_removes,
        "cache of removed 1 differs from {1, 3}",
    ),
    # SCH-2: the Supplier's 5.3 removes 1 and 2; the fault keeps 2, which {2, 3} removes
    "sch2-first-only": (
        (schedules, "owned", _first_owned),
        _three(SUPPLIER_481, SUPPLIER_483, MDR_OUT_461),
        _supplier_removes,
        "schedule 2's fate differs from {2, 3}",
    ),
    # C-2: 2's run stores 4.8.1 (2 is for it); the fault reads 1 (4.6.1) only, {2, 3} reads 2
    "c2-first-schedule-only": (
        (mhhs_cache, "activity", _first_keeps),
        _three(MDR_OUT_461, SUPPLIER_481, SUPPLIER_483),
        _runs_next_day,
        "'4.8.1') differs from [2, 3]",
    ),
}


@pytest.mark.req("SCH-2", "SCH-3", "C-2", "C-6")
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_fault_that_makes_a_schedule_read_a_third_shows_as_a_difference(fault: str) -> None:
    (module, name, faulty), creations, then, difference = FAULTS[fault]
    run = scenario(creations)
    then(run)
    assert differences(run.observed) == []  # the model: every pair agrees
    with mock.patch.object(module, name, faulty):  # the n-schedule steps and the pairs' alike
        run = scenario(creations)
        then(run)
        found = differences(run.observed)
    assert any(difference in one for one in found), found


def _remove_any_owners(state: State, request: ServiceRequest) -> tuple[Schedule, ...]:
    """A fault decided schedule by schedule: a 5.3 removes every schedule of the device."""
    return tuple(
        s for s in sorted(state.schedules.values(), key=lambda s: s.schedule_id) if s.device_id == request.device_id
    )


@pytest.mark.req("SCH-2")
def test_a_fault_decided_schedule_by_schedule_is_shown_in_full_by_a_pair() -> None:
    # The pairs are no check of the rules themselves: a fault that decides each
    # schedule on its own (here a 5.3 removing another user's schedule) is made
    # the same from every pair, which therefore shows it (the pair {1, 3} loses
    # the MDRA's schedule 3 to the Supplier's 5.3), for the encoding's SCH-2
    # invariant to find.
    with mock.patch.object(schedules, "owned", _remove_any_owners):
        run = scenario(_three(SUPPLIER_481, SUPPLIER_483, MDR_OUT_461))
        _supplier_removes(run)
        assert differences(run.observed) == []
        micro = next(m for m, e in run.observed if isinstance(e, SubmitRequest) and e.request.srv == "5.3")
        pair_after, _ = Pairs(micro).take([micro.before.schedules[1], micro.before.schedules[3]])
    assert 3 not in micro.after.schedules and 3 not in pair_after.schedules
