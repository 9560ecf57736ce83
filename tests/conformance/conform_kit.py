"""Helpers of the conformance runner tests: the committed vectors, the fake
misbehaving implementations (``fakes/misbehave.py``, and broken in-process
classes for ``python:conform_kit:CLASS``)."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mhhs_sec.conformance.http import ImplementationServer, start_background
from mhhs_sec.conformance.reference import ReferenceImplementation

FAKE = Path(__file__).resolve().parent / "fakes" / "misbehave.py"


def fake_command(mode: str, *extra: str) -> str:
    """The ``cmd:`` adapter spec of a fake implementation."""
    words = [sys.executable, str(FAKE), mode, *extra]
    return "cmd:" + " ".join(shlex.quote(w) for w in words)


@pytest.fixture(scope="module")
def server() -> Iterator[ImplementationServer]:
    """The reference implementation's HTTP server on a loopback port, one per test module."""
    running = start_background(ReferenceImplementation())
    try:
        yield running
    finally:
        running.shutdown()
        running.server_close()


@pytest.fixture(scope="session")
def all_vectors() -> list[Any]:
    """Every committed vector, sorted by id (skips when none is committed yet)."""
    from mhhs_sec.vectors import load_vectors

    vectors = sorted(load_vectors(strict=False), key=lambda v: v.id)
    if not vectors:
        pytest.skip("no committed vectors under vectors/json (run mhhs-sec generate)")
    return vectors


@pytest.fixture(scope="session")
def few_vectors(all_vectors: list[Any]) -> list[Any]:
    """Three committed vectors with at least one step each, spread over those
    that check REG-4 / AC-3 (the MDRA change at the EFD): the runner tests that
    use them are marked with those requirements."""
    with_steps = [v for v in all_vectors if v.steps and {"REG-4", "AC-3"} <= set(v.requirements)]
    if len(with_steps) < 3:
        pytest.skip("fewer than three committed REG-4 / AC-3 vectors")
    step = max(1, len(with_steps) // 3)
    return with_steps[::step][:3]


class Raises(ReferenceImplementation):
    """Raises an unexpected exception on every step."""

    def step(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        raise RuntimeError("database connection lost")


class BadOutputs(ReferenceImplementation):
    """Answers every step with outputs of the wrong shape."""

    def step(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"type": "response", "code": "I0"}]


def subset_folder(vectors: list[Any], folder: Path) -> Path:
    """A folder of vector files holding only ``vectors`` (copied from their
    committed files, headers kept), so CLI runs load a few vectors quickly."""
    import json

    wanted = {v.id for v in vectors}
    folder.mkdir(parents=True, exist_ok=True)
    for source in sorted({v.source for v in vectors}):
        document = json.loads(Path(source).read_text(encoding="utf-8"))
        document["vectors"] = [v for v in document["vectors"] if v["id"] in wanted]
        (folder / Path(source).name).write_text(json.dumps(document, indent=1, sort_keys=True), encoding="utf-8")
    return folder


def _without_entry_values(capabilities: dict[str, Any]) -> dict[str, Any]:
    observables = [o for o in capabilities["observables"] if o != "entry-values"]
    return {**capabilities, "observables": observables}


class OtherValues(ReferenceImplementation):
    """The reference, but every entry's value is one more (its devices do not
    log the vector's device data); declares ``entry-values``."""

    def step(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        outputs = super().step(event)
        for output in outputs:
            for entry in output.get("entries", ()):
                entry["value"] += 1
        return outputs


class OtherValuesUndeclared(OtherValues):
    """:class:`OtherValues` not declaring ``entry-values`` (a lab whose devices cannot be loaded)."""

    def hello(self) -> dict[str, Any]:
        return _without_entry_values(super().hello())


class InconsistentValues(ReferenceImplementation):
    """Not declaring ``entry-values``; the values of each response's entries
    grow with every response, so two responses disagree on the same entry."""

    def __init__(self) -> None:
        super().__init__()
        self.responses = 0

    def hello(self) -> dict[str, Any]:
        return _without_entry_values(super().hello())

    def step(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        outputs = super().step(event)
        for output in outputs:
            if output.get("entries"):
                self.responses += 1
                for entry in output["entries"]:
                    entry["value"] += self.responses
        return outputs


class EntriesOnError(ReferenceImplementation):
    """Not declaring ``entry-values``; an error response carries an entry."""

    def hello(self) -> dict[str, Any]:
        return _without_entry_values(super().hello())

    def step(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        outputs = super().step(event)
        for output in outputs:
            if output.get("type") == "response" and output["code"] not in ("I0", "I99"):
                output["entries"] = [{"timestamp": output["responded_at"], "value": 1}]
        return outputs
