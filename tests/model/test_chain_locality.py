"""Why four appointments stand for a chain of any length, checked on the model.

The proofs encode an MPAN's MDRA chain of one to four appointments
(``proofs/chain.py``); ``proofs/README.md`` argues that four stand for any
length because the model reads a chain only locally.  These properties check
that on the model itself, on random well-formed chains of five to eight
appointments of two or three parties (an appointment may follow one of the
same party), through the model's own functions and steps, never a copy of a
rule.  A *window* is a run of at most four consecutive appointments of the
chain, its last made open-ended unless it is the chain's last (REG-5: a
registration ends open); the generator knows which appointments a question
reads (from the EFDs it chose) and draws any window holding them.

* REG-3, REG-6: ``registration.party_on`` gives a settlement day the same
  holder on the chain as on any window holding the appointment covering it.
* AC-3, AC-4, REG-4: a read of a period, by an MDRA (MDR) or a Supplier (IS),
  gets the same outputs (code, entries, everything) from a state whose
  registration holds the chain as from one holding a window covering the
  period's days, and ``access.check_registration`` the same decision; a
  period over any number of appointments is decided by the decisions of its
  days (AC-3 every day held; AC-4 refused whole or answered for the held days).
* REG-3, SCH-3: the MDRA change at an EFD (``registration.mdra_changes``) is
  the same on the chain as on a window holding both sides of it; a clock
  advance to that EFD's 00:00 deletes the same schedules with the same alerts;
  and loading the chain deletes what loading each window of four (from the same
  state) deletes, together.
* REG-5: ``registration.check_registration`` accepts a chain (well formed or
  not) exactly when it accepts every window of two consecutive appointments,
  exactly when it accepts every window of up to four, exactly when the last
  appointment is open and the encoding's link predicate (``chain.chain_link``,
  evaluated by Z3) holds of every link: the validator checks each appointment,
  each adjacent pair and the last, nothing more.

These are the model's only readers of a chain: a scan of the model's source
finds no other function naming a registration's ``mdras`` or ``suppliers``
(the domain check and the JSON codec read them appointment by appointment).

Each property is shown able to fail: under a planted fault that reads a chain
beyond the appointments in question (only its first four appointments, the
holder taken from its first appointment, a period decided on its first and
last days only, only its first MDRA change, links checked among its first four
appointments only) a search finds a chain where the two answers differ.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final
from unittest import mock

import pytest
import z3
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from mhhs_sec.model import (
    Acknowledgement,
    AdvanceClock,
    Appointment,
    InvalidEvent,
    LoadRegistration,
    Output,
    Registration,
    Schedule,
    ServiceRequest,
    State,
    SubmitRequest,
    access,
    machine,
    registration,
    step,
)
from mhhs_sec.model.access import Accepted
from mhhs_sec.model.clock import day_start
from mhhs_sec.model.state import evolve
from mhhs_sec.proofs import chain
from mhhs_sec.proofs.inputs import reference_inputs
from mhhs_sec.proofs.symbolic import Ctx
from model_kit import (
    AUTUMN,
    DEVICES_A,
    DEVICES_B,
    GAS_SUPPLIER,
    MDR_IN,
    MDR_OUT,
    MPAN_A,
    ONE_DAY,
    SPRING,
    SUPPLIER,
    SUPPLIER_2,
    at,
    whole_days,
    world,
)

EXAMPLES: Final = settings(
    max_examples=500, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
STEPPED: Final = settings(EXAMPLES, max_examples=200)  # properties that build and step model states
FAULTS: Final = settings(EXAMPLES, max_examples=500, phases=[Phase.generate])  # a search, no shrinking
# Chains begin before a spring and an autumn UK clock change, and in summer (REG-3: local 00:00).
BASES: Final = (SPRING - 9 * ONE_DAY, dt.date(2025, 6, 1), AUTUMN - 9 * ONE_DAY)
LATER: Final = at(dt.date(2025, 12, 1), 10)  # after every chain, inside the MDR window (SCH-4)
LATER_DAY: Final = dt.date(2025, 12, 3)  # the first run day of the schedules a load meets
HOUR: Final = 3600
# REG-7: the Supplier may be its own MDRA; the first two of each pool send reads.
POOLS: Final = {"mdras": (MDR_OUT, MDR_IN, SUPPLIER), "suppliers": (SUPPLIER, SUPPLIER_2, GAS_SUPPLIER)}
ROLE_OF: Final = {"mdras": "MDR", "suppliers": "IS"}
DEVICES: Final = (*DEVICES_A.all(), DEVICES_B.s1_esme)  # the last on another MPAN
WINDOW: Final = chain.N  # appointments in the encoding's chain
Chain = tuple[Appointment, ...]


# ----- chains and windows ------------------------------------------------------------


def etd_before(following: dt.date, etd_mode: str) -> dt.date:
    """REG-12: the ETD of an appointment followed by one from ``following``."""
    return following - ONE_DAY if etd_mode == "inclusive" else following


@st.composite
def chains(draw: st.DrawFn, which: str = "mdras") -> tuple[Chain, str]:
    """A well-formed chain of five to eight appointments (REG-5, REG-12: each
    ends where the next begins, the last open) and its REG-12 option."""
    mode = draw(st.sampled_from(("inclusive", "exclusive")))
    count = draw(st.integers(5, 8))
    pool = POOLS[which][: draw(st.integers(2, 3))]
    parties = draw(st.lists(st.sampled_from(pool), min_size=count, max_size=count))
    lengths = draw(st.lists(st.integers(1, 3), min_size=count - 1, max_size=count - 1))
    efds = [draw(st.sampled_from(BASES))]
    for length in lengths:
        efds.append(efds[-1] + length * ONE_DAY)
    etds = [etd_before(following, mode) for following in efds[1:]]
    return tuple(Appointment(p, efd, etd) for p, efd, etd in zip(parties, efds, [*etds, None], strict=True)), mode


def window(appointments: Chain, first: int, last: int) -> Chain:
    """Appointments ``first``..``last``, the last open unless it is the chain's (REG-5)."""
    part = appointments[first : last + 1]
    if last == len(appointments) - 1:
        return part
    return (*part[:-1], Appointment(part[-1].party, part[-1].efd))


