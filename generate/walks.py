"""Random walks: Hypothesis generates long sequences of registration changes,
schedules, clock advances, device outages and requests from fixed seeds; the
model answers them; a walk is kept (shrunk to the fewest actions that still
reach it) for every coverage atom no other generator reaches, plus the
longest walk of each seed as a soak vector (REG-6, SCH-3, SCH-4, SCH-5, C-4,
C-6, C-8, AUD-1, AUD-2 and whatever else the walks reach)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from mhhs_sec.model import (
    AdvanceClock,
    Event,
    InvalidEvent,
    LoadRegistration,
    ReadAuditTrail,
    RestrictDevice,
    SetDeviceComms,
    State,
    SubmitRequest,
    step,
)
from mhhs_sec.model.codec import encode_output
from mhhs_sec.model.outputs import AuditExtract, Output, Response
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

from . import acceptable
from . import situations as sit
from .build import Case
from .wording import atom_words
from .world import CHANGE_DAY, at

SEEDS: Final = (20250610, 20251026, 20250330, 7)
EXAMPLES_PER_SEED: Final = 40
MIN_ACTIONS: Final = 12
MAX_ACTIONS: Final = 30
LONG_MIN: Final = 80
LONG_MAX: Final = 120
START: Final = at(CHANGE_DAY - 2 * ONE_DAY, 6 * 3600)
DEVICE_IDS: Final = DEVICES_A.all() + DEVICES_B.all()
SENDERS: Final = {
    "mdr-out": (MDR_OUT, "MDR", True), "mdr-in": (MDR_IN, "MDR", True), "supplier": (SUPPLIER, "IS", False),
    "supplier-mhhs": (SUPPLIER, "IS", True), "other-user": (OTHER_USER, "OU", False),
    "network-operator": (NETWORK_OPERATOR, "ED", False),
}  # fmt: skip
READ_SRVS: Final = tuple(s for s in sorted(SRVS) if SRVS[s].device_request) + ("8.2", "5.2")
SCHEDULE_SRVS: Final = tuple(s for s in sorted(SRVS) if SRVS[s].schedulable)

# A walk compares every observable a run shows: responses, entries and their
# values, device reads (C-9), TRTs, instants (SCH-4, AUD-1), alerts, schedule
# ids, inventory (and audit extracts when it reads one).
OBSERVABLES: Final = ("response-code", "entries", "device-read", "trt", "timing", "alerts", "schedules", "inventory")

Action = tuple[Any, ...]

_sender = st.sampled_from(sorted(SENDERS))
_device = st.integers(0, len(DEVICE_IDS) - 1)
ACTIONS = st.one_of(
    st.tuples(st.just("read"), _sender, st.sampled_from(READ_SRVS), _device, st.integers(0, 3)),
    st.tuples(st.just("schedule"), _sender, st.sampled_from(SCHEDULE_SRVS), _device),
    st.tuples(st.just("delete"), _sender, _device),
    st.tuples(st.just("advance"), st.integers(1, 30)),
    st.tuples(st.just("comms"), _device, st.booleans()),
    st.tuples(st.just("restrict"), _device),
    st.tuples(st.just("reregister"), st.integers(1, 3)),
    st.tuples(st.just("audit"), _sender),
)
WALKS = st.lists(ACTIONS, min_size=MIN_ACTIONS, max_size=MAX_ACTIONS)
LONG_WALKS = st.lists(ACTIONS, min_size=LONG_MIN, max_size=LONG_MAX)


@dataclass(frozen=True)
class Walk:
    actions: tuple[Action, ...]
    events: tuple[Event, ...]
    outputs: tuple[tuple[Output, ...], ...]


def _event(state: State, action: Action, counter: int) -> Event:
    kind = action[0]
    if kind in ("read", "schedule", "delete"):
        user, role, mhhs = SENDERS[action[1]]
        device_id = DEVICE_IDS[action[-1] if kind == "delete" else action[3]]
        flag = "true" if mhhs else "false"
        if kind == "read":
            day = state.today - action[4] * ONE_DAY
            return SubmitRequest(sit.request(state, user, role, action[2], device_id, flag, counter, day=day))
        if kind == "schedule":
            return SubmitRequest(
                sit.request(state, user, role, "5.1", device_id, flag, counter, schedule_srv=action[2])
            )
        return SubmitRequest(sit.request(state, user, role, "5.3", device_id, flag, counter))
    if kind == "advance":
        return AdvanceClock(state.now + action[1] * 3600)
    if kind == "comms":
        return SetDeviceComms(DEVICE_IDS[action[1]], action[2])
    if kind == "restrict":
        return RestrictDevice(DEVICE_IDS[action[1]])
    if kind == "reregister":
        change = state.today + action[1] * ONE_DAY
        return LoadRegistration(registration_a(dt.date(2024, 1, 1), change, state.profile))
    return ReadAuditTrail(SENDERS[action[1]][0])


# AC-11: a walk asserts no outcome that depends on the existing roles' access
# control: the Supplier addresses only the devices of the MPAN it is registered
# for, and the roles whose device access the sources leave open send only
# requests answered at once (a schedule of theirs, or the audit records of their
# requests, would exist under one reading only).
_OPEN_ACCESS: Final = frozenset(name for name, (_, role, _) in SENDERS.items() if role not in sit.ENTITLED_ROLES)
_SUPPLIER_SENDERS: Final = frozenset(name for name, (_, role, _) in SENDERS.items() if role in SUPPLIER_ROLES)


def _entitled(action: Action) -> bool:
    kind = action[0]
    if kind in ("schedule", "audit") and action[1] in _OPEN_ACCESS:
        return False
    if kind in ("read", "schedule", "delete") and action[1] in _SUPPLIER_SENDERS:
        return DEVICE_IDS[action[-1] if kind == "delete" else action[3]] in DEVICES_A.all()
    return True


class OpenOutcomes:
    """What a walk must not assert because the sources leave it open, tracked
    event by event: an audit record of a response whose code they leave open
    (its record would carry that code: AUD-1, AUD-2), and an entry stamped at
    the very instant its device was restricted (C-8 says "after";
    docs/timing.md 8.5)."""

    def __init__(self) -> None:
        self.open_codes: set[str] = set()  # users with a response whose code is left open
        self.restricted: dict[str, set[int]] = {}  # device -> instants of its restrictions

    def asserts_open(self, event: Event, produced: Sequence[Output]) -> bool:
        if isinstance(event, ReadAuditTrail):
            return event.user_id in self.open_codes
        return any(
            isinstance(o, Response) and o.srv == "4.8.1" and o.device_read
            and any(e.timestamp in self.restricted.get(o.device_id, ()) for e in o.entries)
            for o in produced
        )  # fmt: skip

    def record(self, state: State, event: Event, produced: Sequence[Output]) -> None:
        if isinstance(event, RestrictDevice):
            self.restricted.setdefault(event.device_id, set()).add(state.now)
        self.open_codes |= {o.user_id for o in produced if isinstance(o, Response) and open_code(o)}


def open_code(response: Response) -> bool:
    """A code the sources leave open (:mod:`.acceptable`): another rejection
    also holds, an answer SCH-1 / SCH-2 do not fix, or (AC-11) another reading
    of a Supplier's access may answer a rejection."""
    if acceptable.unfixed(response):
        return True
    return response.code != "I0" and bool(response.alternatives or response.role in SUPPLIER_ROLES)


