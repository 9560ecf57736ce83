"""Failures that explain themselves: the failed and errored vectors of a run
grouped by cause (the same primary requirement, step kind and difference),
each group with a count and one example told in full: the vector's inputs
(its initial state in words), its steps numbered from 1 up to the failing
one, that step's event, the difference field by field (expected against
got, only the fields that differ), why the expected output is expected and
the other answers that also conform.  Used by the terminal summary, JUnit
and HTML (``reports.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from mhhs_sec.vectors.story import clocks, event_text, expected_lines, inputs, requirement_text

from .protocol import event_kind
from .runner import Verdict
from .wire import printable

# Fields whose values name the cause itself (a code, a yes / no); any other
# field's values (instants, entries, identifiers) differ from vector to vector.
CAUSE_VALUES: Final = frozenset({"code", "device_read", "mode", "for_settlement", "role", "srv", "output"})
EARLIER_STEPS_SHOWN: Final = 4


@dataclass(frozen=True)
class Cause:
    """What a group of failures shares: the primary requirement, the kind of
    step that failed and the difference (without the identifiers)."""

    primary: str
    status: str
    step_kind: str
    difference: str


@dataclass(frozen=True)
class Group:
    cause: Cause
    verdicts: tuple[Verdict, ...]

    @property
    def example(self) -> Verdict:
        return self.verdicts[0]


def _step_kind(verdict: Verdict) -> str:
    vector = verdict.vector
    if vector is None or verdict.step is None:
        return "reset" if verdict.status == "fail" else "-"
    return event_kind(vector.steps[verdict.step].event) or "malformed input"


def _value(field: str, value: object) -> str:
    return repr(value) if field in CAUSE_VALUES else "..."


def difference_text(verdict: Verdict) -> str:
    """The difference without what differs from vector to vector."""
    if verdict.fields:
        parts = dict.fromkeys(
            f"{d.kind} {d.field}: expected {_value(d.field, d.expected)}, got {_value(d.field, d.got)}"
            for d in verdict.fields
        )
        return "; ".join(parts)
    reason = verdict.reason.partition(": ")[2] if verdict.reason.startswith("step ") else verdict.reason
    return reason.split(" at step ")[0].split(": ")[0] if verdict.status == "error" else reason


def cause_of(verdict: Verdict) -> Cause:
    return Cause(verdict.primary or "(none)", verdict.status, _step_kind(verdict), difference_text(verdict))


def groups(verdicts: Iterable[Verdict]) -> list[Group]:
    """The failed and errored verdicts by cause: the largest group first, then
    by primary requirement and cause (deterministic)."""
    found: dict[Cause, list[Verdict]] = {}
    for verdict in verdicts:
        if verdict.status in ("fail", "error"):
            found.setdefault(cause_of(verdict), []).append(verdict)
    ordered = sorted(found.items(), key=lambda item: (-len(item[1]), _key(item[0].primary), repr(item[0])))
    return [Group(cause, tuple(members)) for cause, members in ordered]


def _key(requirement: str) -> tuple[str, int, str]:
    prefix, _, number = requirement.rpartition("-")
    return (prefix, int(number), requirement) if number.isdigit() else (requirement, 0, requirement)


def field_rows(verdict: Verdict) -> list[tuple[str, str, str, str]]:
    """(output, field, expected, got) of each field that differs."""
    return [(d.output, d.field, _shown(d.expected), _shown(d.got)) for d in verdict.fields]


def _shown(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    return printable(text if len(text) <= 200 else text[:197] + "...")


def steps_before(verdict: Verdict) -> list[str]:
    """The steps before the failing one, numbered from 1 (the last few)."""
    vector, failing = verdict.vector, verdict.step or 0
    times = clocks(vector)
    first = max(0, failing - EARLIER_STEPS_SHOWN)
    lines = [f"({first} earlier step(s) passed)"] if first else []
    for index in range(first, failing):
        lines.append(f"step {index + 1}: {event_text(vector.steps[index].event, times[index])} (passed)")
    return lines


@dataclass(frozen=True)
class FailingStep:
    """The failing step of a failed vector, ready to show: its number (from
    1), its event in words, the step's note, the differing fields (output,
    field, expected, got), the differences as text when the comparison was
    not field by field, and why the expected outputs are expected."""

    number: int
    event: str
    note: str
    rows: tuple[tuple[str, str, str, str], ...]
    differences: tuple[str, ...]
    because: tuple[str, ...]


def failing_step(verdict: Verdict) -> FailingStep:
    vector, index = verdict.vector, verdict.step or 0
    step = vector.steps[index]
    rows = tuple(field_rows(verdict))
    differences = () if rows else (tuple(verdict.differences) or (verdict.reason,))
    return FailingStep(index + 1, event_text(step.event, clocks(vector)[index]), step.comment, rows,
                       differences, tuple(expected_lines(step)))  # fmt: skip


def _failing_lines(step: FailingStep) -> list[str]:
    lines = [f"step {step.number} fails: {step.event}"]
    if step.note:
        lines.append(f"  note: {step.note}")
    lines += [f"  {output}: {field} expected {want}, got {got}" for output, field, want, got in step.rows]
    lines += [f"  {difference}" for difference in step.differences]
    return lines + [f"  expected because: {line}" for line in step.because]


def explained(verdict: Verdict) -> list[str]:
    """The full account of one failure (without its rerun line)."""
    lines = [verdict.vector_id, f"what it checks: {verdict.comment}"]
    lines.append(f"primary requirement: {requirement_text(verdict.primary)}")
    others = [r for r in verdict.requirements if r != verdict.primary]
    if others:
        lines.append(f"also cites: {', '.join(others)}")
    if verdict.observables:
        lines.append(f"observables checked: {', '.join(verdict.observables)}")
    if verdict.vector is None:
        return [*lines, f"- {verdict.reason}"]
    lines.append("inputs:")
    lines += [f"  {line}" for line in inputs(verdict.vector)]
    if verdict.step is None:
        return [*lines, f"- {verdict.reason}"]
    return [*lines, *steps_before(verdict), *_failing_lines(failing_step(verdict))]


def printable_lines(lines: Iterable[str]) -> list[str]:
    return [printable(line) for line in lines]


def group_heading(group: Group) -> str:
    cause = group.cause
    where = f"at a {cause.step_kind} step" if cause.step_kind not in ("-", "reset") else f"at {cause.step_kind}"
    return (
        f"{len(group.verdicts)} vector(s) {'fail' if cause.status == 'fail' else 'error'} {where}: {cause.difference}"
    )


def others(group: Group, shown: int = 5) -> str:
    """The other vectors of a group (the first few named)."""
    rest = [v.vector_id for v in group.verdicts[1:]]
    if not rest:
        return ""
    named = ", ".join(rest[:shown])
    return f"also: {named}" + (f" and {len(rest) - shown} more" if len(rest) > shown else "")
