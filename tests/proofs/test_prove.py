"""The invariants are proved for every reachable state of the abstraction, none vacuously, fast
enough for CI, and ``mhhs-sec prove`` reports them."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
import z3
from mhhs_sec.proofs import OBLIGATIONS, prove_all
from mhhs_sec.proofs.inputs import reference_inputs
from mhhs_sec.proofs.obligations import AUXILIARY
from mhhs_sec.proofs.run import Result, check_inputs
from mhhs_sec.proofs.solve import Induction
from mhhs_sec.proofs.symbolic import gen

from mhhs_sec.cli import main

ISSUE_ITEMS = ("REG-4", "C-5", "C-7", "C-1", "C-2", "C-6", "AC-1", "AC-6", "AC-7", "AC-8", "FS-2", "FS-4", "FS-5",
               "TRT-2", "TRT-3", "SCH-3", "REG-5")  # fmt: skip


@pytest.fixture(scope="module")
def results() -> list[Result]:
    return prove_all()


@pytest.mark.req("REG-4", "REG-5", "AC-1", "AC-6", "AC-7", "AC-8", "FS-2", "FS-4", "FS-5", "TRT-2", "TRT-3",
                 "C-1", "C-2", "C-5", "C-6", "C-7", "SCH-3")  # fmt: skip
def test_every_invariant_is_proved_for_every_reachable_state(results: list[Result]) -> None:
    assert [r.name for r in results] == [ob.name for ob in OBLIGATIONS]
    failed = {r.name: (r.status, r.checks) for r in results if r.status != "proved"}
    assert not failed
    for r in results:
        # initiation and consecution of the inductive conjunction, auxiliary invariants included
        assert r.checks["initiation"] == "unsat" and r.checks["consecution"] == "unsat"
        assert all(r.checks[a.name] == "proved" for a in AUXILIARY)


@pytest.mark.req("REG-4", "C-5", "SCH-3")
def test_the_two_processes_prove_what_one_process_does(results: list[Result]) -> None:
    # prove_all splits the obligations between this process and a forked copy;
    # check_inputs proves them all here: the same verdicts, checks and reasons
    def verdicts(rows: list[Result]) -> list[tuple[object, ...]]:
        return [(r.name, r.status, r.checks, r.reason, r.counterexample) for r in rows]

    assert verdicts(check_inputs(reference_inputs())) == verdicts(results)


@pytest.mark.req("REG-4", "C-5", "C-7", "C-1", "AC-1", "FS-2", "TRT-2", "TRT-3", "SCH-3", "REG-5")
def test_no_proof_is_vacuous(results: list[Result]) -> None:
    # each invariant's hypotheses (e.g. 'the outgoing MDRA receives an entry') can be met
    assert {r.name: r.checks["vacuity"] for r in results} == {r.name: "sat" for r in results}


@pytest.mark.req("REG-4", "REG-8")
def test_reg4_is_proved_under_both_settlement_day_profiles() -> None:
    profiles = {tuple(sorted(ob.profile.items())) for ob in OBLIGATIONS if "REG-4" in ob.requirements}
    assert profiles == {(("settlement_tz", False),), (("settlement_tz", True),)}


@pytest.mark.req(*ISSUE_ITEMS)
def test_every_issue_requirement_has_an_invariant(catalogue_file: Path) -> None:
    known = set(re.findall(r"^\| ([A-Z0-9]+-\d+) \|", catalogue_file.read_text(), re.MULTILINE))
    tagged = {req for ob in (*OBLIGATIONS, *AUXILIARY) for req in ob.requirements}
    assert tagged <= known, tagged - known
    assert set(ISSUE_ITEMS) <= tagged


@pytest.mark.req("REG-4", "C-5", "TRT-2")
def test_prove_json_cli(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["prove", "--json"])
    document = json.loads(capsys.readouterr().out)
    assert code == 0
    rows = document["invariants"]
    assert [r["name"] for r in rows] == [ob.name for ob in OBLIGATIONS]
    for row in rows:
        assert set(row) == {"name", "requirements", "profile", "status", "seconds"}
        assert row["status"] == "proved" and isinstance(row["seconds"], float)
    assert document["cached"] is False


@pytest.mark.req("SCH-3", "REG-8", "C-5")
def test_prove_says_which_profile_values_each_invariant_holds_under(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prove", "--json"]) == 0
    under = {row["name"]: row["profile"] for row in json.loads(capsys.readouterr().out)["invariants"]}
    # SCH-3: one invariant per option value; REG-8: REG-4 under each settlement day
    assert under["outgoing-schedules-end-at-efd"] == {"schedules_on_mdra_change": "delete"}
    assert under["outgoing-schedule-runs-refused-after-efd"]["schedules_on_mdra_change"] == "keep"
    assert under["outgoing-mdra-no-data-from-efd[utc]"] == {"settlement_tz": "utc"}
    assert under["cache-held-at-most-25h"] == {}  # both C-11 values: the option is a parameter of the proof
    assert main(["prove"]) == 0
    text = capsys.readouterr().out
    assert "from the proof cache" in text
    rows = {line.split()[0]: line for line in text.splitlines() if line.split() and line.split()[0] in under}
    assert rows["outgoing-schedules-end-at-efd"].endswith("schedules_on_mdra_change=delete")
    assert rows["cache-held-at-most-25h"].endswith("every profile")


@pytest.mark.req("C-1", "C-2")
def test_a_witness_no_step_can_meet_is_found_vacuous() -> None:
    # after a satisfiable witness (whose model is kept and tried first), one no
    # step meets: a SMETS2 entry held in the cache (C-2)
    induction = Induction(reference_inputs())
    scope = next(ob for ob in OBLIGATIONS if ob.name == "cache-scope")
    assert induction.vacuity(scope) == z3.sat
    smets2 = dataclasses.replace(scope, witness=lambda ctx, s, e, o, s2: z3.And(s2.c_on, ctx.gen != gen("SMETS1")))
    assert induction.vacuity(smets2) == z3.unsat
