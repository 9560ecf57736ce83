"""Symbolic vocabulary of the encoding: the context (profile parameters, rigid
world constants, the settlement calendar), the abstract state, events and
outputs, and small Z3 helpers.

The abstraction (see ``docs/proofs.md``): one MPAN (the standard world's
MPAN_A) with its Supplier and a chain of up to four MDRA appointments of two
MDRAs (outgoing, incoming; ``chain.py``), one device of
symbolic generation and kind, at most two DSP Schedules, the S1SP cache of
one *watched* key (a symbolic SRV and entry timestamp, rigid over a run), which
stands for every key, one slot of queued work, the device's comms and
restriction; instants are integer seconds and settlement days integer
day numbers (days since 1970-01-01).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any, Final

import z3
from mhhs_sec.model.profile import PROFILE_OPTIONS
from mhhs_sec.model.tables import GENERATIONS

from .inputs import CODE_IDS, KINDS, PARTIES, ROLES, SRV_IDS, Inputs

DAY_S: Final = 86400
HOUR_S: Final = 3600
NONE_TRT: Final = -1
# Profile options the abstraction takes as parameters.  Outside it: S1-1 (the
# timestamps of daily logs), SCH-8 (it holds reads only, the default: no 5.1 /
# 5.2 / 5.3 is held) and AUD-3 (it has no audit trail).
OUTSIDE_OPTIONS: Final = frozenset({"daily_log_delay_tolerance_s", "mdr_window_scope", "audit_extract"})
PARAM_OPTIONS: Final[tuple[str, ...]] = tuple(o for o in PROFILE_OPTIONS if o not in OUTSIDE_OPTIONS)

SUBMIT, ADVANCE, LOADREG = 0, 1, 2
COMMS, RESTRICT = 3, 4  # device comms (SCH-5), a change-of-tenancy restriction (C-8): proofs/work.py
EVENT_KINDS: Final[tuple[str, ...]] = ("submit", "advance", "load_registration", "device_comms", "restrict_device")


def srv(name: str) -> int:
    return SRV_IDS.index(name)


def role(name: str) -> int:
    return list(ROLES).index(name)


def code(name: str) -> int:
    return CODE_IDS.index(name)


def gen(name: str) -> int:
    return [str(g) for g in GENERATIONS].index(name)


def kind(name: str) -> int:
    return list(KINDS).index(name)


def member(x: z3.ArithRef, indices: Iterable[int]) -> z3.BoolRef:
    """x is one of the indices (False for none)."""
    items = [x == i for i in sorted(set(indices))]
    return z3.Or(*items) if items else z3.BoolVal(False)


def zmax(a: z3.ArithRef, b: z3.ArithRef) -> z3.ArithRef:
    return z3.If(a >= b, a, b)


def zmin(a: z3.ArithRef, b: z3.ArithRef) -> z3.ArithRef:
    return z3.If(a <= b, a, b)


def first_of(rules: Sequence[tuple[z3.BoolRef, Any]], default: Any) -> Any:
    """If-chain: the value of the first rule whose condition holds."""
    result = default
    for condition, value in reversed(rules):
        result = z3.If(condition, value, result)
    return result


class Ctx:
    """One encoding: its inputs, profile parameters, rigid constants, calendar
    and the definitional constraints of the auxiliary variables it created."""

    def __init__(self, inputs: Inputs, tag: str = "", bst_spans: Sequence[tuple[int, int]] | None = None) -> None:
        self.inputs = inputs
        self.bst_spans = bst_spans
        self.tag = tag
        self.defs: list[z3.BoolRef] = []
        self._n = itertools.count()
        self._days: dict[int, tuple[z3.ArithRef, z3.ArithRef, z3.BoolRef]] = {}
        # Profile parameters: True = the non-default value of the option.
        self.alt = {o: z3.Bool(f"{tag}profile.{o}") for o in PARAM_OPTIONS}
        self.gen = self._ranged("device.generation", len(GENERATIONS))
        self.kind = self._ranged("device.kind", len(KINDS))
        self.comm = z3.Int(f"{tag}device.commissioned")  # day number
        self.first = z3.Int(f"{tag}registration.first")  # day number of the first appointments
        self.srv_w = self._ranged("watch.srv", len(SRV_IDS))
        self.ts_w = z3.Int(f"{tag}watch.timestamp")
        self.defs.append(self.ts_w >= 0)
        # REG-8: whether local 00:00 of a day is in BST (UK profile only): any
        # calendar for proofs, the real one (``bst_spans``) for BMC traces.
        self._bst = z3.Function(f"{tag}bst", z3.IntSort(), z3.BoolSort())
        # terms built from table lookups (no definitions), by function and argument
        # terms (kept with them: a term's id is reused once it is freed)
        self.memo: dict[tuple[object, ...], tuple[Sequence[z3.ExprRef], Any]] = {}
        # the watched entry's settlement day as access control counts days (AC-4)
        self.day_w = self.day_of(self.ts_w, utc=inputs.faults.access_days_utc)

    def memoised(self, name: str, args: Sequence[z3.ExprRef], build: Any) -> Any:
        """``build()``, once per function name and argument terms (Z3 terms are
        hash-consed: the same arguments, the same ids); for terms whose
        building adds no definitions."""
        key = (name, *[a.get_id() for a in args])
        if key not in self.memo:
            self.memo[key] = (args, build())
        return self.memo[key][1]

    def bst(self, day: z3.ArithRef) -> z3.BoolRef:
        if self.bst_spans is None:
            return self._bst(day)
        return z3.Or(*[z3.And(day >= a, day <= b) for a, b in self.bst_spans])

    def _ranged(self, name: str, size: int) -> z3.ArithRef:
        var = z3.Int(f"{self.tag}{name}")
        self.defs.append(z3.And(var >= 0, var < size))
        return var

    def fresh(self, name: str) -> z3.ArithRef:
        return z3.Int(f"{self.tag}{name}!{next(self._n)}")

    # -- profile -----------------------------------------------------------
    def on(self, option: str) -> z3.BoolRef:
        """The option has its non-default value."""
        return self.alt[option]

    @property
    def uk(self) -> z3.BoolRef:
        return z3.Not(self.alt["settlement_tz"])

    # -- calendar (REG-3, REG-8) -----------------------------------------------
    def day_start(self, day: z3.ArithRef, utc: bool = False) -> z3.ArithRef:
        """REG-3: local 00:00 of a settlement day (an hour earlier in BST)."""
        if utc:
            return DAY_S * day
        return DAY_S * day - z3.If(z3.And(self.uk, self.bst(day)), HOUR_S, 0)

    def wall(self, day: z3.ArithRef, seconds: int) -> z3.ArithRef:
        """Local wall-clock time ``seconds`` after midnight of ``day``: the UK
        offset changes at 01:00 UTC, so from 03:00 local it is the next day's."""
        bst = self.bst(day + 1) if seconds >= 3 * HOUR_S else self.bst(day)
        return DAY_S * day + seconds - z3.If(z3.And(self.uk, bst), HOUR_S, 0)

    def day_of(self, instant: z3.ArithRef, utc: bool = False) -> z3.ArithRef:
        """REG-3, REG-8: the settlement day an instant falls in."""
        if utc:
            return instant / DAY_S
        # one variable per instant term, so that two copies of a step (C-7)
        # share their days; its definition is given again to each caller
        # (the instant is kept with it: a term's id is reused once it is freed)
        known = self._days.get(instant.get_id())
        if known is None:
            day = self.fresh("day")
            definition = z3.And(self.day_start(day) <= instant, instant < self.day_start(day + 1))
            known = self._days[instant.get_id()] = (instant, day, definition)
        self.defs.append(known[2])
        return known[1]


