"""A standard small world to start runs from: the users, MPANs and devices that
tests, scenarios, generators and benchmarks share.

One Supplier (IS + ES), two independent MDR agents (the outgoing and the
incoming MDRA of MPAN_A, whose change of agent is on ``change_day``), a
Supplier that is its own MDRA (MPAN_B), a Network Operator, an Other User, a
Gas Supplier and an RSA; on each MPAN a SMETS1 and a SMETS2 ESME and GSME.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from .entities import Appointment, Device, Registration
from .events import Event, LoadDevice, LoadRegistration, SetUser
from .machine import step
from .meter import DeviceSource
from .profile import Profile, ServiceConfig
from .registration import ONE_DAY
from .state import State, evolve, initial_state

SUPPLIER: Final = "90-B3-D5-1F-30-01-00-00"
MDR_OUT: Final = "90-B3-D5-1F-30-02-00-00"
MDR_IN: Final = "90-B3-D5-1F-30-03-00-00"
SUPPLIER_2: Final = "90-B3-D5-1F-30-04-00-00"
NETWORK_OPERATOR: Final = "90-B3-D5-1F-30-05-00-00"
OTHER_USER: Final = "90-B3-D5-1F-30-06-00-00"
GAS_SUPPLIER: Final = "90-B3-D5-1F-30-07-00-00"
SUPPLIER_AGENT: Final = "90-B3-D5-1F-30-08-00-00"

MPAN_A: Final = "1200000000001"  # change of MDRA agent on change_day
MPAN_B: Final = "1200000000002"  # Supplier 2 is its own MDRA

ROLES_OF: Final[dict[str, frozenset[str]]] = {
    SUPPLIER: frozenset({"IS", "ES"}),
    MDR_OUT: frozenset({"MDR"}),
    MDR_IN: frozenset({"MDR"}),
    SUPPLIER_2: frozenset({"IS", "ES"}),
    NETWORK_OPERATOR: frozenset({"ED"}),
    OTHER_USER: frozenset({"OU"}),
    GAS_SUPPLIER: frozenset({"GS"}),
    SUPPLIER_AGENT: frozenset({"RSA"}),
}


@dataclass(frozen=True)
class Devices:
    """Device IDs of one MPAN, by generation and kind."""

    s1_esme: str
    s2_esme: str
    s1_gsme: str
    s2_gsme: str

    def all(self) -> tuple[str, ...]:
        return (self.s1_esme, self.s2_esme, self.s1_gsme, self.s2_gsme)


DEVICES_A: Final = Devices(
    "00-DB-12-34-56-78-90-A1", "00-DB-12-34-56-78-90-A2", "00-DB-12-34-56-78-90-A3", "00-DB-12-34-56-78-90-A4"
)
DEVICES_B: Final = Devices(
    "00-DB-12-34-56-78-90-B1", "00-DB-12-34-56-78-90-B2", "00-DB-12-34-56-78-90-B3", "00-DB-12-34-56-78-90-B4"
)


def registration_a(first_day: dt.date, change_day: dt.date, profile: Profile) -> Registration:
    """MPAN_A: MDR_OUT up to the day before ``change_day``, then MDR_IN (REG-6)."""
    etd = change_day - ONE_DAY if profile.etd == "inclusive" else change_day
    return Registration(
        MPAN_A,
        (Appointment(SUPPLIER, first_day),),
        (Appointment(MDR_OUT, first_day, etd), Appointment(MDR_IN, change_day)),
    )


def registration_b(first_day: dt.date) -> Registration:
    """MPAN_B: Supplier 2 is Supplier and its own MDRA (REG-7)."""
    return Registration(MPAN_B, (Appointment(SUPPLIER_2, first_day),), (Appointment(SUPPLIER_2, first_day),))


def world_events(first_day: dt.date, change_day: dt.date, profile: Profile) -> list[Event]:
    """The events that load the standard world."""
    events: list[Event] = [SetUser(user, roles) for user, roles in ROLES_OF.items()]
    events += [
        LoadRegistration(registration_a(first_day, change_day, profile)),
        LoadRegistration(registration_b(first_day)),
    ]
    for mpan, devices in ((MPAN_A, DEVICES_A), (MPAN_B, DEVICES_B)):
        for device_id, generation, kind in zip(
            devices.all(), ("SMETS1", "SMETS2", "SMETS1", "SMETS2"), ("ESME", "ESME", "GSME", "GSME"), strict=True
        ):
            events.append(LoadDevice(Device(device_id, mpan, generation, kind, first_day)))
    return events


def standard_world(
    now: int,
    change_day: dt.date,
    profile: Profile | None = None,
    config: ServiceConfig | None = None,
    first_day: dt.date = dt.date(2024, 1, 1),
    source: DeviceSource | None = None,
) -> State:
    """The standard world at instant ``now``, MDRA change of MPAN_A on
    ``change_day``; its devices log what ``source`` gives (none: nothing)."""
    profile = profile or Profile()
    state = evolve(initial_state(now, profile, config), device_source=source)
    for event in world_events(first_day, change_day, profile):
        state, _ = step(state, event)
    return state
