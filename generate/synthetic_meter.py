"""The generators' synthetic meter: a deterministic :class:`DeviceSource`
that logs a value for every device, SRV and cadence timestamp.

A private detail of the generators (and of long random runs and benchmarks):
no vector relies on it.  The generator runs a case with this source, then
writes what the case can reach into the vector's ``initial_state.device_data``
(:mod:`.device_data`); the expected outputs are those of the model reading
that data.

Entry timestamps follow the SRV's cadence (:class:`~mhhs_sec.model.tables.SrvSpec`):
daily logs at 00:00 UTC (AM 18.21(b): SMETS1 logs are kept on UTC midnights),
profile data on every half-hour.  A device logs nothing before 00:00 UTC of
its commissioning date.  Values are a pure function of (device, SRV,
timestamp): profile data between 100 and 299 Wh per half-hour, registers
cumulative (non-decreasing) and constant within each half-hour.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import Final

from mhhs_sec.model.clock import DAY, HALF_HOUR, day_start
from mhhs_sec.model.entities import Device, LogEntry
from mhhs_sec.model.tables import SRVS

_MULTIPLIER: Final = 2654435761
_REGISTER_STEP: Final = 250
_PRIME: Final = 4294967291
_STEP: Final = {"daily": DAY, "half-hour": HALF_HOUR}


@lru_cache(maxsize=4096)
def _seed(device_id: str, srv: str) -> int:
    return zlib.crc32(f"{device_id}|{srv}".encode())


def _noise(half_hour: int, seed: int) -> int:
    """A pseudo-random number for one half-hour (counted from the epoch) of one (device, SRV)."""
    return (half_hour * _MULTIPLIER + seed) % _PRIME


def _register(device_id: str, commissioned: dt.date, srv: str, timestamp: int) -> int:
    """A cumulative register (Wh): non-decreasing in time, constant within a half-hour."""
    since = max(0, timestamp - day_start(commissioned, "utc")) // HALF_HOUR
    return _REGISTER_STEP * since + _noise(timestamp // HALF_HOUR, _seed(device_id, srv)) % _REGISTER_STEP


def commissioned_at(device: Device) -> int:
    """The device logs from 00:00 UTC of its commissioning date on."""
    return day_start(device.commissioned, "utc")


@dataclass(frozen=True)
class SyntheticMeter:
    """The synthetic :class:`~mhhs_sec.model.meter.DeviceSource` (stateless:
    every instance is equal)."""

    def timestamps(self, device: Device, srv: str, start: int, end: int) -> Sequence[int]:
        step = _STEP.get(SRVS[srv].cadence, 0)
        low = max(start, commissioned_at(device))
        if step == 0 or end < low:
            return range(0)
        return range(-(-low // step) * step, end + 1, step)

    def entries(self, device: Device, srv: str, stamps: Sequence[int]) -> tuple[LogEntry, ...]:
        if SRVS[srv].cadence != "half-hour":
            return tuple([_register_entry(device.device_id, device.commissioned, srv, t) for t in stamps])
        if not isinstance(stamps, range) or len(stamps) <= 2 or stamps.step != HALF_HOUR:
            return tuple([_half_hour(device.device_id, srv, t) for t in stamps])
        parts: list[tuple[LogEntry, ...]] = []
        last = stamps[-1]
        at = stamps.start
        while at <= last:
            midnight = at - at % DAY
            block = _day_block(device.device_id, srv, midnight)
            parts.append(
                block[(at - midnight) // HALF_HOUR : (min(last, midnight + DAY - 1) - midnight) // HALF_HOUR + 1]
            )
            at = midnight + DAY
        return parts[0] if len(parts) == 1 else tuple(chain.from_iterable(parts))

    def register(self, device: Device, srv: str, at: int) -> int:
        return _register_entry(device.device_id, device.commissioned, srv, at).value


SYNTHETIC: Final = SyntheticMeter()


def _half_hour(device_id: str, srv: str, timestamp: int) -> LogEntry:
    midnight = timestamp - timestamp % DAY
    return _day_block(device_id, srv, midnight)[(timestamp - midnight) // HALF_HOUR]


@lru_cache(maxsize=1 << 12)
def _register_entry(device_id: str, commissioned: dt.date, srv: str, timestamp: int) -> LogEntry:
    return LogEntry(timestamp, _register(device_id, commissioned, srv, timestamp))


# Sized to the working set (the days recent reads touch, per device and SRV):
# a larger memo only keeps old entries alive for the garbage collector to walk.
@lru_cache(maxsize=1 << 7)
def _day_block(device_id: str, srv: str, midnight: int) -> tuple[LogEntry, ...]:
    """The half-hourly entries of one UTC day, computed together: the energy (Wh)
    of each half-hour, between 100 and 299."""
    seed = _seed(device_id, srv)
    first = midnight // HALF_HOUR
    return tuple([LogEntry(n * HALF_HOUR, 100 + _noise(n, seed) % 200) for n in range(first, first + DAY // HALF_HOUR)])
