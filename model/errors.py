"""Typed errors for invalid events.  Each names the field at fault and the
requirement it breaks; :func:`mhhs_sec.model.step` raises one before touching
the state, so the state a caller holds is left exactly as it was."""

from __future__ import annotations


class InvalidEvent(ValueError):
    """An event the model refuses: ``field`` is the dotted path of the bad
    field, ``requirement`` the catalogue ID (or 'INPUT' for plain format)."""

    def __init__(self, field: str, requirement: str, message: str) -> None:
        super().__init__(f"{field}: {message} [{requirement}]")
        self.field = field
        self.requirement = requirement
        self.message = message


class UnknownReference(InvalidEvent):
    """The event names a device, MPAN or user the state does not hold."""


class MalformedValue(InvalidEvent):
    """A value is not in its format (device ID, MPAN, SRV, period, role...)."""


class RegistrationConflict(InvalidEvent):
    """REG-5: a registration with a gap or an overlap."""


class OutOfDomain(InvalidEvent):
    """A value outside the model's input domain (:mod:`.domain`): a date or
    instant out of range, a period too long, an advance making too much work."""


class ClockError(InvalidEvent):
    """The clock may only move forward."""
