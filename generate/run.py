"""Generate every vector group, write the JSON (and XML) files, or check the
committed ones (``mhhs-sec generate [--check]``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mhhs_sec.vectors.format import JSON_DIR

from . import boundary, cells, classes, registration_edges
from .build import Case, build_vector
from .writer import document, dumps, write_atomic

Json = dict[str, Any]


@dataclass(frozen=True)
class Group:
    """A vector file: its generator, name, description and case source."""

    generator: str
    name: str
    description: str
    cases: Callable[[], Iterable[Case]]
    seed: int | None = None
    coverage: Callable[[], Json] | None = None


def groups() -> list[Group]:
    return [
        Group(
            "boundary", "boundary-registration",
            "MDRA change edges: EFD - 1 min, EFD, ETD; ordinary and clock-change days; REG-8/REG-12/AC-4 options",
            registration_edges.cases,
        ),
        Group(
            "boundary", "boundary-mcdc",
            "MC/DC pairs found by Z3 for every decision (user, SRV, flag, device, registration, SCH-6, cache, "
            "cache age, MDR window, retries, schedule ownership, MDRA change)",
            boundary.cases, coverage=boundary.coverage_facts,
        ),
        Group(
            "boundary", "boundary-cells",
            "every role x SRV x SMETS generation x mode x ForSettlement cell: response code and TRT (002 Table 3)",
            cells.cases, coverage=cells.coverage_facts,
        ),
        Group(
            "classes", "classes",
            "one Z3 witness per class of role x days against EFD/ETD x cache-age bucket x generation x AC-4 option",
            classes.cases, coverage=classes.coverage_facts,
        ),
    ]  # fmt: skip


def build_group(group: Group) -> Json:
    vectors = [build_vector(case) for case in group.cases()]
    data = document(group.generator, group.name, group.description, vectors, group.seed)
    if group.coverage is not None:
        data["coverage"] = group.coverage()
    return data


def rendered(selected: Iterable[Group] | None = None) -> Iterator[tuple[Path, str]]:
    """(path, text) of every file a run writes."""
    for group in selected or groups():
        yield JSON_DIR / f"{group.name}.json", dumps(build_group(group))


def write_all() -> list[Path]:
    written = []
    for path, text in rendered():
        write_atomic(path, text)
        written.append(path)
    return written
