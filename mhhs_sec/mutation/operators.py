"""The AST mutator: enumerate the mutation points of a module's source
deterministically (file, line, column, operator) and apply one of them.

Operators (the usual ones of mutation analysis):

- ``compare``: ``<`` / ``<=``, ``>`` / ``>=`` (boundary flips), ``==`` / ``!=``,
  ``in`` / ``not in``, ``is`` / ``is not``;
- ``bool-op``: ``and`` / ``or``; ``drop-operand``: one operand of an ``and`` /
  ``or`` left out (a dropped condition); ``negate``: the test of an ``if``,
  ``while`` or conditional expression negated; ``drop-not``: ``not x`` -> ``x``;
- ``constant+1`` / ``constant-1``: an integer constant changed by one;
  ``true-false``: a boolean constant flipped;
- ``arith``: ``+`` / ``-``;
- ``drop-statement``: a statement inside a function replaced by ``pass``;
- ``swap-args``: the first two positional arguments of a call swapped.

Docstrings, annotations, decorators and f-strings are not mutated, nor is a
statement whose removal leaves the same program (a bare ``...`` or other
constant, the ``return`` or ``return None`` that ends a function), nor a
statement whose first line carries the marker ``# not mutated: REASON`` (code
the reference implementation never runs for an event, such as the hooks of
the runtime checks: :func:`not_mutated` lists each with its reason, which the
report prints).  The points are found by one walk of the tree in source order,
so the same source always gives the same mutants in the same order.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Final, TypeVar

T = TypeVar("T")

_COMPARE_FLIPS: Final[dict[type[ast.cmpop], type[ast.cmpop]]] = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq,
    ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
}  # fmt: skip
_ARITH_FLIPS: Final[dict[type[ast.operator], type[ast.operator]]] = {ast.Add: ast.Sub, ast.Sub: ast.Add}
_SYMBOLS: Final[dict[type[ast.AST], str]] = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=", ast.In: "in",
    ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not", ast.And: "and", ast.Or: "or", ast.Add: "+", ast.Sub: "-",
}  # fmt: skip
_DROPPABLE: Final = (ast.Expr, ast.Assign, ast.AugAssign, ast.Raise, ast.Continue, ast.Break, ast.Return)
NOT_MUTATED: Final = re.compile(r"#\s*not mutated:\s*(.+?)\s*$")


@dataclass(frozen=True, order=True)
class Mutant:
    """One mutation point: ``file`` (relative to the model's folder), the
    1-based ``line`` and 0-based ``column`` of the node, the operator, what it
    changes (``detail``), its ordinal among the file's points and the first
    line of the innermost statement holding it (``statement_line``)."""

    file: str
    ordinal: int
    line: int
    column: int
    operator: str
    detail: str
    statement_line: int

    @property
    def changes_unexecuted(self) -> bool:
        """Does the mutant change behaviour even when its line never runs?
        Dropping a ``yield`` can make a generator a plain function."""
        return self.operator == "drop-statement" and self.detail == "yield"

    @property
    def id(self) -> str:
        return f"{self.file}#{self.ordinal}"

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class _Point:
    node: ast.AST
    operator: str
    detail: str
    apply: Callable[[], None]
    statement_line: int = 0


def mutants(file: str, source: str) -> list[Mutant]:
    """Every mutation point of ``source`` (the module ``file``), in source order."""
    found = []
    for ordinal, p in enumerate(_points(ast.parse(source), _marked(source))):
        line = getattr(p.node, "lineno", 0)
        found.append(Mutant(file, ordinal, line, getattr(p.node, "col_offset", 0), p.operator, p.detail,
                            p.statement_line or line))  # fmt: skip
    return found


def mutated_tree(source: str, ordinal: int) -> ast.Module:
    """The tree of ``source`` with mutation point ``ordinal`` applied."""
    tree = ast.parse(source)
    for index, point in enumerate(_points(tree, _marked(source))):
        if index == ordinal:
            point.apply()
            return ast.fix_missing_locations(tree)
    raise IndexError(f"no mutation point {ordinal}")


def not_mutated(source: str) -> list[tuple[int, str]]:
    """The statements marked ``# not mutated: REASON`` (the marker ends the
    statement's first line, or stands alone on a line before it and its
    decorators), by first line, each with its reason, in order."""
    return sorted(_marked(source).items())


def _marked(source: str) -> dict[int, str]:
    found: dict[int, str] = {}
    reason = None
    for number, text in enumerate(source.splitlines(), start=1):
        match = NOT_MUTATED.search(text)
        code = text.split("#", 1)[0].strip()
        if reason is not None and code and not code.startswith("@"):
            found[number], reason = reason, None
        if match and code:
            found[number] = match.group(1)
        elif match:
            reason = match.group(1)
    return found


def _points(tree: ast.Module, marked: dict[int, str]) -> Iterator[_Point]:
    yield from _walk(tree, _Scope(False, frozenset(marked)))


@dataclass(frozen=True)
class _Scope:
    """Where the walk is: inside a function or not, and the first lines of
    the statements marked ``# not mutated``."""

    in_function: bool
    marked: frozenset[int]

    def entering(self, node: ast.AST) -> _Scope:
        inside = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        return self if self.in_function or not inside else _Scope(True, self.marked)


def _in_statement(points: Iterator[_Point], line: int) -> Iterator[_Point]:
    """The points of a statement's subtree, each not yet inside an inner
    statement given this statement's first line."""
    for point in points:
        yield point if point.statement_line else replace(point, statement_line=line)


def _skipped_fields(node: ast.AST) -> set[str]:
    """Fields never mutated: annotations and decorators."""
    return {"annotation", "returns", "decorator_list", "type_comment"}


