"""Queued work and device conditions in the transition relation: held and
future-dated reads (SCH-4), retries of an unreachable device (SCH-5), device
comms and change-of-tenancy restrictions (C-8).

One function per model function (``model/machine.py``, ``model/execution.py``),
built on the very decision and read functions of :mod:`.encode` that a
request executed now goes through: queued work is decided again at the
instant it executes (``encode.decide_read`` at that instant, on the state
then), never on the decision that queued it.

The abstract state holds at most one piece of queued work (``w_*`` fields of
:class:`~.symbolic.SymState`); why one is enough is argued in
``proofs/README.md`` ("Queued work").
"""

from __future__ import annotations

from dataclasses import dataclass

import z3
from mhhs_sec.model.tables import SRVS

from . import encode
from .inputs import SRV_IDS
from .symbolic import COMMS, NONE_TRT, RESTRICT, Ctx, SymEvent, SymOut, SymState, code, member, no_output, role, srv

MDR = role("MDR")
DEVICE_READS = [i for i, name in enumerate(SRV_IDS) if SRVS[name].device_request]
RESTRICTED_SRV = srv("4.8.1")  # C-8: the SRV whose device answer a restriction bounds
assert SRVS["4.8.1"].device_request


def in_window(ctx: Ctx, instant: z3.ArithRef, role_x: z3.ArithRef) -> z3.BoolRef:
    """SCH-4 (model.schedules.next_window_open): ``instant`` is inside the
    sender's window of its settlement day."""
    day = ctx.day_of(instant)
    return z3.And(encode.due(ctx, day, role_x) <= instant, instant < window_close(ctx, day, role_x))


def window_close(ctx: Ctx, day: z3.ArithRef, role_x: z3.ArithRef) -> z3.ArithRef:
    config = ctx.inputs.config
    return z3.If(role_x == MDR, ctx.wall(day, config.mdr_window.close_s), ctx.wall(day, config.dsp_window.close_s))


def next_window_open(ctx: Ctx, instant: z3.ArithRef, role_x: z3.ArithRef) -> z3.ArithRef:
    """SCH-4: ``instant`` itself inside the window, else the window's next opening."""
    day = ctx.day_of(instant)
    opens = encode.due(ctx, day, role_x)
    later = z3.If(instant < opens, opens, encode.due(ctx, day + 1, role_x))
    return z3.If(in_window(ctx, instant, role_x), instant, later)


def retry_cutoff(ctx: Ctx, at: z3.ArithRef) -> z3.ArithRef:
    """SCH-5 (model.execution.retry_cutoff): the next settlement day's DSP window opening."""
    return ctx.wall(ctx.day_of(at) + 1, ctx.inputs.config.dsp_window.open_s)


def withheld(st: SymState, srv_x: z3.ArithRef, ts: z3.ArithRef) -> z3.BoolRef:
    """C-8 (model.execution._restriction): a restricted device no longer holds
    the 4.8.1 entries logged before the restriction."""
    return z3.And(srv_x == RESTRICTED_SRV, st.r_at >= 0, ts < st.r_at)


def queue(st: SymState, req: encode.Request, due: z3.ArithRef, scheduled: z3.BoolRef, cut: z3.ArithRef,
          created: z3.ArithRef, slot: z3.ArithRef, d: encode.Decision) -> SymState:  # fmt: skip
    """Queue a request (model.state.Pending) in the one slot (a retried run:
    with the schedule slot it belongs to)."""
    queued: SymState = st.replace(
        w_on=z3.BoolVal(True), w_due=due, w_user=req.user, w_role=req.role, w_srv=req.srv, w_flag=req.flag,
        w_ps=req.ps, w_pe=req.pe, w_sched=scheduled, w_cut=cut, w_created=created, w_first=d.first,
        w_last=d.last, w_slot=slot,
    )  # fmt: skip
    return queued


@dataclass(frozen=True)
class Executed:
    """The state and response after executing an accepted or rejected read, and
    whether it queued a retry."""

    post: SymState
    out: SymOut
    retries: z3.BoolRef


def execute(ctx: Ctx, st: SymState, req: encode.Request, d: encode.Decision, scheduled: z3.BoolRef,
            at: z3.ArithRef, cut: z3.ArithRef, created: z3.ArithRef, slot: z3.ArithRef) -> Executed:  # fmt: skip
    """model.execution.execute given the decision for instant ``at``: a
    rejection answered; an unreachable device's read retried or failed
    (``_unreachable``); else the cache and the device read (C-4, C-9, C-3)."""
    device_read = member(req.srv, DEVICE_READS)
    read, stored = encode.read_and_store(ctx, st, req, d, at)
    out = encode._response(req, d, at, False, read).replace(scheduled=scheduled)
    out = out.replace(has_ts=z3.And(out.has_ts, device_read), ts_cached=z3.And(out.ts_cached, device_read))
    unreachable = z3.And(d.ok, st.off, device_read)
    # SCH-5: an MHHS read is retried before the cut-off (an MDR's inside its window); else it fails
    cutoff = z3.If(cut >= 0, cut, retry_cutoff(ctx, at))
    retry_at = at + ctx.inputs.config.retry_interval_s
    retries = z3.And(unreachable, d.eff_flag, retry_at < cutoff, z3.Or(req.role != MDR, in_window(ctx, retry_at, MDR)))
    failed = out.replace(code=z3.If(d.eff_flag, code("MHHS-E6"), code("MHHS-E7")), trt=z3.IntVal(NONE_TRT),
                         eff_flag=req.flag, has_ts=z3.BoolVal(False), ts_cached=z3.BoolVal(False))  # fmt: skip
    retried = queue(st, req, retry_at, scheduled, cutoff, created, slot, d)
    post = retried.ite(retries, st).ite(unreachable, stored.ite(z3.And(d.ok, device_read), st))
    answer = no_output(at).ite(retries, failed).ite(unreachable, out)
    return Executed(post, answer, retries)


