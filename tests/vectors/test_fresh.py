"""Fresh suites (``mhhs-sec generate --fresh SEED --out DIR``): the committed
coverage with new identities and dates, outputs re-derived by the model.

Most tests use a part of the committed suite closed under sibling links
(some of the vectors on a clock-change day, and the first vectors of each file);
one test makes the whole fresh suite."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from mhhs_sec.conformance.selfcheck import selfcheck
from mhhs_sec.generate import fresh
from mhhs_sec.generate.fresh_calendar import candidate_shifts, keeps_calendar
from mhhs_sec.generate.fresh_identities import identities, valid_mpan
from mhhs_sec.model.clock import day_start, half_hours
from mhhs_sec.vectors import load_vectors
from mhhs_sec.vectors.format import JSON_DIR

from mhhs_sec.cli import main
from mhhs_sec.settings import duis_dir

Json = dict[str, Any]
SEED = 20261201
FIRST_OF_EACH_FILE = 8
EVERY_NTH_CLOCK_CHANGE = 12
REPO = Path(__file__).resolve().parents[2]
EUI = re.compile(r"[0-9A-F]{2}(?:-[0-9A-F]{2}){7}")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
CLOCK_CHANGE = {"clock-change-spring": 46, "clock-change-autumn": 50}


def _linked(vector: Json) -> Iterator[str]:
    coverage = vector.get("coverage", {})
    yield from (coverage[k] for k in ("sibling_of", "pair") if k in coverage)
    yield from (a["vector"] for a in vector["profile"]["alternatives"] if a["vector"])


def _closed(documents: list[Json], chosen: set[str]) -> set[str]:
    """``chosen`` and every vector linked to it, either way."""
    links: dict[str, set[str]] = {}
    for vector in (v for d in documents for v in d["vectors"]):
        for other in _linked(vector):
            links.setdefault(vector["id"], set()).add(other)
            links.setdefault(other, set()).add(vector["id"])
    todo, closed = list(chosen), set(chosen)
    while todo:
        for other in links.get(todo.pop(), ()):
            if other not in closed:
                closed.add(other)
                todo.append(other)
    return closed


@pytest.fixture(scope="module")
def part(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding part of the committed suite, closed under links."""
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(JSON_DIR.glob("*.json"))]
    chosen = {v["id"] for d in documents for v in d["vectors"][:FIRST_OF_EACH_FILE]}
    changes = sorted(v["id"] for d in documents for v in d["vectors"] if set(v["tags"]) & set(CLOCK_CHANGE))
    chosen |= set(changes[::EVERY_NTH_CLOCK_CHANGE])
    keep = _closed(documents, chosen)
    folder = tmp_path_factory.mktemp("committed-part")
    for document in documents:
        vectors = [v for v in document["vectors"] if v["id"] in keep]
        (folder / f"{document['provenance']['group']}.json").write_text(json.dumps({**document, "vectors": vectors}))
    return folder


