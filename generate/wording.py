"""What a vector checks, in the words of the SEC: the one requirement each
MC/DC case is built to check and its comment, read from the concrete inputs
of the case (the truth values of the decision's conditions stay in the
vector's ``coverage``, for the coverage report).  A reader who knows the SEC,
not the generator, understands the comment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from mhhs_sec.model.profile import ServiceConfig
from mhhs_sec.model.tables import CACHE
from mhhs_sec.vectors.story import duration

Values = dict[str, Any]

# The condition of a decision that a case flips -> the requirement that pair
# checks, where it is not the decision's first one (the rule it mirrors).
PRIMARY_BY_CONDITION: Final[dict[tuple[str, str], str]] = {
    ("user", "holds_role"): "REG-7",
    ("srv-allowed", "role_srv_in_duis_matrix"): "AC-11",
    ("flag", "role_never_for_settlement"): "FS-4",
    ("flag", "coerce_option"): "FS-5",
    ("flag", "via_mdr_option"): "REG-11",
    ("flag", "role_eligible"): "AC-5",
    ("device", "device_is_esme"): "AC-7",
    ("device", "role_is_mdr"): "AC-7",
    ("device", "srv_applies_to_kind"): "AC-11",
    ("device", "trt_cell_available"): "AC-8",
    ("device", "srv_in_table_3"): "TRT-2",
    ("device", "flag_true"): "TRT-2",
    ("registration", "authorised_days_option"): "AC-4",
    ("registration", "some_day_authorised"): "AC-4",
    ("cache-hit", "srv_cached"): "C-1",
    ("cache-hit", "device_is_smets1"): "C-2",
    ("cache-hit", "device_is_esme"): "C-2",
    ("cache-hit", "schedule_exists"): "C-2",
    ("cache-hit", "schedule_started"): "C-13",
    ("cache-hit", "creation_option"): "C-13",
    ("cache-age", "age_at_25h"): "C-11",
    ("cache-age", "inclusive_option"): "C-11",
    ("retry", "retry_inside_mdr_window"): "SCH-4",
    ("run-day", "read_day_authorised"): "AC-3",
}


def mcdc_primary(decision: str, requirements: tuple[str, ...], condition: str) -> str:
    """The requirement an MC/DC pair checks: its condition's, else the decision's first."""
    return PRIMARY_BY_CONDITION.get((decision, condition), requirements[0])


def time_of_day(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def flag_words(flag: str) -> str:
    """A request's ForSettlement flag ('true', 'false', 'absent') in words."""
    return {"true": "flagged ForSettlement", "false": "with ForSettlement = false"}.get(flag, "unflagged")


def _flag(v: Values) -> str:
    return flag_words(v.get("flag", ""))


def atom_words(atom: str) -> str:
    """A walk's coverage atom ('response:E4:4.8.1:on-demand', 'cache-hit:4.8.1:scheduled',
    'held-then-answered:I0', 'alert:...', 'audit:records', 'acknowledgement') in words."""
    kind, _, rest = atom.partition(":")
    parts = rest.split(":")
    if kind == "response":
        return f"response {parts[0]} to {parts[1]} sent {parts[2]}"
    if kind == "cache-hit":
        return f"{parts[0]} sent {parts[1]} answered from the S1SP cache"
    if kind == "held-then-answered":
        return f"a request held until the MDR window opens, then answered {parts[0]}"
    if kind == "alert":
        return f"alert {parts[0]}"
    if kind == "audit":
        return f"an audit extract with {'records' if parts[0] == 'records' else 'no record'}"
    return "a request held for later execution (I99)" if kind == "acknowledgement" else atom


def _user(v: Values, ok: bool) -> str:
    who = "a known user" if v["known_user"] else "a user the DCC does not know"
    holds = "holding" if v["holds_role"] else "not holding"
    return f"{who} {holds} the {v['role']} role sends {v['srv']}: " + ("accepted" if ok else "refused (E1)")


def _srv_allowed(v: Values, ok: bool) -> str:
    head = f"{v['role']} sends {v['srv']} {_flag(v)}"
    return f"{head}: " + ("accepted" if ok else f"refused (E2): {v['role']} may not send {v['srv']}")


def _flag_case(v: Values, ok: bool) -> str:
    options = []
    if v["coerce"]:
        options.append("FS-5 option: a wrong flag is coerced")
    if v["via_mdr"]:
        options.append("REG-11 option: Suppliers send MHHS requests as MDR only")
    head = f"{v['role']} sends {v['srv']} {_flag(v)}" + (f" ({'; '.join(options)})" if options else "")
    return f"{head}: " + ("answered" if ok else "refused for its ForSettlement flag")


def _device(v: Values, ok: bool) -> str:
    head = f"{v['role']} sends {v['srv']} {_flag(v)} to a {v['gen']} {v['kind']}"
    return f"{head}: " + ("accepted" if ok else "refused (E11): not a request this device takes from this sender")


