"""Spread walks: random stories over the dimensions the other generators hold
fixed, each compared on every observable (responses, entries and their
values, device reads, TRTs, instants, alerts, schedule ids, inventory, audit
extracts).

- the calendar: a walk starts on or just before a day of :data:`CALENDAR`
  (both UK clock changes, a year end, a leap day, a winter and a summer day)
  and moves the clock in half-hours, so schedule runs, MDR windows and cache
  ages fall on those days (REG-8, SCH-1, SCH-4, C-4, C-11);
- the profile: every option of every ``interp`` row takes each of its values,
  S1-1's ``daily_log_delay_tolerance_s`` included (one profile per walk);
- future-dated reads (``execute_at``): held, acknowledged (SCH-4), run inside
  or outside the MDR window and authorised again when they run (AC-3);
- held requests other than an MDR 4.8.1 (every device-read SRV, and under
  SCH-8 the MDR 5.x), in the audit trail (AUD-1) with their instants;
- a registration change (REG-6, SCH-3) while a read is held or retrying (SCH-5);
- every sender role of REG-11 (IS and ES, ForSettlement set), every cached
  SRV for C-6, cache slots refilled and aged (C-4, C-5).

Hypothesis draws candidate walks from :data:`SEEDS`.  Only the candidates
:data:`KEPT` names become vectors: those that kill a mutant of the model no
other vector kills (chosen with ``mhhs-sec mutants --select``, see
docs/architecture.md "Mutation analysis"); the others add nothing to the
suite.  AC-11: senders are restricted as in :mod:`.walks` (the Supplier
addresses its own MPAN; the roles whose device access the sources leave open
send only requests answered at once).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from mhhs_sec.model import (
    AdvanceClock,
    Event,
    LoadRegistration,
    Profile,
    ReadAuditTrail,
    RestrictDevice,
    ScheduleSpec,
    SetDeviceComms,
    State,
    SubmitRequest,
)
from mhhs_sec.model.clock import format_instant
from mhhs_sec.model.outputs import Acknowledgement, Alert, AuditExtract, Output, Response
from mhhs_sec.model.profile import PROFILE_OPTIONS
from mhhs_sec.model.registration import ONE_DAY
from mhhs_sec.model.rules import SUPPLIER_ROLES
from mhhs_sec.model.tables import SRVS
from mhhs_sec.model.world import (
    DEVICES_A,
    DEVICES_B,
    MDR_IN,
    MDR_OUT,
    NETWORK_OPERATOR,
    OTHER_USER,
    SUPPLIER,
    registration_a,
)

from . import situations as sit
from .build import Case
from .walks import OBSERVABLES, Walk, play, walk_requirements
from .world import AUTUMN_CHANGE, SPRING_CHANGE, at

SEEDS: Final = (20240229, 20241231, 20250330, 20251026)
CANDIDATES_PER_SEED: Final = 40
HALF_HOUR: Final = 1800
# The days a walk starts on or just before: name -> day.
CALENDAR: Final[dict[str, dt.date]] = {
    "spring clock change": SPRING_CHANGE,
    "autumn clock change": AUTUMN_CHANGE,
    "year end": dt.date(2024, 12, 31),
    "leap day": dt.date(2024, 2, 29),
    "winter": dt.date(2025, 1, 15),
    "summer": dt.date(2025, 7, 15),
}
DEVICE_IDS: Final = DEVICES_A.all() + DEVICES_B.all()
SENDERS: Final = {
    "mdr-out": (MDR_OUT, "MDR", True), "mdr-in": (MDR_IN, "MDR", True),
    "supplier-is": (SUPPLIER, "IS", False), "supplier-is-mhhs": (SUPPLIER, "IS", True),
    "supplier-es": (SUPPLIER, "ES", False), "supplier-es-mhhs": (SUPPLIER, "ES", True),
    "other-user": (OTHER_USER, "OU", False), "network-operator": (NETWORK_OPERATOR, "ED", False),
}  # fmt: skip
READ_SRVS: Final = tuple(s for s in sorted(SRVS) if SRVS[s].device_request) + ("8.2", "5.2")
SCHEDULE_SRVS: Final = tuple(s for s in sorted(SRVS) if SRVS[s].schedulable)
# Hours after submission a future-dated read is to execute (0: at once).
DELAYS_H: Final = (0, 0, 0, 1, 3, 11, 14, 26)

# The candidates (seed, index) that become vectors (mutant-driven selection).
KEPT: Final[tuple[tuple[int, int], ...]] = ((20240229, 6), (20241231, 7), (20250330, 6))

Action = tuple[Any, ...]

_sender = st.sampled_from(sorted(SENDERS))
_device = st.integers(0, len(DEVICE_IDS) - 1)
ACTIONS = st.one_of(
    st.tuples(
        st.just("read"), _sender, st.sampled_from(READ_SRVS), _device, st.integers(0, 3), st.sampled_from(DELAYS_H)
    ),  # fmt: skip
    st.tuples(
        st.just("schedule"),
        _sender,
        st.sampled_from(SCHEDULE_SRVS),
        _device,
        st.integers(1, 3),
        st.sampled_from((None, 0, 2)),
    ),  # fmt: skip
    st.tuples(st.just("delete"), _sender, _device),
    st.tuples(st.just("advance"), st.integers(1, 60), st.sampled_from((0, 0, 0, 1, -1))),
    st.tuples(st.just("comms"), _device, st.booleans()),
    st.tuples(st.just("restrict"), _device),
    st.tuples(st.just("reregister"), st.integers(0, 3)),
    st.tuples(st.just("audit"), _sender),
)
PROFILES = st.fixed_dictionaries({name: st.sampled_from(values) for name, (_, values) in PROFILE_OPTIONS.items()})
STARTS = st.tuples(st.sampled_from(sorted(CALENDAR)), st.integers(0, 2), st.sampled_from((1, 12, 18, 39, 47)))
WALKS = st.tuples(STARTS, PROFILES, st.lists(ACTIONS, min_size=10, max_size=30))


@dataclass(frozen=True)
class Spread:
    """A candidate: where and under which profile it starts, and what happens."""

    day_name: str
    state: State
    events: tuple[Event, ...]
    outputs: tuple[tuple[Output, ...], ...]


def start(day_name: str, days_before: int, half_hour: int, options: dict[str, Any]) -> State:
    """The standard world under the profile, ``days_before`` the calendar day at
    a half-hour of the settlement day; MPAN_A's MDRA changes on the calendar day."""
    profile = Profile(**options)
    day = CALENDAR[day_name]
    now = at(day - days_before * ONE_DAY, half_hour * HALF_HOUR, profile.settlement_tz)
    return sit.base(profile, now, day)


