"""The MPAN's MDRA appointment chain (REG-2, REG-3, REG-5, REG-6, REG-12): up
to :data:`N` appointments, each a party (the world's outgoing or incoming
MDRA, so a party may be appointed again), its EFD and, but for the last, its
ETD.  The first appointment is the outgoing MDRA's from the rigid first day
(``ctx.first``); the state's ``a_etd`` / ``b_efd`` are the first link (its
ETD, the next EFD), ``m_*`` the rest, and a load's ``new_*`` the same of the
chain it brings.

One definition of a link (:func:`chain_link`, REG-5) serves the load check,
the auxiliary invariant and the agreement with the model's validator; one
definition of who holds a day (:func:`holder_is`) serves access control and
the invariants; one list of MDRA changes (:func:`changes`) the clock, the
loads and SCH-3.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import z3

from .inputs import IN, OUT
from .symbolic import Ctx, SymEvent, SymState, first_of, zmax, zmin

N: Final = 4  # appointments in a chain (a longer one: see proofs/README.md)


@dataclass(frozen=True)
class Chain:
    """An MDRA chain: its length, each appointment's party and EFD, and the ETD
    of each appointment but the last (open, REG-5)."""

    length: z3.ArithRef
    parties: tuple[z3.ArithRef, ...]
    efds: tuple[z3.ArithRef, ...]
    etds: tuple[z3.ArithRef, ...]

    def used(self, k: int) -> z3.BoolRef:
        return self.length > k


def of_state(ctx: Ctx, st: SymState) -> Chain:
    return Chain(st.m_len, (z3.IntVal(OUT), st.m_p1, st.m_p2, st.m_p3), (ctx.first, st.b_efd, st.m_efd2, st.m_efd3),
                 (st.a_etd, st.m_etd1, st.m_etd2))  # fmt: skip


def of_event(ctx: Ctx, ev: SymEvent) -> Chain:
    return Chain(ev.new_len, (z3.IntVal(OUT), ev.new_p1, ev.new_p2, ev.new_p3),
                 (ctx.first, ev.new_efd, ev.new_efd2, ev.new_efd3), (ev.new_etd, ev.new_etd1, ev.new_etd2))  # fmt: skip


def state_fields(chain: Chain) -> dict[str, z3.ArithRef]:
    """The state fields holding ``chain`` (for ``SymState.replace``)."""
    _, p1, p2, p3 = chain.parties
    _, efd1, efd2, efd3 = chain.efds
    etd0, etd1, etd2 = chain.etds
    return {"m_len": chain.length, "m_p1": p1, "m_p2": p2, "m_p3": p3, "a_etd": etd0, "b_efd": efd1,
            "m_etd1": etd1, "m_efd2": efd2, "m_etd2": etd2, "m_efd3": efd3}  # fmt: skip


def same(a: Chain, b: Chain) -> z3.BoolRef:
    """Both chains name the same appointments (unused slots aside)."""
    parts = [a.length == b.length]
    for k in range(1, N):
        parts.append(z3.Implies(a.used(k), z3.And(a.parties[k] == b.parties[k], a.efds[k] == b.efds[k],
                                                  a.etds[k - 1] == b.etds[k - 1])))  # fmt: skip
    return z3.And(*parts)


def last_day(ctx: Ctx, etd: z3.ArithRef) -> z3.ArithRef:
    """REG-12: an appointment's last day (ETD inclusive, or the day before)."""
    return z3.If(ctx.on("etd"), etd - 1, etd)


def chain_link(ctx: Ctx, efd: z3.ArithRef, etd: z3.ArithRef, following_efd: z3.ArithRef) -> z3.BoolRef:
    """REG-5, REG-12 (model.registration._check_one, _check_adjacent): an
    appointment from ``efd`` to ``etd`` has a last day on or after its EFD, and
    the following appointment begins the day after that last day."""
    last = last_day(ctx, etd)
    return z3.And(last >= efd, following_efd == last + 1)


def valid(ctx: Ctx, chain: Chain) -> z3.BoolRef:
    """REG-5 (model.registration.check_registration): one to N appointments,
    each link well formed (:func:`chain_link`), the last open (the only shape
    the abstraction's loads bring)."""
    links = [z3.Implies(chain.used(k + 1), chain_link(ctx, chain.efds[k], chain.etds[k], chain.efds[k + 1]))
             for k in range(N - 1)]  # fmt: skip
    return z3.And(chain.length >= 1, chain.length <= N, *links)


