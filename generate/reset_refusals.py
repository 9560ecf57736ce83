"""Refused initial states: one vector per kind of damage to what ``reset``
reads that the adapter protocol fixes as invalid input
(docs/adapter-protocol.md, "Refusing an initial state"): a clock that is a
day and no instant, a registration whose MPAN is not 13 digits (REG-2), a
profile option outside its list, a scheduling window that closes before it opens, a DSP
Schedule of a device the inventory lacks or of an SRV that cannot be DCC
Scheduled, device data that logs no entry or one timestamp twice.  The reset
is refused citing the requirement of the check that refuses it, and the
implementation keeps the state it had; no step follows.

The damage is made to the initial state of an ordinary vector (the standard
world, the devices logging what the MDRA's read of yesterday reaches), one
part at a time, and written as given: the vector's ``reset_refused`` is the
reference model's reading of it.  Each damage is one a mutant of the model's
reading of the initial state answers otherwise (``mhhs-sec mutants``: a
crash, an acceptance, or another requirement).  A value outside the model's
input domain (an instant before 1970, a schedule more than 7 days overdue) is
no such damage: a system may accept more (docs/adapter-protocol.md, "The
model's input domain"), so no vector asserts its refusal."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from mhhs_sec.model import InvalidEvent, SubmitRequest
from mhhs_sec.model.clock import format_instant, parse_instant
from mhhs_sec.model.codec import decode_state
from mhhs_sec.model.profile import PROFILE_OPTIONS
from mhhs_sec.model.registration import ONE_DAY
from mhhs_sec.vectors.jsonform import encode_state

from . import situations as sit
from .build import CaseError, model_options, run_case
from .device_data import synthetic, with_device_data

Json = dict[str, Any]
TAGS = ("refusal", "reset-refusal")
UNKNOWN_DEVICE = "00-DB-12-34-56-78-90-FF"  # an EUI-64 the standard world's inventory lacks


@cache
def _base() -> Json:
    """The initial state of an ordinary vector: the standard world, its
    devices logging what the MDRA's 4.8.1 of yesterday's first hours reads."""
    state = sit.base()
    device_id = sit.esme_or("SMETS2", "ESME")
    mdra = sit.sender(state, "MDR", device_id, state.today - ONE_DAY)
    read = SubmitRequest(sit.request(state, mdra, "MDR", "4.8.1", device_id, "true", 1))
    return encode_state(with_device_data(state, [read], run_case(synthetic(state), [read])))


def _state(**parts: Any) -> Json:
    """The base initial state with ``parts`` replaced (a deep copy)."""
    return copy.deepcopy(_base()) | parts


def _profile(**options: Any) -> Json:
    return _state(profile=_base()["profile"] | options)


def _config(**windows: Any) -> Json:
    return _state(config=_base()["config"] | windows)


def _schedule(**changes: Any) -> Json:
    """A DSP Schedule of the Supplier reading the read's ESME daily from today."""
    base = _base()
    schedule = {
        "schedule_id": 1, "owner": base["registrations"][0]["suppliers"][0]["party"], "role": "IS",
        "device_id": sit.esme_or("SMETS2", "ESME"), "srv": "4.8.1", "for_settlement": False,
        "start_day": base["clock"][:10], "end_day": None, "next_run": base["clock"][:10],
    }  # fmt: skip
    return _state(schedules=[schedule | changes])


def _runs(*changes: Json) -> Json:
    """The base device data's first run, changed by each of ``changes`` in turn
    (one run each, in the order given)."""
    first = _base()["device_data"][0]
    return _state(device_data=[first | change for change in changes])


def _overlapping() -> Json:
    """Two runs of one device and SRV, in order, the second starting on the
    first one's last timestamp with another value: that timestamp logged twice."""
    first = _base()["device_data"][0]
    last = parse_instant(first["start"]) + first["interval_s"] * (len(first["values"]) - 1)
    return _runs({}, {"start": format_instant(last), "values": [first["values"][-1] + 1, 7]})


def _more_registration(**changes: Any) -> Json:
    """The base registrations, then a copy of the first with ``changes`` (an
    MPAN no device names: only the registration's own check can refuse it)."""
    registrations = _base()["registrations"]
    return _state(registrations=[*registrations, registrations[0] | changes])


