"""The abstraction function: concrete model states, events and outputs seen as
the encoding's abstract values (:class:`~.symbolic.SymState`,
:class:`~.symbolic.SymEvent`, :class:`~.symbolic.SymOut` field names), and the
way back: abstract values made concrete model events.

Used by the agreement test and by counterexample replay
(item 5).  The concrete world is the standard world's MPAN_A, its Supplier,
outgoing and incoming MDRAs, Network Operator and Other User, and one of its
devices (``world.DEVICES_A``) chosen by generation and kind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from mhhs_sec.generate.synthetic_meter import SYNTHETIC
from mhhs_sec.model import world
from mhhs_sec.model.entities import (
    Appointment,
    Device,
    ReadLogPeriod,
    Registration,
    Schedule,
    ScheduleSpec,
    ServiceRequest,
)
from mhhs_sec.model.events import (
    AdvanceClock,
    Event,
    LoadDevice,
    LoadRegistration,
    RestrictDevice,
    SetDeviceComms,
    SetUser,
    SubmitRequest,
)
from mhhs_sec.model.outputs import Acknowledgement, Alert, Output, Response
from mhhs_sec.model.profile import PROFILE_OPTIONS, Profile
from mhhs_sec.model.state import State, evolve, initial_state
from mhhs_sec.model.tables import GENERATIONS, SRVS

from .inputs import CODE_IDS, KINDS, PARTIES, ROLES, SRV_IDS
from .symbolic import ADVANCE, COMMS, LOADREG, NONE_TRT, PARAM_OPTIONS, RESTRICT, SUBMIT

EPOCH: Final = dt.date(1970, 1, 1)
Values = dict[str, int | bool]


def day_number(day: dt.date) -> int:
    return (day - EPOCH).days


def date_of(day: int) -> dt.date:
    return EPOCH + dt.timedelta(days=day)


@dataclass(frozen=True)
class Frame:
    """The rigid part of a run: device, first appointment day, watched key."""

    generation: str
    kind: str
    commissioned: dt.date
    first: dt.date
    srv_w: str
    ts_w: int

    @property
    def device(self) -> Device:
        devices = world.DEVICES_A
        ids = {("SMETS1", "ESME"): devices.s1_esme, ("SMETS2", "ESME"): devices.s2_esme,
               ("SMETS1", "GSME"): devices.s1_gsme, ("SMETS2", "GSME"): devices.s2_gsme}  # fmt: skip
        return Device(ids[(self.generation, self.kind)], world.MPAN_A, self.generation, self.kind, self.commissioned)

    def rigid(self) -> Values:
        return {"gen": GENERATIONS.index(self.generation), "kind": KINDS.index(self.kind),
                "comm": day_number(self.commissioned), "first": day_number(self.first),
                "srv_w": SRV_IDS.index(self.srv_w), "ts_w": self.ts_w}  # fmt: skip

    @staticmethod
    def from_rigid(rigid: Values) -> Frame:
        return Frame(GENERATIONS[int(rigid["gen"])], KINDS[int(rigid["kind"])], date_of(int(rigid["comm"])),
                     date_of(int(rigid["first"])), SRV_IDS[int(rigid["srv_w"])], int(rigid["ts_w"]))  # fmt: skip


def profile_of(alt: dict[str, bool]) -> Profile:
    """A concrete profile from the encoding's parameters (True = non-default)."""
    return Profile().with_options(**{o: PROFILE_OPTIONS[o][1][1 if alt.get(o) else 0] for o in PARAM_OPTIONS})


def alt_of(profile: Profile) -> dict[str, bool]:
    return {o: getattr(profile, o) != PROFILE_OPTIONS[o][1][0] for o in PARAM_OPTIONS}


# The MDRA chain's slots (chain.py): party, EFD and ETD fields of a state
# (``a_etd``/``b_efd`` the first link, ``m_*`` the rest) and of a load (``new_*``).
STATE_CHAIN: Final = ("m_len", ("m_p1", "m_p2", "m_p3"), ("b_efd", "m_efd2", "m_efd3"), ("a_etd", "m_etd1", "m_etd2"))
EVENT_CHAIN: Final = (("new_len", ("new_p1", "new_p2", "new_p3"), ("new_efd", "new_efd2", "new_efd3"),
                       ("new_etd", "new_etd1", "new_etd2")))  # fmt: skip


