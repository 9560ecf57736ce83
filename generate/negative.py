"""Negative vectors: what must NOT be disclosed.  A rejected request returns
no log entries, an error response carries no device data (no entries, no
inventory, no device interaction), and data the S1SP holds in its cache is not
served to a party access control refuses (C-7, C-10, AC-3, AC-5, FS-2, FS-4).

Two sources: the first rejected On Demand cell of each (response code, SRV)
of the cell grid (found by running the grid through the model), and reads of
data sitting fresh in the cache by a sender each check refuses (one situation
per check: registration, flag, user, role)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from mhhs_sec.model import Response, SubmitRequest
from mhhs_sec.model.registration import ONE_DAY
from mhhs_sec.model.tables import CACHE
from mhhs_sec.model.world import MPAN_A, SUPPLIER

from . import cells
from . import situations as sit
from .build import Case, run_case

OBSERVABLES = ("response-code", "entries", "device-read", "inventory")
REQUIREMENTS = ("AC-3", "AC-5", "C-7", "C-10", "FS-2", "FS-4", "AC-1")


def _first_rejections() -> Iterator[Case]:
    seen: set[tuple[str, str]] = set()
    for role, srv, generation, mode, flag in cells.grid():
        if mode != "on-demand":
            continue
        state, events = cells._events(role, srv, generation, mode, flag)
        results = run_case(state, events)
        response = next(o for o in results[0] if isinstance(o, Response))  # type: ignore[union-attr]
        if response.code == "I0" or (response.code, srv) in seen:
            continue
        seen.add((response.code, srv))
        key = cells.cell_key(role, srv, generation, mode, flag)
        yield Case(
            id=f"negative.rejected.{response.code.lower()}.{srv}",
            comment=f"{response.code} for {srv} ({key}): the error response carries no entries, no inventory",
            requirements=REQUIREMENTS, state=state, events=events, observables=OBSERVABLES,
            tags=("negative", "no-disclosure"), coverage={"decision": "negative", "edge": key},
            primary=(*response.requirements, "AC-3")[0],  # the check that refused it
        )  # fmt: skip


# Senders that the checks refuse: (name, user or None for unknown, role, flag)
_REFUSED = (
    ("outgoing-mdra-after-efd", "outgoing", "MDR", "true"),  # AC-3 / REG-4: E4
    ("mdr-without-flag", "incoming", "MDR", "false"),  # FS-2: MHHS-E1
    ("other-user-with-flag", "other", "OU", "true"),  # FS-4: MHHS-E2
    ("unknown-user", "unknown", "IS", "false"),  # REG-1: E1
    ("supplier-sending-as-mdr", "supplier", "MDR", "true"),  # REG-7: E1
)


def _cache_leaks() -> Iterator[Case]:
    state = sit.base()
    device_id = sit.esme_or("SMETS1", "ESME")
    outgoing, incoming = (a.party for a in state.registrations[MPAN_A].mdras[:2])
    users = {"outgoing": outgoing, "incoming": incoming, "supplier": SUPPLIER, "unknown": sit.UNKNOWN_USER,
             "other": sit.sender(state, "OU", device_id, state.today)}  # fmt: skip
    for srv in CACHE.srvs:
        role_fill = "ES" if srv == "4.8.3" else "IS"
        primed = sit.with_schedule(state, SUPPLIER, role_fill, device_id, srv, state.today + 30 * ONE_DAY, False)
        fill = sit.request(primed, SUPPLIER, role_fill, srv, device_id, "false", 1)
        for name, who, role, flag in _REFUSED:
            read = replace(sit.request(primed, users[who], role, srv, device_id, flag, 2), period=fill.period)
            yield Case(
                id=f"negative.cached.{name}.{srv}",
                comment=f"data of {srv} fresh in the S1SP cache is not served to a refused sender ({name}; C-7)",
                requirements=(*REQUIREMENTS, "C-4", "REG-1", "REG-4", "REG-7"), state=primed,
                events=(SubmitRequest(fill), SubmitRequest(read)), observables=OBSERVABLES,
                tags=("negative", "no-disclosure", "cache"), coverage={"decision": "negative", "edge": name},
                primary="C-7",
            )  # fmt: skip


def cases() -> Iterator[Case]:
    yield from _first_rejections()
    yield from _cache_leaks()
