"""The conformance runner: selects vectors, runs each through an adapter and
gives it one verdict: ``pass``, ``fail`` (the implementation answered, but not
as the vector expects), ``error`` (the implementation misbehaved: hang, crash,
closed pipe, garbage, schema-invalid output, refused connection; the cause is
recorded and the implementation restarted) or ``skip`` (with its reason:
a missing capability or another profile).  Nothing selected is dropped.

Vectors come from the one loader, :func:`mhhs_sec.vectors.load_vectors`, and
are compared with the one comparator, :func:`mhhs_sec.vectors.compare`.
"""

from __future__ import annotations

import contextlib
import gc
import shlex
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from mhhs_sec.model.profile import PROFILE_OPTIONS, Profile

from .protocol import Adapter, AdapterFault, Capabilities, EventRejected, Json, as_reason_classes, event_kind

STATUSES: Final = ("pass", "fail", "error", "skip")
# An observable an implementation may leave out without skipping the vector:
# the runner checks the one named instead (docs/adapter-protocol.md).
SUBSTITUTES: Final = {"entry-values": "entry-consistency"}


@dataclass(frozen=True)
class Verdict:
    """The outcome of one vector.  ``step`` is the index of the step that
    failed or errored; ``expected`` / ``actual`` are that step's outputs;
    ``observables`` what was checked (``entry-consistency`` in place of
    ``entry-values`` for an implementation that does not expose the values);
    ``primary``: the vector's primary requirement (the rule it was built to
    check); a failed vector also carries the vector itself (its inputs, the
    step's event and why each output is expected) and ``fields``, the
    differences field by field (:class:`mhhs_sec.vectors.compare.Difference`)."""

    vector_id: str
    status: str
    requirements: tuple[str, ...]
    tags: tuple[str, ...]
    comment: str
    reason: str = ""
    step: int | None = None
    differences: tuple[str, ...] = ()
    expected: Any = None
    actual: Any = None
    observables: tuple[str, ...] = ()
    primary: str = ""
    fields: tuple[Any, ...] = ()
    vector: Any = None


@dataclass(frozen=True)
class Selection:
    """Which vectors to run (``--requirement``, ``--tag``, ``--vector``,
    ``--shard``) and the profile the implementation runs (``--profile``:
    vectors that depend on another value of an option are skipped)."""

    requirements: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    vector_ids: tuple[str, ...] = ()
    profile: dict[str, Any] = field(default_factory=dict)
    shard: tuple[int, int] | None = None

    def wants(self, vector: Any) -> bool:
        if self.vector_ids and vector.id not in self.vector_ids:
            return False
        if self.requirements and not set(self.requirements) & set(vector.requirements):
            return False
        return not self.tags or bool(set(self.tags) & set(vector.tags))

    def select(self, vectors: Iterable[Any]) -> list[Any]:
        chosen = sorted((v for v in vectors if self.wants(v)), key=lambda v: v.id)
        if self.shard is None:
            return chosen
        index, count = self.shard
        return [v for v in chosen if shard_of(v.id, count) == index]


def shard_of(vector_id: str, count: int) -> int:
    """``--shard i/n``: the shard (1..n) a vector belongs to, stable across
    machines and independent of which other vectors exist."""
    return zlib.crc32(vector_id.encode()) % count + 1


def parse_shard(text: str) -> tuple[int, int]:
    """'i/n' with 1 <= i <= n."""
    index, sep, count = text.partition("/")
    try:
        i, n = int(index), int(count)
    except ValueError:
        raise ValueError(f"--shard expects i/n (e.g. 2/4), got {text!r}") from None
    if not sep or n < 1 or not 1 <= i <= n:
        raise ValueError(f"--shard expects i/n with 1 <= i <= n, got {text!r}")
    return i, n


def parse_profile(pairs: list[str]) -> Profile:
    """A profile from 'option=value' strings (``--profile``)."""
    options: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or name not in PROFILE_OPTIONS:
            raise ValueError(f"--profile expects option=value with option in {list(PROFILE_OPTIONS)}")
        default = getattr(Profile(), name)
        if isinstance(default, bool):
            options[name] = raw in ("on", "true", "1")
        elif isinstance(default, int):
            options[name] = int(raw)
        else:
            options[name] = raw
    return Profile().with_options(**options)


def parse_profile_filter(pairs: list[str]) -> dict[str, Any]:
    """``--profile option=value`` pairs -> {option: typed value} (checked by the model)."""
    chosen: dict[str, Any] = {}
    for pair in pairs:
        name = pair.partition("=")[0]
        chosen[name] = parse_profile([pair]).as_dict()[name] if name else None
    return chosen


