"""The starting points generators use: the standard world of
:mod:`mhhs_sec.model.world` at chosen instants and profiles, and DUIS-form
request ids (``sender:target:counter``) so that every request round-trips
through :mod:`mhhs_sec.vectors.duis` unchanged."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Final

from mhhs_sec.model import Profile, ServiceRequest, State
from mhhs_sec.model.clock import day_start
from mhhs_sec.model.tables import SRVS
from mhhs_sec.model.world import DEVICES_A, DEVICES_B, ROLES_OF, Devices, standard_world
from mhhs_sec.vectors.duis import DSP_TARGET

from .synthetic_meter import SYNTHETIC

# The MDRA change of MPAN_A used by every generator: a day away from both UK
# clock changes unless a case asks for one (REG-8).
CHANGE_DAY: Final = dt.date(2025, 6, 10)
SPRING_CHANGE: Final = dt.date(2025, 3, 30)  # 46 half-hours (REG-8)
AUTUMN_CHANGE: Final = dt.date(2025, 10, 26)  # 50 half-hours (REG-8)


@lru_cache(maxsize=1024)
def world(now: int, change_day: dt.date = CHANGE_DAY, profile: Profile | None = None) -> State:
    """The standard world, its devices logging the synthetic meter's values
    (states are immutable, so shared safely)."""
    return standard_world(now, change_day, profile or Profile(), source=SYNTHETIC)


def users_with(role: str) -> tuple[str, ...]:
    """Users of the standard world holding a role, in a fixed order."""
    return tuple(sorted(user for user, roles in ROLES_OF.items() if role in roles))


def device(devices: Devices, generation: str, kind: str) -> str:
    """The device of an MPAN with this generation and kind."""
    return {
        ("SMETS1", "ESME"): devices.s1_esme, ("SMETS2", "ESME"): devices.s2_esme,
        ("SMETS1", "GSME"): devices.s1_gsme, ("SMETS2", "GSME"): devices.s2_gsme,
    }[(generation, kind)]  # fmt: skip


DEVICE_SETS: Final = {"A": DEVICES_A, "B": DEVICES_B}


def request_id(user_id: str, srv: str, device_id: str, counter: int) -> str:
    """A DUIS RequestID: sender, target (the device, or the DSP for 5.x / 8.2), counter."""
    target = device_id if SRVS[srv].device_request else DSP_TARGET
    return f"{user_id}:{target}:{counter}"


def with_id(request: ServiceRequest, counter: int) -> ServiceRequest:
    """The request with its DUIS-form request id."""
    from dataclasses import replace

    return replace(request, request_id=request_id(request.user_id, request.srv, request.device_id, counter))


def at(day: dt.date, seconds: int = 0, tz: str = "uk") -> int:
    """The instant ``seconds`` after 00:00 of a settlement day."""
    return day_start(day, tz) + seconds
