"""The index of the committed vectors: while it vouches for the files, the
loader decodes only the selected vectors and gives the same vectors as a full
validation; an edited or unlisted file, or none at all, is validated again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from mhhs_sec.generate import inputs
from mhhs_sec.vectors import VectorFormatError, load_vectors, loader
from mhhs_sec.vectors.format import JSON_DIR
from mhhs_sec.vectors.index import INDEX_NAME, read_index, recorded_inputs, render_index, xml_current

SMALL = ("negative.json", "targeted.json")


@pytest.fixture
def indexed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two committed vector files and their index, standing in for the committed folder."""
    texts = {}
    for name in SMALL:
        if not (JSON_DIR / name).is_file():
            pytest.skip(f"{name} not committed")
        shutil.copy(JSON_DIR / name, tmp_path / name)
        texts[name] = (tmp_path / name).read_text(encoding="utf-8")
    documents = {name: json.loads(text) for name, text in texts.items()}
    xml = {"negative.xml": "<vectors/>\n"}
    (tmp_path / "negative.xml").write_text(xml["negative.xml"], encoding="utf-8")
    (tmp_path / INDEX_NAME).write_text(render_index(texts, documents, xml, "sha256:inputs"), encoding="utf-8")
    monkeypatch.setattr(loader, "JSON_DIR", tmp_path)
    return tmp_path


def test_indexed_load_gives_the_validated_vectors(indexed: Path) -> None:
    assert read_index(indexed) is not None
    through_index = load_vectors(strict=True)
    validated = load_vectors(indexed, strict=True)
    assert through_index == validated and len(validated) > 2
    chosen = validated[len(validated) // 2]
    assert load_vectors(wants=lambda v: v.id == chosen.id) == [chosen]
    assert sorted(e.id for e in loader.vector_entries()) == sorted(v.id for v in validated)


def test_an_edited_file_is_validated_again(indexed: Path) -> None:
    path = indexed / SMALL[0]
    path.write_text(path.read_text(encoding="utf-8").replace('"steps":', '"stepz":', 1), encoding="utf-8")
    assert read_index(indexed) is None
    with pytest.raises(VectorFormatError):
        load_vectors(strict=False)


def test_an_unlisted_file_or_a_missing_index_means_full_validation(indexed: Path) -> None:
    (indexed / "extra.json").write_text("{}", encoding="utf-8")
    assert read_index(indexed) is None
    with pytest.raises(VectorFormatError):
        load_vectors(strict=False)
    (indexed / "extra.json").unlink()
    (indexed / INDEX_NAME).unlink()
    assert read_index(indexed) is None
    assert load_vectors(strict=False)  # validated in full, still loads


def test_the_index_records_the_inputs_and_vouches_for_unchanged_xml(indexed: Path) -> None:
    assert recorded_inputs(indexed) == "sha256:inputs"
    assert xml_current(indexed, indexed)
    (indexed / "negative.xml").write_text("<vectors></vectors>\n", encoding="utf-8")
    assert not xml_current(indexed, indexed)


def test_the_inputs_hash_follows_the_sources_not_the_vectors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for relative in ("model/rule.py", "generate/build.py", "vectors/json/a.json", "vectors/xml/a.xml"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("x = 1\n", encoding="utf-8")
    monkeypatch.setattr(inputs, "PROJECT_ROOT", tmp_path)
    before = inputs.inputs_hash()
    (tmp_path / "vectors/json/a.json").write_text("changed\n", encoding="utf-8")
    (tmp_path / "vectors/xml/a.xml").write_text("changed\n", encoding="utf-8")
    assert inputs.inputs_hash() == before  # the outputs are not inputs
    (tmp_path / "model/rule.py").write_text("x = 2\n", encoding="utf-8")
    assert inputs.inputs_hash() != before


def test_an_index_entry_decodes_to_its_validated_vector(indexed: Path) -> None:
    validated = {v.id: v for v in load_vectors(indexed, strict=True)}
    entries = loader.vector_entries()
    assert all(loader.decoded(entry) == validated[entry.id] for entry in entries[:: max(1, len(entries) // 7)])
    some = next(iter(validated.values()))
    assert loader.decoded(some) is some