def around(draw: st.DrawFn, count: int, low: int, high: int) -> tuple[int, int]:
    """Any window of at most four of ``count`` appointments holding ``low``..``high``."""
    first = draw(st.integers(max(0, high - WINDOW + 1), low))
    return first, draw(st.integers(high, min(count - 1, first + WINDOW - 1)))


def covering(appointments: Chain, day: dt.date) -> int:
    """The generator's own index of the appointment covering ``day`` (0 before the chain)."""
    return max([0, *[k for k, a in enumerate(appointments) if a.efd <= day]])


def day_in(draw: st.DrawFn, appointments: Chain, k: int) -> dt.date:
    """A day of appointment ``k`` (days before the chain for the first, three
    days of the open last)."""
    low = appointments[k].efd - (2 * ONE_DAY if k == 0 else dt.timedelta())
    high = appointments[k + 1].efd - ONE_DAY if k + 1 < len(appointments) else appointments[k].efd + 3 * ONE_DAY
    return low + draw(st.integers(0, (high - low).days)) * ONE_DAY


# ----- REG-3, REG-6: the holder of a day ----------------------------------------------


@st.composite
def day_questions(draw: st.DrawFn) -> tuple[Chain, str, dt.date, tuple[int, int]]:
    appointments, mode = draw(chains())
    day = draw(st.dates(appointments[0].efd - 2 * ONE_DAY, appointments[-1].efd + 3 * ONE_DAY))
    k = covering(appointments, day)
    return appointments, mode, day, around(draw, len(appointments), k, k)


def holders(case: tuple[Chain, str, dt.date, tuple[int, int]]) -> tuple[object, object]:
    appointments, mode, day, (first, last) = case
    return (registration.party_on(appointments, day, mode),
            registration.party_on(window(appointments, first, last), day, mode))  # fmt: skip


@pytest.mark.req("REG-3", "REG-6", "REG-12")
@EXAMPLES
@given(day_questions())
def test_the_holder_of_a_day_is_read_from_the_appointment_covering_it(
    case: tuple[Chain, str, dt.date, tuple[int, int]],
) -> None:
    on_chain, on_window = holders(case)
    assert on_chain == on_window


# ----- AC-3, AC-4, REG-4: the access decision and the answer of a read ----------------


