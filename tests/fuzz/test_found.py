"""Inputs the fuzz harness found crashing the suite, each kept as a test of
its fix (``mhhs_sec/fuzz``, ``benchmarks/fuzz.py``)."""

from __future__ import annotations

import pytest
from mhhs_sec.model import MalformedValue
from mhhs_sec.model.codec import decode_device_data, decode_event

from mhhs_sec.fuzz.mutate import nested

DEEP = 5_000  # far past the interpreter's recursion limit


def test_a_deep_value_of_the_wrong_type_is_refused_naming_the_field() -> None:
    """The codec named the bad value by its whole repr: a value nested
    thousands of levels deep raised RecursionError instead of the typed error."""
    with pytest.raises(MalformedValue) as refused:
        decode_event({"event": "set_user", "user_id": nested(DEEP), "roles": ["IS"]})
    assert refused.value.field == "event.user_id"


def test_a_refusal_shows_a_huge_value_cut_short() -> None:
    """The typed error names the field, never the value of a large input."""
    huge = ["x" * 1_000_000] * 10
    with pytest.raises(MalformedValue) as refused:
        decode_event({"event": "read_audit_trail", "user_id": huge})
    assert len(str(refused.value)) < 1_000


def test_device_data_that_is_not_a_list_is_refused_whatever_its_depth() -> None:
    with pytest.raises(MalformedValue) as refused:
        decode_device_data({"runs": nested(DEEP)})
    assert refused.value.field == "initial_state.device_data"