def _registration(v: Values, ok: bool) -> str:
    days = "all" if v["all_days"] else ("some" if v["some_day"] else "none")
    option = " (AC-4 option: only the authorised days answered)" if v["partial_option"] else ""
    head = f"an MDR reads {v['srv']} over days of which {days} fall in its MDRA appointment{option}"
    return f"{head}: " + ("answered" if ok else "refused (E4)")


def _schedule_first(v: Values, ok: bool) -> str:
    own = "with" if v["own_schedule"] else "without"
    option = " (SCH-6 option 'strict': the DCC enforces schedules first)" if v["strict"] else ""
    head = f"a Supplier sends {v['srv']} {v['mode']} {_flag(v)}, {own} its own DSP Schedule{option}"
    return f"{head}: " + ("accepted" if ok else "refused (MHHS-E5): read a new data set with a schedule first")


def _cache_hit(v: Values, ok: bool) -> str:
    if not v["schedule"]:
        schedule = "no DSP Schedule"
    elif v["started"]:
        schedule = "an active DSP Schedule"
    else:
        schedule = "a DSP Schedule not started yet" + (" (C-13 option: active from creation)" if v["creation"] else "")
    head = f"the same {v['srv']} data is read twice from a {v['gen']} {v['kind']} with {schedule}"
    return f"{head}: " + (
        "the second read is served from the S1SP cache" if ok else "the second read goes to the device"
    )


def _cache_age(v: Values, ok: bool) -> str:
    option = " (C-11 option: still served at exactly 25 h)" if v["inclusive"] else ""
    head = f"an entry of {v['srv']} cached {duration(v['age_s'])} ago is read again{option}"
    return f"{head}: " + ("served from the cache" if ok else "no longer served; the device is read")


def _window(v: Values, ok: bool) -> str:
    window = ServiceConfig().mdr_window
    head = (f"{v['role']} sends {v['srv']} at {time_of_day(v['time_of_day_s'])} (MDR window "
            f"{time_of_day(window.open_s)[:5]}-{time_of_day(window.close_s)[:5]})")  # fmt: skip
    return f"{head}: " + ("answered at once" if ok else "held until the MDR window opens (I99)")


def _retry(v: Values, ok: bool) -> str:
    retry_at = v["time_of_day_s"] + ServiceConfig().retry_interval_s
    head = f"a {v['role']} {v['srv']} read {_flag(v)} fails; its retry would be at {time_of_day(retry_at % 86400)}"
    if retry_at >= 86400:
        head += " the next day"
    return f"{head}: " + ("retried" if ok else "not retried: the read fails at once")


def _schedule_owner(v: Values, ok: bool) -> str:
    whose = "its own" if v["owner"] else "another user's"
    return f"a user sends {v['srv']} naming {whose} DSP Schedule: " + ("answered" if ok else "refused (MHHS-E8)")


def _mdra_change(v: Values, ok: bool) -> str:
    owner = "the outgoing MDRA" if v["outgoing"] else "the incoming MDRA"
    where = "on the MPAN changing MDRA" if v["on_mpan"] else "on another MPAN"
    option = "deleted" if v["delete"] else "kept (SCH-3 option)"
    head = f"at the EFD, a DSP Schedule of {owner} made as {'MDR' if v['mdr_role'] else 'IS'} {where} (rule: {option})"
    return f"{head}: " + ("deleted and its owner alerted" if ok else "kept")


def _run_day(v: Values, ok: bool) -> str:
    who = "the incoming MDRA (run on or after the EFD)" if v["run_day"] else "the outgoing MDRA (run before the EFD)"
    day = "a day it is MDRA for" if v["read_day"] else "a day it is not MDRA for"
    option = " (SCH-9 option: refused, the run day is targeted)" if v["refused"] else ""
    return f"a DSP Schedule run of {who} reads {day}{option}: " + ("answered" if ok else "refused (E4)")


DESCRIBE: Final[dict[str, Callable[[Values, bool], str]]] = {
    "user": _user, "srv-allowed": _srv_allowed, "flag": _flag_case, "device": _device,
    "registration": _registration, "schedule-first": _schedule_first, "cache-hit": _cache_hit,
    "cache-age": _cache_age, "mdr-window-open": _window, "mdr-window-close": _window, "retry": _retry,
    "schedule-owner": _schedule_owner, "mdra-change": _mdra_change, "run-day": _run_day,
}  # fmt: skip


def mcdc_comment(decision: str, inputs: Values, first_outcome: bool) -> str:
    """The comment of an MC/DC case: the situation and what the SEC makes of
    it (``first_outcome``: the decision's first outcome name holds)."""
    return DESCRIBE[decision](inputs, first_outcome)


def cache_age_text(bucket: str, age_s: int) -> str:
    """How old the cached entry a class reads is, and what C-5 / C-11 make of it."""
    if bucket == "none":
        return "nothing is cached"
    if bucket == "fresh":
        return f"the Supplier's read cached it {duration(age_s)} before: still served from the cache (C-4)"
    if age_s == CACHE.max_age_s:
        return "the Supplier's read cached it exactly 25 h before: expired, the device is read (C-11)"
    return f"the Supplier's read cached it {duration(age_s)} before: no longer served, the device is read (C-5)"