@st.composite
def reads(draw: st.DrawFn) -> tuple[Any, ...]:
    """A read of a period whose days lie on at most four consecutive appointments."""
    which = draw(st.sampled_from(("mdras", "suppliers")))
    appointments, mode = draw(chains(which))
    low = draw(st.integers(0, len(appointments) - 1))
    high = draw(st.integers(low, min(len(appointments) - 1, low + WINDOW - 1)))
    days = tuple(sorted((day_in(draw, appointments, low), day_in(draw, appointments, high))))
    covered = [a.party for a in appointments[low : high + 1] if a.party in POOLS[which][:2]]
    sender = draw(st.sampled_from(covered or POOLS[which][:2]))  # mostly a party holding some of the days
    partial = draw(st.sampled_from(("reject", "authorised-days")))
    return which, appointments, mode, partial, sender, days, around(draw, len(appointments), low, high)


@cache
def later_world(etd_mode: str, partial: str) -> State:
    return world(LATER, etd=etd_mode, partial_period=partial)


def holding(state: State, which: str, appointments: Chain) -> State:
    """``state`` with MPAN_A's ``which`` chain loaded (through the model's REG-5 check)."""
    current = state.registrations[MPAN_A]
    chains_now = {"suppliers": current.suppliers, "mdras": current.mdras, which: appointments}
    return step(state, LoadRegistration(Registration(MPAN_A, **chains_now)))[0]


def answer(state: State, request: ServiceRequest) -> tuple[Output, ...]:
    """The outputs of a request, the clock run to its execution if it is held."""
    state, outputs = step(state, SubmitRequest(request))
    if outputs and isinstance(outputs[0], Acknowledgement):
        return outputs + step(state, AdvanceClock(outputs[0].execute_at))[1]
    return outputs


def read_answers(case: tuple[Any, ...]) -> tuple[object, object]:
    which, appointments, mode, partial, sender, (first_day, last_day), (first, last) = case
    request = ServiceRequest("R1", sender, ROLE_OF[which], "4.8.1", DEVICES_A.s1_esme, True,
                             whole_days(first_day, last_day))  # fmt: skip
    days = tuple(first_day + n * ONE_DAY for n in range((last_day - first_day).days + 1))
    device = later_world(mode, partial).devices[DEVICES_A.s1_esme]
    found = []
    for held in (appointments, window(appointments, first, last)):
        state = holding(later_world(mode, partial), which, held)
        found.append((access.check_registration(state, request, device, days), answer(state, request)))
    return found[0], found[1]


@pytest.mark.req("AC-3", "AC-4", "REG-4", "REG-3")
@STEPPED
@given(reads())
def test_a_read_is_decided_and_answered_on_the_appointments_covering_its_period(case: tuple[Any, ...]) -> None:
    on_chain, on_window = read_answers(case)
    assert on_chain == on_window


@st.composite
def long_periods(draw: st.DrawFn) -> tuple[Any, ...]:
    """A period anywhere on a chain, over as many of its appointments as it likes."""
    which = draw(st.sampled_from(("mdras", "suppliers")))
    appointments, mode = draw(chains(which))
    span = st.dates(appointments[0].efd - 2 * ONE_DAY, appointments[-1].efd + 3 * ONE_DAY)
    first_day, last_day = sorted((draw(span), draw(span)))
    days = tuple(first_day + n * ONE_DAY for n in range((last_day - first_day).days + 1))
    partial = draw(st.sampled_from(("reject", "authorised-days")))
    return which, appointments, mode, partial, draw(st.sampled_from(POOLS[which][:2])), days


def by_days(case: tuple[Any, ...]) -> tuple[object, object]:
    """The decision of the period (accepted, its days) and the one its days'
    own decisions make: AC-3, the sender must hold every targeted day; AC-4, a
    partly held period is refused whole, or answered for the held days."""
    which, appointments, mode, partial, sender, days = case
    state = holding(later_world(mode, partial), which, appointments)
    request = ServiceRequest("R1", sender, ROLE_OF[which], "4.8.1", DEVICES_A.s1_esme, True)
    device = state.devices[DEVICES_A.s1_esme]
    held = tuple(d for d in days if isinstance(access.check_registration(state, request, device, (d,)), Accepted))
    decision = access.check_registration(state, request, device, days)
    answered = held == days or (partial == "authorised-days" and held != ())
    return (decision.days if isinstance(decision, Accepted) else None), (held if answered else None)


@pytest.mark.req("AC-3", "AC-4", "REG-4")
@EXAMPLES
@given(long_periods())
def test_a_period_on_any_number_of_appointments_is_decided_day_by_day(case: tuple[Any, ...]) -> None:
    # So a period over more than four appointments is decided by its days, each read locally (above).
    decided, from_days = by_days(case)
    assert decided == from_days


# ----- REG-3, SCH-3: the MDRA changes ---------------------------------------------------


