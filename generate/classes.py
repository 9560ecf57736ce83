"""Equivalence classes by Z3: the view role x where the requested days fall
against the MDRA change (EFD / ETD) x cache-age bucket x SMETS generation x
AC-4 profile.  For each class Z3 looks for one witness (ReadLogPeriod and cache
age); an empty class is reported with the constraints that exclude it (the
unsat core), never dropped silently (AC-3, AC-4, REG-4, C-2, C-5, C-7, C-9)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Final

import z3
from mhhs_sec.model import AdvanceClock, Profile, ReadLogPeriod, SubmitRequest
from mhhs_sec.model.clock import day_start
from mhhs_sec.model.registration import ONE_DAY, last_day
from mhhs_sec.model.rules import cacheable
from mhhs_sec.model.tables import CACHE, GENERATIONS
from mhhs_sec.model.world import MPAN_A, SUPPLIER

from . import situations as sit
from .build import Case
from .wording import cache_age_text
from .world import CHANGE_DAY, at

HOUR: Final = 3600
SRV: Final = "4.8.1"  # the MHHS half-hourly read, cached by the S1SP (C-1)
ROLES: Final = ("mdr-outgoing", "mdr-incoming", "supplier")
POSITIONS: Final = ("before-etd", "on-etd", "straddling-efd", "on-efd", "after-efd")
CACHE_BUCKETS: Final = ("none", "fresh", "at-25h", "expired")
PROFILES: Final = {"reject": Profile(), "authorised-days": Profile(partial_period="authorised-days")}
FILL_AT: Final = at(CHANGE_DAY + 2 * ONE_DAY, 9 * HOUR)  # the Supplier's first read fills the cache


@dataclass(frozen=True)
class ClassResult:
    key: str
    witness: dict[str, int] | None
    reason: str | None


def _edges(profile: Profile) -> tuple[int, int]:
    """(ETD 00:00, EFD 00:00) of MPAN_A's MDRA change, from its registration."""
    state = sit.base(profile, FILL_AT)
    outgoing, incoming = state.registrations[MPAN_A].mdras[:2]
    end_day = last_day(outgoing, profile.etd)
    assert end_day is not None
    tz = profile.settlement_tz
    return day_start(end_day, tz), day_start(incoming.efd, tz)


def _position(name: str, start: z3.ArithRef, end: z3.ArithRef, etd: int, efd: int) -> z3.BoolRef:
    return {
        "before-etd": end < etd,
        "on-etd": z3.And(etd <= start, end < efd),
        "straddling-efd": z3.And(start < efd, efd <= end),
        "on-efd": z3.And(efd <= start, end < efd + 24 * HOUR),
        "after-efd": start >= efd + 24 * HOUR,
    }[name]


def _bucket(name: str, age: z3.ArithRef) -> z3.BoolRef:
    limit = CACHE.max_age_s
    return {
        "none": age == 0,
        "fresh": z3.And(age > 0, age < limit),
        "at-25h": age == limit,
        "expired": z3.And(limit < age, age < 2 * limit),
    }[name]


def solve(role: str, position: str, bucket: str, generation: str, profile_name: str) -> ClassResult:
    """One witness of a class, or why there is none (the period and the cache
    age do not depend on the sender, so one search serves every role)."""
    witness, reason = _search(position, bucket, generation, profile_name)
    return ClassResult(class_key(role, position, bucket, generation, profile_name), witness, reason)


@cache
def _search(position: str, bucket: str, generation: str, profile_name: str) -> tuple[dict[str, int] | None, str | None]:
    etd, efd = _edges(PROFILES[profile_name])
    start, end, age = z3.Int("start"), z3.Int("end"), z3.Int("age")
    solver = z3.Optimize()
    track = {
        "period-well-formed": z3.And(start <= end, end - start <= 3 * HOUR, start % 1800 == 0, end % 60 == 0),
        "period-in-the-past": end < FILL_AT - 12 * HOUR,
        f"position-{position}": _position(position, start, end, etd, efd),
        f"cache-{bucket}": _bucket(bucket, age),
        # C-1, C-2: only a SMETS1 ESME's 4.8.1 is ever cached
        "cache-needs-cacheable-device": z3.Or(age == 0, z3.BoolVal(cacheable(SRV, generation, "ESME"))),
    }
    for name, constraint in track.items():
        solver.assert_and_track(constraint, name)
    solver.minimize(z3.If(start > efd, start - efd, efd - start))
    solver.minimize(z3.If(age > CACHE.max_age_s, age - CACHE.max_age_s, CACHE.max_age_s - age))
    solver.minimize(end - start)
    if solver.check() != z3.sat:
        return None, "empty: " + " and ".join(_core(track))
    model = solver.model()
    return {n: model[v].as_long() for n, v in (("start", start), ("end", end), ("age", age))}, None


