"""Non-interference between devices and MPANs: what concerns the others never
reaches a device's or an MPAN's state (a projection property).

The Z3 proofs watch one MPAN and one device (``proofs/README.md``, "Outside the
abstraction", row "several devices and MPANs"): they stand for any of several
because the model keys each rule by (device, SRV), by device or by the MPAN's
registration.  This module checks that argument on the model.

The stateful random runs (``test_stateful.ModelMachine``'s own rules:
requests of every role, SRV, flag and device, 5.1 / 5.2 / 5.3, registration
changes, comms, restrictions, clock advances over every device of the
standard world and both MPANs' registrations; the synthetic device source),
here under every profile option and with 5.2 / 5.3 also sent by others and
naming other devices, are recorded and run whole.  Then, for each *watched
unit* (each MPAN with its devices and registration; each device with its
MPAN's registration), only the events that concern the unit, and every clock
advance, are run from the same world.  What concerns the unit must be equal:

* the outputs, event by event: the responses, acknowledgements and alerts of
  the unit's requests and schedules, and the refusal of an invalid event; an
  event that does not concern the unit gives it nothing;
* the unit's part of the state after every event: registration, devices,
  schedules, cache slots, queued work (held, future-dated, retried), comms,
  restrictions and the clock; at the end, its records of the audit trail.

What an event concerns: a request its device, except a 5.2 / 5.3 naming a
schedule by id, which concerns the device of that schedule (DUIS names a
DSPScheduleID or a device).  Such a request may also name a device, any one:
the response echoes it, and AC-7 refuses an MDR one naming a GSME, so its
outcome reads that device's inventory entry, which no event here changes; it
acts on the named schedule whatever device it names (SCH-2 asks only that the
sender owns it).  A registration load concerns its MPAN; comms and a
restriction their device; a clock advance every unit.

Shared between units, hence left out of the comparison or compared modulo a
renaming (no rule of an invariant reads any of it):

* the schedule-id counter: a schedule takes the next id whoever it is for, so
  ids differ between runs.  Every schedule id in an output or the state (in a
  scheduled run's request id ``S<id>-<day>`` and in a rejection's reason too)
  is renamed after the 5.1 request that created the schedule, and everything
  else compared as is; the
  ids' order (runs due at the same instant, SCH-2 listings) is creation order
  in both runs;
* the queue's sequence number: it orders work due at the same instant; each
  is replaced by its rank among the unit's queued work;
* the audit trail: one trail for every party, compared as the unit's records
  in order.  Only an audit extract (AUD-2) reads it, a user's records over
  every MPAN: it concerns a user, not a device or MPAN, so none is drawn;
* the users, profile, service configuration and device source: the same in
  every run and changed by no event drawn (neither is a device moved between
  MPANs: that changes the MPAN it concerns, and C-2 drops its cache);
* cache expiry: another unit's work makes the clock stop (and stale entries
  go) at more instants, but whether an entry is fresh depends only on it and
  the instant (C-5), so the unit's work finds the same entries;
* the domain bound of one clock advance (at most 2,000 schedule run days over
  every schedule, ``domain.run_days``): an input limit, not a rule; these runs
  stay far below it.

The last tests seed plausible cross-device faults (the cache looked up by SRV
alone, the cache removed with a schedule by SRV alone, access control reading
the first MPAN's registration) and show the same random runs catch each.

Default run: CI-sized and derandomised.  ``MHHS_SEC_LONG=1`` makes it long and random.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from unittest import mock

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule, run_state_machine_as_test
from interleaved import DEVICES, MPAN_OF, Recorder, Replay
from mhhs_sec.generate.synthetic_meter import SYNTHETIC
from mhhs_sec.model import (
    PROFILE_OPTIONS,
    Alert,
    Appointment,
    AuditRecord,
    Event,
    Output,
    Profile,
    Response,
    ServiceRequest,
    State,
    SubmitRequest,
    access,
    cache,
)
from mhhs_sec.model.entities import CachedEntry
from mhhs_sec.model.state import evolve
from mhhs_sec.model.world import standard_world
from model_kit import DEVICES_A, DEVICES_B, MPAN_A, MPAN_B, ONE_DAY, at
from test_stateful import OWNERS, WORLDS, ModelMachine

LONG: Final = os.environ.get("MHHS_SEC_LONG") == "1"
NAMED_SCHEDULE: Final = re.compile(r"\bschedule (\d+)\b")  # a schedule id in a response's reason


@dataclass(frozen=True)
class Unit:
    """A watched unit: its devices and the registrations that decide for them."""

    name: str
    devices: frozenset[str]
    mpans: frozenset[str]


UNITS: Final = (
    Unit("MPAN_A", frozenset(DEVICES_A.all()), frozenset({MPAN_A})),
    Unit("MPAN_B", frozenset(DEVICES_B.all()), frozenset({MPAN_B})),
    *(Unit(device, frozenset({device}), frozenset({MPAN_OF[device]})) for device in DEVICES),
)


def canonical(run: Replay, output: Output) -> object:
    """An output with the run's schedule ids renamed (request ids, reasons, lists, alerts)."""
    if isinstance(output, Response):
        reason = NAMED_SCHEDULE.sub(lambda m: f"schedule {run.sid(int(m[1]))}", output.reason)
        renamed = dataclasses.replace(output, request_id=run.rid(output.request_id), reason=reason, schedule_ids=())
        return renamed, tuple(run.sid(s) for s in output.schedule_ids), output.alternatives
    if isinstance(output, Alert):
        return dataclasses.replace(output, schedule_id=0), run.sid(output.schedule_id)
    return output


