"""The SEC tables the model is built on, each written exactly once, as data.

Every row names the catalogue requirement it serves and the source table it is
transcribed from.  The executable model (:mod:`mhhs_sec.model`), the Z3
encoding (:mod:`mhhs_sec.proofs`), the vector generators and the
``mhhs-sec rules --json`` output all read these objects; nothing else in the
project repeats the facts they hold.

Sources (see ``../shared/seeds``): 002 = SECMP0162 DCC Preliminary Impact
Assessment (Tables 2, 3, 4); 001 = MP256 Annex A (Appendix AM 18.21-18.24);
004 = MHHS DAG slides (TRT table, level playing field).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Generation = Literal["SMETS1", "SMETS2"]
DeviceKind = Literal["ESME", "GSME"]
Mode = Literal["scheduled", "on-demand"]
Purpose = Literal["existing", "mhhs"]
Granularity = Literal["half-hourly", "daily", "monthly"]
# How often a device logs what an SRV reads: one register read now, a daily log
# (entries at 00:00 UTC, AM 18.21(b)), half-hourly profile data, or no device data.
Cadence = Literal["instant", "daily", "half-hour", "none"]

GENERATIONS: Final[tuple[Generation, ...]] = ("SMETS1", "SMETS2")
MODES: Final[tuple[Mode, ...]] = ("scheduled", "on-demand")
PURPOSES: Final[tuple[Purpose, ...]] = ("existing", "mhhs")
HOUR: Final = 3600


@dataclass(frozen=True, slots=True)
class SrvSpec:
    """One Service Request Variant: what it is called, how DUIS carries it and
    how it may be sent (On Demand / DCC Scheduled) and to which device kinds."""

    srv: str
    name: str
    service_reference: str
    body_element: str
    on_demand: bool
    schedulable: bool
    device_kinds: tuple[DeviceKind, ...]
    cadence: Cadence
    device_request: bool

    @property
    def read_log_period(self) -> bool:
        """Does the request carry a DUIS ReadLogPeriod?"""
        return self.cadence in ("daily", "half-hour")

    source: str


# SRVs the catalogue deals with. On Demand / schedulable follow 002 Table 2 and
# the DUIS request matrix ('DCC Scheduled'); body elements are the DUIS 5.4
# element names; 5.x and 8.2 are DSP-only (non-device) requests.
SRVS: Final[dict[str, SrvSpec]] = {
    s.srv: s
    for s in (
        SrvSpec("4.1.1", "Read Instantaneous Import Registers", "4.1",
                "ReadInstantaneousImportRegisters", True, False, ("ESME", "GSME"), "instant", True,
                "002 Table 2; DUIS matrix"),
        SrvSpec("4.2", "Read Instantaneous Export Registers", "4.2",
                "ReadInstantaneousExportRegisters", True, False, ("ESME",), "instant", True,
                "002 Table 2; DUIS matrix"),
        SrvSpec("4.6.1", "Retrieve Import Daily Read Log", "4.6",
                "RetrieveImportDailyReadLog", True, True, ("ESME", "GSME"), "daily", True,
                "002 Table 2; DUIS matrix; AM 18.21"),
        SrvSpec("4.6.2", "Retrieve Export Daily Read Log", "4.6",
                "RetrieveExportDailyReadLog", True, True, ("ESME",), "daily", True,
                "002 Table 2; DUIS matrix"),
        SrvSpec("4.8.1", "Read Active Import Profile Data", "4.8",
                "ReadActiveImportProfileData", True, True, ("ESME", "GSME"), "half-hour", True,
                "002 Table 2; DUIS matrix; AM 18.22"),
        SrvSpec("4.8.2", "Read Reactive Import Profile Data", "4.8",
                "ReadReactiveImportProfileData", True, True, ("ESME",), "half-hour", True,
                "DUIS matrix; AM 18.23"),
        SrvSpec("4.8.3", "Read Export Profile Data", "4.8",
                "ReadExportProfileData", True, True, ("ESME",), "half-hour", True,
                "002 Table 2; DUIS matrix; AM 18.24"),
        SrvSpec("4.17", "Retrieve Daily Consumption Log", "4.17",
                "RetrieveDailyConsumptionLog", True, True, ("ESME", "GSME"), "daily", True,
                "002 Table 2; DUIS matrix"),
        SrvSpec("5.1", "Create Schedule", "5.1", "CreateSchedule", True, False,
                ("ESME", "GSME"), "none", False, "002 Table 2"),
        SrvSpec("5.2", "Read Schedule", "5.2", "ReadSchedule", True, False,
                ("ESME", "GSME"), "none", False, "002 Table 2"),
        SrvSpec("5.3", "Delete Schedule", "5.3", "DeleteSchedule", True, False,
                ("ESME", "GSME"), "none", False, "002 Table 2"),
        SrvSpec("8.2", "Read Inventory", "8.2", "ReadInventory", True, False,
                ("ESME", "GSME"), "none", False, "002 Table 2; DUIS matrix"),
    )
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class MdrSrv:
    """A row of 002 Table 2: an SRV an MDR user may send (AC-1, AC-2)."""

    srv: str
    requirement: str
    source: str


# AC-1 / AC-2: 002 Table 2 'Valid Service Requests for an MDR User'. Whether each
# may be On Demand or DCC Scheduled is the SrvSpec's on_demand / schedulable.
MDR_SRVS: Final[tuple[MdrSrv, ...]] = tuple(
    MdrSrv(srv, "AC-1", "002 Table 2")
    for srv in ("4.1.1", "4.2", "4.6.1", "4.6.2", "4.8.1", "4.8.3", "4.17",
                "5.1", "5.2", "5.3", "8.2")
)  # fmt: skip
MDR_SRV_IDS: Final[frozenset[str]] = frozenset(r.srv for r in MDR_SRVS)


@dataclass(frozen=True, slots=True)
class TrtRow:
    """A row of 002 Table 3 as printed: seconds per cell, None where N/A.

    Column order follows the table: existing service (SMETS2 scheduled, SMETS2
    on demand, SMETS1 scheduled, SMETS1 on demand), then MHHS service (same).
    """

    srv: str
    existing_s2_sched: int | None
    existing_s2_od: int | None
    existing_s1_sched: int | None
    existing_s1_od: int | None
    mhhs_s2_sched: int | None
    mhhs_s2_od: int | None
    mhhs_s1_sched: int | None
    mhhs_s1_od: int | None


_D = 24 * HOUR  # '24 hrs'
_NA = None
# TRT-1, TRT-2, TRT-5: 002 Table 3 'TRTs for Eligible Users for MHHS data
# retrieval Service Requests', every cell, as printed (before amendment).
TRT_TABLE: Final[tuple[TrtRow, ...]] = (
    TrtRow("4.1.1", _NA, 30, _NA, 16, _NA, _D, _NA, _D),
    TrtRow("4.2", _NA, 30, _NA, 16, _NA, _D, _NA, _D),
    TrtRow("4.6.1", _D, 30, _D, 16, _D, _D, _D, _D),
    TrtRow("4.6.2", _D, 30, _NA, _NA, _D, _D, _NA, _NA),
    TrtRow("4.8.1", _D, 5600, _D, 16, _D, _D, _D, _D),
    TrtRow("4.8.3", _D, 30, _D, 16, _D, _D, _D, _D),
    TrtRow("4.17", _D, 30, _NA, _NA, _D, _D, _NA, _NA),
    TrtRow("5.1", _NA, _D, _NA, _D, _NA, _D, _NA, _D),
    TrtRow("5.2", _NA, _D, _NA, _D, _NA, _D, _NA, _D),
    TrtRow("5.3", _NA, _D, _NA, _D, _NA, _D, _NA, _D),
    TrtRow("8.2", _NA, 30, _NA, 16, _NA, 30, _NA, 16),
)


@dataclass(frozen=True, slots=True)
class TrtAmendment:
    """A cell of Table 3 that the modification itself amends."""

    srv: str
    generation: Generation
    mode: Mode
    purposes: tuple[Purpose, ...]
    trt_s: int
    requirement: str
    source: str


# TRT-3: the SMETS1 16 s TRT of 8.2 is an anomaly, amended to 30 s for all users
# (002 footnote 4; 004 TRT table shows 30 s in every 8.2 cell).
TRT_AMENDMENTS: Final[tuple[TrtAmendment, ...]] = (
    TrtAmendment("8.2", "SMETS1", "on-demand", ("existing", "mhhs"), 30, "TRT-3",
                 "002 Table 3 footnote 4; 004"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class CacheRule:
    """The S1SP data cache: which SRVs it holds and for how long."""

    srvs: tuple[str, ...]
    max_age_s: int
    generation: Generation
    device_kind: DeviceKind
    requirements: tuple[str, ...]
    source: str


# C-1, C-2, C-5: AM 18.21(k), 18.22(h), 18.24(f): SMETS1 ESME only, with an
# active DSP Schedule, 4.6.1 / 4.8.1 / 4.8.3 only, held at most 25 hours.
CACHE: Final = CacheRule(
    srvs=("4.6.1", "4.8.1", "4.8.3"),
    max_age_s=25 * HOUR,
    generation="SMETS1",
    device_kind="ESME",
    requirements=("C-1", "C-2", "C-5"),
    source="001 Annex A: AM 18.21(k), 18.22(h), 18.24(f)",
)


@dataclass(frozen=True, slots=True)
class ConsentRow:
    """A row of 002 Table 4: the SRVs a consent granularity permits."""

    srv: str
    half_hourly: bool
    daily: bool
    monthly: bool


# CON-1..CON-3: 002 Table 4 'Service Requests applicable to Each Level of Data
# Granularity' (a user obligation: the DCC does not validate it, AC-10).
CONSENT_TABLE: Final[tuple[ConsentRow, ...]] = (
    ConsentRow("4.1.1", True, True, True),
    ConsentRow("4.2", True, True, True),
    ConsentRow("4.6.1", True, True, False),
    ConsentRow("4.6.2", True, True, False),
    ConsentRow("4.8.1", True, False, False),
    ConsentRow("4.8.3", True, False, False),
    ConsentRow("4.17", True, True, False),
)
