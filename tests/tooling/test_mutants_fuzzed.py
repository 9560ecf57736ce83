"""Mutants of the model's input reading that no random walk reaches are
judged on inputs fuzzed from the vectors (``mhhs_sec.mutation.fuzzed``): one
that changes only the text of a refusal's message or its field path (which
no vector compares) is equivalent; one that changes the refused requirement
is told apart, with the input that shows it."""

from __future__ import annotations

import ast

import pytest
from mhhs_sec.vectors import load_vectors
from mhhs_sec.vectors.loader import JSON_DIR

from mhhs_sec.mutation import analysis, fuzzed, operators, runtime

VECTOR_FILE = JSON_DIR / "boundary-mcdc.json"
FUZZ_INPUTS = 300
ROLE_CHECK = 'raise MalformedValue("request.role", "REG-1"'


@pytest.fixture(scope="module")
def suite() -> analysis.Suite:
    vectors = sorted(load_vectors(VECTOR_FILE, strict=False), key=lambda v: v.id)
    return analysis.prepare(vectors, [], FUZZ_INPUTS)


def _source() -> str:
    return (runtime.model_dir() / "validate.py").read_text(encoding="utf-8")


def _role_check_mutant() -> operators.Mutant:
    """A mutant on the line refusing a request's unknown role (its own change is replaced below)."""
    line = next(n for n, text in enumerate(_source().splitlines(), 1) if ROLE_CHECK in text)
    return next(m for m in operators.mutants("validate.py", _source()) if m.line == line)


def _replacing(old: str, new: str) -> object:
    def mutated(source: str, ordinal: int) -> ast.Module:
        assert old in source
        return ast.parse(source.replace(old, new))

    return mutated


def test_fuzzed_inputs_are_seeded_and_mostly_refused(suite: analysis.Suite) -> None:
    vectors = sorted(load_vectors(VECTOR_FILE, strict=False), key=lambda v: v.id)
    again = fuzzed.inputs(vectors, FUZZ_INPUTS)
    assert [(i.initial_state, i.event) for i in again] == [(i.initial_state, i.event) for i in suite.fuzz_inputs]
    observed = [i.observed for i in suite.fuzz_inputs]
    assert any(o is not None and "refused" in o for o in observed)
    assert any(o is not None and "outputs" in o for o in observed)


def test_the_role_check_is_reached_by_fuzzed_inputs_only(suite: analysis.Suite) -> None:
    mutant = _role_check_mutant()
    assert suite.coverage is not None
    assert not suite.coverage.walked(analysis._lines(mutant))
    assert analysis._fuzzable(suite, mutant)


def test_a_message_only_mutant_is_equivalent(suite: analysis.Suite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(operators, "mutated_tree", _replacing("role must be one of", "no such role; one of"))
    ((_, result),) = analysis.analyse(suite, [_role_check_mutant()], jobs=1)
    assert result["status"] == "equivalent"
    assert result["evidence"] == f"no observable difference on {FUZZ_INPUTS} fuzzed inputs"


def test_a_field_path_mutant_is_equivalent(suite: analysis.Suite, monkeypatch: pytest.MonkeyPatch) -> None:
    """A vector's refused step compares the requirement, never the field path
    (docs/adapter-protocol.md, "Refusals"): a mutant naming another field is
    one no vector can tell from the model."""
    monkeypatch.setattr(operators, "mutated_tree", _replacing('"request.role", "REG-1"', '"request.srv", "REG-1"'))
    ((_, result),) = analysis.analyse(suite, [_role_check_mutant()], jobs=1)
    assert result["status"] == "equivalent"
    assert result["evidence"] == f"no observable difference on {FUZZ_INPUTS} fuzzed inputs"


def test_a_requirement_mutant_survives(suite: analysis.Suite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(operators, "mutated_tree", _replacing('"request.role", "REG-1"', '"request.role", "AC-1"'))
    ((_, result),) = analysis.analyse(suite, [_role_check_mutant()], jobs=1)
    assert result["status"] == "survived"
    shown = result["walk"]
    assert shown["expected"] == {"refused": {"field": "request.role", "requirement": "REG-1"}}
    assert shown["actual"] == {"refused": {"field": "request.role", "requirement": "AC-1"}}
    assert "event" in shown and "initial_state" in shown
