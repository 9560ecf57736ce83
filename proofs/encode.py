"""The transition relation of the state machine over symbolic state, built from
the encoding's :class:`~.inputs.Inputs` (the model's tables) with the profile
options as parameters.

Each function mirrors one function of the Python model and cites it; the
checks run in the model's order so the response *code* agrees too.  The
relation is functional: :func:`step` gives the guard (the event can happen),
the successor state and the outputs as expressions of the pre-state, the event
and the context.
"""

from __future__ import annotations

from dataclasses import dataclass

import z3
from mhhs_sec.model.tables import GENERATIONS, SRVS

from . import chain, schedules, work
from .chain import chain_link
from .inputs import (
    CADENCE_STEP,
    IN,
    KINDS,
    MHHS_ELIGIBLE,
    NEVER_FOR_SETTLEMENT,
    PARTIES,
    ROLES,
    SRV_IDS,
    SUP,
    SUPPLIER_ROLES,
    role_of_party,
)
from .symbolic import (
    ADVANCE,
    LOADREG,
    NONE_TRT,
    SUBMIT,
    Ctx,
    SymEvent,
    SymOut,
    SymState,
    code,
    first_of,
    member,
    no_output,
    role,
    srv,
    zmax,
    zmin,
)

MDR = role("MDR")


@dataclass(frozen=True)
class Request:
    """A request as access control sees it (submitted or made by a schedule run)."""

    user: z3.ArithRef
    role: z3.ArithRef
    srv: z3.ArithRef
    flag: z3.BoolRef
    ps: z3.ArithRef
    pe: z3.ArithRef


@dataclass(frozen=True)
class Decision:
    """``code`` is 'I0' when accepted; ``first``/``last`` the authorised days."""

    code: z3.ArithRef
    eff_flag: z3.BoolRef
    trt: z3.ArithRef
    first: z3.ArithRef
    last: z3.ArithRef

    @property
    def ok(self) -> z3.BoolRef:
        return self.code == code("I0")


def srv_where(predicate: object) -> list[int]:
    return [i for i, name in enumerate(SRV_IDS) if predicate(SRVS[name])]  # type: ignore[operator]


def trt_expr(ctx: Ctx, srv_x: z3.ArithRef, gen_x: z3.ArithRef, scheduled: z3.BoolRef, mhhs: z3.BoolRef) -> z3.ArithRef:
    """TRT-1, TRT-3: the Table 3 cell (after amendment) as an If-chain over the
    inputs' cells; -1 where N/A."""
    return ctx.memoised("trt", (srv_x, gen_x, scheduled, mhhs), lambda: _trt_chain(ctx, srv_x, gen_x, scheduled, mhhs))


def _trt_chain(ctx: Ctx, srv_x: z3.ArithRef, gen_x: z3.ArithRef, scheduled: z3.BoolRef,
               mhhs: z3.BoolRef) -> z3.ArithRef:  # fmt: skip
    rules = []
    for (s, g, m, p), seconds in ctx.inputs.trt.items():
        cond = z3.And(
            srv_x == SRV_IDS.index(s),
            gen_x == GENERATIONS.index(g),
            scheduled if m == "scheduled" else z3.Not(scheduled),
            mhhs if p == "mhhs" else z3.Not(mhhs),
        )
        rules.append((cond, z3.IntVal(NONE_TRT if seconds is None else seconds)))
    return first_of(rules, z3.IntVal(NONE_TRT))


def _reject_chain(checks: list[tuple[z3.BoolRef, str]]) -> z3.ArithRef:
    return first_of([(c, z3.IntVal(code(name))) for c, name in checks], z3.IntVal(code("I0")))


def may_send(ctx: Ctx, role_x: z3.ArithRef, srv_x: z3.ArithRef) -> z3.BoolRef:
    """AC-1 (MDR, 002 Table 2) and the DUIS matrix (model.rules.role_may_send)."""
    pairs = [(r, s) for r, rn in enumerate(ROLES) for s, sn in enumerate(SRV_IDS) if ctx.inputs.may_send(rn, sn)]
    return ctx.memoised("may_send", (role_x, srv_x),
                        lambda: z3.Or(*[z3.And(role_x == r, srv_x == s) for r, s in pairs]))  # fmt: skip


