"""The one loader: committed vectors load and validate; a bad file is refused
with the file and the field named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mhhs_sec.model.profile import PROFILE_OPTIONS, Profile
from mhhs_sec.vectors import VectorFormatError, load_vectors
from mhhs_sec.vectors.format import JSON_DIR, OBSERVABLES


@pytest.fixture(scope="module")
def vectors():  # type: ignore[no-untyped-def]
    return load_vectors(strict=False)


def test_committed_vectors_load_with_unique_ids(vectors) -> None:  # type: ignore[no-untyped-def]
    assert vectors, "no committed vectors"
    ids = [v.id for v in vectors]
    assert len(ids) == len(set(ids))
    for vector in vectors:
        assert set(vector.observables) <= set(OBSERVABLES), vector.id
        assert set(vector.profile.requires) <= set(PROFILE_OPTIONS), vector.id
        assert "\n" not in vector.comment


def test_filters_by_requirement_and_tag(vectors) -> None:  # type: ignore[no-untyped-def]
    some = vectors[0]
    by_req = load_vectors(requirement=some.requirements[0], strict=False)
    assert by_req and all(some.requirements[0] in v.requirements for v in by_req)
    by_tag = load_vectors(tag=some.tags[0], strict=False)
    assert by_tag and all(some.tags[0] in v.tags for v in by_tag)
    assert load_vectors(requirement="NOPE-1", strict=False) == []


def _one_file(tmp_path: Path) -> tuple[Path, dict]:  # type: ignore[type-arg]
    source = sorted(JSON_DIR.glob("*.json"))[0]
    data = json.loads(source.read_text())
    data["vectors"] = data["vectors"][:2]
    return tmp_path / source.name, data


def test_schema_error_names_file_and_field(tmp_path: Path) -> None:
    path, data = _one_file(tmp_path)
    del data["vectors"][1]["steps"][0]["event"]["request"]["role"]
    path.write_text(json.dumps(data))
    with pytest.raises(VectorFormatError) as caught:
        load_vectors(path)
    assert caught.value.path == str(path)
    assert caught.value.field.startswith("vectors[1].steps[0].event")
    assert "role" in str(caught.value)


def test_codec_error_names_field(tmp_path: Path) -> None:
    path, data = _one_file(tmp_path)
    data["vectors"][0]["initial_state"]["profile"]["etd"] = "sometimes"
    path.write_text(json.dumps(data))
    with pytest.raises(VectorFormatError) as caught:
        load_vectors(path)
    assert "vectors[0].initial_state" in str(caught.value)


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    path, data = _one_file(tmp_path)
    data["vectors"][1]["id"] = data["vectors"][0]["id"]
    path.write_text(json.dumps(data))
    with pytest.raises(VectorFormatError, match="duplicate id"):
        load_vectors(path, strict=False)


def test_profile_matching(vectors) -> None:  # type: ignore[no-untyped-def]
    constrained = next(v for v in vectors if v.profile.requires)
    option, value = next(iter(constrained.profile.requires.items()))
    assert constrained.profile.matches(Profile().with_options(**{option: value}))
    other = next(x for x in PROFILE_OPTIONS[option][1] if x != value)
    assert not constrained.profile.matches(Profile().with_options(**{option: other}))


def test_a_file_nested_too_deep_is_refused_naming_the_file(tmp_path: Path) -> None:
    """1,000 levels of nesting: a format error, not a RecursionError."""
    path, data = _one_file(tmp_path)
    data["vectors"][0]["comment"] = "DEEP"
    path.write_text(json.dumps(data).replace('"DEEP"', "[" * 1000 + "]" * 1000))
    with pytest.raises(VectorFormatError) as caught:
        load_vectors(path, strict=False)
    assert caught.value.path == str(path) and "JSON nested 1003 levels" in str(caught.value)  # 3 of the file's own


def test_a_refused_step_may_carry_an_event_outside_the_schema_and_only_it(tmp_path: Path) -> None:
    """A refused step's event is the invalid input the step checks: it may
    break the event schema and the codec; any other step's may not."""
    path, data = _one_file(tmp_path)
    device = {"device_id": "00-DB-12-34-56-78-90-C1", "mpan": "1200000000001", "generation": "SMETS3", "kind": "ESME",
              "commissioned": "2024-01-01"}  # fmt: skip
    bad_event = {"event": "load_device", "device": device}
    step = {"event": bad_event, "expected": [], "refused": {"field": "device.generation", "requirement": "INPUT"}}
    data["vectors"][0]["steps"].append(step)
    data["vectors"][0]["observables"] = sorted({*data["vectors"][0]["observables"], "refusal"})
    path.write_text(json.dumps(data))
    (loaded, _) = load_vectors(path)
    assert loaded.steps[-1].event == bad_event and loaded.steps[-1].refused == step["refused"]
    del step["refused"]
    path.write_text(json.dumps(data))
    with pytest.raises(VectorFormatError) as caught:
        load_vectors(path)
    assert caught.value.field.startswith(f"vectors[0].steps[{len(data['vectors'][0]['steps']) - 1}].event")
