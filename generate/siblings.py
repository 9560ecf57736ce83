"""Sibling vectors: the same story under the other value of an interpretation
option the outcome depends on, so that an implementation running a
non-default profile has vectors too, and each vector's ``alternatives`` can
point at the vector holding the other outcome (REG-11, REG-12, AC-4, FS-5,
SCH-3, SCH-6, SCH-8, SCH-9, C-11, C-12, C-13, AUD-3).

REG-12 needs care: under the other ETD reading the same registration JSON
would leave a gap or an overlap (REG-5), so the sibling carries the same
appointments expressed in the other convention (every ETD moved by one day),
i.e. the same settlement days."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from copy import deepcopy
from typing import Any, Final

from mhhs_sec.model.codec import decode_state
from mhhs_sec.model.profile import PROFILE_OPTIONS

from .build import Case, read_step

Json = dict[str, Any]
# Options whose siblings are generated (settlement_tz shifts every instant of
# a story, so a UTC sibling is a different story: REG-8 has its own edges).
OPTIONS: Final = ("supplier_mhhs_via_mdr", "etd", "partial_period", "flag_violation", "schedules_on_mdra_change",
                  "on_demand_first", "cache_boundary", "retrieved_entries", "schedule_active", "mdr_window_scope",
                  "run_on_efd_reading_before", "audit_extract")  # fmt: skip
GROUPS: Final = ("boundary.mcdc", "boundary.registration", "class.", "negative.", "targeted.")


def _text(value: Any) -> str:
    return ("on" if value else "off") if isinstance(value, bool) else str(value)


def _shift_etds(initial_state: Json, days: int) -> Json:
    state = deepcopy(initial_state)
    for registration in state["registrations"]:
        for chain in ("suppliers", "mdras"):
            for appointment in registration[chain]:
                if appointment["etd"] is not None:
                    etd = dt.date.fromisoformat(appointment["etd"]) + dt.timedelta(days=days)
                    appointment["etd"] = etd.isoformat()
    return state


def outcome_summary(vector: Json) -> str:
    """The codes of a vector's expected outputs, step by step (the form of
    ``profile.alternatives[].outcome``)."""
    parts = []
    for step in vector["steps"]:
        if "refused" in step:
            parts.append(f"refused({step['refused']['requirement']})")
        else:
            parts.append(",".join(e["output"].get("code", e["output"]["type"]) for e in step["expected"]) or "-")
    return " | ".join(parts)


def signature(initial_state: Json, steps: list[Json]) -> str:
    """Identity of a story: initial state (with its profile) and events."""
    return json.dumps([initial_state, [s["event"] for s in steps]], sort_keys=True)


def sibling_state(vector: Json, option: str, value: Any) -> Json:
    """The initial-state JSON of the sibling under ``option=value``."""
    state: Json = deepcopy(vector["initial_state"])
    if option == "etd":
        current = state["profile"]["etd"]
        state = _shift_etds(state, 1 if value == "exclusive" and current == "inclusive" else -1)
    state["profile"][option] = value
    return state


def cases(vectors: Iterable[Json]) -> Iterator[Case]:
    """One sibling per (vector, required option) with no sibling yet."""
    vectors = list(vectors)
    existing = {v["id"] for v in vectors} | {signature(v["initial_state"], v["steps"]) for v in vectors}
    for vector in vectors:
        if not vector["id"].startswith(GROUPS):
            continue
        for alternative in vector["profile"]["alternatives"]:
            option, value = alternative["option"], alternative["value"]
            if option not in OPTIONS or alternative["vector"]:
                continue
            case_id = f"{vector['id']}.{option.replace('_', '-')}-{_text(value)}".lower()
            state_json = sibling_state(vector, option, value)
            if case_id in existing or signature(state_json, vector["steps"]) in existing:
                continue
            existing.add(case_id)
            state = decode_state(state_json)
            requirement = PROFILE_OPTIONS[option][0]
            yield Case(
                id=case_id,
                comment=f"{vector['comment']} [under {option}={_text(value)}]",
                requirements=tuple(sorted({*vector["requirements"], requirement})),
                # the option's rule decides the sibling's other outcome; a REG-12
                # sibling tells the same story in the other ETD convention
                primary=vector["primary_requirement"] if option == "etd" else requirement,
                state=state,
                events=tuple(read_step(s["event"]) for s in vector["steps"]),
                observables=tuple(vector["observables"]),
                tags=(*vector["tags"], "sibling"),
                coverage={"sibling_of": vector["id"], "option": option},
            )
