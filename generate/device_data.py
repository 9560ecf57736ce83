"""The device data a vector carries (``initial_state.device_data``,
``docs/vector-format.md``): what its devices log, filled with everything the
vector can reach, so that an implementation loads it into its device
simulator and the expected entries are exactly what the vector carries.

A case runs first with the synthetic meter (:mod:`.synthetic_meter`); the
vector's device data then holds, with the synthetic meter's values:

- every entry the reference returns in that run;
- every cadence timestamp of every ReadLogPeriod a request of the vector
  names, and of every settlement day before a day a DSP Schedule of the
  vector (initial or created by a 5.1) may run on (under either REG-8 time
  zone), so that an implementation that reads more than the reference still
  finds data;
- for an instantaneous register read by a request of the vector, its value at
  the half-hour starting at or before every instant the vector's clock takes
  (registers are constant within a half-hour: the latest value at or before
  any instant is then the synthetic meter's);

clipped to the device's commissioning and the vector's last clock instant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Final

from mhhs_sec.model import Event, InvalidEvent
from mhhs_sec.model.clock import HALF_HOUR, day_start
from mhhs_sec.model.entities import Device, LogEntry, ScheduleSpec
from mhhs_sec.model.events import AdvanceClock, LoadDevice, SubmitRequest
from mhhs_sec.model.memo import IdentityMemo
from mhhs_sec.model.meter import DeviceLog
from mhhs_sec.model.outputs import Output, Response
from mhhs_sec.model.state import State, evolve
from mhhs_sec.model.tables import SRVS

from .synthetic_meter import SYNTHETIC

Results = Sequence[tuple[Output, ...] | InvalidEvent]
Wanted = dict[tuple[str, str], set[int]]


def _synthetic(state: State) -> State:
    return evolve(state, device_data={}, device_source=SYNTHETIC)


# By the state's identity: generators share their starting states, and the
# same synthetic state lets the alternatives' memo in :mod:`.build` hit.
synthetic: Final = IdentityMemo(_synthetic, 1024)
synthetic.__doc__ = """The state with its devices logging the synthetic meter's values only."""


def with_device_data(state: State, events: Sequence[Event], results: Results) -> State:
    """The state carrying the device data the case can reach (``results``:
    the outputs of the case run on :func:`synthetic` of ``state``), and no
    other source."""
    devices = _devices(state, events)
    instants = _clock_instants(state, events)
    last = max(instants)
    wanted: Wanted = {}
    _returned(wanted, results)
    _periods(wanted, events, devices, last)
    _schedule_days(wanted, state, events, devices, instants)
    _registers(wanted, events, instants)
    data = {}
    for (device_id, srv), stamps in sorted(wanted.items()):
        device = devices.get(device_id)
        if device is not None and stamps:
            data[(device_id, srv)] = DeviceLog.of(_values(device, srv, sorted(stamps)))
    return evolve(state, device_data=data, device_source=None)


def _devices(state: State, events: Iterable[Event]) -> dict[str, Device]:
    devices = {e.device.device_id: e.device for e in events if isinstance(e, LoadDevice)}
    return {**devices, **state.devices}


def _clock_instants(state: State, events: Iterable[Event]) -> list[int]:
    """Every instant the vector's clock takes, and every instant up to its
    last one a request is future-dated to."""
    clock = [state.now] + [e.to for e in events if isinstance(e, AdvanceClock)]
    dated = [e.request.execute_at for e in events if isinstance(e, SubmitRequest) and e.request.execute_at is not None]
    return clock + [t for t in dated if t <= max(clock)]


def _returned(wanted: Wanted, results: Results) -> None:
    for result in results:
        for output in () if isinstance(result, InvalidEvent) else result:
            if isinstance(output, Response) and output.entries:
                stamps = wanted.setdefault((output.device_id, output.srv), set())
                stamps.update(e.timestamp for e in output.entries)


def _cadence_stamps(device: Device, srv: str, start: int, end: int) -> Sequence[int]:
    return SYNTHETIC.timestamps(device, srv, start, end)


def _periods(wanted: Wanted, events: Iterable[Event], devices: dict[str, Device], last: int) -> None:
    for event in events:
        if not isinstance(event, SubmitRequest):
            continue
        request = event.request
        device = devices.get(request.device_id)
        if request.period is None or device is None or request.srv not in SRVS:
            continue
        stamps = _cadence_stamps(device, request.srv, request.period.start, min(request.period.end, last))
        wanted.setdefault((request.device_id, request.srv), set()).update(stamps)


def _schedule_days(
    wanted: Wanted, state: State, events: Iterable[Event], devices: dict[str, Device], instants: list[int]
) -> None:
    specs = [(s.device_id, ScheduleSpec(s.srv, s.start_day, s.end_day)) for s in state.schedules.values()]
    specs += [
        (e.request.device_id, e.request.schedule)
        for e in events
        if isinstance(e, SubmitRequest) and e.request.schedule is not None
    ]
    first, last = min(instants), max(instants)
    for device_id, spec in specs:
        device = devices.get(device_id)
        if device is None or spec.srv not in SRVS or SRVS[spec.srv].cadence not in ("daily", "half-hour"):
            continue
        day = max(spec.start_day, _utc_day(first) - dt.timedelta(days=1))
        final = _utc_day(last) + dt.timedelta(days=1)
        while day <= final and (spec.end_day is None or day <= spec.end_day):
            start, end = _previous_day_span(day)
            wanted.setdefault((device_id, spec.srv), set()).update(
                _cadence_stamps(device, spec.srv, start, min(end, last))
            )
            day += dt.timedelta(days=1)


def _utc_day(instant: int) -> dt.date:
    return dt.datetime.fromtimestamp(instant, dt.UTC).date()


def _previous_day_span(day: dt.date) -> tuple[int, int]:
    """The instants of the settlement day before ``day`` under either REG-8 time zone."""
    before = day - dt.timedelta(days=1)
    start = min(day_start(before, "uk"), day_start(before, "utc"))
    return start, max(day_start(day, "uk"), day_start(day, "utc")) - 1


def _registers(wanted: Wanted, events: Iterable[Event], instants: list[int]) -> None:
    requests = [e.request for e in events if isinstance(e, SubmitRequest)]
    for request in requests:
        if request.srv in SRVS and SRVS[request.srv].cadence == "instant":
            wanted.setdefault((request.device_id, request.srv), set()).update(instants)
    for (_device_id, srv), stamps in wanted.items():
        if SRVS[srv].cadence == "instant":
            floors = {t - t % HALF_HOUR for t in stamps}
            stamps.clear()
            stamps.update(floors)


def _values(device: Device, srv: str, stamps: list[int]) -> list[LogEntry]:
    if SRVS[srv].cadence == "instant":
        return [LogEntry(t, SYNTHETIC.register(device, srv, t)) for t in stamps]
    return list(SYNTHETIC.entries(device, srv, stamps))