@st.composite
def links(draw: st.DrawFn) -> tuple[Chain, str, int, tuple[int, int]]:
    """A link ``k`` (appointment k - 1 to k) and a window holding both sides of it."""
    appointments, mode = draw(chains())
    k = draw(st.integers(1, len(appointments) - 1))
    return appointments, mode, k, around(draw, len(appointments), k - 1, k)


def mpan_a(appointments: Chain) -> Registration:
    return Registration(MPAN_A, (Appointment(SUPPLIER, appointments[0].efd),), appointments)


def changes_at(case: tuple[Chain, str, int, tuple[int, int]]) -> tuple[object, object]:
    appointments, _, k, (first, last) = case
    efd = appointments[k].efd
    found = [[c for c in registration.mdra_changes(mpan_a(held)) if c[0] == efd]
             for held in (appointments, window(appointments, first, last))]  # fmt: skip
    return found[0], found[1]


@pytest.mark.req("REG-3", "SCH-3")
@EXAMPLES
@given(links())
def test_the_mdra_change_at_an_efd_is_read_from_the_two_appointments_of_its_link(
    case: tuple[Chain, str, int, tuple[int, int]],
) -> None:
    on_chain, on_window = changes_at(case)
    assert on_chain == on_window


held_schedules = st.lists(
    st.tuples(st.sampled_from(POOLS["mdras"]), st.sampled_from(("MDR", "IS")), st.sampled_from(DEVICES)),
    min_size=1,
    max_size=4,
)


def with_schedules(state: State, drawn: Sequence[tuple[str, str, str]], start: dt.date) -> State:
    """``state`` holding a schedule per (owner, role, device), first run on ``start``."""
    made = {n: Schedule(n, owner, role, device, "4.8.1", True, start, None, start)
            for n, (owner, role, device) in enumerate(drawn, start=1)}  # fmt: skip
    return evolve(state, schedules=made, next_schedule_id=len(made) + 1)


def kept(state: State, outputs: tuple[Output, ...]) -> tuple[object, ...]:
    return tuple(sorted(state.schedules)), outputs


@st.composite
def handovers(draw: st.DrawFn) -> tuple[Any, ...]:
    """A link and schedules, the first an MDR schedule of the party handing over at it."""
    link = draw(links())
    appointments, _, k, _ = link
    return link, [(appointments[k - 1].party, "MDR", draw(st.sampled_from(DEVICES))), *draw(held_schedules)]


def at_the_efd(case: tuple[Any, ...]) -> tuple[object, object]:
    """From an hour before link ``k``'s EFD begins (local 00:00, REG-3) to that instant."""
    (appointments, mode, k, (first, last)), drawn = case
    efd = appointments[k].efd
    before = world(day_start(efd) - HOUR, etd=mode, schedules_on_mdra_change="delete")
    found = []
    for held in (appointments, window(appointments, first, last)):
        state = with_schedules(holding(before, "mdras", held), drawn, efd + 2 * ONE_DAY)
        found.append(kept(*step(state, AdvanceClock(day_start(efd)))))
    return found[0], found[1]


@pytest.mark.req("REG-3", "SCH-3")
@STEPPED
@given(handovers())
def test_a_clock_advance_to_an_efd_deletes_the_schedules_its_link_hands_over(case: tuple[Any, ...]) -> None:
    on_chain, on_window = at_the_efd(case)
    assert on_chain == on_window


@st.composite
def loads_later(draw: st.DrawFn) -> tuple[Any, ...]:
    return draw(chains()), draw(held_schedules)


def loaded(case: tuple[Any, ...]) -> tuple[object, object]:
    """SCH-3 on a load: every new change whose EFD has begun applies at once."""
    (appointments, mode), drawn = case
    before = with_schedules(later_world(mode, "reject"), drawn, LATER_DAY)
    on_chain = step(before, LoadRegistration(mpan_a(appointments)))
    gone, alerts = set(before.schedules) - set(on_chain[0].schedules), set(on_chain[1])
    joint_gone: set[int] = set()
    joint_alerts: set[Output] = set()
    for first in range(len(appointments) - WINDOW + 1):
        on_window = step(before, LoadRegistration(mpan_a(window(appointments, first, first + WINDOW - 1))))
        joint_gone |= set(before.schedules) - set(on_window[0].schedules)
        joint_alerts |= set(on_window[1])
    return (gone, alerts), (joint_gone, joint_alerts)


