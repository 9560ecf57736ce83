"""Users and roles (REG-1, REG-7, AC-1, AC-5).

The existing roles' SRVs come from the DUIS request matrix (the shared DUIS
reference material, used in place); the MDR role's from 002 Table 2."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .tables import MDR_SRVS

MDR = "MDR"
SUPPLIER_ROLES = frozenset({"IS", "ES"})
# AC-5: the Eligible Users for MHHS requests (Table 3).
ELIGIBLE_ROLES = frozenset({"IS", "ES", MDR})
# FS-4: Network Operators (ED electricity, GT gas) and Other Users never set the flag.
NEVER_FOR_SETTLEMENT = frozenset({"ED", "GT", "OU", "NO"})


@dataclass(frozen=True)
class User:
    user_id: str
    roles: frozenset[str]


def load_users(items: list[dict[str, Any]]) -> dict[str, User]:
    return {item["user_id"]: User(item["user_id"], frozenset(item["roles"])) for item in items}


def _duis_dir() -> Path:
    configured = os.environ.get("MHHS_SEC_DUIS_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2].parent / "shared" / "duis"


@cache
def existing_role_srvs() -> dict[str, frozenset[str]]:
    """SRV -> the existing roles DUIS makes eligible to send it."""
    path = _duis_dir() / "duis-request-matrix.json"
    rows = json.loads(path.read_text(encoding="utf-8"))
    return {row["Service Reference Variant"]: frozenset(row["Eligible User Roles"]) for row in rows}


def role_may_send(role: str, srv: str) -> bool:
    """AC-1 for MDR (Table 2); the DUIS matrix for every other role (AC-11: an
    approximation of text outside the sources)."""
    if role == MDR:
        return srv in MDR_SRVS
    return role in existing_role_srvs().get(srv, frozenset())
