"""``@frozen`` (model/frozen.py) makes the same values as
``@dataclass(frozen=True, slots=True)``: only the speed of ``__init__`` differs.
No requirement markers: this is the model's plumbing, not a catalogue rule."""

from __future__ import annotations

import dataclasses
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mhhs_sec.model.frozen import frozen, replacer

CHECKED: list[int] = []


@frozen
class Fast:
    a: int
    b: str = "x"
    c: tuple[int, ...] = ()
    d: list[int] = dataclasses.field(default_factory=list)

    def __post_init__(self) -> None:
        CHECKED.append(self.a)


@dataclasses.dataclass(frozen=True, slots=True)
class Plain:  # the same fields, made by dataclasses alone
    a: int
    b: str = "x"
    c: tuple[int, ...] = ()
    d: list[int] = dataclasses.field(default_factory=list)


@given(st.integers(), st.text(max_size=3), st.tuples(st.integers()), st.booleans())
def test_same_values_as_the_dataclass(a: int, b: str, c: tuple[int, ...], keywords: bool) -> None:
    fast = Fast(a=a, b=b, c=c) if keywords else Fast(a, b, c)
    plain = Plain(a=a, b=b, c=c) if keywords else Plain(a, b, c)
    assert dataclasses.astuple(fast) == dataclasses.astuple(plain)
    assert repr(fast).replace("Fast", "Plain") == repr(plain)
    assert fast == Fast(a, b, c) and fast != Fast(a + 1, b, c)
    assert _hash(fast) == _hash(Fast(a, b, c)) and (_hash(fast) is None) == (_hash(plain) is None)
    assert dataclasses.replace(fast, a=a + 1).a == a + 1
    assert pickle.loads(pickle.dumps(fast)) == fast


def _hash(value: object) -> int | None:
    try:
        return hash(value)
    except TypeError:  # the list field: unhashable, as the dataclass is
        return None


def test_defaults_factory_post_init_and_immutability() -> None:
    CHECKED.clear()
    first, second = Fast(1), Fast(2)
    assert (first.b, first.c, first.d) == ("x", (), [])
    assert first.d is not second.d  # a fresh list from the factory for each value
    assert CHECKED == [1, 2]  # __post_init__ ran for each
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.a = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        Fast()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Fast(1, unknown=2)  # type: ignore[call-arg]


@given(st.integers(), st.text(max_size=3), st.integers())
def test_replacer_is_dataclasses_replace(a: int, b: str, new_a: int) -> None:
    value = Fast(a, b, (a,))
    replace = replacer(Fast)
    assert replace(value, a=new_a) == dataclasses.replace(value, a=new_a)
    assert replace(value) == value and replace(value) is not value
    assert replace(value, b="y").c is value.c  # fields not named are shared
    with pytest.raises(TypeError):
        replace(value, unknown=1)