def _read(state: State, action: Action, counter: int) -> Event:
    _, name, srv, device, days_back, delay_h = action
    user, role, mhhs = SENDERS[name]
    request = sit.request(state, user, role, srv, DEVICE_IDS[device], "true" if mhhs else "false", counter,
                          day=state.today - days_back * ONE_DAY)  # fmt: skip
    if delay_h and SRVS[srv].device_request:
        request = _dated(request, state.now + delay_h * 3600)
    return SubmitRequest(request)


def _dated(request: Any, execute_at: int) -> Any:
    return replace(request, execute_at=execute_at)


def _schedule(state: State, action: Action, counter: int) -> Event:
    _, name, srv, device, start_in, lasting = action
    user, role, mhhs = SENDERS[name]
    request = sit.request(state, user, role, "5.1", DEVICE_IDS[device], "true" if mhhs else "false", counter,
                          schedule_srv=srv)  # fmt: skip
    first = state.today + start_in * ONE_DAY
    spec = ScheduleSpec(srv, first, None if lasting is None else first + lasting * ONE_DAY)
    return SubmitRequest(replace(request, schedule=spec))


def _event(state: State, action: Action, counter: int) -> Event:
    kind = action[0]
    if kind == "read":
        return _read(state, action, counter)
    if kind == "schedule":
        return _schedule(state, action, counter)
    if kind == "delete":
        user, role, mhhs = SENDERS[action[1]]
        return SubmitRequest(sit.request(state, user, role, "5.3", DEVICE_IDS[action[2]], "true" if mhhs else "false",
                                         counter))  # fmt: skip
    if kind == "advance":
        return AdvanceClock(state.now + action[1] * HALF_HOUR + action[2])
    if kind == "comms":
        return SetDeviceComms(DEVICE_IDS[action[1]], action[2])
    if kind == "restrict":
        return RestrictDevice(DEVICE_IDS[action[1]])
    if kind == "reregister":
        return LoadRegistration(registration_a(dt.date(2024, 1, 1), state.today + action[1] * ONE_DAY, state.profile))
    return ReadAuditTrail(SENDERS[action[1]][0])


