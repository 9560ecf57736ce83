"""Fresh suites (``mhhs-sec generate --fresh SEED --out DIR``): the committed
suite with new identities and dates, so that an implementation cannot pass
by remembering the committed vectors.

For each committed vector the *inputs* are transformed (its initial state
without the device data, its events, its comments and coverage facts):
every MPAN and EUI-64 through the seeded bijection of
:mod:`.fresh_identities`, every date and instant by a whole number of days
that keeps the vector's calendar facts (:mod:`.fresh_calendar`).  The
expected outputs are never rewritten: the transformed case goes through the
same pipeline as a committed one (:func:`.build.build_vector`: the reference
model, the synthetic meter's device data, the profile dependence, the
acceptable answers), and the siblings are linked again.  A shift is kept only
when the model's outputs on the transformed inputs are the committed ones
transformed (entry values aside: the devices are new), else the next
candidate is tried.  The fresh suite must then have the committed one's
coverage (the coverage report, the walk atoms, and per vector its
requirements, observables, tags and profile dependence), or nothing is
written.  Same seed and same committed suite: byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Final, TypeVar

from mhhs_sec.model import InvalidEvent
from mhhs_sec.model.codec import decode_state, encode_output
from mhhs_sec.vectors.format import JSON_DIR

from mhhs_sec.files import write_atomic

from . import reset_refusals
from .build import Case, build_vector, read_step, run_case
from .device_data import synthetic
from .fresh_calendar import Window, candidate_shifts, keeps_calendar
from .fresh_identities import Identities, found_in, identities

Json = dict[str, Any]
Item = TypeVar("Item")
Result = TypeVar("Result")

DATE_TOKEN: Final = re.compile(r"(?<![0-9])([0-9]{4}-[0-9]{2}-[0-9]{2})(T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)?(?![0-9])")
# Instants written as seconds (coverage facts' inputs): 2000-01-01 .. 2100-01-01.
EPOCH_RANGE: Final = range(946684800, 4102444800)
# Dates of appointments and commissioning: history, outside a vector's window.
HISTORY_KEYS: Final = frozenset({"efd", "etd", "commissioned"})


class FreshError(ValueError):
    """A fresh suite cannot be made (nothing is written)."""


@dataclass(frozen=True)
class Transform:
    """New identities and a shift of ``days`` whole days, on any JSON value."""

    identities: Identities
    days: int

    def text(self, value: str) -> str:
        return DATE_TOKEN.sub(self._date, self.identities.text(value))

    def _date(self, match: re.Match[str]) -> str:
        day = _day(match.group(1))
        if day is None:  # no date (30 February): malformed input a refused step carries, kept as it is
            return match.group(0)
        return (day + dt.timedelta(days=self.days)).isoformat() + (match.group(2) or "")

    def json(self, value: Any, *, seconds: bool = False) -> Any:
        """``seconds``: integers in the epoch range are instants too."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {key: self.json(item, seconds=seconds) for key, item in value.items()}
        if isinstance(value, list):
            return [self.json(item, seconds=seconds) for item in value]
        if seconds and isinstance(value, int) and not isinstance(value, bool) and value in EPOCH_RANGE:
            return value + self.days * 86400
        return value


def _day(text: str) -> dt.date | None:
    """The date a date token names; None when it names none."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _inputs(vector: Json) -> tuple[Json, list[Json]]:
    """The initial state without its device data, and the events."""
    state = {key: value for key, value in vector["initial_state"].items() if key != "device_data"}
    return state, [step["event"] for step in vector["steps"]]


def _times(value: Any, key: str = "") -> Iterable[str]:
    """The date texts of a JSON value, appointment and commissioning dates aside."""
    if isinstance(value, str) and key not in HISTORY_KEYS:
        yield from (m.group(1) for m in DATE_TOKEN.finditer(value))
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _times(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from _times(item, key)


def window(vector: Json) -> Window:
    """The settlement days the vector's clock, events and schedules touch."""
    state, events = _inputs(vector)
    days = sorted({day for text in _times([state, events]) if (day := _day(text)) is not None})
    return days[0], days[-1]


def _comparable(outputs: Sequence[Json]) -> list[Json]:
    """Outputs with the entry values left out (new devices log new values)."""
    return [
        {**o, "entries": [e["timestamp"] for e in o["entries"]]} if o.get("entries") else o
        for o in outputs
    ]  # fmt: skip


