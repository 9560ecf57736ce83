"""Minimising the older vector groups (``generate/minimise.py``): the greedy
cover keeps every atom and is deterministic, and the committed outcome
(``generate/minimised.tsv``) still holds every atom it records."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from mhhs_sec.conformance.faults import FAULTS_BY_NAME
from mhhs_sec.conformance.selfcheck import selfcheck
from mhhs_sec.generate import minimise
from mhhs_sec.vectors import load_vectors
from mhhs_sec.vectors.loader import JSON_DIR

from mhhs_sec.mutation import analysis, operators
from mhhs_sec.settings import PROJECT_ROOT

ORDER = ["whole", "a", "b", "c", "d", "e", "f"]
ATOMS = {
    "whole": {"x"},
    "a": {"x", "y"},
    "b": {"y", "z"},
    "c": {"z"},
    "d": {"w"},
    "e": {"y"},
    "f": {"v", "u"},
}
CANDIDATES = set(ORDER) - {"whole"}


def _staying(choice: minimise.Choice) -> set[str]:
    return {v for v in ORDER if v not in CANDIDATES} | set(choice.kept)


def test_the_cover_keeps_every_atom_and_drops_what_others_hold() -> None:
    choice = minimise.cover(ORDER, ATOMS, CANDIDATES)
    staying = _staying(choice)
    assert set().union(*(ATOMS[v] for v in staying)) == set().union(*ATOMS.values())
    assert set(choice.dropped) == set(ORDER) - staying
    assert {"d", "f"} <= set(choice.kept), "the only vectors with w, u, v stay"
    assert "whole" in staying and "whole" not in choice.dropped
    assert len(staying) == 4, "whole, b (y and z), d, f: a, c and e add nothing"
    for atom, vector in choice.covered.items():
        assert vector in staying and atom in ATOMS[vector]
    assert set(choice.covered) == set().union(*(ATOMS[v] for v in choice.dropped))
    for vector, atom in choice.kept.items():
        assert atom in ATOMS[vector]


def test_the_cover_is_deterministic_whatever_the_order_sets_are_built_in() -> None:
    first = minimise.cover(ORDER, ATOMS, CANDIDATES)
    shuffled = random.Random(7)
    for _ in range(5):
        atoms = {v: set(shuffled.sample(sorted(a), len(a))) for v, a in reversed(list(ATOMS.items()))}
        again = minimise.cover(ORDER, atoms, set(shuffled.sample(sorted(CANDIDATES), len(CANDIDATES))))
        assert minimise.render(again, ORDER) == minimise.render(first, ORDER)


def test_a_vector_kept_whole_is_never_dropped() -> None:
    choice = minimise.cover(["whole", "a"], {"whole": {"x"}, "a": {"x", "y"}}, {"a"})
    assert choice.kept == {"a": "y"}
    assert choice.dropped == ()


def test_render_and_read_give_the_same_choice(tmp_path: Path) -> None:
    choice = minimise.cover(ORDER, ATOMS, CANDIDATES)
    path = tmp_path / "minimised.tsv"
    path.write_text(minimise.render(choice, ORDER), encoding="utf-8")
    assert minimise.read(path) == choice


# -- the committed outcome -----------------------------------------------------


@pytest.fixture(scope="module")
def committed() -> dict[str, dict[str, object]]:
    return {
        v["id"]: v | {"group": p.stem}
        for p in sorted(JSON_DIR.glob("*.json"))
        for v in json.loads(p.read_text(encoding="utf-8"))["vectors"]
    }


def test_the_committed_minimised_groups_hold_the_kept_vectors_and_no_dropped_one(
    committed: dict[str, dict[str, object]],
) -> None:
    choice = minimise.read()
    in_groups = {v for v, data in committed.items() if data["group"] in minimise.GROUPS}
    assert set(choice.kept) <= in_groups
    assert not set(choice.dropped) & set(committed)
    assert choice.dropped, "the minimisation dropped something"


def test_every_atom_of_a_dropped_vector_is_carried_by_a_committed_vector(
    committed: dict[str, dict[str, object]],
) -> None:
    choice = minimise.read()
    assert choice.covered, "the dropped vectors' atoms are recorded"
    for atom, vector in choice.covered.items():
        assert vector in committed, (atom, vector)
        kind = atom.split(":", 1)[0]
        if kind not in ("mutant", "fault", "named"):
            assert atom in minimise.carried_atoms(committed[vector]), (atom, vector)


def test_no_dropped_vector_is_named_anywhere() -> None:
    assert not minimise.named(minimise.read().dropped, PROJECT_ROOT)


def test_each_seeded_fault_recorded_is_caught_by_its_committed_vector() -> None:
    faults = {a.split(":", 1)[1]: v for a, v in minimise.read().covered.items() if a.startswith("fault:")}
    assert faults
    vectors = [v for v in load_vectors(None, strict=False) if v.id in set(faults.values())]
    document = selfcheck(vectors, [FAULTS_BY_NAME[name] for name in sorted(faults)], jobs=1)
    for entry in document["faulty"]:
        assert faults[entry["name"]] in entry["caught_by"], entry["name"]


def test_a_sample_of_the_recorded_mutants_is_killed_by_its_committed_vector() -> None:
    mutants = {a.split(":", 1)[1]: v for a, v in minimise.read().covered.items() if a.startswith("mutant:")}
    assert mutants
    chosen = analysis.sample(sorted(mutants), 4)
    by_file: dict[str, list[str]] = {}
    for mutant_id in chosen:
        by_file.setdefault(mutant_id.split("#")[0], []).append(mutant_id)
    known = {m.id: m for m in analysis.enumerate_mutants(sorted(by_file))}
    for mutant_id in chosen:
        vectors = [v for v in load_vectors(None, strict=False) if v.id == mutants[mutant_id]]
        suite = analysis.prepare(vectors, [])
        mutant: operators.Mutant = known[mutant_id]
        ((_, result),) = analysis.analyse(suite, [mutant], jobs=1)
        assert result["status"] == "killed", (mutant_id, mutants[mutant_id])


def test_the_command_wants_its_companion_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from mhhs_sec.cli import main

    assert main(["generate", "--unminimised"]) == 2
    assert main(["generate", "--minimise", str(tmp_path)]) == 2
    assert main(["generate", "--kill-matrix", str(tmp_path / "m.json")]) == 2
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.json").write_text("{}")
    assert main(["generate", "--unminimised", "--out", str(tmp_path / "full")]) == 2
    err = capsys.readouterr().err
    assert "--out DIR" in err and "--kill-matrix" in err and "not an empty folder" in err
