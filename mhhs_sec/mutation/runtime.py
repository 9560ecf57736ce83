"""Loading a mutated model in place of the original, in a worker process.

The model's modules are compiled once from their source, each loop body given
a tick of a deterministic step budget (a mutant that loops for ever exhausts
the budget instead of hanging: no wall-clock limit).  In a worker,
:func:`load_reference` forgets the model's modules and the reference
implementation, and imports them again from those compiled modules, one of
them replaced by the mutated one: everything the reference implementation
reaches then runs the mutant.  The suite's own side (loader, comparator,
runner, output checks) keeps the original model it imported first.
"""

from __future__ import annotations

import ast
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from types import CodeType, ModuleType
from typing import Final

MODEL_PACKAGE: Final = "mhhs_sec.model"
REFERENCE_MODULE: Final = "mhhs_sec.conformance.reference"
TICK: Final = "__mutant_tick__"


def model_dir() -> Path:
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent


class StepBudgetExceeded(BaseException):
    """More loop iterations in one event than the budget allows.  A
    ``BaseException`` so that no handler of the model can swallow it."""


class Budget:
    """The loop iterations left for the current event."""

    def __init__(self, per_event: int) -> None:
        self.per_event = per_event
        self.left = per_event
        self.most_used = 0

    def start_event(self) -> None:
        self.most_used = max(self.most_used, self.per_event - self.left)
        self.left = self.per_event

    def tick(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise StepBudgetExceeded(f"more than {self.per_event} loop iterations in one event")


class _Ticked(ast.NodeTransformer):
    """Each ``for`` / ``while`` body starts with ``__mutant_tick__()``."""

    def _tick(self, node: ast.For | ast.While | ast.AsyncFor) -> ast.AST:
        self.generic_visit(node)
        call = ast.Expr(ast.Call(ast.Name(TICK, ast.Load()), [], []))
        node.body.insert(0, ast.copy_location(call, node.body[0]))
        return node

    visit_For = visit_While = visit_AsyncFor = _tick


def compile_module(tree: ast.Module, filename: str) -> CodeType:
    """The module's code with the budget ticks in its loops."""
    return compile(ast.fix_missing_locations(_Ticked().visit(tree)), filename, "exec")


def original_codes() -> dict[str, CodeType]:
    """Every model module (``file name -> code``), compiled with the ticks."""
    folder = model_dir()
    return {
        path.name: compile_module(ast.parse(path.read_text(encoding="utf-8")), str(path))
        for path in sorted(folder.glob("*.py"))
    }


class _ModelFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds the model's modules among the compiled ones."""

    def __init__(self, codes: dict[str, CodeType], budget: Budget) -> None:
        self.codes, self.budget, self.folder = codes, budget, model_dir()

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname == MODEL_PACKAGE:
            return importlib.util.spec_from_file_location(
                fullname, self.folder / "__init__.py", loader=self, submodule_search_locations=[str(self.folder)]
            )
        package, _, name = fullname.rpartition(".")
        if package == MODEL_PACKAGE and f"{name}.py" in self.codes:
            return importlib.util.spec_from_file_location(fullname, self.folder / f"{name}.py", loader=self)
        return None

    def exec_module(self, module: ModuleType) -> None:
        module.__dict__[TICK] = self.budget.tick
        assert module.__file__ is not None
        exec(self.codes[Path(module.__file__).name], module.__dict__)  # noqa: S102 - the model's own compiled source


def load_reference(codes: dict[str, CodeType], budget: Budget) -> ModuleType:
    """Import the reference implementation again over the model compiled in
    ``codes`` (call only in a worker process: the model's modules are replaced
    for the rest of the process).  Returns the reference module."""
    for name in [n for n in sys.modules if n == MODEL_PACKAGE or n.startswith(MODEL_PACKAGE + ".")]:
        del sys.modules[name]
    sys.modules.pop(REFERENCE_MODULE, None)
    sys.meta_path.insert(0, _ModelFinder(codes, budget))
    return importlib.import_module(REFERENCE_MODULE)


def loaded_model_files() -> list[str]:
    """The model's files the reference implementation imports (the files that
    can change what the suite sees), after :func:`load_reference`."""
    prefix = MODEL_PACKAGE + "."
    return sorted(f"{name[len(prefix) :]}.py" for name in sys.modules if name.startswith(prefix))


def forget_memos() -> None:
    """Empty every memo of the loaded model (``functools`` caches and
    :class:`~mhhs_sec.model.memo.IdentityMemo` instances), so that what runs
    next computes everything it needs itself."""
    memo = sys.modules.get(MODEL_PACKAGE + ".memo")
    identity_memo = getattr(memo, "IdentityMemo", None)
    for name in sorted(sys.modules):
        if name == MODEL_PACKAGE or name.startswith(MODEL_PACKAGE + "."):
            for value in list(vars(sys.modules[name]).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()
                elif identity_memo is not None and isinstance(value, identity_memo):
                    value._held.clear()
