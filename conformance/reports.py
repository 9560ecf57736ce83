"""Reports of a conformance run: JUnit XML (CI), HTML (assessors), the text
summary and the progress line.

Failures are grouped by cause (``explain.py``: the same primary requirement,
step kind and difference), each group with a count and one example told in
full (the vector's inputs, its steps numbered from 1, the failing step's
event, the difference field by field, why the expected output is expected).
JUnit and HTML group the vectors by primary requirement (the rule each was
built to check), with the requirement's one-line statement beside its ID;
JUnit puts each vector once, so CI counts stay exact.  Every text an
implementation can put in them (its name, an error's reason) is made
printable first: a NUL or ESC byte it sent is shown as an escape, never
written raw.  Reports hold no timings or host names, so the same run gives
byte-identical files; they are written to a temporary file and renamed
(nothing half-written).
"""

from __future__ import annotations

import dataclasses
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import jinja2
from mhhs_sec.vectors.story import inputs, requirement_text, statement

from .explain import (
    Group,
    cause_of,
    explained,
    failing_step,
    group_heading,
    groups,
    others,
    printable_lines,
    steps_before,
)
from .runner import Run, Verdict
from .wire import printable

_TEMPLATES = Path(__file__).resolve().parent / "templates"


def by_requirement(verdicts: Iterable[Verdict]) -> dict[str, list[Verdict]]:
    """Primary requirement ID -> its verdicts (each vector once), IDs in
    catalogue-prefix then numeric order."""
    groups: dict[str, list[Verdict]] = {}
    for verdict in verdicts:
        groups.setdefault(verdict.primary or "(none)", []).append(verdict)
    return {key: groups[key] for key in sorted(groups, key=_requirement_key)}


def _requirement_key(requirement: str) -> tuple[str, int, str]:
    prefix, _, number = requirement.rpartition("-")
    return (prefix, int(number), requirement) if number.isdigit() else (requirement, 0, requirement)


def printable_run(run: Run) -> Run:
    """The run with every text made printable (:func:`~.wire.printable`):
    XML 1.0 cannot hold a NUL, and an ESC would reach the terminal raw."""
    return dataclasses.replace(
        run, adapter=printable(run.adapter), implementation=printable(run.implementation),
        rerun_prefix=printable(run.rerun_prefix), verdicts=[_printable_verdict(v) for v in run.verdicts],
    )  # fmt: skip


def _printable_verdict(verdict: Verdict) -> Verdict:
    return dataclasses.replace(
        verdict, vector_id=printable(verdict.vector_id), comment=printable(verdict.comment),
        reason=printable(verdict.reason), requirements=tuple(map(printable, verdict.requirements)),
        tags=tuple(map(printable, verdict.tags)), differences=tuple(map(printable, verdict.differences)),
    )  # fmt: skip


# ---- JUnit --------------------------------------------------------------------


def junit(run: Run) -> str:
    """JUnit XML: one ``testsuite`` per primary requirement, named by its ID
    and its one-line statement; each vector once; the other requirements it
    cites in its properties; skips and errors carry their reason."""
    run = printable_run(run)
    counts = run.counts()
    root = ET.Element(
        "testsuites", name=f"mhhs-sec conform {run.adapter}", tests=str(len(run.verdicts)),
        failures=str(counts["fail"]), errors=str(counts["error"]), skipped=str(counts["skip"]),
    )  # fmt: skip
    for requirement, verdicts in by_requirement(run.verdicts).items():
        suite = ET.SubElement(root, "testsuite", name=requirement_text(requirement), tests=str(len(verdicts)))
        for status, attribute in (("fail", "failures"), ("error", "errors"), ("skip", "skipped")):
            suite.set(attribute, str(sum(v.status == status for v in verdicts)))
        properties = ET.SubElement(suite, "properties")
        ET.SubElement(properties, "property", name="requirement", value=requirement)
        for verdict in verdicts:
            _testcase(suite, requirement, verdict, run)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _testcase(suite: ET.Element, requirement: str, verdict: Verdict, run: Run) -> None:
    case = ET.SubElement(suite, "testcase", classname=f"mhhs_sec.{requirement}", name=verdict.vector_id)
    properties = ET.SubElement(case, "properties")
    ET.SubElement(properties, "property", name="primary_requirement", value=requirement)
    ET.SubElement(properties, "property", name="requirements", value=" ".join(verdict.requirements))
    ET.SubElement(properties, "property", name="comment", value=verdict.comment)
    if verdict.status == "skip":
        ET.SubElement(case, "skipped", message=verdict.reason)
    elif verdict.status == "error":
        element = ET.SubElement(case, "error", message=verdict.reason)
        element.text = f"{verdict.reason}\nrerun: {run.rerun(verdict.vector_id)}"
    elif verdict.status == "fail":
        where = f"step {verdict.step + 1}: " if verdict.step is not None else ""
        element = ET.SubElement(case, "failure", message=f"{where}{cause_of(verdict).difference}")
        element.text = failure_text(verdict, run)


