"""`mhhs-sec rules --json`: the shape reviewers and other tools rely on."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mhhs_sec.cli import main


def _rules(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["rules", "--json"]) == 0
    document: dict[str, object] = json.loads(capsys.readouterr().out)
    return document


def test_top_level_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert sorted(_rules(capsys)) == ["cache", "consent", "mdr_srvs", "profiles", "roles", "srvs", "trt"]


@pytest.mark.req("C-12", "C-13", "SCH-8", "SCH-9", "AUD-3")
def test_profiles_list_every_interp_option_with_the_catalogue_default(capsys: pytest.CaptureFixture[str]) -> None:
    profiles = {p["option"]: p for p in _rules(capsys)["profiles"]}  # type: ignore[attr-defined]
    # design: the options of the catalogue's C-12, C-13, SCH-8, SCH-9, AUD-3 rows, default first
    assert profiles["retrieved_entries"]["values"] == ["never-retrieved", "after-latest"]
    assert profiles["schedule_active"]["values"] == ["start-to-end", "creation-to-deletion"]
    assert profiles["mdr_window_scope"]["values"] == ["device-reads", "all-mdr-requests"]
    assert profiles["run_on_efd_reading_before"]["values"] == ["answered", "refused"]
    assert profiles["audit_extract"]["values"] == ["requests-and-responses", "responses-only", "with-alerts"]
    assert profiles["audit_extract"]["requirement"] == "AUD-3"
    assert all(p["default"] == p["values"][0] for p in profiles.values())


@pytest.mark.req("TRT-1")
def test_trt_has_one_cell_per_table_3_cell(capsys: pytest.CaptureFixture[str]) -> None:
    trt = _rules(capsys)["trt"]
    assert isinstance(trt, list)
    # 11 SRVs of Table 2 x SMETS1/SMETS2 x scheduled/on-demand x existing/mhhs
    assert len(trt) == 11 * 2 * 2 * 2
    keys = {(c["srv"], c["generation"], c["mode"], c["purpose"]) for c in trt}
    assert len(keys) == len(trt)
    assert {c["srv"] for c in trt} == {
        "4.1.1",
        "4.2",
        "4.6.1",
        "4.6.2",
        "4.8.1",
        "4.8.3",
        "4.17",
        "5.1",
        "5.2",
        "5.3",
        "8.2",
    }
    for cell in trt:
        assert set(cell) == {"srv", "generation", "mode", "purpose", "trt_s"}
        assert cell["trt_s"] is None or isinstance(cell["trt_s"], int)


@pytest.mark.req("TRT-3", "TRT-2", "TRT-5", "AC-8")
def test_catalogue_statements_hold_in_the_printed_table(capsys: pytest.CaptureFixture[str]) -> None:
    cells = {(c["srv"], c["generation"], c["mode"], c["purpose"]): c["trt_s"] for c in _rules(capsys)["trt"]}  # type: ignore[index]
    # TRT-3: 8.2 is 30 s wherever it is offered, SMETS1 included.
    assert {v for (srv, *_), v in cells.items() if srv == "8.2" and v is not None} == {30}
    # TRT-2: every MHHS data request (4.x) that is offered has 24 h.
    mhhs_data = [v for (srv, _, _, p), v in cells.items() if p == "mhhs" and srv.startswith("4.") and v is not None]
    assert mhhs_data and set(mhhs_data) == {24 * 3600}
    # TRT-5: SMETS2 On Demand 4.8.1 existing service is 5,600 s.
    assert cells[("4.8.1", "SMETS2", "on-demand", "existing")] == 5600
    # AC-8: 4.6.2 and 4.17 are N/A for SMETS1.
    assert cells[("4.6.2", "SMETS1", "on-demand", "mhhs")] is None
    assert cells[("4.17", "SMETS1", "scheduled", "existing")] is None


@pytest.mark.req("AC-2", "C-1", "C-5")
def test_mdr_srvs_and_cache(capsys: pytest.CaptureFixture[str]) -> None:
    document = _rules(capsys)
    scheduled = {r["srv"] for r in document["mdr_srvs"] if r["scheduled"]}  # type: ignore[union-attr,index]
    # AC-2: the five data logs may be DCC Scheduled; the rest are On Demand only.
    assert scheduled == {"4.6.1", "4.6.2", "4.8.1", "4.8.3", "4.17"}
    assert all(r["on_demand"] for r in document["mdr_srvs"])  # type: ignore[union-attr,index]
    assert document["cache"] == {"srvs": ["4.6.1", "4.8.1", "4.8.3"], "max_age_s": 25 * 3600}


@pytest.mark.req("CON-1", "CON-2", "CON-3")
def test_consent_levels(capsys: pytest.CaptureFixture[str]) -> None:
    consent = _rules(capsys)["consent"]
    assert consent == {
        "half-hourly": ["4.1.1", "4.2", "4.6.1", "4.6.2", "4.8.1", "4.8.3", "4.17"],
        "daily": ["4.1.1", "4.2", "4.6.1", "4.6.2", "4.17"],
        "monthly": ["4.1.1", "4.2"],
    }


def _roles(capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, Any]]:
    return {row["role"]: row for row in _rules(capsys)["roles"]}  # type: ignore[attr-defined]


@pytest.mark.req("AC-1", "AC-6", "AC-7", "AC-8", "AC-11")
def test_mdr_row_is_the_catalogue_and_the_others_the_ac11_approximation(capsys: pytest.CaptureFixture[str]) -> None:
    roles = _roles(capsys)
    assert {r for r, row in roles.items() if row["approximation"] is None} == {"MDR"}
    assert {row["approximation"] for r, row in roles.items() if r != "MDR"} == {"AC-11"}
    mdr = {r["srv"]: r["devices"] for r in roles["MDR"]["srvs"]}
    # AC-1: exactly the SRVs of 002 Table 2.
    assert sorted(mdr) == sorted(
        ["4.1.1", "4.2", "4.6.1", "4.6.2", "4.8.1", "4.8.3", "4.17", "5.1", "5.2", "5.3", "8.2"]
    )
    # AC-7: ESME only; AC-6: 4.1.1 on SMETS1 only; AC-8: 4.6.2 and 4.17 not on SMETS1.
    assert all(d.startswith("ESME") for devices in mdr.values() if devices for d in devices)
    assert mdr["4.1.1"] == ["ESME SMETS1"]
    assert mdr["4.6.2"] == mdr["4.17"] == ["ESME SMETS2"]


@pytest.mark.req("AC-5", "FS-2", "FS-4")
def test_roles_say_what_the_flag_may_be(capsys: pytest.CaptureFixture[str]) -> None:
    flags = {role: row["for_settlement"] for role, row in _roles(capsys).items()}
    assert "FS-2" in flags["MDR"]
    assert all("FS-4" in flags[role] for role in ("ED", "GT", "OU"))
    assert all("may be true" in flags[role] for role in ("IS", "ES"))


def test_srvs_carry_their_device_kinds(capsys: pytest.CaptureFixture[str]) -> None:
    srvs = {row["srv"]: row for row in _rules(capsys)["srvs"]}  # type: ignore[attr-defined]
    # export registers and export logs exist on electricity meters only
    assert srvs["4.2"]["device_kinds"] == srvs["4.8.3"]["device_kinds"] == ["ESME"]
    assert all(set(row["device_kinds"]) <= {"ESME", "GSME"} for row in srvs.values())
