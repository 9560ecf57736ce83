"""Inputs for the fuzz harness: real events, states and answers taken from the
committed vectors, mutated.

Every choice goes through a :class:`Chooser`: under Hypothesis (the tests) it
is a draw, which Hypothesis shrinks towards index 0; in the counting script it
is a seeded ``random.Random``, thousands of inputs a second.  Index 0 is
always the gentlest choice (no mutation, the first value), so a shrunk input
is close to a real one.

Each mutation carries a family, recorded in the input's labels.  The family
``domain`` (dates and instants far outside the model's range, spans of
decades) is the model's input domain: what the model does with those is its
domain's business (``docs/architecture.md``, "Fuzzing").
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Final, Protocol, TypeVar

T = TypeVar("T")
Json = dict[str, Any]

DOMAIN: Final = "domain"


class Chooser(Protocol):
    """The source of every choice: ``below(n)`` is an index in ``range(n)``."""

    def below(self, n: int) -> int: ...


class RandomChooser:
    """Choices from a seeded ``random.Random`` (the counting script)."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def below(self, n: int) -> int:
        return self._random.randrange(n)


class DrawChooser:
    """Choices drawn by Hypothesis (``st.data()``), shrinking towards 0."""

    def __init__(self, data: Any) -> None:
        from hypothesis import strategies as st

        self._data, self._integers = data, st.integers

    def below(self, n: int) -> int:
        return int(self._data.draw(self._integers(0, n - 1)))


def pick(chooser: Chooser, values: Sequence[T]) -> T:
    return values[chooser.below(len(values))]


def chance(chooser: Chooser, one_in: int) -> bool:
    """True once in ``one_in`` (False is the gentle choice)."""
    return chooser.below(one_in) == one_in - 1


@dataclass
class Mutant:
    """An input being built: its value and the families of the mutations applied."""

    value: Any
    labels: list[str] = field(default_factory=list)

    def label(self, family: str, name: str) -> None:
        self.labels.append(f"{family}:{name}")

    @property
    def in_domain(self) -> bool:
        return not any(label.startswith(DOMAIN + ":") for label in self.labels)


# ---- values the mutations put in ------------------------------------------------

_DAY: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INSTANT: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(Z|[+-][0-9]{2}:[0-9]{2})")
# Far outside the model's range (its input domain refuses them, naming the limit).
EXTREME_DAYS: Final = ("0001-01-01", "9999-12-31", "1900-01-01", "2200-06-30", "1969-12-31")
EXTREME_INSTANTS: Final = (
    "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+14:00",
    "1900-01-01T00:00:00Z", "2125-06-01T00:00:00Z", "1969-12-31T23:59:59Z",
)  # fmt: skip
# Well-formed or nearly: other offsets, no offset, other separators, impossible days.
ODD_INSTANTS: Final = (
    "2025-06-10T11:00:00+01:00", "2025-06-10T11:00:00", "2025-06-10 11:00:00Z", "2025-02-30T00:00:00Z",
    "2025-06-10T24:00:00Z", "2025-06-10T11:00:00.5Z", "2025-06-10", "+2025-06-10T11:00:00Z", "2025-W24-2T11:00Z",
)  # fmt: skip
ODD_DAYS: Final = ("2025-02-29", "2025-13-01", "2025-06-10T00:00:00Z", "20250610", "2025-6-1", "2024-02-29")
WRONG_TYPES: Final[tuple[Any, ...]] = (None, True, False, 0, -1, 1.5, "", "x", [], {}, [None], {"": None})
HUGE_NUMBERS: Final = (2**31, 2**63, -(2**63) - 1, 10**30, 10**400, 1e308, -1e308, float("inf"), float("nan"))
# Text no implementation should print raw or echo whole: NUL, ESC sequences, C1
# controls, a lone surrogate, U+FFFF, XML and shell metacharacters, right-to-left.
NASTY_TEXT: Final = (
    "\x00", "a\x00b", "\x1b[31mred\x1b[0m", "\x1b]0;title\x07", "\x85\x9b", "\ud800", "\uffff", "<&>\"'",
    "]]>", "${IFS}", "\u202eevil", "é" * 3, "\n", "\r\n", " ", "null",
)  # fmt: skip
STRING_SIZES: Final = (1_000, 70_000, 1_100_000)
DEPTHS: Final = (10, 63, 64, 65, 200, 500)  # deeper: as text (mutate_bytes)
MAX_REPEATED: Final = 10_000  # bytes of JSON: a list repeated a hundred times is at most 1 MB
UNKNOWN_KEYS: Final = ("zz_unknown", "", "__proto__", "event", "id", "\x00")
# At most a day: what falls due in a longer advance is the model's cost, not the harness's concern.
SHIFTS_S: Final = (1, -1, 1800, -1800, 3600, 86400, -86400)
LONG_SHIFTS_S: Final = (20 * 366 * 86400, -60 * 366 * 86400)
# A generated time further than this from the vector's clock is a long advance
# or period: the model's input domain (its horizon) decides what it costs.
FAR_S: Final = 60 * 86400