_OPEN_ACCESS: Final = frozenset(name for name, (_, role, _) in SENDERS.items() if role not in sit.ENTITLED_ROLES)
_SUPPLIER_SENDERS: Final = frozenset(name for name, (_, role, _) in SENDERS.items() if role in SUPPLIER_ROLES)


def _entitled(action: Action) -> bool:
    """AC-11: no outcome that depends on the existing roles' access control."""
    kind = action[0]
    if kind in ("schedule", "audit") and action[1] in _OPEN_ACCESS:
        return False
    if kind == "read" and action[1] in _OPEN_ACCESS and action[5]:
        return False  # a held request of theirs would exist under one reading only
    if kind in ("read", "schedule", "delete") and action[1] in _SUPPLIER_SENDERS:
        return DEVICE_IDS[action[2] if kind == "delete" else action[3]] in DEVICES_A.all()
    return True


def interpret(state: State, actions: Sequence[Action]) -> tuple[tuple[Event, ...], tuple[tuple[Output, ...], ...]]:
    """The events of a walk from ``state`` and the model's outputs
    (:func:`.walks.play`: no invalid event, nothing the sources leave open)."""
    walk = play(state, filter(_entitled, actions), _event)
    return walk.events, walk.outputs


def candidates(value: int, examples: int = CANDIDATES_PER_SEED) -> list[Spread]:
    """The candidate walks Hypothesis draws from one fixed seed, in order."""
    found: list[Spread] = []

    @seed(value)
    @settings(
        max_examples=examples, database=None, deadline=None, phases=[Phase.generate],
        suppress_health_check=list(HealthCheck), derandomize=False,
    )  # fmt: skip
    @given(WALKS)
    def run(drawn: tuple[tuple[str, int, int], dict[str, Any], list[Action]]) -> None:
        (day_name, days_before, half_hour), options, actions = drawn
        state = start(day_name, days_before, half_hour, options)
        events, outputs = interpret(state, actions)
        found.append(Spread(day_name, state, events, outputs))

    run()
    return found


def _story(spread: Spread) -> str:
    """What a domain reader needs to follow the walk: where it starts, under
    which options, and what it contains beyond plain reads."""
    state = spread.state
    options = state.profile.non_default()
    shown = ", ".join(f"{k}={v}" for k, v in sorted(options.items())) or "the catalogue defaults"
    parts = [f"random story from {format_instant(state.now)} (before the {spread.day_name}, MPAN_A's MDRA "
             f"changes that day) under {shown}"]  # fmt: skip
    outputs = [o for produced in spread.outputs for o in produced]
    held = {o.request_id for o in outputs if isinstance(o, Acknowledgement)}
    dated = sum(1 for e in spread.events if isinstance(e, SubmitRequest) and e.request.execute_at is not None)
    if dated:
        parts.append(f"{dated} future-dated reads (SCH-4: acknowledged, authorised again when they run)")
    if held:
        answered = sum(1 for o in outputs if isinstance(o, Response) and o.request_id in held)
        parts.append(f"{len(held)} requests held, {answered} answered later")
    alerts = sum(1 for o in outputs if isinstance(o, Alert))
    if alerts:
        parts.append(f"{alerts} alerts with their instants")
    if any(isinstance(e, LoadRegistration) for e in spread.events):
        parts.append("a registration change on the way (REG-6, SCH-3)")
    return "; ".join(parts)


