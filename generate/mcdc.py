"""MC/DC by Z3: for each condition of a decision, two inputs in which that
condition differs and the outcome differs, the other conditions differing as
little as possible (0 = unique-cause MC/DC; otherwise masking MC/DC, and the
conditions that had to move are recorded).  A condition for which no such
pair exists is a gap, reported with its reason (the conditions it is coupled to)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import z3

from .decisions import Inputs

Conditions = dict[str, z3.BoolRef]


@dataclass(frozen=True)
class Decision:
    """One decision of a rule: named conditions, outcome, input domain and an
    optional objective that pulls numeric inputs to their edges."""

    name: str
    requirements: tuple[str, ...]
    conditions: Callable[[Inputs], Conditions]
    outcome: Callable[[Inputs, Conditions], z3.BoolRef]
    domain: Callable[[Inputs], z3.BoolRef]
    outcome_names: tuple[str, str] = ("pass", "fail")
    objective: Callable[[Inputs], z3.ArithRef] | None = None
    source: str = ""


@dataclass(frozen=True)
class Side:
    """One concrete input of a pair: input values, condition values, outcome."""

    values: dict[str, Any]
    conditions: dict[str, bool]
    outcome: bool


@dataclass(frozen=True)
class Pair:
    decision: str
    condition: str
    sides: tuple[Side, Side]
    moved: tuple[str, ...] = field(default=())

    @property
    def kind(self) -> str:
        return "unique-cause" if not self.moved else "masking"


@dataclass(frozen=True)
class Gap:
    decision: str
    condition: str
    reason: str


def value_of(model: z3.ModelRef, symbol: z3.ExprRef) -> Any:
    """The Python value of an input in a Z3 model: a bool, an int, or an enum
    constant's name ('Role_MDR' -> 'MDR')."""
    value = model.eval(symbol, model_completion=True)
    if z3.is_true(value) or z3.is_false(value):
        return z3.is_true(value)
    if z3.is_int_value(value):
        return value.as_long()
    return str(value).split("_", 1)[1]


def _side(model: z3.ModelRef, inputs: Inputs, conditions: Conditions, outcome: z3.BoolRef) -> Side:
    values = {name: value_of(model, symbol) for name, symbol in sorted(inputs.symbols().items())}
    truth = {name: bool(value_of(model, c)) for name, c in conditions.items()}
    return Side(values, truth, bool(value_of(model, outcome)))


def solve_pair(decision: Decision, condition: str) -> Pair | Gap:
    """The MC/DC pair of one condition (or the gap)."""
    a, b = Inputs("a"), Inputs("b")
    ca, cb = decision.conditions(a), decision.conditions(b)
    oa, ob = decision.outcome(a, ca), decision.outcome(b, cb)
    solver = z3.Optimize()
    solver.set("timeout", 20000)
    solver.add(decision.domain(a), decision.domain(b), ca[condition], z3.Not(cb[condition]), oa != ob)
    others = [name for name in ca if name != condition]
    solver.minimize(z3.Sum([z3.If(ca[n] != cb[n], 1, 0) for n in others] or [z3.IntVal(0)]))
    if decision.objective is not None:
        solver.minimize(decision.objective(a) + decision.objective(b))
    # Lexicographic tie-breaks over every input make the optimum unique, so the
    # answer does not depend on the solver's internal state (byte-identical runs).
    for inputs in (a, b):
        for term in _ranks(inputs):
            solver.minimize(term)
    if solver.check() != z3.sat:
        return Gap(decision.name, condition, _gap_reason(decision, condition))
    model = solver.model()
    side_a, side_b = _side(model, a, ca, oa), _side(model, b, cb, ob)
    moved = tuple(n for n in others if side_a.conditions[n] != side_b.conditions[n])
    return Pair(decision.name, condition, (side_a, side_b), moved)


def _ranks(inputs: Inputs) -> list[z3.ArithRef]:
    """Integer ranks of each input: enum position, 0/1 for booleans, the value for integers."""
    terms: list[z3.ArithRef] = []
    for _, symbol in sorted(inputs.symbols().items()):
        sort = symbol.sort()
        if sort == z3.BoolSort():
            terms.append(z3.If(symbol, 1, 0))
        elif sort == z3.IntSort():
            terms.append(symbol)
        else:
            constants = [sort.constructor(k)() for k in range(sort.num_constructors())]
            rank: z3.ArithRef = z3.IntVal(len(constants))
            for index in reversed(range(len(constants))):
                rank = z3.If(symbol == constants[index], index, rank)
            terms.append(rank)
    return terms


def _gap_reason(decision: Decision, condition: str) -> str:
    i = Inputs("g")
    conditions = decision.conditions(i)
    solver = z3.Solver()
    solver.add(decision.domain(i))
    for value in (True, False):
        solver.push()
        solver.add(conditions[condition] == value)
        if solver.check() != z3.sat:
            return f"condition '{condition}' is always {not value} in the decision's input domain"
        solver.pop()
    return f"no input flips the outcome through '{condition}' alone: it is masked by the others in every case"


def mcdc(decision: Decision) -> list[Pair | Gap]:
    """A pair or a gap for every condition of a decision, in condition order."""
    names = list(decision.conditions(Inputs("n")))
    return [solve_pair(decision, name) for name in names]
