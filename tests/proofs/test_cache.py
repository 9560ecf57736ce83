"""The proof cache answers only for the exact sources it was proved from: a
changed byte in the model, the encoding or the tables gives another key, and
the proofs run again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from mhhs_sec.proofs import cache
from mhhs_sec.proofs.run import Result
from mhhs_sec.proofs.solve import Step, Trace

from mhhs_sec.cli import main

TRACE = Trace({"gen": 0, "kind": 0}, {"etd": True}, {"now": 5, "c_on": False},
              (Step({"kind": 1}, {"on": True}, {"now": 9}),), (3, 4))  # fmt: skip


def _results(status: str, trace: Trace | None) -> list[Result]:
    return [Result("an-invariant", ("REG-4",), status, 0.5, "statement", {"settlement_tz": "uk"}, "",
                   {"consecution": "unsat"}, trace, ["a-fault"], {"a-fault": TRACE})]  # fmt: skip


@pytest.fixture
def sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Copies of the model and proofs packages, as the cache's sources; the
    cache folder under tmp_path."""
    roots = []
    for root in cache.source_roots():
        copy = tmp_path / "src" / root.name
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns("__pycache__"))
        roots.append(copy)
    monkeypatch.setattr(cache, "source_roots", lambda: roots)
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    return roots


class Prover:
    """Stands for prove_all: counts its runs."""

    def __init__(self, status: str, trace: Trace | None = TRACE) -> None:
        self.runs, self.status, self.trace = 0, status, trace

    def __call__(self) -> list[Result]:
        self.runs += 1
        return _results(self.status, self.trace)


@pytest.mark.req("REG-4")
def test_unchanged_sources_answer_from_the_cache(sources: list[Path]) -> None:
    prover = Prover("proved")
    first = cache.cached(prover, False, 4)
    again = cache.cached(prover, False, 4)
    assert (first.hit, again.hit, prover.runs) == (False, True, 1)
    assert again.results == first.results  # traces included, read back whole


@pytest.mark.req("REG-4")
@pytest.mark.parametrize("changed", ["model/tables.py", "proofs/encode.py", "proofs/obligations.py"])
def test_a_changed_source_invalidates_the_cache(sources: list[Path], changed: str) -> None:
    cache.cached(Prover("proved"), False, 4)
    path = sources[0].parent / changed
    path.write_text(path.read_text() + "\n# changed\n")
    prover = Prover("violated")
    found = cache.cached(prover, False, 4)
    assert not found.hit and prover.runs == 1
    assert found.results[0].status == "violated"


@pytest.mark.req("REG-4")
def test_a_new_source_file_invalidates_the_cache(sources: list[Path]) -> None:
    cache.cached(Prover("proved"), False, 4)
    (sources[1] / "extra.py").write_text("RULE = 1\n")
    assert not cache.cached(Prover("proved"), False, 4).hit


@pytest.mark.req("REG-4")
def test_run_options_and_written_vectors(sources: list[Path]) -> None:
    cache.cached(Prover("proved"), False, 4)
    # other run options are other answers
    assert not cache.cached(Prover("proved"), True, 4).hit
    assert not cache.cached(Prover("proved"), False, 3).hit
    # the vector file ``prove --vectors`` writes is an output, not a source
    (sources[1] / "vectors" / "counterexamples.json").write_text("{}\n")
    assert cache.cached(Prover("proved"), False, 4).hit


@pytest.mark.req("REG-4")
def test_an_unreadable_entry_is_proved_again(sources: list[Path]) -> None:
    cache.cached(Prover("proved"), False, 4)
    for entry in cache.cache_dir().glob("prove-*.json"):
        entry.write_text("{not json")
    prover = Prover("proved")
    assert not cache.cached(prover, False, 4).hit and prover.runs == 1
    assert cache.cached(prover, False, 4).hit


@pytest.mark.req("REG-4", "SCH-3")
def test_prove_cli_says_when_it_answers_from_the_cache(
    sources: list[Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import mhhs_sec.proofs as proofs

    prover = Prover("proved", None)
    monkeypatch.setattr(proofs, "prove_all", lambda mutants=False: prover())
    assert main(["prove", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["cached"] is False
    assert main(["prove"]) == 0
    assert "from the proof cache" in capsys.readouterr().out
    assert main(["prove", "--no-cache", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["cached"] is False
    assert prover.runs == 2
