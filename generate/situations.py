"""Concrete situations over the standard world: who sends, to which device,
reading which days, at which instant.  Senders are found from the world's
registration (the MDRA / Supplier appointed on the targeted day), never from a
list that repeats it."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from functools import lru_cache
from typing import Final

from mhhs_sec.model import (
    Profile,
    ReadLogPeriod,
    Schedule,
    ScheduleSpec,
    ServiceRequest,
    SetUser,
    State,
    step,
)
from mhhs_sec.model.registration import ONE_DAY, party_on
from mhhs_sec.model.rules import SUPPLIER_ROLES
from mhhs_sec.model.tables import SRVS
from mhhs_sec.model.world import DEVICES_A, DEVICES_B, MPAN_A

from .world import CHANGE_DAY, at, device, request_id, world

HOUR: Final = 3600
TODAY: Final = CHANGE_DAY + 3 * ONE_DAY  # after the MDRA change of MPAN_A
NOW: Final = at(TODAY, 9 * HOUR)  # inside both the MDR window and office hours
# AC-11: the roles a vector may assert device access for: MDR (AC-3) and, when
# registered for the MPAN, IS and ES (entitled under any reading).
ENTITLED_ROLES: Final = ("MDR", *SUPPLIER_ROLES)
GT_USER: Final = "90-B3-D5-1F-30-09-00-00"  # a Gas Transporter: the one role the standard world lacks
UNKNOWN_USER: Final = "90-B3-D5-1F-30-99-00-00"
DEFAULT: Final = Profile()
READ_SPAN_S: Final = 2 * HOUR - 1  # ReadLogPeriod: the first two hours of a day (4 half-hours)


@lru_cache(maxsize=512)
def base(profile: Profile = DEFAULT, now: int = NOW, change_day: dt.date = CHANGE_DAY) -> State:
    """The standard world plus a GT user, at ``now``."""
    state, _ = step(world(now, change_day, profile), SetUser(GT_USER, frozenset({"GT"})))
    return state


def esme_or(generation: str, kind: str, mpan_a: bool = True) -> str:
    return device(DEVICES_A if mpan_a else DEVICES_B, generation, kind)


def sender(state: State, role: str, device_id: str, day: dt.date) -> str:
    """A user of the world holding ``role`` and, for MDR / IS / ES, appointed
    to the device's MPAN on ``day`` (AC-3)."""
    registration = state.device_mpan_registration(device_id)
    if registration is not None and role in ENTITLED_ROLES:
        chain = registration.mdras if role == "MDR" else registration.suppliers
        party = party_on(chain, day, state.profile.etd)
        if party is not None and role in state.users[party].roles:
            return party
    return min(u.user_id for u in state.users.values() if role in u.roles)


def non_holder(state: State, role: str) -> str:
    """A user of the world that does not hold ``role`` (REG-7)."""
    return min(u.user_id for u in state.users.values() if role not in u.roles)


def flag_value(flag: str) -> bool | None:
    return {"absent": None, "false": False, "true": True}[flag]


def period_of(day: dt.date, tz: str, span_s: int = READ_SPAN_S) -> ReadLogPeriod:
    start = at(day, 0, tz)
    return ReadLogPeriod(start, start + span_s)


def request(
    state: State,
    user: str,
    role: str,
    srv: str,
    device_id: str,
    flag: str,
    counter: int = 1,
    *,
    day: dt.date | None = None,
    schedule_srv: str | None = None,
    schedule_id: int | None = None,
) -> ServiceRequest:
    """A well-formed request of any modelled SRV (period: the first hours of
    ``day``, default yesterday; a 5.1 schedules ``schedule_srv`` from tomorrow)."""
    tz = state.profile.settlement_tz
    read_day = day or state.today - ONE_DAY
    spec = SRVS[srv]
    period = period_of(read_day, tz) if spec.read_log_period else None
    schedule = ScheduleSpec(schedule_srv, state.today + ONE_DAY) if srv == "5.1" and schedule_srv else None
    target = "" if schedule_id is not None else device_id
    rid = request_id(user, srv, device_id, counter)
    flag_ = flag_value(flag)
    return ServiceRequest(rid, user, role, srv, target, flag_, period, None, schedule, schedule_id)


def with_schedule(
    state: State,
    owner: str,
    role: str,
    device_id: str,
    srv: str,
    next_run: dt.date,
    for_settlement: bool,
    started: bool = True,
) -> State:
    """The state with one more DSP Schedule (SCH-1) of ``owner``, next run on
    ``next_run``.  It has started (today at the latest), so it is active under
    either reading of C-13; or, not ``started``, it starts on ``next_run``."""
    schedule_id = state.next_schedule_id
    start = min(next_run, state.today) if started else next_run
    schedule = Schedule(schedule_id, owner, role, device_id, srv, for_settlement, start, None, next_run)
    schedules = dict(state.schedules)
    schedules[schedule_id] = schedule
    return replace(state, schedules=schedules, next_schedule_id=schedule_id + 1)


def mpan_a_registration(state: State) -> tuple[dt.date, str, str]:
    """(incoming EFD, outgoing MDRA, incoming MDRA) of MPAN_A."""
    outgoing, incoming = state.registrations[MPAN_A].mdras[:2]
    return incoming.efd, outgoing.party, incoming.party