def holds_role(user: z3.ArithRef, role_x: z3.ArithRef) -> z3.BoolRef:
    """E1 (REG-7): the user holds the role it sent in (standard world roles)."""
    pairs = [(p, ROLES.index(r)) for p in range(len(PARTIES)) for r in sorted(role_of_party(p))]
    return z3.Or(*[z3.And(user == p, role_x == r) for p, r in pairs])


def flag_checks(ctx: Ctx, req: Request) -> tuple[list[tuple[z3.BoolRef, str]], z3.BoolRef]:
    """FS-2, FS-4 (FS-5 option), AC-5, REG-11 option (model.access.check_flag)."""
    if ctx.inputs.faults.flag_unchecked:
        return [], req.flag
    coerce = ctx.on("flag_violation")
    is_mdr = req.role == MDR
    c1 = z3.And(is_mdr, z3.Not(req.flag))
    c2 = z3.And(z3.Not(c1), member(req.role, [ROLES.index(r) for r in NEVER_FOR_SETTLEMENT]), req.flag)
    rest = z3.And(z3.Not(c1), z3.Not(c2), req.flag)
    c3 = z3.And(rest, z3.Not(member(req.role, [ROLES.index(r) for r in MHHS_ELIGIBLE])))
    supplier = member(req.role, [ROLES.index(r) for r in SUPPLIER_ROLES])
    c4 = z3.And(rest, z3.Not(c3), supplier, ctx.on("supplier_mhhs_via_mdr"))
    checks = [
        (z3.And(c1, z3.Not(coerce)), "MHHS-E1"),
        (z3.And(c2, z3.Not(coerce)), "MHHS-E2"),
        (c3, "MHHS-E2"),
        (c4, "MHHS-E4"),
    ]
    return checks, z3.If(c1, True, z3.If(c2, False, req.flag))


def device_rejects(
    ctx: Ctx, role_x: z3.ArithRef, srv_x: z3.ArithRef, scheduled: z3.BoolRef, eff: z3.BoolRef
) -> z3.BoolRef:
    """E11: AC-7, AC-6, the SRV's device kinds, TRT-1 / AC-8 N/A cells
    (model.access.check_device)."""
    faults = ctx.inputs.faults
    is_mdr = role_x == MDR
    ac7 = z3.BoolVal(False) if faults.skip_ac7 else z3.And(is_mdr, ctx.kind != KINDS.index("ESME"))
    s1 = GENERATIONS.index("SMETS1")
    ac6 = z3.BoolVal(False) if faults.skip_ac6 else z3.And(is_mdr, srv_x == srv("4.1.1"), ctx.gen != s1)
    kinds = z3.Or(*[z3.And(ctx.kind == k, member(srv_x, srv_where(lambda s, n=n: n in s.device_kinds)))
                    for k, n in enumerate(KINDS)])  # fmt: skip
    in_table3 = member(srv_x, [SRV_IDS.index(s) for s in ctx.inputs.trt_srvs])
    na = z3.And(in_table3, trt_expr(ctx, srv_x, ctx.gen, scheduled, eff) == NONE_TRT)
    # TRT-1, TRT-2: an MHHS request for an SRV with no Table 3 row has no MHHS service
    no_mhhs_row = z3.And(eff, z3.Not(in_table3))
    return z3.Or(ac7, ac6, z3.Not(kinds), na, no_mhhs_row)


def last_outgoing_day(ctx: Ctx, st: SymState) -> z3.ArithRef:
    """REG-12: the outgoing MDRA's last day (ETD inclusive, or the day before)."""
    last = chain.last_day(ctx, st.a_etd)
    return last + 1 if ctx.inputs.faults.efd_inclusive_for_outgoing else last


def appointment_lasts(ctx: Ctx, st: SymState) -> list[z3.ArithRef] | None:
    """REG-12: the last day of each appointment of the chain but the last slot,
    as access control computes them: None (the day before the next EFD, the
    chain being well formed) unless a seeded fault moves them (the first:
    :func:`last_outgoing_day`)."""
    if not ctx.inputs.faults.efd_inclusive_for_outgoing:
        return None
    return [last_outgoing_day(ctx, st), *[chain.last_day(ctx, etd) + 1 for etd in (st.m_etd1, st.m_etd2)]]


