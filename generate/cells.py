"""The cell grid: every role x SRV x SMETS generation x mode x ForSettlement
value, on the ESME of MPAN_A (TRT-1, TRT-2, TRT-3, AC-1, AC-2, AC-5, AC-8,
FS-2, FS-4).  The axes are the model's own domains (``rules.ROLES``,
``tables.SRVS``, ``tables.GENERATIONS``, ``tables.MODES``); a DCC Scheduled
cell is a 5.1 Create Schedule followed by the schedule's first run (the 5.1
alone for a role whose access to the device the sources leave open, AC-11).  Cells
DUIS 5.4 cannot express (a 5.1 naming an SRV its DSPScheduledServiceReference
excludes) are reported, with that reason, instead of generated."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from mhhs_sec.model import AdvanceClock, Event, SubmitRequest
from mhhs_sec.model.registration import ONE_DAY
from mhhs_sec.model.rules import ROLES, role_may_send, trt_srvs
from mhhs_sec.model.schedules import window_bounds, window_for
from mhhs_sec.model.tables import GENERATIONS, MODES, SRVS
from mhhs_sec.vectors.duis import DuisError, render_request

from . import situations as sit
from .build import Case
from .decisions import FLAGS
from .wording import flag_words

REQUIREMENTS = (
    "TRT-1", "TRT-2", "TRT-3", "TRT-5", "AC-1", "AC-2", "AC-5", "AC-8", "FS-1", "FS-2", "FS-4", "SCH-1", "SCH-7",
)  # fmt: skip


def _schedule_target(role: str) -> str:
    """For an On Demand 5.1 cell: the first schedulable SRV the role may send."""
    candidates = [s for s in sorted(SRVS) if SRVS[s].schedulable and role_may_send(role, s)]
    return candidates[0] if candidates else "4.6.1"


def _events(role: str, srv: str, generation: str, mode: str, flag: str) -> tuple[Any, tuple[Event, ...]]:
    state = sit.base()
    device_id = sit.esme_or(generation, "ESME")
    user = sit.sender(state, role, device_id, state.today - ONE_DAY if mode == "on-demand" else state.today)
    if mode == "on-demand":
        target = _schedule_target(role) if srv == "5.1" else None
        return state, (SubmitRequest(sit.request(state, user, role, srv, device_id, flag, schedule_srv=target)),)
    create = sit.request(state, user, role, "5.1", device_id, flag, schedule_srv=srv)
    if role not in sit.ENTITLED_ROLES:
        # AC-11: whether this role's schedule exists at all is existing access
        # control the sources leave open, so its run is not asserted.
        return state, (SubmitRequest(create),)
    window = window_for(role, state.config)
    run = window_bounds(state.today + ONE_DAY, window, state.profile.settlement_tz)[0]
    return state, (SubmitRequest(create), AdvanceClock(run + 1))


def cell_key(role: str, srv: str, generation: str, mode: str, flag: str) -> str:
    return f"{role}.{srv}.{generation}.{mode}.{flag}".lower()


def grid() -> Iterator[tuple[str, str, str, str, str]]:
    for role in ROLES:
        for srv in sorted(SRVS):
            for generation in GENERATIONS:
                for mode in MODES:
                    for flag in FLAGS:
                        yield role, srv, generation, mode, flag


@cache
def expressible(srv: str, mode: str) -> str | None:
    """None, or why DUIS 5.4 cannot carry the cell's request."""
    if mode == "on-demand":
        return None
    state = sit.base()
    probe = sit.request(state, sit.GT_USER, "GT", "5.1", sit.esme_or("SMETS1", "ESME"), "false", schedule_srv=srv)
    try:
        render_request(probe)
    except DuisError as error:
        return error.message
    return None


def cases() -> Iterator[Case]:
    for role, srv, generation, mode, flag in grid():
        if expressible(srv, mode) is not None:
            continue
        state, events = _events(role, srv, generation, mode, flag)
        key = cell_key(role, srv, generation, mode, flag)
        yield Case(
            id=f"cell.{key}",
            comment=f"{role} sends {srv} {mode} to a {generation} device, {flag_words(flag)}: the response code and "
            "the TRT of its cell of 002 Table 3",
            requirements=REQUIREMENTS,
            state=state,
            events=events,
            observables=_observables(srv),
            tags=("boundary", "cell", f"role-{role.lower()}", f"srv-{srv}", mode),
            coverage={"decision": "cell", "edge": key},
        )


def _observables(srv: str) -> tuple[str, ...]:
    """TRT-1: a cell's TRT is compared only for an SRV with a row in 002 Table 3;
    the sources give no TRT for any other SRV (4.8.2 among them)."""
    return ("response-code", "trt") if srv in trt_srvs() else ("response-code",)


def coverage_facts() -> dict[str, Any]:
    """Cells not generated, each with its reason."""
    missing = {}
    for role, srv, generation, mode, flag in grid():
        reason = expressible(srv, mode)
        if reason is not None:
            missing[cell_key(role, srv, generation, mode, flag)] = reason
    return {"cells": {"total": sum(1 for _ in grid()), "not_expressible": missing}}
