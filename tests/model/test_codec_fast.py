"""The codec's fast paths (``model/codec_fast.py``) against the strict codec,
the oracle: on the committed vectors and on systematic mutations of them, the
fast path either defers (None / False) or gives what the strict codec gives;
it never accepts what the strict codec refuses.  No requirement markers: the
codec's speed path is not a catalogue rule, and the trace should not list it
as evidence for one."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from mhhs_sec.model import codec, codec_fast
from mhhs_sec.model.errors import InvalidEvent
from mhhs_sec.vectors import answers, load_vectors

# Values of every JSON type, including the ones the strict reader refuses
# (bool where an int is due, a float, a bad instant, an empty object).
ODD_VALUES: tuple[Any, ...] = (None, True, 0, 1.5, "x", "2025-13-01T00:00:00Z", "2025-03-30", [], {}, ["I0"])


@pytest.fixture(scope="module")
def samples() -> tuple[list[Any], list[Any]]:
    """Distinct events and outputs of the committed vectors (one per kind and
    shape, so the mutations stay few)."""
    events: dict[tuple[Any, ...], Any] = {}
    outputs: dict[tuple[Any, ...], Any] = {}
    for vector in load_vectors(None, strict=False):
        for step in vector.steps:
            events.setdefault(_shape_key(step.event), step.event)
            for expected in step.expected:
                output = getattr(expected, "output", expected)
                outputs.setdefault(_shape_key(output), output)
    return list(events.values()), list(outputs.values())


def _shape_key(data: Any) -> tuple[Any, ...]:
    if isinstance(data, dict):
        return tuple(sorted((k, _shape_key(v)) for k, v in data.items()))
    if isinstance(data, list):
        return ("list", bool(data)) + (_shape_key(data[0]) if data else ())
    return (type(data).__name__, data is None)


def _mutations(data: Any) -> Iterator[Any]:
    """Copies of ``data`` with one change: a key dropped, an unknown key added,
    or one value (at any depth) replaced by each of ODD_VALUES."""
    for path in _paths(data):
        parent = _at(data, path[:-1])
        key = path[-1]
        if isinstance(parent, dict):
            dropped = copy.deepcopy(data)
            del _at(dropped, path[:-1])[key]
            yield dropped
        for value in ODD_VALUES:
            changed = copy.deepcopy(data)
            _at(changed, path[:-1])[key] = value
            yield changed
    for path in [p for p in [(), *_paths(data)] if isinstance(_at(data, p), dict)]:
        extra = copy.deepcopy(data)
        _at(extra, path)["unknown"] = 1
        yield extra
    yield [data]


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        yield (*prefix, key)
        yield from _paths(value, (*prefix, key))


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


def _strict_event(data: Any) -> Any:
    try:
        return codec.decode_event_strict(data)
    except InvalidEvent:
        return "refused"


def _strict_output_ok(data: Any) -> bool:
    try:
        answers.decode_output(data)
    except InvalidEvent:
        return False
    return True


def test_fast_event_path_takes_the_vector_events_and_equals_the_strict_codec(samples: Any) -> None:
    events, _ = samples
    decoded = [(e, codec_fast.event(e)) for e in events]
    assert any(fast is not None for _, fast in decoded), "the fast path never applies"
    for event, fast in decoded:
        assert fast is None or fast == codec.decode_event_strict(event), event


def test_fast_event_path_never_accepts_what_the_strict_codec_refuses(samples: Any) -> None:
    events, _ = samples
    for event in events:
        for mutated in _mutations(event):
            fast = codec_fast.event(mutated)
            assert fast is None or fast == _strict_event(mutated), mutated


def test_fast_output_check_accepts_the_vector_outputs(samples: Any) -> None:
    _, outputs = samples
    assert outputs
    for output in outputs:
        assert _strict_output_ok(output)
        assert answers.output_ok(output), output


def test_fast_output_check_never_accepts_what_the_strict_codec_refuses(samples: Any) -> None:
    _, outputs = samples
    refused = 0
    for output in outputs:
        for mutated in _mutations(output):
            strict = _strict_output_ok(mutated)
            refused += not strict
            assert not answers.output_ok(mutated) or strict, mutated
    assert refused, "no mutation was refused: the oracle is vacuous"