def appointed_on(ctx: Ctx, st: SymState, req: Request, day: z3.ArithRef) -> z3.BoolRef:
    """REG-3, REG-6 (model.registration.party_on): the sender holds the MDRA or
    Supplier appointment its role is checked against on ``day`` (True for a
    role not checked)."""
    mdras = chain.holder_is(chain.of_state(ctx, st), appointment_lasts(ctx, st), req.user, day)
    suppliers = z3.And(req.user == SUP, day >= ctx.first)
    supplier = member(req.role, [ROLES.index(r) for r in SUPPLIER_ROLES])
    return z3.If(req.role == MDR, mdras, z3.Or(z3.Not(supplier), suppliers))


def registration_check(
    ctx: Ctx, st: SymState, req: Request, first: z3.ArithRef, last: z3.ArithRef
) -> tuple[z3.BoolRef, z3.ArithRef, z3.ArithRef]:
    """AC-3, REG-4, AC-4 (model.access.check_registration): (reject, first, last)
    for the MDRA chain (MDR) or the Supplier's one open appointment from the
    first day (IS, ES)."""
    is_mdr = req.role == MDR
    supplier = member(req.role, [ROLES.index(r) for r in SUPPLIER_ROLES])
    mdras = chain.authorised(chain.of_state(ctx, st), appointment_lasts(ctx, st), req.user, first, last)
    s_first = zmax(first, ctx.first)
    s_none = z3.Or(req.user != SUP, s_first > last)
    none, every = z3.If(is_mdr, mdras.none, s_none), z3.If(is_mdr, mdras.all, z3.And(req.user == SUP, s_first == first))
    checked = z3.Or(is_mdr, supplier)
    reject = z3.And(checked, z3.Or(none, z3.And(z3.Not(every), z3.Not(ctx.on("partial_period")))))
    a_first, a_last = z3.If(is_mdr, mdras.first, s_first), z3.If(is_mdr, mdras.last, last)
    return reject, z3.If(checked, a_first, first), z3.If(checked, a_last, last)


def access_day(ctx: Ctx, instant: z3.ArithRef) -> z3.ArithRef:
    return ctx.day_of(instant, utc=ctx.inputs.faults.access_days_utc)


def decide_read(ctx: Ctx, st: SymState, req: Request, scheduled: bool, at: z3.ArithRef) -> Decision:
    """model.access.authorise for a read or 8.2 (``_read_checks``)."""
    flag_rules, eff = flag_checks(ctx, req)
    sched = z3.BoolVal(scheduled)
    has_period = member(req.srv, srv_where(lambda s: s.read_log_period))
    first = z3.If(has_period, access_day(ctx, req.ps), access_day(ctx, at))
    last = z3.If(has_period, access_day(ctx, req.pe), first)
    # SCH-9 (model.access.check_run_day): under 'refused' a schedule run whose
    # sender is not entitled on the day it runs (the day after the one it
    # reads) is checked on that day too.
    checked_last = last
    if scheduled:
        run_day = access_day(ctx, at)
        also = z3.And(ctx.on("run_on_efd_reading_before"), z3.Not(appointed_on(ctx, st, req, run_day)))
        checked_last = z3.If(also, zmax(last, run_day), last)
    reg_reject, a_first, a_last = registration_check(ctx, st, req, first, checked_last)
    a_last = zmin(a_last, last)
    checks = [
        (z3.Not(holds_role(req.user, req.role)), "E1"),
        (z3.Not(may_send(ctx, req.role, req.srv)), "E2"),
        *flag_rules,
    ]
    if scheduled:
        checks.append((z3.Not(member(req.srv, srv_where(lambda s: s.schedulable))), "MHHS-E3"))
    checks += [(device_rejects(ctx, req.role, req.srv, sched, eff), "E11"), (reg_reject, "E4")]
    if not scheduled:
        strict = z3.And(ctx.on("on_demand_first"), eff, has_period, z3.Not(schedules.owns(st, req.user, req.srv)))
        checks.append((strict, "MHHS-E5"))
    trt = trt_expr(ctx, req.srv, ctx.gen, sched, eff)
    if ctx.inputs.faults.supplier_fast_trt:
        supplier = member(req.role, [ROLES.index(r) for r in SUPPLIER_ROLES])
        trt = z3.If(z3.And(supplier, eff), trt_expr(ctx, req.srv, ctx.gen, sched, z3.BoolVal(False)), trt)
    result = _reject_chain(checks)
    return Decision(result, eff, z3.If(result == code("I0"), trt, NONE_TRT), a_first, a_last)