# (slug, the catalogue row of the damaged part, what is damaged, the damaged initial state)
DAMAGES: tuple[tuple[str, str, str, Callable[[], Json]], ...] = (
    ("clock-a-day", "REG-8", "a clock that is a day, not an instant with its UTC offset (no settlement day follows)",
     lambda: _state(clock=_base()["clock"][:10])),
    ("registration-mpan-twelve-digits", "REG-2", "one more registration, of an MPAN of 12 digits",
     lambda: _more_registration(mpan=_base()["registrations"][0]["mpan"][:12])),
    ("profile-value-outside", "REG-12", "a profile whose ETD convention is outside the option's list",
     lambda: _profile(etd="sometimes")),
    ("profile-flag-number", "REG-11", "a profile whose true / false option is the number 1",
     lambda: _profile(supplier_mhhs_via_mdr=1)),
    ("profile-option-unknown", "REG-8", "a profile naming an option the protocol lacks",
     lambda: _profile(settlement_day_start="00:00")),
    ("window-closes-before-open", "SCH-4", "an MDR window that closes before it opens",
     lambda: _config(mdr_window=[72000, 25200])),
    ("window-past-midnight", "SCH-4", "a DSP window that closes after the settlement day's end",
     lambda: _config(dsp_window=[0, 86401])),
    ("window-three-bounds", "SCH-4", "an MDR window of three numbers", lambda: _config(mdr_window=[25200, 72000, 1])),
    ("schedule-device-unknown", "SCH-1", "a DSP Schedule of a device the inventory lacks",
     lambda: _schedule(device_id=UNKNOWN_DEVICE)),
    ("schedule-srv-not-schedulable", "AC-2", "a DSP Schedule of 4.1.1, an SRV that cannot be DCC Scheduled",
     lambda: _schedule(srv="4.1.1")),
    ("device-data-srv-no-log", "C-10", "device data of 8.2, an SRV that logs no entries",
     lambda: _runs({"srv": "8.2"})),
    ("device-data-interval-negative", "C-10", "a run of device data whose interval is -1800 s",
     lambda: _runs({"interval_s": -1800})),
    ("device-data-values-empty", "C-10", "a run of device data with no values", lambda: _runs({"values": []})),
    ("device-data-value-flag", "C-10", "a run of device data logging true, not a number of Wh",
     lambda: _runs({"values": [True]})),
    ("device-data-not-array", "C-10", "device data that is an empty object, not an array of runs",
     lambda: _state(device_data={})),
    ("device-data-overlap", "C-10", "two runs of device data logging one timestamp twice", _overlapping),
)  # fmt: skip


def refusal(initial_state: Any) -> InvalidEvent | None:
    """The reference model's refusal of an initial state (None: it accepts it)."""
    try:
        decode_state(initial_state)
    except InvalidEvent as error:
        return error
    return None


def _outcome(refused: InvalidEvent | None) -> str:
    return "initial state accepted" if refused is None else f"initial state refused ({refused.requirement})"


def _listed(value: Any, values: tuple[Any, ...]) -> bool:
    """``value`` is one of ``values``, of the same JSON type (1 is not true)."""
    return any(type(value) is type(listed) and value == listed for listed in values)


def profile_dependence(initial_state: Any, refused: InvalidEvent) -> Json:
    """``requires`` / ``alternatives``: each option under whose other value the
    model reads the same initial state otherwise (accepts it, or refuses it
    citing another requirement) is required at its value."""
    requires: Json = {}
    alternatives: list[Json] = []
    profile = initial_state.get("profile") if isinstance(initial_state, dict) else None
    if not isinstance(profile, dict):
        return {"requires": requires, "alternatives": alternatives}
    for option in model_options():
        requirement, values = PROFILE_OPTIONS[option]
        current = profile.get(option, values[0])
        for value in values:
            if not _listed(current, values) or value == current:
                continue  # the damaged option itself: no other reading of it
            other = refusal({**initial_state, "profile": {**profile, option: value}})
            if other is not None and other.requirement == refused.requirement:
                continue
            requires[option] = current
            alternatives.append(
                {"option": option, "requirement": requirement, "value": value, "outcome": _outcome(other),
                 "vector": None}
            )  # fmt: skip
    return {"requires": requires, "alternatives": alternatives}


@dataclass(frozen=True)
class RefusedReset:
    """A vector whose initial state the reset must refuse: the id, what it
    checks, the catalogue rows (the damaged part's first), the initial state
    as given and why it is refused."""

    id: str
    comment: str
    requirements: tuple[str, ...]
    initial_state: Any
    why: str
    tags: tuple[str, ...] = TAGS

    def build(self) -> Json:
        """The vector JSON: ``reset_refused`` from the reference model."""
        refused = refusal(self.initial_state)
        if refused is None:
            raise CaseError(f"{self.id}: the model accepts the damaged initial state")
        vector: Json = {
            "id": self.id, "primary_requirement": self.requirements[0], "requirements": sorted(set(self.requirements)),
            "profile": profile_dependence(self.initial_state, refused), "observables": ["refusal"],
            "comment": self.comment, "tags": list(self.tags), "initial_state": self.initial_state,
            "reset_refused": {"field": refused.field, "requirement": refused.requirement, "why": self.why},
            "steps": [],
        }  # fmt: skip
        return vector


def _case(slug: str, requirement: str, what: str, damaged: Callable[[], Json]) -> RefusedReset:
    return RefusedReset(
        f"reset-refusal.{slug}",
        f"{what}: the initial state is refused, and the implementation keeps the state it had",
        (requirement,),
        damaged(),
        what,
    )


def refit(vector: Json, moved: Callable[[Any], Any], text: Callable[[str], str]) -> Json | None:
    """A fresh suite's form of a committed vector of this group: its initial
    state (device data included: the damage may lie there) moved and renamed
    by ``moved``, its words by ``text``, when the model refuses the moved
    state citing the committed requirement; else None (try another shift)."""
    state = moved(vector["initial_state"])
    refused = refusal(state)
    if refused is None or refused.requirement != vector["reset_refused"]["requirement"]:
        return None
    requirements = (vector["primary_requirement"], *vector["requirements"])
    why = text(vector["reset_refused"]["why"])
    fresh = RefusedReset(vector["id"], text(vector["comment"]), requirements, state, why, tuple(vector["tags"]))
    return fresh.build()


def cases() -> list[RefusedReset]:
    return [_case(*damage) for damage in DAMAGES]