def _z3_var(ctx: Ctx, name: str, sort: str) -> z3.ExprRef:
    full = f"{ctx.tag}{name}"
    return z3.Bool(full) if sort == "bool" else z3.Int(full)


class _Record:
    """Field-wise helpers shared by the state, event and output records."""

    @classmethod
    def fresh(cls, ctx: Ctx, prefix: str) -> Any:
        """A record of fresh Z3 variables: Bool for a ``z3.BoolRef`` field, Int otherwise."""
        sorts = {f.name: "bool" if "BoolRef" in str(f.type) else "int" for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{n: _z3_var(ctx, f"{prefix}.{n}", sort) for n, sort in sorts.items()})

    def values(self) -> list[z3.ExprRef]:
        return [getattr(self, f.name) for f in fields(self)]  # type: ignore[arg-type]

    def names(self) -> list[str]:
        return [f.name for f in fields(self)]  # type: ignore[arg-type]

    def eq(self, other: Any) -> z3.BoolRef:
        return z3.And(*[a == b for a, b in zip(self.values(), other.values(), strict=True)])

    def ite(self, condition: z3.BoolRef, other: Any) -> Any:
        """This record where ``condition`` holds, else ``other``."""
        return type(self)(
            **{n: z3.If(condition, a, b) for n, a, b in zip(self.names(), self.values(), other.values(), strict=True)}
        )

    def replace(self, **changes: Any) -> Any:
        data = {n: v for n, v in zip(self.names(), self.values(), strict=True)}
        data.update(changes)
        return type(self)(**data)

    def evaluate(self, model: z3.ModelRef) -> dict[str, int | bool]:
        out: dict[str, int | bool] = {}
        for name, value in zip(self.names(), self.values(), strict=True):
            v = model.eval(value, model_completion=True)
            out[name] = z3.is_true(v) if z3.is_bool(v) else int(str(v))
        return out