def decide_create(ctx: Ctx, st: SymState, req: Request, ev: SymEvent) -> Decision:
    """model.access._create_schedule_checks (5.1, SCH-7, AC-2)."""
    flag_rules, eff = flag_checks(ctx, req)
    scheduled_req = Request(req.user, req.role, ev.sched_srv, req.flag, req.ps, req.pe)
    day = ev.sched_start - 1
    reg_reject, _, _ = registration_check(ctx, st, scheduled_req, day, day)
    checks = [
        (z3.Not(holds_role(req.user, req.role)), "E1"),
        (z3.Not(may_send(ctx, req.role, req.srv)), "E2"),
        *flag_rules,
        (z3.Not(may_send(ctx, req.role, ev.sched_srv)), "E2"),
        (z3.Not(member(ev.sched_srv, srv_where(lambda s: s.schedulable))), "MHHS-E3"),
        (device_rejects(ctx, req.role, ev.sched_srv, z3.BoolVal(True), eff), "E11"),
        (reg_reject, "E4"),
    ]
    result = _reject_chain(checks)
    trt = trt_expr(ctx, z3.IntVal(srv("5.1")), ctx.gen, z3.BoolVal(False), eff)
    return Decision(result, eff, z3.If(result == code("I0"), trt, NONE_TRT), day, day)


def decide_schedule_admin(ctx: Ctx, req: Request) -> Decision:
    """5.2 / 5.3: user, SRV and flag checks, then AC-7 (an MDR request naming a
    device that is not an ESME) (model.access.authorise)."""
    flag_rules, eff = flag_checks(ctx, req)
    checks = [
        (z3.Not(holds_role(req.user, req.role)), "E1"),
        (z3.Not(may_send(ctx, req.role, req.srv)), "E2"),
        *flag_rules,
        (z3.And(req.role == MDR, ctx.kind != KINDS.index("ESME")), "E11"),
    ]
    result = _reject_chain(checks)
    trt = trt_expr(ctx, req.srv, z3.IntVal(GENERATIONS.index("SMETS2")), z3.BoolVal(False), eff)
    zero = z3.IntVal(0)
    return Decision(result, eff, z3.If(result == code("I0"), trt, NONE_TRT), zero, zero)


# ---- the S1SP cache (model.cache) ---------------------------------------------


def fresh(ctx: Ctx, retrieved_at: z3.ArithRef, now: z3.ArithRef) -> z3.BoolRef:
    """C-5, C-11 (model.cache.is_fresh)."""
    ttl = ctx.inputs.faults.cache_ttl_s or ctx.inputs.cache_max_age_s
    age = now - retrieved_at
    return z3.If(ctx.on("cache_boundary"), age <= ttl, age < ttl)


def cacheable(ctx: Ctx, srv_x: z3.ArithRef) -> z3.BoolRef:
    """C-1, C-2 device part (model.rules.cacheable)."""
    inputs = ctx.inputs
    generation = z3.BoolVal(True) if inputs.faults.cache_any_generation else (
        ctx.gen == GENERATIONS.index(inputs.cache_generation))  # fmt: skip
    return z3.And(member(srv_x, [SRV_IDS.index(s) for s in inputs.cache_srvs]), generation,
                  ctx.kind == KINDS.index(inputs.cache_kind))  # fmt: skip


def drop_slot(ctx: Ctx, st: SymState, srv_x: z3.ArithRef) -> SymState:
    """C-6 (model.cache.drop): the slot of (device, srv) goes with the schedule."""
    if ctx.inputs.faults.keep_cache_on_delete:
        return st
    hit = srv_x == ctx.srv_w
    dropped: SymState = st.replace(
        c_on=z3.And(st.c_on, z3.Not(hit)), hw=z3.If(hit, -1, st.hw), r_w=z3.And(st.r_w, z3.Not(hit))
    )
    return dropped


@dataclass(frozen=True)
class Read:
    covered: z3.BoolRef  # the watched entry is in the answer
    served: z3.BoolRef  # ... and came from the cache


