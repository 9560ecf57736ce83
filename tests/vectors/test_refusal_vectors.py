"""The refusal vectors: each invalid event is refused with a catalogue-cited
requirement, and the read that follows is answered exactly as it is when the
invalid event never came (the state was kept)."""

from __future__ import annotations

import pytest
from mhhs_sec.generate import refusals
from mhhs_sec.generate.build import Case, run_case
from mhhs_sec.model import InvalidEvent


@pytest.mark.req("REG-5", "REG-1", "REG-2", "REG-12", "SCH-1")
@pytest.mark.parametrize("case", refusals.cases(), ids=lambda c: c.id)
def test_the_invalid_event_is_refused_and_the_state_kept(case: Case) -> None:
    refused, after = run_case(case.state, case.events)
    assert isinstance(refused, InvalidEvent)
    assert not isinstance(after, InvalidEvent)
    (alone,) = run_case(case.state, case.events[1:])
    assert after == alone
