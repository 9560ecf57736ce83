"""The runtime checks (``proofs/runtime.py``) agree with the Z3 invariants:
each seeded fault's counterexample (the trace BMC found on the faulty
encoding, ``proofs/vectors/counterexamples.json``), replayed on the model
carrying the same fault (``proofs/faulty.py``), trips the runtime check of the
very invariant Z3 found falsified, and the reference model's replay trips
none; and on the reachable states of the committed vectors and the random
walks, where Z3 proves every invariant, every runtime check holds."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from mhhs_sec.conformance.protocol import EventRejected
from mhhs_sec.conformance.reference import ReferenceImplementation
from mhhs_sec.generate.synthetic_meter import SYNTHETIC
from mhhs_sec.model import (
    AdvanceClock,
    InvalidEvent,
    ScheduleSpec,
    ServiceRequest,
    State,
    SubmitRequest,
    machine,
    schedules,
    step,
)
from mhhs_sec.model.clock import day_start
from mhhs_sec.model.events import Event
from mhhs_sec.model.registration import ONE_DAY
from mhhs_sec.model.world import DEVICES_A, MDR_OUT, standard_world
from mhhs_sec.proofs import OBLIGATIONS
from mhhs_sec.proofs.agreement import ObligationEvaluator
from mhhs_sec.proofs.concrete import (
    SLOTS,
    Frame,
    Values,
    abstract_event,
    abstract_output,
    abstract_state,
    alt_of,
    profile_of,
    setup,
)
from mhhs_sec.proofs.faulty import PATCHES
from mhhs_sec.proofs.runtime import CHECKS, Monitor, checking
from mhhs_sec.proofs.runtime_run import self_check
from mhhs_sec.vectors import load_vectors
from mhhs_sec.vectors.loader import JSON_DIR

from mhhs_sec import cli
from mhhs_sec.commands import rules
from mhhs_sec.settings import RUNTIME_CHECKS_ENV

from .test_agreement import FIRST, LAST, _advance, _load, _read_watched, _request, _schedule, frames

COUNTEREXAMPLES = Path(__file__).resolve().parents[2] / "proofs" / "vectors" / "counterexamples.json"
VECTORS: list[dict[str, Any]] = json.loads(COUNTEREXAMPLES.read_text(encoding="utf-8"))["vectors"]


def _falsified(vector: dict[str, Any]) -> tuple[str, str]:
    """The invariant and the seeded fault a counterexample vector is for."""
    fault = next(t.removeprefix("fault:") for t in vector["tags"] if t.startswith("fault:"))
    slug = {o.name: "proofs." + o.name.replace("[", ".").rstrip("]") + "." for o in OBLIGATIONS}
    return next(name for name, prefix in slug.items() if vector["id"] == prefix + fault), fault


def _violations(vector: dict[str, Any]) -> set[str]:
    monitor = Monitor(strict=False)
    reference = ReferenceImplementation()
    with checking(monitor):
        reference.reset(vector["initial_state"])
        for item in vector["steps"]:
            with contextlib.suppress(EventRejected):
                reference.step(item["event"])
    return {name for name, _ in monitor.broken}


def test_every_obligation_has_runtime_checks() -> None:
    assert {o.name for o in OBLIGATIONS} == set(CHECKS) and all(CHECKS.values())


@pytest.mark.req("REG-4", "C-5", "C-7", "C-6", "SCH-3", "AC-1", "FS-2", "TRT-2", "TRT-3", "REG-5")
@pytest.mark.parametrize("vector", VECTORS, ids=[v["id"] for v in VECTORS])
def test_a_counterexample_trips_the_runtime_check_of_the_invariant_it_falsifies(vector: dict[str, Any]) -> None:
    invariant, fault = _falsified(vector)
    assert _violations(vector) == set()  # the reference model
    with PATCHES[fault]():
        assert invariant in _violations(vector)


@pytest.mark.req("REG-4", "C-5", "C-7", "C-6", "SCH-3")
def test_every_runtime_check_holds_on_the_committed_vectors_and_the_random_walks() -> None:
    figures = self_check()
    assert figures.vectors == len(load_vectors(JSON_DIR, strict=False)), "every committed vector is run"
    assert figures.walks > 100 and figures.steps > figures.vectors


# ---- the Z3 form and the runtime check on the same concrete steps -----------------

EVALUATOR: list[ObligationEvaluator] = []  # built once, on first use


def _evaluator() -> ObligationEvaluator:
    if not EVALUATOR:
        EVALUATOR.append(ObligationEvaluator(FIRST, LAST))
    return EVALUATOR[0]


def _with_ghosts(values: Values, state: State, monitor: Monitor) -> Values:
    """The abstract state with its ghosts: when each schedule was created (the
    older in slot 0, proofs/schedules.py)."""
    ordered = sorted(state.schedules.values(), key=lambda s: s.schedule_id)
    for prefix, schedule in zip(SLOTS, ordered, strict=False):
        values = {**values, f"{prefix}created": monitor.creation(schedule)}
    return values


def _next_event(data: st.DataObject, state: State, frame: Frame, n: int) -> Event | None:
    choice = data.draw(st.sampled_from(["submit", "submit", "advance", "advance", "load", "schedule", "read"]))
    if choice == "schedule":
        return _schedule(state, frame, n)
    if choice == "read":
        return _read_watched(data.draw, state, frame, n)
    if choice == "submit":
        return _request(data.draw, state, frame, n)
    return _advance(data.draw, state) if choice == "advance" else _load(data.draw, state, frame)


def _walk(data: st.DataObject) -> list[tuple[str, set[str], set[str]]]:
    """One walk of the abstraction's world: per step, the obligations whose Z3
    form is false of it and those whose runtime check flags it."""
    frame, alt, now, a_etd, b_efd = data.draw(frames())
    state, _ = setup(frame, profile_of(alt), now, a_etd, b_efd)
    monitor, seen = Monitor(strict=False), []
    monitor.seen(state, state.now)
    for n in range(8):
        event = _next_event(data, state, frame, n)
        if event is None:
            continue
        before, refused = len(monitor.broken), False
        try:
            with checking(monitor):
                post, outputs = step(state, event)
        except InvalidEvent:
            post, outputs, refused = state, (), True
        if len(post.pending) > 1:
            continue  # the abstraction queues one piece of work (proofs/README.md, "Queued work")
        flagged = {name for name, _ in monitor.broken[before:]}
        out = abstract_output(frame, state, outputs, refused)
        if out["scheduled"]:  # the schedule that ran: the one whose next run moved on
            ran = [s for s in state.schedules.values() if post.schedules.get(s.schedule_id) != s]
            out["sched_created"] = next(monitor.creation(s) for s in ran or state.schedules.values())
        pre, after = (
            _with_ghosts(abstract_state(frame, state), state, monitor),
            _with_ghosts(abstract_state(frame, post), post, monitor),
        )
        false = _evaluator().falsified(frame, alt_of(state.profile), pre, abstract_event(frame, event), after, out)
        seen.append((f"{type(event).__name__} {pre} {abstract_event(frame, event)} {out}", false, flagged))
        state = post
    return seen


@pytest.mark.req("REG-4", "C-5", "C-7", "C-6", "SCH-3", "AC-1", "FS-2", "TRT-2", "TRT-3", "REG-5")
def test_the_z3_form_and_the_runtime_check_agree_on_reachable_steps() -> None:
    """Random walks of the abstraction's world (those of the step agreement
    test): on every step, each obligation's Z3 form evaluated on the concrete
    values and its runtime check give the same verdict: it holds.  (Where a
    seeded fault falsifies the Z3 form, the counterexample test above shows
    the runtime check failing too.)"""
    steps: list[int] = []

    @settings(max_examples=15, deadline=None, derandomize=True, database=None, phases=[Phase.generate],
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])  # fmt: skip
    @given(st.data())
    def walks(data: st.DataObject) -> None:
        seen = _walk(data)
        steps.append(len(seen))
        for what, false, flagged in seen:
            assert false == flagged == set(), f"{what}: Z3 form false of {false}, runtime check flags {flagged}"

    walks()
    assert sum(steps) > 60, steps


@pytest.mark.req("REG-4", "C-5")
def test_the_environment_flag_runs_any_command_under_the_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    installed: list[int] = []
    monkeypatch.setattr(rules, "run", lambda args: installed.append(len(machine.OBSERVERS)) or 0)
    assert cli.main(["rules"]) == 0
    monkeypatch.setenv(RUNTIME_CHECKS_ENV, "1")
    assert cli.main(["rules"]) == 0
    assert installed == [0, 1] and not machine.OBSERVERS  # installed for the command only


@pytest.mark.req("SCH-3")
def test_a_schedule_held_before_the_checked_run_is_checked_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """A schedule the outgoing MDRA held when checking began (an initial
    state's, say) was created then or before: kept past the incoming EFD by a
    faulty model, the SCH-3 check flags it."""
    change = dt.date(2025, 6, 12)
    state = standard_world(day_start(change - ONE_DAY) + 9 * 3600, change, source=SYNTHETIC)
    spec = ScheduleSpec("4.8.1", state.today)
    create = ServiceRequest("R1", MDR_OUT, "MDR", "5.1", DEVICES_A.s1_esme, True, schedule=spec)
    state, _ = step(state, SubmitRequest(create))  # before any check is installed
    assert state.schedules, "SCH-1: the outgoing MDRA's 5.1 was refused"
    monkeypatch.setattr(schedules, "on_mdra_change", lambda state, mpan, outgoing, at: (state, ()))
    monitor = Monitor(strict=False)
    with checking(monitor):
        step(state, AdvanceClock(day_start(change) + 3600))
    assert any(name == "outgoing-schedules-end-at-efd" for name, _ in monitor.broken), monitor.broken