@pytest.mark.req("SCH-3", "REG-3")
@STEPPED
@given(loads_later())
def test_loading_a_chain_deletes_what_loading_each_window_of_four_deletes(case: tuple[Any, ...]) -> None:
    on_chain, on_windows = loaded(case)
    assert on_chain == on_windows


# ----- REG-5: the validator -------------------------------------------------------------


@st.composite
def any_chains(draw: st.DrawFn) -> tuple[Chain, str]:
    """A chain of five to eight appointments, well formed or with one or two
    ETDs moved (a gap, an overlap, an ETD before its EFD, an open appointment
    in the middle, a last appointment that ends)."""
    appointments, mode = draw(chains())
    moved = draw(st.lists(st.integers(0, len(appointments) - 1), max_size=2, unique=True))
    result = list(appointments)
    for k in moved:
        a = result[k]
        shift = draw(st.one_of(st.none(), st.integers(-2, 4)))
        result[k] = Appointment(a.party, a.efd, None if shift is None else a.efd + shift * ONE_DAY)
    return tuple(result), mode


def accepts(appointments: Chain, mode: str) -> bool:
    try:
        registration.check_registration(mpan_a(appointments), mode)
    except InvalidEvent:
        return False
    return True


E, T, F = z3.Ints("efd etd following")
CTX: Final = Ctx(reference_inputs())


@cache
def link_predicate(mode: str) -> z3.BoolRef:
    """The encoding's REG-5 link, its REG-12 option fixed."""
    return z3.simplify(z3.substitute(chain.chain_link(CTX, E, T, F), (CTX.on("etd"), z3.BoolVal(mode == "exclusive"))))


def encoded_link(current: Appointment, following: Appointment, mode: str) -> bool:
    """REG-5: ``chain.chain_link`` on the pair, evaluated by Z3 (an open ETD fails it)."""
    if current.etd is None:
        return False
    values = ((E, current.efd.toordinal()), (T, current.etd.toordinal()), (F, following.efd.toordinal()))
    fixed = z3.substitute(link_predicate(mode), *[(v, z3.IntVal(x)) for v, x in values])
    return bool(z3.is_true(z3.simplify(fixed)))


def verdicts(case: tuple[Chain, str]) -> tuple[bool, ...]:
    """The validator's verdict on the chain; on every window of two; on every
    window of up to four; the encoding's links and the last open."""
    appointments, mode = case
    count = len(appointments)
    spans = [(s, e) for s in range(count) for e in range(s, min(count, s + WINDOW))]
    return (
        accepts(appointments, mode),
        all(accepts(window(appointments, k, k + 1), mode) for k in range(count - 1)),
        all(accepts(window(appointments, s, e), mode) for s, e in spans),
        appointments[-1].etd is None
        and all(encoded_link(a, b, mode) for a, b in zip(appointments, appointments[1:], strict=False)),
    )


def chain_and_links(case: tuple[Chain, str]) -> tuple[object, object]:
    """The validator's verdict on the chain, and on all its windows of two."""
    on_chain, on_links, *_ = verdicts(case)
    return on_chain, on_links


@pytest.mark.req("REG-5", "REG-12")
@settings(EXAMPLES, max_examples=1000)
@given(any_chains())
def test_the_validator_accepts_a_chain_exactly_when_it_accepts_each_link(case: tuple[Chain, str]) -> None:
    assert len(set(verdicts(case))) == 1, verdicts(case)


# ----- the readers above are the model's only readers of a chain ------------------------

# Every function of the model that reads an appointment chain (names a
# registration's ``mdras`` or ``suppliers``), and what it does with it.
CHAIN_READERS: Final = {
    ("access", "_appointments"): "AC-3: the MDRA chain, for party_on day by day (checked above)",
    ("access", "existing_role_appointments"): "AC-11: the Supplier chain, for party_on day by day (above)",
    ("registration", "mdra_changes"): "REG-3, SCH-3: the changes, link by link (above)",
    ("registration", "check_registration"): "REG-5: the validator (above)",
    ("domain", "check_registration"): "each EFD and ETD a day of the domain, appointment by appointment",
    ("codec", "_registration_fields"): "the JSON shape, appointment by appointment",
}


def names_a_chain(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr in POOLS) or (
        isinstance(node, ast.Constant) and node.value in POOLS
    )