def is_day(text: str) -> bool:
    return _DAY.fullmatch(text) is not None


def is_instant(text: str) -> bool:
    return _INSTANT.fullmatch(text) is not None


def _shifted(text: str, seconds: int) -> str | None:
    """An ISO day or instant moved by ``seconds`` (None if it leaves the calendar)."""
    import datetime as dt

    try:
        if is_day(text):
            return (dt.date.fromisoformat(text) + dt.timedelta(seconds=seconds)).isoformat()
        moved = dt.datetime.fromisoformat(text.replace("Z", "+00:00")) + dt.timedelta(seconds=seconds)
        return moved.isoformat().replace("+00:00", "Z")
    except (ValueError, OverflowError):
        return None


def seconds_apart(text: str, other: str) -> float | None:
    """How far apart two ISO days or instants are (None if either is not one)."""
    import datetime as dt

    def instant(value: str) -> dt.datetime:
        if is_day(value):
            return dt.datetime.fromisoformat(value + "T00:00:00+00:00")
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))

    try:
        return abs((instant(text) - instant(other)).total_seconds())
    except (ValueError, TypeError, OverflowError):
        return None


def temporal_strings(value: Any) -> list[str]:
    """Every ISO day or instant in a JSON value."""
    if isinstance(value, str):
        return [value] if is_day(value) or is_instant(value) else []
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return [found for item in items for found in temporal_strings(item)]


def nested(depth: int) -> Any:
    """A value nested ``depth`` levels deep (lists in dicts, alternately)."""
    value: Any = 0
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


# ---- mutations of one node --------------------------------------------------------

Mutation = Callable[[Chooser, Any, Mutant], Any]


def _temporal(chooser: Chooser, node: Any, mutant: Mutant) -> Any:
    """A date or instant moved, made odd, or made extreme."""
    if not isinstance(node, str) or not (is_day(node) or is_instant(node)):
        return _wrong_type(chooser, node, mutant)
    how = chooser.below(6)
    if how < 2:
        shifted = _shifted(node, pick(chooser, SHIFTS_S))
        mutant.label("value", "shift")
        return node if shifted is None else shifted
    if how < 4:
        mutant.label("format", "odd-time")
        return pick(chooser, ODD_DAYS if is_day(node) else ODD_INSTANTS)
    mutant.label(DOMAIN, "extreme-time")
    if how == 4:
        return pick(chooser, EXTREME_DAYS if is_day(node) else EXTREME_INSTANTS)
    shifted = _shifted(node, pick(chooser, LONG_SHIFTS_S))
    return node if shifted is None else shifted


def _wrong_type(chooser: Chooser, node: Any, mutant: Mutant) -> Any:
    mutant.label("type", "wrong-type")
    return pick(chooser, WRONG_TYPES)


def _huge_number(chooser: Chooser, node: Any, mutant: Mutant) -> Any:
    mutant.label("number", "huge")
    value = pick(chooser, HUGE_NUMBERS)
    return -value if isinstance(node, int) and node < 0 and chance(chooser, 2) else value