def play(state: State, actions: Iterable[Action], make: Callable[[State, Action, int], Event]) -> Walk:
    """Play actions from ``state`` (``make``: the event of an action, given the
    state and the number of the event): an event the model refuses as invalid
    input is dropped (a walk holds valid events only), and so is one whose
    outputs assert what the sources leave open (:class:`OpenOutcomes`)."""
    kept: list[Action] = []
    played: list[Event] = []
    outputs: list[tuple[Output, ...]] = []
    open_outcomes = OpenOutcomes()
    for action in actions:
        event = make(state, action, len(played) + 1)
        try:
            after, produced = step(state, event)
        except InvalidEvent:
            continue
        if open_outcomes.asserts_open(event, produced):
            continue
        open_outcomes.record(state, event, produced)
        state = after
        kept.append(action)
        played.append(event)
        outputs.append(produced)
    return Walk(tuple(kept), tuple(played), tuple(outputs))


def interpret(actions: Sequence[Action]) -> Walk:
    """Run a walk on the model from the standard world (:func:`play`); actions
    whose outcome depends on the existing roles' access (AC-11) are dropped."""
    return play(sit.base(now=START), filter(_entitled, actions), _event)


def atoms(outputs: Iterable[tuple[Output, ...]]) -> set[str]:
    """Coverage atoms of a run (see :func:`json_atoms`)."""
    return json_atoms([encode_output(o) for o in produced] for produced in outputs)


