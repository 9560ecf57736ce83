"""Reading an initial state before it is loaded (adapter protocol, section 2,
"Refusing an initial state"): the parts' JSON shapes (reset.schema.json), the
profile's options and their values (docs/rules.md, "Interpretation
options"), the scheduling windows (SCH-4), the device data runs (only SRVs
that log, an interval of at least 1 s, integer values, no timestamp twice).
What the users, registrations and devices hold is refused as the events that
load them are (system.py); a schedule's device and SRV are checked once the
inventory is loaded (:func:`check_schedule`)."""

from __future__ import annotations

from typing import Any, Final

from .clock import parse_instant
from .errors import Refused
from .reading import DAY, INSTANT, Shape, check_shape
from .tables import schedulable

PATH: Final = "initial_state"
_STATE: Final[Shape] = (
    {"clock": INSTANT, "profile": dict, "users": list, "registrations": list, "devices": list},
    {"config": dict, "schedules": list, "device_data": list},
)
_CONFIG: Final[Shape] = ({"dsp_window": list, "mdr_window": list, "retry_interval_s": int}, {})
_SCHEDULE: Final[Shape] = (
    {"schedule_id": int, "owner": str, "role": str, "device_id": str, "srv": str, "for_settlement": bool,
     "start_day": DAY, "next_run": DAY},
    {"end_day": DAY},
)  # fmt: skip
_RUN: Final[Shape] = ({"device_id": str, "srv": str, "start": INSTANT, "interval_s": int, "values": list}, {})
# The SRVs whose device data a run may log: the log reads and the instantaneous
# registers (docs/vector-format.md, "Device data"; never 5.x or 8.2).
LOGGED_SRVS: Final = frozenset({"4.1.1", "4.2", "4.6.1", "4.6.2", "4.8.1", "4.8.2", "4.8.3", "4.17"})
# Every option's values (docs/rules.md, "Interpretation options"); S1-1's
# tolerance is any whole number of seconds, 0 or more.
OPTION_VALUES: Final[dict[str, tuple[Any, ...]]] = {
    "settlement_tz": ("uk", "utc"),
    "supplier_mhhs_via_mdr": (False, True),
    "etd": ("inclusive", "exclusive"),
    "partial_period": ("reject", "authorised-days"),
    "flag_violation": ("reject", "coerce"),
    "schedules_on_mdra_change": ("delete", "keep"),
    "on_demand_first": ("not-enforced", "strict"),
    "cache_boundary": ("exclusive", "inclusive"),
    "retrieved_entries": ("never-retrieved", "after-latest"),
    "schedule_active": ("start-to-end", "creation-to-deletion"),
    "mdr_window_scope": ("device-reads", "all-mdr-requests"),
    "run_on_efd_reading_before": ("answered", "refused"),
    "audit_extract": ("requests-and-responses", "responses-only", "with-alerts"),
}
TOLERANCE: Final = "daily_log_delay_tolerance_s"
DAY_S: Final = 86400


def read_initial_state(state: Any) -> None:
    """Refuse an initial state the protocol cannot read, part by part."""
    check_shape(state, _STATE, PATH)
    _read_profile(state["profile"])
    if state.get("config") is not None:
        _read_config(state["config"])
    for index, schedule in enumerate(state.get("schedules") or []):
        check_shape(schedule, _SCHEDULE, f"{PATH}.schedules[{index}]")
    _read_device_data(state.get("device_data") or [])


def _same(value: Any, listed: Any) -> bool:
    return type(value) is type(listed) and value == listed


def _read_profile(profile: dict[str, Any]) -> None:
    unknown = set(profile) - set(OPTION_VALUES) - {TOLERANCE}
    if unknown:
        raise Refused(f"{PATH}.profile", "INPUT", f"{len(unknown)} option(s) the protocol does not define")
    for option, value in profile.items():
        if option == TOLERANCE:
            ok = type(value) is int and value >= 0
        else:
            ok = any(_same(value, listed) for listed in OPTION_VALUES[option])
        if not ok:
            raise Refused(f"{PATH}.profile.{option}", "INPUT", "a value outside the option's list")


def _read_config(config: dict[str, Any]) -> None:
    check_shape(config, _CONFIG, f"{PATH}.config")
    for name in ("dsp_window", "mdr_window"):
        window = config[name]
        bounds = len(window) == 2 and all(type(bound) is int for bound in window)
        # SCH-4: [open_s, close_s], seconds after local 00:00, closing on the day it opens.
        if not bounds or not 0 <= window[0] < window[1] <= DAY_S:
            raise Refused(f"{PATH}.config.{name}", "SCH-4", "a window is [open_s, close_s], 0 <= open < close <= 86400")


def _read_device_data(runs: list[Any]) -> None:
    logged: dict[tuple[str, str], set[int]] = {}
    for index, run in enumerate(runs):
        path = f"{PATH}.device_data[{index}]"
        check_shape(run, _RUN, path)
        if run["srv"] not in LOGGED_SRVS:
            raise Refused(f"{path}.srv", "INPUT", "an SRV that logs no entries")
        if run["interval_s"] < 1:
            raise Refused(f"{path}.interval_s", "INPUT", "an interval below 1 s")
        values = run["values"]
        if not values or not all(type(value) is int for value in values):
            raise Refused(f"{path}.values", "INPUT", "values are a non-empty list of integers")
        start, stamps = parse_instant(run["start"]), logged.setdefault((run["device_id"], run["srv"]), set())
        run_stamps = {start + i * run["interval_s"] for i in range(len(values))}
        if stamps & run_stamps:
            raise Refused(f"{PATH}.device_data", "INPUT", "two runs log one timestamp of a device and SRV")
        stamps |= run_stamps


def check_schedule(schedule: dict[str, Any], index: int, devices: set[str]) -> None:
    """A DSP Schedule of the initial state targets a device of the inventory
    (SCH-1) and an SRV that may be DCC Scheduled (AC-2)."""
    if schedule["device_id"] not in devices:
        raise Refused(f"{PATH}.schedules[{index}].device_id", "SCH-1", "a device the inventory lacks")
    if not schedulable(schedule["srv"]):
        raise Refused(f"{PATH}.schedules[{index}].srv", "AC-2", "an SRV that cannot be DCC Scheduled")
