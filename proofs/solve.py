"""Solving: initiation, consecution, non-vacuity and bounded model checking of
the obligations.  Nothing here prints; results are values.

Every query (a proof query on a fresh solver, a BMC query in a push/pop
scope) runs under a Z3 resource limit (``rlimit``), never a wall-clock
timeout: the limit counts the solver's own work, so a query gives the same
answer on a loaded or slow machine as on an idle one, and a query that
reaches it ends as ``Unknown`` saying which check stopped and why.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Final

import z3
from mhhs_sec.model.clock import day_start

from . import encode
from .inputs import Inputs
from .obligations import ALL, Obligation
from .symbolic import EVENT_KINDS, Ctx, SymEvent, SymOut, SymState

# Z3 resource limits per query (units of solver work, not time; about 5 million
# a second on this machine when idle).  The hardest proof query of the reference
# encoding needs about 5 million, the hardest BMC step of the seeded faults'
# searches about 36 million (``benchmarks/prove_bench.py --rlimit`` prints them).
# The margin is wide so that an answer does not depend on which queries the
# process ran before (Z3's term numbering steers its search), yet a runaway
# query still ends, as Unknown saying so.
QUERY_RLIMIT: Final = 100_000_000
BMC_RLIMIT: Final = 250_000_000
BMC_DEPTH: Final = 4
# BMC runs on the real calendar so that its traces replay: 2025-03-20 .. 2025-04-29
# covers the spring clock change (30 March 2025).
CALENDAR_FIRST: Final = dt.date(2025, 3, 20)
CALENDAR_DAYS: Final = 40


@dataclass(frozen=True)
class Step:
    """One step of a counterexample: the event and the output, as evaluated."""

    event: dict[str, int | bool]
    output: dict[str, int | bool]
    state: dict[str, int | bool]


@dataclass(frozen=True)
class Trace:
    """A counterexample: rigid constants, profile, initial state, steps."""

    rigid: dict[str, int | bool]
    profile: dict[str, bool]
    initial: dict[str, int | bool]
    steps: tuple[Step, ...]
    bst_days: tuple[int, ...]


@dataclass(frozen=True)
class Proved:
    status: str = "proved"


@dataclass(frozen=True)
class Counterexample:
    trace: Trace
    status: str = "violated"


@dataclass(frozen=True)
class Unknown:
    reason: str
    status: str = "unknown"


Verdict = Proved | Counterexample | Unknown


@dataclass
class Outcome:
    """What the solver found for one obligation."""

    obligation: Obligation
    verdict: Verdict
    seconds: float
    checks: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # queries that stopped at a resource limit


@contextmanager
def scope(solver: z3.Solver) -> Iterator[z3.Solver]:
    """A push/pop scope."""
    solver.push()
    try:
        yield solver
    finally:
        solver.pop()


def _solver(rlimit: int | None = None) -> z3.Solver:
    """An incremental solver (BMC: one unrolling grows step by step)."""
    solver = z3.SolverFor("QF_UFLIA")
    solver.set("rlimit", QUERY_RLIMIT if rlimit is None else rlimit)
    return solver


def _query_solver() -> z3.Solver:
    """A fresh solver for one proof query: Z3's rewriting, constant propagation,
    equation solving and unconstrained-term elimination first, then its SMT
    core with the simplex-based arithmetic solver (``arith.solver=2``), which
    decides this encoding's day arithmetic several times faster than the
    default one.  The resource limit covers the preprocessing too."""
    core = z3.With("smt", **{"arith.solver": 2})
    solver = z3.Then("simplify", "propagate-values", "solve-eqs", "elim-uncnstr", "simplify", core).solver()
    solver.set("rlimit", QUERY_RLIMIT)
    return solver


def stopped(solver: z3.Solver, rlimit: int) -> str:
    """Why a query answered unknown, in words."""
    reason = solver.reason_unknown()
    if reason in ("canceled", "max. resource limit exceeded", "resource limit exceeded"):
        return f"stopped at the Z3 resource limit (rlimit {rlimit:,})"
    return f"Z3 answered unknown ({reason})"


class Induction:
    """One-step induction over a shared encoding: Inv(s) ∧ T(s, e, s') ⊨ P(s') ∧ Q.

    The relation is built once; each query runs on a fresh solver (no query's
    search history steers another's), split by event kind: in the query of a
    kind the event's kind is the constant, so Z3's rewriting drops the other
    kinds' branches of the relation before the search."""

    def __init__(self, inputs: Inputs, obligations: Sequence[Obligation] = ALL) -> None:
        self.ctx = ctx = Ctx(inputs)
        self.obligations = obligations
        self.s, self.e = SymState.fresh(ctx, "s"), SymEvent.fresh(ctx, "e")
        self.guard, self.s2, self.out = encode.step(ctx, self.s, self.e)
        self.init = SymState.fresh(ctx, "i")
        self.initial = encode.initial(ctx, self.init)
        self.notes: list[str] = []  # why a query answered unknown
        self.witnesses: list[z3.ModelRef] = []  # models the non-vacuity queries found
        self.hypotheses = [assumed(ctx, ob, self.s) for ob in obligations if ob.state is not None]
        relation = z3.And(*ctx.defs, *self.hypotheses, self.guard)
        self.cases = [self._specialised(relation, kind) for kind in range(len(EVENT_KINDS))]

    def _specialised(self, formula: z3.BoolRef, kind: int) -> z3.BoolRef:
        """``formula`` for events of one kind (the kind a constant in it)."""
        return z3.And(self.e.kind == kind, z3.substitute(formula, (self.e.kind, z3.IntVal(kind))))

    def _solve(self, formulas: list[z3.BoolRef], label: str) -> tuple[z3.CheckSatResult, z3.ModelRef | None]:
        """One query on a fresh solver; an unknown answer is explained in ``notes``."""
        solver = _query_solver()
        solver.add(*formulas)
        result = solver.check()
        if result == z3.unknown:
            self.notes.append(f"{label}: {stopped(solver, QUERY_RLIMIT)}")
        return result, solver.model() if result == z3.sat else None

    def _goal(self, build: Callable[[], list[z3.BoolRef]]) -> z3.BoolRef:
        """The formulas ``build`` makes, with the definitions they create."""
        mark = len(self.ctx.defs)
        built = build()
        return z3.And(*built, *self.ctx.defs[mark:])

    def _by_kind(self, goal: z3.BoolRef, label: str) -> tuple[z3.CheckSatResult, z3.ModelRef | None]:
        """``goal`` with the relation, one query per event kind: sat at the
        first kind that meets it, else unknown if any query stopped, else unsat."""
        results = []
        for kind, name in enumerate(EVENT_KINDS):
            result, model = self._solve([self.cases[kind], self._specialised(goal, kind)], f"{label} ({name})")
            if result == z3.sat:
                return result, model
            results.append(result)
        return (z3.unknown if z3.unknown in results else z3.unsat), None

    def initiation(self, ob: Obligation) -> z3.CheckSatResult:
        if ob.state is None:
            return z3.unsat
        state = ob.state
        goal = self._goal(lambda: [ob.applies(self.ctx), z3.Not(state(self.ctx, self.init))])
        return self._solve([self.initial, *self.ctx.defs, goal], "initiation")[0]

    def consecution(self, ob: Obligation) -> z3.CheckSatResult:
        """Case split on the event kind (each case is a small query)."""
        goal = self._goal(lambda: [z3.Not(ob.holds(self.ctx, self.s, self.e, self.out, self.s2))])
        return self._by_kind(goal, "consecution")[0]

    def vacuity(self, ob: Obligation) -> z3.CheckSatResult:
        """sat = the hypotheses can be met (the proof is not vacuous).  A model
        an earlier witness query found is tried first: where it (completed
        with defaults) satisfies this witness and the definitions the witness
        created, it is a model of this query too."""
        witness = ob.witness
        assert witness is not None
        wanted = self._goal(lambda: [ob.applies(self.ctx), witness(self.ctx, self.s, self.e, self.out, self.s2)])
        if any(z3.is_true(m.eval(wanted, model_completion=True)) for m in self.witnesses):
            return z3.sat
        result, model = self._by_kind(wanted, "non-vacuity")
        if model is not None:
            self.witnesses.append(model)
        return result


def assumed(ctx: Ctx, ob: Obligation, s: SymState) -> z3.BoolRef:
    """An invariant's state part as an induction hypothesis: assumed only under
    the profile values it is proved for (an invariant of SCH-3 'delete' says
    nothing of the states SCH-3 'keep' reaches, so it must not exclude them)."""
    assert ob.state is not None
    return z3.Implies(ob.applies(ctx), ob.state(ctx, s))


class Unrolling:
    """BMC: up to ``depth`` steps from an initial state, on the real calendar,
    unrolled one step at a time (a step's guard is asserted only once the
    search reaches it)."""

    def __init__(self, inputs: Inputs, depth: int = BMC_DEPTH) -> None:
        first = (CALENDAR_FIRST - dt.date(1970, 1, 1)).days
        self.span = (first, first + CALENDAR_DAYS)
        self.bst_days = tuple(d for d in range(first - 10, first + CALENDAR_DAYS + 10) if _is_bst(d))
        self.ctx = ctx = Ctx(inputs, bst_spans=_spans(self.bst_days))
        self.depth = depth
        self.states = [SymState.fresh(ctx, "b0")]
        self.events: list[SymEvent] = []
        self.outs: list[SymOut] = []
        self.solver = _solver(BMC_RLIMIT)
        self._marked = 0
        self._add([
            encode.initial(ctx, self.states[0]),
            *self._rigid_window(),
            self._state_window(self.states[0]),
        ])  # fmt: skip

    def _add(self, formulas: list[z3.BoolRef]) -> None:
        self.solver.add(*formulas, *self.ctx.defs[self._marked :])
        self._marked = len(self.ctx.defs)

    def _rigid_window(self) -> list[z3.BoolRef]:
        ctx, (first, last) = self.ctx, self.span
        lo, hi = 86400 * (first + 2), 86400 * (last - 3)
        return [z3.And(d >= first + 1, d <= last - 3) for d in (ctx.first, ctx.comm)] + [
            z3.And(ctx.ts_w >= lo - 5 * 86400, ctx.ts_w <= hi)
        ]

    def _state_window(self, s: SymState) -> z3.BoolRef:
        first, last = self.span
        lo, hi = 86400 * (first + 2), 86400 * (last - 3)
        rest = [z3.And(v >= 0, v <= last - 3) for v in (s.m_etd1, s.m_efd2, s.m_etd2, s.m_efd3)]
        return z3.And(s.now >= lo, s.now <= hi, s.b_efd >= first + 1, s.b_efd <= last - 3, s.a_etd >= first,
                      s.a_etd <= last - 3, *rest)  # fmt: skip

    def _event_window(self, ev: SymEvent) -> z3.BoolRef:
        first, last = self.span
        lo, hi = 86400 * (first + 2), 86400 * (last - 3)
        rest = [z3.And(v >= 0, v <= last - 3) for v in (ev.new_etd1, ev.new_efd2, ev.new_etd2, ev.new_efd3)]
        return z3.And(z3.Or(z3.And(ev.ps == 0, ev.pe == 0), z3.And(ev.ps >= lo - 5 * 86400, ev.pe <= hi)),
                      ev.sched_start <= last - 3,
                      ev.to <= hi, ev.new_efd <= last - 3, ev.new_etd >= 0, *rest,
                      z3.Or(z3.Not(ev.x_on), ev.x_at <= hi))  # fmt: skip

    def _extend(self) -> None:
        i = len(self.events)
        ev, post_state = SymEvent.fresh(self.ctx, f"be{i}"), SymState.fresh(self.ctx, f"b{i + 1}")
        guard, post, out = encode.step(self.ctx, self.states[i], ev)
        self.events.append(ev)
        self.states.append(post_state)
        self.outs.append(out)
        self._add([guard, post_state.eq(post), self._event_window(ev), self._state_window(post_state)])

    def search(self, ob: Obligation) -> Verdict:
        """The shortest violation of ``ob`` within the depth, if any."""
        for upto in range(1, self.depth + 1):
            while len(self.events) < upto:
                self._extend()
            mark = len(self.ctx.defs)
            with scope(self.solver):
                bad = z3.Not(ob.holds(self.ctx, *self._at(upto - 1)))
                self.solver.add(bad, *self.ctx.defs[mark:])
                result = self.solver.check()
                if result == z3.sat:
                    return Counterexample(self._trace(self._readable(), upto))
                if result == z3.unknown:
                    return Unknown(f"BMC step {upto}: {stopped(self.solver, BMC_RLIMIT)}")
        return Proved()

    def reach(self, ob: Obligation) -> Verdict:
        """Non-vacuity by a reachable witness: the shortest trace from an
        initial state whose last step meets ``ob``'s hypothesis under the
        profile it names (a :class:`Counterexample` whose trace is that
        witness), or :class:`Proved` if none within the depth (vacuous)."""
        for upto in range(1, self.depth + 1):
            while len(self.events) < upto:
                self._extend()
            mark = len(self.ctx.defs)
            with scope(self.solver):
                assert ob.witness is not None
                self.solver.add(ob.applies(self.ctx), ob.witness(self.ctx, *self._at(upto - 1)), *self.ctx.defs[mark:])
                result = self.solver.check()
                if result == z3.sat:
                    return Counterexample(self._trace(self._readable(), upto), status="witnessed")
                if result == z3.unknown:
                    return Unknown(f"BMC step {upto}: {stopped(self.solver, BMC_RLIMIT)}")
        return Proved(status="no witness within the depth")

    def _readable(self) -> z3.ModelRef:
        """The current model, or one under the default profile where possible
        (options the violation needs stay on)."""
        model = self.solver.model()
        pinned: list[z3.BoolRef] = []
        for var in [v for v in self.ctx.alt.values() if z3.is_true(model.eval(v, model_completion=True))]:
            with scope(self.solver):
                self.solver.add(*pinned, z3.Not(var))
                if self.solver.check() == z3.sat:
                    model = self.solver.model()
                    pinned.append(z3.Not(var))
        return model

    def _at(self, i: int) -> tuple[SymState, SymEvent, SymOut, SymState]:
        return self.states[i], self.events[i], self.outs[i], self.states[i + 1]

    def _trace(self, model: z3.ModelRef, upto: int) -> Trace:
        ctx = self.ctx
        rigid = {name: int(str(model.eval(v, model_completion=True)))
                 for name, v in (("gen", ctx.gen), ("kind", ctx.kind), ("comm", ctx.comm), ("first", ctx.first),
                                 ("srv_w", ctx.srv_w), ("ts_w", ctx.ts_w))}  # fmt: skip
        profile = {o: z3.is_true(model.eval(v, model_completion=True)) for o, v in ctx.alt.items()}
        steps = tuple(
            Step(self.events[i].evaluate(model), self.outs[i].evaluate(model), self.states[i + 1].evaluate(model))
            for i in range(upto)
        )
        return Trace(rigid, profile, self.states[0].evaluate(model), steps, self.bst_days)


def _spans(days: Sequence[int]) -> list[tuple[int, int]]:
    """Runs of consecutive day numbers as (first, last) pairs."""
    spans: list[tuple[int, int]] = []
    for d in days:
        if spans and spans[-1][1] == d - 1:
            spans[-1] = (spans[-1][0], d)
        else:
            spans.append((d, d))
    return spans


def _is_bst(day: int) -> bool:
    date = dt.date(1970, 1, 1) + dt.timedelta(days=day)
    return bool(day_start(date, "uk") != day * 86400)


def prove(ob: Obligation, induction: Induction, bmc: Unrolling | None) -> Outcome:
    """Initiation + consecution (+ BMC for a trace when either fails)."""
    start = time.perf_counter()
    checks: dict[str, str] = {}
    del induction.notes[:]
    init, cons = induction.initiation(ob), induction.consecution(ob)
    checks["initiation"], checks["consecution"] = str(init), str(cons)
    verdict: Verdict
    if init == z3.unsat and cons == z3.unsat:
        verdict = Proved()
    elif bmc is not None:
        verdict = bmc.search(ob)
        if isinstance(verdict, Proved):
            verdict = Unknown(f"not inductive and no violation within {bmc.depth} steps")
    else:
        verdict = Unknown("not inductive (initiation or consecution failed)")
    if ob.witness is not None:
        checks["vacuity"] = str(induction.vacuity(ob))
    return Outcome(ob, verdict, time.perf_counter() - start, checks, list(induction.notes))
