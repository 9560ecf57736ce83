"""Boundary vectors of the registration decision (AC-3, AC-4, REG-3, REG-4,
REG-6, REG-8, REG-12): MDR reads whose ReadLogPeriod ends or starts exactly at
the edges of an MDRA change: EFD - 1 min, EFD 00:00, the ETD, on an ordinary
day and on both UK clock-change days.  Edges come from :mod:`.edges` (Z3),
the EFD / ETD from the registration the standard world loads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from mhhs_sec.model import Profile, ReadLogPeriod, ServiceRequest, SubmitRequest
from mhhs_sec.model.clock import day_start
from mhhs_sec.model.registration import ONE_DAY, last_day
from mhhs_sec.model.tables import MDR_SRV_IDS, SRVS
from mhhs_sec.model.world import DEVICES_A, MDR_IN, MDR_OUT, registration_a

from .build import Case
from .edges import nearest
from .world import AUTUMN_CHANGE, CHANGE_DAY, SPRING_CHANGE, at, request_id, world

HOUR = 3600
# Read-log SRVs an MDR may send (AC-1), from the tables.
READ_SRVS = tuple(s for s in sorted(SRVS) if s in MDR_SRV_IDS and SRVS[s].read_log_period)
DAYS = {"ordinary": CHANGE_DAY, "clock-change-spring": SPRING_CHANGE, "clock-change-autumn": AUTUMN_CHANGE}


def _read(user: str, srv: str, device_id: str, start: int, end: int) -> SubmitRequest:
    return SubmitRequest(
        ServiceRequest(
            request_id(user, srv, device_id, 1), user, "MDR", srv, device_id, True, ReadLogPeriod(start, end)
        )
    )


def _edges(change_day: dt.date, profile: Profile) -> Iterator[tuple[str, str, int, int, str]]:
    """(edge, sender, start, end, expectation) around one MDRA change."""
    tz = profile.settlement_tz
    registration = registration_a(dt.date(2024, 1, 1), change_day, profile)
    outgoing, incoming = registration.mdras
    efd = day_start(incoming.efd, tz)  # REG-3: the change takes effect at 00:00 of the EFD
    end_day = last_day(outgoing, profile.etd)
    assert end_day is not None
    etd = day_start(end_day, tz)
    before = nearest(efd, before=True)  # EFD - 1 min
    yield "efd-minus-1min", MDR_OUT, etd, before, "outgoing MDRA up to EFD - 1 min: authorised"
    yield "efd", MDR_OUT, etd, nearest(efd, before=False), "outgoing MDRA period touching the EFD: REG-4"
    yield "efd", MDR_IN, nearest(efd, before=False), efd + 2 * HOUR, "incoming MDRA from the EFD: authorised"
    yield "efd-minus-1min", MDR_IN, before, efd + 2 * HOUR, "incoming MDRA from EFD - 1 min: not yet MDRA"
    yield "etd", MDR_OUT, etd, etd + 2 * HOUR, "outgoing MDRA on its ETD (last day): authorised"
    yield "etd", MDR_IN, etd, etd + 2 * HOUR, "incoming MDRA on the outgoing ETD: not yet MDRA"


def cases() -> Iterator[Case]:
    """One case per (day kind, profile, edge, sender, SRV) on the SMETS2 ESME of MPAN_A."""
    profiles = {
        "default": Profile(),
        "etd-exclusive": Profile(etd="exclusive"),
        "utc": Profile(settlement_tz="utc"),
        "partial-authorised": Profile(partial_period="authorised-days"),
    }
    device_id = DEVICES_A.s2_esme
    for day_name, change_day in DAYS.items():
        for profile_name, profile in profiles.items():
            if profile_name != "default" and day_name != "ordinary" and profile_name != "utc":
                continue
            now = at(change_day + 2 * ONE_DAY, 8 * HOUR, profile.settlement_tz)  # inside the MDR window
            state = world(now, change_day, profile)
            for edge, sender, start, end, what in _edges(change_day, profile):
                who = "out" if sender == MDR_OUT else "in"
                for srv in READ_SRVS:
                    yield Case(
                        id=f"boundary.registration.{day_name}.{profile_name}.{edge}.{who}.{srv}",
                        comment=f"AC-3/REG-4 {day_name} ({profile_name}): {what} ({srv})",
                        requirements=("AC-3", "REG-2", "REG-3", "REG-4", "REG-6", "REG-8", "REG-12", "AC-4"),
                        state=state,
                        events=(_read(sender, srv, device_id, start, end),),
                        observables=("response-code", "entries"),
                        tags=("boundary", edge, day_name),
                        coverage={"decision": "registration", "edge": edge},
                    )
