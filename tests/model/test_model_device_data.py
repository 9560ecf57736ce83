"""Device data (``initial_state.device_data``): a device holds exactly the
entries its data logs, once their timestamps are at or before the clock; an
instantaneous register read at t is stamped t with the latest value logged at
or before t; the codec carries the data as runs and refuses bad runs."""

from __future__ import annotations

import datetime as dt

import pytest
from mhhs_sec.model import ReadLogPeriod, Response
from mhhs_sec.model.codec import decode_state
from mhhs_sec.model.errors import MalformedValue
from mhhs_sec.model.events import RestrictDevice
from mhhs_sec.model.meter import log_of
from mhhs_sec.model.state import State, evolve
from mhhs_sec.vectors.jsonform import encode_state
from model_kit import DEVICES_A, MDR_IN, SUPPLIER, Run, at, standard_world

DAY = dt.date(2025, 6, 16)
S2 = DEVICES_A.s2_esme
START = at(DAY)  # 00:00 UK (23:00 UTC the day before)
VALUES = [1000 + i for i in range(48)]


def _state(now: int, data: dict[tuple[str, str], list[tuple[int, int, list[int]]]]) -> State:
    """The standard world (MDRA change well before DAY) whose devices log ``data`` only."""
    state = standard_world(now, DAY - dt.timedelta(days=5))
    return evolve(state, device_data={key: log_of(runs) for key, runs in data.items()})


def _read(run: Run, srv: str, period: ReadLogPeriod | None = None) -> Response:
    return run.answer(MDR_IN, "MDR", srv, S2, period=period)


@pytest.mark.req("C-10", "REG-4")
def test_a_read_returns_the_logged_entries_held_now_with_their_values() -> None:
    now = START + 10 * 3600 + 60  # 10:01: twenty-one half-hours held
    run = Run(_state(now, {(S2, "4.8.1"): [(START, 1800, VALUES)]}))
    response = _read(run, "4.8.1", ReadLogPeriod(START, START + 86400 - 1))
    assert [(e.timestamp, e.value) for e in response.entries] == [(START + i * 1800, VALUES[i]) for i in range(21)]
    part = _read(run, "4.8.1", ReadLogPeriod(START + 3600, START + 7200))
    assert [e.value for e in part.entries] == VALUES[2:5]


@pytest.mark.req("C-10")
def test_nothing_is_held_beyond_the_device_data() -> None:
    now = START + 86400 + 60
    gap = [(START, 1800, VALUES[:10]), (START + 20 * 1800, 1800, VALUES[20:])]
    run = Run(_state(now, {(S2, "4.8.1"): gap}))
    response = _read(run, "4.8.1", ReadLogPeriod(START, START + 86400 - 1))
    assert [e.value for e in response.entries] == VALUES[:10] + VALUES[20:]
    other_srv = run.answer(SUPPLIER, "IS", "4.8.2", S2, period=ReadLogPeriod(START, START + 86400 - 1))
    assert other_srv.code == "I0" and other_srv.entries == ()


@pytest.mark.req("C-10")
def test_an_instantaneous_read_is_stamped_now_with_the_latest_register_value() -> None:
    now = START + 3 * 3600 + 17
    registers = [(START, 3600, [500, 510, 520, 530, 540])]
    run = Run(_state(now, {(S2, "4.1.1"): registers}))
    response = run.answer(SUPPLIER, "IS", "4.1.1", S2)
    assert [(e.timestamp, e.value) for e in response.entries] == [(now, 530)]
    early = Run(_state(START - 1, {(S2, "4.1.1"): registers}))
    assert early.answer(SUPPLIER, "IS", "4.1.1", S2).entries == ()  # nothing logged yet


@pytest.mark.req("C-8")
def test_a_restriction_deletes_the_earlier_profile_data() -> None:
    now = START + 6 * 3600
    run = Run(_state(now, {(S2, "4.8.1"): [(START, 1800, VALUES)]}))
    run.do(RestrictDevice(S2))
    run.advance(now + 3600)
    response = _read(run, "4.8.1", ReadLogPeriod(START, START + 86400 - 1))
    assert [e.timestamp for e in response.entries] == [now, now + 1800, now + 3600]
    assert [e.value for e in response.entries] == VALUES[12:15]


@pytest.mark.req("C-10")
def test_the_codec_carries_device_data_as_sorted_runs() -> None:
    data = {
        (S2, "4.8.1"): [(START + 4 * 1800, 1800, [7, 8]), (START, 1800, [1, 2, 3, 4])],
        (S2, "4.6.1"): [(0, 86400, [9])],
    }
    encoded = encode_state(_state(START, data))
    assert encoded["device_data"] == [
        {"device_id": S2, "srv": "4.6.1", "start": "1970-01-01T00:00:00Z", "interval_s": 86400, "values": [9]},
        {"device_id": S2, "srv": "4.8.1", "start": encoded["device_data"][1]["start"], "interval_s": 1800,
         "values": [1, 2, 3, 4, 7, 8]},
    ]  # fmt: skip
    assert decode_state(encoded).device_data == _state(START, data).device_data


@pytest.mark.req("C-10")
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"interval_s": 0}, "interval_s"),
        ({"values": []}, "values"),
        ({"values": [1, "2"]}, "values"),
        ({"srv": "5.1"}, "srv"),
        ({"start": "yesterday"}, "start"),
        ({"extra": 1}, ""),  # an unknown field: the run is named, not the (unknown) key
    ],
)
def test_the_codec_refuses_a_bad_run_naming_its_field(change: dict[str, object], field: str) -> None:
    encoded = encode_state(_state(START, {(S2, "4.8.1"): [(START, 1800, [1, 2])]}))
    encoded["device_data"][0].update(change)
    with pytest.raises(MalformedValue) as caught:
        decode_state(encoded)
    assert caught.value.field == f"initial_state.device_data[0]{'.' if field else ''}{field}"


@pytest.mark.req("C-10")
def test_the_codec_refuses_two_runs_logging_the_same_timestamp() -> None:
    encoded = encode_state(_state(START, {(S2, "4.8.1"): [(START, 1800, [1, 2])]}))
    encoded["device_data"].append({**encoded["device_data"][0], "values": [5]})
    with pytest.raises(MalformedValue, match="the same timestamp"):
        decode_state(encoded)
