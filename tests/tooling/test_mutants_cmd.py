"""Mutation analysis of the model (``mhhs-sec mutants``): the mutator, and the
verdicts of known mutants against a small part of the committed vectors."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
from mhhs_sec.vectors import load_vectors
from mhhs_sec.vectors.loader import JSON_DIR

from mhhs_sec.cli import main
from mhhs_sec.mutation import analysis, operators, runtime

# the vector file holding the MC/DC boundary vectors (the cache's 25 h among them)
VECTOR_FILE = JSON_DIR / "boundary-mcdc.json"

TINY = """\
def within(age, limit):
    if age < limit and limit > 0:
        return True
    return False
"""


def _function(tree: ast.Module) -> Any:
    namespace: dict[str, Any] = {}
    exec(compile(tree, "tiny.py", "exec"), namespace)
    return namespace["within"]


def test_enumeration_is_deterministic_and_names_each_point() -> None:
    source = (runtime.model_dir() / "cache.py").read_text(encoding="utf-8")
    first, second = operators.mutants("cache.py", source), operators.mutants("cache.py", source)
    assert first == second
    assert len({m.id for m in first}) == len(first)
    assert all(m.line >= 1 and m.column >= 0 and m.file == "cache.py" for m in first)


def test_tiny_module_has_the_usual_operators() -> None:
    found = {m.operator for m in operators.mutants("tiny.py", TINY)}
    assert {"compare", "bool-op", "drop-operand", "negate", "drop-statement", "true-false"} <= found
    assert "constant+1" in found  # the 0


def test_applying_a_mutant_changes_behaviour() -> None:
    (flip,) = [m for m in operators.mutants("tiny.py", TINY) if m.operator == "compare" and "<" in m.detail]
    original, mutated = _function(ast.parse(TINY)), _function(operators.mutated_tree(TINY, flip.ordinal))
    assert original(5, 5) is False
    assert mutated(5, 5) is True
    assert original(4, 5) is mutated(4, 5) is True


MARKED = """\
class Source:
    def read(self) -> int:
        \"\"\"A stub.\"\"\"
        ...


def hook(seen, event):
    if seen:  # not mutated: a hook of the runtime checks
        seen.append(event)
    return None


# not mutated: printing only
def show(value):
    return str(value + 1)