def _refit(vector: Json, transform: Transform) -> tuple[Any, tuple[Any, ...]] | None:
    """The transformed initial state and events, when the model's outputs on
    them are the committed ones transformed; else None."""
    state_json, events_json = _inputs(vector)
    try:
        state = decode_state(transform.json(state_json))
        events = tuple(read_step(transform.json(event)) for event in events_json)
    except InvalidEvent:  # the moved appointments do not read as valid (REG-5)
        return None
    results = run_case(synthetic(state), events)
    for step, result in zip(vector["steps"], results, strict=True):
        if isinstance(result, InvalidEvent):
            refused = step.get("refused")
            if refused is None or refused["requirement"] != result.requirement:
                return None
            continue
        wanted = _comparable([transform.json(e["output"]) for e in step["expected"]])
        if step.get("refused") is not None or wanted != _comparable([encode_output(o) for o in result]):
            return None
    return state, events


def fresh_vector(vector: Json, names: Identities, seed: int) -> Json:
    """The vector with new identities and dates, its outputs re-derived."""
    span = window(vector)
    for days in candidate_shifts(seed, span):
        if days == 0 or not keeps_calendar(span, days):
            continue
        transform = Transform(names, days)
        if "reset_refused" in vector:  # an initial state the reset must refuse: no step to re-derive
            refused = reset_refusals.refit(vector, transform.json, transform.text)
            if refused is not None:
                return refused
            continue
        refit = _refit(vector, transform)
        if refit is not None:
            return build_vector(_case(vector, transform, *refit))
    raise FreshError(f"{vector['id']}: no shift of its dates keeps its outcome")


def _case(vector: Json, transform: Transform, state: Any, events: tuple[Any, ...]) -> Case:
    return Case(
        id=vector["id"], comment=transform.text(vector["comment"]), requirements=tuple(vector["requirements"]),
        state=state, events=events, observables=tuple(vector["observables"]), tags=tuple(vector["tags"]),
        coverage=transform.json(vector.get("coverage", {}), seconds=True),
        step_comments=tuple(transform.text(step.get("comment", "")) for step in vector["steps"]),
    )  # fmt: skip


def suite_identities(seed: int, documents: Sequence[Json]) -> Identities:
    """The bijection over every identity of the committed suite."""
    texts = []
    for document in documents:
        for vector in document["vectors"]:
            texts.append(json.dumps(_inputs(vector)))
    return identities(seed, *found_in(texts))


FRESH_NOTE: Final = "fresh suite from seed {seed}: new identities and dates, outputs re-derived by the reference model"


def fresh_documents(seed: int, documents: Sequence[Json], jobs: int = 1) -> list[Json]:
    """The fresh form of each committed document (same files, same vectors)."""
    from .run import link_siblings
    from .writer import document as new_document

    names = suite_identities(seed, documents)
    before = [v for d in documents for v in d["vectors"]]
    vectors = _map(partial(fresh_vector, names=names, seed=seed), before, jobs)
    link_siblings(vectors)
    _committed_links(before, vectors)
    fresh: list[Json] = []
    for old in documents:
        mine, vectors = vectors[: len(old["vectors"])], vectors[len(old["vectors"]) :]
        provenance = old["provenance"]
        description = f"{provenance['description']}; {FRESH_NOTE.format(seed=seed)}"
        data = new_document(provenance["generator"], provenance["group"], description, mine, provenance["seed"])
        if "coverage" in old:
            data["coverage"] = Transform(names, 0).json(old["coverage"])
        fresh.append(data)
    return fresh


def _committed_links(old: list[Json], vectors: list[Json]) -> None:
    """A story told by two vectors may link to either; where the committed
    suite chose the other telling, keep its choice."""
    from .siblings import signature

    by_id = {v["id"]: v for v in vectors}
    for before, vector in zip(old, vectors, strict=True):
        pairs = zip(before["profile"]["alternatives"], vector["profile"]["alternatives"], strict=False)
        for was, alternative in pairs:
            chosen = was["vector"]
            if chosen is None or alternative["vector"] in (None, chosen) or chosen not in by_id:
                continue
            other = by_id[chosen]
            profile = {**vector["initial_state"]["profile"], alternative["option"]: alternative["value"]}
            if signature(other["initial_state"], other["steps"]) == signature(
                {**vector["initial_state"], "profile": profile}, vector["steps"]
            ):
                alternative["vector"] = chosen


_WORK: list[Callable[[Any], Any]] = []  # the function, inherited by forked workers


def _apply(item: Any) -> Any:
    return _WORK[0](item)


def _map(function: Callable[[Item], Result], items: list[Item], jobs: int) -> list[Result]:
    """``function`` over ``items`` in order; in forked workers when ``jobs`` > 1."""
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [function(item) for item in items]
    _WORK[:] = [function]
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            return pool.map(_apply, items, chunksize=1 if len(items) < 64 else 16)
    finally:
        _WORK.clear()


