"""Which lines of the model each vector and the random walks execute, recorded
once on the unmutated model (in a worker, after :func:`runtime.load_reference`).

A mutant runs only the vectors that execute its lines (the node's and its
statement's first line: Python reports a line only when an instruction of it
runs), each recorded from scratch, with every memo emptied before it: a vector
that never evaluates the mutated code computes exactly what it computes on the
model.  A mutant whose lines nothing executes, neither at import nor in a
vector nor in a walk, is not run at all.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

Line = tuple[str, int]  # (model file name, line)


@dataclass
class Coverage:
    """``at_import``: lines run when the model is imported; ``by_vector``:
    line -> indices of the vectors (in id order) that execute it, each run
    from scratch (no memo filled by an earlier vector); ``walks``: lines the
    random walks execute; ``fuzzed``: lines the fuzzed inputs execute
    (:mod:`.fuzzed`)."""

    at_import: set[Line] = field(default_factory=set)
    by_vector: dict[Line, list[int]] = field(default_factory=dict)
    walks: set[Line] = field(default_factory=set)
    fuzzed: set[Line] = field(default_factory=set)

    def vectors(self, lines: Iterable[Line], count: int) -> list[int]:
        """The indices, in order, of the vectors whose outcome the code on
        ``lines`` can change: all of them when it runs at import, else those
        executing it.  A vector that never executes a line computes the same
        with it mutated; what an earlier vector left in a memo is what the
        vector would compute itself (memos hold pure data only)."""
        lines = list(lines)
        if any(line in self.at_import for line in lines):
            return list(range(count))
        return sorted({index for line in lines for index in self.by_vector.get(line, ())})

    def walked(self, lines: Iterable[Line]) -> bool:
        """Do the random walks execute any of ``lines`` (import counts: every walk runs it)?"""
        return any(line in self.walks or line in self.at_import for line in lines)

    def fuzzed_through(self, lines: Iterable[Line]) -> bool:
        """Do the fuzzed inputs execute any of ``lines``?"""
        return any(line in self.fuzzed or line in self.at_import for line in lines)


class Recorder:
    """Records the model lines executed while :meth:`into` is active."""

    def __init__(self, folder: Path) -> None:
        self.prefix = str(folder) + "/"
        self.lines: set[Line] = set()

    def _global(self, frame: FrameType, event: str, arg: Any) -> Callable[..., Any] | None:
        filename = frame.f_code.co_filename
        if not filename.startswith(self.prefix):
            return None
        name = filename[len(self.prefix) :]
        lines = self.lines

        def local(frame: FrameType, event: str, arg: Any) -> Callable[..., Any]:
            if event == "line":
                lines.add((name, frame.f_lineno))
            return local

        lines.add((name, frame.f_lineno))
        return local

    @contextmanager
    def into(self, lines: set[Line]) -> Iterator[None]:
        self.lines = lines
        sys.settrace(self._global)
        try:
            yield
        finally:
            sys.settrace(None)
