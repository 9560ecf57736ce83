"""A vector told in words (``mhhs-sec show``, the failure reports): its
primary requirement with the registry's one-line statement, the initial state
(clock, profile, registrations, the devices the steps address, DSP
Schedules), each step's event, numbered from 1, and why each output is
expected."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Final

from mhhs_sec.model.profile import PROFILE_OPTIONS, Profile

Json = dict[str, Any]


def statement(requirement: str) -> str:
    """The registry's one-line statement of a requirement ('' if unknown)."""
    from mhhs_sec.requirements import REQUIREMENTS

    found = REQUIREMENTS.get(requirement)
    return found.meaning if found else ""


def requirement_text(requirement: str) -> str:
    """'C-5: Cached data is held at most 25 h ...' (the ID and its statement)."""
    text = statement(requirement)
    return f"{requirement}: {text}" if text else requirement


def duration(seconds: int) -> str:
    """'25 h 0 min 1 s', '3 h', '59 min 59 s' (hours are never folded into days:
    the SEC's limits are in hours)."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours} h"] if hours else []
    if minutes or (hours and secs):
        parts.append(f"{minutes} min")
    if secs:
        parts.append(f"{secs} s")
    return " ".join(parts) or "0 s"


def _seconds(instant: str) -> int:
    from mhhs_sec.model.clock import parse_instant

    return int(parse_instant(instant))


def profile_text(profile: Json) -> str:
    """The options that differ from the catalogue defaults, with their rows."""
    default = Profile().as_dict()
    changed = [
        f"{PROFILE_OPTIONS[name][0]} {name}={value}"
        for name, value in sorted(profile.items())
        if name in default and default[name] != value
    ]
    return "the catalogue defaults" + (f" except {', '.join(changed)}" if changed else "")


def _appointments(kind: str, appointments: list[Json]) -> str:
    spans = [
        f"{a['party']} from {a['efd']}" + (f" to {a['etd']}" if a.get("etd") else "")
        for a in appointments
    ]  # fmt: skip
    return f"{kind} {', then '.join(spans)}"


def _addressed(steps: Iterable[Any]) -> set[str]:
    found = set()
    for step in steps:
        event = step.event
        if not isinstance(event, dict):  # malformed input (a refused step) addresses no device
            continue
        request = event.get("request")
        found.add(str(event.get("device_id", "")))
        found.add(str(request.get("device_id", "")) if isinstance(request, dict) else "")
    return found - {""}


def inputs(vector: Any) -> list[str]:
    """The vector's initial state in words, one line per part; an initial
    state the protocol cannot read (one a vector expects refused) as its JSON."""
    try:
        return _inputs(vector)
    except (AttributeError, KeyError, TypeError, ValueError):
        return [f"malformed initial state: {json.dumps(vector.initial_state, sort_keys=True)}"]


def _inputs(vector: Any) -> list[str]:
    state = vector.initial_state
    lines = [f"clock {state['clock']}; profile: {profile_text(state.get('profile', {}))}"]
    for registration in state.get("registrations", []):
        lines.append(
            f"MPAN {registration['mpan']}: {_appointments('Supplier', registration['suppliers'])}; "
            f"{_appointments('MDRA', registration['mdras'])}"
        )
    addressed = _addressed(vector.steps)
    devices = [d for d in state.get("devices", []) if d["device_id"] in addressed]
    lines += [f"device {d['device_id']}: {d['generation']} {d['kind']} on MPAN {d['mpan']}" for d in devices]
    others = len(state.get("devices", [])) - len(devices)
    if others:
        lines.append(f"{others} other device(s) the steps do not address")
    lines += [_schedule(s) for s in state.get("schedules", [])] or ["no DSP Schedule"]
    return lines


def _schedule(schedule: Json) -> str:
    end = f" to {schedule['end_day']}" if schedule.get("end_day") else ""
    return (
        f"DSP Schedule {schedule['schedule_id']}: {schedule['srv']} of {schedule['device_id']} for "
        f"{schedule['owner']} as {schedule['role']}, from {schedule['start_day']}{end}, next run {schedule['next_run']}"
    )


def _flag(value: object) -> str:
    if value is None:
        return "no ForSettlement flag"
    return "ForSettlement" if value else "ForSettlement = false"


def event_text(event: Json, clock: str | None = None) -> str:
    """One event in words; ``clock``: the instant before it (for a clock move).
    Malformed input (a refused step's event the protocol cannot read) is shown as its JSON."""
    try:
        return _event_text(event, clock)
    except (AttributeError, KeyError, TypeError, ValueError):
        return f"malformed input: {json.dumps(event, sort_keys=True)}"


def _event_text(event: Json, clock: str | None) -> str:
    kind = event.get("event")
    if kind == "submit":
        request = event["request"]
        text = f"{request['user_id']} as {request['role']} sends {request['srv']}"
        if request.get("device_id"):
            text += f" to {request['device_id']}"
        if request.get("period"):
            text += f", period {request['period']['start']} to {request['period']['end']}"
        extra = [f"{k} {v}" for k, v in sorted(request.items()) if k not in _SHOWN and v not in (None, "", [])]
        return f"{text}, {_flag(request.get('for_settlement'))}" + (f" ({'; '.join(extra)})" if extra else "")
    if kind == "advance_clock":
        moved = f" (+{duration(_seconds(event['to']) - _seconds(clock))})" if clock else ""
        return f"the clock moves to {event['to']}{moved}"
    return _OTHER_EVENTS.get(str(kind), lambda e: f"{kind}: {e}")(event)


_SHOWN: Final = frozenset({"request_id", "user_id", "role", "srv", "device_id", "period", "for_settlement"})
_OTHER_EVENTS: Final = {
    "set_user": lambda e: f"user {e['user_id']} now holds {', '.join(e['roles'])}",
    "load_registration": lambda e: (
        f"registration of MPAN {e['mpan']} loaded: "
        f"{_appointments('Supplier', e['suppliers'])}; {_appointments('MDRA', e['mdras'])}"
    ),
    "load_device": lambda e: f"device {e['device_id']} ({e['generation']} {e['kind']}) installed on MPAN {e['mpan']}",
    "restrict_device": lambda e: f"a change-of-tenancy restriction on {e['device_id']} (C-8)",
    "set_device_comms": lambda e: f"{e['device_id']} goes {'online' if e['online'] else 'offline'}",
    "read_audit_trail": lambda e: f"{e['user_id']} reads its Service Audit Trail",
}


def clocks(vector: Any) -> list[str]:
    """The instant before each step (the clock events move it)."""
    now = vector.initial_state["clock"]
    found = []
    for step in vector.steps:
        found.append(now)
        if isinstance(step.event, dict) and step.event.get("event") == "advance_clock" and not step.refused:
            now = step.event["to"]
    return found


def expected_lines(step: Any) -> list[str]:
    """Each expected output with why, and the other answers that also conform."""
    if step.refused is not None:
        return [f"refused as invalid input ({step.refused.get('requirement')}), the state kept"]
    lines = []
    for expected in step.expected:
        lines.append(f"{expected.why} [{', '.join(expected.requirements)}]")
        lines += [f"  or {a['code']}: {a.get('why', '')}" for a in expected.acceptable]
    return lines or ["no output"]


def tell(vector: Any) -> str:
    """``mhhs-sec show``: the story of a vector in words."""
    lines = [
        vector.id,
        f"  what it checks: {vector.comment}",
        f"  primary requirement: {requirement_text(vector.primary_requirement)}",
        f"  also cites: {', '.join(r for r in vector.requirements if r != vector.primary_requirement) or '-'}",
        f"  observables: {', '.join(vector.observables)}",
    ]
    if vector.profile.requires:
        needs = ", ".join(f"{k}={v}" for k, v in sorted(vector.profile.requires.items()))
        lines.append(f"  needs the profile options: {needs} (another value skips it)")
    lines.append("  initial state:")
    lines += [f"    {line}" for line in inputs(vector)]
    refused = getattr(vector, "reset_refused", None)
    if refused is not None:
        lines.append(f"  reset: refused as invalid input ({refused.get('requirement')}): {refused.get('why')}; "
                     "the state kept, no step follows")  # fmt: skip
    for number, (step, clock) in enumerate(zip(vector.steps, clocks(vector), strict=True), start=1):
        lines.append(f"  step {number}: {event_text(step.event, clock)}")
        if step.comment:
            lines.append(f"    note: {step.comment}")
        lines += [f"    expected: {line}" for line in expected_lines(step)]
    return "\n".join(lines)
