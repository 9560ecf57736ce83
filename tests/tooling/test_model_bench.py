"""The model benchmark's analysis modes: ``--bounds`` replays the meter's and
access control's own results, so its figures mean something only if the
replayed runs give the same outputs; ``--breakdown`` and ``--bounds`` must
leave the model as they found it."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from mhhs_sec.generate import synthetic_meter
from mhhs_sec.model import cache, execution, machine, meter
from mhhs_sec.model.events import AdvanceClock, SubmitRequest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "model_bench.py"


@pytest.fixture(scope="module")
def model_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("model_bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["model_bench"] = module
    spec.loader.exec_module(module)
    return module


def _model_functions() -> list[object]:
    return [
        machine._HANDLERS[AdvanceClock], machine._HANDLERS[SubmitRequest], machine._Agenda.pop,
        machine.authorise, execution.authorise, execution._read, meter.entries, synthetic_meter._day_block,
        cache.expire,
    ]  # fmt: skip


def test_bounds_replay_gives_the_same_outputs(model_bench: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    before = _model_functions()
    assert model_bench.main(["--events", "3000", "--seed", "7", "--breakdown", "--bounds"]) == 0
    printed = capsys.readouterr().out
    bounds = re.findall(r"^  (.+): [\d.]+ us per event, [\d,]+ events/s \((.+)\)$", printed, re.MULTILINE)
    assert [label for label, _ in bounds] == ["UTC day blocks computed beforehand", "access decisions replayed", "both"]
    assert all(verdict == "same outputs" for _, verdict in bounds), printed
    assert "schedule runs" in printed and "UTC day blocks computed" in printed
    assert _model_functions() == before  # every patch undone
