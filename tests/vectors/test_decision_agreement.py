"""The MC/DC decisions of the boundary generator restate the shape of the
model's checks for test design (docs/architecture.md, "Known duplication").
Each decision whose conditions are fixed by the request's own inputs (role,
SRV, device generation and kind, mode, flag, profile options) is compared here
with the model's check on EVERY input of its domain (the time-of-day ones on
every minute of a day); the decisions over abstract conditions (user,
registration, schedule owner, MDRA change) are made concrete on every input
of their domain by the generator's own concretisers and run through the
model.  A drift is so caught even where no generated pair happens to land."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from itertools import product
from typing import Any, Final

import pytest
import z3
from mhhs_sec.generate import boundary
from mhhs_sec.generate import situations as sit
from mhhs_sec.generate.build import run_case
from mhhs_sec.generate.decision_defs import (
    CACHE_AGE,
    CACHE_HIT,
    DEVICE,
    FLAG,
    MDRA_CHANGE,
    REGISTRATION,
    RETRY,
    RUN_DAY,
    SCHEDULE_FIRST,
    SCHEDULE_OWNER,
    SRV_ALLOWED,
    USER,
    WINDOW_CLOSE,
    WINDOW_OPEN,
)
from mhhs_sec.generate.decisions import FLAGS, KINDS, Inputs, sorts
from mhhs_sec.generate.mcdc import Decision, value_of
from mhhs_sec.model import ReadLogPeriod, Response, SubmitRequest, access, cache, execution, step
from mhhs_sec.model.clock import day_start
from mhhs_sec.model.entities import Device, ServiceRequest
from mhhs_sec.model.profile import Profile
from mhhs_sec.model.rules import cacheable
from mhhs_sec.model.state import Pending, evolve, initial_state
from mhhs_sec.model.tables import CACHE, GENERATIONS, MODES
from mhhs_sec.model.world import DEVICES_A, MDR_OUT, SUPPLIER, standard_world
from z3 import z3util

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
    return ServiceRequest("R1", "U1", case["role"], case["srv"], _device(case).device_id, sit.flag_value(case["flag"]))


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
            state = sit.with_schedule(state, "U1", case["role"], _device(case).device_id, case["srv"],
                                      dt.date(2025, 1, 1), True)  # fmt: skip
        flag = case["flag"] == "true"
        return access.check_schedule_first(state, _request(case), case["mode"], flag) is None

    assert _disagreements(SCHEDULE_FIRST, ("strict", "own_schedule"), model) == []


@pytest.mark.req("C-1", "C-2", "C-9", "C-13")
def test_cache_hit_agrees_with_the_caching_read() -> None:
    def model(case: Case) -> bool:
        device = _device(case)
        profile = Profile(schedule_active="creation-to-deletion" if case["creation"] else "start-to-end")
        state = evolve(initial_state(0, profile), devices={device.device_id: device})
        if case["schedule"]:  # anyone's schedule for the device and SRV (C-2), started or not (C-13)
            state = sit.with_schedule(state, "U1", case["role"], device.device_id, case["srv"], dt.date(2025, 1, 1),
                                      False, started=case["started"])  # fmt: skip
        # C-1, C-2: what cache.store asks before it caches a read
        active, _ = cache.activity(state, device.device_id, case["srv"])
        return cacheable(case["srv"], device.generation, device.kind) and active

    assert _disagreements(CACHE_HIT, ("schedule", "started", "creation"), model) == []


@pytest.mark.req("C-5", "C-11")
def test_cache_age_agrees_with_is_fresh() -> None:
    inputs = Inputs("x")
    outcome = CACHE_AGE.outcome(inputs, CACHE_AGE.conditions(inputs))
    for age in range(CACHE.max_age_s - 3, CACHE.max_age_s + 4):
        for inclusive in (False, True):
            subs = [(inputs.int("age_s"), z3.IntVal(age)), (inputs.bool("inclusive"), z3.BoolVal(inclusive))]
            profile = Profile(cache_boundary="inclusive" if inclusive else "exclusive")
            assert _holds(outcome, subs) == cache.is_fresh(0, age, profile), (age, inclusive)


# ---- decisions over the time of day: every minute of a winter day (UTC = UK time) ----

WINTER_DAY: Final = dt.date(2025, 1, 15)
MINUTES: Final = range(0, 86400, 60)


def _time_cases(decision: Decision) -> Iterator[tuple[str, str, int, bool]]:
    """(role, flag, time of day, predicted outcome) for every minute in the domain."""
    s = sorts()
    inputs = Inputs("x")
    outcome, domain = decision.outcome(inputs, decision.conditions(inputs)), decision.domain(inputs)
    for role, flag, t in product(s.roles, FLAGS, MINUTES):
        subs = [(inputs.role, s.roles[role]), (inputs.flag, s.flags[flag]), (inputs.int("time_of_day_s"), z3.IntVal(t))]
        if _holds(domain, subs):
            yield role, flag, t, _holds(outcome, subs)


@pytest.mark.req("SCH-5", "SCH-4")
def test_retry_agrees_with_unreachable_device_handling() -> None:
    found = []
    for role, flag, t, predicted in _time_cases(RETRY):
        state = initial_state(day_start(WINTER_DAY) + t)
        request = ServiceRequest("R1", "U1", role, "4.8.1", "00-00-00-00-00-00-00-01", sit.flag_value(flag))
        work = Pending(state.now, 0, request, state.now, "on-demand", None, None)
        decided = access.Accepted(flag == "true", None, (WINTER_DAY,), ())
        _, outputs = execution._unreachable(state, work, decided)
        if (outputs == ()) != predicted:
            found.append(f"{role} flag {flag} at {t} s: decision says retried={predicted}")
    assert found == []


@pytest.mark.req("SCH-4", "TRT-4")
@pytest.mark.parametrize("decision", [WINDOW_OPEN, WINDOW_CLOSE], ids=lambda d: d.name)
def test_mdr_window_agrees_with_submission(decision: Decision) -> None:
    """A read by the MPAN's MDRA or Supplier is answered at once, or held
    (acknowledged) until the MDR window opens, as the decision predicts."""
    found = []
    for role, flag, t, predicted in _time_cases(decision):
        if flag != "true":
            continue  # the sender must pass access control for the hold to show
        state = standard_world(day_start(WINTER_DAY) + t, WINTER_DAY + dt.timedelta(days=30))
        sender = MDR_OUT if role == "MDR" else SUPPLIER
        period = ReadLogPeriod(day_start(WINTER_DAY - dt.timedelta(days=1)), day_start(WINTER_DAY) - 1)
        request = ServiceRequest("R1", sender, role, "4.8.1", DEVICES_A.s1_esme, True, period)
        _, outputs = step(state, SubmitRequest(request))
        at_once = isinstance(outputs[0], Response)
        assert not at_once or outputs[0].code == "I0", outputs[0]
        if at_once != predicted:
            found.append(f"{role} at {t} s: decision says at once={predicted}")
    assert found == []


# ---- decisions over abstract conditions: through the generator's own concretisers ----


def _used_inputs(inputs: Inputs, *formulas: z3.ExprRef) -> dict[str, z3.ExprRef]:
    """The decision's inputs, by name, that the formulas use (the others are free)."""
    used = {str(v) for f in formulas for v in z3util.get_vars(f)}
    return {name: symbol for name, symbol in sorted(inputs.symbols().items()) if str(symbol) in used}


