"""The harness itself: a failure is counted by kind and kept, and a kept
input is minimised to what still fails the same way."""

from __future__ import annotations

from typing import Any

from mhhs_sec.fuzz.harness import fuzz, minimise
from mhhs_sec.fuzz.mutate import Chooser
from mhhs_sec.fuzz.targets import ACCEPTED, REFUSED, BadAnswer, Case

BIG = {"event": "submit", "request": {"device_id": "00-DB", "period": {"start": "a", "end": "b"}, "user_id": "x" * 99}}


class _Fragile:
    """Fails untyped on any input holding a request period, answers badly on
    a set_user, refuses the rest: the inputs it makes take turns."""

    name = "fragile"

    def __init__(self) -> None:
        self.made = 0

    def make(self, chooser: Chooser) -> Case:
        self.made += 1
        payloads: list[Any] = [BIG, {"event": "set_user"}, {"event": "advance_clock"}, {"event": "x"}]
        return Case("event", payloads[self.made % 4])

    def run(self, case: Case) -> str:
        payload = case.payload
        if isinstance(payload, dict) and "period" in (payload.get("request") or {}):
            raise KeyError("period")
        if payload == {"event": "set_user"}:
            raise BadAnswer("set_user answered twice")
        return ACCEPTED if payload == {"event": "x"} else REFUSED

    def close(self) -> None:
        pass


def test_failures_are_counted_by_kind_and_kept() -> None:
    tally = fuzz(_Fragile(), 8, seed=1, keep=1)
    counts = (tally.inputs, tally.untyped, tally.bad_answers, tally.refused, tally.accepted, tally.hangs)
    assert counts == (8, 2, 2, 2, 2, 0)
    assert sorted(kind for kind, *_ in (kept[0] for kept in tally.failures.values())) == ["bad-answer", "untyped"]


def test_a_kept_input_is_minimised_to_what_still_fails() -> None:
    target = _Fragile()
    tally = fuzz(target, 4, seed=1, keep=1)
    key = next(key for key in tally.failures if key.startswith("untyped"))
    smallest = minimise(target, tally.failures[key][0][1], key, None)
    assert smallest.payload == {"request": {"period": {}}}