def skip_reason(vector: Any, capabilities: Capabilities, profile: dict[str, Any]) -> str | None:
    """Why a vector cannot be run against this implementation, or None."""
    missing = sorted(set(vector.observables) - set(capabilities.observables) - set(SUBSTITUTES))
    if missing:
        return f"missing capability: observable(s) {', '.join(missing)} not exposed by the implementation"
    requires = _requires(vector)
    for option, value in sorted(requires.items()):
        if option in profile and profile[option] != value:
            requirement = PROFILE_OPTIONS.get(option, ("?",))[0]
            return f"other profile: vector needs {requirement}:{option}={value}, run uses {profile[option]}"
    unsupported = capabilities.supports_profile(requires)
    if unsupported:
        return f"other profile: {unsupported}"
    kinds = sorted({kind for step in vector.steps if (kind := event_kind(step.event))} - set(capabilities.events))
    if kinds:
        return f"missing capability: event(s) {', '.join(map(str, kinds))} not supported"
    return None


def _requires(vector: Any) -> dict[str, Any]:
    """The profile option values a vector's expected outcome depends on."""
    profile = vector.profile
    requires = getattr(profile, "requires", profile)
    return dict(requires)


def checked_observables(vector: Any, capabilities: Capabilities | None) -> tuple[str, ...]:
    """The vector's observables the implementation exposes, each one it does
    not but that has a substitute replaced by it (``entry-values`` by
    ``entry-consistency``); every observable when capabilities are not given."""
    declared = None if capabilities is None else set(capabilities.observables)
    return tuple(
        name if declared is None or name in declared or name not in SUBSTITUTES else SUBSTITUTES[name]
        for name in vector.observables
    )


def run_vector(
    adapter: Adapter, vector: Any, compare: Callable[..., list[str]], capabilities: Capabilities | None = None
) -> Verdict:
    """Reset the implementation to the vector's initial state, play its steps,
    compare each step's outputs on the observables checked
    (:func:`checked_observables`)."""
    observables = checked_observables(vector, capabilities)
    base = {**_base(vector), "observables": observables}
    wanted = getattr(vector, "reset_refused", None)
    try:
        adapter.reset(vector.initial_state)
    except EventRejected as rejected:
        return _reset_rejected(vector, rejected, base)
    except AdapterFault as fault:
        adapter.restart()
        return Verdict(**base, status="error", reason=f"{fault.cause} at reset: {fault.detail}")
    if wanted is not None:
        return Verdict(**base, status="fail", expected=dict(wanted), reason="the initial state was accepted, but "
                       f"the vector expects it refused citing {wanted.get('requirement')}: {wanted.get('why')}",
                       differences=("initial state accepted but the vector expects it refused",),
                       vector=vector)  # fmt: skip
    check = _StepCheck(compare, observables, capabilities.codes if capabilities else {})
    for index, step in enumerate(vector.steps):
        verdict = _run_step(adapter, vector, index, step, check, base)
        if verdict is not None:
            return verdict
    return Verdict(**base, status="pass")


class _StepCheck:
    """The comparison of each step on the observables checked, and the
    ``entry-consistency`` check across the vector's responses (C-10)."""

    def __init__(self, compare: Callable[..., list[str]], observables: tuple[str, ...], codes: dict[str, str]) -> None:
        self.compare, self.observables, self.codes = compare, observables, codes
        self.seen: dict[tuple[Any, ...], Any] | None = {} if "entry-consistency" in observables else None

    def __call__(self, expected: Any, actual: list[Json]) -> list[str]:
        """``actual`` read back to the suite's reason classes (``hello.codes``)."""
        differences = self.compare(expected, self._classed(actual), self.observables)
        if self.seen is not None:
            from mhhs_sec.vectors.compare import entry_consistency

            differences = [*differences, *entry_consistency(self.seen, actual)]
        return differences

    def _classed(self, actual: list[Json]) -> list[Json]:
        return as_reason_classes(actual, self.codes)

    def fields(self, expected: Any, actual: list[Json]) -> tuple[Any, ...]:
        """The differences of a failed step field by field (the one comparator's)."""
        from mhhs_sec.vectors.compare import differences

        return tuple(differences(expected, self._classed(actual), self.observables))


