"""Fuzzed inputs for the mutants of the model's input reading.

The random walks hold valid events only, so they never run the code that
reads and refuses invalid input (the codec, the input checks).  A mutant of
that code whose line no walk executes is instead run on inputs fuzzed from the
committed vectors (:mod:`mhhs_sec.fuzz.mutate`, from a fixed seed): each input
is a vector's initial state and first event, one of them mutated.  What the
adapter protocol observes of each input is compared with the unmutated
model's: whether the event is refused, and then the refused requirement
(never the field path or the message: a vector compares neither,
docs/adapter-protocol.md "Refusals"), else its outputs on every observable.
No difference on any input: ``equivalent``, with the number of inputs as
evidence; a difference: ``survived``, with the distinguishing input (from
which a refusal vector can be written).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from mhhs_sec.fuzz.mutate import Corpus, RandomChooser, chance, mutate, pick

FUZZ_SEED: Final = 20251201
FUZZ_INPUTS: Final = 1000
# One input in STATE_SHARE fuzzes what ``reset`` reads, part by part.
STATE_SHARE: Final = 3
STATE_PARTS: Final = ("clock", "profile", "config", "users", "registrations", "devices", "schedules", "device_data")
# The model files that read input: their mutants no walk reaches are judged on fuzzed inputs
# (the codec and input checks; the input domain; device data runs, profile options, instants,
# registrations and the refusal they raise).
INPUT_FILES: Final = (
    "codec.py", "codec_fast.py", "validate.py", "domain.py", "meter.py", "profile.py", "clock.py", "registration.py",
    "errors.py",
)  # fmt: skip
# Inputs longer than this (in JSON characters) or nested deeper are left out:
# they check the size and depth limits of the message layer, not the model's
# reading, and only cost time (and deep ones cannot be passed back as evidence).
MAX_INPUT_CHARS: Final = 20_000
MAX_INPUT_DEPTH: Final = 40

Json = dict[str, Any]


@dataclass(frozen=True)
class FuzzedInput:
    """An initial state and the event stepped from it (one of them fuzzed),
    with what the unmutated model's answer shows (``observed``)."""

    initial_state: Json
    event: Any
    observed: Json | None = None


def _first_steps(vectors: Sequence[Any]) -> list[Any]:
    return [v for v in vectors if v.steps]


def _depth(value: Any) -> int:
    """How deep containers nest in ``value`` (without recursion: inputs may nest hundreds deep)."""
    deepest, waiting = 0, [(value, 0)]
    while waiting:
        node, depth = waiting.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is not None:
            deepest = max(deepest, depth + 1)
            waiting.extend((child, depth + 1) for child in children)
    return deepest


def _usable(state: Any, event: Any, original: Any) -> bool:
    import json

    if _depth(state) > MAX_INPUT_DEPTH or _depth(event) > MAX_INPUT_DEPTH:
        return False
    return len(json.dumps([state, event], default=str)) - len(json.dumps(original)) <= MAX_INPUT_CHARS


def inputs(vectors: Sequence[Any], count: int = FUZZ_INPUTS, seed: int = FUZZ_SEED) -> list[FuzzedInput]:
    """``count`` inputs fuzzed from the vectors: mostly a vector's first event
    mutated, one in STATE_SHARE times what ``reset`` reads instead."""
    usable = _first_steps(vectors)
    if not usable:
        return []
    strings = Corpus(list(usable)).strings
    chooser, found = RandomChooser(seed), list[FuzzedInput]()
    while len(found) < count:
        vector = pick(chooser, usable)
        state, event = vector.initial_state, vector.steps[0].event
        if chance(chooser, STATE_SHARE):
            state = _fuzzed_state(chooser, state, strings)
        else:
            event = mutate(chooser, event, strings).value
        if _usable(state, event, vector.initial_state):
            found.append(FuzzedInput(state, event))
    return found


def _fuzzed_state(chooser: RandomChooser, state: Json, strings: Sequence[str]) -> Json:
    """An initial state with one of its parts mutated, each part as likely
    (the clock, the profile, the service configuration, the users, the
    registrations, the inventory, the schedules, the device data runs; a
    part the vector leaves out is fuzzed from null, and left out when that stays null)."""
    part = pick(chooser, STATE_PARTS)
    value = mutate(chooser, state.get(part), strings).value
    return state if value is None and part not in state else {**state, part: value}


def observe(adapter: Any, given: FuzzedInput) -> Json:
    """What the protocol observes of one input: the refusal's field path and
    requirement, or the outputs (an untyped failure by its kind)."""
    from mhhs_sec.conformance.protocol import EventRejected

    from .runtime import StepBudgetExceeded

    try:
        adapter.reset(given.initial_state)
        outputs = adapter.step(given.event)
    except EventRejected as refusal:
        return {"refused": {"field": refusal.field, "requirement": refusal.requirement}}
    except (Exception, StepBudgetExceeded) as error:  # noqa: BLE001 - an untyped failure is observed as such
        return {"failure": type(error).__name__}
    return {"outputs": outputs}


def difference(expected: Json, actual: Json) -> list[str]:
    """How two observations differ (nothing when the protocol cannot tell them
    apart: two refusals differ only in their requirement, as a vector's
    ``refused`` step compares it alone)."""
    from mhhs_sec.vectors import OBSERVABLES, compare

    if "outputs" in expected and "outputs" in actual:
        return list(compare(expected["outputs"], actual["outputs"], OBSERVABLES))
    if "refused" in expected and "refused" in actual:
        wanted, got = expected["refused"]["requirement"], actual["refused"]["requirement"]
        return [] if wanted == got else [f"refused citing {got}, expected {wanted}"]
    return [] if expected == actual else [f"expected {expected}, got {actual}"]


def first_difference(adapter: Any, given: Sequence[FuzzedInput]) -> Json | None:
    """The first fuzzed input the adapter answers otherwise than the unmutated model."""
    for number, one in enumerate(given):
        actual = observe(adapter, one)
        assert one.observed is not None
        differences = difference(one.observed, actual)
        if differences:
            return {"fuzzed": number, "initial_state": one.initial_state, "event": one.event,
                    "expected": one.observed, "actual": actual, "differences": differences[:5]}  # fmt: skip
    return None
