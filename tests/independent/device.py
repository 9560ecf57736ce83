"""The Smart Metering Inventory and a device simulator (C-8, C-9, C-10).

With ``initial_state.device_data`` (design: runs of ``values`` logged at
``start + i * interval_s``) the devices hold exactly those entries.  Without
it the simulator logs entries on each SRV's cadence with the value 0 (the
documents give no meter values; see GAPS.md: meter values)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date
from typing import Any

from .clock import parse_day, parse_instant
from .tables import DAILY_LOG_SRVS, DAY_S, INSTANT_SRVS, PROFILE_LOG_SRVS

Entry = tuple[int, int]  # (timestamp, value)
HALF_HOUR = 1800
SYNTHETIC_VALUE = 0
RESTRICTED_SRVS = frozenset({"4.8.1"})  # C-8


@dataclass(frozen=True)
class Device:
    device_id: str
    mpan: str
    generation: str  # SMETS1 | SMETS2
    kind: str  # ESME | GSME | ...
    commissioned: date

    def record(self) -> dict[str, str]:
        """The Smart Metering Inventory record an 8.2 returns."""
        return {
            "commissioned": self.commissioned.isoformat(),
            "device_id": self.device_id,
            "generation": self.generation,
            "kind": self.kind,
            "mpan": self.mpan,
        }


def decode_device(data: dict[str, Any]) -> Device:
    return Device(data["device_id"], data["mpan"], data["generation"], data["kind"], parse_day(data["commissioned"]))


def _cadence(srv: str) -> int | None:
    if srv in PROFILE_LOG_SRVS:
        return HALF_HOUR
    if srv in DAILY_LOG_SRVS:
        return DAY_S
    return None


class Meter:
    """What the devices hold and whether they answer."""

    def __init__(self, device_data: list[dict[str, Any]] | None) -> None:
        self.loaded = device_data is not None
        self._logs: dict[tuple[str, str], list[Entry]] = {}
        for run in device_data or []:
            start, step = parse_instant(run["start"]), int(run["interval_s"])
            log = self._logs.setdefault((run["device_id"], run["srv"]), [])
            log.extend((start + i * step, int(value)) for i, value in enumerate(run["values"]))
        for log in self._logs.values():
            log.sort()
        self.restricted_at: dict[str, int] = {}
        self.offline: set[str] = set()

    def restrict(self, device_id: str, now: int) -> None:
        """C-8: the ESME deletes the data it holds now (change-of-tenancy restriction)."""
        self.restricted_at[device_id] = now

    def reachable(self, device_id: str) -> bool:
        return device_id not in self.offline

    def _held(self, device: Device, srv: str, start: int, end: int) -> list[Entry]:
        if self.loaded:
            log = self._logs.get((device.device_id, srv), [])
            low = bisect.bisect_left(log, (start, -(2**63)))
            high = bisect.bisect_right(log, (end, 2**63))
            return log[low:high]
        step = _cadence(srv)
        if step is None:
            return []
        first = -(-start // step) * step
        return [(t, SYNTHETIC_VALUE) for t in range(first, end + 1, step)]

    def read_log(self, device: Device, srv: str, start: int, end: int, now: int) -> list[Entry]:
        """A log read over [start, end]: the held entries, in time order: logged
        by now, none before commissioning and, for 4.8.1, none logged before a
        restriction (C-8 names 4.8.1 only, AM 18.22(e); timing.md 8.5: an entry
        stamped at the restriction instant is kept)."""
        floor = _commissioned_at(device)
        if srv in RESTRICTED_SRVS and device.device_id in self.restricted_at:
            floor = max(floor, self.restricted_at[device.device_id])
        return [e for e in self._held(device, srv, max(start, floor), min(end, now)) if floor <= e[0]]

    def read_register(self, device: Device, srv: str, now: int) -> list[Entry]:
        """An instantaneous read (4.1.1, 4.2): one entry stamped now, the
        latest register value at or before now."""
        if srv not in INSTANT_SRVS:
            return []
        if not self.loaded:
            return [(now, SYNTHETIC_VALUE)]
        earlier = self._held(device, srv, -(2**62), now)
        return [(now, earlier[-1][1])] if earlier else []


def _commissioned_at(device: Device) -> int:
    """Nothing is logged before 00:00 UTC of the commissioning date (see GAPS.md)."""
    return parse_instant(device.commissioned.isoformat() + "T00:00:00Z")