def _run_step(
    adapter: Adapter, vector: Any, index: int, step: Any, check: _StepCheck, base: dict[str, Any]
) -> Verdict | None:
    expected = _expected_json(step)
    try:
        actual = adapter.step(step.event)
    except EventRejected as rejected:
        return _rejected(vector, index, step, rejected, base)
    except AdapterFault as fault:
        adapter.restart()
        return Verdict(
            **base,
            status="error",
            reason=f"{fault.cause} at step {index + 1}: {fault.detail}",
            step=index,
            vector=vector,
        )
    if _expects_rejection(step):
        return Verdict(**base, status="fail", step=index, expected=_rejection_json(step), actual=actual,
                       reason=f"step {index + 1}: expected the event to be refused, it was accepted", vector=vector,
                       differences=("event accepted but the vector expects it refused",))  # fmt: skip
    differences = check(step.expected, actual)
    if differences:
        return Verdict(**base, status="fail", step=index, differences=tuple(differences), expected=expected,
                       actual=actual, reason=f"step {index + 1}: {differences[0]}",
                       fields=check.fields(step.expected, actual), vector=vector)  # fmt: skip
    return None


def _expected_json(step: Any) -> list[Json]:
    """A step's expected outputs as codec JSON."""
    return [getattr(e, "output", e) for e in step.expected]


def _expects_rejection(step: Any) -> bool:
    """REG-5 and the like: the step's event must be refused as invalid input."""
    return getattr(step, "refused", None) is not None


def _rejection_json(step: Any) -> Json:
    refused = step.refused
    return dict(refused) if isinstance(refused, dict) else {"requirement": str(refused)}


def _rejected(vector: Any, index: int, step: Any, rejected: EventRejected, base: dict[str, Any]) -> Verdict | None:
    if _expects_rejection(step):
        wanted = _rejection_json(step).get("requirement")
        if wanted in (None, rejected.requirement):
            return None
        return Verdict(**base, status="fail", step=index, expected=_rejection_json(step), actual=rejected.as_json(),
                       reason=f"step {index + 1}: refused citing {rejected.requirement}, expected {wanted}",
                       vector=vector,
                       differences=(f"refusal cites {rejected.requirement}, expected {wanted}",))  # fmt: skip
    return Verdict(**base, status="fail", step=index, expected=_expected_json(step), actual=rejected.as_json(),
                   reason=f"step {index + 1}: the implementation refused the event: {rejected}", vector=vector,
                   differences=(f"event refused: {rejected}",))  # fmt: skip


def _reset_rejected(vector: Any, rejected: EventRejected, base: dict[str, Any]) -> Verdict:
    """A refused reset: it passes when the vector expects its initial state
    refused citing the same requirement (the field path is a diagnostic)."""
    wanted = getattr(vector, "reset_refused", None)
    if wanted is None:
        return Verdict(**base, status="fail", reason=f"initial state refused: {rejected}")
    if wanted.get("requirement") in (None, rejected.requirement):
        return Verdict(**base, status="pass")
    return Verdict(**base, status="fail", expected=dict(wanted), actual=rejected.as_json(),
                   reason=f"initial state refused citing {rejected.requirement}, expected {wanted.get('requirement')}",
                   differences=(f"refusal cites {rejected.requirement}, expected {wanted.get('requirement')}",),
                   vector=vector)  # fmt: skip


def _base(vector: Any) -> dict[str, Any]:
    return {
        "vector_id": vector.id,
        "requirements": tuple(vector.requirements),
        "tags": tuple(vector.tags),
        "comment": vector.comment,
        "primary": getattr(vector, "primary_requirement", "") or (*vector.requirements, "")[0],
    }


@dataclass
class Run:
    """The verdicts of one run, in vector id order, and what it ran against."""

    adapter: str
    implementation: str
    verdicts: list[Verdict]
    total_available: int
    rerun_prefix: str
    profile: dict[str, Any] = field(default_factory=dict)  # the run's --profile options
    fail_on_skip: bool = False  # --fail-on-skip: a skipped vector is not conforming
    not_run: int = 0  # selected vectors left unrun after --max-failures was reached

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for verdict in self.verdicts:
            counts[verdict.status] += 1
        return counts

    @property
    def ok(self) -> bool:
        """Conforms (exit 0) when no selected vector failed or errored; a
        skipped vector (another profile, an observable not exposed) is not
        held against the implementation unless ``fail_on_skip``."""
        counts = self.counts()
        return not (counts["fail"] or counts["error"] or (self.fail_on_skip and counts["skip"]))

    def checked_observables(self) -> tuple[str, ...]:
        """The observables the passed vectors were compared on (what the
        verdict vouches for)."""
        return tuple(sorted({name for v in self.verdicts if v.status == "pass" for name in v.observables}))

    def profile_text(self) -> str:
        """The run's profile as ``option=value`` words (the catalogue defaults
        for every option not named)."""
        named = [f"{option}={_profile_text(value)}" for option, value in sorted(self.profile.items())]
        return ", ".join(named) + " (defaults otherwise)" if named else "the default profile"

    def rerun(self, vector_id: str) -> str:
        return f"{self.rerun_prefix} --vector {shlex.quote(vector_id)}"

    def summary(self) -> dict[str, int]:
        counts = self.counts()
        return {
            "passed": counts["pass"],
            "failed": counts["fail"],
            "errors": counts["error"],
            "skipped": counts["skip"],
        }


