"""Memoising a pure function of an immutable object by the object's identity.

The model's states are immutable and share their unchanged parts, so a value
derived from one part (the oldest retrieval a cache holds, say) can be kept
for as long as that very object lives.  The memo holds the object itself, so
its ``id`` cannot be reused by another object while the entry stands, and so a
memo should be small: everything it holds stays alive, and every full
collection of the garbage collector walks it.  Only pure data is memoised,
never the result of a rule (see docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class IdentityMemo(Generic[K, V]):
    """``memo(obj)`` is ``function(obj)``, computed once per object (at most
    ``limit`` objects are held; the memo is emptied when full)."""

    def __init__(self, function: Callable[[K], V], limit: int) -> None:
        self._function = function
        self._limit = limit
        self._held: dict[int, tuple[K, V]] = {}

    def __call__(self, obj: K) -> V:
        held = self._held.get(id(obj))
        if held is not None and held[0] is obj:
            return held[1]
        value = self._function(obj)
        if len(self._held) >= self._limit:  # not mutated: bounds memory only; every call returns the same value
            self._held.clear()
        self._held[id(obj)] = (obj, value)
        return value
