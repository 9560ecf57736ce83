"""Registration rules: who is appointed to an MPAN on a settlement day.

REG-2 (appointments with EFD / ETD), REG-3 (a change takes effect at 00:00 of
the EFD), REG-5 (total, non-overlapping), REG-6 (current and future
appointments both honoured), REG-12 (ETD inclusive by default).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from typing import Final

from .entities import Appointment, Registration
from .errors import MalformedValue, RegistrationConflict

ONE_DAY: Final = dt.timedelta(days=1)
MPAN_RE: Final = re.compile(r"^[0-9]{13}$")


def last_day(appointment: Appointment, etd_mode: str) -> dt.date | None:
    """REG-12: the last settlement day of an appointment (None if open)."""
    if appointment.etd is None:
        return None
    return appointment.etd if etd_mode == "inclusive" else appointment.etd - ONE_DAY


def party_on(appointments: Sequence[Appointment], day: dt.date, etd_mode: str) -> str | None:
    """REG-3, REG-6: the party appointed on a settlement day, or None."""
    for appointment in appointments:
        if appointment.efd > day:
            return None
        end = last_day(appointment, etd_mode)
        if end is None or day <= end:
            return appointment.party
    return None


def mdra_changes(registration: Registration) -> Iterator[tuple[dt.date, str, str]]:
    """REG-3, SCH-3: each (incoming EFD, outgoing party, incoming party) where
    the MDRA of the MPAN changes hands."""
    mdras = registration.mdras
    for outgoing, incoming in zip(mdras, mdras[1:], strict=False):
        if outgoing.party != incoming.party:
            yield incoming.efd, outgoing.party, incoming.party


def check_mpan(mpan: str, field: str) -> None:
    """An MPAN is 13 digits."""
    if not isinstance(mpan, str) or not MPAN_RE.match(mpan):
        raise MalformedValue(field, "REG-2", "MPAN must be 13 digits")


def check_registration(registration: Registration, etd_mode: str) -> None:
    """REG-2, REG-5: both appointment lists must be well formed, start somewhere
    and then cover every following day exactly once."""
    check_mpan(registration.mpan, "registration.mpan")
    for name in ("suppliers", "mdras"):
        _check_chain(getattr(registration, name), etd_mode, f"registration.{name}")


def _check_chain(appointments: Sequence[Appointment], etd_mode: str, field: str) -> None:
    # REG-5: every MPAN has an appointee on every day from its first EFD on.
    if not appointments:
        raise RegistrationConflict(field, "REG-5", "no appointment: the MPAN would have none")
    for index, appointment in enumerate(appointments):
        _check_one(appointment, etd_mode, f"{field}[{index}]")
    for index, (current, following) in enumerate(zip(appointments, appointments[1:], strict=False)):
        _check_adjacent(current, following, etd_mode, f"{field}[{index + 1}].efd")
    if appointments[-1].etd is not None:
        raise RegistrationConflict(
            f"{field}[{len(appointments) - 1}].etd",
            "REG-5",
            "the last appointment ends: the MPAN would have no appointee after it",
        )


def _last_ordinal(appointment: Appointment, etd_mode: str) -> int | None:
    """REG-12: :func:`last_day` as a day number (no date arithmetic, so any
    date, even at the ends of the calendar, is checked without overflow)."""
    if appointment.etd is None:
        return None
    return appointment.etd.toordinal() - (0 if etd_mode == "inclusive" else 1)


def _check_one(appointment: Appointment, etd_mode: str, field: str) -> None:
    if not isinstance(appointment.party, str) or not appointment.party:
        raise MalformedValue(f"{field}.party", "REG-2", "party id must be a non-empty string")
    end = _last_ordinal(appointment, etd_mode)
    if end is not None and end < appointment.efd.toordinal():
        raise MalformedValue(f"{field}.etd", "REG-12", "the ETD leaves the appointment no day from its EFD on")


def _check_adjacent(current: Appointment, following: Appointment, etd_mode: str, field: str) -> None:
    end = _last_ordinal(current, etd_mode)
    if end is None:
        raise RegistrationConflict(field, "REG-5", "overlap: the previous appointment is open-ended")
    expected = end + 1
    if following.efd.toordinal() < expected:
        raise RegistrationConflict(field, "REG-5", "overlap: the EFD is not after the previous appointment's last day")
    if following.efd.toordinal() > expected:
        raise RegistrationConflict(
            field, "REG-5", "gap: the EFD leaves a day after the previous appointment's last day with no appointee"
        )