@dataclass(frozen=True)
class SymState(_Record):
    """Clock, the MDRA appointment dates (REG-2), two schedule slots (SCH-1)
    with ghost creation instants, the watched cache key (C-1..C-6), the queued work
    (SCH-4, SCH-5) and the device's comms and restriction (C-8)."""

    now: z3.ArithRef
    a_etd: z3.ArithRef  # ETD of the outgoing MDRA (REG-12 decides inclusive or not)
    b_efd: z3.ArithRef  # EFD of the incoming MDRA
    s_on: z3.BoolRef
    s_owner: z3.ArithRef
    s_role: z3.ArithRef
    s_srv: z3.ArithRef
    s_flag: z3.BoolRef
    s_next: z3.ArithRef  # settlement day of the next run
    s_created: z3.ArithRef  # ghost: instant the schedule was created
    s_start: z3.ArithRef  # its start day (C-13)
    # a second schedule of the device (proofs/schedules.py: slot 1, used only while slot 0 is, newer)
    t_on: z3.BoolRef
    t_owner: z3.ArithRef
    t_role: z3.ArithRef
    t_srv: z3.ArithRef
    t_flag: z3.BoolRef
    t_next: z3.ArithRef
    t_created: z3.ArithRef
    t_start: z3.ArithRef
    c_on: z3.BoolRef  # the watched entry is held
    c_at: z3.ArithRef  # when it was retrieved
    c_read: z3.ArithRef  # ghost: when the device was last read for the watched key and the entry stored (C-5)
    hw: z3.ArithRef  # C-3: the slot's high-water mark (-1 = no slot)
    r_w: z3.BoolRef  # C-12: the watched entry has been retrieved for the slot
    # The rest of the MDRA chain (chain.py): its length (a_etd, b_efd are its
    # first link), the party of appointments 1..3, the ETDs and EFDs after it
    m_len: z3.ArithRef
    m_p1: z3.ArithRef
    m_p2: z3.ArithRef
    m_p3: z3.ArithRef
    m_etd1: z3.ArithRef
    m_efd2: z3.ArithRef
    m_etd2: z3.ArithRef
    m_efd3: z3.ArithRef
    # queued work (SCH-4 held or future-dated read, SCH-5 retry; proofs/work.py)
    w_on: z3.BoolRef
    w_due: z3.ArithRef  # the instant it executes
    w_user: z3.ArithRef
    w_role: z3.ArithRef
    w_srv: z3.ArithRef
    w_flag: z3.BoolRef  # ForSettlement as sent
    w_ps: z3.ArithRef
    w_pe: z3.ArithRef
    w_sched: z3.BoolRef  # a retried schedule run (else an on-demand read)
    w_cut: z3.ArithRef  # SCH-5: the retry cut-off (-1: not a retry)
    w_created: z3.ArithRef  # ghost: creation instant of the schedule a retried run belongs to
    w_first: z3.ArithRef  # ghost: first and last day the decision that queued it authorised
    w_last: z3.ArithRef
    w_slot: z3.ArithRef  # the schedule slot a retried run belongs to
    off: z3.BoolRef  # the device is unreachable (SCH-5)
    r_at: z3.ArithRef  # C-8: the device's restriction instant (-1: none)


