"""The stories: each shows the rule edge it was written for (E19 for a device
the inventory lacks; SCH-3 at the load of a registration whose change has
begun; C-2 when a device is loaded again as another generation; SCH-8 with a
held 5.1 decided again when it runs)."""

from __future__ import annotations

import pytest
from mhhs_sec.generate import stories
from mhhs_sec.generate.build import Case, run_case
from mhhs_sec.model import InvalidEvent
from mhhs_sec.model.outputs import Acknowledgement, Alert, Response

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
