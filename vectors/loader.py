"""The one loader of conformance vectors (``docs/vector-format.md``).

:func:`load_vectors` reads vector files (JSON), validates each against
``vector.schema.json`` and the strict model codec, and returns typed
:class:`Vector` objects.  Errors name the file and the field path.  The
committed vectors were validated when ``mhhs-sec generate`` wrote them: while
their index (``vectors/index.py``) vouches for them, only the selected ones are
decoded, nothing is validated again.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from mhhs_sec.model import Event, Profile, State
from mhhs_sec.model.codec import decode_event, decode_state
from mhhs_sec.model.errors import InvalidEvent
from mhhs_sec.model.outputs import Output
from mhhs_sec.model.profile import PROFILE_OPTIONS

from mhhs_sec import bounded_json

from .answers import decode_output
from .format import FORMAT_VERSION, JSON_DIR, SCHEMA_FILE
from .index import IndexEntry, read_index

Json = dict[str, Any]


class VectorFormatError(ValueError):
    """A vector file that does not follow the format: names file and field."""

    def __init__(self, path: Path | str, field: str, message: str) -> None:
        super().__init__(f"{path}: {field}: {message}")
        self.path, self.field, self.message = str(path), field, message


@dataclass(frozen=True, slots=True)
class Expected:
    """One expected output: the codec JSON of the output, why it is expected,
    the requirement IDs it checks, and the other answers that also conform
    (``acceptable``: ``{"code", "why", "requirements"}`` objects)."""

    output: Json
    why: str
    requirements: tuple[str, ...]
    acceptable: tuple[Json, ...] = ()

    def model_output(self) -> Output:
        return decode_output(self.output)


@dataclass(frozen=True, slots=True)
class Step:
    """One event and the outputs it must produce."""

    event: Json
    expected: tuple[Expected, ...]
    comment: str = ""
    refused: Json | None = None  # {"field", "requirement"}: the event must be refused

    @property
    def expected_outputs(self) -> list[Json]:
        return [e.output for e in self.expected]

    def model_event(self) -> Event:
        return decode_event(self.event)


@dataclass(frozen=True, slots=True)
class Alternative:
    """The outcome the same vector has under another value of an option."""

    option: str
    requirement: str
    value: Any
    outcome: str
    vector: str | None = None


@dataclass(frozen=True, slots=True)
class VectorProfile:
    """``requires``: the option values the expected outcome depends on;
    ``alternatives``: what happens under the other values."""

    requires: dict[str, Any]
    alternatives: tuple[Alternative, ...] = ()

    def matches(self, profile: Profile | dict[str, Any]) -> bool:
        """Does an implementation running ``profile`` get this vector's outcome?"""
        values = profile.as_dict() if isinstance(profile, Profile) else profile
        default = Profile().as_dict()
        return all(values.get(k, default[k]) == v for k, v in self.requires.items())

    def tags(self) -> tuple[str, ...]:
        """'REQ:option=value' tags (as responses carry them)."""
        profile = Profile().with_options(**self.requires)
        return tuple(profile.tag(name) for name in self.requires)


@dataclass(frozen=True, slots=True)
class Vector:
    """A conformance vector: initial state, steps, expected outputs;
    ``primary_requirement``: the one requirement it was built to check (one
    of ``requirements``, the others are context)."""

    id: str
    requirements: tuple[str, ...]
    profile: VectorProfile
    observables: tuple[str, ...]
    comment: str
    tags: tuple[str, ...]
    initial_state: Json
    steps: tuple[Step, ...]
    coverage: Json = field(default_factory=dict)
    source: str = ""
    model_revision: str = ""
    generator: str = ""
    primary_requirement: str = ""
    reset_refused: Json | None = None  # {"field", "requirement", "why"}: the initial state must be refused

    def model_state(self) -> State:
        """The initial state as a model :class:`State` (strict decode; an
        initial state the vector expects refused raises :class:`InvalidEvent`)."""
        return decode_state(self.initial_state)

    @property
    def full_profile(self) -> Profile:
        """The complete profile the expected outputs were computed under."""
        return decode_state_profile(self.initial_state)


def decode_state_profile(initial_state: Json) -> Profile:
    return Profile(**initial_state.get("profile", {}))


