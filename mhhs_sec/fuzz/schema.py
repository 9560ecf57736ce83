"""Values generated from the JSON Schemas of the adapter protocol's messages
(``vectors/protocol/*.schema.json``): every event kind, every output shape,
every answer envelope, including the ones the vectors never send.

Only the keywords those schemas use are read: ``$ref`` (to ``#/$defs/...``),
``const``, ``enum``, ``type``, ``properties``, ``required``, ``items``,
``prefixItems``, ``minItems``, ``minimum``, ``maximum``, ``minLength``,
``pattern``, ``anyOf``, ``oneOf``, ``allOf`` and ``if``/``then``/``else``.
A string with a ``pattern`` is a string of the corpus that matches it, its
letters and digits scrambled within their class (a date keeps its shape, not
its calendar sense); the generator aims at the shapes, the mutations
(:mod:`.mutate`) at everything around them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cache
from typing import Any, Final

from mhhs_sec.vectors.format import VECTORS_DIR

from .mutate import NASTY_TEXT, Chooser, chance, pick

PROTOCOL_DIR: Final = VECTORS_DIR / "protocol"
SCHEMAS: Final = ("step", "reset", "outputs", "hello", "envelope")
_INTERESTING_INTS: Final = (0, 1, -1, 59, 60, 1800, 3599, 3600, 86399, 86400, 2**31, 10**12)
_MAX_DEPTH: Final = 12  # schema recursion is cut here (the protocol's messages are shallower)


@cache
def schema(name: str) -> Any:
    """A protocol schema by name (``step``, ``reset``, ``outputs``, ``hello``, ``envelope``)."""
    return json.loads((PROTOCOL_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


class SchemaValues:
    """Generates values matching a schema; strings under a ``pattern`` come
    from ``strings`` (the corpus)."""

    def __init__(self, root: Any, strings: Sequence[str]) -> None:
        self.root, self.strings = root, strings

    def value(self, chooser: Chooser, node: Any = None, depth: int = 0) -> Any:
        node = self.root if node is None else node
        if not isinstance(node, dict) or depth > _MAX_DEPTH:
            return None
        if "$ref" in node:
            return self.value(chooser, self.root["$defs"][node["$ref"].rsplit("/", 1)[-1]], depth + 1)
        if "const" in node:
            return node["const"]
        if "enum" in node:
            return pick(chooser, node["enum"])
        for key in ("anyOf", "oneOf"):
            if key in node:
                return self.value(chooser, pick(chooser, node[key]), depth + 1)
        branch = self._branch(chooser, node)
        if branch is not None:
            return self.value(chooser, _merged(node, branch), depth + 1)
        return self._typed(chooser, node, depth)

    @staticmethod
    def _branch(chooser: Chooser, node: Any) -> Any:
        """One conditional branch (``then`` of an ``allOf`` entry, or ``then`` /
        ``else``): the schemas describe each kind of message in one."""
        thens = [entry["then"] for entry in node.get("allOf", ()) if "then" in entry]
        if thens:
            return pick(chooser, thens)
        if "then" in node or "else" in node:
            return pick(chooser, [node[key] for key in ("then", "else") if key in node])
        return None

    def _typed(self, chooser: Chooser, node: Any, depth: int) -> Any:
        kind = node.get("type")
        if isinstance(kind, list):
            kind = pick(chooser, kind)
        if kind == "object" or "properties" in node:
            return self._object(chooser, node, depth)
        if kind == "array":
            return self._array(chooser, node, depth)
        if kind == "string":
            return self._string(chooser, node)
        if kind in ("integer", "number"):
            low, high = node.get("minimum"), node.get("maximum")
            value = pick(chooser, _INTERESTING_INTS)
            return max(low, value) if low is not None and high is None else value if low is None else low
        if kind == "boolean":
            return chance(chooser, 2)
        return None

    def _object(self, chooser: Chooser, node: Any, depth: int) -> Any:
        properties = node.get("properties", {})
        required = set(node.get("required", ()))
        return {
            key: self.value(chooser, sub, depth + 1)
            for key, sub in sorted(properties.items())
            if key in required or not chance(chooser, 3)
        }

    def _array(self, chooser: Chooser, node: Any, depth: int) -> Any:
        prefix = [self.value(chooser, sub, depth + 1) for sub in node.get("prefixItems", ())]
        if prefix:
            return prefix
        count = node.get("minItems", 0) + chooser.below(3)
        return [self.value(chooser, node.get("items", {}), depth + 1) for _ in range(count)]

    def _string(self, chooser: Chooser, node: Any) -> str:
        pattern = node.get("pattern")
        if pattern is None:
            return pick(chooser, ("x", *NASTY_TEXT)) if chance(chooser, 4) else pick(chooser, self.strings)
        matching = _matching(pattern, tuple(self.strings))
        if not matching:
            return pick(chooser, self.strings)
        return _scrambled(chooser, pick(chooser, matching))


def _merged(node: Any, branch: Any) -> Any:
    """``node`` without its conditions, with ``branch``'s keywords laid over it."""
    base = {k: v for k, v in node.items() if k not in ("allOf", "if", "then", "else")}
    return {**base, **branch}


@cache
def _matching(pattern: str, strings: tuple[str, ...]) -> tuple[str, ...]:
    compiled = re.compile(pattern)
    return tuple(s for s in strings if compiled.search(s))


def _scrambled(chooser: Chooser, text: str) -> str:
    """``text`` with some digits and hex letters replaced within their class."""
    if not chance(chooser, 2):
        return text
    out = list(text)
    for index, char in enumerate(out):
        if char.isdigit() and chance(chooser, 3):
            out[index] = str(chooser.below(10))
        elif char in "ABCDEF" and chance(chooser, 3):
            out[index] = "ABCDEF"[chooser.below(6)]
    return "".join(out)
