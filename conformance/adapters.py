"""Adapter specs: the one place that turns ``--adapter SPEC`` into an adapter.

==========================  =====================================================
``reference``               the model, in process
``fault:NAME``              a seeded faulty implementation, in process (self-check)
``python:MODULE:CLASS``     any Python class implementing the protocol, in process
``cmd:COMMAND``             a subprocess speaking JSON lines on stdin / stdout
``http://HOST:PORT``        an HTTP server; service requests as DUIS XML
==========================  =====================================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .protocol import Adapter

DEFAULT_TIMEOUT_S = 10.0
SPEC_HELP = "reference | fault:NAME | python:MODULE:CLASS | cmd:COMMAND | http://HOST:PORT"


def open_adapter(spec: str, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> Adapter:
    """The adapter a spec names; ValueError (with the accepted forms) otherwise.
    Nothing is started here: processes and connections open on the first call;
    each kind's module is imported only when named (a bad spec answers at once)."""
    if spec != "reference" and not spec.startswith(("fault:", "python:", "cmd:", "http://")):
        raise ValueError(f"unknown adapter {spec!r}; expected {SPEC_HELP}")
    from .inprocess import InProcessAdapter, load_class

    if spec == "reference":
        from .reference import ReferenceImplementation

        return InProcessAdapter(ReferenceImplementation, spec, timeout_s=timeout_s, check=False)
    if spec.startswith("fault:"):
        from .faults import faulty_factory

        return InProcessAdapter(faulty_factory(spec[len("fault:") :]), spec, timeout_s=timeout_s, check=False)
    if spec.startswith("python:"):
        return InProcessAdapter(load_class(spec[len("python:") :]), spec, timeout_s=timeout_s)
    if spec.startswith("cmd:"):
        command = spec[len("cmd:") :].strip()
        if not command:
            raise ValueError("cmd: adapter needs a command, e.g. cmd:'mhhs-sec serve --stdio'")
        from .stdio import StdioAdapter

        return StdioAdapter(command, timeout_s=timeout_s, spec=spec)
    from .http import HttpAdapter

    return HttpAdapter(spec, timeout_s=timeout_s)
