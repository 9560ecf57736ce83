"""Every proved invariant as a runtime check on the model's concrete steps.

The Z3 proofs (:mod:`.obligations`) hold for the abstraction in :mod:`.encode`
(one MPAN, one device, at most two schedules, one watched cache key, work
executed at once).  The checks here state the same obligations, by the same
names and catalogue IDs, over the model's whole :class:`~mhhs_sec.model.State`:
every MPAN, device, schedule and cache entry, held and future-dated work,
retries, restrictions and device reloads.  They run on every *micro-step* of a
checked run (:class:`~mhhs_sec.model.machine.MicroStep`: an event, or one piece
of work a clock advance runs), so a model path outside the proof's abstraction
still trips them.  A state part is checked on the state after the micro-step;
a step part on (state before, outputs, state after).

The SRV sets and the 25 h / 24 h / 30 s figures are those the Z3 forms read
(:data:`.obligations.TABLE3_READS`, ...); an obligation applies under the
profile values its ``profile`` names (``Obligation.profile``), as in the
induction.  ``tests/proofs/test_runtime.py`` shows every obligation has its
checks and that each check agrees with the Z3 form on reachable states.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Final

from mhhs_sec.model import machine
from mhhs_sec.model.clock import day_start, settlement_day
from mhhs_sec.model.entities import Appointment, CachedEntry, Schedule
from mhhs_sec.model.machine import MicroStep
from mhhs_sec.model.outputs import Alert, Response
from mhhs_sec.model.profile import Profile
from mhhs_sec.model.registration import ONE_DAY
from mhhs_sec.model.rules import NEVER_FOR_SETTLEMENT
from mhhs_sec.model.state import State, evolve
from mhhs_sec.model.tables import CACHE, MDR_SRV_IDS

from .concrete import alt_of
from .obligations import NA_FOR_SMETS1, OBLIGATIONS, TABLE3_CELLS, TABLE3_READS, TRT_MHHS_S, TRT_READ_INVENTORY_S

Found = Iterator[str]  # what a check yields: one line per violation


class InvariantBroken(AssertionError):
    """A proved invariant does not hold of a concrete model step."""


@dataclass
class Monitor:
    """The runtime checks of one checked run, and their ghost state: the
    instant each schedule was created (SCH-3), or for a schedule already held
    when the monitor first saw it, that instant (a bound: it was created then
    or before), followed from object to object as a schedule moves on (by
    identity, so runs branching from one state do not mix); and the instant
    each device last moved to another MPAN (a reload, ``joined``).  ``steps``
    counts the micro-steps checked.  ``strict``: the first violation raises
    :class:`InvariantBroken`; else every violation is kept in ``broken`` as
    (obligation name, what)."""

    strict: bool = True
    steps: int = 0
    broken: list[tuple[str, str]] = field(default_factory=list)
    created: dict[int, tuple[Schedule, int]] = field(default_factory=dict)
    joined: dict[str, int] = field(default_factory=dict)
    _alt: dict[Profile, dict[str, bool]] = field(default_factory=dict)

    def __call__(self, micro: MicroStep) -> None:
        self.steps += 1
        self._follow_schedules(micro)
        self._follow_devices(micro)
        alt = self._alt.setdefault(micro.after.profile, alt_of(micro.after.profile))
        for obligation in OBLIGATIONS:
            if not all(alt[o] == v for o, v in obligation.profile.items()):
                continue
            for check in CHECKS[obligation.name]:
                for problem in check(self, micro):
                    what = f"{obligation.name} ({', '.join(obligation.requirements)}) at {micro.after.now}: {problem}"
                    if self.strict:
                        raise InvariantBroken(what)
                    self.broken.append((obligation.name, what))

    def seen(self, state: State, since: int) -> None:
        """Note the schedules a state holds that are new to the monitor: each
        was created at ``since`` or before."""
        for schedule in state.schedules.values():
            self.created.setdefault(id(schedule), (schedule, since))

    def _follow_schedules(self, micro: MicroStep) -> None:
        self.seen(micro.before, micro.since)
        before = micro.before.schedules
        for key, schedule in micro.after.schedules.items():
            if id(schedule) in self.created:
                continue
            earlier = before.get(key)
            if earlier is None:
                self.created[id(schedule)] = (schedule, micro.after.now)  # a 5.1 just created it
            else:
                self.created[id(schedule)] = (schedule, self.created[id(earlier)][1])

    def _follow_devices(self, micro: MicroStep) -> None:
        for device_id, device in micro.after.devices.items():
            earlier = micro.before.devices.get(device_id)
            if earlier is not None and earlier.mpan != device.mpan:
                self.joined[device_id] = micro.after.now

    def held_since(self, schedule: Schedule) -> int:
        """SCH-3: since when the schedule has been held for a device of the
        device's present MPAN: its creation, or the device's move to that MPAN
        if later.  An appointment ending deletes the outgoing MDRA's schedules
        for the MPAN's devices of that moment; one whose device joined the MPAN
        afterwards was not among them (AC-3 decides its runs there, and
        ``reg4`` checks what they give)."""
        created = self.creation(schedule)
        return max(created, self.joined.get(schedule.device_id, created))

    def creation(self, schedule: Schedule) -> int:
        """When a schedule of the step just followed was created, or the first
        instant it was seen held."""
        return self.created[id(schedule)][1]


@contextlib.contextmanager
def checking(monitor: Monitor | None = None) -> Iterator[Monitor]:
    """Run every model step inside the block under the runtime checks: the
    first violation raises :class:`InvariantBroken`."""
    monitor = monitor if monitor is not None else Monitor()
    machine.OBSERVERS.append(monitor)
    try:
        yield monitor
    finally:
        machine.OBSERVERS.remove(monitor)


# ---- helpers ---------------------------------------------------------------------


def _responses(micro: MicroStep) -> list[Response]:
    return [o for o in micro.outputs if isinstance(o, Response)]


def _accepted(micro: MicroStep) -> list[Response]:
    return [r for r in _responses(micro) if r.code == "I0"]


def _holder(chain: Sequence[Appointment], day: dt.date) -> str | None:
    """REG-5: the party appointed on a day: the appointment with the latest EFD
    on or before it (a chain has no gap or overlap)."""
    holders = [a for a in chain if a.efd <= day]
    return max(holders, key=lambda a: a.efd).party if holders else None


def _chain(state: State, device_id: str) -> tuple[Appointment, ...]:
    registration = state.device_mpan_registration(device_id)
    return () if registration is None else registration.mdras


def _changes(chain: Sequence[Appointment]) -> Iterator[tuple[str, dt.date]]:
    """Each MDRA change: the outgoing party and the incoming EFD."""
    ordered = sorted(chain, key=lambda a: a.efd)
    for outgoing, incoming in zip(ordered, ordered[1:], strict=False):
        if outgoing.party != incoming.party:
            yield outgoing.party, incoming.efd


def within_c5(age: int, cache_boundary: str) -> bool:
    """C-5, C-11: may an entry of this age (since the device read) be held or
    served?  (The Z3 form: ``obligations._within_c5``.)"""
    return age <= CACHE.max_age_s if cache_boundary == "inclusive" else age < CACHE.max_age_s


def _served_from_cache(micro: MicroStep, response: Response) -> list[CachedEntry]:
    """The held entries a response carries from the cache: those held before
    the step and either the device was not asked or they were fresh (by the
    entry's own retrieval instant).  None when the step removed the cache of
    the device and SRV and began it afresh (C-6: a schedule's last run ends
    the schedule, and so the cache, before it reads): nothing was held then."""
    key = (response.device_id, response.srv)
    slot = micro.before.cache.get(key)
    if slot is None or response.code != "I0" or _cache_restarted(micro, key):
        return []
    boundary = micro.before.profile.cache_boundary
    served = []
    for entry in response.entries:
        held = slot.entries.get(entry.timestamp)
        fresh = held is not None and within_c5(response.responded_at - held.retrieved_at, boundary)
        if held is not None and held.entry == entry and (not response.device_read or fresh):
            served.append(held)
    return served


def _cache_restarted(micro: MicroStep, key: tuple[str, str]) -> bool:
    """Did the step remove the cache of a device and SRV and begin it again?
    Removing a schedule of the device and SRV removes its whole cache (C-6),
    so a cache held after a step that removed one was begun after the removal,
    by a read that found nothing held."""
    if key not in micro.after.cache:
        return False
    after = micro.after.schedules
    return any((s.device_id, s.srv) == key and i not in after for i, s in micro.before.schedules.items())


# ---- REG-4 -----------------------------------------------------------------------


def reg4(monitor: Monitor, micro: MicroStep) -> Found:
    """REG-4, REG-3, REG-8: no accepted response, in whatever role, gives an
    outgoing MDRA an entry of a settlement day on or after the EFD of the MDRA
    that followed it, unless it is appointed to the MPAN again on that day (as
    its MDRA or its Supplier): whatever path led there (a retry, a held read,
    a schedule run)."""
    tz = micro.after.profile.settlement_tz
    for r in _accepted(micro):
        registration = micro.after.device_mpan_registration(r.device_id)
        if registration is None or not r.entries:
            continue
        ended = [efd for party, efd in _changes(registration.mdras) if party == r.user_id]
        for entry in r.entries:
            day = settlement_day(entry.timestamp, tz)
            appointed = r.user_id in (_holder(registration.mdras, day), _holder(registration.suppliers, day))
            if any(efd <= day for efd in ended) and not appointed:
                yield f"{r.request_id}: outgoing MDRA {r.user_id} received an entry of {day} (EFD passed)"


# ---- C-5 -------------------------------------------------------------------------


def c5_held(monitor: Monitor, micro: MicroStep) -> Found:
    """C-5, C-11 (state): no entry is held 25 h or more after it was read."""
    after = micro.after
    for key, slot in after.cache.items():
        oldest = slot.oldest()
        if oldest is not None and not within_c5(after.now - oldest, after.profile.cache_boundary):
            yield f"cache {key} holds an entry read from the device at {oldest}"


def c5_stamped_by_device_read(monitor: Monitor, micro: MicroStep) -> Found:
    """C-5 (step): an entry's retrieval instant is the instant the device was
    read for it, so age is measured from the device read: every entry that
    enters the cache in a step was read from the device in that step (an
    accepted response that asked the device carries it, not from the cache)."""
    before, after = micro.before.cache, micro.after.cache
    if before is after:
        return
    for key, slot in after.items():
        old = before.get(key)
        if old is slot:
            continue
        new = [(t, c) for t, c in slot.entries.items() if old is None or old.entries.get(t) is not c]
        if new:
            read = _device_reads(micro, key)
            for timestamp, held in new:
                if (timestamp, held.entry.value) not in read or held.retrieved_at != micro.after.now:
                    yield f"cache {key} entry {timestamp} stamped {held.retrieved_at} with no device read then"


def _device_reads(micro: MicroStep, key: tuple[str, str]) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    for r in _accepted(micro):
        if (r.device_id, r.srv) == key and r.device_read:
            cached = {c.entry.timestamp for c in _served_from_cache(micro, r)}
            found.update((e.timestamp, e.value) for e in r.entries if e.timestamp not in cached)
    return found


def c5_served(monitor: Monitor, micro: MicroStep) -> Found:
    """C-5, C-11 (step): no entry is served from the cache 25 h or more after
    the device was read for it."""
    for r in _accepted(micro):
        for held in _served_from_cache(micro, r):
            if not within_c5(r.responded_at - held.retrieved_at, micro.before.profile.cache_boundary):
                yield f"{r.request_id}: entry {held.entry.timestamp} served from the cache, read at {held.retrieved_at}"


# ---- C-7, C-4 --------------------------------------------------------------------


def c7_cache_behind_access(monitor: Monitor, micro: MicroStep) -> Found:
    """C-7, C-4, AC-3: a cached entry reaches a party only when the same step
    with nothing cached (the device answering, its restriction and comms set
    aside: those bound what the device holds, not who may have it) gives that
    party that entry; and (C-4) when the device would give it an entry, the
    cache gives it the same."""
    if micro.redo is None:
        return
    for r in _responses(micro):
        if (r.device_id, r.srv) not in micro.before.cache or r.device_id in micro.before.offline:
            continue
        device = _redone(micro, r, evolve(micro.before, cache={}, restrictions={}))
        given = set() if device is None or device.code != "I0" else set(device.entries)
        for held in _served_from_cache(micro, r):
            if held.entry not in given:
                yield f"{r.request_id}: cached entry {held.entry.timestamp} given to {r.user_id}, device would not"
        answered = _redone(micro, r, evolve(micro.before, cache={}))
        if answered is not None and answered.code == "I0" and not set(answered.entries) <= set(r.entries):
            yield f"{r.request_id}: the device would give {r.user_id} entries the cached answer leaves out"


def _redone(micro: MicroStep, response: Response, state: State) -> Response | None:
    assert micro.redo is not None
    _, outputs = micro.redo(state)
    return next((o for o in outputs if isinstance(o, Response) and o.request_id == response.request_id), None)


# ---- C-1, C-2, C-6 ---------------------------------------------------------------


def cache_scope(monitor: Monitor, micro: MicroStep) -> Found:
    """C-1, C-2, C-6 (state): an entry is held only for 4.6.1 / 4.8.1 / 4.8.3
    of a SMETS1 ESME with a DSP Schedule for that device and SRV."""
    after = micro.after
    scheduled = {(s.device_id, s.srv) for s in after.schedules.values()}
    for (device_id, srv), slot in after.cache.items():
        if not slot.entries:
            continue
        device = after.devices.get(device_id)
        if (
            srv not in CACHE.srvs
            or device is None
            or (device.generation, device.kind)
            != (
                CACHE.generation,
                CACHE.device_kind,
            )
        ):
            yield f"cache ({device_id}, {srv}) outside C-1"
        elif (device_id, srv) not in scheduled:
            yield f"cache ({device_id}, {srv}) held with no DSP Schedule for it"


def cache_goes_with_schedule(monitor: Monitor, micro: MicroStep) -> Found:
    """C-6 (step): when a schedule goes, no entry cached for its device and SRV
    before stays (even while another schedule for them remains)."""
    gone = [s for k, s in micro.before.schedules.items() if k not in micro.after.schedules]
    for schedule in gone:
        key = (schedule.device_id, schedule.srv)
        old, new = micro.before.cache.get(key), micro.after.cache.get(key)
        if old is None or new is None:
            continue
        kept = [t for t, c in new.entries.items() if old.entries.get(t) is c]
        if kept:
            yield f"schedule {schedule.schedule_id} deleted, cache {key} keeps {len(kept)} entries"


# ---- AC-1, AC-6, AC-7, AC-8 ------------------------------------------------------


def mdr_access(monitor: Monitor, micro: MicroStep) -> Found:
    """AC-1, AC-6, AC-7, AC-8: an accepted MDR request is for a Table 2 SRV,
    never 4.1.1 on SMETS2, a device that is not an ESME (5.2 / 5.3 included), or
    an SRV N/A for SMETS1."""
    for r in _accepted(micro):
        device = micro.after.devices.get(r.device_id)
        if r.role != "MDR" or device is None:
            continue
        if r.srv not in MDR_SRV_IDS:
            yield f"{r.request_id}: MDR {r.srv} outside Table 2 (AC-1)"
        if r.srv == "4.1.1" and device.generation != "SMETS1":
            yield f"{r.request_id}: MDR 4.1.1 to a SMETS2 device (AC-6)"
        if device.kind != "ESME":
            yield f"{r.request_id}: MDR {r.srv} to a {device.kind} (AC-7)"
        if device.generation == "SMETS1" and r.srv in NA_FOR_SMETS1:
            yield f"{r.request_id}: MDR {r.srv} N/A for SMETS1 (AC-8)"


# ---- FS-2, FS-4, TRT-2, TRT-3 ----------------------------------------------------


def flags(monitor: Monitor, micro: MicroStep) -> Found:
    """FS-2, FS-4 (FS-5 'reject' and 'coerce'): accepted MDR requests are
    answered with ForSettlement = true; NO / OU (and the other
    never-for-settlement roles) never are (under 'reject' the flag sent is
    that flag; under 'coerce' the answer carries the flag the rule says)."""
    for r in _accepted(micro):
        if r.role == "MDR" and not r.for_settlement:
            yield f"{r.request_id}: accepted MDR request without ForSettlement (FS-2)"
        if r.role in NEVER_FOR_SETTLEMENT and r.for_settlement:
            yield f"{r.request_id}: accepted {r.role} request with ForSettlement (FS-4)"


def trt_mhhs(monitor: Monitor, micro: MicroStep) -> Found:
    """TRT-2, TRT-1: an accepted MHHS data request has a 24 h TRT, whatever the role."""
    for r in _accepted(micro):
        if r.for_settlement and r.srv in TABLE3_READS and r.trt_s != TRT_MHHS_S:
            yield f"{r.request_id}: MHHS {r.srv} by {r.role} with TRT {r.trt_s}"


def trt_cells(monitor: Monitor, micro: MicroStep) -> Found:
    """TRT-1, AC-8: an accepted request of an SRV of Table 3 has its cell's TRT
    (5.2 / 5.3: the SMETS2 cell), and no N/A cell is answered."""
    for r in _accepted(micro):
        device = micro.after.devices.get(r.device_id)
        if r.srv in ("5.2", "5.3"):
            generation = "SMETS2"
        elif device is not None:
            generation = device.generation
        else:
            continue
        key = (r.srv, generation, r.mode, "mhhs" if r.for_settlement else "existing")
        if key in TABLE3_CELLS and (TABLE3_CELLS[key] is None or r.trt_s != TABLE3_CELLS[key]):
            yield f"{r.request_id}: {' '.join(key)} answered with TRT {r.trt_s}, the cell says {TABLE3_CELLS[key]}"


def trt_inventory(monitor: Monitor, micro: MicroStep) -> Found:
    """TRT-3: an accepted 8.2 has a 30 s TRT."""
    for r in _accepted(micro):
        if r.srv == "8.2" and r.trt_s != TRT_READ_INVENTORY_S:
            yield f"{r.request_id}: 8.2 with TRT {r.trt_s}"


# ---- SCH-3 -----------------------------------------------------------------------


def _ended_before(state: State, schedule: Schedule, held_since: int) -> bool:
    """SCH-3: is the schedule its owner's as outgoing MDRA, held since before
    an incoming EFD that has begun?  (Being appointed again later does not
    keep it: the catalogue deletes it when the appointment ends.)"""
    if schedule.role != "MDR":
        return False
    tz = state.profile.settlement_tz
    return any(
        party == schedule.owner and held_since < day_start(efd, tz) <= state.now
        for party, efd in _changes(_chain(state, schedule.device_id))
    )


def _taking_effect(micro: MicroStep, device_id: str) -> set[str]:
    """SCH-3: the outgoing parties of the MDRA changes of the device's MPAN that
    take effect in this micro-step: their EFD begins now (a clock advance runs
    the change at that instant), or a load brings a change whose EFD has
    already begun that the MPAN did not have before."""
    tz = micro.after.profile.settlement_tz
    known = set(_changes(_chain(micro.before, device_id)))
    return {
        party
        for party, efd in _changes(_chain(micro.after, device_id))
        if (start := day_start(efd, tz)) <= micro.after.now and (start == micro.after.now or (party, efd) not in known)
    }


def sch3_deleted(monitor: Monitor, micro: MicroStep) -> Found:
    """SCH-3 'delete' (state): once the incoming EFD has begun, the outgoing
    MDRA holds no MDR schedule it held before it."""
    for schedule in micro.after.schedules.values():
        if _ended_before(micro.after, schedule, monitor.held_since(schedule)):
            yield f"schedule {schedule.schedule_id} of outgoing MDRA {schedule.owner} still held"


def sch3_alerted(monitor: Monitor, micro: MicroStep) -> Found:
    """SCH-3 'delete' (step): each schedule deleted at the EFD is alerted to
    its owner (MHHS-A1); an MHHS-A1 names a schedule deleted in this step whose
    owner is the outgoing MDRA of a change taking effect in it (a change the
    MPAN already had deletes nothing when a load restates it)."""
    alerts = {(a.recipient, a.schedule_id) for a in micro.outputs if isinstance(a, Alert) and a.code == "MHHS-A1"}
    gone = {k: s for k, s in micro.before.schedules.items() if k not in micro.after.schedules}
    for key, schedule in gone.items():
        deleted_at_efd = _ended_before(micro.after, schedule, monitor.held_since(schedule))
        if deleted_at_efd and not _removed_otherwise(micro, schedule) and (schedule.owner, key) not in alerts:
            yield f"schedule {key} of outgoing MDRA {schedule.owner} deleted with no MHHS-A1 alert"
    for recipient, key in alerts:
        if key not in gone or gone[key].owner != recipient:
            yield f"MHHS-A1 to {recipient} for schedule {key}, not deleted in this step"
        elif recipient not in _taking_effect(micro, gone[key].device_id):
            yield f"MHHS-A1 to {recipient} for schedule {key}: no MDRA change of its MPAN takes effect now"


def _removed_otherwise(micro: MicroStep, schedule: Schedule) -> bool:
    """SCH-2, SCH-1: deleted by its owner's 5.3, or ended after its end day."""
    by_owner = any(r.srv == "5.3" and schedule.schedule_id in r.schedule_ids for r in _accepted(micro))
    ended = schedule.end_day is not None and schedule.next_run + ONE_DAY > schedule.end_day
    return by_owner or ended


def sch3_runs(monitor: Monitor, micro: MicroStep) -> Found:
    """SCH-3, SCH-9, AC-3 (step): no run of a schedule the outgoing MDRA held
    before the incoming EFD is accepted once the EFD has begun, unless it is
    the MPAN's MDRA again on the day the run executes (AC-3 then allows it)."""
    for r in _accepted(micro):
        if r.mode != "scheduled" or r.role != "MDR":
            continue
        run_day = settlement_day(r.responded_at, micro.after.profile.settlement_tz)
        for schedule in micro.before.schedules.values():
            ran = r.request_id.startswith(f"S{schedule.schedule_id}-") and schedule.owner == r.user_id
            again = _holder(_chain(micro.after, schedule.device_id), run_day) == r.user_id
            if ran and not again and _ended_before(micro.after, schedule, monitor.held_since(schedule)):
                yield f"{r.request_id}: run of outgoing MDRA {r.user_id}'s schedule accepted after the EFD"


# ---- REG-5 -----------------------------------------------------------------------


def registration_total(monitor: Monitor, micro: MicroStep) -> Found:
    """REG-5, REG-2 (state): every MPAN's MDRA chain covers every day from its
    first EFD on, exactly once: each appointment ends the day before the next
    begins (REG-12 profile), the last is open.  (A refused load raises and
    leaves the state as it was: ``step`` is pure.)"""
    inclusive = micro.after.profile.etd == "inclusive"
    for mpan, registration in micro.after.registrations.items():
        chain = registration.mdras
        for current, following in zip(chain, chain[1:], strict=False):
            last = None if current.etd is None else (current.etd if inclusive else current.etd - ONE_DAY)
            if last is None or last + ONE_DAY != following.efd:
                yield f"{mpan}: MDRA {current.party} then {following.party} leave a gap or an overlap"
        if chain and chain[-1].etd is not None:
            yield f"{mpan}: no MDRA after {chain[-1].etd}"


Check = Callable[[Monitor, MicroStep], Found]

# obligation name -> its runtime checks (every obligation of OBLIGATIONS has some)
CHECKS: Final[dict[str, tuple[Check, ...]]] = {
    "outgoing-mdra-no-data-from-efd[uk]": (reg4,),
    "outgoing-mdra-no-data-from-efd[utc]": (reg4,),
    "cache-held-at-most-25h": (c5_held, c5_stamped_by_device_read, c5_served),
    "cache-never-bypasses-access": (c7_cache_behind_access,),
    "cache-scope": (cache_scope, cache_goes_with_schedule),
    "mdr-requests-within-table-2": (mdr_access,),
    "for-settlement-flag-rules": (flags,),
    "for-settlement-flag-rules[coerce]": (flags,),
    "mhhs-trt-24h-any-role": (trt_mhhs,),
    "trt-per-table-3-cell": (trt_cells,),
    "read-inventory-trt-30s": (trt_inventory,),
    "outgoing-schedules-end-at-efd": (sch3_deleted, sch3_alerted, sch3_runs),
    "outgoing-schedule-runs-refused-after-efd": (sch3_runs,),
    "registration-total-non-overlapping": (registration_total,),
}

__all__ = ["CHECKS", "InvariantBroken", "Monitor", "checking", "within_c5"]
