"""Items 1-3: the reference implementation behind every adapter passes the
committed vectors, declares its capabilities, honours the virtual clock and
refuses invalid events keeping its state (REG-5)."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from mhhs_sec.conformance import EventRejected
from mhhs_sec.conformance.adapters import open_adapter
from mhhs_sec.conformance.duis_bridge import request_to_xml
from mhhs_sec.conformance.http import SERVICE_REQUEST_PATH, start_background
from mhhs_sec.conformance.reference import ReferenceImplementation
from mhhs_sec.conformance.runner import run_all
from mhhs_sec.model import PROFILE_OPTIONS
from mhhs_sec.model.clock import day_start, format_instant, parse_instant
from mhhs_sec.model.entities import Appointment, Registration
from mhhs_sec.model.meter import log_of
from mhhs_sec.model.state import evolve
from mhhs_sec.model.world import DEVICES_A, MDR_IN, MPAN_A, SUPPLIER, standard_world
from mhhs_sec.vectors import OBSERVABLES
from mhhs_sec.vectors.jsonform import encode_registration, encode_state

CHANGE_DAY = dt.date(2025, 6, 10)


def _statuses(spec: str, vectors: list[Any]) -> dict[str, list[str]]:
    adapter = open_adapter(spec)
    try:
        verdicts = run_all(adapter, vectors)[1]
    finally:
        adapter.close()
    found: dict[str, list[str]] = {}
    for verdict in verdicts:
        found.setdefault(verdict.status, []).append(f"{verdict.vector_id}: {verdict.reason}")
    return found


def _spread(vectors: list[Any], count: int) -> list[Any]:
    return vectors[:: max(1, len(vectors) // count)][:count]


@pytest.fixture(scope="module")
def http_url() -> Iterator[str]:
    server = start_background(ReferenceImplementation(), validate_duis=True)
    try:
        yield server.url
    finally:
        server.shutdown()
        server.server_close()


def test_reference_passes_every_vector_in_process(all_vectors: list[Any]) -> None:
    statuses = _statuses("reference", all_vectors)
    assert set(statuses) == {"pass"}, {k: v[:3] for k, v in statuses.items() if k != "pass"}


def test_reference_passes_through_stdio(all_vectors: list[Any]) -> None:
    statuses = _statuses(f"cmd:{sys.executable} -m mhhs_sec serve --stdio", _spread(all_vectors, 80))
    assert set(statuses) == {"pass"}, {k: v[:3] for k, v in statuses.items() if k != "pass"}


def test_reference_passes_through_http_with_duis_xml(all_vectors: list[Any], http_url: str) -> None:
    statuses = _statuses(http_url, _spread(all_vectors, 80))
    assert set(statuses) == {"pass"}, {k: v[:3] for k, v in statuses.items() if k != "pass"}


def test_service_request_endpoint_takes_duis_xml(http_url: str) -> None:
    """The XML path and the JSON path give the same outputs."""
    world = standard_world(parse_instant("2025-06-10T08:00:00Z"), CHANGE_DAY)
    logged = log_of([(parse_instant("2025-06-09T23:00:00Z"), 1800, [117, 250])])
    state = encode_state(evolve(world, device_data={(DEVICES_A.s1_esme, "4.8.1"): logged}))
    request = {
        "request_id": f"{MDR_IN}:{DEVICES_A.s1_esme}:1", "user_id": MDR_IN, "role": "MDR", "srv": "4.8.1",
        "device_id": DEVICES_A.s1_esme, "for_settlement": True,
        "period": {"start": "2025-06-09T23:00:00Z", "end": "2025-06-09T23:30:00Z"},
    }  # fmt: skip
    host, port = http_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        answers = []
        for path, body, kind in (
            ("/mhhs/v1/event", json.dumps({"event": {"event": "submit", "request": request}}), "application/json"),
            (SERVICE_REQUEST_PATH, request_to_xml(request), "application/xml"),
        ):
            connection.request("POST", "/mhhs/v1/reset", json.dumps({"initial_state": state}))
            assert connection.getresponse().read() == b"{}"
            connection.request("POST", path, body, {"Content-Type": kind})
            response = connection.getresponse()
            answers.append((response.status, json.loads(response.read())))
        connection.request("POST", SERVICE_REQUEST_PATH, "<not-duis/>", {"Content-Type": "application/xml"})
        bad = connection.getresponse()
        bad_status, bad_body = bad.status, json.loads(bad.read())
    finally:
        connection.close()
    assert answers[0] == answers[1] and answers[0][0] == 200
    # AC-3: the incoming MDRA reads its own EFD day: accepted, with entries.
    assert answers[0][1]["outputs"][0]["code"] == "I0"
    assert [e["value"] for e in answers[0][1]["outputs"][0]["entries"]] == [117, 250]
    assert bad_status == 400 and bad_body["error"]["kind"] == "protocol"


def test_reference_declares_every_observable_and_profile_value() -> None:
    capabilities = open_adapter("reference").hello()
    assert set(capabilities.observables) == set(OBSERVABLES)
    for option, (_requirement, values) in PROFILE_OPTIONS.items():
        for value in values:
            assert capabilities.supports_profile({option: value}) is None, (option, value)


def _gap_registration() -> dict[str, Any]:
    # REG-5: the incoming MDRA starts a day late, leaving the change day with no MDRA.
    gap = Registration(
        MPAN_A,
        (Appointment(SUPPLIER, dt.date(2024, 1, 1)),),
        (Appointment(MDR_IN, dt.date(2024, 1, 1), CHANGE_DAY), Appointment(MDR_IN, CHANGE_DAY + dt.timedelta(days=2))),
    )
    return {"event": "load_registration", **encode_registration(gap)}


@pytest.mark.req("REG-5")
@pytest.mark.parametrize("transport", ["reference", "stdio", "http"])
def test_invalid_registration_refused_and_state_kept(transport: str, http_url: str) -> None:
    spec = {"reference": "reference", "stdio": f"cmd:{sys.executable} -m mhhs_sec serve --stdio", "http": http_url}
    adapter = open_adapter(spec[transport])
    now = day_start(CHANGE_DAY) + 9 * 3600
    read = {
        "event": "submit",
        "request": {
            "request_id": "r1", "user_id": MDR_IN, "role": "MDR", "srv": "4.8.1", "device_id": DEVICES_A.s1_esme,
            "for_settlement": True, "period": {"start": format_instant(day_start(CHANGE_DAY)),
                                               "end": format_instant(day_start(CHANGE_DAY) + 1800)},
        },
    }  # fmt: skip
    try:
        adapter.reset(encode_state(standard_world(now, CHANGE_DAY)))
        with pytest.raises(EventRejected) as refused:
            adapter.step(_gap_registration())
        assert refused.value.requirement == "REG-5"
        # The previous registration stands: MDR_IN is the MDRA from the change day (REG-3).
        (response,) = adapter.step(read)
        assert response["code"] == "I0"
        with pytest.raises(EventRejected):  # the virtual clock only moves forward
            adapter.step({"event": "advance_clock", "to": format_instant(now - 1)})
    finally:
        adapter.close()


def test_serve_http_command_prints_its_url_and_serves(few_vectors: list[Any]) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "mhhs_sec", "serve", "--http", "0"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        assert set(_statuses(url, few_vectors)) == {"pass"}
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_every_committed_service_request_travels_as_duis_xml(all_vectors: list[Any]) -> None:
    """Item 2: over HTTP each submit of the committed vectors is a DUIS envelope
    (the JSON fallback is only for requests DUIS 5.4 cannot carry)."""
    from mhhs_sec.conformance.http import HttpAdapter

    submits = [s.event for v in all_vectors for s in v.steps if s.refused is None and s.event["event"] == "submit"]
    assert submits
    as_json = [e["request"]["request_id"] for e in submits if HttpAdapter._duis_body(e) is None]
    assert not as_json, as_json[:5]


def test_initial_state_memo_tells_json_types_apart() -> None:
    """The reference memoises decoded initial states; an initial state equal
    to a memoised one in Python terms but not in JSON (a retry interval of
    900.0 where the integer 900 is due) must still be decoded, and refused."""
    valid = encode_state(standard_world(day_start(CHANGE_DAY), CHANGE_DAY))
    implementation = ReferenceImplementation()
    implementation.reset(valid)
    changed = json.loads(json.dumps(valid))
    changed["config"]["retry_interval_s"] = float(valid["config"]["retry_interval_s"])
    assert changed == valid  # only the types tell them apart
    with pytest.raises(EventRejected) as refused:
        implementation.reset(changed)
    assert "retry_interval_s" in refused.value.field
    implementation.reset(json.loads(json.dumps(valid)))  # an equal copy is accepted