@cache
def _validator() -> Any:
    import jsonschema  # only when a file is validated (not on the index's path)

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _path_text(parts: Iterable[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(root)"


def validate_document(document: object, path: Path | str) -> None:
    """Check one parsed vector file against the JSON Schema (first error)."""
    import jsonschema

    validator = _validator()
    error = next(iter(validator.iter_errors(document)), None)
    if error is not None:
        best = jsonschema.exceptions.best_match([error, *validator.iter_errors(document)]) or error
        raise VectorFormatError(path, _path_text(best.absolute_path), best.message)


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(path.glob("*.json"))
    if path.is_file():
        return [path]
    raise VectorFormatError(path, "(path)", "no such file or directory")


def read_document(path: Path) -> Json:
    """A parsed, schema-checked vector file (cached while the file is unchanged)."""
    stat = path.stat()
    return _read_document(path.resolve(), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _read_document(path: Path, mtime_ns: int, size: int) -> Json:
    try:
        document = bounded_json.loads(path.read_bytes())
    except json.JSONDecodeError as error:
        raise VectorFormatError(path, f"line {error.lineno}", f"not JSON: {error.msg}") from None
    except ValueError as error:  # nested too deep, not UTF-8
        raise VectorFormatError(path, "(document)", f"not JSON: {error}") from None
    _check_document(document, path)
    return document  # type: ignore[no-any-return]


def _check_document(document: Any, path: Path) -> None:
    validate_document(document, path)
    if document.get("format_version") != FORMAT_VERSION:
        raise VectorFormatError(path, "format_version", f"expected {FORMAT_VERSION}")


def _vector(data: Json, header: Json, path: Path, index: int, strict: bool) -> Vector:
    where = f"vectors[{index}]"
    profile = data["profile"]
    unknown = sorted(set(profile["requires"]) - set(PROFILE_OPTIONS))
    if unknown:
        raise VectorFormatError(path, f"{where}.profile.requires", f"unknown option(s) {unknown}")
    if data["primary_requirement"] not in data["requirements"]:
        raise VectorFormatError(path, f"{where}.primary_requirement",
                                f"{data['primary_requirement']} is not one of the vector's requirements")  # fmt: skip
    steps = tuple(
        Step(
            s["event"],
            tuple(
                Expected(e["output"], e["why"], tuple(e["requirements"]), tuple(e.get("acceptable", ())))
                for e in s["expected"]
            ),
            s.get("comment", ""),
            s.get("refused"),
        )
        for s in data["steps"]
    )
    vector = Vector(
        id=data["id"], requirements=tuple(data["requirements"]),
        profile=VectorProfile(dict(profile["requires"]), tuple(Alternative(**a) for a in profile["alternatives"])),
        observables=tuple(data["observables"]), comment=data["comment"], tags=tuple(data["tags"]),
        initial_state=data["initial_state"], steps=steps, coverage=dict(data.get("coverage", {})),
        source=str(path), model_revision=header["model_revision"], generator=header["provenance"]["generator"],
        primary_requirement=data["primary_requirement"], reset_refused=data.get("reset_refused"),
    )  # fmt: skip
    if strict:
        _check_codec(vector, path, where)
    return vector


def _check_codec(vector: Vector, path: Path, where: str) -> None:
    """The strict model codec must read every state, event and output (a
    refused step's event, or the initial state of a vector that expects its
    reset refused, may be one the codec itself refuses: that is what the
    vector checks)."""
    try:
        _check_state(vector, f"{where}.initial_state")
        for i, step in enumerate(vector.steps):
            _check_event(step, f"{where}.steps[{i}].event")
            for j, expected in enumerate(step.expected):
                decode_output(expected.output, f"{where}.steps[{i}].expected[{j}].output")
    except InvalidEvent as error:
        raise VectorFormatError(path, error.field, f"{error.message} [{error.requirement}]") from None


def _check_state(vector: Vector, where: str) -> None:
    try:
        decode_state(vector.initial_state, where)
    except InvalidEvent:
        if vector.reset_refused is None:
            raise


def _check_event(step: Step, where: str) -> None:
    try:
        decode_event(step.event, where)
    except InvalidEvent:
        if step.refused is None:
            raise


def load_vectors(
    path: Path | str | None = None,
    *,
    requirement: str | None = None,
    tag: str | None = None,
    strict: bool = True,
    wants: Callable[[Any], bool] | None = None,
) -> list[Vector]:
    """Load, validate and filter vectors.

    ``path``: a vector file or a folder of them (default: the committed
    ``vectors/json``, read through their index when it vouches for them).
    ``requirement`` keeps vectors citing that catalogue ID (in
    ``requirements``); ``tag`` keeps vectors carrying that tag; ``wants``
    (given an object with ``id``, ``requirements`` and ``tags``) keeps those
    it accepts.  Raises :class:`VectorFormatError` (file and field named) on
    the first bad file; duplicate ids across files are an error."""

    def keep(v: Any) -> bool:
        return ((requirement is None or requirement in v.requirements) and (tag is None or tag in v.tags)
                and (wants is None or wants(v)))  # fmt: skip

    index = read_index(JSON_DIR) if path is None else None
    if index is not None:
        return _indexed([entry for entry in index if keep(entry)], JSON_DIR, strict)
    return [v for v in _validated(Path(path) if path is not None else JSON_DIR, strict) if keep(v)]


def vector_entries(path: Path | str | None = None, strict: bool = False) -> list[Any]:
    """Every vector (of the committed ones by default) as an object with
    ``id``, ``requirements`` and ``tags``: the index's entries while it vouches
    for the files, else the validated vectors themselves.  Enough to select
    vectors and to name an unknown one before any vector is decoded
    (``strict``: a user's files through the strict model codec too)."""
    index = read_index(JSON_DIR) if path is None else None
    if index is not None:
        return list(index)
    return list(load_vectors(path, strict=strict))


def did_you_mean(wanted: list[str], ids: list[str]) -> str:
    """'; did you mean a, b?' from the ids closest to those asked for (a
    user's mistyped ``--vector`` or ``show`` id)."""
    close: list[str] = []
    for one in wanted:
        near = difflib.get_close_matches(one, ids, n=3, cutoff=0.6) or sorted(i for i in ids if one in i)[:3]
        close += [i for i in near if i not in close]
    return f"; did you mean {', '.join(close)}?" if close else " (mhhs-sec list vectors lists every id)"


def _validated(root: Path, strict: bool) -> list[Vector]:
    return _vectors_of({file: read_document(file) for file in _files(root)}, strict)


def validate_documents(documents: dict[Path, Json]) -> list[Vector]:
    """What ``mhhs-sec generate`` checks before it writes vector files: each
    parsed document against the schema, every vector through the strict model
    codec, ids unique across files.  Raises :class:`VectorFormatError`."""
    for path, document in documents.items():
        _check_document(document, path)
    return _vectors_of(documents, strict=True)


def _vectors_of(documents: dict[Path, Json], strict: bool) -> list[Vector]:
    vectors: list[Vector] = []
    seen: dict[str, str] = {}
    for file, document in documents.items():
        for index, data in enumerate(document["vectors"]):
            vector = _vector(data, document, file, index, strict)
            if vector.id in seen:
                raise VectorFormatError(
                    file, f"vectors[{index}].id", f"duplicate id {vector.id!r} (also in {seen[vector.id]})"
                )
            seen[vector.id] = str(file)
            vectors.append(vector)
    return vectors


def _indexed(entries: list[IndexEntry], folder: Path, strict: bool) -> list[Vector]:
    """The vectors of ``entries``, each decoded from its line of its file
    (files the index vouches for: validated when written)."""
    names = sorted({entry.file for entry in entries})
    return [_decode(entry, folder, strict) for name in names for entry in entries if entry.file == name]


def decoded(vector: Vector | IndexEntry) -> Vector:
    """The vector an entry of :func:`vector_entries` stands for: decoded from
    its line when it is the index's entry, as it is when already decoded."""
    return vector if isinstance(vector, Vector) else _decode(vector, JSON_DIR, strict=False)


def _decode(entry: IndexEntry, folder: Path, strict: bool) -> Vector:
    path = folder / entry.file
    lines, header, start = _file_lines(path, path.stat().st_mtime_ns)
    return _vector(json.loads(lines[entry.line].rstrip(",")), header, path, entry.line - start, strict)


@lru_cache(maxsize=32)
def _file_lines(path: Path, mtime_ns: int) -> tuple[list[str], Json, int]:
    """A vector file's lines (one vector per line), its header and the line
    of its first vector: read once while the file is unchanged."""
    lines = path.read_text(encoding="utf-8").split("\n")
    start = lines.index(' "vectors": [') + 1
    return lines, json.loads("\n".join(lines[: start - 1]) + '\n "vectors": []\n}'), start


def vector_document(vector_id: str, path: Path | str | None = None) -> Json | None:
    """One vector's JSON as its file holds it (the committed vectors by
    default, one line read through their index), or None when no vector has
    that id."""
    index = read_index(JSON_DIR) if path is None else None
    if index is not None:
        entry = next((e for e in index if e.id == vector_id), None)
        if entry is None:
            return None
        path = JSON_DIR / entry.file
        found: Json = json.loads(_file_lines(path, path.stat().st_mtime_ns)[0][entry.line].rstrip(","))
        return found
    for file in _files(Path(path) if path is not None else JSON_DIR):
        for data in read_document(file)["vectors"]:
            if data["id"] == vector_id:
                return data  # type: ignore[no-any-return]
    return None
