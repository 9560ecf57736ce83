"""Reason classes: an implementation may answer the suite's MHHS-* classes
with codes of its own, declared in ``hello.codes``; the runner reads them back
before comparing.  A declared code that collides with a DUIS code, or one code
for two classes, is a usage error reported at hello."""

from __future__ import annotations

from typing import Any

import pytest
from mhhs_sec.conformance.inprocess import InProcessAdapter
from mhhs_sec.conformance.protocol import REASON_CLASSES
from mhhs_sec.conformance.reference import ReferenceImplementation
from mhhs_sec.conformance.runner import run_all

# The test double's own codes: one per class, none of them a DUIS code.
VENDOR: dict[str, str] = {c: f"VENDOR-{n}" for n, c in enumerate(sorted(REASON_CLASSES), start=100)}


class Renamed(ReferenceImplementation):
    """The reference answering every reason class with its own code."""

    declared: dict[str, str] | None = VENDOR

    def hello(self) -> dict[str, Any]:
        answer = super().hello()
        if self.declared is not None:
            answer["codes"] = self.declared
        return answer

    def step(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        return [_renamed(output) for output in super().step(event)]


def _renamed(output: dict[str, Any]) -> dict[str, Any]:
    found = dict(output)
    if "code" in found:
        found["code"] = VENDOR.get(found["code"], found["code"])
    if "records" in found:
        found["records"] = [_renamed(r) for r in found["records"]]
    return found


class Undeclared(Renamed):
    declared = None


class CollidesWithDuis(Renamed):
    declared = {**VENDOR, "MHHS-E1": "E4"}


class SharedCode(Renamed):
    declared = {**VENDOR, "MHHS-E2": VENDOR["MHHS-E1"]}


def _statuses(implementation: type[Renamed], vectors: list[Any]) -> list[tuple[str, str]]:
    adapter = InProcessAdapter(implementation, f"python:test:{implementation.__name__}")
    try:
        return [(v.status, v.reason) for v in run_all(adapter, vectors)[1]]
    finally:
        adapter.close()


@pytest.fixture(scope="module")
def classed_vectors(all_vectors: list[Any]) -> list[Any]:
    """Vectors expecting a reason class (a response or alert code MHHS-*)."""
    found = [
        v for v in all_vectors
        if any(e.output.get("code") in REASON_CLASSES for s in v.steps for e in s.expected)
    ]  # fmt: skip
    if not found:
        pytest.skip("no committed vector expects a reason class")
    return found[:: max(1, len(found) // 40)]


def test_declared_vendor_codes_are_read_back_as_reason_classes(classed_vectors: list[Any]) -> None:
    assert [s for s in _statuses(Renamed, classed_vectors) if s[0] != "pass"] == []


def test_undeclared_vendor_codes_fail(classed_vectors: list[Any]) -> None:
    statuses = _statuses(Undeclared, classed_vectors)
    assert all(status == "fail" for status, _ in statuses)
    assert any("VENDOR-" in reason for _, reason in statuses)


@pytest.mark.parametrize(
    ("implementation", "words"),
    [(CollidesWithDuis, "collides with the DUIS code E4"), (SharedCode, "MHHS-E1 and MHHS-E2 are both mapped")],
)
def test_ambiguous_codes_are_a_usage_error_at_hello(
    implementation: type[Renamed], words: str, classed_vectors: list[Any]
) -> None:
    statuses = _statuses(implementation, classed_vectors[:3])
    assert {status for status, _ in statuses} == {"error"}
    assert all("handshake failed" in reason and words in reason for _, reason in statuses)
