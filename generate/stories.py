"""Short stories for rule edges that a mutant of the model showed no other
vector checks (``mhhs-sec mutants``), each kept because it kills such a
mutant.  Inputs are built over the standard world; the expected outputs come
from the model."""

from __future__ import annotations

from collections.abc import Callable

from mhhs_sec.model import SubmitRequest

from . import situations as sit
from .build import Case
from .walks import OBSERVABLES

UNKNOWN_DEVICE = "00-DB-12-34-56-78-90-FF"  # a well-formed EUI-64 the inventory lacks


def _unknown_device() -> Case:
    """E19 (AC-3): a read of a device the Smart Metering Inventory does not hold
    is answered E19, with nothing disclosed; a 5.1 on it too."""
    state = sit.base()
    mdra = sit.sender(state, "MDR", sit.esme_or("SMETS2", "ESME"), state.today)
    read = sit.request(state, mdra, "MDR", "4.8.1", UNKNOWN_DEVICE, "true", 1)
    schedule = sit.request(state, mdra, "MDR", "5.1", UNKNOWN_DEVICE, "true", 2, schedule_srv="4.8.1")
    return Case(
        "story.unknown-device",
        "E19: the MDRA reads, then schedules, a device that is not in the Smart Metering Inventory: both "
        "answered E19, nothing disclosed",
        ("AC-3",), state, (SubmitRequest(read), SubmitRequest(schedule)), OBSERVABLES, ("story",),
    )  # fmt: skip


STORIES: tuple[Callable[[], Case], ...] = (_unknown_device,)


def cases() -> list[Case]:
    return [story() for story in STORIES]
