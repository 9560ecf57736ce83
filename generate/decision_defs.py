"""The decisions the boundary generator covers, each mirroring one check of
the model (the file and function named in ``source``), with its conditions
over the Z3 relations of :mod:`.decisions`."""

from __future__ import annotations

from typing import Final

import z3
from mhhs_sec.model.profile import ServiceConfig
from mhhs_sec.model.rules import MHHS_ELIGIBLE, NEVER_FOR_SETTLEMENT, SUPPLIER_ROLES
from mhhs_sec.model.tables import CACHE, MDR_SRV_IDS, SRVS

from .decisions import (
    Inputs,
    device_read_srv,
    flag_is,
    flag_well_formed,
    in_pre_mhhs_matrix,
    in_trt_table,
    is_cache_srv,
    kind_ok,
    may_send,
    role_in,
    sorts,
    srv_where,
    trt_available,
)
from .mcdc import Conditions, Decision

DAY_S: Final = 86400
CONFIG: Final = ServiceConfig()


def _on_demand(i: Inputs) -> z3.BoolRef:
    return i.mode == sorts().modes["on-demand"]


def _simple_request(i: Inputs) -> z3.BoolRef:
    """A request every concretiser can build: a device read or an 8.2, to a
    device kind and cell that exist."""
    return z3.And(
        z3.Or(device_read_srv(i), srv_where(i, lambda v: v == "8.2")),
        kind_ok(i), z3.Implies(in_trt_table(i), trt_available(i)), _on_demand(i),
    )  # fmt: skip


def _abs(x: z3.ArithRef) -> z3.ArithRef:
    return z3.If(x >= 0, x, -x)


# ---- E1: REG-1, REG-7 (access.check_user) ---------------------------------------


def _user_conditions(i: Inputs) -> Conditions:
    return {"known_user": i.bool("known_user"), "holds_role": i.bool("holds_role")}


USER = Decision(
    "user", ("REG-1", "REG-7"), _user_conditions,
    lambda i, c: z3.And(c["known_user"], c["holds_role"]),
    lambda i: z3.And(_simple_request(i), may_send(i), flag_well_formed(i)),
    ("accepted", "E1"), source="model/access.py check_user",
)  # fmt: skip


# ---- E2: AC-1, AC-5 (access.check_srv_allowed) --------------------------------


def _srv_conditions(i: Inputs) -> Conditions:
    return {
        "role_is_mdr": role_in(i, {"MDR"}),
        "srv_in_mdr_table": srv_where(i, lambda v: v in MDR_SRV_IDS),
        "role_srv_in_duis_matrix": in_pre_mhhs_matrix(i),
    }


SRV_ALLOWED = Decision(
    "srv-allowed", ("AC-1", "AC-5"), _srv_conditions,
    lambda i, c: z3.Or(z3.And(c["role_is_mdr"], c["srv_in_mdr_table"]),
                       z3.And(z3.Not(c["role_is_mdr"]), c["role_srv_in_duis_matrix"])),
    lambda i: z3.And(_simple_request(i), flag_well_formed(i)),
    ("accepted", "E2"), source="model/access.py check_srv_allowed; model/rules.py role_may_send",
)  # fmt: skip


# ---- FS-2, FS-4, FS-5, AC-5, REG-11 (access.check_flag) ---------------------------


def _flag_conditions(i: Inputs) -> Conditions:
    return {
        "role_is_mdr": role_in(i, {"MDR"}),
        "flag_true": flag_is(i, "true"),
        "role_never_for_settlement": role_in(i, NEVER_FOR_SETTLEMENT),
        "role_eligible": role_in(i, MHHS_ELIGIBLE),
        "role_supplier": role_in(i, SUPPLIER_ROLES),
        "coerce_option": i.bool("coerce"),
        "via_mdr_option": i.bool("via_mdr"),
    }


def _flag_outcome(i: Inputs, c: Conditions) -> z3.BoolRef:
    ft = c["flag_true"]
    return z3.If(
        z3.And(c["role_is_mdr"], z3.Not(ft)), c["coerce_option"],
        z3.If(z3.And(c["role_never_for_settlement"], ft), c["coerce_option"],
              z3.If(z3.And(ft, z3.Not(c["role_eligible"])), z3.BoolVal(False),
                    z3.If(z3.And(ft, c["role_supplier"]), z3.Not(c["via_mdr_option"]), z3.BoolVal(True)))),
    )  # fmt: skip