"""


def test_no_op_drops_and_marked_statements_are_not_mutated() -> None:
    found = operators.mutants("marked.py", MARKED)
    # dropping the stub's ``...``, the final ``return None`` or anything marked leaves the same program
    assert [m.line for m in found] == []
    assert operators.not_mutated(MARKED) == [(8, "a hook of the runtime checks"), (14, "printing only")]


def test_the_report_lists_what_the_model_marks_not_mutated_with_the_reason() -> None:
    listed = analysis.not_mutated(["machine.py"])
    assert listed, "the runtime-check hooks of machine.py are marked"
    assert all(e["file"] == "model/machine.py" and e["reason"] for e in listed)
    source = (runtime.model_dir() / "machine.py").read_text(encoding="utf-8")
    marked = {e["line"] for e in listed}
    spans = [(n.lineno, n.end_lineno or n.lineno) for n in ast.walk(ast.parse(source))
             if isinstance(n, ast.stmt) and n.lineno in marked]  # fmt: skip
    assert len(spans) == len(marked)
    assert not [m for m in operators.mutants("machine.py", source) if any(a <= m.line <= b for a, b in spans)]


def test_an_unmarked_return_none_inside_a_branch_is_still_dropped() -> None:
    source = "def f(x):\n    if x:\n        return None\n    return 1\n"
    dropped = [m.line for m in operators.mutants("f.py", source) if m.operator == "drop-statement"]
    assert dropped == [3, 4]


def test_the_source_is_not_changed_by_enumerating_or_applying() -> None:
    tree = operators.mutated_tree(TINY, 0)
    assert ast.unparse(tree) != ast.unparse(ast.parse(TINY))
    assert _function(ast.parse(TINY))(5, 5) is False


@pytest.fixture(scope="module")
def suite() -> analysis.Suite:
    vectors = sorted(load_vectors(VECTOR_FILE, strict=False), key=lambda v: v.id)
    return analysis.prepare(vectors, analysis.random_walks(seeds=analysis.WALK_SEEDS[:1], per_seed=1))


def _cache_age_flip() -> operators.Mutant:
    """The 25 h comparison of the default (exclusive) cache boundary flipped to <=."""
    source = (runtime.model_dir() / "cache.py").read_text(encoding="utf-8")
    line = next(n for n, text in enumerate(source.splitlines(), 1) if "return age < CACHE.max_age_s" in text)
    (mutant,) = [m for m in operators.mutants("cache.py", source) if m.line == line and m.operator == "compare"]
    return mutant


def test_flipping_the_cache_age_boundary_is_killed(suite: analysis.Suite) -> None:
    ((mutant, result),) = analysis.analyse(suite, [_cache_age_flip()], jobs=1)
    assert mutant.detail == "< -> <="
    assert result["status"] == "killed"
    assert result["by"]["status"] in ("fail", "error")


def test_a_no_op_mutant_is_equivalent(suite: analysis.Suite, monkeypatch: pytest.MonkeyPatch) -> None:
    # injected: the mutant's tree is the unmutated source (workers are forked, so they see the patch)
    monkeypatch.setattr(operators, "mutated_tree", lambda source, ordinal: ast.parse(source))
    assert suite.coverage is not None
    source = (runtime.model_dir() / "cache.py").read_text(encoding="utf-8")
    walked = [m for m in operators.mutants("cache.py", source) if suite.coverage.walked(analysis._lines(m))]
    ((_, result),) = analysis.analyse(suite, walked[-1:], jobs=1)
    assert result["status"] == "equivalent"
    assert result["evidence"] == f"no difference in {suite.walk_events} random events"
    assert suite.walk_events > 0


def test_a_mutant_that_loops_for_ever_is_killed_by_the_step_budget(
    suite: analysis.Suite, monkeypatch: pytest.MonkeyPatch
) -> None:
    def looping(source: str, ordinal: int) -> ast.Module:
        tree = ast.parse(source)
        function = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "is_fresh")
        function.body.insert(0, ast.parse("while True:\n    pass").body[0])
        return ast.fix_missing_locations(tree)

    monkeypatch.setattr(operators, "mutated_tree", looping)
    ((_, result),) = analysis.analyse(suite, [_cache_age_flip()], jobs=1)
    assert result["status"] == "killed"
    assert "step budget" in result["by"]["reason"]


def test_an_unexecuted_mutant_is_unconfirmed_without_running(suite: analysis.Suite) -> None:
    source = (runtime.model_dir() / "registration.py").read_text(encoding="utf-8")
    mutants = operators.mutants("registration.py", source)
    assert suite.coverage is not None
    unexecuted = [m for m in mutants if analysis._unexecuted(suite, m)]
    assert unexecuted, "some input check of registration.py is not reached by the MC/DC vectors"
    ((_, result),) = analysis.analyse(suite, unexecuted[:1], jobs=1)
    assert result["status"] == "unconfirmed"


def test_command_json_report(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["mutants", "--json", "--jobs", "2", "--file", "model/cache.py", "--limit", "4",
                 "--vectors", str(VECTOR_FILE)])  # fmt: skip
    document = json.loads(capsys.readouterr().out)
    assert code == 0
    assert document["mutants"] == 4
    counted = sum(document[s] for s in ("killed", "survived", "equivalent", "unconfirmed"))
    assert counted == 4
    assert all(entry["file"] == "model/cache.py" for entry in document["survivors"])


def test_command_refuses_a_file_outside_the_model(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(["mutants", "--file", "model/nothing.py", "--vectors", str(VECTOR_FILE), "--limit", "1"])
    assert code == 2
    assert "nothing.py" in capsys.readouterr().err


def test_a_mutant_that_ends_its_process_is_killed(suite: analysis.Suite, monkeypatch: pytest.MonkeyPatch) -> None:
    def exiting(source: str, ordinal: int) -> ast.Module:
        tree = ast.parse(source)
        tree.body.extend(ast.parse("import os\nos._exit(3)").body)
        return ast.fix_missing_locations(tree)

    monkeypatch.setattr(operators, "mutated_tree", exiting)
    ((_, result),) = analysis.analyse(suite, [_cache_age_flip()], jobs=1)
    assert result["status"] == "killed"
    assert "exit code 3" in result["by"]["reason"]