def rerun_prefix(spec: str, vectors_path: str | None, profile: dict[str, Any]) -> str:
    """The start of the one-line command that reruns a single vector."""
    words = ["mhhs-sec", "conform", "--adapter", shlex.quote(spec)]
    if vectors_path:
        words += ["--vectors", shlex.quote(vectors_path)]
    for option, value in sorted(profile.items()):
        words += ["--profile", shlex.quote(f"{option}={_profile_text(value)}")]
    return " ".join(words)


def _profile_text(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


DEFAULT_GIVE_UP = 25


def run_all(
    adapter: Adapter,
    vectors: Sequence[Any],
    *,
    profile: dict[str, Any] | None = None,
    compare: Callable[..., list[str]] | None = None,
    on_verdict: Callable[[Verdict], None] | None = None,
    give_up_after: int = DEFAULT_GIVE_UP,
    capabilities: Capabilities | None = None,
    max_failures: int = 0,
) -> tuple[str, list[Verdict]]:
    """Run every vector (already selected); returns the implementation's name
    and the verdicts in the same order.  Never raises for an implementation's
    fault: a failed handshake gives every vector an ``error`` verdict, and
    after ``give_up_after`` errors in a row (0: never) the remaining vectors
    get an ``error`` verdict without being run, so a hanging implementation
    costs minutes, not hours.  ``capabilities``: the answer to a handshake
    already made (none is made then)."""
    if compare is None:
        from mhhs_sec.vectors import compare as compare_outputs

        compare = compare_outputs
    try:
        capabilities = capabilities or adapter.hello()
    except (AdapterFault, EventRejected) as fault:
        adapter.restart()
        return "(no answer)", _not_run(vectors, f"handshake failed: {fault}", on_verdict)
    with _loaded_data_frozen():
        return capabilities.implementation, _run_each(adapter, vectors, capabilities, profile, compare, on_verdict,
                                                      (give_up_after, max_failures))  # fmt: skip


@contextlib.contextmanager
def _loaded_data_frozen() -> Iterator[None]:
    """The vectors (and all else loaded before the run) stay alive and unchanged
    for the whole run: frozen, the garbage collector no longer walks them on
    every full collection (:func:`gc.freeze`).  Undone when the run ends."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _run_each(
    adapter: Adapter,
    vectors: Sequence[Any],
    capabilities: Capabilities,
    profile: dict[str, Any] | None,
    compare: Callable[..., list[str]],
    on_verdict: Callable[[Verdict], None] | None,
    limits: tuple[int, int],
) -> list[Verdict]:
    """``limits``: give up after that many errors in a row; stop after that
    many failures and errors (0: never)."""
    give_up_after, max_failures = limits
    verdicts: list[Verdict] = []
    in_a_row = failures = 0
    for index, vector in enumerate(vectors):
        if max_failures and failures >= max_failures:
            break
        if give_up_after and in_a_row >= give_up_after:
            cause = f"not run: {in_a_row} errors in a row, last: {verdicts[-1].reason}"
            return verdicts + _not_run(vectors[index:], cause, on_verdict)
        reason = skip_reason(vector, capabilities, profile or {})
        if reason:
            verdict = Verdict(**_base(vector), status="skip", reason=reason)
        else:
            verdict = run_vector(adapter, vector, compare, capabilities)
        in_a_row = in_a_row + 1 if verdict.status == "error" else 0
        failures += verdict.status in ("fail", "error")
        verdicts.append(verdict)
        if on_verdict:
            on_verdict(verdict)
    return verdicts


def _not_run(vectors: Sequence[Any], cause: str, on_verdict: Callable[[Verdict], None] | None) -> list[Verdict]:
    verdicts = [Verdict(**_base(v), status="error", reason=cause) for v in vectors]
    for verdict in verdicts:
        if on_verdict:
            on_verdict(verdict)
    return verdicts
