"""``mhhs-sec rules [--json]``: the SEC tables the model runs on, for reviewers
and other tools (TRT-1, AC-1, AC-2, C-1, C-5, CON-1..3)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from mhhs_sec.model.profile import PROFILE_OPTIONS
from mhhs_sec.model.rules import trt_cells
from mhhs_sec.model.tables import CACHE, CONSENT_TABLE, MDR_SRVS, SRVS


def rules_document() -> dict[str, Any]:
    """The tables as plain data, in the shape ``rules --json`` prints."""
    return {
        "trt": trt_cells(),
        "mdr_srvs": [
            {"srv": row.srv, "on_demand": SRVS[row.srv].on_demand, "scheduled": SRVS[row.srv].schedulable}
            for row in MDR_SRVS
        ],
        "cache": {"srvs": list(CACHE.srvs), "max_age_s": CACHE.max_age_s},
        "consent": {
            "half-hourly": [r.srv for r in CONSENT_TABLE if r.half_hourly],
            "daily": [r.srv for r in CONSENT_TABLE if r.daily],
            "monthly": [r.srv for r in CONSENT_TABLE if r.monthly],
        },
        "profiles": _profiles(),
    }


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
    for p in document["profiles"]:
        lines.append(f"profile {p['option']} ({p['requirement']}): {' | '.join(map(str, p['values']))}")
    return "\n".join(lines)


def _s(value: int | None) -> str:
    return "-" if value is None else str(value)


def run(args: argparse.Namespace) -> int:
    document = rules_document()
    print(json.dumps(document, indent=2) if args.json else _text(document))
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("rules", help="print the SEC tables the model runs on")
    parser.add_argument("--json", action="store_true", help="print them as JSON")
    parser.set_defaults(func=run)