def registration(frame: Frame, a_etd: int, b_efd: int) -> Registration:
    """MPAN_A: the Supplier from the first day; outgoing then incoming MDRA (REG-2)."""
    return chain_registration(
        frame, [(world.MDR_OUT, frame.first, date_of(a_etd)), (world.MDR_IN, date_of(b_efd), None)]
    )


def chain_registration(frame: Frame, mdras: Sequence[tuple[str, dt.date, dt.date | None]]) -> Registration:
    """MPAN_A: the Supplier from the first day; the MDRA chain (party, EFD, ETD)."""
    return Registration(world.MPAN_A, (Appointment(world.SUPPLIER, frame.first),),
                        tuple(Appointment(p, efd, etd) for p, efd, etd in mdras))  # fmt: skip


def chain_values(mdras: Sequence[Appointment], names: tuple[Any, ...]) -> Values:
    """The abstract chain fields of an MDRA chain (unused slots 0; chain.py)."""
    length, parties, efds, etds = names
    out: Values = {length: len(mdras), **{n: 0 for n in (*parties, *efds, *etds)}}
    for k, a in enumerate(mdras):
        if k > 0:
            out[parties[k - 1]] = PARTIES.index(a.party)
            out[efds[k - 1]] = day_number(a.efd)
        if k < len(mdras) - 1 and a.etd is not None:
            out[etds[k]] = day_number(a.etd)
    return out


def chain_of(frame: Frame, values: Values, names: tuple[Any, ...]) -> list[tuple[str, dt.date, dt.date | None]]:
    """The MDRA chain (party, EFD, ETD) of abstract chain fields, the last open."""
    length, parties, efds, etds = names
    n = int(values[length])
    out: list[tuple[str, dt.date, dt.date | None]] = []
    for k in range(n):
        party = world.MDR_OUT if k == 0 else PARTIES[int(values[parties[k - 1]])]
        efd = frame.first if k == 0 else date_of(int(values[efds[k - 1]]))
        out.append((party, efd, date_of(int(values[etds[k]])) if k < n - 1 else None))
    return out


def setup(frame: Frame, profile: Profile, now: int, a_etd: int, b_efd: int) -> tuple[State, list[Event]]:
    """The initial state of a run (built through ``step``; the device logs the
    synthetic meter's values on every cadence timestamp, as the encoding has
    it) and the events that built it."""
    from mhhs_sec.model import step

    events: list[Event] = [SetUser(p, world.ROLES_OF[p]) for p in PARTIES]
    events += [LoadRegistration(registration(frame, a_etd, b_efd)), LoadDevice(frame.device)]
    state = evolve(initial_state(now, profile), device_source=SYNTHETIC)
    for event in events:
        state, _ = step(state, event)
    return state, events


def concrete_event(frame: Frame, e: Values, n: int) -> Event:
    """The model event of an abstract event (request ids 'P<n>')."""
    kind = int(e["kind"])
    if kind == ADVANCE:
        return AdvanceClock(int(e["to"]))
    if kind == LOADREG:
        return LoadRegistration(chain_registration(frame, chain_of(frame, e, EVENT_CHAIN)))
    if kind == COMMS:
        return SetDeviceComms(frame.device.device_id, bool(e["online"]))
    if kind == RESTRICT:
        return RestrictDevice(frame.device.device_id)
    assert kind == SUBMIT
    srv = SRV_IDS[int(e["srv"])]
    user = PARTIES[int(e["user"])]
    spec = SRVS[srv]
    request = ServiceRequest(
        request_id=f"P{n}", user_id=user, role=ROLES[int(e["role"])], srv=srv, device_id=frame.device.device_id,
        for_settlement=bool(e["flag"]),
        period=ReadLogPeriod(int(e["ps"]), int(e["pe"])) if spec.read_log_period else None,
        schedule=ScheduleSpec(SRV_IDS[int(e["sched_srv"])], date_of(int(e["sched_start"]))) if srv == "5.1" else None,
        execute_at=int(e["x_at"]) if e.get("x_on") else None,
    )  # fmt: skip
    return SubmitRequest(request)


