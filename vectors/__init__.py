"""Conformance vectors: the committed vectors, their JSON Schema and XSD, the
one loader, the matching rules and the DUIS request codec.

- :func:`load_vectors` / :class:`Vector`: read and validate vector files.
- :func:`compare`: what passing a step means (observables only).
- :mod:`mhhs_sec.vectors.duis`: ``render_request`` / ``parse_request``.

Format: ``docs/vector-format.md``.
"""

from .compare import compare
from .format import FORMAT_VERSION, GENERATOR_VERSION, OBSERVABLES, model_revision
from .loader import (
    Alternative,
    Expected,
    Step,
    Vector,
    VectorFormatError,
    VectorProfile,
    load_vectors,
)

__all__ = [
    "FORMAT_VERSION",
    "GENERATOR_VERSION",
    "OBSERVABLES",
    "Alternative",
    "Expected",
    "Step",
    "Vector",
    "VectorFormatError",
    "VectorProfile",
    "compare",
    "load_vectors",
    "model_revision",
]
