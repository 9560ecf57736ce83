"""Invalid input is refused before anything changes (adapter protocol,
section 2, the refusals): a backwards clock, a period ending before it
starts, a malformed device id, a device on an unregistered MPAN, an unknown
device restricted, a registration with a gap or a closed last appointment
(REG-5)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.independent.users import _duis_dir

from .errors import Refused
from .system import Dsp

# The double takes the existing roles' SRVs from the DUIS request matrix.
pytestmark = pytest.mark.skipif(
    not (_duis_dir() / "duis-request-matrix.json").is_file(),
    reason="the independent double needs the DUIS request matrix (../shared/duis or MHHS_SEC_DUIS_DIR)",
)

SUPPLIER = "90-B3-D5-1F-30-01-00-00"
DEVICE = "00-DB-12-34-56-78-90-A1"


def _state() -> dict[str, Any]:
    return {
        "clock": "2025-06-13T08:00:00Z",
        "profile": {},
        "config": {"dsp_window": [0, 21600], "mdr_window": [25200, 72000], "retry_interval_s": 3600},
        "users": [{"user_id": SUPPLIER, "roles": ["IS"]}],
        "registrations": [
            {
                "mpan": "1200000000001",
                "suppliers": [{"party": SUPPLIER, "efd": "2024-01-01", "etd": None}],
                "mdras": [{"party": SUPPLIER, "efd": "2024-01-01", "etd": None}],
            }
        ],
        "devices": [
            {
                "device_id": DEVICE,
                "mpan": "1200000000001",
                "generation": "SMETS2",
                "kind": "ESME",
                "commissioned": "2024-01-01",
            }
        ],
        "schedules": [],
    }


def _read(request_id: str, **changes: Any) -> dict[str, Any]:
    period = {"start": "2025-06-11T23:00:00Z", "end": "2025-06-11T23:30:00Z"}
    request = {"request_id": request_id, "user_id": SUPPLIER, "role": "IS", "srv": "4.8.1", "device_id": DEVICE,
               "for_settlement": False, "period": period}  # fmt: skip
    return {"event": "submit", "request": {**request, **changes}}


def _refused(system: Dsp, event: dict[str, Any]) -> Refused:
    with pytest.raises(Refused) as refused:
        system.step(event)
    return refused.value


@pytest.mark.req("REG-5")
def test_a_registration_with_a_gap_is_refused_and_the_previous_one_kept() -> None:
    system = Dsp(_state())
    mdras = [{"party": SUPPLIER, "efd": "2024-01-01", "etd": "2025-06-10"},
             {"party": SUPPLIER, "efd": "2025-06-12", "etd": None}]  # fmt: skip
    event = {"event": "load_registration", "mpan": "1200000000001", "mdras": mdras,
             "suppliers": _state()["registrations"][0]["suppliers"]}  # fmt: skip
    assert _refused(system, event).requirement == "REG-5"
    assert system.registrations["1200000000001"].mdras[0].etd is None


@pytest.mark.req("REG-5")
def test_a_registration_whose_last_appointment_ends_is_refused() -> None:
    """REG-5: the MPAN would have no MDRA after the last ETD."""
    system = Dsp(_state())
    mdras = [{"party": SUPPLIER, "efd": "2024-01-01", "etd": "2025-06-10"}]
    event = {"event": "load_registration", "mpan": "1200000000001", "mdras": mdras,
             "suppliers": _state()["registrations"][0]["suppliers"]}  # fmt: skip
    assert (_refused(system, event).field, _refused(system, event).requirement) == (
        "registration.mdras[0].etd",
        "REG-5",
    )
    assert system.registrations["1200000000001"].mdras[0].etd is None


@pytest.mark.req("REG-5")
def test_invalid_events_are_refused_and_change_nothing() -> None:
    system = Dsp(_state())
    assert _refused(system, {"event": "advance_clock", "to": "2025-06-13T07:00:00Z"}).field == "to"
    bad_period = {"start": "2025-06-12T00:00:00Z", "end": "2025-06-11T00:00:00Z"}
    assert _refused(system, _read("r1", period=bad_period)).field == "request.period.end"
    assert _refused(system, _read("r2", device_id="meter")).field == "request.device_id"
    device = {"device_id": "00-DB-12-34-56-78-90-B1", "mpan": "1299999999999", "generation": "SMETS2",
              "kind": "ESME", "commissioned": "2024-01-01"}  # fmt: skip
    assert _refused(system, {"event": "load_device", **device}).requirement == "REG-2"
    assert _refused(system, {"event": "restrict_device", "device_id": device["device_id"]}).field == "device_id"
    assert system.audit.extract(SUPPLIER)["records"] == []
    [answer] = system.step(_read("r3"))
    assert (answer["code"], answer["submitted_at"]) == ("I0", "2025-06-13T08:00:00Z")


@pytest.mark.req("REG-1", "AC-1", "SCH-1")
def test_an_event_is_read_before_any_rule_is_checked() -> None:
    """Adapter protocol, the refusals: an event broken in its JSON shape is
    refused INPUT whatever else it breaks; then a request's role and SRV
    (REG-1, AC-1) before the checks that depend on the SRV."""
    system = Dsp(_state())
    assert _refused(system, 7).requirement == "INPUT"
    assert _refused(system, {"event": "submit"}).requirement == "INPUT"
    numbered = _read("r1")
    numbered["request"]["request_id"] = 7
    assert _refused(system, numbered).requirement == "INPUT"
    assert _refused(system, _read("r2", priority="high")).requirement == "INPUT"
    no_date = {"start": "2025-02-30T00:00:00Z", "end": "2025-06-11T23:30:00Z"}
    assert _refused(system, _read("r3", period=no_date)).requirement == "INPUT"
    assert _refused(system, _read("r4", role="MDRA", srv="4.99")).requirement == "REG-1"
    assert _refused(system, _read("r5", srv="4.99")).requirement == "AC-1"
    schedule = {"srv": "4.99", "start_day": "2025-06-14", "end_day": None}
    assert _refused(system, _read("r6", srv="5.1", period=None, schedule=schedule)).requirement == "SCH-1"
    assert _refused(system, {"event": "set_user", "user_id": SUPPLIER, "roles": [["IS"]]}).requirement == "REG-1"
    assert system.audit.extract(SUPPLIER)["records"] == []
