"""The kill matrix (``mhhs-sec mutants --kill-matrix``): every vector that
kills each mutant, not only the first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mhhs_sec.vectors import load_vectors
from mhhs_sec.vectors.loader import JSON_DIR

from mhhs_sec.cli import main
from mhhs_sec.mutation import analysis, matrix, operators, runtime

# the MC/DC boundary vectors: several of them hold a cache entry at 25 h
VECTOR_FILE = JSON_DIR / "boundary-mcdc.json"


@pytest.fixture(scope="module")
def suite() -> analysis.Suite:
    return analysis.prepare(sorted(load_vectors(VECTOR_FILE, strict=False), key=lambda v: v.id), [])


def _cache_age_flip() -> operators.Mutant:
    """The 25 h comparison of the default (exclusive) cache boundary flipped to <=."""
    source = (runtime.model_dir() / "cache.py").read_text(encoding="utf-8")
    line = next(n for n, text in enumerate(source.splitlines(), 1) if "return age < CACHE.max_age_s" in text)
    (mutant,) = [m for m in operators.mutants("cache.py", source) if m.line == line and m.operator == "compare"]
    return mutant


@pytest.fixture(scope="module")
def most_killed(suite: analysis.Suite, tmp_path_factory: pytest.TempPathFactory) -> tuple[operators.Mutant, list[str]]:
    """Of a sample of the cache's mutants, the one the most vectors kill."""
    mutants = analysis.sample(analysis.enumerate_mutants(["cache.py"]), 12)
    killed = matrix.killed(matrix.compute(suite, mutants, 1, tmp_path_factory.mktemp("m") / "m.json"))
    mutant = max(mutants, key=lambda m: (len(killed.get(m.id, [])), m.id))
    return mutant, killed[mutant.id]


def test_every_killer_is_recorded_and_each_kills_it_alone(
    suite: analysis.Suite, most_killed: tuple[operators.Mutant, list[str]]
) -> None:
    mutant, killers = most_killed
    assert len(killers) > 1, "more than the first killer"
    for vector_id in killers[:3]:
        alone = analysis.prepare([v for v in suite.vectors if v.id == vector_id], [])
        ((_, result),) = analysis.analyse(alone, [mutant], jobs=1)
        assert result["status"] == "killed", vector_id
    others = [v for v in suite.vectors if v.id not in killers]
    rest = analysis.prepare(others, analysis.random_walks(seeds=analysis.WALK_SEEDS[:1], per_seed=1))
    ((_, result),) = analysis.analyse(rest, [mutant], jobs=1)
    assert result["status"] != "killed"


def test_a_settled_killer_stands_for_the_others(
    suite: analysis.Suite, most_killed: tuple[operators.Mutant, list[str]], tmp_path: Path
) -> None:
    mutant, full = most_killed
    settled = frozenset(full[1:])
    document = matrix.compute(suite, [mutant], 1, tmp_path / "settled.json", settled)
    assert document["mutants"][mutant.id] == {"killers": [full[1]], "settled": True}


def _endless_audit_loop() -> operators.Mutant:
    """The audit trail's chunking loop negated: it never ends on a short trail."""
    source = (runtime.model_dir() / "state.py").read_text(encoding="utf-8")
    line = next(n for n, text in enumerate(source.splitlines(), 1) if "while len(recent) >= _CHUNK" in text)
    (mutant,) = [m for m in operators.mutants("state.py", source) if m.line == line and m.operator == "negate"]
    return mutant


def test_a_looping_mutant_stops_at_the_first_vector_that_exhausts_the_budget(
    suite: analysis.Suite, tmp_path: Path
) -> None:
    mutant = _endless_audit_loop()
    document = matrix.compute(suite, [mutant], 1, tmp_path / "loop.json")
    row = document["mutants"][mutant.id]
    assert row["budget"] is True
    assert len(row["killers"]) == 1, "one run to the end of the budget, not one per vector"
    assert row["killers"][0] in {v.id for v in suite.vectors}


def test_settled_files_may_be_named_by_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "matrix.json"
    code = main(["mutants", "--kill-matrix", str(out), "--jobs", "1", "--file", "model/cache.py", "--limit", "12",
                 "--vectors", str(VECTOR_FILE), "--settled", str(VECTOR_FILE)])  # fmt: skip
    assert code == 0
    document = json.loads(out.read_text())
    assert document["settled"], "the vectors of the file named by its path are settled"
    rows = [row for row in document["mutants"].values() if row.get("killers")]
    assert rows and all(row.get("settled") and len(row["killers"]) == 1 for row in rows)
    assert f"({len(document['settled'])} settled)" in capsys.readouterr().out


def test_a_stopped_run_resumes_and_the_matrix_is_deterministic(
    suite: analysis.Suite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mutant = _cache_age_flip()
    first = json.dumps(matrix.compute(suite, [mutant], 1, tmp_path / "m.json"))
    assert json.dumps(matrix.compute(suite, [mutant], 1, tmp_path / "again.json")) == first
    (tmp_path / "r.json.partial").write_text(json.dumps({"mutant": mutant.id, "killers": ["recorded"]}) + "\n")
    resumed = matrix.compute(suite, [mutant], 1, tmp_path / "r.json")
    assert resumed["mutants"][mutant.id] == {"killers": ["recorded"]}
    assert not (tmp_path / "r.json.partial").exists()


def test_command_writes_the_matrix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "matrix.json"
    code = main(["mutants", "--kill-matrix", str(out), "--jobs", "1", "--file", "model/cache.py", "--limit", "3",
                 "--vectors", str(VECTOR_FILE)])  # fmt: skip
    assert code == 0
    document = json.loads(out.read_text())
    assert len(document["mutants"]) == 3
    assert document["vectors"] == sorted(v.id for v in load_vectors(VECTOR_FILE, strict=False))
    assert "kill matrix of 3 mutants" in capsys.readouterr().out
