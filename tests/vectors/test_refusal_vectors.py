"""The refusal and malformed-input vectors: each invalid event is refused
with a catalogue-cited requirement, and the read that follows is answered
exactly as it is when the invalid event never came (the state was kept)."""

from __future__ import annotations

import json
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from mhhs_sec.conformance import duis_bridge
from mhhs_sec.generate import malformed, refusals, run, xmlform
from mhhs_sec.generate.build import Case, CaseError, Malformed, build_vector, run_case
from mhhs_sec.model import InvalidEvent
from mhhs_sec.vectors.jsonform import encode_event
from mhhs_sec.vectors.xmlform import read_xml_document


@pytest.mark.req("REG-5", "REG-1", "REG-2", "REG-12", "SCH-1")
@pytest.mark.parametrize("case", refusals.cases(), ids=lambda c: c.id)
def test_the_invalid_event_is_refused_and_the_state_kept(case: Case) -> None:
    refused, after = run_case(case.state, case.events)
    assert isinstance(refused, InvalidEvent)
    assert not isinstance(after, InvalidEvent)
    (alone,) = run_case(case.state, case.events[1:])
    assert after == alone


@pytest.mark.req("REG-5", "REG-1", "AC-1", "SCH-1")
@pytest.mark.parametrize("case", malformed.cases(), ids=lambda c: c.id)
def test_malformed_input_is_refused_and_the_state_kept(case: Case) -> None:
    """Malformed input (the event written as given) is refused by the
    reference, and the read that follows is answered as if it never came."""
    refused, after = run_case(case.state, case.events)
    assert isinstance(case.events[0], Malformed)
    assert isinstance(refused, InvalidEvent)
    assert not isinstance(after, InvalidEvent)
    (alone,) = run_case(case.state, case.events[1:])
    assert after == alone


@pytest.mark.req("REG-5")
def test_a_malformed_event_the_model_accepts_is_no_vector() -> None:
    case = malformed.cases()[0]
    read = case.events[1]
    assert not isinstance(read, Malformed)
    with pytest.raises(CaseError, match="malformed input the model accepts"):
        build_vector(replace(case, events=(Malformed(encode_event(read)), read)))


@pytest.mark.req("REG-5")
def test_the_xml_form_carries_every_malformed_vector_and_reads_back() -> None:
    """A refused request DUIS cannot carry travels as a JSON-in-XML event;
    every vector of the group reads back from XML as it was written."""
    vectors = [build_vector(case) for case in malformed.cases()]
    document = run.document("negative", "malformed", "test", vectors, None)
    written = json.loads(json.dumps(document))
    assert not xmlform.as_duis(vectors[0]["steps"][0])  # a number: no request at all
    assert xmlform.as_duis(vectors[0]["steps"][1])  # the valid read that follows travels as DUIS
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "malformed.xml"
        path.write_text(xmlform.render_document(document), encoding="utf-8")
        assert read_xml_document(path) == written


@pytest.mark.req("AC-3", "SCH-1")
def test_a_request_duis_cannot_carry_as_it_is_travels_as_json() -> None:
    """DUIS 5.4 has no ReadLogPeriod on an 8.2 and needs one on a log read: such
    a request is not expressible, so the HTTP transport sends it as a JSON
    event and the XML form writes it as one; a valid read travels as DUIS."""
    cases = {case.id.removeprefix("malformed."): case for case in malformed.cases()}
    read = cases["period-missing"].events[1]
    assert not isinstance(read, Malformed)
    assert duis_bridge.request_to_xml(encode_event(read)["request"])
    for slug in ("period-missing", "period-on-inventory", "schedule-on-read", "schedule-missing"):
        bad = cases[slug].events[0]
        assert isinstance(bad, Malformed)
        with pytest.raises(duis_bridge.NotExpressible):
            duis_bridge.request_to_xml(bad.data["request"])