FLAG = Decision(
    "flag", ("FS-2", "FS-4", "FS-5", "AC-5", "REG-11"), _flag_conditions, _flag_outcome,
    lambda i: z3.And(_simple_request(i), may_send(i)),
    ("accepted", "MHHS-E1/E2/E4"), source="model/access.py check_flag",
)  # fmt: skip


# ---- E11: AC-6, AC-7, AC-8, TRT-1, TRT-2 (access.check_device) --------------------


def _device_conditions(i: Inputs) -> Conditions:
    s = sorts()
    return {
        "role_is_mdr": role_in(i, {"MDR"}),
        "device_is_esme": i.kind == s.kinds["ESME"],
        "srv_is_4_1_1": i.srv == s.srvs["4.1.1"],
        "device_is_smets1": i.gen == s.gens["SMETS1"],
        "srv_applies_to_kind": kind_ok(i),
        "trt_cell_available": z3.Or(z3.Not(in_trt_table(i)), trt_available(i)),
        "flag_true": flag_is(i, "true"),
        "srv_in_table_3": in_trt_table(i),
    }


DEVICE = Decision(
    "device", ("AC-6", "AC-7", "AC-8", "TRT-1", "TRT-2"), _device_conditions,
    lambda i, c: z3.And(
        z3.Not(z3.And(c["role_is_mdr"], z3.Not(c["device_is_esme"]))),
        z3.Not(z3.And(c["role_is_mdr"], c["srv_is_4_1_1"], z3.Not(c["device_is_smets1"]))),
        c["srv_applies_to_kind"], c["trt_cell_available"],
        # TRT-1, TRT-2: an MHHS request for an SRV with no row in Table 3 has no MHHS service.
        z3.Not(z3.And(c["flag_true"], z3.Not(c["srv_in_table_3"]))),
    ),
    lambda i: z3.And(device_read_srv(i), may_send(i), flag_well_formed(i), _on_demand(i)),
    ("accepted", "E11"), source="model/access.py check_device",
)  # fmt: skip


# ---- E4: AC-3, AC-4, REG-4 (access.check_registration) ----------------------------


def _registration_conditions(i: Inputs) -> Conditions:
    # AC-11: which existing roles are checked, and against what, is the model's
    # approximation, so the decision is taken for the MDR check (AC-3) alone.
    return {
        "all_days_authorised": i.bool("all_days"),
        "some_day_authorised": i.bool("some_day"),
        "authorised_days_option": i.bool("partial_option"),
    }


REGISTRATION = Decision(
    "registration", ("AC-3", "AC-4", "REG-4"), _registration_conditions,
    lambda i, c: z3.Or(c["all_days_authorised"], z3.And(c["some_day_authorised"], c["authorised_days_option"])),
    lambda i: z3.And(z3.Implies(i.bool("all_days"), i.bool("some_day")), role_in(i, {"MDR"})),
    ("accepted", "E4"), source="model/access.py check_registration",
)  # fmt: skip


# ---- MHHS-E5: SCH-6 (access.check_schedule_first) ---------------------------------


def _first_conditions(i: Inputs) -> Conditions:
    return {
        "strict_option": i.bool("strict"),
        "on_demand": _on_demand(i),
        "flag_true": flag_is(i, "true"),
        "data_read": srv_where(i, lambda v: SRVS[v].read_log_period),
        "own_schedule": i.bool("own_schedule"),
    }


SCHEDULE_FIRST = Decision(
    "schedule-first", ("SCH-6",), _first_conditions,
    lambda i, c: z3.Not(z3.And(c["strict_option"], c["on_demand"], c["flag_true"], c["data_read"],
                               z3.Not(c["own_schedule"]))),
    lambda i: z3.And(
        role_in(i, {"IS"}), may_send(i), kind_ok(i), srv_where(i, lambda v: v != "5.1"),
        i.kind == sorts().kinds["ESME"], i.gen == sorts().gens["SMETS1"],
        trt_available(i), z3.Not(flag_is(i, "absent")),
        z3.Implies(z3.Not(_on_demand(i)), z3.And(i.bool("own_schedule"), srv_where(i, lambda v: SRVS[v].schedulable))),
    ),
    ("accepted", "MHHS-E5"), source="model/access.py check_schedule_first",
)  # fmt: skip