def read_and_store(ctx: Ctx, st: SymState, req: Request, d: Decision, at: z3.ArithRef) -> tuple[Read, SymState]:
    """C-4, C-9 (model.execution._read) and C-3 (model.cache.store) for the
    watched key, at instant ``at``."""
    daily = member(req.srv, srv_where(lambda s: s.cadence == "daily"))
    half = member(req.srv, srv_where(lambda s: s.cadence == "half-hour"))
    instant = member(req.srv, srv_where(lambda s: s.cadence == "instant"))
    utc = ctx.inputs.faults.access_days_utc
    lo = zmax(req.ps, 86400 * ctx.comm)
    hi = zmin(req.pe, at)
    # AC-4 'authorised-days': keep the entries of the authorised days only.
    lo = z3.If(ctx.on("partial_period"), zmax(lo, ctx.day_start(d.first, utc)), lo)
    hi = z3.If(ctx.on("partial_period"), zmin(hi, ctx.day_start(d.last + 1, utc) - 1), hi)
    step_d, step_h = CADENCE_STEP["daily"], CADENCE_STEP["half-hour"]
    aligned = z3.Or(z3.And(daily, ctx.ts_w % step_d == 0), z3.And(half, ctx.ts_w % step_h == 0))
    # ... of days the sender holds (an MDRA appointed again holds days apart)
    kept = z3.Implies(ctx.on("partial_period"), appointed_on(ctx, st, req, ctx.day_w))
    covered = z3.If(instant, ctx.ts_w == at, z3.And(aligned, lo <= ctx.ts_w, ctx.ts_w <= hi, kept))
    last = z3.If(instant, at, z3.If(daily, hi - hi % step_d, hi - hi % step_h))
    nonempty = z3.Or(instant, z3.And(z3.Or(daily, half), last >= lo))
    watched = req.srv == ctx.srv_w
    served = z3.And(watched, covered, st.c_on, fresh(ctx, st.c_at, at))
    # C-8: cached entries are answered despite a restriction, the device's are not
    from_device = z3.And(covered, z3.Not(served), z3.Not(work.withheld(st, req.srv, ctx.ts_w)))
    nonempty = z3.And(nonempty, z3.Not(work.withheld(st, req.srv, last)))
    today = ctx.day_of(at)
    in_store = z3.And(watched, cacheable(ctx, req.srv), schedules.keeps_cache(ctx, st, req.srv, today))
    yesterday = ctx.day_of(ctx.ts_w) == today - 1
    # C-3, C-12: previous day, or not retrieved before (never, or after the latest).
    unseen = z3.If(ctx.on("retrieved_entries"), ctx.ts_w > st.hw, z3.Or(ctx.ts_w > st.hw, z3.Not(st.r_w)))
    new_entry = z3.And(in_store, from_device, z3.Or(unseen, yesterday))
    stamped = z3.Or(new_entry, served) if ctx.inputs.faults.restamp_on_hit else new_entry
    after = st.replace(
        c_on=z3.Or(st.c_on, new_entry),
        c_at=z3.If(stamped, at, st.c_at),
        # the ghost (C-5): set by a device read storing the entry (new_entry), nothing else
        c_read=z3.If(new_entry, at, st.c_read),
        hw=z3.If(z3.And(in_store, nonempty), zmax(st.hw, last), st.hw),
        r_w=z3.Or(st.r_w, z3.And(in_store, from_device)),
    )
    return Read(z3.Or(served, from_device), served), after


def _response(req: Request, d: Decision, at: z3.ArithRef, scheduled: bool, read: Read | None) -> SymOut:
    out = no_output(at)
    has = z3.And(d.ok, read.covered) if read else z3.BoolVal(False)
    cached = z3.And(d.ok, read.served) if read else z3.BoolVal(False)
    response: SymOut = out.replace(
        on=z3.BoolVal(True), code=d.code, trt=d.trt, eff_flag=z3.If(d.ok, d.eff_flag, req.flag),
        user=req.user, role=req.role, srv=req.srv, scheduled=z3.BoolVal(scheduled), has_ts=has, ts_cached=cached,
    )  # fmt: skip
    return response


# ---- events (model.machine) ------------------------------------------------------


