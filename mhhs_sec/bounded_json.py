"""JSON text from outside the process, parsed with bounded nesting.

Python's JSON decoder recurses once per nesting level, so a document nested a
thousand levels deep (a few kilobytes) raises ``RecursionError`` instead of a
parse error.  Every reader of JSON the project does not produce itself (an
adapter's answers, a request to ``mhhs-sec serve``, a vector file) goes through
:func:`loads`, which measures the nesting first and refuses a document deeper
than :data:`MAX_DEPTH` with :class:`TooDeep` (a ``ValueError``, like any other
malformed JSON).  The measure is linear in the size of the text and does not
recurse.
"""

from __future__ import annotations

import json
from array import array
from itertools import accumulate
from typing import Any, Final

# The deepest nesting accepted.  Every message of the adapter protocol and
# every vector file is far shallower (under 10 levels).
MAX_DEPTH: Final = 64

_NOT_STRUCTURE: Final = bytes(sorted(set(range(256)) - set(b'[]{}"')))
# Opening bracket -> +1, closing -> -1 (as a signed byte).
_STEP: Final = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


class TooDeep(ValueError):
    """A JSON document nested deeper than :data:`MAX_DEPTH`."""


def nesting_depth(text: bytes | bytearray) -> int:
    """The deepest nesting of arrays and objects in JSON ``text`` (0 for a
    scalar).  Brackets inside strings do not count.  For text that is not
    JSON, up to its first error the decoder and this count agree on which
    brackets are structure, so the decoder never nests deeper than the count
    before it refuses the text."""
    if b"\\" in text:  # escaped backslashes, then escaped quotes: a quote left opens or closes a string
        text = text.replace(b"\\\\", b"").replace(b'\\"', b"")
    # Quotes and brackets only; two quotes in a row (an empty string, or the
    # end of one and the start of the next) go too, which changes no bracket's
    # side of the strings.  What is left of most JSON is brackets alone.
    compact = text.translate(None, _NOT_STRUCTURE).replace(b'""', b"")
    if b'"' in compact:  # brackets inside strings: keep only what is outside them
        compact = b"".join(compact.split(b'"')[::2])
    return max(0, max(accumulate(array("b", compact.translate(_STEP))), default=0))


def loads(text: bytes | bytearray) -> Any:
    """The value of JSON ``text`` (UTF-8); ValueError if it is not JSON
    (TooDeep if it nests deeper than :data:`MAX_DEPTH`, UnicodeDecodeError if
    it is not UTF-8)."""
    # Fewer brackets than the limit cannot nest deeper: no scan (most messages).
    if text.count(b"[") + text.count(b"{") > MAX_DEPTH and (depth := nesting_depth(text)) > MAX_DEPTH:
        raise TooDeep(f"JSON nested {depth} levels deep; at most {MAX_DEPTH} are accepted")
    try:
        return json.loads(text)
    except RecursionError:  # not reachable after the count; kept so no caller ever sees one
        raise TooDeep(f"JSON nested deeper than {MAX_DEPTH} levels") from None
