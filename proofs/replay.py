"""Counterexample replay: a BMC trace becomes concrete model
events; the Python model (with the same seeded fault applied, see
:mod:`.faulty`) replays them, step by step equal to the trace on everything the
encoding observes, and shows the same violation; replayed on the reference
model the same events show the invariant holding.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import z3
from mhhs_sec.model import InvalidEvent, step
from mhhs_sec.model.events import Event
from mhhs_sec.model.outputs import Output
from mhhs_sec.model.state import State

from .concrete import (
    GHOSTS,
    Frame,
    Values,
    abstract_output,
    abstract_state,
    comparable_output,
    comparable_state,
    concrete_event,
    profile_of,
    setup,
)
from .faulty import PATCHES
from .inputs import reference_inputs
from .obligations import Obligation
from .solve import QUERY_RLIMIT, Trace, _spans, stopped
from .symbolic import Ctx, SymEvent, SymOut, SymState


@dataclass
class Replay:
    """The concrete run of a trace."""

    frame: Frame
    initial: State
    setup_events: list[Event]
    events: list[Event]
    outputs: list[tuple[Output, ...]] = field(default_factory=list)
    refusals: list[tuple[str, str] | None] = field(default_factory=list)  # (field, requirement) of a refused event
    mismatches: list[str] = field(default_factory=list)
    violated: bool = False
    final: State | None = None

    @property
    def agrees(self) -> bool:
        return not self.mismatches


def replay(trace: Trace, obligation: Obligation, fault: str | None = None) -> Replay:
    """Run ``trace`` on the model (with ``fault`` patched in, if given)."""
    frame = Frame.from_rigid(trace.rigid)
    init = trace.initial
    state, built = setup(frame, profile_of(trace.profile), int(init["now"]), int(init["a_etd"]), int(init["b_efd"]))
    events = [concrete_event(frame, s.event, n) for n, s in enumerate(trace.steps, 1)]
    result = Replay(frame, state, built, events)
    patch = PATCHES[fault]() if fault else contextlib.nullcontext()
    pre_values = dict(init)
    with patch:
        for n, (event, expected) in enumerate(zip(events, trace.steps, strict=True), 1):
            try:
                post, outputs = step(state, event)
                refused = False
                result.refusals.append(None)
            except InvalidEvent as error:
                post, outputs, refused = state, (), True
                result.refusals.append((error.field, error.requirement))
            result.outputs.append(outputs)
            got_state = abstract_state(frame, post)
            got_out = abstract_output(frame, state, outputs, refused)
            _compare(result, n, comparable_state(expected.state), comparable_state(got_state), "state")
            _compare(result, n, comparable_output(expected.output), comparable_output(got_out), "output")
            # ghosts come from the trace
            for ghost in (*GHOSTS, "c_read"):
                got_state[ghost] = expected.state[ghost]
            got_out["sched_created"] = expected.output["sched_created"]
            if _violates(trace, obligation, pre_values, expected.event, got_out, got_state):
                result.violated = True
            pre_values, state = got_state, post
    result.final = state
    return result


def _compare(result: Replay, n: int, want: Values, got: Values, what: str) -> None:
    if want != got:
        diff = {k: (want.get(k), got.get(k)) for k in sorted(set(want) | set(got)) if want.get(k) != got.get(k)}
        result.mismatches.append(f"step {n} {what}: trace vs model {diff}")


def _violates(trace: Trace, ob: Obligation, pre: Values, event: Values, out: Values, post: Values) -> bool:
    """Does the obligation fail on these concrete values (reference encoding for
    any relational part, the real calendar)?"""
    ctx = Ctx(reference_inputs(), bst_spans=_spans(trace.bst_days))
    s, e, o, s2 = (SymState.fresh(ctx, "p"), SymEvent.fresh(ctx, "e"), SymOut.fresh(ctx, "o"),
                   SymState.fresh(ctx, "q"))  # fmt: skip
    solver = z3.Solver()
    solver.set("rlimit", QUERY_RLIMIT)
    bad = z3.Not(ob.holds(ctx, s, e, o, s2))
    fixed = [getattr(r, k) == v for r, vals in ((s, pre), (e, event), (o, out), (s2, post)) for k, v in vals.items()]
    rigid = trace.rigid
    fixed += [ctx.gen == rigid["gen"], ctx.kind == rigid["kind"], ctx.comm == rigid["comm"],
              ctx.first == rigid["first"], ctx.srv_w == rigid["srv_w"], ctx.ts_w == rigid["ts_w"]]  # fmt: skip
    fixed += [ctx.alt[k] == v for k, v in trace.profile.items()]
    solver.add(*ctx.defs, *fixed, bad)
    result = solver.check()
    if result == z3.unknown:
        raise RuntimeError(f"replay: checking {ob.name} on concrete values {stopped(solver, QUERY_RLIMIT)}")
    return bool(result == z3.sat)