def _submit_read(ctx: Ctx, st: SymState, req: Request, ev: SymEvent) -> tuple[z3.BoolRef, SymState, SymOut]:
    # executed now, or held / future-dated and queued (SCH-4), or retried (SCH-5): work.py
    guard, post, out = work.submit_read(ctx, st, req, ev)
    device_read = member(req.srv, srv_where(lambda s: s.device_request))
    if ctx.inputs.faults.cache_before_access:
        # the fault: a fresh cached entry answers before access control runs
        hit = z3.And(device_read, req.srv == ctx.srv_w, st.c_on, fresh(ctx, st.c_at, st.now),
                     req.ps <= ctx.ts_w, ctx.ts_w <= zmin(req.pe, st.now))  # fmt: skip
        early = out.replace(code=z3.IntVal(code("I0")), has_ts=z3.BoolVal(True), ts_cached=z3.BoolVal(True),
                            trt=z3.IntVal(NONE_TRT), eff_flag=req.flag)  # fmt: skip
        return guard, st.ite(hit, post), early.ite(hit, out)
    return guard, post, out


def next_run_day(ctx: Ctx, start: z3.ArithRef, role_x: z3.ArithRef, now: z3.ArithRef) -> z3.ArithRef:
    """model.schedules.create: the first run day on or after the start day whose
    window opening is still to come."""
    n = ctx.fresh("next_run")
    ctx.defs.append(z3.And(n >= start, due(ctx, n, role_x) > now, z3.Or(n == start, due(ctx, n - 1, role_x) <= now)))
    return n


def due(ctx: Ctx, day: z3.ArithRef, role_x: z3.ArithRef) -> z3.ArithRef:
    """SCH-4 (model.schedules.due): the owner's window opens on the run day."""
    config = ctx.inputs.config
    return z3.If(role_x == MDR, ctx.wall(day, config.mdr_window.open_s), ctx.wall(day, config.dsp_window.open_s))


def _submit(ctx: Ctx, st: SymState, ev: SymEvent) -> tuple[z3.BoolRef, SymState, SymOut]:
    req = Request(ev.user, ev.role, ev.srv, ev.flag, ev.ps, ev.pe)
    g_read, post_read, out_read = _submit_read(ctx, st, req, ev)
    create = decide_create(ctx, st, req, ev)
    created = schedules.create(st, schedules.Slot(
        z3.BoolVal(True), ev.user, ev.role, ev.sched_srv, z3.Or(ev.flag, ev.role == MDR),
        next_run_day(ctx, ev.sched_start, ev.role, st.now), st.now, ev.sched_start,
    ))  # fmt: skip
    post_create = created.ite(create.ok, st)
    admin = decide_schedule_admin(ctx, req)
    # SCH-2 (model.schedules.owned): a 5.3 naming the device removes the sender's own schedules on it
    mine = tuple(z3.And(admin.ok, x.on, x.owner == ev.user) for x in schedules.slots(st))
    post_delete = schedules.remove(ctx, st, (mine[0], mine[1]))
    is_create, is_delete, is_read_sched = ev.srv == srv("5.1"), ev.srv == srv("5.3"), ev.srv == srv("5.2")
    post = post_create.ite(is_create, post_delete.ite(is_delete, st.ite(is_read_sched, post_read)))
    out = _response(req, create, st.now, False, None).ite(
        is_create, _response(req, admin, st.now, False, None).ite(z3.Or(is_delete, is_read_sched), out_read)
    )
    has_period = member(ev.srv, srv_where(lambda s: s.read_log_period))
    guard = z3.And(
        g_read, ev.user >= 0, ev.user < len(PARTIES), ev.role >= 0, ev.role < len(ROLES),
        ev.srv >= 0, ev.srv < len(SRV_IDS),
        z3.If(has_period, z3.And(ev.ps >= 0, ev.ps <= ev.pe), z3.And(ev.ps == 0, ev.pe == 0)),
        z3.Implies(is_create, z3.And(z3.Not(schedules.full(st)), ev.sched_srv >= 0, ev.sched_srv < len(SRV_IDS),
                                     ev.sched_start >= ctx.day_of(st.now))),
    )  # fmt: skip
    return guard, post, out


