"""The MC/DC decisions of the boundary generator restate the shape of the
model's checks for test design (docs/architecture.md, "Known duplication").
Each decision whose conditions are fixed by the request's own inputs (role,
SRV, device generation and kind, mode, flag, profile options) is compared here
with the model's check on EVERY input of its domain, so a drift between the
two is caught even where no generated pair happens to land."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from itertools import product
from typing import Any

import pytest
import z3
from mhhs_sec.generate.decision_defs import CACHE_AGE, CACHE_HIT, DEVICE, FLAG, SCHEDULE_FIRST, SRV_ALLOWED
from mhhs_sec.generate.decisions import FLAGS, KINDS, Inputs, sorts
from mhhs_sec.generate.mcdc import Decision
from mhhs_sec.model import access, cache, rules
from mhhs_sec.model.entities import Device, Schedule, ServiceRequest
from mhhs_sec.model.profile import Profile
from mhhs_sec.model.state import evolve, initial_state
from mhhs_sec.model.tables import CACHE, GENERATIONS, MODES

FLAG_VALUES: dict[str, bool | None] = {"absent": None, "false": False, "true": True}
Case = dict[str, Any]


def _cases(inputs: Inputs, extras: tuple[str, ...]) -> Iterator[tuple[Case, list[tuple[z3.ExprRef, z3.ExprRef]]]]:
    """Every combination of the enum inputs and of the named boolean extras,
    with the substitution that fixes the symbolic inputs to it."""
    s = sorts()
    for role, srv, gen, kind, mode, flag in product(s.roles, s.srvs, GENERATIONS, KINDS, MODES, FLAGS):
        for flags in product((False, True), repeat=len(extras)):
            case = {"role": role, "srv": srv, "gen": gen, "kind": kind, "mode": mode, "flag": flag}
            case |= dict(zip(extras, flags, strict=True))
            subs = [
                (inputs.role, s.roles[role]), (inputs.srv, s.srvs[srv]), (inputs.gen, s.gens[gen]),
                (inputs.kind, s.kinds[kind]), (inputs.mode, s.modes[mode]), (inputs.flag, s.flags[flag]),
                *[(inputs.bool(name), z3.BoolVal(value)) for name, value in zip(extras, flags, strict=True)],
            ]  # fmt: skip
            yield case, subs


def _holds(formula: z3.BoolRef, subs: list[tuple[z3.ExprRef, z3.ExprRef]]) -> bool:
    value = z3.simplify(z3.substitute(formula, *subs))
    assert z3.is_true(value) or z3.is_false(value), f"not fixed by the inputs: {value}"
    return z3.is_true(value)


def _disagreements(decision: Decision, extras: tuple[str, ...], model: Callable[[Case], bool]) -> list[str]:
    """The inputs of the decision's domain where its predicted outcome differs
    from the model's (outcome True = the decision's first outcome name)."""
    inputs = Inputs("x")
    conditions = decision.conditions(inputs)
    outcome, domain = decision.outcome(inputs, conditions), decision.domain(inputs)
    found = []
    for case, subs in _cases(inputs, extras):
        if _holds(domain, subs) and _holds(outcome, subs) != model(case):
            found.append(f"{case}: decision says {_holds(outcome, subs)}, model says {model(case)}")
    return found


def _device(case: Case) -> Device:
    return Device("00-00-00-00-00-00-00-01", "1000000000001", case["gen"], case["kind"], dt.date(2024, 1, 1))


def _request(case: Case) -> ServiceRequest:
    return ServiceRequest("R1", "U1", case["role"], case["srv"], _device(case).device_id, FLAG_VALUES[case["flag"]])


@pytest.mark.req("AC-1", "AC-5")
def test_srv_allowed_agrees_with_check_srv_allowed() -> None:
    def model(case: Case) -> bool:
        return access.check_srv_allowed(case["role"], case["srv"]) is None

    assert _disagreements(SRV_ALLOWED, (), model) == []


@pytest.mark.req("FS-2", "FS-4", "FS-5", "AC-5", "REG-11")
def test_flag_agrees_with_check_flag() -> None:
    def model(case: Case) -> bool:
        profile = Profile(
            flag_violation="coerce" if case["coerce"] else "reject", supplier_mhhs_via_mdr=case["via_mdr"]
        )
        decided = access.check_flag(initial_state(0, profile), _request(case))
        return not isinstance(decided, access.Rejected)

    assert _disagreements(FLAG, ("coerce", "via_mdr"), model) == []


@pytest.mark.req("AC-6", "AC-7", "AC-8", "TRT-1", "TRT-2")
def test_device_agrees_with_check_device() -> None:
    def model(case: Case) -> bool:
        flag = case["flag"] == "true"  # the effective flag (the domain keeps FS-2 / FS-4 respected)
        return access.check_device(case["role"], case["srv"], _device(case), case["mode"], flag) is None

    assert _disagreements(DEVICE, (), model) == []


@pytest.mark.req("SCH-6")
def test_schedule_first_agrees_with_check_schedule_first() -> None:
    def model(case: Case) -> bool:
        profile = Profile(on_demand_first="strict" if case["strict"] else "not-enforced")
        state = initial_state(0, profile)
        if case["own_schedule"]:
            day = dt.date(2025, 1, 1)
            own = Schedule(1, "U1", case["role"], _device(case).device_id, case["srv"], True, day, None, day)
            state = evolve(state, schedules={1: own})
        flag = case["flag"] == "true"
        return access.check_schedule_first(state, _request(case), case["mode"], flag) is None

    assert _disagreements(SCHEDULE_FIRST, ("strict", "own_schedule"), model) == []


@pytest.mark.req("C-1", "C-2", "C-9")
def test_cache_hit_agrees_with_may_cache() -> None:
    def model(case: Case) -> bool:
        return rules.cacheable(case["srv"], case["gen"], case["kind"]) and case["active_schedule"]

    assert _disagreements(CACHE_HIT, ("active_schedule",), model) == []


@pytest.mark.req("C-5", "C-11")
def test_cache_age_agrees_with_is_fresh() -> None:
    inputs = Inputs("x")
    outcome = CACHE_AGE.outcome(inputs, CACHE_AGE.conditions(inputs))
    for age in range(CACHE.max_age_s - 3, CACHE.max_age_s + 4):
        for inclusive in (False, True):
            subs = [(inputs.int("age_s"), z3.IntVal(age)), (inputs.bool("inclusive"), z3.BoolVal(inclusive))]
            profile = Profile(cache_boundary="inclusive" if inclusive else "exclusive")
            assert _holds(outcome, subs) == cache.is_fresh(0, age, profile), (age, inclusive)
