"""AC-*, FS-*, TRT-*: access control, the ForSettlement flag and the TRTs.

The SRV lists and TRT expectations are written from the catalogue statements
(AC-1, AC-2, AC-8, TRT-2, TRT-3, TRT-5), never read from the model's tables.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from mhhs_sec.model import Response, SubmitRequest
from mhhs_sec.model.rules import trt_cells, trt_s
from mhhs_sec.model.tables import SRVS
from model_kit import (
    CHANGE,
    DEVICES_A,
    DEVICES_B,
    GAS_SUPPLIER,
    HOUR,
    MDR_IN,
    MDR_OUT,
    NETWORK_OPERATOR,
    ONE_DAY,
    OTHER_USER,
    SUPPLIER,
    SUPPLIER_AGENT,
    Run,
    at,
    entry_days,
    schedule_spec,
    whole_days,
    world,
)

# AC-1 (catalogue): the SRVs an MDR user may send.
AC1_SRVS = ("4.1.1", "4.2", "4.6.1", "4.6.2", "4.8.1", "4.8.3", "4.17", "5.1", "5.2", "5.3", "8.2")
# AC-2 (catalogue): On Demand or DCC Scheduled / On Demand only.
OD_OR_SCHEDULED = ("4.6.1", "4.6.2", "4.8.1", "4.8.3", "4.17")
OD_ONLY = ("4.1.1", "4.2", "5.1", "5.2", "5.3", "8.2")
# AC-8 (catalogue): N/A for SMETS1.
NA_FOR_SMETS1 = ("4.6.2", "4.17")
READS_WITH_PERIOD = ("4.6.1", "4.6.2", "4.8.1", "4.8.2", "4.8.3", "4.17")
DAY_S = 24 * HOUR
READ_DAY = CHANGE + ONE_DAY


def expected_trt(srv: str, generation: str, mode: str, purpose: str) -> int | None:
    """The TRT the catalogue states for one cell (None: N/A, not available)."""
    if generation == "SMETS1" and srv in NA_FOR_SMETS1:
        return None  # AC-8
    if mode == "scheduled" and srv in OD_ONLY:
        return None  # AC-2: On Demand only
    if srv == "8.2":
        return 30  # TRT-3: every user, every generation, MHHS or not
    if purpose == "mhhs":
        return DAY_S  # TRT-2
    if srv.startswith("5.") or mode == "scheduled":
        return DAY_S  # TRT-5: schedule SRVs 5.x and Scheduled 24 h
    if generation == "SMETS2":
        return 5600 if srv == "4.8.1" else 30  # TRT-5
    return 16  # TRT-5: SMETS1 On Demand


def _run(**options: Any) -> Run:
    """Two days after the MDRA change of MPAN_A, 10:00 UK (inside the MDR window)."""
    return Run(world(at(CHANGE + 2 * ONE_DAY, 10), **options))


def _send(run: Run, user: str, role: str, srv: str, device: str, flag: bool | None = None) -> Response:
    """A well-formed request for ``srv`` (period, schedule body as the SRV needs)."""
    kw: dict[str, object] = {"flag": flag}
    if srv in READS_WITH_PERIOD:
        kw["period"] = whole_days(READ_DAY)
    if srv == "5.1":
        kw["schedule"] = schedule_spec("4.8.1", run.state.today + ONE_DAY)
    return run.answer(user, role, srv, device, **kw)


@pytest.mark.req("AC-1")
@pytest.mark.parametrize("srv", sorted(SRVS))
def test_mdr_may_send_only_table_2_srvs(srv: str) -> None:
    run = _run()
    device = DEVICES_A.s1_esme if srv == "4.1.1" else DEVICES_A.s2_esme
    response = _send(run, MDR_IN, "MDR", srv, device)
    if srv in AC1_SRVS:
        assert response.code == "I0", response
    else:
        assert response.code == "E2" and "AC-1" in response.requirements and not response.entries


@pytest.mark.req("AC-2", "SCH-7")
@pytest.mark.parametrize("srv", sorted(SRVS))
def test_mdr_may_schedule_only_the_od_or_scheduled_srvs(srv: str) -> None:
    run = _run()
    spec = schedule_spec(srv, run.state.today + ONE_DAY)
    response = run.answer(MDR_IN, "MDR", "5.1", DEVICES_A.s2_esme, schedule=spec)
    if srv in OD_OR_SCHEDULED:
        assert response.code == "I0" and len(response.schedule_ids) == 1
    else:
        assert response.code != "I0" and not response.schedule_ids
        assert {"AC-1", "AC-2"} & set(response.requirements)
    if srv in AC1_SRVS:
        assert SRVS[srv].schedulable is (srv in OD_OR_SCHEDULED)
        assert SRVS[srv].on_demand


@pytest.mark.req("AC-3")
def test_mdr_must_be_the_mdra_of_the_target_mpan() -> None:
    run = _run()
    ok = run.answer(MDR_IN, "MDR", "4.8.1", DEVICES_A.s2_esme, period=whole_days(READ_DAY))
    other_mpan = run.answer(MDR_IN, "MDR", "4.8.1", DEVICES_B.s2_esme, period=whole_days(READ_DAY))
    assert ok.code == "I0" and entry_days(ok) == {READ_DAY}
    assert other_mpan.code == "E4" and "AC-3" in other_mpan.requirements and not other_mpan.entries


@pytest.mark.req("AC-4", "AC-3", "REG-4")
@pytest.mark.parametrize("option", ["reject", "authorised-days"])
def test_partly_authorised_period(option: str) -> None:
    run = _run(partial_period=option)
    period = whole_days(CHANGE - ONE_DAY, CHANGE)
    response = run.answer(MDR_OUT, "MDR", "4.8.1", DEVICES_A.s2_esme, period=period)
    assert f"AC-4:partial_period={option}" in response.interp
    if option == "reject":
        assert response.code == "E4" and not response.entries
    else:
        assert response.code == "I0"
        assert entry_days(response) == {CHANGE - ONE_DAY} and len(response.entries) == 48


@pytest.mark.req("AC-5", "FS-4")
@pytest.mark.parametrize(
    ("user", "role", "srv", "device", "eligible"),
    [
        (SUPPLIER, "IS", "4.8.1", DEVICES_A.s2_esme, True),
        (SUPPLIER, "ES", "4.8.3", DEVICES_A.s2_esme, True),
        (MDR_IN, "MDR", "4.8.1", DEVICES_A.s2_esme, True),
        (GAS_SUPPLIER, "GS", "4.8.1", DEVICES_A.s2_gsme, False),
        (SUPPLIER_AGENT, "RSA", "8.2", DEVICES_A.s2_esme, False),
        (NETWORK_OPERATOR, "ED", "4.8.1", DEVICES_A.s2_esme, False),
        (OTHER_USER, "OU", "4.8.1", DEVICES_A.s2_esme, False),
    ],
)
def test_mhhs_requests_only_from_eligible_users(user: str, role: str, srv: str, device: str, eligible: bool) -> None:
    response = _send(_run(), user, role, srv, device, flag=True)
    if eligible:
        assert response.code == "I0" and response.for_settlement
    else:
        assert response.code != "I0" and not response.entries
        assert {"AC-5", "FS-4"} & set(response.requirements)


@pytest.mark.req("AC-6")
def test_mdr_instantaneous_import_read_smets1_only() -> None:
    run = _run()
    s1 = run.answer(MDR_IN, "MDR", "4.1.1", DEVICES_A.s1_esme)
    s2 = run.answer(MDR_IN, "MDR", "4.1.1", DEVICES_A.s2_esme)
    assert s1.code == "I0" and len(s1.entries) == 1
    assert s2.code == "E11" and "AC-6" in s2.requirements and not s2.entries
    # The restriction is the MDR's: a Supplier's 4.1.1 to SMETS2 stands.
    assert run.answer(SUPPLIER, "IS", "4.1.1", DEVICES_A.s2_esme).code == "I0"


@pytest.mark.req("AC-7")
@pytest.mark.parametrize("srv", ["4.1.1", "4.6.1", "4.8.1", "4.17"])
def test_mdr_requests_to_gas_devices_rejected(srv: str) -> None:
    run = _run()
    for device in (DEVICES_A.s1_gsme, DEVICES_A.s2_gsme):
        response = _send(run, MDR_IN, "MDR", srv, device)
        assert response.code != "I0" and "AC-7" in response.requirements and not response.entries


@pytest.mark.req("AC-7")
@pytest.mark.parametrize("srv", ["5.2", "5.3"])
def test_mdr_schedule_requests_naming_a_gas_device_rejected(srv: str) -> None:
    # AC-7 makes no exception for the requests that read no device
    run = _run()
    for device in (DEVICES_A.s1_gsme, DEVICES_A.s2_gsme):
        assert "AC-7" in _send(run, MDR_IN, "MDR", srv, device).requirements
    assert _send(run, MDR_IN, "MDR", srv, DEVICES_A.s1_esme).code == "I0"


@pytest.mark.req("AC-8", "TRT-1")
@pytest.mark.parametrize("srv", NA_FOR_SMETS1)
def test_na_smets1_srvs_rejected_for_smets1(srv: str) -> None:
    run = _run()
    supplier_role = "ES" if srv == "4.6.2" else "IS"
    for user, role, flag in ((MDR_IN, "MDR", True), (SUPPLIER, supplier_role, True), (SUPPLIER, supplier_role, None)):
        s1 = _send(run, user, role, srv, DEVICES_A.s1_esme, flag=flag)
        s2 = _send(run, user, role, srv, DEVICES_A.s2_esme, flag=flag)
        assert s1.code != "I0" and "AC-8" in s1.requirements and not s1.entries
        assert s2.code == "I0" and s2.entries


@pytest.mark.req("AC-9")
def test_no_volume_limit_and_repeated_reads_by_several_users() -> None:
    run = _run()
    period = whole_days(READ_DAY)
    senders = [(MDR_IN, "MDR", True), (SUPPLIER, "IS", True), (SUPPLIER, "IS", None), (OTHER_USER, "OU", None)]
    answers = [
        run.answer(user, role, "4.8.1", DEVICES_A.s2_esme, flag=flag, period=period)
        for _ in range(25)
        for user, role, flag in senders
    ]
    assert all(a.code == "I0" for a in answers)
    assert len({a.entries for a in answers}) == 1


@pytest.mark.req("FS-1", "TRT-5")
def test_flag_is_optional() -> None:
    run = _run()
    for flag in (None, False):
        response = _send(run, SUPPLIER, "IS", "4.8.1", DEVICES_A.s2_esme, flag=flag)
        assert response.code == "I0" and not response.for_settlement
        assert response.trt_s == expected_trt("4.8.1", "SMETS2", "on-demand", "existing")


@pytest.mark.req("FS-2", "FS-5", "TRT-2")
@pytest.mark.parametrize("option", ["reject", "coerce"])
@pytest.mark.parametrize("flag", [None, False])
def test_mdr_request_without_flag(option: str, flag: bool | None) -> None:
    run = _run(flag_violation=option)
    request = run.request(MDR_IN, "MDR", "4.8.1", DEVICES_A.s2_esme, period=whole_days(READ_DAY))
    (response,) = run.do(SubmitRequest(replace(request, for_settlement=flag)))
    assert isinstance(response, Response)
    assert f"FS-5:flag_violation={option}" in response.interp
    if option == "reject":
        assert response.code != "I0" and "FS-2" in response.requirements and not response.entries
    else:  # treated as the rule says: ForSettlement = true, MHHS TRT
        assert response.code == "I0" and response.for_settlement and response.trt_s == DAY_S


@pytest.mark.req("FS-4", "FS-5")
@pytest.mark.parametrize("option", ["reject", "coerce"])
@pytest.mark.parametrize(("user", "role"), [(NETWORK_OPERATOR, "ED"), (OTHER_USER, "OU")])
def test_no_and_ou_never_set_the_flag(option: str, user: str, role: str) -> None:
    response = _send(_run(flag_violation=option), user, role, "4.8.1", DEVICES_A.s2_esme, flag=True)
    assert f"FS-5:flag_violation={option}" in response.interp
    if option == "reject":
        assert response.code != "I0" and "FS-4" in response.requirements and not response.entries
    else:  # treated as false: an existing-service read
        assert response.code == "I0" and not response.for_settlement
        assert response.trt_s == expected_trt("4.8.1", "SMETS2", "on-demand", "existing")


@pytest.mark.req("TRT-1", "TRT-2", "TRT-3", "TRT-5")
def test_every_trt_cell_matches_the_catalogue() -> None:
    cells = trt_cells()
    assert {c["srv"] for c in cells} == set(AC1_SRVS)
    assert len(cells) == len(AC1_SRVS) * 8
    for cell in cells:
        key = (cell["srv"], cell["generation"], cell["mode"], cell["purpose"])
        assert cell["trt_s"] == expected_trt(*key), key
        assert trt_s(*key) == cell["trt_s"]


@pytest.mark.req("TRT-1", "TRT-2", "TRT-5")
@pytest.mark.parametrize(
    ("user", "role", "srv", "flag"),
    [
        (SUPPLIER, "IS", "4.1.1", None),
        (SUPPLIER, "IS", "4.1.1", True),
        (SUPPLIER, "ES", "4.2", None),
        (SUPPLIER, "IS", "4.6.1", None),
        (SUPPLIER, "IS", "4.8.1", None),
        (SUPPLIER, "IS", "4.8.1", True),
        (SUPPLIER, "ES", "4.8.3", None),
        (SUPPLIER, "ES", "4.8.3", True),
        (MDR_IN, "MDR", "4.6.1", True),
        (MDR_IN, "MDR", "4.8.1", True),
        (MDR_IN, "MDR", "4.2", True),
        (OTHER_USER, "OU", "4.8.1", None),
        (NETWORK_OPERATOR, "ED", "4.8.3", None),
    ],
)
def test_on_demand_responses_carry_the_catalogue_trt(user: str, role: str, srv: str, flag: bool | None) -> None:
    run = _run()
    for device, generation in ((DEVICES_A.s1_esme, "SMETS1"), (DEVICES_A.s2_esme, "SMETS2")):
        if role == "MDR" and srv == "4.1.1" and generation == "SMETS2":
            continue
        response = _send(run, user, role, srv, device, flag=flag)
        purpose = "mhhs" if flag else "existing"
        assert response.code == "I0", response
        assert response.trt_s == expected_trt(srv, generation, "on-demand", purpose)


@pytest.mark.req("TRT-2")
def test_supplier_gets_no_faster_mhhs_trt_than_an_mdr() -> None:
    run = _run()
    supplier = _send(run, SUPPLIER, "IS", "4.8.1", DEVICES_A.s1_esme, flag=True)
    mdr = _send(run, MDR_IN, "MDR", "4.8.1", DEVICES_A.s1_esme)
    assert supplier.trt_s == mdr.trt_s == DAY_S


@pytest.mark.req("TRT-3")
@pytest.mark.parametrize(
    ("user", "role", "flag"),
    [
        (SUPPLIER, "IS", None),
        (SUPPLIER, "IS", True),
        (SUPPLIER, "ES", True),
        (MDR_IN, "MDR", True),
        (GAS_SUPPLIER, "GS", None),
        (SUPPLIER_AGENT, "RSA", None),
        (NETWORK_OPERATOR, "ED", None),
        (OTHER_USER, "OU", None),
    ],
)
def test_read_inventory_is_30_s_for_everyone(user: str, role: str, flag: bool | None) -> None:
    run = _run()
    for device in (DEVICES_A.s1_esme, DEVICES_A.s2_esme):
        response = _send(run, user, role, "8.2", device, flag=flag)
        assert response.code == "I0" and response.trt_s == 30
        assert response.inventory is not None and response.inventory.device_id == device


@pytest.mark.req("TRT-4", "SCH-4")
@pytest.mark.parametrize(("hour", "minute", "second"), [(6, 59, 59), (20, 0, 0), (23, 30, 0), (0, 0, 0)])
def test_held_mdr_reads_answered_inside_their_trt(hour: int, minute: int, second: int) -> None:
    sent = at(CHANGE + 2 * ONE_DAY, hour, minute, second)
    run = Run(world(sent))
    response = run.answer(MDR_IN, "MDR", "4.8.1", DEVICES_A.s1_esme, period=whole_days(CHANGE + ONE_DAY))
    assert response.code == "I0" and response.trt_s == DAY_S
    assert response.submitted_at == sent
    assert 0 < response.responded_at - response.submitted_at <= response.trt_s


@pytest.mark.req("TRT-1", "TRT-2")
@pytest.mark.parametrize("device", [DEVICES_A.s1_esme, DEVICES_A.s2_esme])
def test_mhhs_request_for_an_srv_outside_table_3_is_not_available(device: str) -> None:
    """4.8.2 has no row in Table 3: as an existing service it stands, but an MHHS
    request for it would be an accepted MHHS request without a 24 h TRT."""
    run = _run()
    existing = _send(run, SUPPLIER, "IS", "4.8.2", device)
    mhhs = _send(run, SUPPLIER, "IS", "4.8.2", device, flag=True)
    assert existing.code == "I0" and not existing.for_settlement
    assert mhhs.code != "I0" and "TRT-1" in mhhs.requirements and not mhhs.entries
    for response in run.responses():
        assert not (response.code == "I0" and response.for_settlement) or response.trt_s == DAY_S
