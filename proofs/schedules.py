"""The watched device's DSP Schedules in the transition relation: two slots,
each absent or a schedule of any owner, role and SRV (SCH-1), with the cache
they keep alive (C-2, C-6), their removal by a 5.3 (SCH-2) or at an MDRA
change (SCH-3), and which one runs next (SCH-4).

The slots are symmetric, so they are kept in a canonical order: slot 0 holds
the older schedule (the model's lower schedule id), and slot 1 is used only
while slot 0 is (a removal moves slot 1 down).  Two schedules due at the same
instant run in that order, one per clock advance (the model's ``_Agenda``:
same instant, lower schedule id first).  Why two slots stand for any number:
``proofs/README.md`` ("Several schedules on the device").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import z3

from . import encode
from .symbolic import Ctx, SymState

# The fields of a slot, and their prefix in SymState (slot 0, slot 1).
PREFIXES: tuple[str, str] = ("s_", "t_")


@dataclass(frozen=True)
class Slot:
    """One DSP Schedule of the watched device (``on``: it exists)."""

    on: z3.BoolRef
    owner: z3.ArithRef
    role: z3.ArithRef
    srv: z3.ArithRef
    flag: z3.BoolRef
    next: z3.ArithRef  # settlement day of the next run
    created: z3.ArithRef  # ghost: instant the schedule was created
    start: z3.ArithRef  # its start day (C-13)

    def ite(self, condition: z3.BoolRef, other: Slot) -> Slot:
        """This slot where ``condition`` holds, else ``other``."""
        names = [f.name for f in fields(self)]
        return Slot(**{n: z3.If(condition, getattr(self, n), getattr(other, n)) for n in names})


def slots(st: SymState) -> tuple[Slot, Slot]:
    """The two schedule slots of a state."""
    names = [f.name for f in fields(Slot)]
    a, b = (Slot(**{n: getattr(st, p + n) for n in names}) for p in PREFIXES)
    return a, b


def with_slots(st: SymState, new: Sequence[Slot]) -> SymState:
    """The state with its two slots replaced."""
    names = [f.name for f in fields(Slot)]
    changes = {p + n: getattr(x, n) for p, x in zip(PREFIXES, new, strict=True) for n in names}
    replaced: SymState = st.replace(**changes)
    return replaced


def full(st: SymState) -> z3.BoolRef:
    """No slot is free (the abstraction's guard on a 5.1)."""
    return st.t_on


def create(st: SymState, new: Slot) -> SymState:
    """SCH-1 (model.schedules.create): the new schedule takes the first free
    slot (the newest schedule is the last)."""
    a, b = slots(st)
    return with_slots(st, (new.ite(z3.Not(a.on), a), new.ite(a.on, b)))


def owns(st: SymState, user: z3.ArithRef, srv_x: z3.ArithRef) -> z3.BoolRef:
    """SCH-6 (model.access, MHHS-E5): the user holds a schedule for the SRV."""
    return z3.Or(*[z3.And(x.on, x.owner == user, x.srv == srv_x) for x in slots(st)])


def active(ctx: Ctx, x: Slot, today: z3.ArithRef) -> z3.BoolRef:
    """C-2, C-13 (model.cache.is_active): the schedule exists and, by default,
    its start day has come by settlement day ``today`` (the abstraction's
    schedules are open-ended)."""
    return z3.And(x.on, z3.Or(ctx.on("schedule_active"), x.start <= today))


def keeps_cache(ctx: Ctx, st: SymState, srv_x: z3.ArithRef, today: z3.ArithRef) -> z3.BoolRef:
    """C-2 (model.cache.has_active_schedule): an active schedule for the SRV."""
    return z3.Or(*[z3.And(active(ctx, x, today), x.srv == srv_x) for x in slots(st)])


def remove(ctx: Ctx, st: SymState, doomed: tuple[z3.BoolRef, z3.BoolRef]) -> SymState:
    """model.schedules.remove: the doomed schedules go, with their queued
    retries and (C-6) the cache of their device and SRV, even while another
    schedule for them remains; the slot left moves down."""
    a, b = slots(st)
    gone_a, gone_b = doomed
    off = Slot(z3.BoolVal(False), a.owner, a.role, a.srv, a.flag, a.next, a.created, a.start)
    # slot 1 moves down when slot 0 goes; slot 1 is then free
    first = b.ite(z3.And(gone_a, z3.Not(gone_b)), off)
    first = a.ite(z3.Not(gone_a), first)
    second = b.ite(z3.And(z3.Not(gone_a), z3.Not(gone_b)), off)
    retry_of = z3.If(st.w_slot == 1, gone_b, gone_a)  # a removed schedule's retries go with it
    w_on = z3.And(st.w_on, z3.Not(z3.And(st.w_sched, retry_of)))
    w_slot = z3.If(z3.And(st.w_sched, st.w_slot == 1, gone_a), 0, st.w_slot)
    removed: SymState = with_slots(st, (first, second)).replace(w_on=w_on, w_slot=w_slot)
    for x, gone in zip((a, b), doomed, strict=True):
        removed = drop_cache(ctx, removed, x.srv, gone, slots(removed))
    return removed


def drop_cache(ctx: Ctx, st: SymState, srv_x: z3.ArithRef, gone: z3.BoolRef, left: Sequence[Slot]) -> SymState:
    """C-6 (model.cache.drop): the cache of (device, srv) goes with a removed
    schedule for them."""
    faults = ctx.inputs.faults
    if faults.keep_cache_on_delete:
        return st
    if faults.keep_cache_while_scheduled:
        # the fault: the cache stays while another schedule for the SRV remains
        gone = z3.And(gone, z3.Not(z3.Or(*[z3.And(x.on, x.srv == srv_x) for x in left])))
    dropped: SymState = encode.drop_slot(ctx, st, srv_x).ite(gone, st)
    return dropped


@dataclass(frozen=True)
class NextRun:
    """The schedule run an advance to ``to`` may make: the earliest due,
    slot 0 first at the same instant (``second``: slot 1's)."""

    second: z3.BoolRef
    at: z3.ArithRef
    due: z3.BoolRef  # a run falls due by ``to``
    others: z3.BoolRef  # a run not taken falls due by ``to``, other than at ``to`` itself


def next_run(ctx: Ctx, st: SymState, to: z3.ArithRef) -> NextRun:
    """SCH-4 (model.machine._Agenda): the run an advance takes."""
    a, b = slots(st)
    da, db = encode.due(ctx, a.next, a.role), encode.due(ctx, b.next, b.role)
    runs_a, runs_b = z3.And(a.on, da <= to), z3.And(b.on, db <= to)
    second = z3.And(runs_b, z3.Or(z3.Not(runs_a), db < da))
    at = z3.If(second, db, da)
    # one run an advance: the one not taken is due after ``to``, or at ``to``
    # itself, where it runs in the next advance (of no time)
    left = z3.If(second, z3.And(runs_a, da < to), z3.And(runs_b, db < to))
    return NextRun(second, at, z3.Or(runs_a, runs_b), left)


def due_now(ctx: Ctx, st: SymState) -> z3.BoolRef:
    """A run is due at the current instant (left by an advance that ran another
    piece of work due then): only an advance may come next, as in the model,
    where the same clock advance runs it."""
    return z3.Or(*[z3.And(x.on, encode.due(ctx, x.next, x.role) <= st.now) for x in slots(st)])


def pick(st: SymState, second: z3.BoolRef) -> Slot:
    a, b = slots(st)
    return b.ite(second, a)


def moved_on(st: SymState, second: z3.BoolRef, following: z3.ArithRef) -> SymState:
    """The run's schedule moved to its next run day."""
    moved: SymState = st.replace(s_next=z3.If(second, st.s_next, following), t_next=z3.If(second, following, st.t_next))
    return moved


def initial(st: SymState) -> z3.BoolRef:
    """No schedule (the free slots' fields 0)."""
    parts = []
    for x in slots(st):
        zero = (x.owner, x.role, x.srv, x.next, x.created, x.start)
        parts += [z3.Not(x.on), z3.Not(x.flag), *[v == 0 for v in zero]]
    return z3.And(*parts, st.w_slot == 0)
