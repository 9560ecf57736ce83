"""Agreement of the encoding with the Python model on one concrete step.

Forward: (concrete pre-state, event, post-state, outputs) satisfies the Z3
transition relation.  Reverse: every successor Z3 finds for that concrete
pre-state and event is the model's (the model's is the only one).

:class:`ObligationEvaluator`: each obligation's Z3 form evaluated on one
concrete step, to compare with its runtime check (``runtime.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import z3

from . import encode
from .concrete import GHOSTS, Frame, Values, alt_of, comparable_output, comparable_state, day_number
from .inputs import Inputs, reference_inputs
from .obligations import OBLIGATIONS
from .solve import QUERY_RLIMIT, _is_bst, _query_solver, _spans, stopped
from .symbolic import Ctx, SymEvent, SymOut, SymState


@dataclass(frozen=True)
class Disagreement:
    """Why a step does not agree: 'forward' (the model's step is not a Z3 step)
    or 'reverse' (Z3 has another successor), with Z3's values."""

    direction: str
    z3_state: Values
    z3_output: Values


class StepChecker:
    """One encoding on the real calendar of [first, last], reused across steps.
    Each question is asked of a fresh solver, after Z3's preprocessing
    (``solve._query_solver``): one incremental solver kept across thousands of
    steps grows slower with every step."""

    def __init__(self, first: dt.date, last: dt.date, inputs: Inputs | None = None) -> None:
        days = [d for d in range(day_number(first) - 2, day_number(last) + 3) if _is_bst(d)]
        self.ctx = ctx = Ctx(inputs or reference_inputs(), bst_spans=_spans(days))
        self.s, self.e = SymState.fresh(ctx, "s"), SymEvent.fresh(ctx, "e")
        self.guard, self.post, self.out = encode.step(ctx, self.s, self.e)

    def _fix(self, record: SymState | SymEvent | SymOut, values: Values, skip: Sequence[str] = ()) -> list[z3.BoolRef]:
        return [getattr(record, k) == v for k, v in values.items() if k not in skip]

    def _same(self, record: SymState | SymOut, values: Values) -> z3.BoolRef:
        return z3.And(*[getattr(record, k) == v for k, v in values.items()])

    def _solver(self, *formulas: z3.BoolRef) -> z3.Solver:
        """A fresh solver holding the step relation and ``formulas``."""
        solver = _query_solver()  # its resource limit is solver work, not wall-clock time
        solver.add(*self.ctx.defs, self.guard, *formulas)
        return solver

    def check(self, frame: Frame, alt: dict[str, bool], pre: Values, event: Values, post: Values,
              out: Values) -> Disagreement | None:  # fmt: skip
        """None when the encoding and the model agree on this step."""
        ctx = self.ctx
        rigid = frame.rigid()
        fixed = [ctx.gen == rigid["gen"], ctx.kind == rigid["kind"], ctx.comm == rigid["comm"],
                 ctx.first == rigid["first"], ctx.srv_w == rigid["srv_w"], ctx.ts_w == rigid["ts_w"],
                 *[ctx.alt[o] == v for o, v in alt.items()], *self._fix(self.s, pre, skip=GHOSTS),
                 *self._fix(self.e, event)]  # fmt: skip
        same = z3.And(self._same(self.post, comparable_state(post)), self._same(self.out, comparable_output(out)))
        forward = self._solver(*fixed, same)
        if (answer := forward.check()) != z3.sat:
            return self._disagree("forward" + _undecided(forward, answer), self._solver(*fixed))
        reverse = self._solver(*fixed, z3.Not(same))
        if (answer := reverse.check()) != z3.unsat:
            return self._disagree("reverse" + _undecided(reverse, answer), reverse)
        return None

    def _disagree(self, direction: str, solver: z3.Solver) -> Disagreement:
        """The disagreement, with a successor Z3 finds (none when it finds none)."""
        if solver.check() != z3.sat:
            return Disagreement(direction, {}, {})
        model = solver.model()
        return Disagreement(
            direction, comparable_state(self.post.evaluate(model)), comparable_output(self.out.evaluate(model))
        )


def _undecided(solver: z3.Solver, answer: z3.CheckSatResult) -> str:
    return f" (undecided: {stopped(solver, QUERY_RLIMIT)})" if answer == z3.unknown else ""


@cache
def checker(first: dt.date, last: dt.date) -> StepChecker:
    return StepChecker(first, last)


def _constants(values: Values) -> dict[str, z3.ExprRef]:
    return {k: z3.BoolVal(v) if isinstance(v, bool) else z3.IntVal(v) for k, v in values.items()}


class ObligationEvaluator:
    """The Z3 form of every obligation (state part on the post-state, step
    part) evaluated on one concrete step of the abstraction's world, on the
    real calendar of [first, last]."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        days = [d for d in range(day_number(first) - 2, day_number(last) + 3) if _is_bst(d)]
        self.ctx = Ctx(reference_inputs(), bst_spans=_spans(days))
        self.solver = z3.SolverFor("QF_LIA")
        self.solver.set("rlimit", QUERY_RLIMIT)
        self.solver.add(*self.ctx.defs)
        self.known = len(self.ctx.defs)  # the definitions added so far (day_of adds some as it goes)

    def falsified(self, frame: Frame, alt: dict[str, bool], pre: Values, event: Values, post: Values,
                  out: Values) -> set[str]:  # fmt: skip
        """The names of the obligations false of this step (the ghosts ``s_created``, ``t_created``
        and ``sched_created`` as the values give them)."""
        ctx, rigid = self.ctx, frame.rigid()
        s, s2 = SymState(**_constants(pre)), SymState(**_constants(post))
        e, o = SymEvent(**_constants(event)), SymOut(**_constants(out))
        found = set()
        self.solver.push()
        try:
            self.solver.add(
                *[getattr(ctx, k) == v for k, v in rigid.items()], *[ctx.alt[k] == v for k, v in alt.items()]
            )
            for ob in OBLIGATIONS:
                holds = ob.holds(ctx, s, e, o, s2)
                self.solver.add(*ctx.defs[self.known :])  # definitions only: valid whatever the query
                self.known = len(ctx.defs)
                self.solver.push()
                self.solver.add(z3.Not(holds))
                result = self.solver.check()
                self.solver.pop()
                assert result != z3.unknown, f"{ob.name}: {stopped(self.solver, QUERY_RLIMIT)}"
                if result == z3.sat:
                    found.add(ob.name)
        finally:
            self.solver.pop()
        return found


__all__ = ["Disagreement", "ObligationEvaluator", "StepChecker", "alt_of", "checker"]
