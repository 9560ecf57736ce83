"""Named proof obligations: each invariant stated over what a party observes
(responses, the entries they carry, cache contents, schedules, alerts), tagged
with its catalogue IDs.

An obligation has a *state* part P(s) (must hold in every reachable state) and
a *step* part Q(s, e, o, s') (must hold of every output of every reachable
step); either may be absent.  ``witness`` is the hypothesis whose
satisfiability shows the obligation is not vacuous.  Auxiliary invariants
(``aux=True``) strengthen the others to make the conjunction inductive.

The invariants read the catalogue's figures (25 h, 24 h, 30 s) and the real
tables of :mod:`mhhs_sec.model.tables`, never the encoding's (possibly faulty)
:class:`~.inputs.Inputs`, so a seeded fault in the encoding is caught.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

import z3
from mhhs_sec.model.rules import NEVER_FOR_SETTLEMENT, trt_cells
from mhhs_sec.model.tables import CACHE, HOUR, MDR_SRV_IDS, SRVS, TRT_TABLE

from . import chain, encode, schedules
from .inputs import IN, OUT, ROLES, SRV_IDS
from .symbolic import SUBMIT, Ctx, SymEvent, SymOut, SymState, code, gen, kind, member, role, srv

StateFn = Callable[[Ctx, SymState], z3.BoolRef]
StepFn = Callable[[Ctx, SymState, SymEvent, SymOut, SymState], z3.BoolRef]

TRT_MHHS_S: Final = 24 * HOUR  # TRT-2: 'a 24 h TRT whatever the sender's role'
TRT_READ_INVENTORY_S: Final = 30  # TRT-3: '8.2 ... 30 s for every user and every device generation'
MDR = role("MDR")
I0 = code("I0")


@dataclass(frozen=True)
class Obligation:
    """A named invariant and the catalogue IDs it checks."""

    name: str
    requirements: tuple[str, ...]
    statement: str
    state: StateFn | None = None
    step: StepFn | None = None
    witness: StepFn | None = None
    profile: dict[str, bool] = field(default_factory=dict)  # option -> takes its non-default value
    aux: bool = False

    def applies(self, ctx: Ctx) -> z3.BoolRef:
        return z3.And(*[ctx.on(o) == v for o, v in self.profile.items()]) if self.profile else z3.BoolVal(True)

    def holds(self, ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
        """P(s') and Q(s, e, o, s')."""
        parts = [z3.BoolVal(True)]
        if self.state is not None:
            parts.append(self.state(ctx, s2))
        if self.step is not None:
            parts.append(self.step(ctx, s, e, o, s2))
        return z3.Implies(self.applies(ctx), z3.And(*parts))


def accepted(o: SymOut) -> z3.BoolRef:
    return z3.And(o.on, o.code == I0)


# ---- the invariants ----------------------------------------------------------------


def _chain(ctx: Ctx, s: SymState) -> tuple[chain.Chain, list[z3.ArithRef]]:
    # the MDRA chain and its appointments' last days (REG-12), as the catalogue has them
    return chain.of_state(ctx, s), [chain.last_day(ctx, etd) for etd in (s.a_etd, s.m_etd1, s.m_etd2)]


def _changes(ctx: Ctx, s: SymState) -> list[chain.Change]:
    return chain.changes(chain.of_state(ctx, s))


def _reg4(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    # REG-4: data an outgoing MDRA receives are of days before the EFD of the
    # MDRA that followed it, unless it is appointed again on that day
    day = ctx.day_of(ctx.ts_w)
    chain_s, lasts = _chain(ctx, s)
    again = chain.holder_is(chain_s, lasts, o.user, day)
    got = z3.And(accepted(o), o.has_ts)
    return z3.And(*[z3.Implies(z3.And(got, c.on, o.user == c.outgoing, day >= c.efd), again)
                    for c in _changes(ctx, s)])  # fmt: skip


def _reg4_witness(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    return z3.And(accepted(o), o.user == OUT, o.has_ts, ctx.day_of(ctx.ts_w) == s.b_efd - 1, s.m_len >= 2,
                  s.m_p1 == IN)  # fmt: skip


def _within_c5(ctx: Ctx, read_at: z3.ArithRef, at: z3.ArithRef) -> z3.BoolRef:
    # C-5, C-11: held at most 25 h after the device read; at exactly 25 h expired unless the inclusive option
    age = at - read_at
    return z3.If(ctx.on("cache_boundary"), age <= CACHE.max_age_s, age < CACHE.max_age_s)


def _c5_state(ctx: Ctx, s: SymState) -> z3.BoolRef:
    # C-5: age counts from the device read (the ghost c_read), and the held
    # entry's retrieval instant is that read, so both measures agree
    return z3.Implies(s.c_on, z3.And(s.c_at == s.c_read, _within_c5(ctx, s.c_read, s.now)))


def _c5_step(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    return z3.Implies(o.ts_cached, _within_c5(ctx, s.c_read, o.at))


def _c5_witness(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    return z3.And(o.ts_cached, o.at - s.c_read >= CACHE.max_age_s - HOUR)


def _c7(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    # C-7: the same request against the same state with an empty cache (the
    # device answering) gives the party the same entry; C-4: and while the
    # entry is held, whatever the device would give the party, it gets
    # (C-7 sets the device's restriction aside: it bounds what the device holds, not who may have it)
    _, _, o_device = encode.step(ctx, s.replace(c_on=z3.BoolVal(False), r_at=z3.IntVal(-1)), e)
    _, _, o_held = encode.step(ctx, s.replace(c_on=z3.BoolVal(False)), e)
    from_device = z3.And(o_device.on, o_device.code == I0, o_device.has_ts)
    held_device = z3.And(o_held.on, o_held.code == I0, o_held.has_ts)
    return z3.And(z3.Implies(o.ts_cached, from_device), z3.Implies(z3.And(s.c_on, held_device), o.has_ts))


def _served(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    return o.ts_cached


def _cache_scope(ctx: Ctx, s: SymState) -> z3.BoolRef:
    # C-1, C-2, C-6: an entry is held only for 4.6.1 / 4.8.1 / 4.8.3 of a SMETS1
    # ESME with an active DSP Schedule for that SRV
    return z3.Implies(
        s.c_on,
        z3.And(
            member(ctx.srv_w, [SRV_IDS.index(x) for x in CACHE.srvs]),
            ctx.gen == gen("SMETS1"),
            ctx.kind == kind("ESME"),
            z3.Or(*[z3.And(x.on, x.srv == ctx.srv_w) for x in schedules.slots(s)]),
        ),
    )


def _count(s: SymState, which: Callable[[schedules.Slot], z3.BoolRef]) -> z3.ArithRef:
    """How many of the state's schedules are ``which`` (a step creates one
    schedule or removes some, never both)."""
    return z3.Sum(*[z3.If(z3.And(x.on, which(x)), 1, 0) for x in schedules.slots(s)])


def _c6_step(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    # C-6: when a schedule for the watched SRV is removed, the entry cached
    # before goes, even while another schedule for it remains (an entry held
    # after was read from the device in this step, after the removal)
    def watched(x: schedules.Slot) -> z3.BoolRef:
        return x.srv == ctx.srv_w

    removed = _count(s2, watched) < _count(s, watched)
    return z3.Implies(removed, z3.Or(z3.Not(s2.c_on), s2.c_read > s.now))


def _held(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    return s2.c_on


# The SRV sets the invariants name, read by the Z3 form here and by the
# runtime checks on the model's concrete steps (runtime.py).
_S1_CELLS: Final = ("existing_s1_sched", "existing_s1_od", "mhhs_s1_sched", "mhhs_s1_od")
NA_FOR_SMETS1: Final = frozenset(r.srv for r in TRT_TABLE if all(getattr(r, c) is None for c in _S1_CELLS))  # AC-8
TABLE3_READS: Final = frozenset(r.srv for r in TRT_TABLE if SRVS[r.srv].device_request)  # TRT-2


def _na_for_smets1() -> list[int]:
    # AC-8: SRVs whose every SMETS1 cell of Table 3 is N/A
    return [SRV_IDS.index(x) for x in sorted(NA_FOR_SMETS1)]


def _mdr_access(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    return z3.Implies(
        z3.And(accepted(o), o.role == MDR),
        z3.And(
            member(o.srv, [SRV_IDS.index(x) for x in MDR_SRV_IDS]),  # AC-1
            z3.Not(z3.And(o.srv == srv("4.1.1"), ctx.gen != gen("SMETS1"))),  # AC-6
            ctx.kind == kind("ESME"),  # AC-7: every MDR request, 5.2 / 5.3 and a 5.1's SRV included
            z3.Not(z3.And(ctx.gen == gen("SMETS1"), member(o.srv, _na_for_smets1()))),  # AC-8
        ),
    )


def _mdr_accepted(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    return z3.And(accepted(o), o.role == MDR, o.srv == srv("4.1.1"))


def _flags(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    # FS-2: accepted MDR requests carry ForSettlement = true; FS-4: NO / OU never do
    # the flag as sent: a schedule's, the submitted request's, or that of the queued work executing
    sent = z3.If(o.scheduled, o.eff_flag, z3.If(e.kind == SUBMIT, e.flag, s.w_flag))
    never = member(o.role, [ROLES.index(r) for r in NEVER_FOR_SETTLEMENT])
    return z3.Implies(accepted(o), z3.And(z3.Implies(o.role == MDR, sent), z3.Implies(never, z3.Not(sent))))


def _flags_coerced(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    # FS-5 'coerce': a request breaking FS-2 / FS-4 is answered with the flag the
    # rule says: the effective flag of an accepted MDR request is true, of NO / OU false
    never = member(o.role, [ROLES.index(r) for r in NEVER_FOR_SETTLEMENT])
    return z3.Implies(accepted(o), z3.And(z3.Implies(o.role == MDR, o.eff_flag), z3.Implies(never, z3.Not(o.eff_flag))))


def _coerced_witness(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    return z3.And(accepted(o), o.role == MDR, z3.Not(o.scheduled), z3.Not(e.flag))


def _flag_witness(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    return z3.And(accepted(o), o.role == MDR, z3.Not(o.scheduled))


def _table3_reads() -> list[int]:
    return [SRV_IDS.index(x) for x in sorted(TABLE3_READS)]


def _trt_mhhs(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    # TRT-2: every accepted MHHS data request has a 24 h TRT, whoever sent it
    return z3.Implies(z3.And(accepted(o), o.eff_flag, member(o.srv, _table3_reads())), o.trt == TRT_MHHS_S)


# TRT-1: every cell of Table 3 (after amendment), read from the model's tables:
# (SRV, generation, mode, purpose) -> seconds, None where N/A.
TABLE3_CELLS: Final = {
    (str(c["srv"]), str(c["generation"]), str(c["mode"]), str(c["purpose"])): c["trt_s"] for c in trt_cells()
}


def _trt_cells(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    # TRT-1: an accepted request of an SRV of Table 3 has the TRT of its cell
    # (SRV, device generation, scheduled / on demand, MHHS / existing); an N/A
    # cell is never answered.  5.2 / 5.3 read no device: their cell is the
    # SMETS2 one (the row's two generations agree).
    cells = []
    for (x, g, m, p), seconds in sorted(TABLE3_CELLS.items()):
        generation = gen("SMETS2") if x in ("5.2", "5.3") else ctx.gen
        cell = z3.And(
            o.srv == srv(x),
            generation == gen(g),
            o.scheduled if m == "scheduled" else z3.Not(o.scheduled),
            o.eff_flag if p == "mhhs" else z3.Not(o.eff_flag),
        )
        cells.append(z3.Implies(cell, z3.BoolVal(False) if seconds is None else o.trt == seconds))
    return z3.Implies(accepted(o), z3.And(*cells))


def _trt_cells_witness(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    return z3.And(accepted(o), o.scheduled, z3.Not(o.eff_flag), ctx.gen == gen("SMETS1"))


def _trt_mhhs_witness(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    return z3.And(accepted(o), o.eff_flag, member(o.srv, _table3_reads()), o.role == role("IS"))


def _trt_inventory(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    # TRT-3: 8.2 has a 30 s TRT for every user and every device generation
    return z3.Implies(z3.And(accepted(o), o.srv == srv("8.2")), o.trt == TRT_READ_INVENTORY_S)


def _inventory_witness(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    return z3.And(accepted(o), o.srv == srv("8.2"), ctx.gen == gen("SMETS1"))


def _sch3_state(ctx: Ctx, s: SymState) -> z3.BoolRef:
    # SCH-3: once the EFD of each MDRA change has begun, its outgoing MDRA
    # holds no MDR schedule created before it
    parts = []
    for c in _changes(ctx, s):
        start = ctx.day_start(c.efd)
        for x in schedules.slots(s):
            held = z3.And(x.on, x.role == MDR, c.on, x.owner == c.outgoing, x.created < start)
            parts.append(z3.Implies(held, s.now < start))
    return z3.And(*parts)


def _sch3_step(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    # SCH-3 'keep', AC-3: once the EFD has begun, a run of the outgoing MDRA's
    # schedule held before it is refused, unless it is appointed again on the run day
    run = z3.And(accepted(o), o.scheduled, o.sched_owner_role == MDR)
    chain_s, lasts = _chain(ctx, s)
    again = chain.holder_is(chain_s, lasts, o.user, ctx.day_of(o.at))
    parts = []
    for c in _changes(ctx, s):
        start = ctx.day_start(c.efd)
        ended = z3.And(run, c.on, o.user == c.outgoing, o.sched_created < start, start <= o.at)
        parts.append(z3.Implies(ended, again))
    return z3.And(*parts)


def _sch3_alert(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    # SCH-3: a schedule deleted at an EFD is alerted to its outgoing MDRA (its
    # owner), and an alert names an MDR schedule deleted in this step
    def mdr(x: schedules.Slot) -> z3.BoolRef:
        return x.role == MDR

    deleted = _count(s2, mdr) < _count(s, mdr)
    at_efd = []
    for c in _changes(ctx, s2):
        start = ctx.day_start(c.efd)

        def ended(x: schedules.Slot, c: chain.Change = c, start: z3.ArithRef = start) -> z3.BoolRef:
            return z3.And(x.role == MDR, c.on, x.owner == c.outgoing, x.created < start, start <= s2.now)

        at_efd.append(_count(s2, ended) < _count(s, ended))
    return z3.And(z3.Implies(z3.And(z3.Or(*at_efd), e.kind != SUBMIT), o.alert),
                  z3.Implies(o.alert, deleted))  # fmt: skip


def _sch3_delete_step(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    return z3.And(_sch3_step(ctx, s, e, o, s2), _sch3_alert(ctx, s, e, o, s2))


def _sch3_witness(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    return z3.And(accepted(o), o.scheduled, o.user == OUT, o.sched_owner_role == MDR)


def _reg5_state(ctx: Ctx, s: SymState) -> z3.BoolRef:
    # REG-5: on every day from the first appointment on, exactly one of the two
    # MDRAs is accepted as MDRA of the MPAN
    day = z3.Int(f"{ctx.tag}forall.day")
    hits = []
    for party in (OUT, IN):
        req = encode.Request(z3.IntVal(party), z3.IntVal(MDR), z3.IntVal(0), z3.BoolVal(True), day, day)
        reject, _, _ = encode.registration_check(ctx, s, req, day, day)
        hits.append(z3.If(reject, 0, 1))
    return z3.Implies(day >= ctx.first, hits[0] + hits[1] == 1)


def _reg5_step(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    # REG-5: a refused load leaves the previous registration intact
    return z3.Implies(o.reg_refused, chain.same(chain.of_state(ctx, s2), chain.of_state(ctx, s)))


def _reg5_witness(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    return z3.And(e.kind == 2, z3.Not(o.reg_refused), s2.b_efd != s.b_efd)


# ---- auxiliary invariants (strengthening) ----------------------------------------------


def _aux_cache(ctx: Ctx, s: SymState) -> z3.BoolRef:
    entry = z3.And(86400 * ctx.comm <= ctx.ts_w, ctx.ts_w <= s.c_at, s.c_at <= s.now)
    return z3.And(z3.Implies(s.c_on, entry), s.hw >= -1)


def _aux_registration(ctx: Ctx, s: SymState) -> z3.BoolRef:
    # REG-2, REG-5: the loaded MDRA chain is well formed, of the world's two MDRAs
    chain_s = chain.of_state(ctx, s)
    return z3.And(chain.valid(ctx, chain_s), chain.parties_known(chain_s))


def _aux_schedule(ctx: Ctx, s: SymState) -> z3.BoolRef:
    # a run may be due now (an advance ran other work due then); slot 1 is
    # used only while slot 0 is (proofs/schedules.py)
    parts = [z3.Implies(s.t_on, s.s_on)]
    for x in schedules.slots(s):
        schedulable = member(x.srv, [SRV_IDS.index(n) for n, v in SRVS.items() if v.schedulable])
        ahead = encode.due(ctx, x.next, x.role) >= s.now
        parts.append(z3.Implies(x.on, z3.And(ahead, schedulable, x.created <= s.now, x.start <= x.next)))
    return z3.And(*parts)


def _aux_queued(ctx: Ctx, s: SymState) -> z3.BoolRef:
    # SCH-4, SCH-5: queued work is still to come (a retry before its cut-off),
    # and a retried run belongs to the schedule there is (a removed schedule's
    # retries go with it) and reads a day ended before it is retried (SCH-1)
    a, b = schedules.slots(s)
    x = b.ite(s.w_slot == 1, a)
    run = z3.And(z3.Or(s.w_slot == 0, s.w_slot == 1), x.on, s.w_user == x.owner, s.w_role == x.role,
                 s.w_srv == x.srv, s.w_flag == x.flag, s.w_created == x.created, s.w_cut >= 0,
                 s.w_pe < s.w_due)  # fmt: skip
    retry = z3.Or(s.w_cut == -1, s.w_due < s.w_cut)
    return z3.Implies(s.w_on, z3.And(s.w_due > s.now, retry, z3.Implies(s.w_sched, run)))


def _queued(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    return s2.w_on


def _aux_clock(ctx: Ctx, s: SymState) -> z3.BoolRef:
    return z3.And(s.now >= 0, ctx.comm >= 0, ctx.first >= 0)


def _true(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    return z3.BoolVal(True)


def _some_run(ctx: Ctx, s: SymState, e: SymEvent, o: SymOut, s2: SymState) -> z3.BoolRef:
    return z3.And(o.scheduled, s2.s_on)


# Each obligation is also a runtime check on the model's concrete steps, by
# the same name (runtime.CHECKS[name]), over every MPAN, device, schedule and
# cache entry and every path (retries, held work, several schedules):
# tests/proofs/test_runtime.py shows the two forms agree.
OBLIGATIONS: Final[tuple[Obligation, ...]] = (
    Obligation("outgoing-mdra-no-data-from-efd[uk]", ("REG-4", "REG-3", "REG-8"),
               "no response gives an outgoing MDRA an entry of a settlement day on or after the EFD of the MDRA "
               "that followed it, unless it is appointed again on that day (UK settlement days)", step=_reg4,
               witness=_reg4_witness, profile={"settlement_tz": False}),
    Obligation("outgoing-mdra-no-data-from-efd[utc]", ("REG-4", "REG-3", "REG-8"),
               "as above, under the UTC settlement-day profile", step=_reg4, witness=_reg4_witness,
               profile={"settlement_tz": True}),
    Obligation("cache-held-at-most-25h", ("C-5", "C-11"),
               "no cache entry is held, or served, 25 h or more after the device was read for it (<= 25 h "
               "under C-11 'inclusive'), and a held entry's retrieval instant is that device read",
               state=_c5_state, step=_c5_step, witness=_c5_witness),
    Obligation("cache-never-bypasses-access", ("C-7", "C-4", "AC-3"),
               "a party receives a cached entry only if the device would have given it that entry",
               step=_c7, witness=_served),
    Obligation("cache-scope", ("C-1", "C-2", "C-6"),
               "a cache entry exists only for 4.6.1/4.8.1/4.8.3 of a SMETS1 ESME with an active DSP Schedule "
               "for that SRV, and goes when a schedule for that SRV is removed, even while another remains",
               state=_cache_scope, step=_c6_step, witness=_held),
    Obligation("mdr-requests-within-table-2", ("AC-1", "AC-6", "AC-7", "AC-8"),
               "no accepted MDR request is for an SRV outside 002 Table 2, 4.1.1 on SMETS2, a GSME, or an SRV "
               "N/A for SMETS1 on a SMETS1 device", step=_mdr_access, witness=_mdr_accepted),
    Obligation("for-settlement-flag-rules", ("FS-2", "FS-4", "FS-5"),
               "no accepted request breaks FS-2 / FS-4 (default FS-5 profile: reject)", step=_flags,
               witness=_flag_witness, profile={"flag_violation": False}),
    Obligation("for-settlement-flag-rules[coerce]", ("FS-2", "FS-4", "FS-5"),
               "every accepted request is answered with the flag FS-2 / FS-4 say (FS-5 profile: coerce; an MDR "
               "request sent without it is answered as MHHS)", step=_flags_coerced, witness=_coerced_witness,
               profile={"flag_violation": True}),
    Obligation("mhhs-trt-24h-any-role", ("TRT-2", "TRT-1"),
               "every accepted MHHS data request (an SRV of Table 3) has a 24 h TRT, whatever the sender's role",
               step=_trt_mhhs, witness=_trt_mhhs_witness),
    Obligation("trt-per-table-3-cell", ("TRT-1", "AC-8"),
               "every accepted request of an SRV of 002 Table 3 has the TRT of its cell (SRV, generation, "
               "scheduled / on demand, MHHS / existing, after amendment), and no N/A cell is answered",
               step=_trt_cells, witness=_trt_cells_witness),
    Obligation("read-inventory-trt-30s", ("TRT-3",), "every accepted 8.2 has a 30 s TRT", step=_trt_inventory,
               witness=_inventory_witness),
    Obligation("outgoing-schedules-end-at-efd", ("SCH-3",),
               "after the EFD of each MDRA change of the chain begins its outgoing MDRA holds, and runs, no "
               "schedule it held before it; each one deleted then is alerted to it, and an alert names one "
               "(default SCH-3 profile: delete)",
               state=_sch3_state, step=_sch3_delete_step, witness=_sch3_witness,
               profile={"schedules_on_mdra_change": False}),
    Obligation("outgoing-schedule-runs-refused-after-efd", ("SCH-3", "SCH-9", "AC-3"),
               "after the EFD of an MDRA change begins no run of a schedule its outgoing MDRA held before it is "
               "accepted unless that MDRA is appointed again on the run day (SCH-3 profile: keep; SCH-9 profile: "
               "refused, the run day targeted; AC-4 default: a partly "
               "authorised run is refused whole)", step=_sch3_step, witness=_sch3_witness,
               profile={"schedules_on_mdra_change": True, "run_on_efd_reading_before": True,
                        "partial_period": False}),
    Obligation("registration-total-non-overlapping", ("REG-5", "REG-2"),
               "after every event exactly one MDRA of the chain is appointed on every day; a refused load changes "
               "nothing",
               state=_reg5_state, step=_reg5_step, witness=_reg5_witness),
)  # fmt: skip

# Auxiliary invariants: proved like the others, they strengthen the induction
# hypothesis (the conjunction of every state part is what is inductive).
AUXILIARY: Final[tuple[Obligation, ...]] = (
    Obligation("aux.cache-entry-shape", ("C-10",), "a held entry was read from the device, at or before now",
               state=_aux_cache, witness=_held, aux=True),
    Obligation("aux.schedule-ahead", ("SCH-1", "SCH-4", "C-13"), "a schedule's next run is now or still to "
               "come, on or after its start day, and its SRV is schedulable", state=_aux_schedule, witness=_some_run,
               aux=True),
    Obligation("aux.registration-well-formed", ("REG-2", "REG-5"), "each appointment of the MDRA chain ends "
               "the day before the next one's EFD", state=_aux_registration, witness=_reg5_witness, aux=True),
    Obligation("aux.queued-work", ("SCH-4", "SCH-5"), "queued work is still to come, a retry before its "
               "cut-off, and a retried run belongs to the schedule there is and reads a day ended before it",
               state=_aux_queued, witness=_queued, aux=True),
    Obligation("aux.clock", ("REG-3",), "instants and days are non-negative", state=_aux_clock, witness=_true,
               aux=True),
)  # fmt: skip

ALL: Final[tuple[Obligation, ...]] = OBLIGATIONS + AUXILIARY

__all__ = ["ALL", "AUXILIARY", "OBLIGATIONS", "Obligation"]
