"""What passing a step means: only the observables are compared; reason,
interp and requirements never are; missing and extra outputs are reported."""

from __future__ import annotations

import copy

import pytest
from mhhs_sec.vectors import compare, load_vectors


def _response_step():  # type: ignore[no-untyped-def]
    for vector in load_vectors(strict=False):
        for step in vector.steps:
            for expected in step.expected:
                if expected.output["type"] == "response" and expected.output["entries"]:
                    return step.expected_outputs
    pytest.skip("no committed response with entries")


def test_identical_outputs_pass() -> None:
    outputs = _response_step()
    assert compare(outputs, copy.deepcopy(outputs), ["response-code", "entries"]) == []


def test_code_difference_is_reported() -> None:
    outputs = _response_step()
    actual = copy.deepcopy(outputs)
    actual[0]["code"] = "E99"
    problems = compare(outputs, actual, ["response-code"])
    assert len(problems) == 1 and "code" in problems[0] and "E99" in problems[0]


def test_informational_fields_are_never_compared() -> None:
    outputs = _response_step()
    actual = copy.deepcopy(outputs)
    actual[0].update(reason="other words", interp=["X-1:y=z"], requirements=["X-9"])
    assert compare(outputs, actual, ["response-code", "entries", "trt", "timing", "device-read"]) == []


def test_entries_compared_only_when_observed() -> None:
    outputs = _response_step()
    actual = copy.deepcopy(outputs)
    actual[0]["entries"] = actual[0]["entries"][:-1]
    assert compare(outputs, actual, ["response-code"]) == []
    problems = compare(outputs, actual, ["response-code", "entries"])
    assert problems and "entries" in problems[0]


def test_missing_and_unexpected_outputs() -> None:
    outputs = _response_step()
    assert any("missing" in p for p in compare(outputs, [], ["response-code"]))
    extra = copy.deepcopy(outputs[0])
    extra["request_id"] = "other"
    assert any("unexpected" in p for p in compare(outputs, [*copy.deepcopy(outputs), extra], ["response-code"]))


def test_alerts_need_the_alerts_observable() -> None:
    alert = {"type": "alert", "code": "MHHS-A1", "recipient": "u", "at": "2025-01-01T00:00:00Z",
             "device_id": "d", "schedule_id": 1, "requirements": ["SCH-3"]}  # fmt: skip
    assert compare([alert], [], ["response-code"]) == []
    assert compare([alert], [], ["alerts"]) != []
