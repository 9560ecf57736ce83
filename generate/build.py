"""Turning a case (initial state + events) into a vector: the expected outputs
come from running the reference model, never from a hand-written table.

:func:`build_vector` runs the model, writes one ``why`` per expected output,
finds which profile options the outcome depends on by re-running the case
under each alternative value (the options an outcome depends on are exactly
those whose alternative changes an observed output), and records the
alternative outcomes (REG-8, REG-11, REG-12, AC-4, FS-5, SCH-3, SCH-6, C-11).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache, partial
from typing import Any, Protocol

from mhhs_sec.model import CODES, Event, InvalidEvent, Profile, State, step
from mhhs_sec.model.codec import decode_event, decode_state, encode_output
from mhhs_sec.model.events import SubmitRequest
from mhhs_sec.model.outputs import Acknowledgement, Alert, AuditExtract, Output, Response
from mhhs_sec.model.profile import PROFILE_OPTIONS
from mhhs_sec.vectors.compare import compare
from mhhs_sec.vectors.jsonform import encode_event, encode_state

from . import acceptable
from .device_data import synthetic, with_device_data

Json = dict[str, Any]


@dataclass(frozen=True)
class Malformed:
    """A step's event as JSON that the adapter protocol refuses while reading
    it (a field of the wrong type, an unknown key, a role or SRV outside the
    schema's lists): written as given, never as a model event encodes."""

    data: Any


Step = Event | Malformed


def read_step(data: Any) -> Step:
    """A vector step's event: the model event it decodes to, or (an event the
    codec refuses, which only a refused step may carry) :class:`Malformed`."""
    try:
        return decode_event(data)
    except InvalidEvent:
        return Malformed(data)


@dataclass(frozen=True)
class Case:
    """What a generator decides: where to start, what to do, what it checks.

    ``refuse_at``: index of a step whose event the model must refuse (REG-5
    and other typed errors); the case ends with the state left unchanged.
    ``primary``: the one requirement the case was built to check (default:
    the first of ``requirements``); the others are context."""

    id: str
    comment: str
    requirements: tuple[str, ...]
    state: State
    events: tuple[Step, ...]
    observables: tuple[str, ...] = ("response-code",)
    tags: tuple[str, ...] = ()
    coverage: Json = field(default_factory=dict)
    step_comments: tuple[str, ...] = ()
    primary: str = ""

    @property
    def primary_requirement(self) -> str:
        return self.primary or self.requirements[0]


class CaseError(ValueError):
    """A generator produced a case the model refuses where it should not."""


def run_case(state: State, events: Sequence[Step]) -> list[tuple[Output, ...] | InvalidEvent]:
    """Outputs of each step; a refused event yields its error and leaves the state."""
    results: list[tuple[Output, ...] | InvalidEvent] = []
    for event in events:
        try:
            state, outputs = step(state, decode_event(event.data) if isinstance(event, Malformed) else event)
        except InvalidEvent as error:
            results.append(error)
            continue
        results.append(outputs)
    return results


def why(output: Output) -> str:
    """One line, in the SEC's words: why the model expects this output."""
    match output:
        case Response(code="I0"):
            what = f"I0: answered ({output.mode})"
            if output.entries or output.srv.startswith("4."):
                count = f"{len(output.entries)} entr{'y' if len(output.entries) == 1 else 'ies'}"
                source = "read from the device" if output.device_read else "from the S1SP cache, the device not read"
                what += f", {count} {source}"
            if output.schedule_ids:
                what += f", DSP Schedule(s) {', '.join(map(str, output.schedule_ids))}"
            if output.trt_s is not None:
                what += f"; TRT {output.trt_s} s"
            return what
        case Response():
            return f"{output.code} ({CODES.get(output.code, 'error')}): {output.reason}; no data disclosed"
        case Acknowledgement():
            return f"I99: accepted, to be executed at {output.execute_at} (held or future-dated, SCH-4)"
        case Alert():
            meaning = CODES.get(output.code, "alert")
            return f"{output.code} ({meaning}) to {output.recipient}, DSP Schedule {output.schedule_id}"
        case AuditExtract():
            return f"audit trail of {output.user_id}: {len(output.records)} record(s), its own only (AUD-2)"
    return "model output"


def output_requirements(output: Output, case: Case) -> tuple[str, ...]:
    """The IDs an expected output checks: the model's own, else the case's."""
    own: tuple[str, ...] = getattr(output, "requirements", ())
    if isinstance(output, Acknowledgement):
        own = ("SCH-4",)
    elif isinstance(output, AuditExtract):
        own = ("AUD-1", "AUD-2")
    return tuple(dict.fromkeys(own or case.requirements))


# REG-12: the ETD reading decides whether a registration is valid (REG-5), so
# an initial state is re-read (and re-validated) under another ETD option.
VALIDATING_OPTIONS = frozenset({"etd"})


def _fresh(state: State) -> bool:
    """An initial state: no cache, no queued work, no audit trail, no outage."""
    return not (state.cache or state.pending or state.audit or state.offline or state.restrictions)


@cache
def model_options() -> tuple[str, ...]:
    """The profile options the model's code reads (attribute or tag use outside
    profile.py); an option it never reads cannot change an outcome."""
    from mhhs_sec.vectors.format import model_files

    sources = "\n".join(p.read_text(encoding="utf-8") for p in model_files() if p.name != "profile.py")
    return tuple(
        name for name in PROFILE_OPTIONS
        if re.search(rf"\.{name}\b", sources) or f'"{name}"' in sources
    )  # fmt: skip


_ALTERNATIVES: dict[tuple[int, str, Any], tuple[State, State | InvalidEvent]] = {}


def _alternative_state(state: State, option: str, value: Any) -> State:
    """The same initial state (same JSON) read under another option value;
    cached per state object (generators share their starting states)."""
    profile = replace(state.profile, **{option: value})
    if option not in VALIDATING_OPTIONS and _fresh(state):
        # Nothing of a fresh initial state was validated under this option:
        # reading its JSON under the other value gives this very state.
        return replace(state, profile=profile)
    key = (id(state), option, value)
    hit = _ALTERNATIVES.get(key)
    if hit is None or hit[0] is not state:
        encoded = encode_state(state)
        encoded["profile"] = profile.as_dict()
        try:
            built: State | InvalidEvent = decode_state(encoded)
        except InvalidEvent as error:
            built = error
        if not isinstance(built, InvalidEvent):
            built = replace(built, device_data=state.device_data, device_source=state.device_source)
        if len(_ALTERNATIVES) > 20000:
            _ALTERNATIVES.clear()
        hit = _ALTERNATIVES[key] = (state, built)
    if isinstance(hit[1], InvalidEvent):
        raise hit[1]
    return hit[1]


def _summary(results: Sequence[tuple[Output, ...] | InvalidEvent]) -> str:
    parts = []
    for result in results:
        if isinstance(result, InvalidEvent):
            parts.append(f"refused({result.requirement})")
        else:
            parts.append(",".join(getattr(o, "code", None) or "audit_extract" for o in result) or "-")
    return " | ".join(parts)


def _differs(base: Sequence[Any], other: Sequence[Any], observables: Sequence[str]) -> bool:
    if len(base) != len(other):
        return True
    for a, b in zip(base, other, strict=True):
        if isinstance(a, InvalidEvent) or isinstance(b, InvalidEvent):
            if not (isinstance(a, InvalidEvent) and isinstance(b, InvalidEvent)):
                return True
            continue
        if a != b and compare(a, b, observables):
            return True
    return False


def profile_dependence(case: Case, base: Sequence[Any]) -> Json:
    """``requires`` / ``alternatives``: each option whose other value changes
    an observed outcome (or refuses the initial state) is required at its value."""
    requires: Json = {}
    alternatives: list[Json] = []
    current = case.state.profile
    for option in model_options():
        requirement, values = PROFILE_OPTIONS[option]
        for value in values:
            if value == getattr(current, option):
                continue
            try:
                other = run_case(_alternative_state(case.state, option, value), case.events)
                outcome = _summary(other)
            except InvalidEvent as error:
                other, outcome = [], f"initial state refused ({error.requirement})"
            if other and not _differs(base, other, case.observables):
                continue
            requires[option] = getattr(current, option)
            alternatives.append(
                {"option": option, "requirement": requirement, "value": value, "outcome": outcome, "vector": None}
            )
    return {"requires": requires, "alternatives": alternatives}


def _step_json(
    case: Case, index: int, event: Step, result: tuple[Output, ...] | InvalidEvent, acceptable: list[list[Json]]
) -> Json:
    if isinstance(event, Malformed) and not isinstance(result, InvalidEvent):
        raise CaseError(f"{case.id}: step {index + 1} is malformed input the model accepts")
    data: Json = {"event": event.data if isinstance(event, Malformed) else encode_event(event)}
    if isinstance(result, InvalidEvent):
        data["expected"] = []
        data["refused"] = {"field": result.field, "requirement": result.requirement}
    else:
        data["expected"] = [
            {"output": encode_output(o), "why": why(o), "requirements": list(output_requirements(o, case))}
            | ({"acceptable": others} if others else {})
            for o, others in zip(result, acceptable, strict=True)
        ]
    if index < len(case.step_comments) and case.step_comments[index]:
        data["comment"] = case.step_comments[index]
    return data


def _same(base: Sequence[Any], other: Sequence[Any]) -> bool:
    """The same outputs step by step (or both refused)."""
    return all(
        isinstance(a, InvalidEvent) and isinstance(b, InvalidEvent) or a == b for a, b in zip(base, other, strict=True)
    )


def _observables(case: Case) -> list[str]:
    """The case's observables; a vector that compares entries (which) also
    compares their values (``entry-values``)."""
    names = list(case.observables)
    if "entries" in names and "entry-values" not in names:
        names.insert(names.index("entries") + 1, "entry-values")
    return list(dict.fromkeys(names))


class Prebuilt(Protocol):
    """A case that builds its own vector (a refused initial state: no step runs)."""

    @property
    def id(self) -> str: ...

    def build(self) -> Json: ...


def build_vector(case: Case | Prebuilt) -> Json:
    """The vector JSON of a case: its devices log what the case can reach of
    the synthetic meter (``device_data``); the expected outputs are the model's
    reading that data (checked equal to the synthetic run's)."""
    if not isinstance(case, Case):
        return case.build()
    run = replace(case, state=synthetic(case.state), observables=tuple(_observables(case)))
    reached = run_case(run.state, case.events)
    read = [(e, r) for e, r in zip(case.events, reached, strict=True) if not isinstance(e, Malformed)]
    state = with_device_data(case.state, [e for e, _ in read], [r for _, r in read])  # malformed input reads nothing
    results = run_case(state, case.events)
    loaded = replace(run, state=state)
    if not _same(reached, results):
        raise CaseError(f"{case.id}: the device data does not reproduce the synthetic meter's run")
    tags = list(dict.fromkeys(case.tags))
    for result in results:
        for output in () if isinstance(result, InvalidEvent) else result:
            tags.extend(t for t in getattr(output, "interp", ()) if t not in tags)
    vector: Json = {
        "id": case.id,
        "primary_requirement": case.primary_requirement,
        "requirements": sorted({*case.requirements, case.primary_requirement}),
        "profile": profile_dependence(run, reached),
        "observables": _observables(case),
        "comment": case.comment,
        "tags": tags,
        "initial_state": encode_state(state),
        "steps": [
            _step_json(case, i, e, r, a)
            for i, (e, r, a) in enumerate(zip(case.events, results, _acceptable(loaded, results), strict=True))
        ],
    }
    if case.coverage:
        vector["coverage"] = case.coverage
    return vector


def _acceptable(case: Case, results: Sequence[tuple[Output, ...] | InvalidEvent]) -> list[list[list[Json]]]:
    """Each expected output's other conforming answers; AC-11: a case whose
    outcome another reading of the existing roles' access control changes
    beyond what they admit is refused (use entitled senders)."""
    roles = {e.request.role for e in case.events if isinstance(e, SubmitRequest)}
    run = partial(run_case, case.state, case.events)
    lists, problems = acceptable.acceptable_answers(run, results, roles, case.observables)
    if problems:
        raise CaseError(f"{case.id}: outcome depends on the existing roles' access (AC-11): {problems[0]}")
    return lists


def default_profile() -> Profile:
    return Profile()
