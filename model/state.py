"""The state of the reference machine.  Immutable: :func:`step` returns a new
state that shares every part it did not change with the old one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import field
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from .clock import settlement_day
from .entities import CachedEntry, Device, Registration, Schedule, ServiceRequest, User
from .frozen import frozen, replacer
from .memo import IdentityMemo
from .outputs import AuditRecord
from .profile import Profile, ServiceConfig

if TYPE_CHECKING:
    from .meter import DeviceLog, DeviceSource

EMPTY: Final[Mapping[object, object]] = MappingProxyType({})


@frozen
class Pending:
    """Work queued for a later instant: a held or future-dated request, or a
    retry (SCH-4, SCH-5); also the form of work executed at once.  ``seq``
    orders queued work due at the same instant (only queued work takes a new
    one); ``retry_cutoff`` is the instant retries stop before."""

    due: int
    seq: int
    request: ServiceRequest
    submitted_at: int
    mode: str
    schedule_id: int | None
    retry_cutoff: int | None


@frozen
class CacheSlot:
    """C-1..C-6: the S1SP cache of one (device, SRV): entries by timestamp, the
    latest timestamp the S1SP has ever retrieved and every timestamp it has
    retrieved (C-3, C-12)."""

    entries: Mapping[int, CachedEntry]
    high_water: int
    retrieved: frozenset[int] = frozenset()

    def oldest(self) -> int | None:
        """The earliest retrieval instant held (memoised: entries are never mutated)."""
        return _oldest_retrieval(self.entries)


def _earliest(entries: Mapping[int, CachedEntry]) -> int | None:
    return min((c.retrieved_at for c in entries.values()), default=None)


# Small: each entry holds a whole old mapping alive (see model/memo.py).
_oldest_retrieval: Final = IdentityMemo(_earliest, 256)


# One audit record as a plain tuple (at, user_id, kind, reference, code).  The
# trail keeps its newest records in a short tuple and the older ones in full
# chunks, linked (chunk, older): exact tuples of ints and strings, which the
# garbage collector stops tracking, so a long trail costs it next to nothing.
AuditRow = tuple[int, str, str, str, str]
_Chunks = tuple[tuple[AuditRow, ...], "_Chunks | None"]
_CHUNK: Final = 256


class AuditTrail:
    """AUD-1: the Service Audit Trail, a persistent list of records (newest
    first).  Appending shares the older records; iterating, comparing and
    printing walk the list, never recurse."""

    __slots__ = ("_recent", "_chunks", "_length")

    def __init__(self, recent: tuple[AuditRow, ...] = (), chunks: _Chunks | None = None, length: int = 0) -> None:
        self._recent = recent  # oldest first, fewer than _CHUNK
        self._chunks = chunks
        self._length = length

    def appended(self, added: tuple[AuditRow, ...]) -> AuditTrail:
        """This trail with ``added`` records in row form (at, user_id, kind,
        reference, code) added, oldest of them first: one call per step."""
        recent, chunks = self._recent, self._chunks
        recent += added
        while len(recent) >= _CHUNK:
            chunks, recent = (recent[:_CHUNK], chunks), recent[_CHUNK:]
        return AuditTrail(recent, chunks, self._length + len(added))

    def __iter__(self) -> Iterator[AuditRecord]:
        for record in reversed(self._recent):
            yield AuditRecord(*record)
        link = self._chunks
        while link is not None:
            for record in reversed(link[0]):
                yield AuditRecord(*record)
            link = link[1]

    # not mutated: the trail's length serves the tests; the reference never asks it
    def __len__(self) -> int:
        return self._length

    # not mutated: comparing, hashing and printing trails serve the tests and proofs; the reference never does
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AuditTrail):
            return NotImplemented
        if self._chunks is other._chunks and self._recent == other._recent:
            return True
        return self._length == other._length and tuple(self) == tuple(other)

    # not mutated: as __eq__
    def __hash__(self) -> int:
        return hash(tuple(self))

    # not mutated: as __eq__
    def __repr__(self) -> str:
        newest = next(iter(self), None)
        return f"AuditTrail({self._length} records, newest {newest!r})"


@frozen
class State:
    """Clock, users, registration, inventory, schedules, S1SP cache, queued work
    and audit trail; what the devices log (``device_data`` by (device, SRV),
    else ``device_source``: :mod:`.meter`).  Mappings are never mutated in place."""

    now: int
    profile: Profile = field(default_factory=Profile)
    config: ServiceConfig = field(default_factory=ServiceConfig)
    users: Mapping[str, User] = field(default_factory=dict)
    registrations: Mapping[str, Registration] = field(default_factory=dict)
    devices: Mapping[str, Device] = field(default_factory=dict)
    schedules: Mapping[int, Schedule] = field(default_factory=dict)
    cache: Mapping[tuple[str, str], CacheSlot] = field(default_factory=dict)
    pending: tuple[Pending, ...] = ()
    offline: frozenset[str] = frozenset()
    restrictions: Mapping[str, int] = field(default_factory=dict)
    next_schedule_id: int = 1
    next_seq: int = 0  # the sequence number of the next work queued
    audit: AuditTrail = field(default_factory=AuditTrail)
    device_data: Mapping[tuple[str, str], DeviceLog] = field(default_factory=dict)
    device_source: DeviceSource | None = None

    @property
    def today(self) -> dt.date:
        """The settlement day of the current instant (REG-8 profile)."""
        return settlement_day(self.now, self.profile.settlement_tz)

    # not mutated: read by the runtime checks and the generators, never by the reference
    def device_mpan_registration(self, device_id: str) -> Registration | None:
        device = self.devices.get(device_id)
        return None if device is None else self.registrations.get(device.mpan)


evolve: Final = replacer(State)
evolve.__doc__ = """``dataclasses.replace`` for a State, without its per-call overhead: the
new state shares every field not named (an unknown field is a TypeError)."""


def initial_state(now: int, profile: Profile | None = None, config: ServiceConfig | None = None) -> State:
    """An empty state at instant ``now``."""
    return State(now=now, profile=profile or Profile(), config=config or ServiceConfig())
