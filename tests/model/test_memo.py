"""IdentityMemo (model/memo.py): one computation per object, never an answer
for another object, even one with equal content or a reused id.  No
requirement markers: plumbing, not a catalogue rule."""

from __future__ import annotations

from mhhs_sec.model.memo import IdentityMemo


def test_computed_once_per_object_and_never_shared() -> None:
    calls: list[dict[int, int]] = []

    def total(mapping: dict[int, int]) -> int:
        calls.append(mapping)
        return sum(mapping.values())

    memo = IdentityMemo(total, limit=2)
    first, twin = {1: 2}, {1: 2}
    assert memo(first) == 2 and memo(first) == 2
    assert len(calls) == 1  # the same object: computed once
    assert memo(twin) == 2 and len(calls) == 2  # equal content, another object: computed again
    third = {5: 5}
    assert memo(third) == 5  # the memo was full: emptied, then this one held
    assert memo(first) == 2 and len(calls) == 4  # dropped when emptied: computed again


def test_an_object_built_after_another_died_is_not_mistaken_for_it() -> None:
    memo = IdentityMemo(lambda mapping: sorted(mapping), limit=8)
    for n in range(50):  # fresh objects, many of which CPython would give a reused id
        assert memo({n: n}) == [n]
