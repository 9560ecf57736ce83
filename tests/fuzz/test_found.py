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


@pytest.mark.parametrize("to", ["9999-12-31T23:-01:00", "0001-01-01T00:00:00+14:00"])
def test_an_instant_that_cannot_be_written_back_is_refused_naming_the_field(to: str) -> None:
    """The codec read an instant whose UTC date lies outside the years 1 to
    9999 (year 10000, year 0) and then failed with ValueError writing it back."""
    with pytest.raises(MalformedValue) as refused:
        decode_event({"event": "advance_clock", "to": to})
    assert refused.value.field == "event.to"
