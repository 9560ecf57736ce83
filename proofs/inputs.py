"""The encoding's inputs: the SEC tables as the Z3 encoding consumes them.

Everything here is read from :mod:`mhhs_sec.model.tables` /
:mod:`mhhs_sec.model.rules` / :mod:`mhhs_sec.model.duis_matrix` by iterating
the data; nothing is transcribed.  A seeded fault (:mod:`.mutants`) is a
modified copy of an :class:`Inputs` (a table edited, or a :class:`Faults` flag
set), so the encoding under test and the faulty one are built by one builder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Final

from mhhs_sec.model import world
from mhhs_sec.model.outputs import CODES
from mhhs_sec.model.profile import ServiceConfig
from mhhs_sec.model.rules import (
    MHHS_ELIGIBLE,
    NEVER_FOR_SETTLEMENT,
    ROLES,
    SUPPLIER_ROLES,
    role_may_send,
    trt_s,
)
from mhhs_sec.model.tables import CACHE, GENERATIONS, MDR_SRV_IDS, MODES, PURPOSES, SRVS

# The abstraction's parties: the standard world's Supplier, the outgoing and the
# incoming MDRA of MPAN_A, a Network Operator and an Other User.
PARTIES: Final[tuple[str, ...]] = (
    world.SUPPLIER,
    world.MDR_OUT,
    world.MDR_IN,
    world.NETWORK_OPERATOR,
    world.OTHER_USER,
)
SUP, OUT, IN = 0, 1, 2
KINDS: Final[tuple[str, ...]] = ("ESME", "GSME")
SRV_IDS: Final[tuple[str, ...]] = tuple(SRVS)
CODE_IDS: Final[tuple[str, ...]] = tuple(CODES)
CADENCE_STEP: Final[dict[str, int]] = {"daily": 86400, "half-hour": 1800}


@dataclass(frozen=True)
class Faults:
    """Seeded faults that live in the transition rather than in a table."""

    cache_ttl_s: int | None = None  # C-5: a different cache lifetime
    efd_inclusive_for_outgoing: bool = False  # REG-4: '<=' for '<' at the EFD
    access_days_utc: bool = False  # REG-8: UTC midnight instead of UK midnight in access control
    change_at_utc_midnight: bool = False  # REG-3: MDRA change at UTC midnight
    cache_before_access: bool = False  # C-7: the cache answers before access control
    flag_unchecked: bool = False  # FS-2/FS-4: the ForSettlement flag not checked
    skip_ac6: bool = False  # AC-6: MDR 4.1.1 allowed on SMETS2
    skip_ac7: bool = False  # AC-7: MDR requests to a GSME allowed
    supplier_fast_trt: bool = False  # TRT-2: a Supplier's MHHS request gets the existing TRT
    keep_schedules: bool = False  # SCH-3: outgoing MDRA schedules kept at the EFD
    keep_cache_on_delete: bool = False  # C-6: cache kept when the schedule is removed
    keep_cache_while_scheduled: bool = False  # C-6: ... while another schedule for the SRV remains
    skip_registration_check: bool = False  # REG-5: registration accepted with a gap
    cache_any_generation: bool = False  # C-2: SMETS2 responses cached too
    restamp_on_hit: bool = False  # C-5: a cache hit re-stamps the entry's retrieval time
    first_change_only: bool = False  # SCH-3: only the first MDRA change of a chain takes effect
    kept_decision: bool = False  # SCH-4, SCH-5: queued work executes on the decision that queued it


@dataclass(frozen=True)
class Inputs:
    """Tables and configuration the encoding is built from (see module doc)."""

    mdr_srvs: frozenset[str]
    eligibility: dict[tuple[str, str], bool]  # (role, srv) -> may send (AC-1 / DUIS matrix)
    trt: dict[tuple[str, str, str, str], int | None]  # (srv, generation, mode, purpose) -> seconds
    trt_srvs: frozenset[str]
    cache_srvs: tuple[str, ...]
    cache_max_age_s: int
    cache_generation: str
    cache_kind: str
    config: ServiceConfig
    faults: Faults = field(default_factory=Faults)

    def may_send(self, role: str, srv: str) -> bool:
        if role == "MDR":
            return srv in self.mdr_srvs
        return self.eligibility[(role, srv)]


@cache
def reference_inputs() -> Inputs:
    """The inputs read from the model's tables (no fault)."""
    trt: dict[tuple[str, str, str, str], int | None] = {
        (s, g, m, p): trt_s(s, g, m, p) for s in SRV_IDS for g in GENERATIONS for m in MODES for p in PURPOSES
    }
    return Inputs(
        mdr_srvs=frozenset(MDR_SRV_IDS),
        eligibility={(r, s): role_may_send(r, s) for r in ROLES for s in SRV_IDS if r != "MDR"},
        trt=trt,
        trt_srvs=frozenset(s for s in SRV_IDS if trt[(s, "SMETS2", "on-demand", "existing")] is not None),
        cache_srvs=tuple(CACHE.srvs),
        cache_max_age_s=CACHE.max_age_s,
        cache_generation=CACHE.generation,
        cache_kind=CACHE.device_kind,
        config=ServiceConfig(),
    )


def role_of_party(party: int) -> frozenset[str]:
    """The roles the standard world gives a party (REG-7)."""
    roles: frozenset[str] = world.ROLES_OF[PARTIES[party]]
    return roles


__all__ = [
    "CADENCE_STEP",
    "CODE_IDS",
    "IN",
    "KINDS",
    "MHHS_ELIGIBLE",
    "NEVER_FOR_SETTLEMENT",
    "OUT",
    "PARTIES",
    "ROLES",
    "SRV_IDS",
    "SUP",
    "SUPPLIER_ROLES",
    "Faults",
    "Inputs",
    "reference_inputs",
    "role_of_party",
]
