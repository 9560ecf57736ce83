"""The in-process adapter: a Python object implementing
:class:`~mhhs_sec.conformance.protocol.Implementation` (``python:MODULE:CLASS``,
``reference``, ``fault:NAME``).

Anything the object raises other than :class:`EventRejected` becomes an
``internal`` :class:`AdapterFault`; outputs of a foreign implementation are
checked against the codec's output shapes (``schema`` fault otherwise).  A
Python call cannot be interrupted, so the per-step timeout is checked after the
call returns (a slow answer still gets an ``error`` verdict; a call that never
returns needs the stdio or HTTP adapter).
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable

from .protocol import AdapterFault, Capabilities, EventRejected, Implementation, Json
from .wire import check_outputs


class InProcessAdapter:
    """Drive an implementation object made by ``factory``."""

    def __init__(
        self, factory: Callable[[], Implementation], spec: str, *, timeout_s: float = 10.0, check: bool = True
    ) -> None:
        self.spec = spec
        self.factory = factory
        self.timeout_s = timeout_s
        self.check = check
        self._implementation: Implementation | None = None

    def _impl(self) -> Implementation:
        if self._implementation is None:
            try:
                self._implementation = self.factory()
            except Exception as error:  # noqa: BLE001 - any failure to build is a start fault
                raise AdapterFault("start", f"{self.spec}: cannot create the implementation: {error!r}") from None
        return self._implementation

    def hello(self) -> Capabilities:
        return Capabilities.from_json(self._guarded("hello"))

    def reset(self, initial_state: Json) -> None:
        self._guarded("reset", initial_state)

    def step(self, event: Json) -> list[Json]:
        outputs: list[Json] = self._guarded("step", event)  # type: ignore[assignment]
        if self.check:
            return check_outputs({"outputs": outputs})
        return outputs

    def _guarded(self, method: str, *arguments: object) -> object:
        """Call ``method`` of the implementation: its failure is an ``internal``
        fault, an answer later than the timeout a ``timeout`` fault."""
        implementation = self._implementation or self._impl()
        started = time.monotonic()
        try:
            result = getattr(implementation, method)(*arguments)
        except EventRejected:
            raise
        except Exception as error:  # noqa: BLE001 - the implementation's failure, reported as a fault
            raise AdapterFault("internal", f"{method}: {type(error).__name__}: {error}") from None
        elapsed = time.monotonic() - started
        if elapsed > self.timeout_s:
            raise AdapterFault("timeout", f"{method}: answered after {elapsed:.1f} s (limit {self.timeout_s:g} s)")
        return result

    def restart(self) -> None:
        self._implementation = None

    def close(self) -> None:
        self._implementation = None


def load_class(target: str) -> Callable[[], Implementation]:
    """``MODULE:CLASS`` -> the class (a zero-argument factory)."""
    module_name, sep, class_name = target.partition(":")
    if not sep or not module_name or not class_name:
        raise ValueError(f"python adapter needs python:MODULE:CLASS, got python:{target}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ValueError(f"python:{target}: cannot import {module_name}: {error}") from None
    factory = getattr(module, class_name, None)
    if not callable(factory):
        raise ValueError(f"python:{target}: {module_name} has no class {class_name}")
    return factory  # type: ignore[no-any-return]