def failure_text(verdict: Verdict, run: Run) -> str:
    """The plain-text account of a failure (JUnit body, pytest): the vector's
    inputs, its steps from 1 to the failing one, the difference field by field
    and why the expected output is expected, then the rerun line."""
    verdict, run = _printable_verdict(verdict), printable_run(dataclasses.replace(run, verdicts=[]))
    return "\n".join([*printable_lines(explained(verdict)), f"rerun: {run.rerun(verdict.vector_id)}"])


# ---- HTML ---------------------------------------------------------------------


def html(run: Run) -> str:
    """The HTML report (``templates/report.html.j2``)."""
    run = printable_run(run)
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )  # fmt: skip
    by_primary = by_requirement(run.verdicts)
    summary = [
        {"requirement": key, "text": requirement_text(key),
         **{status: sum(v.status == status for v in group) for status in run.counts()}}
        for key, group in by_primary.items()
    ]  # fmt: skip
    causes = groups(run.verdicts)
    cause_of_vector = {v.vector_id: number for number, group in enumerate(causes, 1) for v in group.verdicts}
    return environment.get_template("report.html.j2").render(
        run=run, verdict=verdict_text(run), counts=run.counts(), groups=by_primary, summary=summary,
        causes=causes, cause_of_vector=cause_of_vector, heading=group_heading, requirement_text=requirement_text,
        statement=statement, example=_example,
    )  # fmt: skip


def _example(verdict: Verdict) -> dict[str, Any]:
    """The parts of a group's example the HTML shows (``explain.py``)."""
    told = printable_lines(inputs(verdict.vector)) if verdict.vector is not None else []
    if verdict.vector is None or verdict.step is None:
        return {"inputs": told, "before": [], "step": None}
    step = failing_step(verdict)
    step = dataclasses.replace(step, event=printable(step.event), note=printable(step.note),
                               because=tuple(printable_lines(step.because)))  # fmt: skip
    return {"inputs": told, "before": printable_lines(steps_before(verdict)), "step": step}


# ---- terminal -----------------------------------------------------------------


def text_summary(run: Run) -> str:
    """What ``conform`` prints on stdout at the end: the failures grouped by
    cause, each group with one example in full, then skips and the verdict."""
    run = printable_run(run)
    counts = run.counts()
    lines = []
    for group in groups(run.verdicts):
        lines += _group_lines(group, run)
    skipped: dict[str, int] = {}
    for verdict in run.verdicts:
        if verdict.status == "skip":
            skipped[verdict.reason] = skipped.get(verdict.reason, 0) + 1
    lines += [f"SKIP  {count} vector(s): {reason}" for reason, count in sorted(skipped.items())]
    substituted = sum("entry-consistency" in v.observables for v in run.verdicts)
    if substituted:
        lines.append(
            f"NOTE  {substituted} vector(s): entry-values not exposed; checked entry-consistency instead (C-10)"
        )
    lines.append(
        f"{run.implementation} via {run.adapter}: {len(run.verdicts) + run.not_run} vector(s) selected of "
        f"{run.total_available}: {counts['pass']} passed, {counts['fail']} failed, "
        f"{counts['error']} errors, {counts['skip']} skipped"
    )
    if run.not_run:
        lines.append(f"STOP  --max-failures reached: {run.not_run} selected vector(s) not run")
    lines.append(verdict_text(run))
    return "\n".join(lines)


def _group_lines(group: Group, run: Run) -> list[str]:
    """One cause: its heading, the example in full, the others named."""
    example = group.example
    lines = [f"{group.cause.status.upper():5} {requirement_text(group.cause.primary)}", f"      {group_heading(group)}"]
    lines.append(f"      e.g. {example.vector_id}")
    lines += [f"        {line}" for line in printable_lines(explained(example)[1:])]
    lines.append(f"      rerun: {run.rerun(example.vector_id)}")
    if len(group.verdicts) > 1:
        lines.append(f"      {others(group)}")
    return lines


