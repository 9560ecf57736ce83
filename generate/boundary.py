"""Boundary vectors by Z3 (MC/DC): for every decision of :mod:`.decision_defs`
and every condition, the pair of cases :mod:`.mcdc` finds, made concrete over
the standard world.  Each case is run through the model and the model's
outcome must equal the outcome Z3 predicted from the encoded rule: a
disagreement stops generation (the encoding or the model is wrong)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from mhhs_sec.model import (
    AdvanceClock,
    Event,
    InvalidEvent,
    Profile,
    SetDeviceComms,
    State,
    SubmitRequest,
)
from mhhs_sec.model.clock import day_start
from mhhs_sec.model.outputs import Acknowledgement, Alert, Output, Response
from mhhs_sec.model.registration import ONE_DAY
from mhhs_sec.model.schedules import window_bounds
from mhhs_sec.model.world import MDR_IN, MDR_OUT, SUPPLIER

from . import situations as sit
from .build import Case, CaseError, run_case
from .decision_defs import DECISIONS
from .mcdc import Decision, Gap, Pair, Side, mcdc
from .wording import mcdc_comment, mcdc_primary
from .world import CHANGE_DAY, at

Values = dict[str, Any]
Outcome = Callable[[list[tuple[Output, ...]]], bool]


@dataclass(frozen=True)
class Concrete:
    state: State
    events: tuple[Event, ...]
    observables: tuple[str, ...]
    outcome: Outcome
    used: Values  # the input values the concrete case actually uses


def _responses(results: list[tuple[Output, ...]]) -> list[Response]:
    return [o for outputs in results for o in outputs if isinstance(o, Response)]


def _first_code_not(codes: Sequence[str]) -> Outcome:
    return lambda results: _responses(results)[0].code not in codes


def _submit(request: Any) -> SubmitRequest:
    return SubmitRequest(request)


def _user(v: Values) -> Concrete:
    state = sit.base()
    device_id = sit.esme_or(v["gen"], v["kind"])
    user = sit.sender(state, v["role"], device_id, state.today - ONE_DAY)
    if not v["known_user"]:
        user = sit.UNKNOWN_USER
    elif not v["holds_role"]:
        user = sit.non_holder(state, v["role"])
    req = sit.request(state, user, v["role"], v["srv"], device_id, v["flag"])
    used = {k: v[k] for k in ("role", "srv", "gen", "kind", "flag", "known_user", "holds_role")}
    return Concrete(state, (_submit(req),), ("response-code",), _first_code_not(("E1",)), used)


def _plain(v: Values, codes: Sequence[str], profile: Profile = sit.DEFAULT) -> Concrete:
    state = sit.base(profile)
    device_id = sit.esme_or(v["gen"], v["kind"])
    user = sit.sender(state, v["role"], device_id, state.today - ONE_DAY)
    req = sit.request(state, user, v["role"], v["srv"], device_id, v["flag"])
    used = {k: v[k] for k in ("role", "srv", "gen", "kind", "flag")}
    return Concrete(state, (_submit(req),), ("response-code",), _first_code_not(codes), used)


def _flag(v: Values) -> Concrete:
    profile = Profile(flag_violation="coerce" if v["coerce"] else "reject", supplier_mhhs_via_mdr=v["via_mdr"])
    concrete = _plain(v, ("MHHS-E1", "MHHS-E2", "MHHS-E4"), profile)
    return Concrete(concrete.state, concrete.events, concrete.observables, concrete.outcome,
                    {**concrete.used, "coerce": v["coerce"], "via_mdr": v["via_mdr"]})  # fmt: skip


def _registration(v: Values) -> Concrete:
    state = sit.base(Profile(partial_period="authorised-days" if v["partial_option"] else "reject"))
    efd, outgoing, incoming = sit.mpan_a_registration(state)
    tz = state.profile.settlement_tz
    device_id = sit.esme_or("SMETS2", "ESME")
    if v["all_days"]:  # the incoming MDRA reads a day after its EFD
        user, start, end = incoming, at(efd + ONE_DAY, 0, tz), at(efd + ONE_DAY, 2 * sit.HOUR, tz) - 1
    elif v["some_day"]:  # a period straddling EFD 00:00 (AC-4)
        user, start, end = incoming, day_start(efd, tz) - 2 * sit.HOUR, day_start(efd, tz) + 2 * sit.HOUR - 1
    else:  # the outgoing MDRA after its ETD (REG-4)
        user, start, end = outgoing, at(efd + ONE_DAY, 0, tz), at(efd + ONE_DAY, 2 * sit.HOUR, tz) - 1
    role, flag = ("MDR", "true") if v["role"] == "MDR" else ("OU", "false")
    if role == "OU":
        user = sit.sender(state, "OU", device_id, state.today)
    req = sit.request(state, user, role, "4.8.1", device_id, flag)
    from dataclasses import replace

    from mhhs_sec.model import ReadLogPeriod

    req = replace(req, period=ReadLogPeriod(start, end))
    used = {"role": role, "srv": "4.8.1", "all_days": v["all_days"], "some_day": v["some_day"],
            "partial_option": v["partial_option"]}  # fmt: skip
    return Concrete(state, (_submit(req),), ("response-code", "entries"), _first_code_not(("E4",)), used)


def _schedule_first(v: Values) -> Concrete:
    state = sit.base(Profile(on_demand_first="strict" if v["strict"] else "not-enforced"))
    device_id = sit.esme_or(v["gen"], v["kind"])
    user = sit.sender(state, "IS", device_id, state.today)
    for_settlement = v["flag"] == "true"
    if v["own_schedule"]:
        state = sit.with_schedule(state, user, "IS", device_id, v["srv"], state.today + ONE_DAY, for_settlement)
    used = {k: v[k] for k in ("srv", "flag", "mode", "strict", "own_schedule")}
    if v["mode"] == "scheduled":  # the schedule's run: the DSP window of tomorrow
        run = window_bounds(state.today + ONE_DAY, state.config.dsp_window, state.profile.settlement_tz)[0]
        events: tuple[Event, ...] = (AdvanceClock(run + 1),)
    else:
        events = (_submit(sit.request(state, user, "IS", v["srv"], device_id, v["flag"])),)
    return Concrete(state, events, ("response-code",), _first_code_not(("MHHS-E5",)), used)


def _cache_hit(v: Values) -> Concrete:
    state = sit.base(Profile(schedule_active="creation-to-deletion" if v["creation"] else "start-to-end"))
    device_id = sit.esme_or(v["gen"], v["kind"])
    user = sit.sender(state, v["role"], device_id, state.today)
    if v["schedule"]:  # C-13: one that has started, or one that starts in ten days
        state = sit.with_schedule(state, user, v["role"], device_id, v["srv"], state.today + 10 * ONE_DAY, False,
                                  started=v["started"])  # fmt: skip
    first = sit.request(state, user, v["role"], v["srv"], device_id, "false", 1)
    second = sit.request(state, user, v["role"], v["srv"], device_id, "false", 2)
    used = {k: v[k] for k in ("role", "srv", "gen", "kind", "schedule", "started", "creation")}
    outcome: Outcome = lambda results: not _responses(results)[1].device_read  # noqa: E731
    return Concrete(
        state, (_submit(first), _submit(second)), ("response-code", "entries", "device-read"), outcome, used
    )


def _cache_age(v: Values) -> Concrete:
    state = sit.base(Profile(cache_boundary="inclusive" if v["inclusive"] else "exclusive"))
    device_id = sit.esme_or("SMETS1", "ESME")
    state = sit.with_schedule(state, SUPPLIER, "IS", device_id, "4.6.1", state.today + 10 * ONE_DAY, False)
    first = sit.request(state, SUPPLIER, "IS", "4.6.1", device_id, "false", 1)
    second = sit.request(state, SUPPLIER, "IS", "4.6.1", device_id, "false", 2)
    events = (_submit(first), AdvanceClock(state.now + v["age_s"]), _submit(second))
    outcome: Outcome = lambda results: not _responses(results)[1].device_read  # noqa: E731
    used = {"srv": "4.6.1", "age_s": v["age_s"], "inclusive": v["inclusive"]}
    return Concrete(state, events, ("response-code", "entries", "device-read"), outcome, used)


def _window(v: Values) -> Concrete:
    day = sit.TODAY
    start = at(day, 0)
    state = sit.base(now=start)
    device_id = sit.esme_or("SMETS2", "ESME")
    role = v["role"]
    user = sit.sender(state, role, device_id, day)
    flag = "true" if role == "MDR" else "false"
    req = sit.request(state, user, role, "4.8.1", device_id, flag, day=day - ONE_DAY)
    events = (AdvanceClock(start + v["time_of_day_s"]), _submit(req), AdvanceClock(start + 86399))
    outcome: Outcome = lambda results: not any(isinstance(o, Acknowledgement) for o in results[1])  # noqa: E731
    used = {"role": role, "srv": "4.8.1", "time_of_day_s": v["time_of_day_s"]}
    return Concrete(state, events, ("response-code", "timing"), outcome, used)


def _retry(v: Values) -> Concrete:
    day = sit.TODAY
    state = sit.base(now=at(day, 0))
    device_id = sit.esme_or("SMETS2", "ESME")
    role = v["role"]
    user = sit.sender(state, role, device_id, day)
    req = sit.request(state, user, role, "4.8.1", device_id, v["flag"], day=day - ONE_DAY)
    events = (
        SetDeviceComms(device_id, False), AdvanceClock(at(day, v["time_of_day_s"])), _submit(req),
        AdvanceClock(at(day + ONE_DAY, 6 * sit.HOUR)),
    )  # fmt: skip
    outcome: Outcome = lambda results: not any(isinstance(o, Response) for o in results[2])  # noqa: E731
    used = {"role": role, "srv": "4.8.1", "flag": v["flag"], "time_of_day_s": v["time_of_day_s"]}
    return Concrete(state, events, ("response-code", "timing"), outcome, used)


def _schedule_owner(v: Values) -> Concrete:
    state = sit.base()
    device_id = sit.esme_or("SMETS1", "ESME")
    state = sit.with_schedule(state, MDR_IN, "MDR", device_id, "4.6.1", state.today + ONE_DAY, True)
    schedule_id = state.next_schedule_id - 1
    user, role, flag = (MDR_IN, "MDR", "true") if v["owner"] else (SUPPLIER, "IS", "false")
    req = sit.request(state, user, role, v["srv"], device_id, flag, schedule_id=schedule_id)
    used = {"srv": v["srv"], "owner": v["owner"]}
    return Concrete(state, (_submit(req),), ("response-code", "schedules"), _first_code_not(("MHHS-E8",)), used)


def _mdra_change(v: Values) -> Concrete:
    profile = Profile(schedules_on_mdra_change="delete" if v["delete"] else "keep")
    state = sit.base(profile, now=at(CHANGE_DAY - ONE_DAY, 12 * sit.HOUR))
    device_id = sit.esme_or("SMETS1", "ESME", mpan_a=v["on_mpan"])
    owner = MDR_OUT if v["outgoing"] else MDR_IN
    role = "MDR" if v["mdr_role"] else "IS"
    state = sit.with_schedule(state, owner, role, device_id, "4.6.1", CHANGE_DAY + ONE_DAY, True)
    events = (AdvanceClock(at(CHANGE_DAY, 6 * sit.HOUR)),)
    outcome: Outcome = lambda results: any(isinstance(o, Alert) for o in results[0])  # noqa: E731
    used = {k: v[k] for k in ("outgoing", "mdr_role", "on_mpan", "delete")}
    return Concrete(state, events, ("alerts", "schedules"), outcome, used)


def _run_day(v: Values) -> Concrete:
    """SCH-9: an MDR schedule run on MPAN_A around its MDRA change: the outgoing
    MDRA's run day is authorised before the EFD, the incoming's from it; a run
    reads the day before it runs."""
    profile = Profile(run_on_efd_reading_before="refused" if v["refused"] else "answered")
    state = sit.base(profile, now=at(CHANGE_DAY, 6 * sit.HOUR))
    device_id = sit.esme_or("SMETS1", "ESME")
    owner = MDR_IN if v["run_day"] else MDR_OUT  # runs on or after the EFD
    run = CHANGE_DAY + ONE_DAY if v["read_day"] == v["run_day"] else CHANGE_DAY
    state = sit.with_schedule(state, owner, "MDR", device_id, "4.6.1", run, True)
    events = (AdvanceClock(at(run, 12 * sit.HOUR)),)
    used = {k: v[k] for k in ("read_day", "run_day", "refused")}
    return Concrete(state, events, ("response-code", "entries"), _first_code_not(("E4",)), used)


CONCRETISERS: dict[str, Callable[[Values], Concrete]] = {
    "user": _user,
    "srv-allowed": lambda v: _plain(v, ("E2",)),
    "flag": _flag,
    "device": lambda v: _plain(v, ("E11",)),
    "registration": _registration,
    "schedule-first": _schedule_first,
    "cache-hit": _cache_hit,
    "cache-age": _cache_age,
    "mdr-window-open": _window,
    "mdr-window-close": _window,
    "retry": _retry,
    "schedule-owner": _schedule_owner,
    "mdra-change": _mdra_change,
    "run-day": _run_day,
}


def _case(decision: Decision, pair: Pair, index: int) -> Case:
    side: Side = pair.sides[index]
    concrete = CONCRETISERS[decision.name](side.values)
    results = run_case(concrete.state, concrete.events)
    if any(isinstance(r, InvalidEvent) for r in results):
        raise CaseError(f"{decision.name}/{pair.condition}: the model refused an event: {results}")
    actual = concrete.outcome(results)  # type: ignore[arg-type]
    if actual != side.outcome:
        raise CaseError(
            f"{decision.name}/{pair.condition}: Z3 predicts {decision.outcome_names[not side.outcome]}, "
            f"the model gives {decision.outcome_names[not actual]} for {concrete.used}"
        )
    truth = "t" if side.conditions[pair.condition] else "f"
    other = "f" if truth == "t" else "t"
    case_id = f"boundary.{decision.name}.{pair.condition}.{truth}".replace("_", "-")
    outcome = decision.outcome_names[0 if side.outcome else 1]
    return Case(
        id=case_id,
        comment=mcdc_comment(decision.name, concrete.used, side.outcome),
        requirements=decision.requirements,
        primary=mcdc_primary(decision.name, decision.requirements, pair.condition),
        state=concrete.state,
        events=concrete.events,
        observables=concrete.observables,
        tags=("boundary", "mcdc", decision.name),
        coverage={
            "decision": decision.name,
            "conditions": side.conditions,
            "outcome": outcome,
            "flips": pair.condition,
            "mcdc": pair.kind,
            "pair": case_id[:-1] + other,
            "inputs": concrete.used,
        },  # fmt: skip
    )


_RESULTS: list[tuple[Decision, list[Pair | Gap]]] = []


def boundary_results() -> list[tuple[Decision, list[Pair | Gap]]]:
    """MC/DC pairs and gaps of every decision (solved once per process)."""
    if not _RESULTS:
        _RESULTS.extend((d, mcdc(d)) for d in DECISIONS)
    return _RESULTS


def coverage_facts() -> dict[str, Any]:
    """The file-level record: per decision its conditions, the MC/DC kind of
    each pair, and the gaps with their reasons."""
    decisions: dict[str, Any] = {}
    for decision, found in boundary_results():
        decisions[decision.name] = {
            "requirements": list(decision.requirements),
            "source": decision.source,
            "outcomes": list(decision.outcome_names),
            "conditions": {
                item.condition: (
                    {"mcdc": item.kind, "moved": list(item.moved)} if isinstance(item, Pair)
                    else {"mcdc": "gap", "reason": item.reason}
                )
                for item in found
            },
        }  # fmt: skip
    return {"decisions": decisions}


def cases(results: list[tuple[Decision, list[Pair | Gap]]] | None = None) -> Iterator[Case]:
    """Two cases per MC/DC pair, for every decision."""
    for decision, found in results or boundary_results():
        for item in found:
            if isinstance(item, Pair):
                yield _case(decision, item, 0)
                yield _case(decision, item, 1)


def gaps(results: list[tuple[Decision, list[Pair | Gap]]] | None = None) -> list[Gap]:
    return [item for _, found in results or boundary_results() for item in found if isinstance(item, Gap)]
