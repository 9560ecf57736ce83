"""Industry Registration Data: Supplier and MDRA appointments per MPAN
(REG-2..REG-6, REG-12)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from .clock import DAY, parse_day
from .errors import Refused


@dataclass(frozen=True)
class Appointment:
    party: str
    efd: date
    etd: date | None


@dataclass(frozen=True)
class Registration:
    mpan: str
    suppliers: tuple[Appointment, ...]
    mdras: tuple[Appointment, ...]


def _appointments(items: list[dict[str, Any]]) -> tuple[Appointment, ...]:
    return tuple(
        Appointment(item["party"], parse_day(item["efd"]), parse_day(item["etd"]) if item["etd"] else None)
        for item in items
    )


def decode_registration(data: dict[str, Any]) -> Registration:
    return Registration(data["mpan"], _appointments(data["suppliers"]), _appointments(data["mdras"]))


def _last_day(appointment: Appointment, etd_inclusive: bool) -> date | None:
    """REG-12: the last settlement day an appointment covers."""
    if appointment.etd is None:
        return None
    return appointment.etd if etd_inclusive else appointment.etd - DAY


def check_contiguous(name: str, chain: tuple[Appointment, ...], etd_inclusive: bool) -> None:
    """REG-5: one appointment on every day from the first EFD: no gap, no
    overlap, and the last one open (adapter protocol, the refusals table)."""
    if not chain:
        raise Refused(f"registration.{name}", "REG-5", f"no {name} appointment")
    for index, appointment in enumerate(chain):
        last = _last_day(appointment, etd_inclusive)
        if last is not None and last < appointment.efd:
            raise Refused(f"registration.{name}[{index}].etd", "REG-12", "ETD leaves no day after the EFD")
        if index == 0:
            continue
        previous = _last_day(chain[index - 1], etd_inclusive)
        if previous is None or appointment.efd != previous + DAY:
            kind = "overlap" if previous is None or appointment.efd <= previous else "gap"
            raise Refused(f"registration.{name}[{index}].efd", "REG-5", f"{kind} before this {name} appointment")
    if chain[-1].etd is not None:
        raise Refused(f"registration.{name}[{len(chain) - 1}].etd", "REG-5", f"the last {name} appointment ends")


def validate(registration: Registration, etd_inclusive: bool) -> None:
    for name, chain in (("suppliers", registration.suppliers), ("mdras", registration.mdras)):
        # Adapter protocol, the refusals: a party id is never empty (REG-2).
        for index, appointment in enumerate(chain):
            if not appointment.party:
                raise Refused(f"registration.{name}[{index}].party", "REG-2", "an empty party id")
    check_contiguous("suppliers", registration.suppliers, etd_inclusive)
    check_contiguous("mdras", registration.mdras, etd_inclusive)


def party_on(chain: tuple[Appointment, ...], day: date, etd_inclusive: bool) -> str | None:
    """REG-3/REG-4/REG-6: who holds the appointment on a settlement day."""
    for appointment in chain:
        last = _last_day(appointment, etd_inclusive)
        if appointment.efd <= day and (last is None or day <= last):
            return appointment.party
    return None


def mdra_changes(registration: Registration) -> list[tuple[date, str, str]]:
    """SCH-3: (incoming EFD, outgoing party, incoming party) of each change of MDRA."""
    chain = registration.mdras
    return [
        (chain[i].efd, chain[i - 1].party, chain[i].party)
        for i in range(1, len(chain))
        if chain[i - 1].party != chain[i].party
    ]
