"""Fresh suites, the identities: a seeded bijection from the committed
suite's MPANs and EUI-64s (users, devices) onto new ones (:mod:`.fresh`).

The bijection keeps each EUI-64's first three octets (the organisation
part) and each MPAN's first two digits (the distributor), draws the rest
from the seed, and preserves order within each group (the k-th smallest
committed identity maps to the k-th smallest new one), so nothing that sorts
identities can tell the suites apart.  No new identity is a committed one.
Request ids are written from identities (``sender:target:counter``) and are
renamed with them.  The DSP's own EUI-64, the target of DCC-only requests in
DUIS, is part of the protocol and stays.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final

from mhhs_sec.vectors.duis import DSP_TARGET

from .fresh_calendar import derived

EUI_TOKEN: Final = re.compile(r"(?<![0-9A-F-])[0-9A-F]{2}(?:-[0-9A-F]{2}){7}(?![0-9A-F-])")
MPAN_TOKEN: Final = re.compile(r"(?<![0-9])[0-9]{13}(?![0-9])")
# Identities of the protocol, not of a vector.
PROTOCOL_IDENTITIES: Final = frozenset({DSP_TARGET})
# The weights of the MPAN check digit (the 13th digit), over the first twelve.
MPAN_WEIGHTS: Final = (3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43)


def mpan_check_digit(first_twelve: str) -> int:
    """The MPAN check digit: the weighted sum of the first twelve digits, mod 11, mod 10."""
    return sum(int(digit) * weight for digit, weight in zip(first_twelve, MPAN_WEIGHTS, strict=True)) % 11 % 10


def valid_mpan(mpan: str) -> bool:
    return bool(re.fullmatch(r"[0-9]{13}", mpan)) and mpan_check_digit(mpan[:12]) == int(mpan[12])


@dataclass(frozen=True)
class Identities:
    """The bijection, and its use on text (every EUI-64 and MPAN token in it)."""

    mapping: dict[str, str]

    def text(self, value: str) -> str:
        value = EUI_TOKEN.sub(lambda m: self.mapping.get(m.group(), m.group()), value)
        return MPAN_TOKEN.sub(lambda m: self.mapping.get(m.group(), m.group()), value)


def found_in(texts: Iterable[str]) -> tuple[set[str], set[str]]:
    """The EUI-64s (but the protocol's) and MPANs the texts hold."""
    euis: set[str] = set()
    mpans: set[str] = set()
    for value in texts:
        euis.update(EUI_TOKEN.findall(value))
        mpans.update(MPAN_TOKEN.findall(value))
    return euis - PROTOCOL_IDENTITIES, mpans


def identities(seed: int, euis: Iterable[str], mpans: Iterable[str]) -> Identities:
    """The seeded, order-preserving bijection (module docstring)."""
    euis, mpans = sorted(set(euis)), sorted(set(mpans))
    taken = set(euis) | set(mpans) | PROTOCOL_IDENTITIES
    mapping: dict[str, str] = {}
    for prefix in sorted({e[:8] for e in euis}):
        group = [e for e in euis if e[:8] == prefix]
        mapping.update(zip(group, _draw(seed, prefix, len(group), taken, _eui), strict=True))
    for prefix in sorted({m[:2] for m in mpans}):
        group = [m for m in mpans if m[:2] == prefix]
        mapping.update(zip(group, _draw(seed, prefix, len(group), taken, _mpan), strict=True))
    return Identities(mapping)


def _eui(prefix: str, number: int) -> str:
    octets = number.to_bytes(8, "big")[3:]
    return prefix + "-" + "-".join(f"{octet:02X}" for octet in octets)


def _mpan(prefix: str, number: int) -> str:
    first_twelve = prefix + f"{number % 10**10:010d}"
    return first_twelve + str(mpan_check_digit(first_twelve))


def _draw(seed: int, prefix: str, count: int, taken: set[str], form: Callable[[str, int], str]) -> list[str]:
    """``count`` new distinct identities with ``prefix``, sorted."""
    drawn: set[str] = set()
    attempt = 0
    while len(drawn) < count:
        candidate = form(prefix, derived(seed, "identity", prefix, attempt))
        attempt += 1
        if candidate not in taken and candidate not in drawn:
            drawn.add(candidate)
    return sorted(drawn)
