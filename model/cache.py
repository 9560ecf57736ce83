"""The SMETS1 Service Provider data cache (001 Annex A: AM 18.21(k), 18.22(e),
(h), 18.24(f)).

C-1 / C-2: only 4.6.1, 4.8.1, 4.8.3 of a SMETS1 ESME with an active DSP Schedule
for that SRV (C-13: which schedules are active).  C-3: only previous-day entries
or entries not retrieved before (C-12: which entries those are).
C-4 / C-7: a cached entry answers any party that access control lets through
(the cache is consulted only after :func:`access.authorise`).  C-5 / C-11: held
at most 25 hours.  C-6: removed with the schedule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Final

from .clock import day_start, settlement_day
from .entities import CachedEntry, LogEntry, Schedule
from .memo import IdentityMemo
from .profile import Profile
from .registration import ONE_DAY
from .rules import cacheable
from .state import CacheSlot, State, evolve
from .tables import CACHE


def is_fresh(retrieved_at: int, now: int, profile: Profile) -> bool:
    """C-5, C-11: may an entry retrieved at ``retrieved_at`` still be held and
    served at ``now``?  Default: only while younger than 25 h."""
    age = now - retrieved_at
    if profile.cache_boundary == "inclusive":
        return age <= CACHE.max_age_s
    return age < CACHE.max_age_s


def _schedules_of(state: State, device_id: str, srv: str) -> list[Schedule]:
    return [s for s in state.schedules.values() if s.device_id == device_id and s.srv == srv]


def is_active(state: State, schedule: Schedule) -> bool:
    """C-13: default 'start-to-end': active on the settlement days from its start
    date to its end date inclusive, while it exists (deleted, or ended after its
    last run, it is gone); option 'creation-to-deletion': from its creation on."""
    return state.profile.schedule_active == "creation-to-deletion" or _within_dates(state, schedule)


def _within_dates(state: State, schedule: Schedule) -> bool:
    today = state.today
    return schedule.start_day <= today and (schedule.end_day is None or today <= schedule.end_day)


def activity(state: State, device_id: str, srv: str) -> tuple[bool, tuple[str, ...]]:
    """C-2, C-13: whether an active schedule covers the device and SRV, and the
    tag of the option when the two readings decide it apart (a schedule exists,
    but none within its dates)."""
    mine = _schedules_of(state, device_id, srv)
    if not mine or any(_within_dates(state, s) for s in mine):
        return bool(mine), ()
    return any(is_active(state, s) for s in mine), (state.profile.tag("schedule_active"),)


def fresh(state: State, device_id: str, srv: str) -> Mapping[int, CachedEntry]:
    """C-4, C-5: the entries of one device and SRV held now, by timestamp.
    Every entry held is fresh: :func:`expire` ends every move of the clock (a
    state's cache starts empty and is filled only at the current instant)."""
    slot = state.cache.get((device_id, srv))
    return _EMPTY if slot is None else slot.entries


_EMPTY: Final[Mapping[int, CachedEntry]] = MappingProxyType({})


def store(state: State, device_id: str, srv: str, read: Sequence[LogEntry]) -> tuple[State, tuple[str, ...]]:
    """C-3: add what was just read from the device, keeping only entries of the
    previous settlement day or entries not retrieved before (C-12).  Returns
    the state and the tags of the options the caching read (C-12, C-13)."""
    device = state.devices[device_id]
    if not cacheable(srv, device.generation, device.kind):
        return state, ()
    active, tags = activity(state, device_id, srv)
    if not active:
        return state, tags
    key = (device_id, srv)
    slot = state.cache.get(key) or CacheSlot({}, -1)
    tz = state.profile.settlement_tz
    today = settlement_day(state.now, tz)
    # C-3: the previous settlement day is [00:00 yesterday, 00:00 today).
    yesterday_from, yesterday_to = day_start(today - ONE_DAY, tz), day_start(today, tz)
    entries = dict(slot.entries)
    stamps = [entry.timestamp for entry in read]
    parted = False
    for entry, timestamp in zip(read, stamps, strict=True):
        if yesterday_from <= timestamp < yesterday_to or timestamp > slot.high_water:
            entries[timestamp] = CachedEntry(entry, state.now)
        elif timestamp not in slot.retrieved:
            parted = True  # C-12: never retrieved, yet not after the latest retrieved
            if state.profile.retrieved_entries == "never-retrieved":
                entries[timestamp] = CachedEntry(entry, state.now)
    if parted:
        tags += (state.profile.tag("retrieved_entries"),)
    cache = dict(state.cache)
    cache[key] = CacheSlot(entries, max([slot.high_water, *stamps]), slot.retrieved.union(stamps))
    return _with_cache(state, cache), tags


def expire(state: State) -> State:
    """C-5, C-11: drop every entry no longer fresh at the current instant."""
    oldest = _oldest(state.cache)
    if oldest is None or is_fresh(oldest, state.now, state.profile):
        return state  # the oldest entry held is fresh, so every entry is
    # Not empty: the slot holding the oldest entry is stale.
    stale = [
        key
        for key, slot in state.cache.items()
        if (oldest := slot.oldest()) is not None and not is_fresh(oldest, state.now, state.profile)
    ]
    cache = dict(state.cache)
    for key in stale:
        slot = cache[key]
        kept = {t: c for t, c in slot.entries.items() if is_fresh(c.retrieved_at, state.now, state.profile)}
        cache[key] = CacheSlot(kept, slot.high_water, slot.retrieved)
    return _with_cache(state, cache)


def _earliest(cache: Mapping[tuple[str, str], CacheSlot]) -> int | None:
    """The earliest retrieval instant in the whole cache."""
    return min((t for slot in cache.values() if (t := slot.oldest()) is not None), default=None)


# Memoised by the cache mapping's identity: a state's cache mapping is never mutated.
# Small: each entry holds a whole old cache alive (see model/memo.py).
_oldest: Final = IdentityMemo(_earliest, 64)


def drop(state: State, device_id: str, srv: str) -> State:
    """C-6: the cache of a device and SRV goes with its DSP Schedule."""
    if (device_id, srv) not in state.cache:
        return state
    cache = {k: v for k, v in state.cache.items() if k != (device_id, srv)}
    return _with_cache(state, cache)


def _with_cache(state: State, cache: Mapping[tuple[str, str], CacheSlot]) -> State:
    return evolve(state, cache=cache)
