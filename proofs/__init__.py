"""Z3 proofs of the model's invariants for every reachable state of its
abstraction (``proofs/README.md``: one MPAN, one device with two schedules,
one watched cache key, one piece of queued work), each also a runtime check
on the model's own steps.

``OBLIGATIONS`` are the named invariants (each with ``.name`` and
``.requirements``); :func:`prove_all` proves them (initiation + consecution of
their conjunction, non-vacuity of each) and, with ``mutants=True``, runs every
seeded fault and lists for each invariant the faults that break it, each with a
bounded-model-checking counterexample trace.

Layers: :mod:`.inputs` (tables the encoding reads), :mod:`.symbolic` and
:mod:`.encode` (transition relation), :mod:`.obligations` (invariants),
:mod:`.solve` (queries, never printing), :mod:`.mutants` (seeded faults),
:mod:`.replay` (traces to model events), :mod:`.report` (text / JSON).
"""

from __future__ import annotations

from .obligations import OBLIGATIONS, Obligation
from .run import Result, prove_all

__all__ = ["OBLIGATIONS", "Obligation", "Result", "prove_all"]
