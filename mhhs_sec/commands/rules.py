"""``mhhs-sec rules [--json]``: the SEC tables the model runs on, for reviewers
and other tools (TRT-1, AC-1, AC-2, C-1, C-5, CON-1..3), and the role x SRV
matrix with the devices each SRV applies to (AC-1, AC-5..AC-8; the existing
roles' rows are the model's approximation under AC-11)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any, Final, get_args

from mhhs_sec.model.access import check_device
from mhhs_sec.model.entities import Device
from mhhs_sec.model.profile import PROFILE_OPTIONS
from mhhs_sec.model.rules import MHHS_ELIGIBLE, NEVER_FOR_SETTLEMENT, ROLES, SUPPLIER_ROLES, role_may_send, trt_cells
from mhhs_sec.model.tables import CACHE, CONSENT_TABLE, GENERATIONS, MDR_SRVS, SRVS, DeviceKind

# AC-11: what the model does for the existing roles beyond the catalogue is an
# approximation no vector's compared outcome depends on.
APPROXIMATION: Final = "AC-11"
_KINDS: Final[tuple[DeviceKind, ...]] = get_args(DeviceKind)
# 5.2 / 5.3 act on schedules: the model checks no device for them (SCH-2).
_SCHEDULE_ACTIONS: Final = ("5.2", "5.3")


def rules_document() -> dict[str, Any]:
    """The tables as plain data, in the shape ``rules --json`` prints."""
    return {
        "trt": trt_cells(),
        "mdr_srvs": [
            {"srv": row.srv, "on_demand": SRVS[row.srv].on_demand, "scheduled": SRVS[row.srv].schedulable}
            for row in MDR_SRVS
        ],
        "cache": {"srvs": list(CACHE.srvs), "max_age_s": CACHE.max_age_s},
        "srvs": [_srv_row(srv) for srv in SRVS],
        "roles": [_role_row(role) for role in ROLES],
        "consent": {
            "half-hourly": [r.srv for r in CONSENT_TABLE if r.half_hourly],
            "daily": [r.srv for r in CONSENT_TABLE if r.daily],
            "monthly": [r.srv for r in CONSENT_TABLE if r.monthly],
        },
        "profiles": _profiles(),
    }


def _srv_row(srv: str) -> dict[str, Any]:
    spec = SRVS[srv]
    return {
        "srv": srv, "name": spec.name, "duis_element": spec.body_element, "on_demand": spec.on_demand,
        "schedulable": spec.schedulable, "device_kinds": list(spec.device_kinds), "reads": spec.cadence,
        "device_request": spec.device_request, "source": spec.source,
    }  # fmt: skip


def _role_row(role: str) -> dict[str, Any]:
    """One role: the SRVs it may send and, per SRV, the devices the model lets
    it address (the model's own device check, run for every kind and generation)."""
    mdr = role == "MDR"
    return {
        "role": role,
        "source": "002 Table 2 (AC-1); AC-6, AC-7, AC-8" if mdr else "DUIS request matrix ('Eligible User Roles')",
        "approximation": None if mdr else APPROXIMATION,
        "registration_check": _registration_check(role),
        "for_settlement": _flag_rule(role),
        "srvs": [{"srv": srv, "devices": _devices(role, srv)} for srv in SRVS if role_may_send(role, srv)],
    }


def _registration_check(role: str) -> str | None:
    """AC-3 for MDR; the RSA-style Supplier check the model applies to IS / ES."""
    if role == "MDR":
        return "MDRA of the device's MPAN on every targeted day (AC-3, REG-4)"
    if role in SUPPLIER_ROLES:
        return "Supplier of the device's MPAN on every targeted day"
    return None


def _flag_rule(role: str) -> str:
    """FS-2, FS-4, AC-5: what the ForSettlement flag may be (catalogue rules)."""
    if role == "MDR":
        return "always true (FS-2)"
    if role in NEVER_FOR_SETTLEMENT:
        return "never true (FS-4)"
    return "may be true (AC-5)" if role in MHHS_ELIGIBLE else "never true: not an Eligible User (AC-5)"


def _devices(role: str, srv: str) -> list[str] | None:
    """'KIND SMETSn' for each device the model's check lets ``role`` send ``srv``
    to On Demand (None: 5.2 / 5.3, which name no device to check)."""
    if srv in _SCHEDULE_ACTIONS:
        return None
    flag = role == "MDR"
    return [
        f"{kind} {generation}"
        for kind in _KINDS
        for generation in GENERATIONS
        if check_device(role, srv, Device("", "", generation, kind, dt.date.min), "on-demand", flag) is None
    ]


def _profiles() -> list[dict[str, Any]]:
    """Every interpretation option (catalogue ``interp`` rows): its values, the default first."""
    return [
        {"option": option, "requirement": requirement, "values": list(values), "default": values[0]}
        for option, (requirement, values) in PROFILE_OPTIONS.items()
    ]


def _text(document: dict[str, Any]) -> str:
    lines = ["TRT (002 Table 3, TRT-3 amendment applied; '-' = N/A)", f"{'SRV':<7}{'gen':<8}{'mode':<11}existing  mhhs"]
    cells = {(c["srv"], c["generation"], c["mode"], c["purpose"]): c["trt_s"] for c in document["trt"]}
    for srv, gen, mode in dict.fromkeys((c["srv"], c["generation"], c["mode"]) for c in document["trt"]):
        existing, mhhs = (cells[(srv, gen, mode, p)] for p in ("existing", "mhhs"))
        lines.append(f"{srv:<7}{gen:<8}{mode:<11}{_s(existing):<10}{_s(mhhs)}")
    lines.append("")
    lines.append("MDR SRVs (002 Table 2): " + ", ".join(
        f"{r['srv']}{' (OD+SCH)' if r['scheduled'] else ' (OD)'}" for r in document["mdr_srvs"]
    ))  # fmt: skip
    cache = document["cache"]
    lines.append(f"S1SP cache (C-1, C-5): {', '.join(cache['srvs'])}; held < {cache['max_age_s']} s")
    for level, srvs in document["consent"].items():
        lines.append(f"consent {level} (Table 4): {', '.join(srvs)}")
    for row in document["roles"]:
        mark = f" (approximation, {row['approximation']})" if row["approximation"] else ""
        lines.append(f"role {row['role']}{mark}: {', '.join(r['srv'] for r in row['srvs'])}")
    for p in document["profiles"]:
        lines.append(f"profile {p['option']} ({p['requirement']}): {' | '.join(map(str, p['values']))}")
    return "\n".join(lines)


def _s(value: int | None) -> str:
    return "-" if value is None else str(value)


RULES_DOC: Final = "docs/rules.md"


def rules_markdown(document: dict[str, Any]) -> str:
    """``docs/rules.md``: the role x SRV matrix and the devices each SRV
    applies to, generated from :func:`rules_document` (``mhhs-sec docs``)."""
    roles = [row["role"] for row in document["roles"]]
    allowed = {(row["role"], r["srv"]): r["devices"] for row in document["roles"] for r in row["srvs"]}
    lines = [
        "# Roles, SRVs and devices",
        "",
        "Generated by `mhhs-sec docs` from the model's tables (`mhhs-sec rules --json` prints the same data",
        "as `srvs`, `roles`, `trt` and `profiles`); do not edit by hand. The MDR row is the catalogue's",
        "(AC-1, AC-6, AC-7, AC-8). The rows of the existing roles (IS, ES, GS, ED, GT, OU, RSA) are the",
        f"model's **approximation under {APPROXIMATION}** (out of scope): transcribed from the DUIS request",
        "matrix and the SRVs' device kinds, beyond what the sources fix. No vector's compared outcome",
        "depends on them: vectors use senders entitled under any reading (an IS or ES registered for the MPAN) or",
        "compare only what the catalogue fixes (Table 3 TRTs when answered, FS-*, AC-5).",
        "",
        "## SRVs",
        "",
        "| SRV | name | DUIS body element | On Demand | DCC Scheduled (AC-2) | device kinds | reads | source |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in document["srvs"]:
        lines.append(
            f"| {row['srv']} | {row['name']} | `{row['duis_element']}` | {_yes(row['on_demand'])} | "
            f"{_yes(row['schedulable'])} | {', '.join(row['device_kinds'])} | {row['reads']} | {row['source']} |"
        )
    lines += ["", "## Which role may send which SRV (E2 otherwise)", ""]
    lines += ["| SRV | " + " | ".join(roles) + " |", "|---|" + "---|" * len(roles)]
    for srv in (row["srv"] for row in document["srvs"]):
        lines.append(f"| {srv} | " + " | ".join("yes" if (r, srv) in allowed else "-" for r in roles) + " |")
    lines += ["", "## Per role", ""]
    lines += ["| role | source | AC-11 approximation | registration check | ForSettlement |", "|---|---|---|---|---|"]
    for row in document["roles"]:
        lines.append(
            f"| {row['role']} | {row['source']} | {'yes' if row['approximation'] else 'no'} | "
            f"{row['registration_check'] or 'none in the model'} | {row['for_settlement']} |"
        )
    lines += _devices_section(document) + _trt_section(document) + _profiles_section(document)
    return "\n".join(lines) + "\n"


def _devices_section(document: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "## Devices each role may address, per SRV (E11 otherwise)",
        "",
        "On Demand, ForSettlement as the role must send it (MDR true, others false); a TRT cell that is N/A",
        "(TRT-1, AC-8) is not available. 5.1 is checked again against the SRV it schedules; 5.2 / 5.3 act on",
        "schedules and address no device (SCH-2).",
        "",
        "| role | SRV | devices |",
        "|---|---|---|",
    ]
    for row in document["roles"]:
        for r in row["srvs"]:
            devices = "(no device check)" if r["devices"] is None else ", ".join(r["devices"]) or "none"
            lines.append(f"| {row['role']} | {r['srv']} | {devices} |")
    return lines


def _trt_section(document: dict[str, Any]) -> list[str]:
    """TRT-1..TRT-3: the cells a response's ``trt_s`` takes."""
    lines = [
        "",
        "## Target Response Times (002 Table 3 as amended; `trt_s`)",
        "",
        "An answered response carries in `trt_s` the cell of its SRV, device generation, mode and purpose, in",
        "seconds: MHHS when the effective ForSettlement flag is true (TRT-2), existing service otherwise; the",
        "TRT-3 amendment applied. `-` is N/A: the request is not available and is refused with E11 (TRT-1,",
        "AC-8). 5.2 / 5.3 address no device: their cell is the same for both generations. A rejection",
        "carries `trt_s` null. An SRV with no row here (4.8.2) has no TRT in the sources: an MHHS request for",
        "it is refused with E11 (TRT-1, TRT-2: no MHHS service), and an existing-service answer carries",
        "`trt_s` null, since TRT-5's existing-service figures are not given per SRV. That null is the",
        "model's reading; no vector compares the `trt_s` of such an answer.",
        "",
        "| SRV | generation | mode | existing | MHHS |",
        "|---|---|---|---|---|",
    ]
    cells = {(c["srv"], c["generation"], c["mode"], c["purpose"]): c["trt_s"] for c in document["trt"]}
    for srv, gen, mode in dict.fromkeys((c["srv"], c["generation"], c["mode"]) for c in document["trt"]):
        existing, mhhs = (_s(cells[(srv, gen, mode, p)]) for p in ("existing", "mhhs"))
        lines.append(f"| {srv} | {gen} | {mode} | {existing} | {mhhs} |")
    return lines


def _profiles_section(document: dict[str, Any]) -> list[str]:
    """The interpretation options (``profiles`` of ``rules --json``)."""
    lines = [
        "",
        "## Interpretation options (`profile`)",
        "",
        "The catalogue's `interp` rows: a vector's `initial_state.profile` gives each option's value, and",
        "`hello` declares the values an implementation runs (`vectors/protocol/hello.schema.json`). The",
        "default comes first. `daily_log_delay_tolerance_s` (S1-1) takes any whole number of seconds (two",
        "are shown); no vector's outcome depends on it, since the vectors' daily logs are stamped at 00:00",
        "UTC exactly.",
        "",
        "| option | requirement | values |",
        "|---|---|---|",
    ]
    for p in document["profiles"]:
        values = ", ".join(f"`{json.dumps(v)}`" for v in p["values"])
        lines.append(f"| `{p['option']}` | {p['requirement']} | {values} |")
    return lines


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def run(args: argparse.Namespace) -> int:
    document = rules_document()
    print(json.dumps(document, indent=2) if args.json else _text(document))
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("rules", help="print the SEC tables the model runs on")
    parser.add_argument("--json", action="store_true", help="print them as JSON")
    parser.set_defaults(func=run)
