"""Counterexamples as conformance vectors (``docs/vector-format.md``): for each
invariant and each seeded fault that breaks it, the trace BMC found, with the
outputs the *reference* model gives.  An implementation carrying that fault
fails the vector; the reference passes it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from mhhs_sec.generate.device_data import with_device_data
from mhhs_sec.model import InvalidEvent, State, step, world
from mhhs_sec.model.codec import encode_output
from mhhs_sec.model.entities import ReadLogPeriod, ServiceRequest
from mhhs_sec.model.events import AdvanceClock, Event, SubmitRequest
from mhhs_sec.model.outputs import Output, Response
from mhhs_sec.model.profile import PROFILE_OPTIONS
from mhhs_sec.model.rules import role_may_send
from mhhs_sec.model.tables import CACHE, SRVS
from mhhs_sec.vectors.format import model_revision
from mhhs_sec.vectors.jsonform import encode_event, encode_state

from mhhs_sec.files import write_atomic

from .concrete import EVENT_CHAIN, Frame, concrete_event, profile_of, setup
from .obligations import OBLIGATIONS, Obligation
from .replay import Replay, replay
from .run import Result
from .solve import Trace
from .symbolic import LOADREG, PARAM_OPTIONS

OBSERVABLES = ["response-code", "entries", "entry-values", "trt", "alerts"]


def vector_id(ob: Obligation, fault: str) -> str:
    text = re.sub(r"[^a-z0-9._-]+", ".", f"proofs.{ob.name}.{fault}".lower())
    return re.sub(r"\.{2,}", ".", text).strip(".")


def _outcome(outputs: list[tuple[Any, ...]], refusals: list[tuple[str, str] | None]) -> str:
    parts = []
    for produced, refused in zip(outputs, refusals, strict=True):
        codes = [o.code if hasattr(o, "code") else type(o).__name__ for o in produced]
        parts.append("refused" if refused else (",".join(codes) or "-"))
    return " | ".join(parts)


def _run(trace: Trace, alt: dict[str, bool]) -> tuple[list[tuple[Any, ...]], list[tuple[str, str] | None]]:
    """The trace on the reference model under profile ``alt``; an ETD flip keeps
    the same appointment days (REG-12)."""
    frame = Frame.from_rigid(trace.rigid)
    init = trace.initial
    shift = 0 if alt["etd"] == trace.profile["etd"] else (1 if alt["etd"] else -1)
    state, _ = setup(frame, profile_of(alt), int(init["now"]), int(init["a_etd"]) + shift, int(init["b_efd"]))
    outputs: list[tuple[Any, ...]] = []
    refusals: list[tuple[str, str] | None] = []
    for n, s in enumerate(trace.steps, 1):
        event = dict(s.event)
        if event["kind"] == LOADREG:
            for etd in EVENT_CHAIN[3]:  # every ETD of the chain (chain.py)
                event[etd] = int(event[etd]) + shift
        try:
            state, produced = step(state, concrete_event(frame, event, n))
            outputs.append(produced)
            refusals.append(None)
        except InvalidEvent as error:
            outputs.append(())
            refusals.append((error.field, error.requirement))
    return outputs, refusals


def _profile(trace: Trace, reference: Replay) -> dict[str, Any]:
    """Options whose other value changes the outcome (re-run on the model)."""
    base = _outcome(reference.outputs, reference.refusals)
    requires: dict[str, Any] = {}
    alternatives = []
    for option in PARAM_OPTIONS:
        flipped = {**trace.profile, option: not trace.profile[option]}
        outcome = _outcome(*_run(trace, flipped))
        if outcome != base:
            values = PROFILE_OPTIONS[option][1]
            requires[option] = values[1 if trace.profile[option] else 0]
            other = values[1 if flipped[option] else 0]
            alternatives.append({"option": option, "requirement": PROFILE_OPTIONS[option][0], "value": other,
                                 "outcome": outcome, "vector": None})  # fmt: skip
    return {"requires": requires, "alternatives": alternatives}


PROBES = ((world.NETWORK_OPERATOR, "ED"), (world.OTHER_USER, "OU"), (world.SUPPLIER, "IS"), (world.SUPPLIER, "ES"))


def _expiry(trace: Trace, state: State) -> tuple[Event, tuple[Output, ...], State] | None:
    """C-5: when the trace ends holding an entry whose retrieval instant is not
    the instant the device was read for it (the ghost ``c_read``), the clock
    advanced to where that entry has expired counted from the device read (C-11
    option), so the probe after it shows whether the cache still holds it
    (none when the trace ends past that instant already)."""
    last = trace.steps[-1].state
    if not last["c_on"] or last["c_at"] == last["c_read"]:
        return None
    expired = int(last["c_read"]) + CACHE.max_age_s + (1 if trace.profile["cache_boundary"] else 0)
    if expired < state.now:
        return None
    event = AdvanceClock(expired)
    after, produced = step(state, event)
    return event, produced, after


def _probe(frame: Frame, state: State, n: int) -> tuple[Event, tuple[Output, ...]] | None:
    """C-9: a party the reference answers reads just the watched entry; whether
    the device is asked shows what the cache holds."""
    if not SRVS[frame.srv_w].read_log_period:
        return None
    for user, role in PROBES:
        if not role_may_send(role, frame.srv_w):
            continue
        request = ServiceRequest(f"P{n}", user, role, frame.srv_w, frame.device.device_id, False,
                                 ReadLogPeriod(frame.ts_w, frame.ts_w))  # fmt: skip
        event = SubmitRequest(request)
        try:
            _, produced = step(state, event)
        except InvalidEvent:
            continue
        if not any(isinstance(o, Response) and o.code == "I0" for o in produced):
            continue
        return event, produced
    return None


def _probe_step(event: Event, produced: tuple[Output, ...]) -> dict[str, Any]:
    expected = [{"output": encode_output(o), "requirements": ["C-9", "C-4"],
                 "why": "probe: a read of the watched entry alone (device asked unless it is cached)"}
                for o in produced]  # fmt: skip
    return {"event": encode_event(event), "expected": expected, "comment": "probe of the cache (C-9)"}


def _carried(reference: Replay, events: list[Event], outputs: list[tuple[Output, ...]]) -> State:
    """The initial state carrying the device data the vector reaches
    (:mod:`mhhs_sec.generate.device_data`), checked to give the reference's outputs."""
    state = with_device_data(reference.initial, events, outputs)
    replayed = state
    for event, produced in zip(events, outputs, strict=True):
        try:
            replayed, again = step(replayed, event)
        except InvalidEvent:
            again = ()
        if again != produced:
            raise AssertionError(f"device data does not reproduce the reference's outputs at {event!r}")
    return state


