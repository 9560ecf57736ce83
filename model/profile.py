"""Interpretation profiles and service configuration.

Each ``interp`` row of the catalogue is one named option of :class:`Profile`,
with the catalogue's default; a run picks one profile, and every response names
the options its outcome depended on (``Response.interp``), so vectors that
depend on an interpretation are tagged with it.

:class:`ServiceConfig` holds what the SEC leaves to each service provider's
configuration (SCH-4 scheduling windows, the retry interval).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from functools import lru_cache
from typing import Any, Final

# option name -> (requirement ID, allowed values, default first)
PROFILE_OPTIONS: Final[dict[str, tuple[str, tuple[Any, ...]]]] = {
    "settlement_tz": ("REG-8", ("uk", "utc")),
    "supplier_mhhs_via_mdr": ("REG-11", (False, True)),
    "etd": ("REG-12", ("inclusive", "exclusive")),
    "partial_period": ("AC-4", ("reject", "authorised-days")),
    "flag_violation": ("FS-5", ("reject", "coerce")),
    "schedules_on_mdra_change": ("SCH-3", ("delete", "keep")),
    "on_demand_first": ("SCH-6", ("not-enforced", "strict")),
    "cache_boundary": ("C-11", ("exclusive", "inclusive")),
    "daily_log_delay_tolerance_s": ("S1-1", (0, 3600)),
    "retrieved_entries": ("C-12", ("never-retrieved", "after-latest")),
    "schedule_active": ("C-13", ("start-to-end", "creation-to-deletion")),
    "mdr_window_scope": ("SCH-8", ("device-reads", "all-mdr-requests")),
    "run_on_efd_reading_before": ("SCH-9", ("answered", "refused")),
    "audit_extract": ("AUD-3", ("requests-and-responses", "responses-only", "with-alerts")),
}


@dataclass(frozen=True, slots=True)
class Profile:
    """The interpretation options of a run (catalogue defaults)."""

    settlement_tz: str = "uk"  # REG-8: 'uk' (Europe/London) or 'utc'
    supplier_mhhs_via_mdr: bool = False  # REG-11: Option 1 of MP162 (off)
    etd: str = "inclusive"  # REG-12: ETD is the last day of the appointment
    partial_period: str = "reject"  # AC-4: reject a partly authorised period
    flag_violation: str = "reject"  # FS-5: reject a ForSettlement violation
    schedules_on_mdra_change: str = "delete"  # SCH-3: delete and alert
    on_demand_first: str = "not-enforced"  # SCH-6: not enforced by the DCC
    cache_boundary: str = "exclusive"  # C-11: expired at exactly 25 h
    daily_log_delay_tolerance_s: int = 0  # S1-1: exact midnight timestamps
    retrieved_entries: str = "never-retrieved"  # C-12: any entry never retrieved before
    schedule_active: str = "start-to-end"  # C-13: active from its start date to its end date
    mdr_window_scope: str = "device-reads"  # SCH-8: 5.x and 8.2 answered at once
    run_on_efd_reading_before: str = "answered"  # SCH-9: checked on the day it reads
    audit_extract: str = "requests-and-responses"  # AUD-3: own requests and their responses

    def __post_init__(self) -> None:
        for f in fields(self):
            requirement, allowed = PROFILE_OPTIONS[f.name]
            value = getattr(self, f.name)
            if f.name == "daily_log_delay_tolerance_s":
                ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
            else:
                ok = value in allowed and type(value) is type(allowed[0])
            if not ok:
                raise ValueError(
                    f"profile option {f.name} ({requirement}) must be one of {list(allowed)}, got {value!r}"
                )

    def tag(self, option: str) -> str:
        """'REQ-ID:option=value', the tag a response or vector carries."""
        return _tag(option, getattr(self, option))

    # not mutated: this and the next two serve the vector loader, the CLI and the proofs, never the reference
    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    # not mutated: as as_dict
    def non_default(self) -> dict[str, Any]:
        default = Profile()
        return {k: v for k, v in self.as_dict().items() if getattr(default, k) != v}

    # not mutated: as as_dict
    def with_options(self, **options: Any) -> Profile:
        unknown = sorted(set(options) - set(PROFILE_OPTIONS))
        if unknown:
            raise ValueError(f"unknown profile option(s) {unknown}; known: {list(PROFILE_OPTIONS)}")
        return replace(self, **options)


@lru_cache(maxsize=256, typed=True)  # typed: True and 1 are different values
def _tag(option: str, value: Any) -> str:
    return f"{PROFILE_OPTIONS[option][0]}:{option}={_text(value)}"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


@dataclass(frozen=True, slots=True)
class Window:
    """A daily scheduling window [open, close) in seconds after local 00:00."""

    open_s: int
    close_s: int

    def __post_init__(self) -> None:
        # SCH-4: a window opens at or after local 00:00 of its day and closes after it opens.
        if not 0 <= self.open_s < self.close_s:
            raise ValueError(f"window must open at or after 00:00 and close after it opens, got {self}")


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    """SCH-4, SCH-5: a service provider's configured windows and retry timing."""

    dsp_window: Window = Window(0, 6 * 3600)  # SCH-4, VOL-4: existing 00:00-06:00
    mdr_window: Window = Window(7 * 3600, 20 * 3600)  # SCH-4, VOL-4: 07:00-20:00
    retry_interval_s: int = 3600  # SCH-5: time between retries of a failed read
