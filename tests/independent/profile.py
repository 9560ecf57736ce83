"""The interpretation options (catalogue ``interp`` rows) a reset asks for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# option -> (catalogue ID, the values this double implements; the default first)
IMPLEMENTED: dict[str, tuple[str, tuple[Any, ...]]] = {
    "settlement_tz": ("REG-8", ("uk", "utc")),
    "supplier_mhhs_via_mdr": ("REG-11", (False, True)),
    "etd": ("REG-12", ("inclusive", "exclusive")),
    "partial_period": ("AC-4", ("reject", "authorised-days")),
    "flag_violation": ("FS-5", ("reject", "coerce")),
    "schedules_on_mdra_change": ("SCH-3", ("delete", "keep")),
    "on_demand_first": ("SCH-6", ("not-enforced", "strict")),
    "cache_boundary": ("C-11", ("exclusive", "inclusive")),
    "daily_log_delay_tolerance_s": ("S1-1", (0,)),
    "retrieved_entries": ("C-12", ("never-retrieved", "after-latest")),
    "schedule_active": ("C-13", ("start-to-end", "creation-to-deletion")),
    "mdr_window_scope": ("SCH-8", ("device-reads", "all-mdr-requests")),
    "run_on_efd_reading_before": ("SCH-9", ("answered", "refused")),
    "audit_extract": ("AUD-3", ("requests-and-responses", "responses-only", "with-alerts")),
}


@dataclass(frozen=True)
class Profile:
    settlement_tz: str
    supplier_mhhs_via_mdr: bool
    etd_inclusive: bool
    authorised_days_only: bool
    coerce_flag: bool
    delete_on_mdra_change: bool
    strict_on_demand_first: bool
    cache_inclusive: bool
    after_latest: bool
    active_from_creation: bool
    hold_all_mdr: bool
    refuse_run_on_efd: bool
    audit_extract: str


def decode_profile(data: dict[str, Any]) -> Profile:
    """Every option a reset names; an option it leaves out takes the catalogue default."""

    def value(option: str) -> Any:
        chosen = data.get(option, IMPLEMENTED[option][1][0])
        if chosen not in IMPLEMENTED[option][1]:
            raise ValueError(f"profile {option}={chosen!r} is not implemented")
        return chosen

    return Profile(
        settlement_tz=value("settlement_tz"),
        supplier_mhhs_via_mdr=value("supplier_mhhs_via_mdr"),
        etd_inclusive=value("etd") == "inclusive",
        authorised_days_only=value("partial_period") == "authorised-days",
        coerce_flag=value("flag_violation") == "coerce",
        delete_on_mdra_change=value("schedules_on_mdra_change") == "delete",
        strict_on_demand_first=value("on_demand_first") == "strict",
        cache_inclusive=value("cache_boundary") == "inclusive",
        after_latest=value("retrieved_entries") == "after-latest",
        active_from_creation=value("schedule_active") == "creation-to-deletion",
        hold_all_mdr=value("mdr_window_scope") == "all-mdr-requests",
        refuse_run_on_efd=value("run_on_efd_reading_before") == "refused",
        audit_extract=value("audit_extract"),
    )


def declared_profiles() -> dict[str, list[Any]]:
    """The ``hello`` profiles: every value implemented, per option."""
    return {option: list(values) for option, (_, values) in IMPLEMENTED.items()}