def committed(source: Path) -> list[Json]:
    """The vector files of ``source``, current with the model: read as they
    are while the committed index vouches for them, else schema-checked."""
    from mhhs_sec.vectors.format import model_revision
    from mhhs_sec.vectors.index import read_index
    from mhhs_sec.vectors.loader import read_document

    paths = sorted(source.glob("*.json"))
    if source == JSON_DIR and read_index(JSON_DIR) is not None:
        documents = [_plain(path) for path in paths]
    else:
        documents = [read_document(path) for path in paths]
    if not documents:
        raise FreshError(f"no vector files in {source}")
    stale = [d["provenance"]["group"] for d in documents if d["model_revision"] != model_revision()]
    if stale:
        raise FreshError(f"the vectors of {', '.join(stale)} are not current with the model: run mhhs-sec generate")
    return documents


def _plain(path: Path) -> Json:
    data: Json = json.loads(path.read_text(encoding="utf-8"))
    return data


def coverage_differences(source: Path, target: Path) -> list[str]:
    """What the suite in ``target`` lacks of the coverage of ``source``: the
    coverage report, the walk atoms, and per vector its requirements,
    observables, tags and profile dependence."""
    from .coverage import report
    from .walks import vector_atoms

    wanted, got = report(source), report(target)
    problems = [
        f"coverage report, {key}: {value!r} != {got[key]!r}" for key, value in wanted.items() if value != got[key]
    ]
    old, new = ({v["id"]: v for p in sorted(f.glob("*.json")) for v in _plain(p)["vectors"]} for f in (source, target))
    missing_atoms = sorted(vector_atoms(old.values()) - vector_atoms(new.values()))
    problems += [f"no vector reaches {atom}" for atom in missing_atoms]
    problems += [f"vector {vector_id} is missing" for vector_id in sorted(set(old) - set(new))]
    for vector_id in sorted(set(old) & set(new)):
        problems += [f"vector {vector_id}: {fact} differs" for fact in _facts(old[vector_id], new[vector_id])]
    return problems


def _facts(old: Json, new: Json) -> list[str]:
    facts: dict[str, Callable[[Json], Any]] = {
        "requirements": lambda v: v["requirements"],
        "observables": lambda v: v["observables"],
        "tags": lambda v: sorted(v["tags"]),
        "profile dependence": lambda v: v["profile"],
        "coverage": lambda v: {k: x for k, x in v.get("coverage", {}).items() if k != "inputs"},
    }
    return [name for name, fact in facts.items() if fact(old) != fact(new)]


def rendered(seed: int, documents: Sequence[Json], *, xml: bool = False, jobs: int = 1) -> dict[Path, str]:
    """The files of a fresh suite, relative to its folder: ``<group>.json``
    (and with ``xml`` its XML form ``xml/<group>.xml``), each checked as
    ``mhhs-sec generate`` checks them."""
    from .writer import dumps

    files: dict[Path, str] = {}
    for data in fresh_documents(seed, documents, jobs):
        files[Path(f"{data['provenance']['group']}.json")] = dumps(data)
    # Each file read back from its text: the JSON Schema and the strict codec
    # (ids are the committed ones, unique across files).
    _map(_validated, [(path, text) for path, text in files.items()], jobs)
    if xml:
        forms = _map(_xml_form, list(files.items()), jobs)
        files.update(
            (Path("xml") / path.with_suffix(".xml"), text) for path, text in zip(list(files), forms, strict=True)
        )
    return files


def _xml_form(item: tuple[Path, str]) -> str:
    """The XML form of a vector file, validated (``docs/vector-format.md``)."""
    from .xmlform import render_document

    return render_document(json.loads(item[1]), validate=True)


def _validated(item: tuple[Path, str]) -> None:
    from mhhs_sec.vectors.loader import validate_documents

    validate_documents({item[0]: json.loads(item[1])})


def write_fresh(seed: int, out: Path, source: Path = JSON_DIR, *, xml: bool = False, jobs: int = 1) -> list[Path]:
    """Write the fresh suite of ``seed`` into the new folder ``out``: into a
    temporary folder beside it first, moved into place only when its coverage
    is the committed suite's (else :class:`FreshError` naming what is
    missing, and nothing is written)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FreshError(f"{out} exists and is not an empty folder")
    files = rendered(seed, committed(source), xml=xml, jobs=jobs)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}."))
    try:
        for path, text in sorted(files.items()):
            write_atomic(staging / path, text)
        problems = coverage_differences(source, staging)
        if problems:
            raise FreshError("the fresh suite lacks the committed coverage:\n  " + "\n  ".join(problems))
        if out.exists():
            out.rmdir()
        staging.rename(out)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return sorted(out / path for path in files)
