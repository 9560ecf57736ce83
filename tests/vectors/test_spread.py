"""The spread walks: their candidates reach the dimensions the other
generators hold fixed (calendar days, every profile option value, future-dated
and held requests, a registration change while a read waits), every vector
compares every observable, no audit record carries a code the sources leave
open, and the selection keeps the fewest candidates that kill what any kills."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import pytest
from mhhs_sec.generate import situations as sit
from mhhs_sec.generate import spread, walks
from mhhs_sec.generate.build import build_vector
from mhhs_sec.generate.world import at
from mhhs_sec.model import AdvanceClock, LoadRegistration, ReadLogPeriod, RestrictDevice, SubmitRequest
from mhhs_sec.model.clock import settlement_day
from mhhs_sec.model.outputs import Acknowledgement, Response
from mhhs_sec.model.profile import PROFILE_OPTIONS

from mhhs_sec.mutation.select import cover


@cache
def _pool() -> list[spread.Spread]:
    return [walk for value in spread.SEEDS for walk in spread.candidates(value)]


@pytest.mark.req("REG-8", "SCH-4", "C-4")
def test_candidates_start_on_every_calendar_day() -> None:
    reached = set()
    for walk in _pool():
        tz = walk.state.profile.settlement_tz
        first, last = walk.state.now, max([walk.state.now, *(getattr(e, "to", 0) for e in walk.events)])
        days = {settlement_day(first, tz), settlement_day(last, tz)}
        reached |= {name for name, day in spread.CALENDAR.items() if min(days) <= day <= max(days)}
    assert reached == set(spread.CALENDAR)


@pytest.mark.req("S1-1", "REG-11", "SCH-8", "AUD-3")
def test_candidates_take_every_value_of_every_profile_option() -> None:
    for option, (_, values) in PROFILE_OPTIONS.items():
        taken = {getattr(walk.state.profile, option) for walk in _pool()}
        assert taken == set(values), option


@pytest.mark.req("SCH-4", "AC-3", "REG-6")
def test_candidates_hold_future_dated_and_other_requests_and_change_registration_meanwhile() -> None:
    dated = held_srvs = changed_while_held = 0
    srvs: set[str] = set()
    for walk in _pool():
        waiting: set[str] = set()
        for event, produced in zip(walk.events, walk.outputs, strict=True):
            if isinstance(event, SubmitRequest) and event.request.execute_at is not None:
                dated += 1
            if isinstance(event, LoadRegistration) and waiting:
                changed_while_held += 1
            waiting |= {o.request_id for o in produced if isinstance(o, Acknowledgement)}
            waiting -= {o.request_id for o in produced if isinstance(o, Response)}
            srvs |= {
                e.request.srv for e in [event] if isinstance(e, SubmitRequest) and any(
                    isinstance(o, Acknowledgement) for o in produced)
            }  # fmt: skip
        held_srvs = len(srvs - {"4.8.1"})
    assert dated and held_srvs and changed_while_held


@pytest.mark.req("AUD-1", "AUD-2", "C-9")
def test_spread_vectors_compare_every_observable_and_no_open_code_in_audit() -> None:
    for case in spread.all_cases()[:20]:
        vector = build_vector(case)
        assert {"device-read", "timing", "trt", "alerts", "entry-values"} <= set(vector["observables"])
        open_codes = {
            e["output"]["request_id"]
            for step in vector["steps"] for e in step["expected"] if e.get("acceptable")
        }  # fmt: skip
        for step in vector["steps"]:
            for e in step["expected"]:
                records = e["output"].get("records", [])
                assert not {r["reference"] for r in records if r["kind"] == "response"} & open_codes


@pytest.mark.req("C-5")
def test_cover_keeps_the_fewest_candidates_killing_what_any_kills() -> None:
    killed = {"m1": ["a", "b"], "m2": ["b"], "m3": ["c"], "m4": []}
    assert cover(killed) == ["b", "c"]
    assert cover({"m1": ["z", "a"]}) == ["a"]


@pytest.mark.req("C-8")
def test_a_walk_never_reads_the_entry_stamped_at_its_restriction_instant() -> None:
    state = sit.base()  # 09:00 local: the instant of a half-hourly entry
    device_id = sit.esme_or("SMETS2", "ESME")
    mdra = sit.sender(state, "MDR", device_id, state.today)
    start = at(state.today, 8 * 3600)
    read = replace(sit.request(state, mdra, "MDR", "4.8.1", device_id, "true", 1),
                   period=ReadLogPeriod(start, start + 2 * 3600 - 1))  # fmt: skip
    actions = [RestrictDevice(device_id), AdvanceClock(state.now + 2 * 3600), SubmitRequest(read)]
    walk = walks.play(state, actions, lambda _state, action, _number: action)
    assert walk.events == tuple(actions[:2])
    earlier = replace(read, period=ReadLogPeriod(start, start + 3600 - 1))  # 08:00-08:59: deleted, not open
    assert len(walks.play(state, [*actions[:2], SubmitRequest(earlier)], lambda _s, a, _n: a).events) == 3