def seen(run: Replay, unit: Unit, produced: tuple[Output, ...]) -> tuple[object, ...]:
    """The outputs that concern the unit, renamed."""
    return tuple(canonical(run, o) for o in produced if run.concerned(o) in unit.devices)


def part(run: Replay, unit: Unit, state: State) -> dict[str, object]:
    """The unit's part of a state of the run, renamed (its audit records: :func:`audit`)."""
    return {
        "clock": state.now,
        "registrations": {m: state.registrations[m] for m in unit.mpans},
        "devices": {d: state.devices[d] for d in unit.devices},
        "schedules": {
            run.sid(k): dataclasses.replace(s, schedule_id=0)
            for k, s in state.schedules.items()
            if s.device_id in unit.devices
        },
        "cache": {k: slot for k, slot in state.cache.items() if k[0] in unit.devices},
        "pending": _pending(run, unit, state),
        "offline": state.offline & unit.devices,
        "restrictions": {d: t for d, t in state.restrictions.items() if d in unit.devices},
    }


def audit(run: Replay, unit: Unit) -> list[AuditRecord]:
    """The unit's records of the run's audit trail, in order, renamed."""
    return [_record(run, r) for r in run.state.audit if _record_device(run, r) in unit.devices]


def _pending(run: Replay, unit: Unit, state: State) -> list[object]:
    """The unit's queued work in queue order, each sequence number replaced by its rank."""
    mine = [p for p in state.pending if run.device_of(p.request.request_id) in unit.devices]
    rank = {p.seq: n for n, p in enumerate(sorted(mine, key=lambda p: p.seq))}
    renamed = (
        (p, dataclasses.replace(p.request, request_id=run.rid(p.request.request_id), schedule_id=None)) for p in mine
    )
    return [
        (
            dataclasses.replace(p, seq=rank[p.seq], schedule_id=None, request=request),
            run.sid(p.schedule_id),
            run.sid(p.request.schedule_id),
        )
        for p, request in renamed
    ]


def _record_device(run: Replay, record: AuditRecord) -> str:
    if record.kind == "alert":
        return run.about[run.creator[int(record.reference)]]
    return run.device_of(record.reference)


def _record(run: Replay, record: AuditRecord) -> AuditRecord:
    if record.kind == "alert":
        return dataclasses.replace(record, reference=str(run.sid(int(record.reference))))
    return dataclasses.replace(record, reference=run.rid(record.reference))


def interference(recorded: Recorder) -> list[str]:
    """Run the recorded plan whole, then each unit alone: every difference in
    what concerns the unit (empty: none)."""
    whole = Replay(recorded.world, recorded.about)
    for planned in recorded.plan:
        whole.do(planned)
    found: list[str] = []
    for unit in UNITS:
        found.extend(_differences(recorded, whole, unit))
    return found


def _differences(recorded: Recorder, whole: Replay, unit: Unit) -> list[str]:
    """The unit's outputs and part of the state after each event (up to the
    first difference), then its audit records."""
    alone = Replay(recorded.world, recorded.about)
    for index, planned in enumerate(recorded.plan):
        expected = seen(whole, unit, whole.outputs[index]), whole.refused[index]
        got: tuple[tuple[object, ...], str | None] = ((), None)
        if planned.concerns(unit.devices, unit.mpans):
            produced = alone.do(planned)
            got = seen(alone, unit, produced), alone.refused[-1]
            if len(got[0]) != len(produced):
                return [f"{unit.name}: event {index} {planned.event} gives another unit {produced}"]
        if got != expected:
            return [f"{unit.name}: event {index} {planned.event}\n  whole run: {expected}\n  alone:     {got}"]
        mine, own = part(whole, unit, whole.states[index]), part(alone, unit, alone.state)
        if mine != own:
            changed = [
                f"  {key}\n    whole run: {mine[key]}\n    alone:     {own[key]}"
                for key in mine
                if mine[key] != own[key]
            ]
            return [f"{unit.name}: after event {index} {planned.event}", *changed]
    if audit(whole, unit) != audit(alone, unit):
        return [f"{unit.name}: audit records\n  whole run: {audit(whole, unit)}\n  alone:     {audit(alone, unit)}"]
    return []


# Every profile option the general runs leave at its default, drawn too.
OPTIONS: Final = {
    name: st.sampled_from(allowed)
    for name, (_, allowed) in PROFILE_OPTIONS.items()
    if name not in ("settlement_tz", "etd")
}


