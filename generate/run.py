"""Generate every vector group and write the JSON and XML files, or check the
committed ones (``mhhs-sec generate [--check]``).  Deterministic: the same
model gives byte-identical files."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mhhs_sec.vectors.format import JSON_DIR, XML_DIR
from mhhs_sec.vectors.index import INDEX_FILE, render_index
from mhhs_sec.vectors.loader import validate_documents

from mhhs_sec.files import write_atomic

from . import (
    boundary,
    cells,
    classes,
    malformed,
    minimise,
    negative,
    refusals,
    registration_edges,
    reset_refusals,
    siblings,
    spread,
    stories,
    targeted,
    walks,
)
from .build import Case, Prebuilt, build_vector
from .inputs import inputs_hash
from .siblings import outcome_summary, signature
from .writer import document, dumps

Json = dict[str, Any]


@dataclass(frozen=True)
class Group:
    """A vector file: its generator, name, description and case source.
    ``cases`` receives the vectors of the groups before it."""

    generator: str
    name: str
    description: str
    cases: Callable[[list[Json]], Iterable[Case | Prebuilt]]
    seed: int | None = None
    coverage: Callable[[], Json] | None = None


def groups() -> list[Group]:
    return [
        Group(
            "boundary", "boundary-registration",
            "MDRA change edges: EFD - 1 min, EFD, ETD; ordinary and clock-change days; REG-8/REG-12/AC-4 options",
            lambda _: registration_edges.cases(),
        ),
        Group(
            "boundary", "boundary-mcdc",
            "MC/DC pairs found by Z3 for every decision (user, SRV, flag, device, registration, SCH-6, cache, "
            "cache age, MDR window, retries, schedule ownership, MDRA change)",
            lambda _: boundary.cases(), coverage=boundary.coverage_facts,
        ),
        Group(
            "boundary", "boundary-cells",
            "every role x SRV x SMETS generation x mode x ForSettlement cell: response code and TRT (002 Table 3)",
            lambda _: cells.cases(), coverage=cells.coverage_facts,
        ),
        Group(
            "classes", "classes",
            "one Z3 witness per class of role x days against EFD/ETD x cache-age bucket x generation x AC-4 option",
            lambda _: classes.cases(), coverage=classes.coverage_facts,
        ),
        Group(
            "negative", "negative",
            "no disclosure: rejected requests carry no entries, no inventory, no device read; cached data is not "
            "served to a refused sender (C-7)",
            lambda _: negative.cases(),
        ),
        Group(
            "targeted", "targeted",
            "short stories for AC-9 (repeated reads), C-3 (what the cache keeps), C-6 (cache removed with the "
            "schedule), C-8 (restriction) and REG-5 (refused registration)",
            lambda _: targeted.cases(),
        ),
        Group(
            "siblings", "siblings",
            "the same stories under the other value of each interpretation option their outcome depends on "
            "(REG-11, REG-12, AC-4, FS-5, SCH-3, SCH-6, C-11)",
            siblings.cases,
        ),
        Group(
            "walks", "walks",
            f"Hypothesis random walks from fixed seeds {list(walks.SEEDS)}: shrunk walks reaching coverage atoms "
            "no other group reaches, and one long walk (80-120 actions) per seed",
            lambda previous: walks.cases(walks.vector_atoms(previous)), seed=walks.SEEDS[0],
        ),
        Group(
            "walks", "spread",
            f"random stories from fixed seeds {list(spread.SEEDS)} across the calendar (both clock changes, a year "
            "end, a leap day, winter, summer), every profile option value, future-dated and held requests: each "
            "kept because it kills a mutant of the model no other vector kills; every observable compared",
            lambda _: spread.cases(), seed=spread.SEEDS[0],
        ),
        Group(
            "negative", "refusals",
            "each refusal of invalid input the adapter protocol lists that a vector can carry: refused with its "
            "requirement, the state kept (the MDRA's read that follows is answered as before)",
            lambda _: refusals.cases(),
        ),
        Group(
            "negative", "malformed",
            "each way an event can break the protocol's event schema or the input checks (a field of the wrong "
            "type, an unknown key, a role or SRV outside the schema's lists, a part the SRV needs missing): "
            "refused with its requirement, the state kept (the MDRA's read that follows is answered as before)",
            lambda _: malformed.cases(),
        ),
        Group(
            "targeted", "stories",
            "short stories for rule edges a mutant of the model showed no other vector checks (E19: a device "
            "the inventory lacks)",
            lambda _: stories.cases(),
        ),
        Group(
            "negative", "reset-refusals",
            "each kind of damage to an initial state the adapter protocol refuses (a profile option outside its "
            "list, a window closing before it opens, a schedule of an unknown device or an SRV that cannot be "
            "scheduled, device data logging nothing or a timestamp twice): the reset refused with its requirement",
            lambda _: reset_refusals.cases(),
        ),
    ]  # fmt: skip


def build_all(*, minimised: bool = True) -> list[tuple[Group, Json]]:
    """Every group's document, in order (alternatives linked to their
    siblings); unless told otherwise, without the vectors the minimisation
    dropped (:mod:`.minimise`).  Every case is built either way: a group
    reading the earlier ones sees them all."""
    chosen = groups()
    built: list[tuple[str, list[Json]]] = []
    previous: list[Json] = []
    for group in chosen:
        vectors = [build_vector(case) for case in group.cases(previous)]
        built.append((group.name, vectors))
        previous.extend(vectors)
    if minimised:
        built = minimise.apply(built, minimise.read())
    link_siblings([vector for _, vectors in built for vector in vectors])
    documents = []
    for group, (_, vectors) in zip(chosen, built, strict=True):
        data = document(group.generator, group.name, group.description, vectors, group.seed)
        if group.coverage is not None:
            data["coverage"] = group.coverage()
        documents.append((group, data))
    return documents


def _signature(vector: Json, profile: Json) -> str:
    return signature({**vector["initial_state"], "profile": profile}, vector["steps"])


def link_siblings(vectors: list[Json]) -> None:
    """Fill ``profile.alternatives[].vector`` with the id of the vector that has
    the same initial state and events under the alternative option value, so a
    reader sees which outcome goes with which option (REG-8, REG-11, REG-12,
    AC-4, FS-5, SCH-3, SCH-6, SCH-8, SCH-9, C-11, C-12, C-13, AUD-3)."""
    index = {_signature(v, v["initial_state"]["profile"]): v["id"] for v in vectors}
    explicit: dict[tuple[str, str], str] = {}  # (vector, option) -> sibling (REG-12 siblings shift ETDs)
    for vector in vectors:
        origin = vector.get("coverage", {}).get("sibling_of")
        if origin is not None:
            option = vector["coverage"]["option"]
            explicit[(origin, option)], explicit[(vector["id"], option)] = vector["id"], origin
    by_id = {v["id"]: v for v in vectors}
    for vector in vectors:
        for alternative in vector["profile"]["alternatives"]:
            profile = {**vector["initial_state"]["profile"], alternative["option"]: alternative["value"]}
            found = index.get(_signature(vector, profile))
            sibling = explicit.get((vector["id"], alternative["option"]))
            if found is None and sibling in by_id and _runs_under(by_id[sibling], alternative):
                # REG-12: the sibling holds the same appointments in the other
                # ETD convention; its outcome is the one that goes with the option.
                found = sibling
                alternative["outcome"] = outcome_summary(by_id[found])
            alternative["vector"] = found


def _runs_under(vector: Json, alternative: Json) -> bool:
    """The vector runs under the alternative's option value (an option of three
    values, AUD-3, may have a sibling under one of the other two only)."""
    return bool(vector["initial_state"]["profile"][alternative["option"]] == alternative["value"])


def rendered(*, xml: bool = True, validate: bool = True) -> dict[Path, str]:
    """Every file a run writes: path -> text (XML validated unless told not to)."""
    from .xmlform import render_document

    files: dict[Path, str] = {}
    documents: dict[str, Json] = {}
    for group, data in build_all():
        files[JSON_DIR / f"{group.name}.json"] = dumps(data)
        documents[f"{group.name}.json"] = data
        if xml:
            files[XML_DIR / f"{group.name}.xml"] = render_document(data, validate=validate)
    xml_files = {path.name: text for path, text in files.items() if path.parent == XML_DIR}
    json_files = {name: files[JSON_DIR / name] for name in documents}
    files[INDEX_FILE] = render_index(json_files, documents, xml_files, inputs_hash())
    return files


def _validate_json(files: dict[Path, str]) -> None:
    """Every vector file about to be written, read back from its text, against
    the JSON Schema and the strict model codec: the check the index records,
    so the loader need not repeat it (``vectors/index.py``)."""
    validate_documents({path: json.loads(text) for path, text in files.items() if path.suffix == ".json"})


def write_all() -> list[Path]:
    """Write every file (temp file + rename each); remove stale vector files.
    Everything is rendered and validated before the first file is replaced."""
    files = rendered()
    _validate_json(files)
    for path, text in sorted(files.items()):
        write_atomic(path, text)
    for folder, pattern in ((JSON_DIR, "*.json"), (XML_DIR, "*.xml")):
        for old in folder.glob(pattern):
            if old not in files:
                old.unlink()
    return sorted(files)
