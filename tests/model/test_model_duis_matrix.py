"""The transcribed DUIS facts against ``../shared/duis/duis-request-matrix.json``
(read in place, never copied): role eligibility (model/duis_matrix.py) and the
SrvSpec On Demand / DCC Scheduled / non-device columns (model/tables.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from mhhs_sec.model.duis_matrix import PRE_MHHS_ELIGIBILITY
from mhhs_sec.model.tables import SRVS

# AC-2 (catalogue): SRVs that are On Demand only for an MDR.
OD_ONLY = ("4.1.1", "4.2", "5.1", "5.2", "5.3", "8.2")


def _rows(path: Path) -> dict[str, dict[str, Any]]:
    rows = json.loads(path.read_text(encoding="utf-8"))
    return {row["Service Reference Variant"]: row for row in rows}


@pytest.mark.req("AC-1", "AC-5")
def test_pre_mhhs_eligibility_matches_the_matrix(duis_matrix_file: Path) -> None:
    rows = _rows(duis_matrix_file)
    assert set(PRE_MHHS_ELIGIBILITY) == set(SRVS)
    for srv, roles in PRE_MHHS_ELIGIBILITY.items():
        assert srv in rows, f"SRV {srv} missing from the DUIS matrix"
        assert roles == frozenset(rows[srv]["Eligible User Roles"]), srv
        assert "MDR" not in roles  # DUIS 5.4 predates MHHS


@pytest.mark.req("AC-2", "SCH-7")
@pytest.mark.parametrize("srv", sorted(SRVS))
def test_srv_columns_match_the_matrix(duis_matrix_file: Path, srv: str) -> None:
    row = _rows(duis_matrix_file)[srv]
    spec = SRVS[srv]
    assert spec.service_reference == row["Service Reference"]
    assert row["Service Request Name"].startswith(spec.name)
    assert spec.schedulable is (row["DCC Scheduled"] == "Yes")
    assert spec.device_request is (row["Non-Device Request"] == "No")
    if spec.device_request:
        assert spec.on_demand is (row["On Demand"] == "Yes")
    else:
        # Non-device requests (5.x, 8.2) are not 'On Demand' device requests in the
        # matrix; the catalogue (AC-2) lists them as On Demand only for an MDR.
        assert srv in OD_ONLY and spec.on_demand and not spec.schedulable
