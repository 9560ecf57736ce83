"""REG-5 through the model's own validator: on every MDRA chain of one to
four appointments whose EFDs and ETDs lie in a bounded window of days (ETD
open or set, under both REG-12 options), exhaustively, the model's
``check_registration`` accepts the chain exactly when the encoding's REG-5
predicate (``encode.chain_link``, what a registration load checks) holds of
every link and the last appointment is open."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from functools import cache

import pytest
import z3
from mhhs_sec.model.entities import Appointment, Registration
from mhhs_sec.model.errors import InvalidEvent
from mhhs_sec.model.registration import check_registration
from mhhs_sec.proofs import encode
from mhhs_sec.proofs.inputs import reference_inputs
from mhhs_sec.proofs.symbolic import Ctx

BASE = dt.date(2025, 3, 20)
DAYS = range(0, 5)  # day offsets from BASE
CTX = Ctx(reference_inputs())
SOLVER = z3.Solver()


@cache
def link(exclusive: bool, efd: int, etd: int, following_efd: int) -> bool:
    """The encoding's REG-5 predicate on one link, evaluated by Z3."""
    SOLVER.push()
    try:
        SOLVER.add(CTX.on("etd") == exclusive, encode.chain_link(CTX, z3.IntVal(efd), z3.IntVal(etd),
                                                                z3.IntVal(following_efd)))  # fmt: skip
        return SOLVER.check() == z3.sat
    finally:
        SOLVER.pop()


def chains() -> Iterator[tuple[tuple[int, int | None], ...]]:
    """(EFD, ETD) offsets: the first EFD fixed, later ones anywhere in the window."""
    for length in (1, 2, 3, 4):
        for rest in itertools.product(DAYS, repeat=2 * length - 2):  # the ETD of each but the last, the next EFD
            yield from _with_last((0, *rest[1::2]), (*rest[0::2], None))


def _with_last(efds: tuple[int, ...], etds: tuple[int | None, ...]) -> Iterator[tuple[tuple[int, int | None], ...]]:
    yield tuple(zip(efds, etds, strict=True))
    for closed in DAYS:  # the last appointment given an ETD: never accepted (REG-5)
        yield tuple(zip(efds, (*etds[:-1], closed), strict=True))


def _accepted(chain: tuple[tuple[int, int | None], ...], mode: str) -> bool:
    day = BASE.__add__
    mdras = tuple(Appointment(f"P{n}", day(dt.timedelta(efd)), None if etd is None else day(dt.timedelta(etd)))
                  for n, (efd, etd) in enumerate(chain))  # fmt: skip
    registration = Registration("1200000000001", (Appointment("S", BASE),), mdras)
    try:
        check_registration(registration, mode)
    except InvalidEvent:
        return False
    return True


@pytest.mark.req("REG-5", "REG-2", "REG-12")
@pytest.mark.parametrize("mode", ["inclusive", "exclusive"])
def test_the_models_validator_and_the_encodings_predicate_agree_on_every_bounded_chain(mode: str) -> None:
    checked, found, accepted = 0, [], set()
    for chain in chains():
        links = all(
            etd is not None and link(mode == "exclusive", efd, etd, following)
            for (efd, etd), (following, _) in zip(chain, chain[1:], strict=False)
        )
        predicate = links and chain[-1][1] is None
        if _accepted(chain, mode) != predicate:
            found.append(chain)
        if predicate:
            accepted.add(len(chain))
        checked += 1
    print(f"REG-5: {checked} chains checked under ETD {mode}")
    assert found == []
    assert accepted == {1, 2, 3, 4} and checked > 1000  # chains of every length accepted, and refused