def _core(track: dict[str, z3.BoolRef]) -> list[str]:
    """The constraints that together exclude a class (a minimal unsat core)."""
    solver = z3.Solver()
    solver.set("core.minimize", True)
    for name, constraint in track.items():
        solver.assert_and_track(constraint, name)
    solver.check()
    return sorted(str(c) for c in solver.unsat_core())


def class_key(role: str, position: str, bucket: str, generation: str, profile_name: str) -> str:
    return f"{role}.{position}.cache-{bucket}.{generation.lower()}.{profile_name}"


def view() -> Iterator[tuple[str, str, str, str, str]]:
    yield from itertools.product(ROLES, POSITIONS, CACHE_BUCKETS, GENERATIONS, PROFILES)


def _case(result: ClassResult, role: str, generation: str, profile_name: str, bucket: str) -> Case:
    assert result.witness is not None
    w = result.witness
    profile = PROFILES[profile_name]
    state = sit.base(profile, FILL_AT)
    device_id = sit.esme_or(generation, "ESME")
    period = ReadLogPeriod(w["start"], w["end"])
    events: list[Any] = []
    if bucket != "none":  # C-2: an active schedule; the Supplier's read fills the cache
        state = sit.with_schedule(state, SUPPLIER, "IS", device_id, SRV, state.today + 30 * ONE_DAY, False)
        fill = replace(sit.request(state, SUPPLIER, "IS", SRV, device_id, "false", 1), period=period)
        events += [SubmitRequest(fill), AdvanceClock(FILL_AT + w["age"])]
    etd_day = state.registrations[MPAN_A].mdras
    user, flag, role_name = {
        "mdr-outgoing": (etd_day[0].party, "true", "MDR"),
        "mdr-incoming": (etd_day[1].party, "true", "MDR"),
        "supplier": (SUPPLIER, "false", "IS"),
    }[role]
    read = replace(sit.request(state, user, role_name, SRV, device_id, flag, 2), period=period)
    position = result.key.split(".")[1]
    events.append(SubmitRequest(read))
    return Case(
        id=f"class.{result.key}",
        comment=f"{READERS_TEXT[role]} reads {SRV} of a {generation} ESME for a period {POSITIONS_TEXT[position]}"
        f"{PROFILES_TEXT[profile_name]}; {cache_age_text(bucket, w['age'])}",
        requirements=("AC-3", "AC-4", "REG-4", "C-2", "C-4", "C-5", "C-7", "C-9", "C-11"),
        primary=class_primary(role, position, bucket, profile_name),
        state=state,
        events=tuple(events),
        observables=("response-code", "entries", "device-read"),
        tags=("class",),
        coverage={"decision": "class-view", "class": result.key, "inputs": w},
    )


POSITIONS_TEXT: Final = {
    "before-etd": "before the outgoing MDRA's ETD",
    "on-etd": "on the ETD (last day of the outgoing MDRA)",
    "straddling-efd": "straddling the incoming EFD 00:00",
    "on-efd": "on the incoming EFD",
    "after-efd": "after the EFD",
}


READERS_TEXT: Final = {
    "mdr-outgoing": "the outgoing MDRA (as MDR)",
    "mdr-incoming": "the incoming MDRA (as MDR)",
    "supplier": "the Supplier (as IS)",
}
PROFILES_TEXT: Final = {"reject": "", "authorised-days": " (AC-4 option: only the authorised days answered)"}
CACHE_PRIMARY: Final = {"fresh": "C-4", "at-25h": "C-11", "expired": "C-5"}


def class_primary(role: str, position: str, bucket: str, profile_name: str) -> str:
    """The rule a class is built to check: the cache-age rule when something
    is cached (C-7 when the reader is not entitled to fresh data), else the
    access rule the reader's days fall under (REG-4 for the outgoing MDRA
    from the EFD on, AC-4 for a period only partly authorised, AC-3 else)."""
    refused = role == "mdr-outgoing" and position in ("straddling-efd", "on-efd", "after-efd")
    refused |= role == "mdr-incoming" and position in ("before-etd", "on-etd", "straddling-efd")
    if bucket == "fresh" and refused:
        return "C-7"
    if bucket in CACHE_PRIMARY:
        return CACHE_PRIMARY[bucket]
    if position == "straddling-efd" and role != "supplier":
        return "AC-4"
    return "REG-4" if role == "mdr-outgoing" and refused else "AC-3"


def cases() -> Iterator[Case]:
    for role, position, bucket, generation, profile_name in view():
        result = solve(role, position, bucket, generation, profile_name)
        if result.witness is not None:
            yield _case(result, role, generation, profile_name, bucket)


def coverage_facts() -> dict[str, Any]:
    """Every class of the view with its witness count (1 or 0) and, when empty, why."""
    classes = {}
    for combo in view():
        result = solve(*combo)
        classes[result.key] = {"witnesses": 0 if result.witness is None else 1, "reason": result.reason}
    return {"classes": classes}
