"""The one error an event can be refused with (adapter protocol, section 2)."""

from __future__ import annotations


class Refused(Exception):
    """Invalid input: the event is refused and the state kept."""

    def __init__(self, field: str, requirement: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.requirement = requirement
