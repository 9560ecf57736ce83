"""Refused initial states (``reset_refused``): the reference refuses each
damaged initial state of the group ``reset-refusals`` and keeps the state it
had, over every transport and in the independent double; the runner passes
a refusal citing the vector's requirement and fails an accepted reset or a
refusal citing another; the loader, the XML form and fresh suites carry
such vectors."""

from __future__ import annotations

import copy
import dataclasses
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mhhs_sec.conformance import EventRejected
from mhhs_sec.conformance.adapters import open_adapter
from mhhs_sec.conformance.http import start_background
from mhhs_sec.conformance.reference import ReferenceImplementation
from mhhs_sec.conformance.runner import run_all, run_vector
from mhhs_sec.generate import fresh, reset_refusals, run, xmlform
from mhhs_sec.generate.build import CaseError, build_vector
from mhhs_sec.model.clock import format_instant, parse_instant
from mhhs_sec.vectors import VectorFormatError, compare, load_vectors
from mhhs_sec.vectors.xmlform import read_xml_document

REQUIREMENTS = ("REG-2", "REG-8", "REG-11", "REG-12", "SCH-1", "SCH-4", "AC-2", "C-10")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The group's vector file, as ``mhhs-sec generate`` writes it."""
    vectors = [build_vector(case) for case in reset_refusals.cases()]
    path = tmp_path_factory.mktemp("reset-refusals") / "reset-refusals.json"
    path.write_text(run.dumps(run.document("negative", "reset-refusals", "test", vectors, None)), encoding="utf-8")
    return path.parent


@pytest.fixture(scope="module")
def vectors(folder: Path) -> list[Any]:
    return load_vectors(folder)


def _read(state: dict[str, Any]) -> dict[str, Any]:
    """The MDRA's 4.8.1 of yesterday's first hours, as a step's event (the base state's device data)."""
    logged = state["device_data"][0]
    end = format_instant(parse_instant(logged["start"]) + logged["interval_s"] * (len(logged["values"]) - 1))
    mdra = state["registrations"][0]["mdras"][-1]["party"]
    request = {"request_id": f"{mdra}:{logged['device_id']}:1", "user_id": mdra, "role": "MDR", "srv": "4.8.1",
               "device_id": logged["device_id"], "for_settlement": True,
               "period": {"start": logged["start"], "end": end}}  # fmt: skip
    return {"event": "submit", "request": request}


@pytest.mark.req(*REQUIREMENTS)
def test_each_damage_alone_makes_the_initial_state_refused(vectors: list[Any]) -> None:
    """Every vector's initial state differs from an accepted one in one part
    only, and the reference refuses it citing the vector's requirement."""
    base = reset_refusals._base()
    assert reset_refusals.refusal(base) is None
    assert reset_refusals.refusal(reset_refusals._schedule()) is None  # the schedule undamaged is accepted
    for vector in vectors:
        damaged = {part for part in {*base, *vector.initial_state} if base.get(part) != vector.initial_state.get(part)}
        assert len(damaged) == 1, (vector.id, damaged)
        with pytest.raises(EventRejected) as caught:
            ReferenceImplementation().reset(vector.initial_state)
        assert caught.value.requirement == vector.reset_refused["requirement"], vector.id
        assert vector.steps == () and vector.observables == ("refusal",)
        assert vector.primary_requirement in REQUIREMENTS


@pytest.mark.req("C-10", "SCH-4")
def test_a_refused_reset_keeps_the_state_the_implementation_had(vectors: list[Any]) -> None:
    """After a refused reset the same read is answered as before it."""
    reference = ReferenceImplementation()
    base = reset_refusals._base()
    reference.reset(base)
    before = reference.step(_read(base))
    assert before and before[0]["code"] == "I0" and before[0]["entries"]
    reference.reset(base)
    for vector in vectors:
        with pytest.raises(EventRejected):
            reference.reset(vector.initial_state)
    assert reference.step(_read(base)) == before


@pytest.fixture(scope="module")
def http_url() -> Iterator[str]:
    server = start_background(ReferenceImplementation())
    try:
        yield server.url
    finally:
        server.shutdown()
        server.server_close()


def _statuses(spec: str, vectors: list[Any]) -> dict[str, str]:
    adapter = open_adapter(spec)
    try:
        return {v.vector_id: f"{v.status} {v.reason}".strip() for v in run_all(adapter, vectors)[1]}
    finally:
        adapter.close()


@pytest.mark.req(*REQUIREMENTS)
def test_every_transport_and_the_double_refuse_each_initial_state(vectors: list[Any], http_url: str) -> None:
    """In process, over stdio JSON lines, over HTTP (422 to the reset) and in
    the independent double, written from the documents."""
    specs = ("reference", f"cmd:{sys.executable} -m mhhs_sec serve --stdio", http_url,
             f"cmd:{sys.executable} -m tests.independent")  # fmt: skip
    for spec in specs:
        statuses = _statuses(spec, vectors)
        assert set(statuses.values()) == {"pass"}, (spec, statuses)