def parties_known(chain: Chain) -> z3.BoolRef:
    """The abstraction's MDRAs: every appointment is the outgoing or the incoming MDRA's."""
    return z3.And(*[z3.Implies(chain.used(k), z3.Or(p == OUT, p == IN)) for k, p in enumerate(chain.parties)])


@dataclass(frozen=True)
class Span:
    """The days appointment ``k`` holds: from ``lo`` to ``hi`` (open: no end)."""

    used: z3.BoolRef
    lo: z3.ArithRef
    hi: z3.ArithRef
    open: z3.BoolRef

    def holds(self, day: z3.ArithRef) -> z3.BoolRef:
        return z3.And(self.used, self.lo <= day, z3.Or(self.open, day <= self.hi))


def spans(chain: Chain, lasts: Sequence[z3.ArithRef] | None = None) -> list[Span]:
    """REG-3, REG-6 (model.registration.party_on): the first appointment in the
    chain that covers a day holds it.  ``lasts``: the last days of all but the
    last slot as access control computes them (a seeded fault moves them);
    None: those of a well-formed chain (REG-5, ``aux.registration-well-formed``:
    the day before the next EFD), so appointment ``k`` holds its EFD to the day
    before the next one's."""
    out: list[Span] = []
    for k in range(N):
        if lasts is None:
            lo, hi = chain.efds[k], (chain.efds[k + 1] - 1 if k < N - 1 else chain.efds[k])
        else:
            lo = chain.efds[k] if k == 0 else zmax(chain.efds[k], out[-1].hi + 1)
            hi = lasts[k] if k < N - 1 else lo
        out.append(Span(chain.used(k), lo, hi, chain.length == k + 1))
    return out


def holder_is(chain: Chain, lasts: Sequence[z3.ArithRef] | None, party: z3.ArithRef, day: z3.ArithRef) -> z3.BoolRef:
    """REG-3, REG-6: ``party`` is the MDRA appointed on settlement day ``day``."""
    return z3.Or(*[z3.And(s.holds(day), p == party) for s, p in zip(spans(chain, lasts), chain.parties, strict=True)])


@dataclass(frozen=True)
class Authorised:
    """AC-3, AC-4 (model.access.check_registration) over the days [first, last]:
    none of them is the party's, all are, and the first and last that are."""

    none: z3.BoolRef
    all: z3.BoolRef
    first: z3.ArithRef
    last: z3.ArithRef


def authorised(
    chain: Chain, lasts: Sequence[z3.ArithRef] | None, party: z3.ArithRef, first: z3.ArithRef, last: z3.ArithRef
) -> Authorised:
    held = spans(chain, lasts)
    meets, lows, highs = [], [], []
    for s in held:
        lo, hi = zmax(first, s.lo), z3.If(s.open, last, zmin(last, s.hi))
        meets.append(z3.And(s.used, lo <= hi))
        lows.append(lo)
        highs.append(hi)
    mine = [z3.And(m, p == party) for m, p in zip(meets, chain.parties, strict=True)]
    others = [z3.And(m, p != party) for m, p in zip(meets, chain.parties, strict=True)]
    return Authorised(
        none=z3.Not(z3.Or(*mine)),
        all=z3.And(first >= held[0].lo, z3.Not(z3.Or(*others))),
        first=first_of(list(zip(mine, lows, strict=True)), first),
        last=first_of(list(zip(reversed(mine), reversed(highs), strict=True)), last),
    )


@dataclass(frozen=True)
class Change:
    """REG-3, SCH-3 (model.registration.mdra_changes): appointment ``k - 1``
    hands over to appointment ``k`` at the latter's EFD."""

    on: z3.BoolRef
    efd: z3.ArithRef
    outgoing: z3.ArithRef
    incoming: z3.ArithRef


def changes(chain: Chain, first_only: bool = False) -> list[Change]:
    """Each link where the MDRA changes hands (the party differs); with
    ``first_only`` (a seeded fault) only the first of them."""
    out: list[Change] = []
    for k in range(1, N):
        on = z3.And(chain.used(k), chain.parties[k - 1] != chain.parties[k])
        if first_only:
            on = z3.And(on, *[z3.Not(c.on) for c in out])
        out.append(Change(on, chain.efds[k], chain.parties[k - 1], chain.parties[k]))
    return out


def known(change: Change, before: Sequence[Change]) -> z3.BoolRef:
    """SCH-3: the MPAN had this very change (EFD, outgoing, incoming) before."""
    return z3.Or(*[z3.And(c.on, c.efd == change.efd, c.outgoing == change.outgoing, c.incoming == change.incoming)
                   for c in before])  # fmt: skip
