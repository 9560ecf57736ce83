"""Seeded faults: each is the encoding built from a modified copy of its inputs
(a table edited, or a :class:`~.inputs.Faults` flag set).  Every invariant
must be falsified by at least one of them, with a bounded-model-checking
counterexample (proofs that can fail)."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final

import z3
from mhhs_sec.model.tables import TRT_AMENDMENTS, TRT_TABLE

from .inputs import Faults, Inputs, reference_inputs

if TYPE_CHECKING:
    from .run import Result
    from .solve import Trace

HOUR: Final = 3600


@dataclass(frozen=True)
class Mutant:
    """A named seeded fault and the rule it breaks."""

    name: str
    breaks: tuple[str, ...]
    description: str
    make: Callable[[Inputs], Inputs]

    def inputs(self) -> Inputs:
        return self.make(reference_inputs())


def _fault(**flags: Any) -> Callable[[Inputs], Inputs]:
    return lambda i: replace(i, faults=replace(Faults(), **flags))


def _printed_trt(i: Inputs) -> Inputs:
    # TRT-3 undone: the 002 Table 3 cells as printed, without the modification's amendments
    trt = dict(i.trt)
    rows = {r.srv: r for r in TRT_TABLE}
    for a in TRT_AMENDMENTS:
        for key in [k for k in trt if (k[0], k[1], k[2]) == (a.srv, a.generation, a.mode)]:
            column = f"{key[3]}_{'s1' if key[1] == 'SMETS1' else 's2'}_{'sched' if key[2] == 'scheduled' else 'od'}"
            trt[key] = getattr(rows[a.srv], column)
    return replace(i, trt=trt)


def _cells(srv: str, generation: str, purposes: tuple[str, ...], seconds: int | None) -> Callable[[Inputs], Inputs]:
    def make(i: Inputs) -> Inputs:
        trt = dict(i.trt)
        for key in trt:
            if key[0] == srv and key[1] == generation and key[3] in purposes:
                trt[key] = seconds
        return replace(i, trt=trt)

    return make


MUTANTS: Final[tuple[Mutant, ...]] = (
    Mutant("cache-ttl-26h", ("C-5",), "the cache holds entries for 26 h", _fault(cache_ttl_s=26 * HOUR)),
    Mutant("cache-hit-restamps", ("C-5",), "a cache hit re-stamps its retrieval time", _fault(restamp_on_hit=True)),
    Mutant("efd-le", ("REG-4", "AC-3"), "'<=' for '<' at the EFD: the outgoing MDRA keeps the EFD day",
           _fault(efd_inclusive_for_outgoing=True)),
    Mutant("access-utc-midnight", ("REG-8",), "access control counts settlement days from UTC midnight",
           _fault(access_days_utc=True)),
    Mutant("change-utc-midnight", ("REG-3", "SCH-3"), "the MDRA change runs at UTC midnight, not UK midnight",
           _fault(change_at_utc_midnight=True)),
    Mutant("cache-before-access", ("C-7",), "a cached entry answers before access control runs",
           _fault(cache_before_access=True)),
    Mutant("flag-unchecked", ("FS-2", "FS-4"), "the ForSettlement flag is not checked", _fault(flag_unchecked=True)),
    Mutant("mdr-4.1.1-smets2", ("AC-6",), "MDR 4.1.1 allowed on SMETS2", _fault(skip_ac6=True)),
    Mutant("mdr-gsme", ("AC-7",), "MDR requests to a GSME allowed", _fault(skip_ac7=True)),
    Mutant("4.6.2-available-smets1", ("AC-8", "TRT-1"), "Table 3 gives 4.6.2 a 24 h TRT on SMETS1",
           _cells("4.6.2", "SMETS1", ("existing", "mhhs"), 24 * HOUR)),
    Mutant("supplier-mhhs-trt-30s", ("TRT-2",), "a Supplier's MHHS request gets the existing-service TRT",
           _fault(supplier_fast_trt=True)),
    Mutant("4.8.1-mhhs-5600s", ("TRT-2",), "Table 3 gives MHHS 4.8.1 on SMETS2 the 5,600 s TRT",
           _cells("4.8.1", "SMETS2", ("mhhs",), 5600)),
    Mutant("8.2-smets1-16s", ("TRT-3",), "the 8.2 SMETS1 16 s anomaly not amended", _printed_trt),
    Mutant("4.8.2-cacheable", ("C-1",), "4.8.2 added to the cached SRVs",
           lambda i: replace(i, cache_srvs=(*i.cache_srvs, "4.8.2"))),
    Mutant("smets2-cacheable", ("C-2",), "SMETS2 responses cached", _fault(cache_any_generation=True)),
    Mutant("cache-kept-on-schedule-delete", ("C-6",), "the cache outlives its DSP Schedule",
           _fault(keep_cache_on_delete=True)),
    Mutant("cache-kept-while-scheduled", ("C-6",), "a removed schedule's cache stays while another schedule "
           "for the device and SRV remains", _fault(keep_cache_while_scheduled=True)),
    Mutant("schedules-kept-after-efd", ("SCH-3",), "the outgoing MDRA's schedules are kept at the EFD",
           _fault(keep_schedules=True)),
    Mutant("registration-gap-accepted", ("REG-5",), "a registration with a gap or overlap is accepted",
           _fault(skip_registration_check=True)),
    Mutant("sch3-first-change-only", ("SCH-3",), "only the first MDRA change of a chain deletes the outgoing "
           "MDRA's schedules", _fault(first_change_only=True)),
    Mutant("queued-work-keeps-decision", ("REG-4", "AC-3", "SCH-4", "SCH-5"),
           "a held or future-dated read or a retry executes on the decision that queued it, never decided again",
           _fault(kept_decision=True)),
)  # fmt: skip


def falsify(name: str, depth: int) -> list[tuple[str, Trace]]:
    """The invariants one seeded fault breaks, each with its BMC trace.

    An invariant still inductive under the fault (with the other invariants as
    hypotheses) is not searched: the fault cannot break it without first
    breaking one of those, which is then the one listed."""
    from .obligations import OBLIGATIONS
    from .solve import Counterexample, Induction, Unrolling

    inputs = next(m for m in MUTANTS if m.name == name).inputs()
    induction = Induction(inputs)
    found = []
    for ob in OBLIGATIONS:
        if induction.initiation(ob) == z3.unsat and induction.consecution(ob) == z3.unsat:
            continue
        verdict = Unrolling(inputs, depth).search(ob)  # a fresh unrolling: no state from other searches
        if isinstance(verdict, Counterexample):
            found.append((ob.name, verdict.trace))
    return found


def falsify_all(results: list[Result], depth: int) -> None:
    """Fill ``falsified_by`` / ``mutant_traces`` of each result, the seeded
    faults running in parallel processes (results in the order of MUTANTS)."""
    by_name = {r.name: r for r in results}
    names = [m.name for m in MUTANTS]
    workers = max(1, min(len(names), os.cpu_count() or 1))
    # one fresh process per fault: Z3's term table starts empty, so a fault's
    # counterexample does not depend on which faults ran before it (byte-identical
    # vector files whatever the number of cores or the scheduling)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, max_tasks_per_child=1) as pool:
        found = list(pool.map(falsify, names, [depth] * len(names)))
    for name, broken in zip(names, found, strict=True):
        for ob_name, trace in broken:
            by_name[ob_name].falsified_by.append(name)
            by_name[ob_name].mutant_traces[name] = trace
