"""The stories: each shows the rule edge it was written for (E19 for a device
the inventory lacks; SCH-3 at the load of a registration whose change has
begun; C-2 when a device is loaded again as another generation; SCH-8 with a
held 5.1 decided again when it runs; AC-4 with authorised days apart; a device
that has logged nothing; SCH-1 with a schedule starting today; AUD-1 with a
trail longer than a page)."""

from __future__ import annotations

import pytest
from mhhs_sec.generate import stories
from mhhs_sec.generate.build import Case, run_case
from mhhs_sec.model import InvalidEvent, SubmitRequest
from mhhs_sec.model.clock import settlement_day
from mhhs_sec.model.outputs import Acknowledgement, Alert, AuditExtract, Response
from mhhs_sec.model.registration import ONE_DAY

CASES = {case.id: case for case in stories.cases()}


def _outputs(case: Case) -> list[tuple[object, ...]]:
    results = run_case(case.state, case.events)
    assert not any(isinstance(r, InvalidEvent) for r in results)
    return [tuple(r) for r in results if not isinstance(r, InvalidEvent)]


@pytest.mark.req("AC-3")
def test_a_device_the_inventory_lacks_is_answered_e19() -> None:
    steps = _outputs(CASES["story.unknown-device"])
    assert [o.code for produced in steps for o in produced if isinstance(o, Response)] == ["E19", "E19"]


@pytest.mark.req("SCH-3")
def test_a_begun_mdra_change_deletes_and_alerts_at_the_load() -> None:
    case = CASES["story.registration-change-already-begun"]
    created, loaded = _outputs(case)
    (alert,) = loaded
    assert isinstance(alert, Alert) and alert.at == case.state.now
    assert [o.schedule_ids for o in created if isinstance(o, Response)] == [(alert.schedule_id,)]


@pytest.mark.req("C-2", "C-9")
def test_a_device_loaded_again_as_another_generation_is_read_again() -> None:
    first, cached, _loaded, after = _outputs(CASES["story.device-changed"])
    assert [o.device_read for o in (*first, *cached, *after) if isinstance(o, Response)] == [True, False, True]


@pytest.mark.req("SCH-8", "AC-3")
def test_a_held_5_1_is_decided_again_when_it_runs() -> None:
    held, _moved, ran = _outputs(CASES["story.held-schedule-refused-when-it-runs"])
    assert isinstance(held[0], Acknowledgement)
    assert [o.code for o in ran if isinstance(o, Response)] == ["E4"]


@pytest.mark.req("AC-4", "REG-3")
def test_a_partly_authorised_read_answers_days_that_are_apart() -> None:
    case = CASES["story.authorised-days-apart"]
    _loaded, (answer,) = _outputs(case)
    assert isinstance(answer, Response) and answer.code == "I0"
    today = case.state.today
    days = sorted({settlement_day(e.timestamp) for e in answer.entries})
    # the MDRA's own days only: not the day before its first appointment, nor the other MDRA's day
    assert days == [today - 4 * ONE_DAY, today - 2 * ONE_DAY]
    assert all(settlement_day(e.timestamp) in days for e in answer.entries) and len(answer.entries) == 2 * 48


@pytest.mark.req("AC-3")
def test_a_device_that_has_logged_nothing_answers_no_entries() -> None:
    ((answer,),) = _outputs(CASES["story.nothing-logged-yet"])
    assert isinstance(answer, Response) and answer.code == "I0" and answer.entries == ()


@pytest.mark.req("SCH-1", "SCH-4")
def test_a_schedule_starting_today_after_its_window_opened_runs_the_next_day() -> None:
    case = CASES["story.schedule-starting-today"]
    _created, ran = _outputs(case)
    (run,) = [o for o in ran if isinstance(o, Response)]
    assert run.mode == "scheduled" and settlement_day(run.responded_at) == case.state.today + ONE_DAY


@pytest.mark.req("AUD-1", "AUD-2")
def test_an_audit_trail_longer_than_a_page_is_read_whole_in_order() -> None:
    case = CASES["story.long-audit-trail"]
    *_, (extract,) = _outputs(case)
    requests = [e.request.request_id for e in case.events if isinstance(e, SubmitRequest)]
    assert isinstance(extract, AuditExtract)
    assert len(extract.records) == 2 * len(requests) > 256
    assert [r.reference for r in extract.records if r.kind == "request"] == requests
