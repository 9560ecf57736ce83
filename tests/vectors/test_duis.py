"""The DUIS request codec: every modelled request renders to a DUIS 5.4
sr:Request valid against the real schema, and parses back to itself."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from mhhs_sec.model import ReadLogPeriod, ScheduleSpec, ServiceRequest
from mhhs_sec.model.clock import parse_instant
from mhhs_sec.model.tables import SRVS
from mhhs_sec.model.world import DEVICES_A, MDR_OUT
from mhhs_sec.vectors import duis


@pytest.fixture(scope="module", autouse=True)
def schema() -> object:
    compiled = duis.duis_schema()
    if compiled is None:
        pytest.skip("DUIS 5.4 schema not found: set MHHS_SEC_DUIS_DIR or provide ../shared/duis")
    return compiled


def _requests() -> list[ServiceRequest]:
    start, end = parse_instant("2025-06-09T00:00:00Z"), parse_instant("2025-06-09T23:30:00Z")
    found = []
    for n, (srv, spec) in enumerate(sorted(SRVS.items()), start=1):
        rid = f"{MDR_OUT}:{DEVICES_A.s1_esme if spec.device_request else duis.DSP_TARGET}:{n}"
        if spec.device_request:
            period = ReadLogPeriod(start, end) if spec.read_log_period else None
            found.append(ServiceRequest(rid, MDR_OUT, "MDR", srv, DEVICES_A.s1_esme, True, period))
            found.append(ServiceRequest(rid, MDR_OUT, "MDR", srv, DEVICES_A.s1_esme, None, period, end + 3600))
        elif srv == "5.1":
            for target in ("4.6.1", "4.8.3", "4.2"):
                body = ScheduleSpec(target, dt.date(2025, 6, 11), dt.date(2025, 7, 1))
                found.append(ServiceRequest(rid, MDR_OUT, "MDR", srv, DEVICES_A.s1_esme, True, schedule=body))
        elif srv in ("5.2", "5.3"):
            found.append(ServiceRequest(rid, MDR_OUT, "IS", srv, "", False, schedule_id=7))
            found.append(ServiceRequest(rid, MDR_OUT, "IS", srv, DEVICES_A.s1_esme, False))
        else:
            found.append(ServiceRequest(rid, MDR_OUT, "OU", srv, DEVICES_A.s2_esme, None))
    return found


@pytest.mark.req("FS-1")
@pytest.mark.parametrize("request_", _requests(), ids=lambda r: f"{r.srv}-{r.for_settlement}-{r.execute_at}")
def test_round_trip_valid_duis(request_: ServiceRequest) -> None:
    bare = duis.render_request(request_)
    root = ET.fromstring(bare)
    assert root.tag == f"{{{duis.SR_NS}}}Request"
    header = root.find(f"{{{duis.SR_NS}}}Header/{{{duis.SR_NS}}}ServiceReferenceVariant")
    assert header is not None and header.text == request_.srv
    assert duis.parse_request(bare, request_.role, request_.for_settlement) == request_
    assert duis.parse_request(duis.render_envelope(request_)) == request_


@pytest.mark.req("AC-2")
def test_create_schedule_for_an_srv_duis_cannot_schedule_is_refused() -> None:
    allowed = duis.dsp_schedulable_variants() or frozenset()
    outside = next(s for s in sorted(SRVS) if SRVS[s].device_request and s not in allowed)
    body = ScheduleSpec(outside, dt.date(2025, 6, 11))
    with pytest.raises(duis.DuisError, match="CreateSchedule"):
        duis.render_request(ServiceRequest("r", MDR_OUT, "MDR", "5.1", DEVICES_A.s1_esme, True, schedule=body))


def test_bare_request_needs_a_role_and_envelope_conflicts_are_errors() -> None:
    request = _requests()[0]
    with pytest.raises(duis.DuisError, match="role"):
        duis.parse_request(duis.render_request(request))
    with pytest.raises(duis.DuisError, match="contradicts"):
        duis.parse_request(duis.render_envelope(request), role="IS")


def test_invalid_duis_is_refused() -> None:
    text = duis.render_request(_requests()[0]).replace("<sr:CommandVariant>1<", "<sr:CommandVariant>99<")
    with pytest.raises(duis.DuisError, match="not valid DUIS"):
        duis.parse_request(text, "MDR", True)


def test_non_duis_request_ids_survive_in_the_envelope() -> None:
    request = ServiceRequest("my-own-id", MDR_OUT, "MDR", "4.2", DEVICES_A.s1_esme, True)
    assert duis.parse_request(duis.render_envelope(request)) == request
    bare = duis.parse_request(duis.render_request(request), "MDR", True)
    assert bare.request_id == duis.duis_request_id(request) != request.request_id


def test_unvalidated_bad_values_are_duis_errors_naming_the_body() -> None:
    request = next(r for r in _requests() if r.srv == "5.2" and r.schedule_id is not None)
    text = duis.render_envelope(request).replace("<sr:DSPScheduleID>7<", "<sr:DSPScheduleID>seven<")
    with pytest.raises(duis.DuisError, match="sr:Body/sr:ReadSchedule"):
        duis.parse_request(text, validate=False)
