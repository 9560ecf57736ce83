"""Every rejection whose condition holds: the sources fix no order between the
access checks (AC-1, AC-3, AC-6, AC-7, FS-2), so a request breaking several
may be refused with any of their codes.  Expectations are written from the
catalogue rows, never read from the model."""

from __future__ import annotations

from typing import Any

import pytest
from mhhs_sec.model import Response, ServiceRequest
from mhhs_sec.model.access import Rejected, authorise, rejections
from model_kit import CHANGE, DEVICES_A, DEVICES_B, MDR_IN, ONE_DAY, SUPPLIER, Run, at, whole_days, world

READ_DAY = CHANGE + ONE_DAY


def _run() -> Run:
    return Run(world(at(CHANGE + 2 * ONE_DAY, 10)))


def _request(run: Run, user: str, role: str, srv: str, device: str, **kw: Any) -> ServiceRequest:
    return run.request(user, role, srv, device, period=whole_days(READ_DAY), **kw)


def _codes(run: Run, request: ServiceRequest) -> list[tuple[str, tuple[str, ...]]]:
    return [(r.code, r.requirements) for r in rejections(run.state, request, "on-demand", run.state.now)]


@pytest.mark.req("AC-3", "AC-6", "FS-2")
def test_every_condition_that_holds_is_a_rejection() -> None:
    run = _run()
    # An MDR 4.1.1 to a SMETS2 ESME of an MPAN it is not MDRA for, without ForSettlement:
    # FS-2 (flag missing), AC-6 (4.1.1 is for SMETS1 only) and AC-3 (not the MDRA) all hold.
    request = _request(run, MDR_IN, "MDR", "4.1.1", DEVICES_B.s2_esme, flag=False)
    found = _codes(run, request)
    assert {requirement for _, requirements in found for requirement in requirements} >= {"FS-2", "AC-6", "AC-3"}
    assert {"E11", "E4"} <= {code for code, _ in found}


@pytest.mark.req("AC-3", "AC-7")
def test_the_answer_is_the_first_rejection_and_the_others_are_alternatives() -> None:
    run = _run()
    request = _request(run, MDR_IN, "MDR", "4.8.1", DEVICES_B.s2_gsme)  # AC-7 and AC-3 both hold
    first = authorise(run.state, request, "on-demand", run.state.now)
    found = rejections(run.state, request, "on-demand", run.state.now)
    assert isinstance(first, Rejected) and found[0] == first and len(found) >= 2
    response = run.answer(MDR_IN, "MDR", "4.8.1", DEVICES_B.s2_gsme, period=whole_days(READ_DAY))
    assert isinstance(response, Response) and response.code == first.code
    assert {a.code for a in response.alternatives} == {r.code for r in found} - {first.code}


@pytest.mark.req("AC-3")
def test_an_unknown_device_is_not_checked_further() -> None:
    run = _run()
    request = _request(run, MDR_IN, "MDR", "4.8.1", "00-DB-00-00-00-00-00-99")
    # E19: no kind, generation or MPAN to check, so no E11 / E4 can hold.
    assert [code for code, _ in _codes(run, request)] == ["E19"]


@pytest.mark.req("AC-3")
def test_an_accepted_request_has_no_rejection() -> None:
    run = _run()
    request = _request(run, MDR_IN, "MDR", "4.8.1", DEVICES_A.s2_esme)
    assert _codes(run, request) == []
    assert not isinstance(authorise(run.state, request, "on-demand", run.state.now), Rejected)
    assert run.answer(SUPPLIER, "IS", "4.8.1", DEVICES_A.s2_esme, period=whole_days(READ_DAY)).code == "I0"