def json_atoms(steps: Iterable[Iterable[dict[str, Any]]]) -> set[str]:
    """Coverage atoms of outputs in codec JSON, step by step: response code x
    SRV x mode, cache hits, held requests answered later, alerts, audit extracts."""
    found: set[str] = set()
    acknowledged: set[str] = set()
    for produced in steps:
        for output in produced:
            kind = output["type"]
            if kind == "response":
                found.add(f"response:{output['code']}:{output['srv']}:{output['mode']}")
                if output["code"] == "I0" and output["entries"] and not output["device_read"]:
                    found.add(f"cache-hit:{output['srv']}:{output['mode']}")
                if output["request_id"] in acknowledged:
                    found.add(f"held-then-answered:{output['code']}")
            elif kind == "acknowledgement":
                acknowledged.add(output["request_id"])
                found.add("acknowledgement")
            elif kind == "alert":
                found.add(f"alert:{output['code']}")
            elif kind == "audit_extract":
                found.add(f"audit:{'records' if output['records'] else 'empty'}")
    return found


def vector_atoms(vectors: Iterable[dict[str, Any]]) -> set[str]:
    """Atoms the given vector JSON objects already reach."""
    found: set[str] = set()
    for vector in vectors:
        found |= json_atoms([e["output"] for e in s["expected"]] for s in vector["steps"])
    return found


def _generated(strategy: st.SearchStrategy[list[Action]], value: int, examples: int) -> list[Walk]:
    """The walks Hypothesis generates from one fixed seed, in order."""
    found: list[Walk] = []

    @seed(value)
    @settings(
        max_examples=examples, database=None, deadline=None, phases=[Phase.generate],
        suppress_health_check=list(HealthCheck), derandomize=False,
    )  # fmt: skip
    @given(strategy)
    def run(actions: list[Action]) -> None:
        found.append(interpret(actions))

    run()
    return found


def explore() -> list[Walk]:
    """Every walk Hypothesis generates from the fixed seeds, in order."""
    return [walk for value in SEEDS for walk in _generated(WALKS, value, EXAMPLES_PER_SEED)]


def soak(value: int) -> Walk:
    """One long walk (LONG_MIN..LONG_MAX actions) from a seed."""
    return max(_generated(LONG_WALKS, value, 3), key=lambda w: (len(w.events), w.actions))


def shrink(actions: tuple[Action, ...], atom: str) -> Walk:
    """Greedily drop actions while the walk still reaches ``atom``."""
    walk = interpret(actions)
    changed = True
    while changed:
        changed = False
        for index in range(len(walk.actions)):
            candidate = interpret(walk.actions[:index] + walk.actions[index + 1 :])
            if atom in atoms(candidate.outputs):
                walk, changed = candidate, True
                break
    return walk