def _case(value: int, index: int, spread: Spread) -> Case:
    audit = any(isinstance(o, AuditExtract) for produced in spread.outputs for o in produced)
    walk = Walk((), spread.events, spread.outputs)
    return Case(
        id=f"spread.seed-{value}.{index:02d}",
        comment=_story(spread),
        requirements=walk_requirements(walk),
        state=spread.state,
        events=spread.events,
        observables=OBSERVABLES + (("audit",) if audit else ()),
        tags=("walk", "spread"),
        coverage={"decision": "spread", "edge": f"seed {value} candidate {index}"},
    )


def all_cases() -> list[Case]:
    """Every candidate as a case (what ``mhhs-sec mutants --select`` chooses from)."""
    return [_case(value, index, spread) for value in SEEDS for index, spread in enumerate(candidates(value))]


def dimension_atoms(spread: Spread) -> set[str]:
    """The dimensions a candidate reaches that no other generator does: a
    schedule run and a cache hit on each calendar day, each profile option
    value in play, future-dated reads acknowledged and answered, each SRV held,
    a registration change while a read waits, a held request's audit record."""
    found = {f"profile:{k}={v}" for k, v in spread.state.profile.as_dict().items()}
    waiting: set[str] = set()
    for event, produced in zip(spread.events, spread.outputs, strict=True):
        if isinstance(event, LoadRegistration) and waiting:
            found.add("registration-change-while-held")
        for output in produced:
            found |= _output_atoms(spread, event, output, waiting)
    return found


def _output_atoms(spread: Spread, event: Event, output: Output, waiting: set[str]) -> set[str]:
    found: set[str] = set()
    if isinstance(output, Acknowledgement):
        waiting.add(output.request_id)
        srv = event.request.srv if isinstance(event, SubmitRequest) else "?"
        dated = isinstance(event, SubmitRequest) and event.request.execute_at is not None
        found |= {f"held:{srv}", *(["future-dated:acknowledged"] if dated else [])}
    elif isinstance(output, Response):
        if output.request_id in waiting:
            waiting.discard(output.request_id)
            found.add(f"held-then-answered:{output.code}")
        if output.mode == "scheduled":
            found.add(f"calendar:{spread.day_name}:schedule-run:{output.code}")
        if output.code == "I0" and output.entries and not output.device_read:
            found.add(f"calendar:{spread.day_name}:cache-hit")
    elif isinstance(output, AuditExtract) and any(r.code == "I99" for r in output.records):
        found.add("audit:held-request")
    return found


def cases() -> list[Case]:
    """The candidates the mutants chose (:data:`KEPT`), then, shortest first,
    each candidate reaching a dimension atom none kept so far reaches."""
    pools = {value: candidates(value) for value in SEEDS}
    chosen = [(value, index) for value, index in KEPT]
    covered = set().union(*(dimension_atoms(pools[v][i]) for v, i in chosen))
    by_length = sorted(((len(w.events), v, i) for v, pool in pools.items() for i, w in enumerate(pool)))
    for _, value, index in by_length:
        atoms = dimension_atoms(pools[value][index])
        if not atoms <= covered:
            covered |= atoms
            chosen.append((value, index))
    return [_case(value, index, pools[value][index]) for value, index in sorted(set(chosen))]
