"""The double's device simulator reads ``device_data`` as design 10 §1 says:
held once logged (timestamp <= now), a log read returns the period's entries
in time order, an instantaneous read the latest register value stamped now,
and a restriction deletes the 4.8.1 entries logged before it (C-8)."""

from __future__ import annotations

from datetime import date

import pytest

from .clock import parse_instant
from .device import Device, Meter

ESME = Device("00-DB-12-34-56-78-90-A1", "1200000000001", "SMETS1", "ESME", date(2024, 1, 1))
T0 = parse_instant("2025-06-08T23:00:00Z")
DATA = [
    {"device_id": ESME.device_id, "srv": "4.8.1", "start": "2025-06-08T23:00:00Z", "interval_s": 1800,
     "values": [117, 250, 90, 42]},
    {"device_id": ESME.device_id, "srv": "4.17", "start": "2025-06-09T00:00:00Z", "interval_s": 86400,
     "values": [7, 8]},
    {"device_id": ESME.device_id, "srv": "4.1.1", "start": "2025-06-09T00:10:00Z", "interval_s": 600,
     "values": [1000, 1010]},
]  # fmt: skip


@pytest.mark.req("C-10")
def test_a_log_read_returns_the_period_entries_already_logged_in_time_order() -> None:
    meter = Meter(DATA)
    entries = meter.read_log(ESME, "4.8.1", T0 + 1800, T0 + 4 * 1800, now=T0 + 2 * 1800)
    assert entries == [(T0 + 1800, 250), (T0 + 3600, 90)]


@pytest.mark.req("C-10")
def test_nothing_is_held_beyond_the_device_data() -> None:
    meter = Meter(DATA)
    assert meter.read_log(ESME, "4.8.3", T0, T0 + 86400, now=T0 + 86400) == []
    assert meter.read_log(ESME, "4.17", T0, T0 + 3 * 86400, now=T0 + 3 * 86400) == [
        (T0 + 3600, 7),
        (T0 + 3600 + 86400, 8),
    ]


@pytest.mark.req("C-10")
def test_an_instantaneous_read_is_the_latest_register_value_stamped_now() -> None:
    meter = Meter(DATA)
    now = parse_instant("2025-06-09T00:25:00Z")
    assert meter.read_register(ESME, "4.1.1", now) == [(now, 1010)]
    assert meter.read_register(ESME, "4.1.1", parse_instant("2025-06-09T00:05:00Z")) == []


@pytest.mark.req("C-8")
def test_a_restriction_deletes_the_profile_entries_logged_before_it() -> None:
    """timing.md 8.5: entries at or after the restriction instant stay."""
    meter = Meter(DATA)
    meter.restrict(ESME.device_id, T0 + 1800)
    later = T0 + 86400 * 2
    assert meter.read_log(ESME, "4.8.1", T0, T0 + 3 * 1800, now=later) == [
        (T0 + 1800, 250),
        (T0 + 3600, 90),
        (T0 + 5400, 42),
    ]
    assert len(meter.read_log(ESME, "4.17", T0, later, now=later)) == 2