def _walk(node: ast.AST, scope: _Scope) -> Iterator[_Point]:
    if isinstance(node, ast.stmt):
        if node.lineno not in scope.marked:
            yield from _in_statement(_walk_node(node, scope), node.lineno)
    else:
        yield from _walk_node(node, scope)


def _walk_node(node: ast.AST, scope: _Scope) -> Iterator[_Point]:
    if isinstance(node, ast.JoinedStr):
        return
    yield from _node_points(node)
    inside = scope.entering(node)
    for name, value in ast.iter_fields(node):
        if name in _skipped_fields(node):
            continue
        if isinstance(value, list):
            yield from _list_points(node, name, value, inside)
        elif isinstance(value, ast.AST):
            yield from _walk(value, inside)


def _list_points(parent: ast.AST, name: str, items: list[object], scope: _Scope) -> Iterator[_Point]:
    for index, item in enumerate(items):
        if not isinstance(item, ast.AST) or _is_docstring(parent, name, index):
            continue
        in_body = scope.in_function and name in ("body", "orelse", "finalbody")
        if (
            in_body
            and isinstance(item, _DROPPABLE)
            and item.lineno not in scope.marked
            and not _no_op(parent, name, items, index)
        ):
            dropped = _setter(items, index, ast.Pass())
            yield _Point(item, "drop-statement", _statement_kind(item), dropped, statement_line=item.lineno)
        yield from _walk(item, scope)


def _no_op(parent: ast.AST, name: str, items: list[object], index: int) -> bool:
    """Would replacing the statement by ``pass`` leave the same program?  A
    bare constant (``...``: a Protocol's stub body) does nothing, and neither
    does the ``return`` / ``return None`` that ends a function's body."""
    item = items[index]
    if isinstance(item, ast.Expr) and isinstance(item.value, ast.Constant):
        return True
    ends_function = isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef) and name == "body"
    returns_none = isinstance(item, ast.Return) and (
        item.value is None or (isinstance(item.value, ast.Constant) and item.value.value is None)
    )
    return ends_function and returns_none and index == len(items) - 1


def _statement_kind(statement: ast.stmt) -> str:
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Yield | ast.YieldFrom | ast.Await):
        return "yield"
    return type(statement).__name__.lower()


def _is_docstring(parent: ast.AST, name: str, index: int) -> bool:
    if name != "body" or index != 0 or not isinstance(parent, ast.Module | ast.ClassDef | ast.FunctionDef):
        return False
    first = parent.body[0]
    return isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)


def _node_points(node: ast.AST) -> Iterator[_Point]:
    if isinstance(node, ast.Compare):
        yield from _compare_points(node)
    elif isinstance(node, ast.BoolOp):
        yield from _bool_points(node)
    elif isinstance(node, ast.Constant):
        yield from _constant_points(node)
    elif isinstance(node, ast.BinOp) and type(node.op) in _ARITH_FLIPS:
        flipped = _ARITH_FLIPS[type(node.op)]()
        yield _Point(
            node, "arith", f"{_SYMBOLS[type(node.op)]} -> {_SYMBOLS[type(flipped)]}", _attr(node, "op", flipped)
        )
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        # ``not not x``: the truth value of x, whatever its type
        yield _Point(
            node, "drop-not", "not x -> x", _attr(node, "operand", ast.UnaryOp(op=ast.Not(), operand=node.operand))
        )
    elif isinstance(node, ast.Call):
        yield from _swap_points(node)
    if isinstance(node, ast.If | ast.While | ast.IfExp):
        negated = ast.UnaryOp(op=ast.Not(), operand=node.test)
        yield _Point(node, "negate", "condition negated", _attr(node, "test", negated))


def _compare_points(node: ast.Compare) -> Iterator[_Point]:
    for index, op in enumerate(node.ops):
        flipped = _COMPARE_FLIPS[type(op)]()
        detail = f"{_SYMBOLS[type(op)]} -> {_SYMBOLS[type(flipped)]}"
        yield _Point(node, "compare", detail, _setter(node.ops, index, flipped))


def _bool_points(node: ast.BoolOp) -> Iterator[_Point]:
    other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    yield _Point(node, "bool-op", f"{_SYMBOLS[type(node.op)]} -> {_SYMBOLS[type(other)]}", _attr(node, "op", other))
    for index in range(len(node.values)):
        kept = node.values[:index] + node.values[index + 1 :]
        # one operand left: ``(x and x)`` is ``x`` whichever of and/or joins it
        values = kept if len(kept) > 1 else kept * 2
        yield _Point(node, "drop-operand", f"operand {index + 1} of {len(node.values)} dropped",
                     _attr(node, "values", values))  # fmt: skip


def _constant_points(node: ast.Constant) -> Iterator[_Point]:
    value = node.value
    if isinstance(value, bool):
        yield _Point(node, "true-false", f"{value} -> {not value}", _attr(node, "value", not value))
    elif isinstance(value, int):
        yield _Point(node, "constant+1", f"{value} -> {value + 1}", _attr(node, "value", value + 1))
        yield _Point(node, "constant-1", f"{value} -> {value - 1}", _attr(node, "value", value - 1))


def _swap_points(node: ast.Call) -> Iterator[_Point]:
    """The first two positional arguments swapped (when they differ)."""
    args = node.args
    if len(args) < 2 or any(isinstance(a, ast.Starred) for a in args[:2]) or ast.dump(args[0]) == ast.dump(args[1]):
        return
    yield _Point(node, "swap-args", "arguments 1 and 2 swapped", _attr(node, "args", [args[1], args[0], *args[2:]]))


def _attr(node: ast.AST, name: str, value: object) -> Callable[[], None]:
    return lambda: setattr(node, name, value)


def _setter(items: list[T], index: int, value: T) -> Callable[[], None]:
    def apply() -> None:
        items[index] = value

    return apply
