"""Exact edges chosen by Z3: the instant nearest to a pivot on either side of
a condition, on a grid (a minute, a second), inside a range.  Boundary
generators ask for 'the last instant the condition holds' and 'the first
instant it no longer does' instead of listing edge values by hand."""

from __future__ import annotations

import z3


def nearest(pivot: int, *, before: bool, grid: int = 60, low: int | None = None, high: int | None = None) -> int:
    """The instant closest to ``pivot`` that is strictly before it (``before``)
    or at / after it, on multiples of ``grid`` seconds, within [low, high]."""
    x = z3.Int("x")
    solver = z3.Optimize()
    solver.add(x % grid == 0)
    solver.add(x < pivot if before else x >= pivot)
    if low is not None:
        solver.add(x >= low)
    if high is not None:
        solver.add(x <= high)
    solver.minimize(z3.If(x > pivot, x - pivot, pivot - x))
    if solver.check() != z3.sat:
        raise ValueError(f"no instant {'before' if before else 'at or after'} {pivot} on grid {grid} in range")
    return int(solver.model()[x].as_long())


def edge_pair(pivot: int, grid: int = 60) -> tuple[int, int]:
    """(last instant before the pivot, first instant at or after it)."""
    return nearest(pivot, before=True, grid=grid), nearest(pivot, before=False, grid=grid)


def around(pivot: int, grid: int = 1) -> tuple[int, int, int]:
    """(pivot - grid, pivot, pivot + grid) as Z3 finds them: the last value
    below, the value at, and the first value above the pivot."""
    below = nearest(pivot, before=True, grid=grid)
    at = nearest(pivot, before=False, grid=grid)
    above = nearest(pivot + 1, before=False, grid=grid)
    return below, at, above