@pytest.fixture(scope="module")
def suite(part: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fresh") / "suite"
    fresh.write_fresh(SEED, out, part, jobs=2)
    return out


def _vectors(folder: Path) -> dict[str, Json]:
    return {v["id"]: v for p in sorted(folder.glob("*.json")) for v in json.loads(p.read_text())["vectors"]}


def _inputs_text(vector: Json) -> str:
    state = {k: v for k, v in vector["initial_state"].items() if k != "device_data"}
    return json.dumps([state, [s["event"] for s in vector["steps"]]])


def _request_ids(vectors: Iterable[Json]) -> set[str]:
    """The request ids of the well-formed submits (a refused step may carry malformed input)."""
    steps = [s for v in vectors for s in v["steps"] if "refused" not in s]
    return {s["event"]["request"]["request_id"] for s in steps if "request" in s["event"]}


def test_the_same_seed_gives_the_same_files(part: Path, suite: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    fresh.write_fresh(SEED, again, part, jobs=1)
    assert sorted(p.name for p in again.iterdir()) == sorted(p.name for p in suite.iterdir())
    for path in sorted(suite.glob("*.json")):
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name


def test_another_seed_gives_other_identities_and_dates(part: Path, suite: Path) -> None:
    one = list(_vectors(suite).values())
    other = [v for d in fresh.fresh_documents(SEED + 1, fresh.committed(part), jobs=2) for v in d["vectors"]]
    assert [v["initial_state"]["clock"] for v in one] != [v["initial_state"]["clock"] for v in other]
    protocol = {"90-B3-D5-1F-30-00-00-00"}
    in_one = set(EUI.findall(" ".join(map(_inputs_text, one))))
    assert in_one & set(EUI.findall(" ".join(map(_inputs_text, other)))) <= protocol
    assert not _request_ids(one) & _request_ids(other)


def test_no_identity_request_id_or_date_of_the_committed_vectors_is_kept(part: Path, suite: Path) -> None:
    old, new = _vectors(part), _vectors(suite)
    assert old.keys() == new.keys()
    old_text = " ".join(_inputs_text(v) for v in old.values())
    new_text = " ".join(_inputs_text(v) for v in new.values())
    protocol = {"90-B3-D5-1F-30-00-00-00"}  # the DSP: the target of DCC-only requests in DUIS
    assert set(EUI.findall(old_text)) & set(EUI.findall(new_text)) <= protocol
    assert not set(re.findall(r'"([0-9]{13})"', old_text)) & set(re.findall(r'"([0-9]{13})"', new_text))
    assert not _request_ids(old.values()) & _request_ids(new.values())
    for vector_id, vector in new.items():
        assert vector["initial_state"]["clock"][:4] != old[vector_id]["initial_state"]["clock"][:4], vector_id


def test_new_mpans_carry_a_valid_check_digit_and_keep_the_order(suite: Path) -> None:
    mpans = set(re.findall(r'"mpan": "([0-9]{13})"', " ".join(_inputs_text(v) for v in _vectors(suite).values())))
    assert mpans and all(valid_mpan(m) for m in mpans)
    committed = ["1200000000002", "1200000000001", "00-DB-12-34-56-78-90-A2", "00-DB-12-34-56-78-90-A1"]
    mapping = identities(SEED, committed[2:], committed[:2]).mapping
    assert mapping["1200000000001"] < mapping["1200000000002"]
    assert mapping["00-DB-12-34-56-78-90-A1"] < mapping["00-DB-12-34-56-78-90-A2"]
    assert len(set(mapping.values())) == 4 and not set(mapping.values()) & set(committed)


def _days_of_length(vector: Json, length: int) -> set[dt.date]:
    state = {k: v for k, v in vector["initial_state"].items() if k not in ("device_data", "devices")}
    text = json.dumps([state, [s["event"] for s in vector["steps"]]])
    days = {dt.date.fromisoformat(d) for d in DATE.findall(text)}
    return {day for day in days if half_hours(day, "uk") == length}


def test_a_vector_about_a_clock_change_lands_on_a_clock_change_day_of_another_year(part: Path, suite: Path) -> None:
    old, new = _vectors(part), _vectors(suite)
    tagged = [(v, CLOCK_CHANGE[t]) for v in old.values() for t in v["tags"] if t in CLOCK_CHANGE]
    assert tagged
    for vector, length in tagged:
        before, after = _days_of_length(vector, length), _days_of_length(new[vector["id"]], length)
        assert after and {d.year for d in after}.isdisjoint({d.year for d in before}), vector["id"]


def test_the_reference_passes_the_fresh_suite(suite: Path) -> None:
    assert main(["conform", "--adapter", "reference", "--vectors", str(suite), "--quiet"]) == 0


def _has_duis_matrix() -> bool:
    folder = duis_dir()
    return folder is not None and (folder / "duis-request-matrix.json").is_file()


@pytest.mark.skipif(
    not _has_duis_matrix(),
    reason="the independent double needs the DUIS request matrix (../shared/duis or MHHS_SEC_DUIS_DIR)",
)
def test_the_independent_double_passes_the_fresh_suite(suite: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)  # ``-m tests.independent`` resolves from the repository root
    adapter = f"cmd:{sys.executable} -m tests.independent"
    assert main(["conform", "--adapter", adapter, "--vectors", str(suite), "--quiet"]) == 0


def test_every_seeded_fault_the_committed_part_catches_is_caught_by_the_fresh_one(part: Path, suite: Path) -> None:
    before = selfcheck(sorted(load_vectors(part, strict=False), key=lambda v: v.id), jobs=2)
    after = selfcheck(sorted(load_vectors(suite, strict=False), key=lambda v: v.id), jobs=2)
    assert after["reference"]["failed"] == after["reference"]["errors"] == 0
    caught = {f["name"] for f in after["faulty"] if f["caught_by"]}
    assert {f["name"] for f in before["faulty"] if f["caught_by"]} <= caught


def test_the_fresh_suite_has_the_committed_coverage(part: Path, suite: Path) -> None:
    assert fresh.coverage_differences(part, suite) == []


def test_a_suite_lacking_coverage_is_not_written(part: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = fresh.fresh_vector

    def losing_a_requirement(vector: Json, names: Any, seed: int) -> Json:
        built = made(vector, names=names, seed=seed)
        return {**built, "requirements": built["requirements"][: max(1, len(built["requirements"]) - 1)]}

    monkeypatch.setattr(fresh, "fresh_vector", losing_a_requirement)
    with pytest.raises(fresh.FreshError, match="requirements differs"):
        fresh.write_fresh(SEED, tmp_path / "out", part)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_in_use_is_refused(part: Path, tmp_path: Path) -> None:
    (tmp_path / "kept.txt").write_text("mine")
    with pytest.raises(fresh.FreshError, match="not an empty folder"):
        fresh.write_fresh(SEED, tmp_path, part)
    assert [p.name for p in tmp_path.iterdir()] == ["kept.txt"]


def test_the_command_needs_a_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--fresh", "1"]) == 2
    assert "--out" in capsys.readouterr().err


def test_a_passed_vector_the_model_cannot_read_is_refused_not_judged(
    suite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads((suite / "targeted.json").read_text())
    document["vectors"][0]["initial_state"]["clock"] = "2031-02-30T08:00:00Z"  # the schema's shape, no such day
    (tmp_path / "targeted.json").write_text(json.dumps(document))
    assert main(["conform", "--adapter", "reference", "--vectors", str(tmp_path), "--quiet"]) == 2
    assert "targeted.json: vectors[0].initial_state.clock" in capsys.readouterr().err


WINDOWS = {
    "leap day": (dt.date(2024, 2, 27), dt.date(2024, 3, 2)),
    "year end": (dt.date(2025, 12, 30), dt.date(2026, 1, 2)),
    "spring clock change": (dt.date(2025, 3, 29), dt.date(2025, 3, 31)),
    "autumn clock change": (dt.date(2025, 10, 24), dt.date(2025, 10, 28)),
    "both clock changes": (dt.date(2025, 3, 1), dt.date(2025, 11, 1)),
    "summer": (dt.date(2025, 6, 1), dt.date(2025, 6, 20)),
    "winter": (dt.date(2025, 1, 10), dt.date(2025, 2, 10)),
}


def _facts(day: dt.date) -> tuple[int, bool, bool, int]:
    """What a settlement day is: its half-hours, leap day, new year, UTC hour of its local midnight."""
    return (
        half_hours(day, "uk"),
        (day.month, day.day) == (2, 29),
        (day.month, day.day) == (1, 1),
        day_start(day) % 86400,
    )


@pytest.mark.parametrize("name", sorted(WINDOWS))
def test_the_chosen_shift_keeps_every_calendar_fact_and_changes_the_year(name: str) -> None:
    first, last = WINDOWS[name]
    for seed in range(12):
        days = next(d for d in candidate_shifts(seed, (first, last)) if d and keeps_calendar((first, last), d))
        shifted = [first + dt.timedelta(days=n) for n in range(-1, (last - first).days + 2)]
        assert [_facts(d) for d in shifted] == [_facts(d + dt.timedelta(days=days)) for d in shifted], (name, seed)
        assert (first + dt.timedelta(days=days)).year != first.year
