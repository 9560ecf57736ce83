"""``mhhs-sec generate``: --report prints the coverage, --check fails on stale
vectors with the command to run, and the coverage section is deterministic."""

from __future__ import annotations

import pytest
from mhhs_sec.generate import check as check_module
from mhhs_sec.generate.coverage import report, trace_section
from mhhs_sec.generate.decision_defs import DECISIONS

from mhhs_sec.cli import main


def test_report_lists_decisions_classes_and_gaps(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--report"]) == 0
    out = capsys.readouterr().out
    assert "MC/DC" in out and "classes" in out
    section = trace_section()
    assert section == trace_section()
    assert all(f"| {d.name} |" in section for d in DECISIONS)


def test_every_rule_row_has_vectors_or_a_stated_gap() -> None:
    from mhhs_sec.requirements import REQUIREMENTS

    data = report()
    for rid, requirement in REQUIREMENTS.items():
        if requirement.kind == "rule":
            assert data["requirements"].get(rid, 0) > 0 or rid in data["rule_gaps"], rid


def test_a_model_change_makes_the_vectors_stale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check_module, "model_revision", lambda: "sha256:" + "0" * 32)
    problems = check_module._revisions()
    assert problems and all("stale" in p and "mhhs-sec generate" in p for p in problems)


def test_check_exit_code(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(check_module, "check", lambda **_: (["x.json: stale; run `mhhs-sec generate`"], []))
    assert main(["generate", "--check"]) == 1
    assert "mhhs-sec generate" in capsys.readouterr().err
    monkeypatch.setattr(check_module, "check", lambda **_: ([], []))
    assert main(["generate", "--check"]) == 0