def submit_read(ctx: Ctx, st: SymState, req: encode.Request, ev: SymEvent) -> tuple[z3.BoolRef, SymState, SymOut]:
    """model.machine._submit, ``_start_read``: a read decided for the instant it
    executes (a future-dated one's, an MDR's held to its window's opening,
    SCH-4); executed now, else acknowledged (I99) and queued."""
    device_read = member(req.srv, DEVICE_READS)
    asked = z3.If(ev.x_on, ev.x_at, st.now)
    at = z3.If(z3.And(req.role == MDR, device_read), next_window_open(ctx, asked, req.role), asked)
    d = encode.decide_read(ctx, st, req, False, at)
    now = execute(ctx, st, req, d, z3.BoolVal(False), st.now, z3.IntVal(-1), z3.IntVal(0), z3.IntVal(0))
    held = z3.And(d.ok, at != st.now)
    ack = no_output(st.now).replace(on=z3.BoolVal(True), code=z3.IntVal(code("I99")), user=req.user)
    post = queue(st, req, at, z3.BoolVal(False), z3.IntVal(-1), z3.IntVal(0), z3.IntVal(0), d).ite(held, now.post)
    # one slot: the abstraction queues no second piece of work (README, "Queued work")
    guard = z3.And(z3.Implies(ev.x_on, z3.And(device_read, ev.x_at >= st.now)),
                   z3.Not(z3.And(st.w_on, z3.Or(held, now.retries))))  # fmt: skip
    return guard, post, ack.ite(held, now.out)


def due_by(st: SymState, to: z3.ArithRef) -> z3.BoolRef:
    """Queued work falls due in a clock advance to ``to``."""
    return z3.And(st.w_on, st.w_due <= to)


def execute_queued(ctx: Ctx, st: SymState, at: z3.ArithRef) -> tuple[SymState, SymOut]:
    """model.machine._run_pending: the work leaves the queue and executes at
    ``at``, decided again then (AC-3, REG-4 on the registration then)."""
    req = encode.Request(st.w_user, st.w_role, st.w_srv, st.w_flag, st.w_ps, st.w_pe)
    freed: SymState = st.replace(w_on=z3.BoolVal(False))
    on_demand, scheduled = encode.decide_read(ctx, freed, req, False, at), encode.decide_read(ctx, freed, req, True, at)
    d = encode.Decision(*[z3.If(st.w_sched, a, b) for a, b in zip(_fields(scheduled), _fields(on_demand), strict=True)])
    if ctx.inputs.faults.kept_decision:
        # the fault: executed on the decision that queued it, never decided again
        trt = encode.trt_expr(ctx, req.srv, ctx.gen, st.w_sched, d.eff_flag)
        d = encode.Decision(z3.IntVal(code("I0")), d.eff_flag, trt, st.w_first, st.w_last)
    x = execute(ctx, freed, req, d, st.w_sched, at, st.w_cut, st.w_created, st.w_slot)
    owner_role = z3.If(st.w_sched, st.w_role, -1)
    return x.post, x.out.replace(sched_owner_role=owner_role, sched_created=st.w_created)


def _fields(d: encode.Decision) -> tuple[z3.ExprRef, ...]:
    return (d.code, d.eff_flag, d.trt, d.first, d.last)


def device_event(ctx: Ctx, st: SymState, ev: SymEvent) -> tuple[z3.BoolRef, SymState, SymOut]:
    """model.machine._set_device_comms, ``_restrict_device`` (C-8: the device
    deletes what it logged before now)."""
    comms = ev.kind == COMMS
    post = st.replace(off=z3.Not(ev.online)).ite(comms, st.replace(r_at=st.now))
    return z3.Or(comms, ev.kind == RESTRICT), post, no_output(st.now)


def initial(st: SymState) -> z3.BoolRef:
    """Nothing queued, the device reachable and not restricted."""
    zero = [st.w_due, st.w_user, st.w_role, st.w_srv, st.w_ps, st.w_pe, st.w_created, st.w_first, st.w_last]
    return z3.And(z3.Not(st.w_on), z3.Not(st.w_flag), z3.Not(st.w_sched), st.w_cut == -1, z3.Not(st.off),
                  st.r_at == -1, *[v == 0 for v in zero])  # fmt: skip