@dataclass(frozen=True)
class SymEvent(_Record):
    """An abstract event: a service request (a read possibly future-dated), a
    clock advance, a registration load (an MDRA chain: first ETD and next EFD,
    then the rest), the device's comms, or a restriction of the device."""

    kind: z3.ArithRef
    user: z3.ArithRef
    role: z3.ArithRef
    srv: z3.ArithRef
    flag: z3.BoolRef  # ForSettlement = true
    ps: z3.ArithRef  # ReadLogPeriod start
    pe: z3.ArithRef  # ReadLogPeriod end
    sched_srv: z3.ArithRef  # 5.1 body
    sched_start: z3.ArithRef
    to: z3.ArithRef
    new_etd: z3.ArithRef
    new_efd: z3.ArithRef
    # the rest of the chain a load brings (chain.py), as the state's m_* fields
    new_len: z3.ArithRef
    new_p1: z3.ArithRef
    new_p2: z3.ArithRef
    new_p3: z3.ArithRef
    new_etd1: z3.ArithRef
    new_efd2: z3.ArithRef
    new_etd2: z3.ArithRef
    new_efd3: z3.ArithRef
    x_on: z3.BoolRef  # the request is future-dated (SCH-4) ...
    x_at: z3.ArithRef  # ... to this instant
    online: z3.BoolRef  # device comms event: the device becomes reachable


@dataclass(frozen=True)
class SymOut(_Record):
    """What a party observes from one event: the response (if any), whether it
    carries the watched entry and whether that came from the cache, the alert
    (SCH-3), and whether a registration load was refused (REG-5)."""

    on: z3.BoolRef
    code: z3.ArithRef
    trt: z3.ArithRef
    eff_flag: z3.BoolRef
    user: z3.ArithRef
    role: z3.ArithRef
    srv: z3.ArithRef
    scheduled: z3.BoolRef
    sched_owner_role: z3.ArithRef  # role of the schedule a run belongs to (-1: not a run)
    sched_created: z3.ArithRef  # creation instant of the schedule a run belongs to
    has_ts: z3.BoolRef
    ts_cached: z3.BoolRef
    at: z3.ArithRef
    alert: z3.BoolRef
    reg_refused: z3.BoolRef


def no_output(at: z3.ArithRef) -> SymOut:
    f, zero = z3.BoolVal(False), z3.IntVal(0)
    return SymOut(f, z3.IntVal(-1), z3.IntVal(NONE_TRT), f, zero, zero, zero, f, z3.IntVal(-1), zero, f, f, at, f, f)


__all__ = ["PARTIES", "Ctx", "SymEvent", "SymOut", "SymState"]