class Interleaved(ModelMachine):
    """The stateful random runs, recorded; at the end of each, every unit is
    run alone on the events that concern it and must see what it saw in the
    whole run.  The hand-written invariants and the runtime checks are left to
    the general runs: the property is the check here."""

    runtime_checks = False

    @initialize(**WORLDS, options=st.fixed_dictionaries(OPTIONS))
    def start(  # type: ignore[override]
        self, start: dt.date, hour: int, change_in: int, tz: str, etd: str, options: dict[str, Any]
    ) -> None:
        """The standard world under any profile, an MDRA change of MPAN_A a few days ahead."""
        profile = Profile().with_options(settlement_tz=tz, etd=etd, **options)
        self.state = standard_world(at(start, hour, tz=tz), start + change_in * ONE_DAY, profile, source=SYNTHETIC)
        self.recorded = Recorder(self.state)

    def apply(self, event: Event) -> None:
        self.recorded.before(event)
        super().apply(event)
        self.recorded.after(self.produced)

    def catalogue_invariants(self) -> None:
        """Left to the general runs (not an invariant here)."""

    @precondition(lambda self: bool(self.recorded.creators))
    @rule(
        srv=st.sampled_from(("5.2", "5.3")),
        pick=st.integers(0, 15),
        echo=st.one_of(st.just(""), st.sampled_from(DEVICES)),
        sender=st.one_of(st.none(), st.sampled_from(OWNERS)),
    )
    def on_schedule_by_id(self, srv: str, pick: int, echo: str, sender: tuple[str, str] | None) -> None:
        """A 5.2 / 5.3 naming a schedule of this run by id, by its owner or
        another, naming no device or any device (SCH-1, SCH-2: DUIS names a
        DSPScheduleID or a device)."""
        schedule_id = sorted(self.recorded.creators)[pick % len(self.recorded.creators)]
        made = self.recorded.requests[self.recorded.creators[schedule_id]]
        user, role = sender or (made.user_id, made.role)
        flag = True if role == "MDR" else None
        request = ServiceRequest(f"R{next(self.ids)}", user, role, srv, echo, flag, schedule_id=schedule_id)
        self.apply(SubmitRequest(request))

    def teardown(self) -> None:
        found = interference(self.recorded)
        assert not found, "interference between units:\n" + "\n".join(found)


RUNS: Final = settings(
    max_examples=1000 if LONG else 200,
    stateful_step_count=40,
    deadline=None,
    derandomize=not LONG,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


@pytest.mark.req("REG-4", "AC-3", "SCH-2", "SCH-3", "C-1", "C-2", "C-4", "C-5", "C-6", "C-7")
def test_what_concerns_other_devices_and_mpans_never_reaches_a_device_or_mpan() -> None:
    run_state_machine_as_test(Interleaved, settings=RUNS)


# ----- the same runs catch a cross-device fault ----------------------------------------


def fresh_by_srv(state: State, device_id: str, srv: str) -> Mapping[int, CachedEntry]:
    """The seeded fault 'the cache looked up by SRV alone' (C-4, C-7): a read
    is answered from whichever device's cache holds entries for the SRV."""
    held = [slot.entries for (_, cached_srv), slot in state.cache.items() if cached_srv == srv and slot.entries]
    return held[0] if held else {}


def drop_by_srv(state: State, device_id: str, srv: str) -> State:
    """The seeded fault 'the cache removed with a schedule by SRV alone' (C-6):
    every device's cache for the SRV goes."""
    return evolve(state, cache={key: slot for key, slot in state.cache.items() if key[1] != srv})


_APPOINTMENTS: Final = access._appointments


def first_registration(state: State, role: str, mpan: str) -> tuple[Appointment, ...] | None:
    """The seeded fault 'access control reads the first MPAN's registration'
    (AC-3, REG-4): every device is decided on MPAN_A's appointments."""
    return _APPOINTMENTS(state, role, next(iter(state.registrations)))


FAULT_RUNS: Final = settings(RUNS, max_examples=1000, phases=[Phase.generate])  # no shrinking; stops at the first catch


@pytest.mark.parametrize(
    ("module", "name", "fault"),
    [
        pytest.param(cache, "fresh", fresh_by_srv, id="cache-by-srv", marks=pytest.mark.req("C-4", "C-7")),
        pytest.param(cache, "drop", drop_by_srv, id="cache-removed-by-srv", marks=pytest.mark.req("C-6")),
        pytest.param(
            access, "_appointments", first_registration, id="first-registration", marks=pytest.mark.req("AC-3", "REG-4")
        ),
    ],
)
def test_the_same_runs_catch_a_cross_device_fault(module: object, name: str, fault: Callable[..., object]) -> None:
    # The property is not a restatement of the model: with a rule keyed on less
    # than its device or MPAN, some unit's own run parts from the whole run.
    with mock.patch.object(module, name, fault), pytest.raises(AssertionError, match="interference between units"):
        run_state_machine_as_test(Interleaved, settings=FAULT_RUNS)
