"""Failures that explain themselves: a seeded fault of one rule prints as a
few groups by cause, each with one example told in full (inputs, the failing
step's event, the difference field by field, why), steps numbered from 1;
JUnit and HTML grouped by primary requirement with its statement; ``show``."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from mhhs_sec.conformance.adapters import open_adapter
from mhhs_sec.conformance.explain import groups
from mhhs_sec.conformance.reports import html, junit, text_summary
from mhhs_sec.conformance.runner import Run, rerun_prefix, run_all
from mhhs_sec.vectors.loader import VectorFormatError, load_vectors, read_document, vector_document

from mhhs_sec.cli import main
from mhhs_sec.requirements import REQUIREMENTS

FAULT = "fault:cache-kept-26h"  # C-5: cached entries served up to 26 h after retrieval


@pytest.fixture(scope="module")
def cache_run(all_vectors: list[Any]) -> Run:
    """The C-5 fault against every vector that reads a cache entry 25 h old
    or more, and a few it cannot fail."""
    chosen = [v for v in all_vectors if "C-5" in v.requirements and "sibling" not in v.tags]
    adapter = open_adapter(FAULT)
    try:
        name, verdicts = run_all(adapter, chosen)
    finally:
        adapter.close()
    return Run(FAULT, name, verdicts, len(chosen), rerun_prefix(FAULT, None, {}))


def _failed(run: Run) -> list[Any]:
    return [v for v in run.verdicts if v.status == "fail"]


def test_a_fault_of_one_rule_prints_as_a_few_groups_by_cause(cache_run: Run) -> None:
    failed = _failed(cache_run)
    found = groups(cache_run.verdicts)
    assert len(failed) >= 10 and len(found) <= 4, [g.cause for g in found]
    assert sum(len(g.verdicts) for g in found) == len(failed)  # every failure in exactly one group
    for group in found:  # a group shares the primary requirement, the kind of step and the difference
        assert {v.primary for v in group.verdicts} == {group.cause.primary}
        assert group.cause.difference == "response device_read: expected True, got False"
    assert "C-5" in {g.cause.primary for g in found}
    text = text_summary(cache_run)
    headings = [line for line in text.splitlines() if line.startswith("FAIL ")]
    assert len(headings) == len(found)
    assert f"FAIL  C-5: {REQUIREMENTS['C-5'].meaning}" in headings
    assert len(text.splitlines()) < 3 * len(failed)  # not one block per failure
    assert text == text_summary(cache_run)  # deterministic


def test_the_example_shows_inputs_event_field_difference_and_why(cache_run: Run) -> None:
    group = next(g for g in groups(cache_run.verdicts) if g.cause.primary == "C-5")
    example = group.example
    vector = example.vector
    failing = vector.steps[example.step]
    block = text_summary(cache_run).split(f"e.g. {example.vector_id}")[1].split("rerun:")[0]
    assert vector.initial_state["clock"] in block  # the vector's inputs
    assert f"device {failing.event['request']['device_id']}:" in block
    assert f"step {example.step + 1} fails: " in block and "step 0" not in block  # numbered from 1
    assert f"sends {failing.event['request']['srv']}" in block  # the step's input event in words
    assert "the clock moves to" in block and "+25 h" in block  # the earlier step that aged the entry
    assert "device_read expected True, got False" in block  # the one field that differs
    assert "code expected" not in block  # nothing about the fields that agree
    assert f"expected because: {failing.expected[0].why}" in block
    assert f"what it checks: {vector.comment}" in block


def test_comments_speak_the_sec_not_the_generator(all_vectors: list[Any]) -> None:
    mcdc = [v for v in all_vectors if "flips" in v.coverage]
    assert mcdc
    for vector in mcdc:
        assert vector.coverage["flips"] not in vector.comment and "MC/DC" not in vector.comment
    (expired,) = [v for v in mcdc if v.id == "boundary.cache-age.age-below-25h.f"]
    assert expired.primary_requirement == "C-5"
    assert "cached 25 h 0 min 1 s ago" in expired.comment and "the device is read" in expired.comment


def test_junit_parses_grouped_by_primary_requirement_with_its_statement(cache_run: Run) -> None:
    root = ET.fromstring(junit(cache_run))
    cases = list(root.iter("testcase"))
    assert len(cases) == len(cache_run.verdicts)
    by_primary = {v.vector_id: v.primary for v in cache_run.verdicts}
    for suite in root.iter("testsuite"):
        requirement = suite.find("properties/property[@name='requirement']").get("value")
        assert suite.get("name") == f"{requirement}: {REQUIREMENTS[requirement].meaning}"
        members = [c.get("name") for c in suite.iter("testcase")]
        assert all(by_primary[name] == requirement for name in members)
        assert int(suite.get("failures")) == sum(1 for c in suite.iter("testcase") if c.find("failure") is not None)
    c5 = [s for s in root.iter("testsuite") if s.get("name").startswith("C-5: ")]
    assert c5 and int(c5[0].get("failures")) == sum(v.primary == "C-5" for v in _failed(cache_run))


def test_html_marks_the_difference_instead_of_dumping_outputs(cache_run: Run) -> None:
    page = html(cache_run)
    assert '<td class="expected">True</td><td class="got">False</td>' in page
    assert f'C-5 <span class="statement">{REQUIREMENTS["C-5"].meaning}</span>' in page
    assert page.count('"request_id"') == 0  # no JSON dump of the outputs
    assert page.count('class="cause') == len(groups(cache_run.verdicts))


def test_show_tells_the_story_then_the_json(capsys: pytest.CaptureFixture[str]) -> None:
    vector_id = "boundary.cache-age.age-below-25h.f"
    (vector,) = load_vectors(strict=False, wants=lambda v: v.id == vector_id)
    assert main(["show", vector_id]) == 0
    story, _, data = capsys.readouterr().out.partition("\n\nJSON:\n")
    assert f"primary requirement: {vector.primary_requirement}: " in story
    assert f"what it checks: {vector.comment}" in story
    for number, step in enumerate(vector.steps, start=1):
        assert f"step {number}: " in story
        assert all(f"expected: {e.why}" in story for e in step.expected)
    assert "step 0" not in story and "+25 h 0 min 1 s" in story
    assert json.loads(data) == vector_document(vector_id)
    assert main(["show", vector_id, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == vector_id


def test_show_an_unknown_vector_is_one_line_with_close_matches(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "boundary.cache-age.age-below-25.f"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "did you mean" in err and "boundary.cache-age.age-below-25h.f" in err


def test_the_loader_refuses_a_primary_requirement_the_vector_does_not_cite(tmp_path: Any) -> None:
    from mhhs_sec.vectors.format import JSON_DIR

    document = json.loads(json.dumps(read_document(JSON_DIR / "targeted.json")))
    vector = document["vectors"][0]
    vector["primary_requirement"] = next(r for r in sorted(REQUIREMENTS) if r not in vector["requirements"])
    document["vectors"] = [vector]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(VectorFormatError, match="primary_requirement"):
        load_vectors(path, strict=False)


def test_errors_are_grouped_by_cause_with_the_event_that_met_them(all_vectors: list[Any]) -> None:
    steps = [(v, v.steps[0]) for v in all_vectors if v.steps]  # not a refused reset: it has no steps
    chosen = [v for v, first in steps if first.refused is None and first.event["event"] == "submit"][:12]
    adapter = open_adapter("python:conform_kit:Raises")  # raises on every step
    try:
        name, verdicts = run_all(adapter, chosen, give_up_after=0)
    finally:
        adapter.close()
    run = Run("python:conform_kit:Raises", name, verdicts, len(chosen), rerun_prefix("x", None, {}))
    found = groups(run.verdicts)
    assert sum(len(g.verdicts) for g in found) == len(chosen)
    assert len(found) == len({v.primary_requirement for v in chosen})  # one cause per primary requirement
    assert all(g.cause.status == "error" and g.cause.step_kind == "submit" for g in found)
    text = text_summary(run)
    assert "error at a submit step: internal" in text and "step 1 fails: " in text
