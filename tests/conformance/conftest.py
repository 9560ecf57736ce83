"""Fixtures of the conformance runner tests (defined in conform_kit)."""

from conform_kit import all_vectors, few_vectors, server

__all__ = ["all_vectors", "few_vectors", "server"]
