"""The DSP / S1SP test double: reference data, submitted requests, the
virtual clock and everything that falls due on it (adapter protocol, section 3)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, Final

from .access import Granted, Rejection, World, decide, run_allowed
from .audit import AuditTrail
from .cache import S1spCache, caches
from .clock import DAY, SettlementClock, format_instant, parse_instant
from .device import HALF_HOUR, Device, Entry, Meter, commissioned_at, decode_device
from .errors import Refused
from .initial import check_schedule, read_initial_state
from .outputs import Json, acknowledgement, alert, response
from .profile import decode_profile
from .reading import read_event
from .registry import Registration, decode_registration, mdra_changes, validate
from .schedules import ScheduleBook, Windows, decode_schedule, first_run, inside, next_opening
from .service import EUI_64, ServiceRequest, decode_request
from .tables import CACHED_SRVS, DAILY_LOG_SRVS, DAY_S, INSTANT_SRVS, READ_SRVS, SCHEDULE_SRVS, trt_s
from .users import MDR, User, load_users
from .work import Job, WorkQueue, next_retry

# Order of work falling due at the same instant (adapter protocol, section 3).
MDRA_CHANGE, QUEUED, SCHEDULE_RUN = 0, 1, 2


# SCH-4, SCH-5: the configuration an initial state without one runs with.
DEFAULT_CONFIG: Final = {"dsp_window": [0, 21600], "mdr_window": [25200, 72000], "retry_interval_s": 3600}


def _window(pair: list[int]) -> tuple[int, int]:
    return int(pair[0]), int(pair[1])


class Dsp:
    """One vector's DCC Total System, from ``reset`` on."""

    def __init__(self, state: Any) -> None:
        """The initial state is read before anything is loaded (adapter
        protocol, "Refusing an initial state"); its users, registrations and
        devices are loaded as the events carrying them would be, and refused
        as those would be."""
        read_initial_state(state)
        self.now = parse_instant(state["clock"])
        self.profile = decode_profile(state["profile"])
        self.clock = SettlementClock(self.profile.settlement_tz)
        config = state.get("config") or DEFAULT_CONFIG
        self.windows = Windows(_window(config["dsp_window"]), _window(config["mdr_window"]))
        self.retry_interval_s = int(config["retry_interval_s"])
        self.users: dict[str, User] = {}
        self.registrations: dict[str, Registration] = {}
        self.devices: dict[str, Device] = {}
        self.book = ScheduleBook([])
        self.meter = Meter(state.get("device_data"))
        self.cache = S1spCache(self.profile.cache_inclusive, self.profile.after_latest)
        self.queue = WorkQueue()
        self.audit = AuditTrail(self.profile.audit_extract)
        for part, kind in (("users", "set_user"), ("registrations", "load_registration"), ("devices", "load_device")):
            for index, item in enumerate(state[part]):
                if not isinstance(item, dict):
                    raise Refused(f"initial_state.{part}[{index}]", "INPUT", "not an object")
                self.step({**item, "event": kind})
        schedules = state.get("schedules") or []
        for index, schedule in enumerate(schedules):
            check_schedule(schedule, index, set(self.devices))
        self.book = ScheduleBook([self._due_from_now(decode_schedule(s)) for s in schedules])

    # -- reference data --------------------------------------------------

    def _register(self, registration: Registration) -> None:
        """REG-2: an MPAN has 13 digits; REG-5: a registration with a gap or an
        overlap is refused, the previous one kept."""
        if not (len(registration.mpan) == 13 and registration.mpan.isascii() and registration.mpan.isdigit()):
            raise Refused("registration.mpan", "REG-2", "an MPAN has 13 digits")
        validate(registration, self.profile.etd_inclusive)
        self.registrations[registration.mpan] = registration

    def _due_from_now(self, schedule: Any) -> Any:
        """A schedule whose recorded next run has passed runs next on its first day still ahead."""
        window = self.windows.of(schedule.role)
        if schedule.next_run is not None and self.clock.local_time(schedule.next_run, window[0]) > self.now:
            return schedule
        return replace(schedule, next_run=first_run(self.clock, window, schedule.start_day, schedule.end_day, self.now))

    def world(self) -> World:
        return World(self.clock, self.profile, self.users, self.registrations, self.devices, self.book)

    # -- events ------------------------------------------------------------

    def step(self, event: dict[str, Any]) -> list[Json]:
        read_event(event)
        kind = event.get("event")
        if kind == "submit":
            return self.submit(decode_request(event["request"]))
        if kind == "advance_clock":
            return self.advance(parse_instant(event["to"]))
        if kind == "load_registration":
            registration = decode_registration(event)
            self._register(registration)
            return self._record(self._mdra_changes(begun=registration.mpan))
        if kind == "set_user":
            # Adapter protocol, the refusals: a user has an id and at least one role (REG-1).
            if not event["user_id"]:
                raise Refused("user_id", "REG-1", "an empty user id")
            if not event["roles"]:
                raise Refused("roles", "REG-1", "a user with no role")
            self.users.update(load_users([event]))
            return []
        if kind == "load_device":
            self._load_device(decode_device(event))
            return []
        if kind == "restrict_device":
            self.meter.restrict(self._known_device(event["device_id"]), self.now)
            return []
        if kind == "set_device_comms":
            self._set_comms(self._known_device(event["device_id"]), bool(event["online"]))
            return []
        if kind == "read_audit_trail":
            return [self.audit.extract(event["user_id"])]
        raise Refused("event", "INPUT", f"unknown event {kind!r}")

    def _load_device(self, device: Device) -> None:
        """Adapter protocol, the refusals: a device id that is not an EUI-64, a
        device on an MPAN with no registration."""
        if not EUI_64.fullmatch(device.device_id):
            raise Refused("device.device_id", "INPUT", f"device_id {device.device_id!r} is not an EUI-64")
        if device.mpan not in self.registrations:
            raise Refused("device.mpan", "REG-2", f"MPAN {device.mpan} has no registration")
        if device.generation not in ("SMETS1", "SMETS2"):
            raise Refused("device.generation", "INPUT", "a generation other than SMETS1 and SMETS2")
        if device.kind not in ("ESME", "GSME"):
            raise Refused("device.kind", "INPUT", "a kind other than ESME and GSME")
        before = self.devices.get(device.device_id)
        if before is not None and (before.mpan, before.generation, before.kind) != (
            device.mpan, device.generation, device.kind,
        ):  # fmt: skip
            # timing.md 8: what was cached for the device as it was is dropped (C-2).
            for srv in CACHED_SRVS:
                self.cache.drop((device.device_id, srv))
        self.devices[device.device_id] = device

    def _known_device(self, device_id: str) -> str:
        """Adapter protocol, the refusals: restrict_device and set_device_comms name a known device."""
        if device_id not in self.devices:
            raise Refused("device_id", "INPUT", f"device {device_id} is not in the inventory")
        return device_id

    def _set_comms(self, device_id: str, online: bool) -> None:
        if online:
            self.meter.offline.discard(device_id)
        else:
            self.meter.offline.add(device_id)

    def submit(self, request: ServiceRequest) -> list[Json]:
        """A user submits a service request now: answered, held (I99) or
        rejected; access control runs as if at the due instant (timing.md 4.2)."""
        self._check_dates(request)
        due = self._due(request)
        decision = decide(self.world(), request, due)
        # outputs.schema.json, audit_extract: a request answered at once is
        # recorded with no code, a held one with its acknowledgement's I99.
        code = "I99" if due > self.now and not isinstance(decision, Rejection) else ""
        self.audit.request(request.request_id, request.user_id, format_instant(self.now), code)
        if isinstance(decision, Rejection):
            return self._record(
                [self._rejected(request, decision, self.now, "on-demand", request.for_settlement is True)]
            )
        job = Job(request, self.now, "on-demand", decision.for_settlement, request.period, decision.days)
        if due > self.now:
            self.queue.put(due, job)
            return [acknowledgement(request, self.now, due)]
        return self._record(self.execute(job))

    def _check_dates(self, request: ServiceRequest) -> None:
        """Adapter protocol, the refusals: no future-dated 5.x / 8.2, none in
        the past, no schedule starting before today or ending before its start."""
        if request.execute_at is not None and (request.srv not in READ_SRVS or request.execute_at < self.now):
            raise Refused("request.execute_at", "INPUT", "only a device read is future-dated, never into the past")
        spec = request.schedule
        if spec is not None and spec.start_day < self.clock.day_of(self.now):
            raise Refused("request.schedule.start_day", "SCH-1", "a schedule cannot start in the past")
        if spec is not None and spec.end_day is not None and spec.end_day < spec.start_day:
            raise Refused("request.schedule.end_day", "SCH-1", "a schedule cannot end before it starts")

    def _due(self, request: ServiceRequest) -> int:
        """timing.md 4.1: a future-dated read is due at its execute_at, an MDR
        read (SCH-4; and 5.x under SCH-8's option) at the next MDR window
        opening at or after that; everything else now."""
        at = request.execute_at if request.execute_at is not None else self.now
        waits = request.srv in READ_SRVS or (self.profile.hold_all_mdr and request.srv in SCHEDULE_SRVS)
        if request.role != MDR or not waits or inside(self.clock, self.windows.mdr, at):
            return at
        return next_opening(self.clock, self.windows.mdr, at)

    def _record(self, outputs: list[Json]) -> list[Json]:
        for output in outputs:
            if output["type"] == "response":
                self.audit.response(output)
            elif output["type"] == "alert":
                self.audit.alert(output)
        return outputs

    # -- the virtual clock --------------------------------------------------

    def advance(self, to: int) -> list[Json]:
        """Run everything due in (now, to] in time order (adapter protocol, section 3)."""
        if to < self.now:
            raise Refused("to", "INPUT", f"the clock may only move forward (now {self.now}, asked {to})")
        outputs: list[Json] = []
        while True:
            due = self._next_due()
            if due is None or due[0] > to:
                break
            self.now = due[0]
            outputs.extend(self._record(self._run_due(due[1])))
        self.now = to
        return outputs

    def _change_instants(self) -> list[tuple[int, str, date, str]]:
        return sorted(
            (self.clock.start_of(efd), mpan, efd, outgoing)
            for mpan, registration in self.registrations.items()
            for efd, outgoing, _incoming in mdra_changes(registration)
        )

    def _run_instant(self, schedule_id: int) -> int | None:
        schedule = self.book.by_id[schedule_id]
        if schedule.next_run is None:
            return None
        return self.clock.local_time(schedule.next_run, self.windows.of(schedule.role)[0])

    def _next_due(self) -> tuple[int, int] | None:
        candidates: list[tuple[int, int]] = []
        changes = [c[0] for c in self._change_instants() if c[0] > self.now]
        if changes:
            candidates.append((changes[0], MDRA_CHANGE))
        queued = self.queue.next_due()
        if queued is not None:
            candidates.append((queued, QUEUED))
        runs = [i for i in map(self._run_instant, list(self.book.by_id)) if i is not None]
        if runs:
            candidates.append((min(runs), SCHEDULE_RUN))
        return min(candidates) if candidates else None

    def _run_due(self, category: int) -> list[Json]:
        if category == MDRA_CHANGE:
            return self._mdra_changes()
        if category == QUEUED:
            return self._run_queued(self.queue.pop())
        due = sorted(i for i in list(self.book.by_id) if self._run_instant(i) == self.now)
        return self._schedule_run(due[0])

    def _mdra_changes(self, begun: str | None = None) -> list[Json]:
        """SCH-3: at 00:00 of the incoming EFD the outgoing MDRA's schedules for
        the MPAN's devices are deleted (C-6: with their cache) and alerted;
        ``begun``: the MPAN of a registration just loaded, whose changes with
        their EFD at or before now apply at once (timing.md 7.3)."""
        outputs: list[Json] = []
        for instant, mpan, _efd, outgoing in self._change_instants():
            due = instant <= self.now if begun == mpan else begun is None and instant == self.now
            if not due or not self.profile.delete_on_mdra_change:
                continue
            for schedule in sorted(self.book.by_id.values(), key=lambda s: s.schedule_id):
                device = self.devices.get(schedule.device_id)
                if schedule.role == MDR and schedule.owner == outgoing and device is not None and device.mpan == mpan:
                    self._delete_schedule(schedule.schedule_id)
                    outputs.append(alert(outgoing, schedule.device_id, schedule.schedule_id, self.now))
        return outputs

    def _schedule_run(self, schedule_id: int) -> list[Json]:
        """A DSP Schedule's run at its owner's window opening, reading the previous settlement day."""
        schedule = self.book.by_id[schedule_id]
        run_day = schedule.next_run
        assert run_day is not None
        self.book.ran(schedule_id)
        day_read = run_day - DAY
        period = (self.clock.start_of(day_read), self.clock.start_of(run_day) - 1)
        request = ServiceRequest(
            f"S{schedule_id}-{run_day.isoformat()}", schedule.owner, schedule.role, schedule.srv,
            schedule.device_id, schedule.for_settlement, period, None, None,
        )  # fmt: skip
        device = self.devices.get(schedule.device_id)
        if device is None:
            return []
        refused = run_allowed(self.world(), schedule.owner, schedule.role, device, day_read, run_day)
        if refused is not None:
            return [self._rejected(request, refused, self.now, "scheduled", schedule.for_settlement)]
        return self.execute(Job(request, self.now, "scheduled", schedule.for_settlement, period, None))

    # -- execution ----------------------------------------------------------

    def _run_queued(self, job: Job) -> list[Json]:
        """A held request or a retry: access control runs again as things now
        stand (timing.md 4.4, 6.5); a run's retry as a run (rule 5.5)."""
        request = job.request
        if job.mode == "scheduled":
            assert job.period is not None
            device = self.devices[request.device_id]
            day_read, run_day = self.clock.day_of(job.period[0]), self.clock.day_of(self.now)
            refused = run_allowed(self.world(), request.user_id, request.role, device, day_read, run_day)
            decision: Rejection | Granted = refused or Granted(job.for_settlement, job.days)
        else:
            decision = decide(self.world(), request, self.now)
        if isinstance(decision, Rejection):
            flag = job.for_settlement if job.mode == "scheduled" else request.for_settlement is True
            return [self._rejected(request, decision, job.submitted_at, job.mode, flag)]
        return self.execute(replace(job, for_settlement=decision.for_settlement, days=decision.days))

    def execute(self, job: Job) -> list[Json]:
        srv = job.request.srv
        if srv == "5.1":
            return [self._create_schedule(job)]
        if srv in ("5.2", "5.3"):
            return [self._read_or_delete_schedules(job)]
        if srv == "8.2":
            device = self.devices[job.request.device_id]
            return [self._answer(job, "I0", inventory=device.record())]
        return self._read_device(job)

    def _answer(self, job: Job, code: str, **fields: Any) -> Json:
        device = self.devices.get(job.request.device_id)
        generation = device.generation if device is not None else "SMETS2"
        trt = trt_s(job.request.srv, generation, job.mode, job.for_settlement) if code == "I0" else None
        return response(job.request, code, submitted_at=job.submitted_at, now=self.now, mode=job.mode,
                        for_settlement=job.for_settlement, trt_s=trt, **fields)  # fmt: skip

    def _rejected(
        self, request: ServiceRequest, rejection: Rejection, submitted_at: int, mode: str, flag: bool
    ) -> Json:
        return response(request, rejection.code, submitted_at=submitted_at, now=self.now, mode=mode,
                        for_settlement=flag, requirements=rejection.requirements, reason=rejection.reason)  # fmt: skip

    def _create_schedule(self, job: Job) -> Json:
        """SCH-1: 5.1 creates a DSP Schedule owned by the sender."""
        spec, request = job.request.schedule, job.request
        assert spec is not None
        window = self.windows.of(request.role)
        first = first_run(self.clock, window, spec.start_day, spec.end_day, self.now)
        schedule = self.book.create(request.user_id, request.role, request.device_id, spec.srv, job.for_settlement,
                                    spec.start_day, spec.end_day, first)  # fmt: skip
        return self._answer(job, "I0", schedule_ids=[schedule.schedule_id])

    def _read_or_delete_schedules(self, job: Job) -> Json:
        """SCH-1, SCH-2: 5.2 / 5.3 act only on the sender's own schedules."""
        request = job.request
        own = self.book.owned(request.user_id, schedule_id=request.schedule_id, device_id=request.device_id)
        if request.schedule_id is not None and not own:
            rejection = Rejection("MHHS-E8", ("SCH-2",), f"no schedule {request.schedule_id} of this user")
            return self._rejected(request, rejection, job.submitted_at, job.mode, job.for_settlement)
        if request.srv == "5.3":
            for schedule in own:
                self._delete_schedule(schedule.schedule_id)
        return self._answer(job, "I0", schedule_ids=[s.schedule_id for s in own])

    def _delete_schedule(self, schedule_id: int) -> None:
        """C-6: removing a schedule of a device and SRV removes that cache (and
        its runs' queued retries: timing.md 5.6, 7.2)."""
        schedule = self.book.delete(schedule_id)
        self.queue.drop_runs_of(schedule_id)
        self.cache.drop((schedule.device_id, schedule.srv))

    def _read_device(self, job: Job) -> list[Json]:
        """A read: from the device (and the S1SP cache), or retried while the
        device is unreachable (SCH-5)."""
        device = self.devices[job.request.device_id]
        if not self.meter.reachable(device.device_id):
            return self._unreachable(job)
        entries, device_read = self._entries(device, job)
        if job.days is not None:
            entries = [e for e in entries if self.clock.day_of(e[0]) in job.days]
        return [self._answer(job, "I0", entries=entries, device_read=device_read)]

    def _unreachable(self, job: Job) -> list[Json]:
        if not job.for_settlement:
            rejection = Rejection("MHHS-E7", ("SCH-5",), "device unreachable")
            return [self._rejected(job.request, rejection, job.submitted_at, job.mode, job.for_settlement)]
        retry = next_retry(self.clock, self.windows, self.retry_interval_s, job, self.now)
        if retry is None:
            rejection = Rejection("MHHS-E6", ("SCH-5",), "retries stopped before the next DSP window")
            return [self._rejected(job.request, rejection, job.submitted_at, job.mode, job.for_settlement)]
        first = job.first_attempt if job.first_attempt is not None else self.now
        self.queue.put(retry, replace(job, first_attempt=first))
        return []

    def _entries(self, device: Device, job: Job) -> tuple[list[Entry], bool]:
        srv = job.request.srv
        if srv in INSTANT_SRVS or job.period is None:
            return self.meter.read_register(device, srv, self.now), True
        start, end = job.period
        key = (device.device_id, srv)
        cached = self.cache.fresh(key, start, end, self.now) if srv in CACHED_SRVS else {}
        if cached and set(self._cadence(device, srv, start, end)) <= set(cached):
            return sorted(cached.items()), False  # C-9: no device interaction
        read = [e for e in self.meter.read_log(device, srv, start, end, self.now) if e[0] not in cached]
        today = self.clock.day_of(self.now)
        active = self.book.active_for(device.device_id, srv, today, self.profile.active_from_creation)
        previous_day = (self.clock.start_of(today - DAY), self.clock.start_of(today))
        # C-9: only what the cache misses is retrieved from the device
        self.cache.note_retrieval(key, read, self.now, previous_day, caches(device, srv, active))
        merged = dict(read)
        merged.update(cached)  # C-8: cached entries survive the ESME's deletion
        return sorted(merged.items()), True

    def _cadence(self, device: Device, srv: str, start: int, end: int) -> list[int]:
        """The timestamps the S1SP expects a log to hold in [start, end] by now:
        the SRV's cadence from the commissioning date on (timing.md 8.8)."""
        step = DAY_S if srv in DAILY_LOG_SRVS else HALF_HOUR
        start = max(start, commissioned_at(device))
        first = -(-start // step) * step
        return list(range(first, min(end, self.now) + 1, step))
