"""The Smart Metering Inventory and a device simulator (C-8, C-9, C-10).

The devices hold exactly the entries ``initial_state.device_data`` logs (runs
of ``values`` logged at ``start + i * interval_s``), each once its timestamp
is at or before now; nothing else (docs/vector-format.md, "Device data")."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date
from typing import Any

from .clock import parse_day, parse_instant
from .tables import INSTANT_SRVS

Entry = tuple[int, int]  # (timestamp, value)
HALF_HOUR = 1800
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


class Meter:
    """What the devices hold and whether they answer."""

    def __init__(self, device_data: list[dict[str, Any]] | None) -> None:
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
        log = self._logs.get((device.device_id, srv), [])
        low = bisect.bisect_left(log, (start, -(2**63)))
        high = bisect.bisect_right(log, (end, 2**63))
        return log[low:high]

    def read_log(self, device: Device, srv: str, start: int, end: int, now: int) -> list[Entry]:
        """A log read over [start, end]: the held entries, in time order: logged
        by now and, for 4.8.1, none logged before a restriction (C-8 names
        4.8.1 only, AM 18.22(e); timing.md 8.5: an entry stamped at the
        restriction instant is kept)."""
        if srv in RESTRICTED_SRVS and device.device_id in self.restricted_at:
            start = max(start, self.restricted_at[device.device_id])
        return self._held(device, srv, start, min(end, now))

    def read_register(self, device: Device, srv: str, now: int) -> list[Entry]:
        """An instantaneous read (4.1.1, 4.2): one entry stamped now, the
        latest register value at or before now."""
        if srv not in INSTANT_SRVS:
            return []
        earlier = self._held(device, srv, -(2**62), now)
        return [(now, earlier[-1][1])] if earlier else []


def commissioned_at(device: Device) -> int:
    """00:00 UTC of the commissioning date: the vectors' device data logs
    every cadence timestamp a vector reads from then on (timing.md 8.8)."""
    return parse_instant(device.commissioned.isoformat() + "T00:00:00Z")
