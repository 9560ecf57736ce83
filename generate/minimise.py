"""Minimising the older vector groups without losing anything they check.

Each vector contributes *atoms*, the things a vector shows:

- ``mutant:ID``: a mutant of the model it kills (the kill matrix of
  ``mhhs-sec mutants --kill-matrix``: every vector that kills each mutant);
- ``fault:NAME``: a seeded implementation fault it catches (``mhhs-sec selfcheck``);
- coverage atoms of :mod:`.coverage`: ``req:ID`` (a requirement with a vector),
  ``cell:KEY``, ``mcdc:DECISION:CONDITION=VALUE`` (each half of an MC/DC
  pair), ``class:KEY``; the edge a generator recorded (``edge:DECISION:EDGE``:
  EFD - 1 min, EFD, ETD...); and the random walks' atoms (``walk:ATOM``,
  :func:`.walks.json_atoms`: response code x SRV x mode, cache hits, held
  requests answered, alerts, audit extracts) and the number of entries an
  answer of each SRV carries (``entries:SRV:N``: 46 and 50 on clock-change days);
- what it carries: ``observed:ID:OBSERVABLE`` (each requirement with each
  observable it compares), ``primary:ID:OBSERVABLE``, ``tag:TAG`` (profile-option
  tags), ``depends:PRIMARY:OPTION=VALUE`` (its outcome depends on that option
  value), ``profile:OPTION=VALUE`` (an interp option value it runs under),
  ``refused:FIELD:ID`` (a refused input);
- ``named:ID``: the vector is named in the documentation, a test, a proof or
  the CLI, or a test picks it by the start of its id, so it stays.

A vector of a minimised group (:data:`GROUPS`) is dropped only when every atom
it contributes is contributed by a vector that stays.  The vectors of the
other groups (chosen by the mutants already, or carrying refusals) all stay.
The choice is a greedy set cover: first each vector that is the only one
with some atom, then, among the rest, the one adding most atoms still
uncovered (ties to the first in suite order), until every atom is covered;
then a vector kept by the greedy step whose atoms the others all cover is
dropped again (last chosen first).  Same inputs, same choice.

The outcome is :data:`MINIMISED_FILE`: each kept vector with the atom that
keeps it, each dropped vector, and each atom of a dropped vector with a
vector that stays and contributes it.  The generators build every case (so
later groups, which read earlier ones, see the same), and :func:`apply`
removes the dropped vectors before the files are written.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from mhhs_sec.model.profile import PROFILE_OPTIONS

from .walks import json_atoms

Json = dict[str, Any]

# The groups minimised; the others (mutant-chosen walks and spread, stories,
# refusals) are kept whole.
GROUPS: Final = frozenset(
    {"boundary-registration", "boundary-mcdc", "boundary-cells", "classes", "negative", "targeted", "siblings"}
)
MINIMISED_FILE: Final = Path(__file__).with_name("minimised.tsv")
# Where a vector may be named by its id (generated files aside).
NAMING_FILES: Final = ("README.md", "docs/*.md", "tests/**/*.py", "tests/**/*.md", "proofs/**/*.py", "proofs/**/*.json",
                       "mhhs_sec/**/*.py", "conformance/**/*.py", "benchmarks/**/*.py")  # fmt: skip
GENERATED_DOCS: Final = frozenset({"docs/spec-trace.md"})
PICKED_BY_START: Final = re.compile(r"""id\.startswith\(\(?["']([^"']+)["']""")


class MinimiseError(ValueError):
    """The inputs of a minimisation do not belong together."""


def carried_atoms(vector: Json) -> set[str]:
    """The atoms a vector's JSON shows (everything but mutants, faults and names)."""
    found = {f"req:{r}" for r in vector["requirements"]}
    found |= {f"observed:{r}:{o}" for r in vector["requirements"] for o in vector["observables"]}
    found |= {f"primary:{vector['primary_requirement']}:{o}" for o in vector["observables"]}
    found |= {f"tag:{t}" for t in vector["tags"]}
    primary = vector["primary_requirement"]
    found |= {f"depends:{primary}:{k}={v}" for k, v in vector["profile"]["requires"].items()}
    profile = vector["initial_state"]["profile"]
    found |= {f"profile:{k}={profile[k]}" for k in PROFILE_OPTIONS if k in profile}
    found |= _coverage_atoms(vector.get("coverage", {}))
    found |= {f"walk:{a}" for a in json_atoms([e["output"] for e in s["expected"]] for s in vector["steps"])}
    found |= {f"entries:{o['srv']}:{len(o['entries'])}" for o in _responses(vector) if o["entries"]}
    found |= {
        f"refused:{s['refused']['field']}:{s['refused']['requirement']}" for s in vector["steps"] if "refused" in s
    }
    return found


def _responses(vector: Json) -> list[Json]:
    outputs = [e["output"] for s in vector["steps"] for e in s["expected"]]
    return [o for o in outputs if o["type"] == "response"]


def _coverage_atoms(coverage: Json) -> set[str]:
    """The atoms :mod:`.coverage` counts: cells, MC/DC pair halves, class witnesses."""
    found = set()
    if coverage.get("decision") == "cell":
        found.add(f"cell:{coverage['edge']}")
    elif "edge" in coverage:
        found.add(f"edge:{coverage['decision']}:{coverage['edge']}")
    if "flips" in coverage:
        condition = coverage["flips"]
        found.add(f"mcdc:{coverage['decision']}:{condition}={coverage['conditions'][condition]}")
    if "class" in coverage:
        found.add(f"class:{coverage['class']}")
    return found


def named(ids: Iterable[str], root: Path) -> set[str]:
    """The ids among ``ids`` that a document, test, proof or the CLI names,
    and those a test picks by the start of their id (``startswith("...")``)."""
    wanted = sorted(set(ids))
    known = set(wanted)
    token = re.compile(r"[A-Za-z0-9_.:+\-]+")
    found: set[str] = set()
    for pattern in NAMING_FILES:
        for path in sorted(root.glob(pattern)):
            if path.relative_to(root).as_posix() in GENERATED_DOCS:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            found |= {w for word in token.findall(text) for w in (word, word.rstrip(".:")) if w in known}
            if path.suffix == ".py" and path.relative_to(root).parts[0] == "tests":
                for start in PICKED_BY_START.findall(text):
                    found |= {i for i in wanted if i.startswith(start)}
    return found


def atoms_by_vector(
    vectors: Sequence[Json], killers: Mapping[str, Sequence[str]], catchers: Mapping[str, Sequence[str]],
    names: set[str],
) -> dict[str, set[str]]:  # fmt: skip
    """Vector id -> its atoms.  ``killers``: mutant -> the vectors killing it
    (``["*"]``: every vector does, so it needs none in particular);
    ``catchers``: seeded fault -> the vectors catching it."""
    found = {v["id"]: carried_atoms(v) for v in vectors}
    for mutant, by in killers.items():
        for vector in () if "*" in by else by:
            found[vector].add(f"mutant:{mutant}")
    for fault, by in catchers.items():
        for vector in by:
            found[vector].add(f"fault:{fault}")
    for vector in names:
        found[vector].add(f"named:{vector}")
    return found


@dataclass(frozen=True)
class Choice:
    """``kept``: minimised-group vector -> the atom that keeps it; ``dropped``:
    the vectors removed; ``covered``: each atom of a dropped vector -> a vector
    that stays and contributes it."""

    kept: dict[str, str]
    dropped: tuple[str, ...]
    covered: dict[str, str]


def cover(order: Sequence[str], atoms: Mapping[str, set[str]], candidates: set[str]) -> Choice:
    """The greedy set cover (see the module docstring).  ``order``: every
    vector in suite order; ``candidates``: those that may be dropped."""
    position = {vector: index for index, vector in enumerate(order)}
    fixed = [v for v in order if v not in candidates]
    covered_by: dict[str, str] = {}
    for vector in fixed:
        for atom in sorted(atoms[vector]):
            covered_by.setdefault(atom, vector)
    kept: dict[str, str] = {}
    contributors: dict[str, list[str]] = {}
    for vector in order:
        if vector in candidates:
            for atom in atoms[vector]:
                contributors.setdefault(atom, []).append(vector)
    for atom in sorted(contributors):
        if atom not in covered_by and len(contributors[atom]) == 1:
            _keep(contributors[atom][0], atom, atoms, kept, covered_by)
    greedy = _greedy(order, atoms, candidates, kept, covered_by, position)
    _prune(greedy, atoms, kept, fixed)
    covered_by = {}
    for vector in [*fixed, *sorted(kept, key=position.__getitem__)]:
        for atom in sorted(atoms[vector]):
            covered_by.setdefault(atom, vector)
    dropped = tuple(v for v in order if v in candidates and v not in kept)
    needed = sorted({atom for vector in dropped for atom in atoms[vector]})
    return Choice(kept, dropped, {atom: covered_by[atom] for atom in needed})


def _keep(vector: str, atom: str, atoms: Mapping[str, set[str]], kept: dict[str, str],
          covered_by: dict[str, str]) -> None:  # fmt: skip
    kept[vector] = atom
    for each in atoms[vector]:
        covered_by.setdefault(each, vector)


def _greedy(
    order: Sequence[str], atoms: Mapping[str, set[str]], candidates: set[str], kept: dict[str, str],
    covered_by: dict[str, str], position: Mapping[str, int],
) -> list[str]:  # fmt: skip
    """Lazy greedy: the candidate adding most uncovered atoms first (ties to
    the first in suite order); returns the vectors chosen, in order."""
    heap = [(-len(atoms[v] - covered_by.keys()), position[v], v) for v in order if v in candidates and v not in kept]
    heapq.heapify(heap)
    chosen: list[str] = []
    while heap:
        gain, index, vector = heapq.heappop(heap)
        new = atoms[vector] - covered_by.keys()
        if not new:
            continue
        if -len(new) != gain:
            heapq.heappush(heap, (-len(new), index, vector))
            continue
        _keep(vector, min(new), atoms, kept, covered_by)
        chosen.append(vector)
    return chosen


def _prune(greedy: Sequence[str], atoms: Mapping[str, set[str]], kept: dict[str, str], fixed: Sequence[str]) -> None:
    """Drop again each greedy choice (last first) whose atoms all have another
    contributor that stays."""
    staying: dict[str, int] = {}
    for vector in [*fixed, *kept]:
        for atom in atoms[vector]:
            staying[atom] = staying.get(atom, 0) + 1
    for vector in reversed(greedy):
        if all(staying[atom] > 1 for atom in atoms[vector]):
            del kept[vector]
            for atom in atoms[vector]:
                staying[atom] -= 1


# -- the committed outcome ---------------------------------------------------

HEADER: Final = (
    "# The older vector groups minimised against the mutants, the seeded faults and every coverage atom\n"
    '# (docs/architecture.md "Minimising the suite"). Written by `mhhs-sec generate --minimise`; do not edit.\n'
    "# kept<TAB>vector<TAB>the atom that keeps it | dropped<TAB>vector | atom<TAB>atom of a dropped vector<TAB>"
    "a vector that stays with it\n"
)


def render(choice: Choice, order: Sequence[str]) -> str:
    lines = [f"kept\t{v}\t{choice.kept[v]}" for v in order if v in choice.kept]
    lines += [f"dropped\t{v}" for v in choice.dropped]
    lines += [f"atom\t{atom}\t{vector}" for atom, vector in choice.covered.items()]
    return HEADER + "\n".join(lines) + "\n"


def read(path: Path = MINIMISED_FILE) -> Choice:
    kept: dict[str, str] = {}
    dropped: list[str] = []
    covered: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        kind, *rest = line.split("\t")
        if kind == "kept":
            kept[rest[0]] = rest[1]
        elif kind == "dropped":
            dropped.append(rest[0])
        else:
            covered[rest[0]] = rest[1]
    return Choice(kept, tuple(dropped), covered)


def apply(groups: Sequence[tuple[str, list[Json]]], choice: Choice) -> list[tuple[str, list[Json]]]:
    """Each group's vectors without the dropped ones (a dropped id the groups
    do not generate, or one outside :data:`GROUPS`, is an error: the kept
    list is stale, re-run the minimisation)."""
    dropped = set(choice.dropped)
    seen = {v["id"] for name, vectors in groups if name in GROUPS for v in vectors}
    unknown = sorted(dropped - seen)
    if unknown:
        raise MinimiseError(f"{len(unknown)} dropped vector(s) not generated by a minimised group, e.g. {unknown[0]}; "
                            "re-run the minimisation (docs/architecture.md)")  # fmt: skip
    return [(name, [v for v in vectors if v["id"] not in dropped]) for name, vectors in groups]


# -- re-running it -------------------------------------------------------------


def write_unminimised(out: Path) -> list[Path]:
    """The suite before minimisation (JSON only) into the new or empty folder ``out``."""
    from mhhs_sec.files import write_atomic

    from .run import build_all
    from .writer import dumps

    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise MinimiseError(f"{out} exists and is not an empty folder")
    paths = []
    for group, data in build_all(minimised=False):
        paths.append(out / f"{group.name}.json")
        write_atomic(paths[-1], dumps(data))
    return paths


def minimise(folder: Path, matrix: Json, root: Path, jobs: int = 1) -> tuple[Choice, list[str]]:
    """The choice for the unminimised suite in ``folder`` (:func:`write_unminimised`)
    given its kill matrix, the seeded faults each vector catches (run here)
    and the ids named under ``root``; with the suite order."""
    import json

    from mhhs_sec.conformance.faults import FAULTS
    from mhhs_sec.conformance.selfcheck import selfcheck
    from mhhs_sec.vectors import load_vectors

    from mhhs_sec.mutation.matrix import killed

    from .run import groups

    documents = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))}
    vectors = [v for g in groups() for v in documents.get(g.name, {"vectors": []})["vectors"]]
    order = [v["id"] for v in vectors]
    if sorted(matrix["vectors"]) != sorted(order):
        raise MinimiseError("the kill matrix was computed on other vectors than those in " + str(folder))
    loaded = sorted(load_vectors(str(folder), strict=False), key=lambda v: v.id)
    faults = selfcheck(loaded, list(FAULTS), jobs=jobs)
    if faults["reference"]["failed"] or faults["reference"]["errors"]:
        raise MinimiseError("the reference does not pass the unminimised suite")
    catchers = {entry["name"]: entry["caught_by"] for entry in faults["faulty"]}
    atoms = atoms_by_vector(vectors, killed(matrix), catchers, named(order, root))
    candidates = {v["id"] for g in groups() if g.name in GROUPS for v in documents[g.name]["vectors"]}
    return cover(order, atoms, candidates), order
