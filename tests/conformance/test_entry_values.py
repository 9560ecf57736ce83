"""``entries`` (which entries) and ``entry-values`` (their values) are
separate observables: an implementation that does not expose the values is
still run, its timestamps compared and its values checked for consistency
across the vector's responses (``entry-consistency``, C-10)."""

from __future__ import annotations

from typing import Any

import pytest
from mhhs_sec.conformance.adapters import open_adapter
from mhhs_sec.conformance.runner import Verdict, run_all


def _verdict(double: str, vector: Any) -> Verdict:
    adapter = open_adapter(f"python:conform_kit:{double}")
    try:
        return run_all(adapter, [vector])[1][0]
    finally:
        adapter.close()


def _expected_responses(vector: Any) -> list[dict[str, Any]]:
    return [e.output for step in vector.steps for e in step.expected if e.output["type"] == "response"]


def _with_entries(all_vectors: list[Any]) -> Any:
    return next(v for v in all_vectors if "entries" in v.observables and any(
        r["entries"] for r in _expected_responses(v)))  # fmt: skip


def _repeated_entry(vector: Any) -> bool:
    """Two responses of the vector return the same (device, SRV, timestamp)."""
    seen: set[tuple[str, str, str]] = set()
    for response in _expected_responses(vector):
        keys = {(response["device_id"], response["srv"], e["timestamp"]) for e in response["entries"]}
        if keys & seen:
            return True
        seen |= keys
    return False


@pytest.mark.req("C-10")
def test_every_vector_that_compares_entries_compares_their_values(all_vectors: list[Any]) -> None:
    with_entries = [v for v in all_vectors if "entries" in v.observables]
    assert with_entries and all("entry-values" in v.observables for v in with_entries)


@pytest.mark.req("C-10")
def test_other_values_fail_with_entry_values_declared_and_pass_without(all_vectors: list[Any]) -> None:
    vector = _with_entries(all_vectors)
    declared = _verdict("OtherValues", vector)
    assert declared.status == "fail" and "entry values differ" in declared.reason
    undeclared = _verdict("OtherValuesUndeclared", vector)
    assert undeclared.status == "pass", undeclared.reason
    assert "entry-consistency" in undeclared.observables and "entry-values" not in undeclared.observables
    assert "entries" in undeclared.observables


@pytest.mark.req("C-10")
def test_inconsistent_values_across_responses_fail_the_consistency_check(all_vectors: list[Any]) -> None:
    vector = next(v for v in all_vectors if "entries" in v.observables and _repeated_entry(v))
    verdict = _verdict("InconsistentValues", vector)
    assert verdict.status == "fail"
    assert any(d.startswith("entry-consistency:") for d in verdict.differences), verdict.differences


@pytest.mark.req("C-10")
def test_entries_on_an_error_fail(all_vectors: list[Any]) -> None:
    vector = next(v for v in all_vectors if "entries" in v.observables and any(
        r["code"] not in ("I0", "I99") for r in _expected_responses(v)))  # fmt: skip
    verdict = _verdict("EntriesOnError", vector)
    assert verdict.status == "fail" and "entries differ" in verdict.reason
    assert _verdict("ReferenceImplementation", vector).status == "pass"