def json_summary(run: Run) -> dict[str, Any]:
    """``conform --json``: the run as one JSON object (no timings, so the same
    run gives the same text): the verdict, what it holds for, the counts, the
    skips grouped by reason, and each failure and error with its rerun command."""
    run = printable_run(run)
    skipped: dict[str, int] = {}
    for verdict in run.verdicts:
        if verdict.status == "skip":
            skipped[verdict.reason] = skipped.get(verdict.reason, 0) + 1
    return {
        "conforms": run.ok,
        "verdict": verdict_text(run),
        "implementation": run.implementation,
        "adapter": run.adapter,
        "profile": {option: _json_value(value) for option, value in sorted(run.profile.items())},
        "observables": list(run.checked_observables()),
        "available": run.total_available,
        "selected": len(run.verdicts) + run.not_run,
        "not_run": run.not_run,
        "counts": run.summary(),
        "skipped": [{"reason": reason, "vectors": count} for reason, count in sorted(skipped.items())],
        "problems": [
            {"vector": v.vector_id, "status": v.status, "requirements": list(v.requirements), "reason": v.reason,
             "primary_requirement": v.primary, "step": None if v.step is None else v.step + 1,
             "rerun": run.rerun(v.vector_id)}
            for v in run.verdicts if v.status in ("fail", "error")
        ],
    }  # fmt: skip


def _json_value(value: Any) -> Any:
    return value if isinstance(value, bool | int | float | str) or value is None else str(value)


def verdict_text(run: Run) -> str:
    """The verdict in one sentence: whether the implementation conforms, and
    under which profile and on which observables (skips counted, never hidden)."""
    counts = run.counts()
    if not run.ok:
        causes = [
            f"{counts['fail']} failed" if counts["fail"] else "",
            f"{counts['error']} errored" if counts["error"] else "",
            f"{counts['skip']} skipped (--fail-on-skip)" if run.fail_on_skip and counts["skip"] else "",
        ]
        return f"DOES NOT CONFORM: {', '.join(c for c in causes if c)}"
    observables = ", ".join(run.checked_observables()) or "none"
    text = f"CONFORMS under {run.profile_text()} on observables {observables}: {counts['pass']} passed"
    if counts["skip"]:
        text += f"; {counts['skip']} skipped, not checked (each with its reason)"
    return text


class Progress:
    """A progress bar on a terminal; elsewhere a plain line every 10 % (or 5 s);
    each with the elapsed time, the rate and the estimated time left."""

    def __init__(self, total: int, stream: IO[str] | None = None, *, enabled: bool = True) -> None:
        self.total, self.done = total, 0
        self.stream = stream or sys.stderr
        self.enabled = enabled and total > 0
        self.tty = self.stream.isatty()
        self.counts = {"pass": 0, "fail": 0, "error": 0, "skip": 0}
        self._last_line, self._last_time, self._next_tenth = 0.0, time.monotonic(), max(1, total // 10)
        self._started = time.monotonic()

    def __call__(self, verdict: Verdict) -> None:
        self.done += 1
        self.counts[verdict.status] += 1
        if not self.enabled:
            return
        if self.tty:
            self._bar()
        elif self.done >= self._next_tenth or time.monotonic() - self._last_time > 5 or self.done == self.total:
            self._next_tenth = self.done + max(1, self.total // 10)
            self._last_time = time.monotonic()
            self.stream.write(f"conform: {self.done}/{self.total} {self._tally()}\n")
            self.stream.flush()

    def _tally(self) -> str:
        c = self.counts
        return f"pass {c['pass']} fail {c['fail']} error {c['error']} skip {c['skip']} {self._pace()}"

    def _pace(self) -> str:
        """Elapsed time, rate and (until the end) the estimated time left."""
        elapsed = time.monotonic() - self._started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        text = f"{elapsed:.1f} s, {rate:,.0f} vectors/s"
        if self.done < self.total and rate > 0:
            text += f", ETA {(self.total - self.done) / rate:.0f} s"
        return f"({text})"

    def _bar(self) -> None:
        now = time.monotonic()
        if self.done != self.total and now - self._last_line < 0.1:
            return
        self._last_line = now
        width = 30
        filled = width * self.done // self.total
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {self._tally()}")
        if self.done == self.total:
            self.stream.write("\n")
        self.stream.flush()