def _huge_string(chooser: Chooser, node: Any, mutant: Mutant) -> Any:
    mutant.label("size", "huge-string")
    text = node if isinstance(node, str) and node else "x"
    size = pick(chooser, STRING_SIZES)
    return (text * (size // len(text) + 1))[:size]


def _nasty_text(chooser: Chooser, node: Any, mutant: Mutant) -> Any:
    mutant.label("bytes", "control-characters")
    nasty = pick(chooser, NASTY_TEXT)
    if not isinstance(node, str):
        return nasty
    cut = chooser.below(len(node) + 1)
    return node[:cut] + nasty + node[cut:]


def _deep(chooser: Chooser, node: Any, mutant: Mutant) -> Any:
    mutant.label("depth", "deep")
    return nested(pick(chooser, DEPTHS))


def _shape(chooser: Chooser, node: Any, mutant: Mutant) -> Any:
    """A key added or removed, an item dropped or repeated, a list emptied."""
    mutant.label("shape", "shape")
    if isinstance(node, dict):
        changed = dict(node)
        if changed and chance(chooser, 2):
            del changed[pick(chooser, sorted(changed))]
        else:
            changed[pick(chooser, UNKNOWN_KEYS)] = pick(chooser, WRONG_TYPES)
        return changed
    if isinstance(node, list) and node:
        how = chooser.below(3)
        if how < 2:
            return [] if how == 0 else node[1:]
        times = pick(chooser, (1, 100))
        if times > 1 and len(dumps(node)) > MAX_REPEATED:
            times = 1  # a list of large items repeated would make inputs of hundreds of megabytes
        return node + node * times
    return _wrong_type(chooser, node, mutant)


MUTATIONS: Final[tuple[Mutation, ...]] = (
    _temporal, _wrong_type, _shape, _nasty_text, _huge_number, _huge_string, _deep,
)  # fmt: skip


def mutate_node(chooser: Chooser, node: Any, mutant: Mutant, pool: Sequence[Any] = ()) -> Any:
    """One mutation of ``node``: dates and instants mostly get a temporal one;
    sometimes a value from elsewhere in the corpus (``pool``) is swapped in."""
    if pool and chance(chooser, 6):
        mutant.label("value", "swap")
        return pick(chooser, pool)
    if isinstance(node, str) and (is_day(node) or is_instant(node)) and not chance(chooser, 3):
        return _temporal(chooser, node, mutant)
    return pick(chooser, MUTATIONS)(chooser, node, mutant)


def mutate(chooser: Chooser, value: Any, pool: Sequence[Any] = (), *, rounds: int = 3) -> Mutant:
    """``value`` with up to ``rounds`` nodes mutated (0 rounds: unchanged).
    The value is copied, never changed in place."""
    mutant = Mutant(value)
    for _ in range(chooser.below(rounds + 1)):
        mutant.value = _at_some_node(chooser, mutant.value, mutant, pool)
    return mutant


def _at_some_node(chooser: Chooser, node: Any, mutant: Mutant, pool: Sequence[Any]) -> Any:
    """Walk down from the root, stopping at a node (more likely deeper), and
    mutate it; the containers on the way are copied."""
    children = sorted(node) if isinstance(node, dict) else range(len(node)) if isinstance(node, list) else ()
    if not children or chance(chooser, 4):
        return mutate_node(chooser, node, mutant, pool)
    key = pick(chooser, list(children))
    copy = dict(node) if isinstance(node, dict) else list(node)
    copy[key] = _at_some_node(chooser, node[key], mutant, pool)
    return copy


# ---- mutations of bytes -----------------------------------------------------------


def mutate_bytes(chooser: Chooser, data: bytes, mutant: Mutant) -> bytes:
    """Text-level damage to a serialised message (sometimes none)."""
    how = chooser.below(10)
    if how < 5:
        return data
    mutant.label("bytes", ("truncated", "byte", "brackets", "doubled", "invalid-utf8")[how - 5])
    cut = chooser.below(len(data) + 1)
    if how == 5:
        return data[:cut]
    if how == 6:
        return data[:cut] + pick(chooser, (b"\x00", b"\x1b", b"\xff", b"\n", b"\r", b'"', b"\\")) + data[cut:]
    if how == 7:
        depth = pick(chooser, (65, 5_000, 200_000))
        return data[:cut] + b"[" * depth + b"]" * depth + data[cut:]
    if how == 8:
        return data + b"\n" + data
    return data[:cut] + pick(chooser, (b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\xfe")) + data[cut:]


def dumps(value: Any) -> bytes:
    """JSON text of a value as a hostile client would send it (NaN, Infinity
    and lone surrogates included, which Python's encoder writes)."""
    return json.dumps(value, separators=(",", ":")).encode()


# ---- the corpus -------------------------------------------------------------------


@dataclass
class Corpus:
    """What the mutations start from: the committed vectors (through the one
    loader), their events, requests, initial states and expected outputs, and
    every string they hold (values to swap in)."""

    vectors: list[Any]

    @classmethod
    def load(cls, path: str | None = None) -> Corpus:
        from mhhs_sec.vectors.loader import load_vectors

        return cls(load_vectors(path, strict=False))

    @cached_property
    def steps(self) -> list[tuple[int, int]]:
        """(vector index, step index) of every step of every vector."""
        return [(v, s) for v, vector in enumerate(self.vectors) for s in range(len(vector.steps))]

    @cached_property
    def strings(self) -> list[str]:
        """Distinct strings of the events and initial states (sorted: deterministic)."""
        found: set[str] = set()
        for vector in self.vectors[:: max(1, len(self.vectors) // 200)]:
            _collect(vector.initial_state, found)
            for step in vector.steps:
                _collect(step.event, found)
        return sorted(found)

    @cached_property
    def submit_steps(self) -> list[tuple[int, int]]:
        """The steps whose event is a well-formed submit (a service request; a
        refused step's may be malformed input)."""
        return [
            (v, s)
            for v, s in self.steps
            if self.vectors[v].steps[s].refused is None and _kind(self.vectors[v].steps[s].event) == "submit"
        ]

    def step_at(self, chooser: Chooser) -> tuple[int, int]:
        return pick(chooser, self.steps)


def _collect(value: Any, found: set[str]) -> None:
    if isinstance(value, str) and len(value) < 200:
        found.add(value)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, found)
    elif isinstance(value, list):
        for item in value[:50]:
            _collect(item, found)


def _kind(event: Any) -> Any:
    """A step's event kind (None for an event that is no object: malformed input a refused step carries)."""
    return event.get("event") if isinstance(event, dict) else None