def abstract_event(frame: Frame, event: Event) -> Values:
    """The abstract event of a model event (the inverse of :func:`concrete_event`)."""
    e: Values = {k: 0 for k in ("user", "role", "srv", "ps", "pe", "sched_srv", "sched_start", "to", "x_at")}
    e.update(chain_values((), EVENT_CHAIN), new_len=2, flag=False, x_on=False, online=False)
    if isinstance(event, AdvanceClock):
        return {**e, "kind": ADVANCE, "to": event.to}
    if isinstance(event, LoadRegistration):
        return {**e, "kind": LOADREG, **chain_values(event.registration.mdras, EVENT_CHAIN)}
    if isinstance(event, SetDeviceComms):
        return {**e, "kind": COMMS, "online": event.online}
    if isinstance(event, RestrictDevice):
        return {**e, "kind": RESTRICT}
    assert isinstance(event, SubmitRequest)
    r = event.request
    e.update(kind=SUBMIT, user=PARTIES.index(r.user_id), role=ROLES.index(r.role), srv=SRV_IDS.index(r.srv),
             flag=r.for_settlement is True)  # fmt: skip
    if r.period is not None:
        e.update(ps=r.period.start, pe=r.period.end)
    if r.schedule is not None:
        e.update(sched_srv=SRV_IDS.index(r.schedule.srv), sched_start=day_number(r.schedule.start_day))
    if r.execute_at is not None:
        e.update(x_on=True, x_at=r.execute_at)
    return e


def abstract_state(frame: Frame, state: State) -> Values:
    """The abstract state of a model state (the schedules' ``created`` is a ghost: 0).

    The ghost ``c_read`` (C-5: when the device was read for the held entry) is
    not in a model state; it is derived as the entry's ``retrieved_at``, which
    is that device read when the model is right (``runtime.c5_stamped_by_device_read``
    checks it on every micro-step), and 0 when nothing is held."""
    reg = state.registrations[world.MPAN_A]
    s: Values = {"now": state.now, **chain_values(reg.mdras, STATE_CHAIN)}
    schedules = sorted(state.schedules.values(), key=lambda x: x.schedule_id)
    assert len(schedules) <= len(SLOTS), "the abstraction holds at most two schedules"
    for k, prefix in enumerate(SLOTS):  # the older schedule in slot 0 (proofs/schedules.py)
        s.update(_slot(prefix, schedules[k] if k < len(schedules) else None))
    slot = state.cache.get((frame.device.device_id, frame.srv_w))
    held = None if slot is None else slot.entries.get(frame.ts_w)
    s.update(c_on=held is not None, c_at=held.retrieved_at if held else 0,
             c_read=held.retrieved_at if held else 0, hw=slot.high_water if slot else -1,
             r_w=slot is not None and frame.ts_w in slot.retrieved)  # fmt: skip
    s.update(_queued_work(state, [x.schedule_id for x in schedules]))
    device = frame.device.device_id
    s.update(off=device in state.offline, r_at=state.restrictions.get(device, -1))
    return s


SLOTS: Final = ("s_", "t_")


def _slot(prefix: str, x: Schedule | None) -> Values:
    """One schedule slot's fields (``created`` a ghost: 0; a free slot all 0)."""
    values: Values = {"on": False, "owner": 0, "role": 0, "srv": 0, "flag": False, "next": 0, "created": 0,
                      "start": 0}  # fmt: skip
    if x is not None:
        values.update(on=True, owner=PARTIES.index(x.owner), role=ROLES.index(x.role), srv=SRV_IDS.index(x.srv),
                      flag=x.for_settlement, next=day_number(x.next_run), start=day_number(x.start_day))  # fmt: skip
    return {prefix + k: v for k, v in values.items()}


def _queued_work(state: State, schedule_ids: list[int]) -> Values:
    """The one piece of queued work (SCH-4, SCH-5), a retried run with its
    schedule's slot; the ghosts ``w_created`` (the schedule's creation
    instant), ``w_first`` / ``w_last`` (the days the decision that queued it
    authorised) are 0."""
    assert len(state.pending) <= 1, "the abstraction queues at most one piece of work"
    w: Values = {"w_on": False, "w_due": 0, "w_user": 0, "w_role": 0, "w_srv": 0, "w_flag": False, "w_ps": 0,
                 "w_pe": 0, "w_sched": False, "w_cut": -1, "w_created": 0, "w_first": 0, "w_last": 0,
                 "w_slot": 0}  # fmt: skip
    for p in state.pending:
        if p.schedule_id is not None and p.schedule_id in schedule_ids:
            w["w_slot"] = schedule_ids.index(p.schedule_id)
        r = p.request
        w.update(w_on=True, w_due=p.due, w_user=PARTIES.index(r.user_id), w_role=ROLES.index(r.role),
                 w_srv=SRV_IDS.index(r.srv), w_flag=r.for_settlement is True, w_sched=p.mode == "scheduled",
                 w_cut=-1 if p.retry_cutoff is None else p.retry_cutoff)  # fmt: skip
        if r.period is not None:
            w.update(w_ps=r.period.start, w_pe=r.period.end)
    return w