# ---- C-1, C-2, C-9: does a second read come from the cache? (cache.store) ---------


def _cache_conditions(i: Inputs) -> Conditions:
    s = sorts()
    return {
        "srv_cached": is_cache_srv(i),
        "device_is_smets1": i.gen == s.gens["SMETS1"],
        "device_is_esme": i.kind == s.kinds["ESME"],
        "schedule_exists": i.bool("schedule"),
        "schedule_started": i.bool("started"),
        "creation_option": i.bool("creation"),
    }


def _cache_outcome(i: Inputs, c: Conditions) -> z3.BoolRef:
    # C-13: a schedule is active from its start date, or (option) from its creation
    active = z3.And(c["schedule_exists"], z3.Or(c["schedule_started"], c["creation_option"]))
    return z3.And(c["srv_cached"], c["device_is_smets1"], c["device_is_esme"], active)


CACHE_HIT = Decision(
    "cache-hit", ("C-1", "C-2", "C-9", "C-4", "C-13"), _cache_conditions, _cache_outcome,
    lambda i: z3.And(
        role_in(i, SUPPLIER_ROLES), may_send(i), kind_ok(i), flag_is(i, "false"), _on_demand(i), trt_available(i),
        srv_where(i, lambda v: SRVS[v].read_log_period and SRVS[v].schedulable),
    ),
    ("served from cache", "read from device"), source="model/cache.py store: cacheable, activity",
)  # fmt: skip


# ---- C-5, C-11: age of a cached entry (cache.is_fresh) ----------------------------


def _age_conditions(i: Inputs) -> Conditions:
    age = i.int("age_s")
    return {"age_below_25h": age < CACHE.max_age_s, "age_at_25h": age == CACHE.max_age_s,
            "inclusive_option": i.bool("inclusive")}  # fmt: skip


CACHE_AGE = Decision(
    "cache-age", ("C-5", "C-11"), _age_conditions,
    lambda i, c: z3.Or(c["age_below_25h"], z3.And(c["age_at_25h"], c["inclusive_option"])),
    lambda i: z3.And(i.int("age_s") > 0, i.int("age_s") < 2 * CACHE.max_age_s),
    ("served from cache", "expired"),
    objective=lambda i: _abs(i.int("age_s") - CACHE.max_age_s), source="model/cache.py is_fresh",
)  # fmt: skip


# ---- SCH-4: MDR window (machine._start_read, schedules.next_window_open) ----------


def _window_conditions(i: Inputs) -> Conditions:
    t, w = i.int("time_of_day_s"), CONFIG.mdr_window
    return {"role_is_mdr": role_in(i, {"MDR"}), "inside_mdr_window": z3.And(w.open_s <= t, t < w.close_s)}


def _window_decision(name: str, pivot: int) -> Decision:
    return Decision(
        name, ("SCH-4", "TRT-4"), _window_conditions,
        lambda i, c: z3.Not(z3.And(c["role_is_mdr"], z3.Not(c["inside_mdr_window"]))),
        lambda i: z3.And(role_in(i, {"MDR", "IS"}), i.int("time_of_day_s") >= 0, i.int("time_of_day_s") < DAY_S),
        ("answered at once", "held (I99)"),
        objective=lambda i: _abs(i.int("time_of_day_s") - pivot), source="model/machine.py _start_read",
    )  # fmt: skip


WINDOW_OPEN = _window_decision("mdr-window-open", CONFIG.mdr_window.open_s)
WINDOW_CLOSE = _window_decision("mdr-window-close", CONFIG.mdr_window.close_s)


# ---- SCH-5: retry of an unreachable device (execution._unreachable) ---------------


