"""Derived views of the SEC tables: the look-ups the model and the Z3 encoding
both call.  Nothing here states a new fact; each function reads
:mod:`mhhs_sec.model.tables` or :mod:`mhhs_sec.model.duis_matrix`.
"""

from __future__ import annotations

from functools import cache
from typing import Final

from .duis_matrix import PRE_MHHS_ELIGIBILITY
from .tables import (
    CACHE,
    GENERATIONS,
    MDR_SRV_IDS,
    MODES,
    PURPOSES,
    TRT_AMENDMENTS,
    TRT_TABLE,
    Generation,
    Mode,
    Purpose,
    TrtRow,
)

# REG-1: the user roles the model knows; MDR is the role MHHS adds.
ROLES: Final[tuple[str, ...]] = ("IS", "ES", "GS", "ED", "GT", "OU", "RSA", "MDR")
# FS-4: Network Operators (ED, GT) and Other Users never set ForSettlement.
NEVER_FOR_SETTLEMENT: Final[frozenset[str]] = frozenset({"ED", "GT", "OU"})
# AC-5: Eligible Users for MHHS data requests (002 Table 3 header).
MHHS_ELIGIBLE: Final[frozenset[str]] = frozenset({"IS", "ES", "MDR"})
# AC-3 / existing RSA-style check: roles whose device access is checked against
# registration, and which appointment they must hold.
SUPPLIER_ROLES: Final[frozenset[str]] = frozenset({"IS", "ES"})
# REG-10: Remote Party Role on the SMKI organisation certificate, per role.
REMOTE_PARTY_ROLE: Final[dict[str, int]] = {"MDR": 127, "OU": 127}


def role_may_send(role: str, srv: str) -> bool:
    """AC-1 for MDR (002 Table 2); the DUIS request matrix for every other role."""
    if role == "MDR":
        return srv in MDR_SRV_IDS
    return role in PRE_MHHS_ELIGIBILITY.get(srv, frozenset())


def _printed_cell(row: TrtRow, generation: Generation, mode: Mode, purpose: Purpose) -> int | None:
    column = f"{purpose}_{'s1' if generation == 'SMETS1' else 's2'}_{'sched' if mode == 'scheduled' else 'od'}"
    value: int | None = getattr(row, column)
    return value


@cache
def trt_s(srv: str, generation: Generation, mode: Mode, purpose: Purpose) -> int | None:
    """TRT-1, TRT-3: the TRT in seconds of one cell of 002 Table 3 after the
    modification's amendments, or None where the cell is N/A (not available)."""
    for amendment in TRT_AMENDMENTS:
        if (amendment.srv, amendment.generation, amendment.mode) == (srv, generation, mode) and (
            purpose in amendment.purposes
        ):
            return amendment.trt_s
    for row in TRT_TABLE:
        if row.srv == srv:
            return _printed_cell(row, generation, mode, purpose)
    return None


# not mutated: this and trt_cells list Table 3 for the proofs, generators and ``mhhs-sec rules``, never the reference
def trt_srvs() -> tuple[str, ...]:
    """The SRVs that have a row in 002 Table 3, in table order."""
    return tuple(row.srv for row in TRT_TABLE)


# not mutated: as trt_srvs
def trt_cells() -> list[dict[str, object]]:
    """Every cell of Table 3 (after amendment) as plain data, in table order."""
    return [
        {"srv": srv, "generation": g, "mode": m, "purpose": p, "trt_s": trt_s(srv, g, m, p)}
        for srv in trt_srvs()
        for g in GENERATIONS
        for m in MODES
        for p in PURPOSES
    ]


def cacheable(srv: str, generation: str, device_kind: str) -> bool:
    """C-1, C-2 (device part): the S1SP caches only these SRVs, only for a SMETS1
    ESME.  Whether a schedule is active is the caller's part of C-2."""
    return srv in CACHE.srvs and generation == CACHE.generation and (device_kind == CACHE.device_kind)
