"""Properties of the committed vectors checked against the catalogue's own
statements (an independent oracle), not against the generator."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from mhhs_sec.model.clock import parse_instant, settlement_day
from mhhs_sec.model.rules import ROLES
from mhhs_sec.model.tables import GENERATIONS, MODES, SRVS
from mhhs_sec.model.world import MDR_OUT
from mhhs_sec.vectors import load_vectors
from mhhs_sec.vectors.format import JSON_DIR, XML_DIR


@pytest.fixture(scope="module")
def responses() -> list[tuple[Any, dict[str, Any]]]:
    found = []
    for vector in load_vectors(strict=False):
        for step in vector.steps:
            found += [(vector, e.output) for e in step.expected if e.output["type"] == "response"]
    return found


@pytest.mark.req("C-7", "C-10")
def test_no_error_response_discloses_device_data(responses) -> None:  # type: ignore[no-untyped-def]
    # 'a rejected request must return no log entries; an error carries no data of the device'
    errors = [r for _, r in responses if r["code"] != "I0"]
    assert errors
    for response in errors:
        assert response["entries"] == [] and response["inventory"] is None and not response["device_read"], response


@pytest.mark.req("TRT-2")
def test_every_accepted_mhhs_read_has_a_24h_trt(responses) -> None:  # type: ignore[no-untyped-def]
    flagged = [r for _, r in responses if r["code"] == "I0" and r["for_settlement"] and SRVS[r["srv"]].device_request]
    assert flagged
    assert {r["trt_s"] for r in flagged} == {24 * 3600}


@pytest.mark.req("TRT-3")
def test_read_inventory_has_a_30s_trt(responses) -> None:  # type: ignore[no-untyped-def]
    inventory = [r for _, r in responses if r["code"] == "I0" and r["srv"] == "8.2"]
    assert inventory and {r["trt_s"] for r in inventory} == {30}


@pytest.mark.req("REG-4", "AC-3")
def test_outgoing_mdra_never_gets_data_on_or_after_the_efd(registered_responses) -> None:  # type: ignore[no-untyped-def]
    # 'the outgoing MDRA receives no data of a settlement day on or after the EFD of the MDRA
    # that followed it, unless it is appointed to the MPAN again on that day'
    checked = 0
    for registration, tz, response in registered_responses:
        if response["user_id"] != MDR_OUT or not response["entries"]:
            continue
        for entry in response["entries"]:
            day = settlement_day(parse_instant(entry["timestamp"]), tz)
            assert not _followed_on(registration["mdras"], MDR_OUT, day), (entry, registration)
        checked += 1
    assert checked


def _holds(appointment: dict[str, Any], day: dt.date) -> bool:
    etd = appointment["etd"]
    return dt.date.fromisoformat(appointment["efd"]) <= day and (etd is None or day <= dt.date.fromisoformat(etd))


def _followed_on(mdras: list[dict[str, Any]], party: str, day: dt.date) -> bool:
    """Is ``day`` a day of another MDRA appointed after ``party`` was, with ``party`` not appointed again?"""
    first = min((dt.date.fromisoformat(a["efd"]) for a in mdras if a["party"] == party), default=None)
    if first is None or any(a["party"] == party and _holds(a, day) for a in mdras):
        return False
    return any(a["party"] != party and dt.date.fromisoformat(a["efd"]) > first and _holds(a, day) for a in mdras)


@pytest.fixture(scope="module")
def registered_responses() -> list[tuple[dict[str, Any], str, dict[str, Any]]]:
    """Each response with the registration of its device's MPAN in force when it was given
    (the initial one, or the last the vector loaded before) and the settlement time zone."""
    found = []
    for vector in load_vectors(strict=False):
        tz = vector.initial_state["profile"]["settlement_tz"]
        registrations = {r["mpan"]: r for r in vector.initial_state["registrations"]}
        devices = {d["device_id"]: d["mpan"] for d in vector.initial_state["devices"]}
        for step in vector.steps:
            event = step.event if step.refused is None else None  # a refused load changes nothing
            if isinstance(event, dict) and event.get("event") == "load_registration":
                registrations[event["mpan"]] = event
            if isinstance(event, dict) and event.get("event") == "load_device":
                devices[event["device_id"]] = event["mpan"]
            for expected in step.expected:
                output = expected.output
                mpan = devices.get(output.get("device_id") or "")
                if output["type"] == "response" and mpan in registrations:
                    found.append((registrations[mpan], tz, output))
    return found


@pytest.mark.req("REG-8", "CON-5")
def test_clock_change_days_have_46_and_50_periods() -> None:
    counts = {}
    for vector in load_vectors(tag="clock-change-spring", strict=False) + load_vectors(tag="clock-change-autumn",
                                                                                        strict=False):  # fmt: skip
        if vector.initial_state["profile"]["settlement_tz"] == "uk" and vector.id.startswith("targeted.clock-change"):
            tag = next(t for t in vector.tags if t.startswith("clock-change-"))
            counts[tag] = len(vector.steps[0].expected[0].output["entries"])
    assert counts == {"clock-change-spring": 46, "clock-change-autumn": 50}


def test_every_cell_has_a_vector_or_a_reason() -> None:
    document = json.loads((JSON_DIR / "boundary-cells.json").read_text())
    total = len(ROLES) * len(SRVS) * len(GENERATIONS) * len(MODES) * 3
    generated = len(document["vectors"])
    missing = document["coverage"]["cells"]["not_expressible"]
    assert document["coverage"]["cells"]["total"] == total == generated + len(missing)
    assert all(reason for reason in missing.values())


@pytest.mark.req("REG-5")
def test_refused_steps_expect_nothing() -> None:
    refused = [s for v in load_vectors(strict=False) for s in v.steps if s.refused]
    assert any(s.refused["requirement"] == "REG-5" for s in refused)
    assert all(not s.expected and s.refused["requirement"] for s in refused)


def test_smallest_xml_file_reads_back_and_validates() -> None:
    from mhhs_sec.vectors.xmlform import read_xml_document, validate_xml

    with_steps = [p for p in XML_DIR.glob("*.xml") if "<Submit>" in p.read_text(encoding="utf-8")]  # not reset-refusals
    path = min(with_steps, key=lambda p: p.stat().st_size)
    validate_xml(path.read_text(), path.name)
    assert read_xml_document(path) == json.loads((JSON_DIR / (path.stem + ".json")).read_text())


def test_xml_requests_are_valid_duis() -> None:
    import xml.etree.ElementTree as ET

    from mhhs_sec.vectors import duis

    if duis.duis_schema() is None:
        pytest.skip("DUIS 5.4 schema not found: set MHHS_SEC_DUIS_DIR or provide ../shared/duis")
    with_steps = [p for p in XML_DIR.glob("*.xml") if "<Submit>" in p.read_text(encoding="utf-8")]  # not reset-refusals
    path = min(with_steps, key=lambda p: p.stat().st_size)
    requests = ET.parse(path).getroot().iter(f"{{{duis.SR_NS}}}Request")
    count = 0
    for request in requests:
        duis.validate_duis(ET.tostring(request, encoding="unicode"))
        count += 1
    assert count


def test_alternatives_point_at_vectors_run_under_the_other_value() -> None:
    vectors = {v.id: v for v in load_vectors(strict=False)}
    linked = 0
    for vector in vectors.values():
        for alternative in vector.profile.alternatives:
            if alternative.vector is None:
                continue
            other = vectors[alternative.vector]
            assert other.initial_state["profile"][alternative.option] == alternative.value, vector.id
            assert other.profile.requires.get(alternative.option) == alternative.value, vector.id
            codes = " | ".join(
                f"refused({s.refused['requirement']})" if s.refused
                else ",".join(e.output.get("code", e.output["type"]) for e in s.expected) or "-"
                for s in other.steps
            )  # fmt: skip
            assert codes == alternative.outcome, (vector.id, alternative)
            linked += 1
    assert linked
