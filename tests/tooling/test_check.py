"""`mhhs-sec check`: the bundled scenarios, and that a broken rule makes it fail."""

from __future__ import annotations

import pytest
from mhhs_sec.model import cache
from mhhs_sec.model.scenarios import SCENARIOS, run


def test_every_bundled_scenario_passes() -> None:
    assert {s.name: run(s) for s in SCENARIOS} == {s.name: [] for s in SCENARIOS}


@pytest.mark.req("C-5", "C-11")
def test_a_cache_kept_26_hours_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "is_fresh", lambda retrieved_at, now, profile: now - retrieved_at < 26 * 3600)
    problems = [p for s in SCENARIOS for p in run(s)]
    assert any("device_read expected True" in p for p in problems)
