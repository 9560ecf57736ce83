"""REG-5 through the model's own validator: on every MDRA chain of one to
four appointments whose EFDs and ETDs lie in a bounded window of days (ETD
open or set, under both REG-12 options), exhaustively, the model's
``check_registration`` accepts the chain exactly when the encoding's load
check (``chain.valid``: ``encode.chain_link`` on every link, the chain of one
to four appointments) holds of it and the last appointment is open (the
abstraction's loads bring only that shape)."""

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
from mhhs_sec.proofs import chain
from mhhs_sec.proofs.inputs import reference_inputs
from mhhs_sec.proofs.symbolic import Ctx

BASE = dt.date(2025, 3, 20)
DAYS = range(0, 5)  # day offsets from BASE
CTX = Ctx(reference_inputs())
EFDS = tuple(z3.Int(f"efd{k}") for k in range(1, chain.N))
ETDS = tuple(z3.Int(f"etd{k}") for k in range(chain.N - 1))


@cache
def _load_check(exclusive: bool, length: int) -> z3.BoolRef:
    """The encoding's load check of a chain of ``length`` appointments from day 0."""
    parties = tuple(z3.IntVal(k % 2) for k in range(chain.N))
    loaded = chain.Chain(z3.IntVal(length), parties, (CTX.first, *EFDS), ETDS)
    fixed = [(CTX.first, z3.IntVal(0)), (CTX.on("etd"), z3.BoolVal(exclusive))]
    return z3.simplify(z3.substitute(chain.valid(CTX, loaded), *fixed))


def loads(exclusive: bool, days: tuple[tuple[int, int | None], ...]) -> bool:
    """The load check, evaluated by Z3 on an open-ended chain's (EFD, ETD) days."""
    efds = [efd for efd, _ in days[1:]]
    etds = [etd for _, etd in days[:-1] if etd is not None]  # every ETD but the last is set
    values = [*efds, *[0] * (len(EFDS) - len(efds)), *etds, *[0] * (len(ETDS) - len(etds))]
    fixed = [(v, z3.IntVal(x)) for v, x in zip((*EFDS, *ETDS), values, strict=True)]
    return z3.is_true(z3.simplify(z3.substitute(_load_check(exclusive, len(days)), *fixed)))


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
    for days in chains():
        predicate = days[-1][1] is None and loads(mode == "exclusive", days)
        if _accepted(days, mode) != predicate:
            found.append(days)
        if predicate:
            accepted.add(len(days))
        checked += 1
    print(f"REG-5: {checked} chains checked under ETD {mode}")
    assert found == []
    assert accepted == {1, 2, 3, 4} and checked > 1000  # chains of every length accepted, and refused
