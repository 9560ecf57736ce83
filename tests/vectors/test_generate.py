"""The generators: Z3 MC/DC pairs really flip the condition and the outcome,
the model agrees with the Z3 prediction, gaps and empty classes are reported
with a reason, the exact edges are where the catalogue puts them, and runs are
deterministic."""

from __future__ import annotations

import pytest
import z3
from mhhs_sec.generate import boundary, classes, edges, targeted, walks
from mhhs_sec.generate.build import build_vector
from mhhs_sec.generate.decision_defs import CACHE_AGE, DECISIONS, DEVICE, FLAG
from mhhs_sec.generate.decisions import Inputs
from mhhs_sec.generate.mcdc import Decision, Gap, Pair, mcdc
from mhhs_sec.generate.writer import document, dumps

HOUR = 3600


@pytest.mark.parametrize("decision", [DEVICE, FLAG, CACHE_AGE], ids=lambda d: d.name)
def test_each_pair_flips_its_condition_and_the_outcome(decision: Decision) -> None:
    for item in mcdc(decision):
        assert isinstance(item, Pair), item
        a, b = item.sides
        assert a.conditions[item.condition] != b.conditions[item.condition]
        assert a.outcome != b.outcome
        others = {n for n in a.conditions if n != item.condition and a.conditions[n] != b.conditions[n]}
        assert others == set(item.moved)


@pytest.mark.req("AC-6", "AC-7", "FS-2", "FS-4", "REG-11")
def test_the_model_agrees_with_every_z3_prediction() -> None:
    # boundary.cases raises CaseError when the model's outcome differs from Z3's.
    results = [(d, mcdc(d)) for d in (DEVICE, FLAG)]
    produced = list(boundary.cases(results))
    assert len(produced) == 2 * sum(len(found) for _, found in results)


def test_a_condition_that_cannot_flip_is_a_gap_with_a_reason() -> None:
    def conditions(i: Inputs) -> dict[str, z3.BoolRef]:
        return {"x": i.bool("x"), "never": i.bool("never")}

    stuck = Decision("stuck", ("AC-3",), conditions, lambda i, c: z3.And(c["x"], c["never"]),
                     lambda i: z3.Not(i.bool("never")))  # fmt: skip
    found = {item.condition: item for item in mcdc(stuck)}
    assert isinstance(found["never"], Gap) and "always False" in found["never"].reason
    assert isinstance(found["x"], Gap)


@pytest.mark.req("C-5", "C-11")
def test_cache_age_edges_are_25h_minus_at_and_plus_one_second() -> None:
    assert edges.around(25 * HOUR) == (25 * HOUR - 1, 25 * HOUR, 25 * HOUR + 1)
    ages = set()
    for item in mcdc(CACHE_AGE):
        assert isinstance(item, Pair)
        ages |= {side.values["age_s"] for side in item.sides}
    assert ages == {25 * HOUR - 1, 25 * HOUR, 25 * HOUR + 1}


@pytest.mark.req("REG-4")
def test_efd_edges_are_one_minute_apart() -> None:
    before, at = edges.edge_pair(1_750_000_000 - 1_750_000_000 % 60)
    assert at - before == 60


def test_empty_classes_are_reported_with_the_constraints_that_empty_them() -> None:
    result = classes.solve("supplier", "on-etd", "fresh", "SMETS2", "reject")
    assert result.witness is None and result.reason and "cache-needs-cacheable-device" in result.reason
    facts = classes.coverage_facts()["classes"]
    assert len(facts) == len(list(classes.view()))
    assert any(f["witnesses"] == 0 for f in facts.values()) and any(f["witnesses"] == 1 for f in facts.values())


def test_generation_is_deterministic() -> None:
    def text() -> str:
        return dumps(document("targeted", "t", "t", [build_vector(c) for c in targeted.cases()]))

    assert text() == text()


def test_random_walks_are_reproducible_from_their_seeds() -> None:
    first = [w.events for w in walks.explore()]
    assert first == [w.events for w in walks.explore()]
    assert max(len(e) for e in first) >= walks.MIN_ACTIONS


def test_every_decision_names_catalogue_requirements() -> None:
    for decision in DECISIONS:
        assert decision.requirements and all("-" in r for r in decision.requirements)
