"""The decisions of the SEC rules as Z3 formulas, for MC/DC boundary generation.

Every relation is built by enumerating :mod:`mhhs_sec.model.rules` and
:mod:`mhhs_sec.model.tables` (``role_may_send``, ``trt_s``, ``SRVS``,
``CACHE``, the role sets): nothing here restates a table.  Each
:class:`Decision` names its conditions (Z3 booleans over symbolic inputs) and
its outcome, written with the same structure as the check in
:mod:`mhhs_sec.model.access` (or cache / schedules / execution) it mirrors; the
generators then ask Z3 for pairs of inputs in which one condition alone flips
the outcome (:mod:`.mcdc`), and check the model agrees with the prediction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Final

import z3
from mhhs_sec.model.rules import MHHS_ELIGIBLE, NEVER_FOR_SETTLEMENT, ROLES, SUPPLIER_ROLES, role_may_send, trt_s
from mhhs_sec.model.tables import CACHE, GENERATIONS, MDR_SRV_IDS, MODES, SRVS

KINDS: Final = ("ESME", "GSME")
FLAGS: Final = ("absent", "false", "true")


@dataclass(frozen=True)
class Sorts:
    role: z3.DatatypeSortRef
    roles: dict[str, z3.ExprRef]
    srv: z3.DatatypeSortRef
    srvs: dict[str, z3.ExprRef]
    gen: z3.DatatypeSortRef
    gens: dict[str, z3.ExprRef]
    kind: z3.DatatypeSortRef
    kinds: dict[str, z3.ExprRef]
    mode: z3.DatatypeSortRef
    modes: dict[str, z3.ExprRef]
    flag: z3.DatatypeSortRef
    flags: dict[str, z3.ExprRef]


def _enum(name: str, values: tuple[str, ...]) -> tuple[z3.DatatypeSortRef, dict[str, z3.ExprRef]]:
    sort, constants = z3.EnumSort(name, [f"{name}_{v}" for v in values])
    return sort, dict(zip(values, constants, strict=True))


@cache
def sorts() -> Sorts:
    """Enum sorts over the model's own domains (roles, SRVs, generations...)."""
    return Sorts(
        *_enum("Role", ROLES), *_enum("Srv", tuple(sorted(SRVS))), *_enum("Gen", GENERATIONS),
        *_enum("Kind", KINDS), *_enum("Mode", MODES), *_enum("Flag", FLAGS),
    )  # fmt: skip


class Inputs:
    """Symbolic inputs of one side of an MC/DC pair (suffix 'a' or 'b')."""

    def __init__(self, suffix: str) -> None:
        s = sorts()
        self.suffix = suffix
        self.role = z3.Const(f"role_{suffix}", s.role)
        self.srv = z3.Const(f"srv_{suffix}", s.srv)
        self.gen = z3.Const(f"gen_{suffix}", s.gen)
        self.kind = z3.Const(f"kind_{suffix}", s.kind)
        self.mode = z3.Const(f"mode_{suffix}", s.mode)
        self.flag = z3.Const(f"flag_{suffix}", s.flag)
        self.extra: dict[str, z3.ExprRef] = {}

    def bool(self, name: str) -> z3.BoolRef:
        self.extra.setdefault(name, z3.Bool(f"{name}_{self.suffix}"))
        return self.extra[name]

    def int(self, name: str) -> z3.ArithRef:
        self.extra.setdefault(name, z3.Int(f"{name}_{self.suffix}"))
        return self.extra[name]

    def symbols(self) -> dict[str, z3.ExprRef]:
        """Every input, by name (enum inputs first, then named extras)."""
        enums = {"role": self.role, "srv": self.srv, "gen": self.gen, "kind": self.kind,
                 "mode": self.mode, "flag": self.flag}  # fmt: skip
        return {**enums, **self.extra}


# ---- relations derived from the tables ----------------------------------------


def member(value: z3.ExprRef, universe: dict[str, z3.ExprRef], names: object) -> z3.BoolRef:
    chosen = [universe[n] for n in universe if n in names]  # type: ignore[operator]
    return z3.Or([value == c for c in chosen]) if chosen else z3.BoolVal(False)


def may_send(i: Inputs) -> z3.BoolRef:
    """AC-1 / DUIS matrix, by enumerating :func:`rules.role_may_send`."""
    s = sorts()
    pairs = [z3.And(i.role == s.roles[r], i.srv == s.srvs[v]) for r in ROLES for v in s.srvs if role_may_send(r, v)]
    return z3.Or(pairs)


def in_pre_mhhs_matrix(i: Inputs) -> z3.BoolRef:
    """The DUIS matrix part of :func:`rules.role_may_send` (roles other than MDR)."""
    s = sorts()
    pairs = [z3.And(i.role == s.roles[r], i.srv == s.srvs[v]) for r in ROLES if r != "MDR" for v in s.srvs
             if role_may_send(r, v)]  # fmt: skip
    return z3.Or(pairs)


def trt_available(i: Inputs) -> z3.BoolRef:
    """TRT-1 / AC-8: the Table 3 cell (after TRT-3) is not N/A, for the request's
    effective purpose (MHHS when the flag is true)."""
    s = sorts()
    cells = []
    for v in s.srvs:
        for g in GENERATIONS:
            for m in MODES:
                for purpose, flag_true in (("mhhs", True), ("existing", False)):
                    if trt_s(v, g, m, purpose) is not None:
                        flag_ok = i.flag == s.flags["true"] if flag_true else i.flag != s.flags["true"]
                        cells.append(z3.And(i.srv == s.srvs[v], i.gen == s.gens[g], i.mode == s.modes[m], flag_ok))
    return z3.Or(cells)


def in_trt_table(i: Inputs) -> z3.BoolRef:
    """The SRV has a row in Table 3 (so N/A cells apply to it)."""
    s = sorts()
    return member(i.srv, s.srvs, {v for v in s.srvs if trt_s(v, "SMETS2", "on-demand", "existing") is not None})


def kind_ok(i: Inputs) -> z3.BoolRef:
    s = sorts()
    return z3.Or([z3.And(i.srv == s.srvs[v], i.kind == s.kinds[k]) for v in s.srvs for k in SRVS[v].device_kinds])


def srv_where(i: Inputs, predicate: Callable[[str], bool]) -> z3.BoolRef:
    s = sorts()
    return member(i.srv, s.srvs, {v for v in s.srvs if predicate(v)})


def role_in(i: Inputs, roles: object) -> z3.BoolRef:
    return member(i.role, sorts().roles, roles)


def flag_is(i: Inputs, value: str) -> z3.BoolRef:
    return i.flag == sorts().flags[value]


def flag_well_formed(i: Inputs) -> z3.BoolRef:
    """FS-2 / FS-4 respected (used where another decision is under test)."""
    return z3.And(
        z3.Implies(role_in(i, {"MDR"}), flag_is(i, "true")),
        z3.Implies(role_in(i, NEVER_FOR_SETTLEMENT), z3.Not(flag_is(i, "true"))),
        z3.Implies(flag_is(i, "true"), role_in(i, MHHS_ELIGIBLE)),
    )


def is_cache_srv(i: Inputs) -> z3.BoolRef:
    return srv_where(i, lambda v: v in CACHE.srvs)


def device_read_srv(i: Inputs) -> z3.BoolRef:
    return srv_where(i, lambda v: SRVS[v].device_request)


def mdr_srv(i: Inputs) -> z3.BoolRef:
    return srv_where(i, lambda v: v in MDR_SRV_IDS)


def supplier_role(i: Inputs) -> z3.BoolRef:
    return role_in(i, SUPPLIER_ROLES)
