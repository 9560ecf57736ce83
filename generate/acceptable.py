"""The other answers that also conform: each expected output's ``acceptable``
list (docs/vector-format.md).

Three sources, all computed by the model:

* the rejections whose condition also holds (:func:`model.access.rejections`:
  the sources fix no order between the checks, so the model's first is one
  choice among several);
* AC-11 (out): the model approximates the existing roles' access control
  (:func:`model.access.existing_role_appointments`).  The case is re-run under
  each other reading of it (:data:`READINGS`); a response the model answers
  where another reading rejects admits any rejection (the wildcard
  :data:`ANY_REJECTION`), so the vector still checks what the catalogue fixes
  when it is answered (the Table 3 TRT, the data, FS-*, AC-5).  An outcome no
  acceptable code can cover (an answer where the model rejects, a schedule
  that exists under one reading only) is a generator error: such a case must
  use senders entitled under any reading (an IS or ES registered for the MPAN);
* answers the sources do not fix (:func:`unfixed`): a 5.2 / 5.3 by device
  that finds none of the sender's schedules is answered I0 with no schedule
  ids by the model; SCH-1 and SCH-2 say nothing of that case, so any
  rejection conforms too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final
from unittest import mock

from mhhs_sec.model import InvalidEvent, access
from mhhs_sec.model.codec import encode_output
from mhhs_sec.model.entities import Appointment
from mhhs_sec.model.outputs import Output, Response
from mhhs_sec.model.state import State
from mhhs_sec.vectors.compare import ANY_REJECTION, NOT_REJECTIONS, compare

Json = dict[str, Any]
Results = Sequence[tuple[Output, ...] | InvalidEvent]
Appointments = Callable[[State, str, str], tuple[Appointment, ...] | None]

_MODEL_READING: Final = access.existing_role_appointments


def _registration_checked(state: State, role: str, mpan: str) -> tuple[Appointment, ...] | None:
    """Every existing role must hold an appointment for the MPAN (the model
    holds none for GS, GT, ED, OU or RSA, so none of them passes)."""
    return _MODEL_READING(state, role, mpan) or ()


def _unchecked(state: State, role: str, mpan: str) -> tuple[Appointment, ...] | None:
    """No existing role is checked against registration (IS and ES included)."""
    return None


# AC-11: the other readings of the existing roles' access control.
READINGS: Final[dict[str, Appointments]] = {
    "registration-checked": _registration_checked,
    "unchecked": _unchecked,
}


@contextlib.contextmanager
def reading(name: str) -> Iterator[None]:
    """Run the model under another reading of the existing roles' access."""
    with mock.patch.object(access, "existing_role_appointments", READINGS[name]):
        yield


def _responses(result: tuple[Output, ...] | InvalidEvent) -> dict[str, Response]:
    outputs = () if isinstance(result, InvalidEvent) else result
    return {o.request_id: o for o in outputs if isinstance(o, Response)}


def _entry(code: str, why: str, requirements: Sequence[str]) -> Json:
    return {"code": code, "why": why, "requirements": list(requirements)}


def _own(response: Response) -> dict[str, Json]:
    """The rejections whose condition also holds in the model's own reading."""
    return {
        a.code: _entry(a.code, f"{a.code} also holds: {a.reason} (no order between the checks is fixed)",
                       a.requirements)
        for a in response.alternatives
    }  # fmt: skip


def unfixed(response: Response) -> dict[str, Json]:
    """SCH-1, SCH-2: a 5.2 / 5.3 naming a device on which the sender has no
    schedule: the sources fix no answer (I0 with none, or a rejection)."""
    if response.srv not in ("5.2", "5.3") or response.code != "I0" or response.schedule_ids:
        return {}
    why = "SCH-1, SCH-2: the sources fix no answer to a 5.2 / 5.3 that finds none of the sender's schedules"
    return {ANY_REJECTION: _entry(ANY_REJECTION, why, ("SCH-1", "SCH-2"))}


def _under_reading(name: str, base: Response, other: Response | None) -> dict[str, Json]:
    """What another reading of AC-11 adds for one response."""
    if other is None or other.code == base.code and not other.alternatives:
        return {}
    if base.code == "I0" and other.code not in NOT_REJECTIONS:
        why = (
            f"AC-11: whether this {base.role} sender may address the device is existing DUIS access control "
            f"the sources leave open ({name}: {other.code}); any rejection conforms, an answer is checked"
        )
        return {ANY_REJECTION: _entry(ANY_REJECTION, why, ("AC-11", *other.requirements))}
    found = {} if other.code in NOT_REJECTIONS or other.code == base.code else {
        other.code: _entry(other.code, f"AC-11 ({name}): {other.reason}", ("AC-11", *other.requirements))
    }  # fmt: skip
    found.update({a.code: _entry(a.code, f"AC-11 ({name}): {a.reason}", ("AC-11", *a.requirements))
                  for a in other.alternatives if a.code != base.code})  # fmt: skip
    return found


def acceptable_answers(
    run: Callable[[], Results], base: Results, roles: set[str], observables: Sequence[str]
) -> tuple[list[list[list[Json]]], list[str]]:
    """Per step, per expected output: its ``acceptable`` list (possibly empty);
    and what another reading of AC-11 gives that those lists do not admit."""
    found: list[list[dict[str, Json]]] = [
        [_own(o) | unfixed(o) if isinstance(o, Response) else {} for o in ([] if isinstance(r, InvalidEvent) else r)]
        for r in base
    ]
    others: dict[str, Results] = {}
    for name in READINGS if roles - {"MDR"} else ():
        with reading(name):
            others[name] = run()
        _admit(name, base, others[name], found)
    lists = [[sorted(entries.values(), key=lambda e: str(e["code"])) for entries in step] for step in found]
    problems = [f"{name}: {p}" for name, other in others.items() for p in unadmitted(base, other, lists, observables)]
    return lists, problems


def _admit(name: str, base: Results, other: Results, lists: list[list[dict[str, Json]]]) -> None:
    for index, (mine, theirs) in enumerate(zip(base, other, strict=True)):
        answered = _responses(theirs)
        for position, output in enumerate(() if isinstance(mine, InvalidEvent) else mine):
            if isinstance(output, Response):
                found = lists[index][position]
                for code, entry in _under_reading(name, output, answered.get(output.request_id)).items():
                    found.setdefault(code, entry)


def unadmitted(base: Results, other: Results, lists: list[list[list[Json]]], observables: Sequence[str]) -> list[str]:
    """What another reading produces that the expected outputs with their
    acceptable lists do not admit (empty: the vector does not depend on AC-11)."""
    problems: list[str] = []
    for index, (mine, theirs) in enumerate(zip(base, other, strict=True)):
        if isinstance(mine, InvalidEvent) or isinstance(theirs, InvalidEvent):
            if isinstance(mine, InvalidEvent) != isinstance(theirs, InvalidEvent):
                problems.append(f"step {index}: refused under one reading only")
            continue
        expected = [{"output": encode_output(o), "acceptable": a} for o, a in zip(mine, lists[index], strict=True)]
        problems.extend(f"step {index}: {p}" for p in compare(expected, theirs, observables))
    return problems