def abstract_output(frame: Frame, before: State, outputs: Sequence[Output], refused: bool) -> Values:
    """What the encoding's output records of a model step."""
    responses: list[Response | Acknowledgement] = [o for o in outputs if isinstance(o, Response)]
    assert len(responses) <= 1, outputs
    acks = [o for o in outputs if isinstance(o, Acknowledgement)]
    o: Values = {"on": False, "code": -1, "trt": NONE_TRT, "eff_flag": False, "user": 0, "role": 0, "srv": 0,
                 "scheduled": False, "sched_owner_role": -1, "sched_created": 0, "has_ts": False,
                 "ts_cached": False, "at": before.now, "alert": any(isinstance(x, Alert) for x in outputs),
                 "reg_refused": refused}  # fmt: skip
    for a in acks:  # outside the abstraction ('executed now'): shows as code I99
        o.update(on=True, code=CODE_IDS.index(a.code), user=PARTIES.index(a.user_id), at=a.at)
    for r in responses:
        assert isinstance(r, Response)
        has = any(e.timestamp == frame.ts_w for e in r.entries)
        o.update(on=True, code=CODE_IDS.index(r.code), trt=NONE_TRT if r.trt_s is None else r.trt_s,
                 eff_flag=r.for_settlement, user=PARTIES.index(r.user_id), role=ROLES.index(r.role),
                 srv=SRV_IDS.index(r.srv), scheduled=r.mode == "scheduled", has_ts=has, at=r.responded_at,
                 ts_cached=has and r.srv == frame.srv_w and _held_fresh(frame, before, r.responded_at))  # fmt: skip
        if r.mode == "scheduled":
            o["sched_owner_role"] = ROLES.index(r.role)
    return o


def _held_fresh(frame: Frame, before: State, at: int) -> bool:
    from mhhs_sec.model.cache import is_fresh

    slot = before.cache.get((frame.device.device_id, frame.srv_w))
    held = None if slot is None else slot.entries.get(frame.ts_w)
    return held is not None and is_fresh(held.retrieved_at, at, before.profile)


# Ghosts of the abstract state: no model state holds them.
GHOSTS: Final = ("s_created", "t_created", "w_created", "w_first", "w_last")


# Fields compared between the encoding and the model: ghosts are not, and a
# field is compared only where it means something (a schedule's fields only
# when there is one, and so on).
def comparable_state(s: Values) -> Values:
    keep = {k: s[k] for k in ("now", "m_len", "s_on", "t_on", "c_on", "hw", "r_w", "w_on", "off", "r_at")}
    length, parties, efds, etds = STATE_CHAIN
    for k in range(1, int(s[length])):  # the chain's used slots (chain.py)
        keep.update({n: s[n] for n in (parties[k - 1], efds[k - 1], etds[k - 1])})
    if s["w_on"]:
        keep.update({k: s[k] for k in ("w_due", "w_user", "w_role", "w_srv", "w_flag", "w_ps", "w_pe", "w_sched",
                                       "w_cut")})  # fmt: skip
        if s["w_sched"]:
            keep["w_slot"] = s["w_slot"]
    for prefix in SLOTS:
        if s[prefix + "on"]:
            keep.update({prefix + k: s[prefix + k] for k in ("owner", "role", "srv", "flag", "next", "start")})
    if s["c_on"]:
        keep["c_at"] = s["c_at"]
    return keep


def comparable_output(o: Values) -> Values:
    keep = {k: o[k] for k in ("on", "alert", "reg_refused")}
    if o["on"]:
        keep.update({k: o[k] for k in ("code", "trt", "user", "role", "srv", "scheduled", "has_ts", "ts_cached",
                                       "at", "eff_flag")})  # fmt: skip
    return keep
