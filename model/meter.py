"""What a device holds and what a read of it returns: the device's logs.

The state's device data (a vector's ``initial_state.device_data``) says, for
each (device, SRV), the values the device logs and when: a
:class:`DeviceLog`.  The device holds an entry once its timestamp is at or
before the current instant; a read of SRV s over [start, end] returns the held
entries of s in that period, in time order.  An instantaneous read (4.1.1,
4.2) at t returns one entry stamped t whose value is the latest register value
logged at or before t.  Nothing else is held.  (C-8, the restriction that
deletes a device's earlier 4.8.1 entries, is applied by the read in
:mod:`.execution`.)

Where the state carries no device data for a (device, SRV), its
``device_source`` answers instead (a :class:`DeviceSource` the model is handed:
the generators' synthetic meter for long runs and benchmarks); with neither,
the device holds nothing.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Final, Protocol

from .clock import DAY, HALF_HOUR
from .entities import Device, LogEntry
from .frozen import frozen
from .memo import IdentityMemo
from .tables import SRVS

if TYPE_CHECKING:
    from .state import State


class DeviceSource(Protocol):
    """What a device logs for one SRV (``timestamps`` / ``entries`` for logs,
    ``register`` for instantaneous registers); a :class:`DeviceLog` is one."""

    def timestamps(self, device: Device, srv: str, start: int, end: int) -> Sequence[int]:
        """Timestamps of the entries logged in [start, end], in order."""
        ...

    def entries(self, device: Device, srv: str, stamps: Sequence[int]) -> tuple[LogEntry, ...]:
        """The entries logged at ``stamps`` (from :meth:`timestamps`, never empty), in order."""
        ...

    def register(self, device: Device, srv: str, at: int) -> int | None:
        """The latest register value logged at or before ``at`` (None: none)."""
        ...


@frozen
class DeviceLog:
    """The entries one device logs for one SRV: timestamps (strictly
    increasing) and their values; the device data of a (device, SRV).  Held
    as two tuples of integers (cheap to build on every reset, and left alone
    by the garbage collector); the entries themselves are made when read."""

    stamps: tuple[int, ...]
    values: tuple[int, ...]

    @classmethod
    def of(cls, entries: Iterable[LogEntry]) -> DeviceLog:
        """The log of these entries (any order; a timestamp twice is a ValueError)."""
        ordered = sorted((e.timestamp, e.value) for e in entries)
        for (a, _), (b, _) in zip(ordered, ordered[1:], strict=False):
            if a == b:
                raise ValueError(f"timestamp {a} logged twice")
        return cls(tuple([t for t, _ in ordered]), tuple([v for _, v in ordered]))

    def timestamps(self, device: Device, srv: str, start: int, end: int) -> Sequence[int]:
        return self.stamps[bisect_left(self.stamps, start) : bisect_right(self.stamps, end)]

    def entries(self, device: Device, srv: str, stamps: Sequence[int]) -> tuple[LogEntry, ...]:
        logged = _logged(self)
        first = bisect_left(self.stamps, stamps[0])
        last = first + len(stamps) - 1
        if last < len(self.stamps) and self.stamps[last] == stamps[-1]:
            return logged[first : last + 1]  # a run of consecutive logged timestamps
        return tuple([logged[bisect_left(self.stamps, t)] for t in stamps])

    def register(self, device: Device, srv: str, at: int) -> int | None:
        index = bisect_right(self.stamps, at) - 1
        return None if index < 0 else self.values[index]


def _entries_of(log: DeviceLog) -> tuple[LogEntry, ...]:
    return tuple(map(LogEntry, log.stamps, log.values))


# The entries of the logs recently read, made once per log (pure data; small,
# as everything a memo holds stays alive: see model/memo.py).
_logged: Final = IdentityMemo(_entries_of, 256)


def _source(state: State, device: Device, srv: str) -> DeviceSource | None:
    """The device data of (device, SRV), else the state's fallback source."""
    log = state.device_data.get((device.device_id, srv))
    return log if log is not None else state.device_source


def timestamps(state: State, device: Device, srv: str, start: int, end: int) -> Sequence[int]:
    """Timestamps of the entries a read of ``srv`` over [start, end] returns
    now: those held (logged at or before now), or for an instantaneous
    register the current instant, when inside the period and a value is logged."""
    source = _source(state, device, srv)
    now = state.now
    if source is None:
        return ()
    if SRVS[srv].cadence == "instant":
        held = start <= now <= end and source.register(device, srv, now) is not None
        return range(now, now + 1) if held else ()
    high = min(end, now)
    return source.timestamps(device, srv, start, high) if start <= high else ()


def entries(state: State, device: Device, srv: str, stamps: Sequence[int]) -> tuple[LogEntry, ...]:
    """The entries at ``stamps`` (from :func:`timestamps`), in order; an
    instantaneous register read at t is stamped t, with the latest value."""
    source = _source(state, device, srv)
    if source is None or not stamps:
        return ()
    if SRVS[srv].cadence == "instant":
        return tuple([LogEntry(t, v) for t in stamps if (v := source.register(device, srv, t)) is not None])
    return source.entries(device, srv, stamps)


# Run form of device data (docs/vector-format.md): interval of a run of each cadence.
RUN_INTERVAL: Final[dict[str, int]] = {"daily": DAY, "half-hour": HALF_HOUR, "instant": HALF_HOUR}


# not mutated: the codec's encoder only (writing vectors); the reference reads device data, never writes it
def runs(log: DeviceLog, srv: str) -> list[tuple[int, int, list[int]]]:
    """The device data of one (device, SRV) as runs (start, interval_s, values):
    a new run wherever consecutive timestamps are not one cadence interval apart."""
    interval = RUN_INTERVAL[SRVS[srv].cadence]
    found: list[tuple[int, int, list[int]]] = []
    previous = None
    for timestamp, value in zip(log.stamps, log.values, strict=True):
        if previous is None or timestamp - previous != interval:
            found.append((timestamp, interval, []))
        found[-1][2].append(value)
        previous = timestamp
    return found


def log_of(run_list: Iterable[tuple[int, int, Sequence[int]]]) -> DeviceLog:
    """The device data of one (device, SRV) from its runs (start, interval_s,
    values): ``values[i]`` is logged at ``start + i * interval_s``.  Runs may
    come in any order; two logging the same timestamp are a ValueError."""
    stamps: list[int] = []
    values: list[int] = []
    for start, interval, run in run_list:
        stamps.extend(range(start, start + len(run) * interval, interval))
        values.extend(run)
    if all(a < b for a, b in zip(stamps, stamps[1:], strict=False)):
        return DeviceLog(tuple(stamps), tuple(values))  # the runs came in order (as encoded)
    return DeviceLog.of(map(LogEntry, stamps, values))
