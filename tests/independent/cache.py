"""The S1SP data cache (C-1..C-12; 001 Annex A, AM 18.21(k), 18.22(h), 18.24(f))."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .device import Device, Entry
from .tables import CACHED_SRVS, HOUR

HELD_FOR_S = 25 * HOUR  # C-5
Key = tuple[str, str]  # (device_id, srv)


def caches(device: Device, srv: str, schedule_active: bool) -> bool:
    """C-1, C-2: the S1SP caches this SRV's responses for this device now."""
    return srv in CACHED_SRVS and device.generation == "SMETS1" and device.kind == "ESME" and schedule_active


@dataclass
class _Store:
    entries: dict[int, tuple[int, int]] = field(default_factory=dict)  # timestamp -> (value, retrieved at)
    retrieved: set[int] = field(default_factory=set)  # C-12: every timestamp ever retrieved
    latest: int | None = None  # C-12 option: the latest timestamp retrieved


class S1spCache:
    def __init__(self, inclusive_boundary: bool, after_latest: bool) -> None:
        self.inclusive = inclusive_boundary  # C-11
        self.after_latest = after_latest  # C-12
        self._stores: dict[Key, _Store] = {}

    def _is_fresh(self, retrieved_at: int, now: int) -> bool:
        """C-5 / C-11: served only while younger than 25 h (or up to 25 h)."""
        age = now - retrieved_at
        return age <= HELD_FOR_S if self.inclusive else age < HELD_FOR_S

    def fresh(self, key: Key, start: int, end: int, now: int) -> dict[int, int]:
        """The cached entries of [start, end] that may still be served (C-4, C-5)."""
        store = self._stores.get(key)
        if store is None:
            return {}
        return {
            ts: value for ts, (value, at) in store.entries.items() if start <= ts <= end and self._is_fresh(at, now)
        }

    def _new(self, store: _Store, timestamp: int) -> bool:
        """C-12: an entry the S1SP has not retrieved before."""
        if self.after_latest:
            return store.latest is None or timestamp > store.latest
        return timestamp not in store.retrieved

    def note_retrieval(
        self, key: Key, entries: Iterable[Entry], now: int, previous_day: tuple[int, int], keep: bool
    ) -> None:
        """C-3: after a device read, when the S1SP caches this device and SRV
        (``keep``), cache the entries from the previous day or not retrieved
        before, and remember what was retrieved (timing.md 8.6: a read while
        nothing is cached leaves no trace)."""
        if not keep:
            return
        store = self._stores.setdefault(key, _Store())
        for timestamp, value in entries:
            if previous_day[0] <= timestamp < previous_day[1] or self._new(store, timestamp):
                store.entries[timestamp] = (value, now)
            store.retrieved.add(timestamp)
            store.latest = timestamp if store.latest is None else max(store.latest, timestamp)

    def drop(self, key: Key) -> None:
        """C-6: the DSP Schedule is removed: so is the cache for that device
        and SRV, with the record of what was retrieved (timing.md 8.6)."""
        self._stores.pop(key, None)