def select(pool: Sequence[Walk], known: set[str]) -> list[tuple[str, Walk]]:
    """For each atom no earlier vector reaches: the first walk reaching it, shrunk."""
    chosen: list[tuple[str, Walk]] = []
    covered = set(known)
    for walk in pool:
        for atom in sorted(atoms(walk.outputs) - covered):
            if atom in covered:
                continue
            small = shrink(walk.actions, atom)
            covered |= atoms(small.outputs)
            chosen.append((atom, small))
    return chosen


def _slug(atom: str) -> str:
    return atom.replace(":", ".").replace("_", "-").lower()


# Long walks per seed that are candidates for the suite, and those of them
# kept (seed, index): the ones that kill a mutant of the model no other vector
# kills (``mhhs-sec mutants --select``).
LONG_PER_SEED: Final = 5
KEPT_LONG: Final[tuple[tuple[int, int], ...]] = ((20251026, 4), (7, 1), (7, 4))


def long_candidates(kept: Iterable[tuple[int, int]] | None = None) -> list[Case]:
    """The long walks of every seed (or only the ``kept`` ones) as cases, but
    the seed's soak walk (a vector already)."""
    wanted = None if kept is None else set(kept)
    return [
        _case(f"walk.long.seed-{value}.{index}", f"long random walk {index} from seed {value}, kept because it "
              "kills a mutant of the model no other vector kills", walk, ("walk", "long"))
        for value in SEEDS
        for index, walk in enumerate(_generated(LONG_WALKS, value, LONG_PER_SEED))
        if (wanted is None or (value, index) in wanted) and walk.events != soak(value).events
    ]  # fmt: skip


def cases(known: set[str] | None = None) -> list[Case]:
    """Shrunk walks that add coverage, one long walk per seed, and the long
    walks the mutants chose."""
    pool = explore()
    found = [
        _case(
            f"walk.atom.{_slug(atom)}",
            f"a random sequence of events, shrunk, that reaches {atom_words(atom)}",
            walk,
            ("walk", "shrunk"),
        )
        for atom, walk in select(pool, known or set())
    ]
    for value in SEEDS:
        found.append(_case(f"walk.soak.seed-{value}", f"a long random sequence of events (seed {value})", soak(value),
                           ("walk", "soak")))  # fmt: skip
    return found + long_candidates(KEPT_LONG)


def _case(case_id: str, comment: str, walk: Walk, tags: tuple[str, ...]) -> Case:
    return Case(
        id=case_id,
        comment=comment,
        requirements=walk_requirements(walk),
        primary=walk_primary(walk),
        state=sit.base(now=START),
        events=walk.events,
        observables=(*OBSERVABLES, *(("audit",) if _has_audit(walk) else ())),
        tags=tags,
        coverage={"decision": "walk", "edge": ",".join(sorted(atoms(walk.outputs)))},
    )


def _has_audit(walk: Walk) -> bool:
    return any(isinstance(o, AuditExtract) for produced in walk.outputs for o in produced)


def walk_primary(walk: Walk) -> str:
    """The requirement a walk exercises most: the one its outputs cite most
    often (ties: the first in ID order), else its first requirement."""
    cited: Counter[str] = Counter(
        str(r) for produced in walk.outputs for o in produced for r in getattr(o, "requirements", ())
    )
    if not cited:
        return walk_requirements(walk)[0]
    return min(cited, key=lambda r: (-cited[r], r))


def walk_requirements(walk: Walk) -> tuple[str, ...]:
    """The catalogue IDs the walk's outputs cite (the model's own requirement
    lists), else the rows a walk always exercises."""
    found = {r for produced in walk.outputs for o in produced for r in getattr(o, "requirements", ())}
    if _has_audit(walk):
        found |= {"AUD-1", "AUD-2"}
    return tuple(sorted(found or {"AC-3", "AUD-1"}))