def _models(domain: z3.BoolRef, symbols: list[z3.ExprRef]) -> Iterator[z3.ModelRef]:
    """Every assignment of the symbols that satisfies the domain (all-SAT)."""
    solver = z3.Solver()
    solver.add(domain)
    while solver.check() == z3.sat:
        model = solver.model()
        yield model
        solver.add(z3.Or([symbol != model.eval(symbol, model_completion=True) for symbol in symbols]))


@pytest.mark.req("REG-1", "REG-7", "AC-3", "AC-4", "REG-4", "SCH-2", "SCH-3", "SCH-9")
@pytest.mark.parametrize("decision", [USER, REGISTRATION, SCHEDULE_OWNER, MDRA_CHANGE, RUN_DAY], ids=lambda d: d.name)
def test_abstract_decision_agrees_with_the_model_on_every_input(decision: Decision) -> None:
    """Each combination of the decision's inputs in its domain, made concrete by
    the generator's concretiser and run through the model, gives the outcome
    the decision predicts (the generator checks only the pairs it picks)."""
    inputs = Inputs("x")
    outcome, domain = decision.outcome(inputs, decision.conditions(inputs)), decision.domain(inputs)
    symbols = _used_inputs(inputs, outcome, domain)
    found, checked = [], 0
    for model in _models(domain, list(symbols.values())):
        values = {name: value_of(model, symbol) for name, symbol in symbols.items()}
        predicted = z3.is_true(model.eval(outcome, model_completion=True))
        concrete = boundary.CONCRETISERS[decision.name](values)
        results = run_case(concrete.state, concrete.events)
        checked += 1
        if concrete.outcome(results) != predicted:  # type: ignore[arg-type]
            found.append(f"{concrete.used}: decision says {predicted}")
    assert checked > 0
    assert found == []