class _Accepting(ReferenceImplementation):
    """Accepts every initial state it cannot read (keeping the last good one)."""

    def reset(self, initial_state: Any) -> None:
        try:
            super().reset(initial_state)
        except EventRejected:
            super().reset(reset_refusals._base())


class _OtherRequirement(ReferenceImplementation):
    def reset(self, initial_state: Any) -> None:
        try:
            super().reset(initial_state)
        except EventRejected as refused:
            raise EventRejected(refused.field, "REG-5", "refused for a gap") from None


@pytest.mark.req("C-10")
def test_the_runner_fails_an_accepted_reset_and_a_refusal_citing_another_requirement(vectors: list[Any]) -> None:
    from mhhs_sec.conformance.inprocess import InProcessAdapter

    vector = next(v for v in vectors if v.id == "reset-refusal.device-data-overlap")
    accepted = run_vector(InProcessAdapter(_Accepting, "accepting"), vector, compare)
    assert accepted.status == "fail" and "accepted" in accepted.reason and accepted.step is None
    other = run_vector(InProcessAdapter(_OtherRequirement, "other"), vector, compare)
    assert other.status == "fail" and "REG-5" in other.reason and "INPUT" in other.reason
    field_differs = copy.deepcopy(vector.reset_refused) | {"field": "initial_state.device_data[1].start"}
    moved = dataclasses.replace(vector, reset_refused=field_differs)  # the field path is a diagnostic only
    assert run_vector(InProcessAdapter(ReferenceImplementation, "reference"), moved, compare).status == "pass"


@pytest.mark.req("C-10")
def test_the_seeded_fault_accepting_overlapping_device_data_is_caught(vectors: list[Any]) -> None:
    statuses = _statuses("fault:device-data-overlap-accepted", vectors)
    assert statuses.pop("reset-refusal.device-data-overlap").startswith("fail")
    assert set(statuses.values()) == {"pass"}


@pytest.mark.req("C-10")
def test_a_damage_the_model_accepts_is_no_vector() -> None:
    case = reset_refusals.cases()[0]
    with pytest.raises(CaseError, match="accepts the damaged initial state"):
        reset_refusals.RefusedReset(case.id, case.comment, case.requirements, reset_refusals._base(), case.why).build()


@pytest.mark.req("REG-12")
def test_only_a_vector_expecting_its_reset_refused_may_break_its_schema(folder: Path, tmp_path: Path) -> None:
    data = json.loads((folder / "reset-refusals.json").read_text(encoding="utf-8"))
    data["vectors"] = [v for v in data["vectors"] if v["id"] == "reset-refusal.profile-value-outside"]
    path = tmp_path / "one.json"
    path.write_text(json.dumps(data))
    assert load_vectors(path)[0].reset_refused["requirement"] == "INPUT"
    without = copy.deepcopy(data)
    del without["vectors"][0]["reset_refused"]
    path.write_text(json.dumps(without))
    with pytest.raises(VectorFormatError) as caught:
        load_vectors(path)
    assert caught.value.field.startswith("vectors[0]")
    with_step = copy.deepcopy(data)
    with_step["vectors"][0]["steps"] = [{"event": {"event": "advance_clock", "to": "2025-06-14T00:00:00Z"},
                                         "expected": []}]  # fmt: skip
    path.write_text(json.dumps(with_step))
    with pytest.raises(VectorFormatError, match="steps"):
        load_vectors(path)


@pytest.mark.req("C-10")
def test_the_xml_form_carries_the_refusal_and_reads_back(folder: Path, tmp_path: Path) -> None:
    document = json.loads((folder / "reset-refusals.json").read_text(encoding="utf-8"))
    path = tmp_path / "reset-refusals.xml"
    path.write_text(xmlform.render_document(document), encoding="utf-8")
    assert "<ResetRefused " in path.read_text(encoding="utf-8")
    assert read_xml_document(path) == document


@pytest.mark.req("C-10", "SCH-1")
def test_a_fresh_suite_moves_each_vector_and_keeps_its_refusal(folder: Path) -> None:
    document = json.loads((folder / "reset-refusals.json").read_text(encoding="utf-8"))
    (moved,) = fresh.fresh_documents(20261201, [document])
    for old, new in zip(document["vectors"], moved["vectors"], strict=True):
        assert new["initial_state"]["clock"][:4] != old["initial_state"]["clock"][:4], old["id"]
        assert new["initial_state"]["devices"] != old["initial_state"]["devices"], old["id"]
        assert new["reset_refused"]["requirement"] == old["reset_refused"]["requirement"]
        assert reset_refusals.refusal(new["initial_state"]) is not None