@pytest.mark.req("REG-3", "REG-5", "AC-3", "SCH-3")
def test_the_model_reads_a_chain_only_in_the_functions_whose_locality_is_checked() -> None:
    # The premise of the argument: every rule reads a chain through these
    # functions, so a new reader fails here until its locality is checked too.
    found = set()
    for path in sorted(Path(registration.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(names_a_chain(n) for n in ast.walk(node)):
                found.add((path.stem, node.name))
    assert found == set(CHAIN_READERS)


# ----- each property can fail -------------------------------------------------------------

PARTY_ON: Final = registration.party_on
MDRA_CHANGES: Final = registration.mdra_changes
CHECK_CHAIN: Final = registration._check_chain
CHECK_REGISTRATION: Final = access.check_registration


def in_first_four(appointments: Sequence[Appointment], day: dt.date, etd_mode: str) -> str | None:
    # Fault: only the first four appointments are read (the encoding's bound).
    return PARTY_ON(appointments[:WINDOW], day, etd_mode)


def first_party(appointments: Sequence[Appointment], day: dt.date, etd_mode: str) -> str | None:
    # Fault: the holder of a covered day is taken from the chain's first appointment.
    return None if PARTY_ON(appointments, day, etd_mode) is None else appointments[0].party


def first_change_only(held: Registration) -> Iterator[tuple[dt.date, str, str]]:
    # Fault: only the first MDRA change of a chain is acted on.
    yield from list(MDRA_CHANGES(held))[:1]


def links_of_first_four(appointments: Sequence[Appointment], etd_mode: str, field: str) -> None:
    # Fault: REG-5 checks the links among the first four appointments only (and that the last is open).
    CHECK_CHAIN(window(tuple(appointments), 0, min(len(appointments), WINDOW) - 1), etd_mode, field)
    CHECK_CHAIN(tuple(appointments[-1:]), etd_mode, field)


def ends_only(state: State, request: ServiceRequest, device: Any, days: tuple[dt.date, ...]) -> Any:
    # Fault: a period is decided on its first and last days only.
    return CHECK_REGISTRATION(state, request, device, tuple(sorted({days[0], days[-1]})))


def holder_fault(fault: Callable[..., str | None]) -> contextlib.AbstractContextManager[Any]:
    stack = contextlib.ExitStack()
    stack.enter_context(mock.patch.object(registration, "party_on", fault))
    stack.enter_context(mock.patch.object(access, "party_on", fault))
    return stack


def change_fault() -> contextlib.AbstractContextManager[Any]:
    stack = contextlib.ExitStack()
    stack.enter_context(mock.patch.object(registration, "mdra_changes", first_change_only))
    stack.enter_context(mock.patch.object(machine, "mdra_changes", first_change_only))
    return stack


@dataclass(frozen=True)
class Fault:
    """A planted fault and the property it should break: its cases and the
    function giving a case's two answers (on the chain, on the window)."""

    cases: st.SearchStrategy[Any]
    answers: Callable[[Any], tuple[object, object]]
    planted: Callable[[], contextlib.AbstractContextManager[Any]]


FAULTS_PLANTED: Final = {
    "holder-in-first-four": Fault(day_questions(), holders, lambda: holder_fault(in_first_four)),
    "holder-first-party": Fault(day_questions(), holders, lambda: holder_fault(first_party)),
    "read-holder-in-first-four": Fault(reads(), read_answers, lambda: holder_fault(in_first_four)),
    "period-ends-only": Fault(long_periods(), by_days,
                              lambda: mock.patch.object(access, "check_registration", ends_only)),
    "change-first-only": Fault(links(), changes_at, change_fault),
    "advance-first-change-only": Fault(handovers(), at_the_efd, change_fault),
    "load-first-change-only": Fault(loads_later(), loaded, change_fault),
    "reg5-first-four-links": Fault(any_chains(), chain_and_links,
                                   lambda: mock.patch.object(registration, "_check_chain", links_of_first_four)),
}  # fmt: skip


def differ(answers: tuple[object, object]) -> bool:
    return answers[0] != answers[1]


@pytest.mark.req("REG-3", "REG-5", "REG-6", "AC-3", "SCH-3")
@pytest.mark.parametrize("name", sorted(FAULTS_PLANTED))
def test_each_locality_property_fails_when_a_rule_reads_beyond_its_appointments(name: str) -> None:
    fault = FAULTS_PLANTED[name]
    with fault.planted():  # find raises NoSuchExample if no case tells the two answers apart
        found = find(fault.cases, lambda case: differ(fault.answers(case)), settings=FAULTS)
    print(f"{name}: {found!r}")