def run_schedule(ctx: Ctx, st: SymState, second: z3.BoolRef,
                 at: z3.ArithRef) -> tuple[SymState, SymOut, z3.BoolRef]:  # fmt: skip
    """model.machine._run_schedule: the run of the schedule of slot 0 (slot 1
    when ``second``) reads the previous settlement day (retried like any read,
    SCH-5: the third value says it queued a retry)."""
    x = schedules.pick(st, second)
    n = x.next
    req = Request(x.owner, x.role, x.srv, x.flag, ctx.day_start(n - 1), ctx.day_start(n) - 1)
    moved = schedules.moved_on(st, second, n + 1)
    d = decide_read(ctx, moved, req, True, at)
    slot = z3.If(second, 1, 0)
    ran = work.execute(ctx, moved, req, d, z3.BoolVal(True), at, z3.IntVal(-1), x.created, slot)
    out = ran.out.replace(sched_owner_role=x.role, sched_created=x.created)
    return ran.post, out, ran.retries


def change_instant(ctx: Ctx, efd: z3.ArithRef) -> z3.ArithRef:
    """REG-3: an MDRA change takes effect at local 00:00 of the incoming EFD."""
    return ctx.day_start(efd, utc=ctx.inputs.faults.change_at_utc_midnight)


def mdra_changes(ctx: Ctx, st: SymState) -> list[chain.Change]:
    """REG-3, SCH-3 (model.registration.mdra_changes) of the state's chain."""
    return chain.changes(chain.of_state(ctx, st), first_only=ctx.inputs.faults.first_change_only)


def mdra_change(ctx: Ctx, st: SymState, taking_effect: list[z3.BoolRef],
                changes: list[chain.Change]) -> tuple[SymState, z3.BoolRef]:  # fmt: skip
    """SCH-3 (model.schedules.on_mdra_change): every MDR schedule of an
    outgoing MDRA (its owner hands over in a change taking effect) is deleted
    (with its cache, C-6) and it is alerted; kept under 'keep'."""
    if ctx.inputs.faults.keep_schedules:
        return st, z3.BoolVal(False)
    kept = ctx.on("schedules_on_mdra_change")
    doomed = [z3.And(x.on, _leaving(x, taking_effect, changes), x.role == MDR, z3.Not(kept))
              for x in schedules.slots(st)]  # fmt: skip
    return schedules.remove(ctx, st, (doomed[0], doomed[1])), z3.Or(*doomed)


def _leaving(x: schedules.Slot, taking_effect: list[z3.BoolRef], changes: list[chain.Change]) -> z3.BoolRef:
    """The schedule's owner is the outgoing MDRA of a change taking effect."""
    return z3.Or(*[z3.And(now, c.on, x.owner == c.outgoing) for now, c in zip(taking_effect, changes, strict=True)])


def _advance(ctx: Ctx, st: SymState, ev: SymEvent) -> tuple[z3.BoolRef, SymState, SymOut]:
    """model.machine._advance (``_Agenda``): the MDRA changes and at most one
    piece of work (a schedule run, or queued work: work.py) in (now, to], in
    time order (MDRA changes first at the same instant)."""
    to = ev.to
    changes = mdra_changes(ctx, st)
    instants = [change_instant(ctx, c.efd) for c in changes]
    fires = [z3.And(st.now < tc, tc <= to) for tc in instants]
    queued = work.due_by(st, to)
    nr = schedules.next_run(ctx, st, to)
    takes_queued = z3.And(queued, z3.Or(z3.Not(nr.due), st.w_due <= nr.at))  # queued work first at an instant
    d1 = z3.If(takes_queued, st.w_due, nr.at)
    first = [z3.And(f, tc <= d1) for f, tc in zip(fires, instants, strict=True)]
    late = [z3.And(f, z3.Not(e)) for f, e in zip(fires, first, strict=True)]
    st1, alert1 = mdra_change(ctx, st, first, changes)
    nr1 = schedules.next_run(ctx, st1, to)  # a change may have removed the schedule due first
    runs = z3.And(z3.Not(takes_queued), nr1.due)
    s2, run_out, retries = run_schedule(ctx, st1, nr1.second, nr1.at)
    executes = z3.And(takes_queued, st1.w_on)  # a change may have removed a retried run first
    q2, queued_out = work.execute_queued(ctx, st1, d1)
    st2 = q2.ite(executes, s2.ite(runs, st1))
    st3, alert3 = mdra_change(ctx, st2, late, changes)
    post = st3.replace(now=to, c_on=z3.And(st3.c_on, fresh(ctx, st3.c_at, to)))
    work_out = queued_out.ite(executes, run_out.ite(runs, no_output(to)))
    out = work_out.replace(alert=z3.Or(alert1, alert3))
    # one piece of work an advance: no second run of a schedule; other work due
    # by ``to`` only at ``to`` itself (it runs in the next advance, of no time);
    # no retry due by ``to``
    again = [z3.And(x.on, due(ctx, x.next + 1, x.role) <= to) for x in schedules.slots(st)]
    guard = z3.And(
        to >= st.now, z3.Not(z3.Or(*again)), z3.Not(nr.others), z3.Not(z3.And(queued, z3.Not(takes_queued))),
        z3.Not(z3.And(takes_queued, nr.due, nr.at < to)), z3.Not(z3.And(runs, nr1.at != d1)),
        z3.Not(z3.And(runs, retries, st1.w_on)), z3.Not(work.due_by(st3, to)),
    )  # fmt: skip
    return guard, post, out


