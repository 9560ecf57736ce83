"""The reference implementation: the model behind the adapter protocol.

:class:`ReferenceImplementation` keeps one model :class:`~mhhs_sec.model.State`
and answers ``reset`` / ``step`` with :func:`mhhs_sec.model.step` and the JSON
codec, so every adapter (in-process, ``mhhs-sec serve --stdio``,
``mhhs-sec serve --http``) reaches exactly the model.  It supports every
profile option value of the catalogue (``interp`` rows) and every observable.
"""

from __future__ import annotations

import marshal
from typing import Any, Final

from mhhs_sec.model import InvalidEvent, step
from mhhs_sec.model.codec import decode_device_data, decode_event, decode_state, encode_output
from mhhs_sec.model.profile import PROFILE_OPTIONS
from mhhs_sec.model.state import State, evolve

from .protocol import ANY_VALUE, EVENT_KINDS, Capabilities, EventRejected, Json

_MEMO_LIMIT: Final = 1024


def known_observables() -> tuple[str, ...]:
    """Every observable name the vector format defines (docs/vector-format.md)."""
    from mhhs_sec.vectors.format import OBSERVABLES

    return tuple(OBSERVABLES)


def full_capabilities(name: str) -> Capabilities:
    """All observables, every value of every profile option, every event."""
    profiles: dict[str, tuple[Any, ...]] = {}
    for option, (_requirement, values) in PROFILE_OPTIONS.items():
        # S1-1: the delay tolerance is a number of seconds, any value.
        profiles[option] = (ANY_VALUE,) if option == "daily_log_delay_tolerance_s" else values
    return Capabilities(name, known_observables(), profiles, EVENT_KINDS)


class ReferenceImplementation:
    """The model as an implementation under test (``--adapter reference``)."""

    name = "mhhs-sec reference model"

    def __init__(self) -> None:
        self._state: State | None = None
        self._decoded: dict[bytes, State] = {}
        self._decoded_rest: dict[bytes, State] = {}

    def _initial(self, initial_state: Json) -> State:
        """The decoded initial state, memoised by its exact content: states are
        immutable, and many vectors start from the same one.  The key is the
        ``marshal`` (format 0) form: type-tagged (``true`` is not ``1``),
        lossless, and, in format 0, free of object references and interning
        flags, so equal keys mean equal JSON values in the same key order
        (another order is only a miss).  Three times cheaper than sorted JSON."""
        try:
            key = marshal.dumps(initial_state, 0)
        except (TypeError, ValueError):
            return decode_state(initial_state)  # not plain data: the codec names the bad field
        state = self._decoded.get(key)
        if state is None:
            state = self._without_memo(initial_state)
            if len(self._decoded) >= _MEMO_LIMIT:
                self._decoded.clear()
            self._decoded[key] = state
        return state

    def _without_memo(self, initial_state: Json) -> State:
        """Decode an initial state not met before.  Vectors differ mostly in
        their device data: the rest (users, registrations, inventory,
        schedules, built through the model's ``step``) is memoised on its own,
        keyed the same way, and the device data decoded each time."""
        if not isinstance(initial_state, dict) or "device_data" not in initial_state:
            return decode_state(initial_state)
        rest = {k: v for k, v in initial_state.items() if k != "device_data"}
        key = marshal.dumps(rest, 0)
        state = self._decoded_rest.get(key)
        if state is None:
            state = decode_state(rest)
            if len(self._decoded_rest) >= _MEMO_LIMIT:
                self._decoded_rest.clear()
            self._decoded_rest[key] = state
        return evolve(state, device_data=decode_device_data(initial_state["device_data"]))

    def hello(self) -> Json:
        return full_capabilities(self.name).as_json()

    def reset(self, initial_state: Json) -> None:
        try:
            self._state = self._initial(initial_state)
        except InvalidEvent as error:
            raise EventRejected(error.field, error.requirement, error.message) from None

    def step(self, event: Json) -> list[Json]:
        if self._state is None:
            raise EventRejected("event", "INPUT", "no initial state: call reset first")
        try:
            self._state, outputs = step(self._state, decode_event(event))
        except InvalidEvent as error:
            raise EventRejected(error.field, error.requirement, error.message) from None
        return [encode_output(o) for o in outputs]
