"""The SEC tables this double runs on, typed in from the source documents.

002 Table 2 (AC-1, AC-2), 002 Table 3 (TRT-1..TRT-3), 001 Annex A (C-1) and
the DUIS request matrix for the existing roles (``duis_matrix.py``)."""

from __future__ import annotations

from typing import Final

HOUR: Final = 3600
DAY_S: Final = 86400

# AC-1 / AC-2: 002 Table 2, SRV -> may it be DCC Scheduled.
MDR_SRVS: Final[dict[str, bool]] = {
    "4.1.1": False,
    "4.2": False,
    "4.6.1": True,
    "4.6.2": True,
    "4.8.1": True,
    "4.8.3": True,
    "4.17": True,
    "5.1": False,
    "5.2": False,
    "5.3": False,
    "8.2": False,
}

SCHEDULE_SRVS: Final = frozenset({"5.1", "5.2", "5.3"})
INSTANT_SRVS: Final = frozenset({"4.1.1", "4.2"})
DAILY_LOG_SRVS: Final = frozenset({"4.6.1", "4.6.2", "4.17"})
PROFILE_LOG_SRVS: Final = frozenset({"4.8.1", "4.8.2", "4.8.3"})
LOG_SRVS: Final = DAILY_LOG_SRVS | PROFILE_LOG_SRVS
READ_SRVS: Final = LOG_SRVS | INSTANT_SRVS

# C-1: the SRVs the S1SP caches (AM 18.21(k), 18.22(h), 18.24(f)).
CACHED_SRVS: Final = frozenset({"4.6.1", "4.8.1", "4.8.3"})

# SRVs that only concern electricity (export, reactive): docs/rules.md, device kinds.
ELECTRICITY_ONLY_SRVS: Final = frozenset({"4.2", "4.6.2", "4.8.2", "4.8.3"})

# TRT-1: 002 Table 3.  SRV -> column -> seconds, None = N/A.  Columns are
# (service, generation, mode): service "existing" | "mhhs".
Cell = tuple[str, str, str]
_COLUMNS: Final[tuple[Cell, ...]] = tuple(
    (service, generation, mode)
    for service in ("existing", "mhhs")
    for generation in ("SMETS2", "SMETS1")
    for mode in ("scheduled", "on-demand")
)
_NA = None
_H24 = 24 * HOUR
_ROWS: Final[dict[str, tuple[int | None, ...]]] = {
    "4.1.1": (_NA, 30, _NA, 16, _NA, _H24, _NA, _H24),
    "4.2": (_NA, 30, _NA, 16, _NA, _H24, _NA, _H24),
    "4.6.1": (_H24, 30, _H24, 16, _H24, _H24, _H24, _H24),
    "4.6.2": (_H24, 30, _NA, _NA, _H24, _H24, _NA, _NA),
    "4.8.1": (_H24, 5600, _H24, 16, _H24, _H24, _H24, _H24),
    "4.8.3": (_H24, 30, _H24, 16, _H24, _H24, _H24, _H24),
    "4.17": (_H24, 30, _NA, _NA, _H24, _H24, _NA, _NA),
    "5.1": (_NA, _H24, _NA, _H24, _NA, _H24, _NA, _H24),
    "5.2": (_NA, _H24, _NA, _H24, _NA, _H24, _NA, _H24),
    "5.3": (_NA, _H24, _NA, _H24, _NA, _H24, _NA, _H24),
    # TRT-3: the SMETS1 16 s anomaly is amended to 30 s (002 footnote 4).
    "8.2": (_NA, 30, _NA, 30, _NA, 30, _NA, 30),
}
TABLE_3: Final[dict[str, dict[Cell, int | None]]] = {
    srv: dict(zip(_COLUMNS, row, strict=True)) for srv, row in _ROWS.items()
}


def in_table_3(srv: str) -> bool:
    return srv in TABLE_3


def cell_available(srv: str, generation: str, mode: str, mhhs: bool) -> bool:
    """TRT-1: is the Table 3 cell for this request not N/A?"""
    if srv not in TABLE_3:
        return not mhhs
    return TABLE_3[srv][("mhhs" if mhhs else "existing", generation, mode)] is not None


def trt_s(srv: str, generation: str, mode: str, mhhs: bool) -> int | None:
    """TRT-1, TRT-2, TRT-3: the target response time of an answered request;
    none for an SRV with no Table 3 row (docs/rules.md, "Target Response Times")."""
    if srv in TABLE_3:
        return TABLE_3[srv][("mhhs" if mhhs else "existing", generation, mode)]
    return None


def schedulable(srv: str) -> bool:
    """AC-2 / SCH-7: may the SRV be DCC Scheduled (Table 3 has a Scheduled cell)?"""
    row = TABLE_3.get(srv)
    if row is None:
        return srv in LOG_SRVS
    return any(row[cell] is not None for cell in row if cell[2] == "scheduled")