def _load_registration(ctx: Ctx, st: SymState, ev: SymEvent) -> tuple[z3.BoolRef, SymState, SymOut]:
    """REG-5 (model.registration.check_registration): a load that leaves a gap
    or an overlap is refused and the previous registration stands; SCH-3
    (model.machine._load_registration): an MDRA change of the new chain whose
    EFD has already begun takes effect at once, unless the MPAN had it."""
    new = chain.of_event(ctx, ev)
    valid = z3.BoolVal(True) if ctx.inputs.faults.skip_registration_check else chain.valid(ctx, new)
    loaded = st.replace(**chain.state_fields(new))
    before = mdra_changes(ctx, st)
    changes = chain.changes(new, first_only=ctx.inputs.faults.first_change_only)
    begun = [z3.And(ctx.day_start(c.efd) <= st.now, z3.Not(chain.known(c, before))) for c in changes]
    changed, alert = mdra_change(ctx, loaded, begun, changes)
    post = changed.ite(valid, st)
    out = no_output(st.now).replace(reg_refused=z3.Not(valid), alert=z3.And(valid, alert))
    # the abstraction keeps the outgoing MDRA's first EFD (ctx.first) fixed, its MDRAs the world's two
    guard = z3.And(new.length >= 1, new.length <= chain.N, chain.parties_known(new),
                   z3.Implies(new.used(1), ev.new_efd > ctx.first))  # fmt: skip
    return guard, post, out


def step(ctx: Ctx, st: SymState, ev: SymEvent) -> tuple[z3.BoolRef, SymState, SymOut]:
    """The transition relation: guard, successor and outputs of one event."""
    g_s, p_s, o_s = _submit(ctx, st, ev)
    g_a, p_a, o_a = _advance(ctx, st, ev)
    g_l, p_l, o_l = _load_registration(ctx, st, ev)
    g_d, p_d, o_d = work.device_event(ctx, st, ev)
    is_s, is_a, is_l = ev.kind == SUBMIT, ev.kind == ADVANCE, ev.kind == LOADREG
    # a run left due now (by an advance that ran other work due then) runs first
    guard = z3.And(z3.If(is_s, g_s, z3.If(is_a, g_a, z3.If(is_l, g_l, g_d))),
                   z3.Or(is_a, z3.Not(schedules.due_now(ctx, st))))  # fmt: skip
    return guard, p_s.ite(is_s, p_a.ite(is_a, p_l.ite(is_l, p_d))), o_s.ite(is_s, o_a.ite(is_a, o_l.ite(is_l, o_d)))


def initial(ctx: Ctx, st: SymState) -> z3.BoolRef:
    """Initial states: a valid registration (REG-5), no schedule, no cache."""
    # the outgoing then the incoming MDRA (the rest of the chain empty)
    rest = z3.And(st.m_len == 2, st.m_p1 == IN, *[v == 0 for v in (st.m_p2, st.m_p3, st.m_etd1, st.m_efd2,
                                                                  st.m_etd2, st.m_efd3)])  # fmt: skip
    return z3.And(
        st.now >= 0, ctx.comm >= 0, ctx.first >= 0, chain_link(ctx, ctx.first, st.a_etd, st.b_efd), rest,
        schedules.initial(st), z3.Not(st.c_on), st.hw == -1, st.c_at == 0, st.c_read == 0,
        z3.Not(st.r_w), work.initial(st),
    )  # fmt: skip
