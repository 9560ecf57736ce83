"""``conform --baseline RUN.json``: a run compared with an earlier one.

The baseline is the JSON summary an earlier ``conform --json`` printed (its
``problems``: the vectors that failed or errored).  Of the vectors this run
checked, those failing now but not then are *newly failing*, those failing
then and passing now *newly passing*, those failing in both *still failing*.
A vector of the baseline that this run did not check (not selected, skipped,
not run) is counted apart, never as a change.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

SHOWN: Final = 10  # newly passing or still failing vectors named before '(+N more)'
PROBLEM: Final = ("fail", "error")


def read_baseline(path: str) -> frozenset[str]:
    """The ids of the vectors that failed or errored in the run ``path``
    summarises.  Raises ValueError (one line) on a file that is not such a
    summary."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"--baseline {path}: cannot read a conform --json summary ({error})") from None
    problems = document.get("problems") if isinstance(document, dict) else None
    if not isinstance(problems, list) or not all(isinstance(p, dict) and "vector" in p for p in problems):
        raise ValueError(f"--baseline {path}: not a conform --json summary (no 'problems' list of vectors)")
    return frozenset(str(problem["vector"]) for problem in problems)


@dataclass(frozen=True)
class Comparison:
    """What changed between the baseline and this run (ids sorted)."""

    newly_failing: tuple[str, ...]
    newly_passing: tuple[str, ...]
    still_failing: tuple[str, ...]
    not_checked: int  # failing in the baseline, not passed nor failed in this run

    @property
    def regressed(self) -> bool:
        return bool(self.newly_failing)

    def as_json(self) -> dict[str, Any]:
        return {
            "newly_failing": list(self.newly_failing),
            "newly_passing": list(self.newly_passing),
            "still_failing": list(self.still_failing),
            "not_checked": self.not_checked,
        }


def compare_with(baseline: frozenset[str], verdicts: Iterable[Any]) -> Comparison:
    """This run's ``verdicts`` (``vector_id``, ``status``) against the ids
    failing in the ``baseline``."""
    status = {verdict.vector_id: verdict.status for verdict in verdicts}
    failing = {vector for vector, s in status.items() if s in PROBLEM}
    passing = {vector for vector, s in status.items() if s == "pass"}
    return Comparison(
        tuple(sorted(failing - baseline)),
        tuple(sorted(baseline & passing)),
        tuple(sorted(failing & baseline)),
        len(baseline - failing - passing),
    )


def comparison_text(comparison: Comparison, path: str, rerun: Any) -> str:
    """The comparison for a person: each newly failing vector with its rerun
    command (``rerun(vector_id)``); the newly passing and the still failing
    ones counted, the first few named."""
    c = comparison
    lines = [
        f"compared with {path}: {len(c.newly_failing)} newly failing, {len(c.newly_passing)} newly passing, "
        f"{len(c.still_failing)} still failing"
        + (f" ({c.not_checked} failing in the baseline not checked in this run)" if c.not_checked else "")
    ]
    lines += [f"  newly failing: {vector}   rerun: {rerun(vector)}" for vector in c.newly_failing]
    lines += [f"  newly passing: {_first(c.newly_passing)}"] if c.newly_passing else []
    lines += [f"  still failing: {_first(c.still_failing)}"] if c.still_failing else []
    return "\n".join(lines)


def _first(vectors: tuple[str, ...]) -> str:
    """The first few ``vectors`` named, and how many more."""
    more = len(vectors) - SHOWN
    return ", ".join([*vectors[:SHOWN], *([f"(+{more} more)"] if more > 0 else [])])
