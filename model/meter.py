"""A deterministic synthetic meter, so that every response carries log entries
a vector can check exactly.

Entry timestamps follow the SRV's cadence (:class:`tables.SrvSpec`): daily
logs at 00:00 UTC (AM 18.21(b): SMETS1 logs are kept on UTC midnights),
profile data on every half-hour, an instantaneous read at the read instant.
A device holds nothing before it was commissioned, nor anything in the future.
Values are a pure function of (device, SRV, timestamp).
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain
from typing import Final

from .clock import DAY, HALF_HOUR, day_start
from .entities import Device, LogEntry
from .tables import SRVS

_MULTIPLIER: Final = 2654435761
_REGISTER_STEP: Final = 250
_PRIME: Final = 4294967291


@lru_cache(maxsize=4096)
def _seed(device_id: str, srv: str) -> int:
    return zlib.crc32(f"{device_id}|{srv}".encode())


def _noise(half_hour: int, seed: int) -> int:
    """A pseudo-random number for one half-hour (counted from the epoch) of one (device, SRV)."""
    return (half_hour * _MULTIPLIER + seed) % _PRIME


def _register(device_id: str, commissioned: dt.date, srv: str, timestamp: int) -> int:
    """A cumulative register (Wh): non-decreasing in time."""
    since = max(0, timestamp - day_start(commissioned, "utc")) // HALF_HOUR
    return _REGISTER_STEP * since + _noise(timestamp // HALF_HOUR, _seed(device_id, srv)) % _REGISTER_STEP


def commissioned_at(device: Device) -> int:
    """The device holds data from 00:00 UTC of its commissioning date on."""
    return day_start(device.commissioned, "utc")


def timestamps(device: Device, srv: str, start: int, end: int, now: int) -> range:
    """Timestamps of the entries the device logs for ``srv`` in [start, end],
    clipped to what it holds at ``now``."""
    cadence = SRVS[srv].cadence
    low = max(start, commissioned_at(device))
    high = min(end, now)
    if cadence == "instant":
        return range(now, now + 1) if start <= now <= end else range(0)
    step = DAY if cadence == "daily" else HALF_HOUR if cadence == "half-hour" else 0
    if step == 0 or high < low:
        return range(0)
    first = -(-low // step) * step
    return range(first, high + 1, step)


def entry_at(device: Device, srv: str, timestamp: int) -> LogEntry:
    """The entry the device logged for ``srv`` at ``timestamp`` (memoised: a pure
    function of the device, the SRV and the timestamp, one of :func:`timestamps`)."""
    if SRVS[srv].cadence == "half-hour":
        midnight = timestamp - timestamp % DAY
        return _day_block(device.device_id, srv, midnight)[(timestamp - midnight) // HALF_HOUR]
    return _register_entry(device.device_id, device.commissioned, srv, timestamp)


@lru_cache(maxsize=1 << 12)
def _register_entry(device_id: str, commissioned: dt.date, srv: str, timestamp: int) -> LogEntry:
    return LogEntry(timestamp, _register(device_id, commissioned, srv, timestamp))


def entries(device: Device, srv: str, stamps: Sequence[int]) -> tuple[LogEntry, ...]:
    """The entries at ``stamps`` (from :func:`timestamps`), in order: the same as
    ``entry_at`` for each timestamp, assembled from memoised whole UTC days."""
    if not isinstance(stamps, range) or len(stamps) <= 2 or stamps.step != HALF_HOUR:
        return tuple([entry_at(device, srv, t) for t in stamps])
    parts: list[tuple[LogEntry, ...]] = []
    last = stamps[-1]
    at = stamps.start
    while at <= last:
        midnight = at - at % DAY
        block = _day_block(device.device_id, srv, midnight)
        parts.append(block[(at - midnight) // HALF_HOUR : (min(last, midnight + DAY - 1) - midnight) // HALF_HOUR + 1])
        at = midnight + DAY
    return parts[0] if len(parts) == 1 else tuple(chain.from_iterable(parts))


# Sized to the working set (the days recent reads touch, per device and SRV):
# a larger memo only keeps old entries alive for the garbage collector to walk.
@lru_cache(maxsize=1 << 7)
def _day_block(device_id: str, srv: str, midnight: int) -> tuple[LogEntry, ...]:
    """The half-hourly entries of one UTC day, computed together: the energy (Wh)
    of each half-hour, between 100 and 299."""
    seed = _seed(device_id, srv)
    first = midnight // HALF_HOUR
    return tuple([LogEntry(n * HALF_HOUR, 100 + _noise(n, seed) % 200) for n in range(first, first + DAY // HALF_HOUR)])