def _retry_conditions(i: Inputs) -> Conditions:
    retry_at = i.int("time_of_day_s") + CONFIG.retry_interval_s
    w = CONFIG.mdr_window
    return {
        "for_settlement": flag_is(i, "true"),
        "retry_before_cutoff": retry_at < DAY_S + CONFIG.dsp_window.open_s,
        "role_is_mdr": role_in(i, {"MDR"}),
        "retry_inside_mdr_window": z3.And(w.open_s <= retry_at, retry_at < w.close_s),
    }


RETRY = Decision(
    "retry", ("SCH-5", "SCH-4"), _retry_conditions,
    lambda i, c: z3.And(c["for_settlement"], c["retry_before_cutoff"],
                        z3.Or(z3.Not(c["role_is_mdr"]), c["retry_inside_mdr_window"])),
    lambda i: z3.And(
        role_in(i, {"MDR", "IS"}), z3.Implies(role_in(i, {"MDR"}), flag_is(i, "true")),
        z3.Not(flag_is(i, "absent")), i.int("time_of_day_s") >= 0, i.int("time_of_day_s") < DAY_S,
        i.int("time_of_day_s") % 60 == 0,
        z3.Implies(role_in(i, {"MDR"}), z3.And(CONFIG.mdr_window.open_s <= i.int("time_of_day_s"),
                                               i.int("time_of_day_s") < CONFIG.mdr_window.close_s)),
    ),
    ("retried", "failed at once"),
    objective=lambda i: z3.If(role_in(i, {"MDR"}),
                              _abs(i.int("time_of_day_s") + CONFIG.retry_interval_s - CONFIG.mdr_window.close_s),
                              _abs(i.int("time_of_day_s") + CONFIG.retry_interval_s - DAY_S)),
    source="model/execution.py _unreachable",
)  # fmt: skip


# ---- SCH-2: own schedules only (machine._dsp_only, schedules.owned) --------------


SCHEDULE_OWNER = Decision(
    "schedule-owner", ("SCH-2", "SCH-1"), lambda i: {"sender_owns_schedule": i.bool("owner")},
    lambda i, c: c["sender_owns_schedule"],
    lambda i: srv_where(i, lambda v: v in ("5.2", "5.3")),
    ("I0", "MHHS-E8"), source="model/schedules.py owned",
)  # fmt: skip


# ---- SCH-3: schedules of the outgoing MDRA (schedules.on_mdra_change) ------------


def _change_conditions(i: Inputs) -> Conditions:
    return {
        "owner_is_outgoing_mdra": i.bool("outgoing"),
        "schedule_role_is_mdr": i.bool("mdr_role"),
        "device_on_changed_mpan": i.bool("on_mpan"),
        "delete_option": i.bool("delete"),
    }


MDRA_CHANGE = Decision(
    "mdra-change", ("SCH-3",), _change_conditions,
    lambda i, c: z3.And(*c.values()),
    lambda i: z3.Implies(i.bool("mdr_role"), z3.BoolVal(True)),
    ("deleted + alert", "kept"), source="model/schedules.py on_mdra_change",
)  # fmt: skip


# ---- SCH-9: a schedule run's days checked by AC-3 (access.check_run_day) ----------


def _run_day_conditions(i: Inputs) -> Conditions:
    return {
        "read_day_authorised": i.bool("read_day"),
        "run_day_authorised": i.bool("run_day"),
        "refused_option": i.bool("refused"),
    }


RUN_DAY = Decision(
    "run-day", ("SCH-9", "AC-3"), _run_day_conditions,
    lambda i, c: z3.And(c["read_day_authorised"], z3.Or(c["run_day_authorised"], z3.Not(c["refused_option"]))),
    lambda i: z3.BoolVal(True),
    ("I0", "E4"), source="model/access.py check_run_day, check_registration",
)  # fmt: skip


DECISIONS: Final[tuple[Decision, ...]] = (
    USER, SRV_ALLOWED, FLAG, DEVICE, REGISTRATION, SCHEDULE_FIRST, CACHE_HIT, CACHE_AGE,
    WINDOW_OPEN, WINDOW_CLOSE, RETRY, SCHEDULE_OWNER, MDRA_CHANGE, RUN_DAY,
)  # fmt: skip