def _expected_step(event: Event, produced: tuple[Output, ...], ob: Obligation, fault: str) -> dict[str, Any]:
    expected = [{"output": encode_output(o), "requirements": list(ob.requirements),
                 "why": f"reference model; the '{fault}' fault answers otherwise"} for o in produced]  # fmt: skip
    return {"event": encode_event(event), "expected": expected}


def counterexample_vector(ob: Obligation, fault: str, trace: Trace) -> dict[str, Any]:
    reference = replay(trace, ob, None)
    steps = []
    tags = {"proofs", "counterexample", f"fault:{fault}"}
    for event, produced, refused in zip(reference.events, reference.outputs, reference.refusals, strict=True):
        entry = _expected_step(event, produced, ob, fault)
        if refused:
            entry["refused"] = {"field": refused[0], "requirement": refused[1]}
        tags.update(i for o in produced if isinstance(o, Response) for i in o.interp)
        steps.append(entry)
    observables = OBSERVABLES + (["refusal"] if any(reference.refusals) else [])
    events, outputs = list(reference.events), list(reference.outputs)
    if any(req.startswith("C-") for req in ob.requirements):
        final = reference.final
        assert final is not None
        expiry = _expiry(trace, final)
        if expiry is not None:
            steps.append(_expected_step(expiry[0], expiry[1], ob, fault))
            events.append(expiry[0])
            outputs.append(expiry[1])
            final = expiry[2]
        probe = _probe(reference.frame, final, len(steps) + 1)
        if probe is not None:
            steps.append(_probe_step(*probe))
            observables.append("device-read")
            events.append(probe[0])
            outputs.append(probe[1])
    return {
        "id": vector_id(ob, fault),
        "primary_requirement": ob.requirements[0],  # the rule the invariant proves
        "requirements": list(ob.requirements),
        "profile": _profile(trace, reference),
        "observables": observables,
        "comment": f"{ob.name}: counterexample trace of seeded fault {fault}; the reference answers shown",
        "tags": sorted(tags),
        "initial_state": encode_state(_carried(reference, events, outputs)),
        "steps": steps,
    }


def document(results: list[Result]) -> dict[str, Any]:
    """The vector file of every (invariant, fault) counterexample found."""
    order = {ob.name: ob for ob in OBLIGATIONS}
    vectors = [
        counterexample_vector(order[r.name], fault, r.mutant_traces[fault]) for r in results for fault in r.falsified_by
    ]
    return {
        "format": "mhhs-sec-vectors",
        "format_version": 1,
        "generator": {"name": "mhhs_sec.proofs", "version": "1.0.0"},
        "model_revision": model_revision(),
        "provenance": {
            "generator": "targeted",
            "group": "proofs.counterexamples",
            "description": "BMC counterexamples of the Z3 invariants under seeded faults (mhhs-sec prove "
            "--mutants); expected outputs are the reference model's",
            "seed": None,
            "source": "mhhs_sec.proofs",
        },  # fmt: skip
        "vectors": sorted(vectors, key=lambda v: v["id"]),
    }


def write(path: Path, data: dict[str, Any]) -> None:
    """Write canonical JSON atomically (temp file, then rename)."""
    write_atomic(path, json.dumps(data, indent=1, sort_keys=True) + "\n")
