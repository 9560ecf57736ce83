"""JSON from outside the process: nesting is measured before decoding, and the
measure agrees with the decoded value's depth (brackets in strings, escapes)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mhhs_sec.bounded_json import MAX_DEPTH, TooDeep, loads, nesting_depth

_TEXT = st.text(alphabet=st.sampled_from('ab"\\[]{}/\n\u00e9'), max_size=8)
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=30,
)


def _depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    return 0


@given(_VALUES, st.booleans())
def test_measured_depth_is_the_values_depth(value: Any, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only).encode()
    assert nesting_depth(text) == _depth(value)
    assert loads(text) == value


def test_deeper_than_the_limit_is_refused_before_decoding() -> None:
    assert loads(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH) is not None
    for text in (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), b"[" * 100_000, b'{"a":' * 5000):
        with pytest.raises(TooDeep):
            loads(text)
