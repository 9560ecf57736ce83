"""The adapter protocol: what the runner asks of an implementation under test.

``docs/adapter-protocol.md`` is the normative text; this module is its Python
form.  Every adapter (in-process, JSON lines over stdio, HTTP) offers the same
four calls, all carrying the JSON shapes of :mod:`mhhs_sec.model.codec`:

``hello()``
    the implementation's :class:`Capabilities` (observables, profile options,
    event kinds it supports).
``reset(initial_state)``
    forget everything and start from an initial state (``jsonform.encode_state``
    shape; it carries the interpretation profile and the service config).  The
    implementation's clock is set to ``initial_state["clock"]``.
``step(event)``
    apply one event (``jsonform.encode_event`` shape) and return the outputs it
    produced (``codec.encode_output`` shapes), in order.  Time is virtual: the
    clock moves only on ``advance_clock`` events (AUD-1 times, TRTs, SCH-4
    windows, SCH-5 retries and C-5 cache ages all follow it).  An event the
    implementation refuses as invalid (REG-5 registration gap, backwards clock,
    malformed field) raises :class:`EventRejected`.
``close()``
    release the implementation (processes, sockets).

Adapters raise :class:`AdapterFault` for anything that is the implementation's
fault rather than a verdict on the SEC rules: a hang, a crash, a closed pipe,
garbage or schema-invalid output, a refused connection.  The runner turns it
into an ``error`` verdict and calls :meth:`Adapter.restart`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Protocol, runtime_checkable

from mhhs_sec.model.outputs import CODES
from mhhs_sec.model.profile import PROFILE_OPTIONS

PROTOCOL_VERSION: Final = "mhhs-sec-adapter/1"
# In a capabilities 'profiles' list: every value of that option is implemented.
ANY_VALUE: Final = "*"
Json = dict[str, Any]

# The suite's named reason classes: codes the sources do not define (MHHS-*).
# An implementation may answer them with codes of its own (hello 'codes');
# the DUIS 5.4 codes are compared as codes.
REASON_CLASSES: Final[frozenset[str]] = frozenset(c for c in CODES if c.startswith("MHHS-"))
DUIS_CODES: Final[frozenset[str]] = frozenset(CODES) - REASON_CLASSES

# Event kinds of jsonform.encode_event, in the order the document lists them.
EVENT_KINDS: Final[tuple[str, ...]] = (
    "set_user",
    "load_registration",
    "load_device",
    "submit",
    "advance_clock",
    "restrict_device",
    "set_device_comms",
    "read_audit_trail",
)


def event_kind(event: object) -> str | None:
    """The kind of a step's event; None when it has none of the protocol's
    (malformed input a refused step carries: no capability runs it)."""
    kind = event.get("event") if isinstance(event, dict) else None
    return kind if isinstance(kind, str) and kind in EVENT_KINDS else None


class AdapterFault(Exception):
    """The implementation misbehaved (not a verdict on the rules): ``cause`` is
    one of 'timeout', 'crash', 'closed-pipe', 'garbage', 'schema', 'refused',
    'protocol', 'start'; ``detail`` says what happened."""

    def __init__(self, cause: str, detail: str) -> None:
        super().__init__(f"{cause}: {detail}")
        self.cause = cause
        self.detail = detail


class EventRejected(Exception):
    """The implementation refused an event as invalid input (the model's
    :class:`~mhhs_sec.model.errors.InvalidEvent`): the field at fault and the
    requirement it breaks (REG-5 for a registration gap or overlap)."""

    def __init__(self, field: str, requirement: str, message: str) -> None:
        super().__init__(f"{field}: {message} [{requirement}]")
        self.field = field
        self.requirement = requirement
        self.message = message

    def as_json(self) -> Json:
        return {"field": self.field, "requirement": self.requirement, "message": self.message}


@dataclass(frozen=True)
class Capabilities:
    """What an implementation declares in its ``hello`` answer.

    ``observables``: the observable names it can expose (vectors needing another
    are skipped, with that reason).  ``profiles``: for each profile option, the
    values it implements (an option left out means: the catalogue default only).
    ``events``: the event kinds it accepts.  ``codes``: for a reason class
    (:data:`REASON_CLASSES`), the implementation's own code for it."""

    implementation: str
    observables: tuple[str, ...]
    profiles: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    events: tuple[str, ...] = EVENT_KINDS
    protocol: str = PROTOCOL_VERSION
    codes: dict[str, str] = field(default_factory=dict)

    def supports_profile(self, profile: Json) -> str | None:
        """None if every option value of ``profile`` is implemented, else why not."""
        for option, value in sorted(profile.items()):
            if option not in PROFILE_OPTIONS:
                continue
            default = PROFILE_OPTIONS[option][1][0]
            allowed = self.profiles.get(option, (default,))
            if value not in allowed and ANY_VALUE not in allowed:
                requirement = PROFILE_OPTIONS[option][0]
                return f"profile {requirement}:{option}={value!r} not supported (supports {list(allowed)})"
        return None

    def as_json(self) -> Json:
        found: Json = {
            "protocol": self.protocol,
            "implementation": self.implementation,
            "observables": list(self.observables),
            "profiles": {k: list(v) for k, v in sorted(self.profiles.items())},
            "events": list(self.events),
        }
        if self.codes:
            found["codes"] = dict(sorted(self.codes.items()))
        return found

    @classmethod
    def from_json(cls, data: object) -> Capabilities:
        """Strict reading of a ``hello`` answer; raises AdapterFault('schema')."""
        if not isinstance(data, dict):
            raise AdapterFault("schema", f"hello result must be an object, got {type(data).__name__}")
        try:
            protocol = data["protocol"]
            if protocol != PROTOCOL_VERSION:
                raise AdapterFault("protocol", f"implementation speaks {protocol!r}, runner {PROTOCOL_VERSION!r}")
            observables = tuple(_strings(data["observables"], "observables"))
            profiles = data.get("profiles", {})
            if not isinstance(profiles, dict) or not all(isinstance(v, list) for v in profiles.values()):
                raise AdapterFault("schema", "hello.profiles must map option names to lists of values")
            events = tuple(_strings(data.get("events", list(EVENT_KINDS)), "events"))
            codes = reason_class_codes(data.get("codes", {}))
            profiled = {k: tuple(v) for k, v in profiles.items()}
            return cls(str(data["implementation"]), observables, profiled, events, PROTOCOL_VERSION, codes)
        except KeyError as missing:
            raise AdapterFault("schema", f"hello result lacks {missing}") from None


def reason_class_codes(value: object) -> dict[str, str]:
    """A ``hello.codes`` object, checked: each key a reason class, each value
    the implementation's own code for it, which must not be a DUIS code nor
    another class's name, and no two classes may share a code (the runner
    could not tell them apart).  Raises AdapterFault('schema')."""
    if not isinstance(value, dict) or not all(isinstance(v, str) and v for v in value.values()):
        raise AdapterFault("schema", "hello.codes must map reason classes to non-empty code strings")
    for reason_class, code in sorted(value.items()):
        if reason_class not in REASON_CLASSES:
            raise AdapterFault(
                "schema", f"hello.codes: {reason_class!r} is not a reason class {sorted(REASON_CLASSES)}"
            )
        if code in DUIS_CODES:
            raise AdapterFault("schema", f"hello.codes: {reason_class} -> {code!r} collides with the DUIS code {code}")
        if code in REASON_CLASSES and code != reason_class:
            raise AdapterFault("schema", f"hello.codes: {reason_class} -> {code!r} is the name of another class")
    shared = sorted(code for code in set(value.values()) if list(value.values()).count(code) > 1)
    if shared:
        classes = sorted(k for k, v in value.items() if v == shared[0])
        raise AdapterFault("schema", f"hello.codes: {' and '.join(classes)} are both mapped to {shared[0]!r}")
    return dict(value)


def as_reason_classes(outputs: list[Json], codes: dict[str, str]) -> list[Json]:
    """The outputs with each of the implementation's own codes (``hello.codes``)
    replaced by the reason class it stands for (audit records included)."""
    if not codes:
        return outputs
    back = {code: reason_class for reason_class, code in codes.items()}
    return [_classed(output, back) for output in outputs]


def _classed(output: Json, back: dict[str, str]) -> Json:
    if not isinstance(output, dict):
        return output
    found = dict(output)
    if isinstance(found.get("code"), str):
        found["code"] = back.get(found["code"], found["code"])
    if isinstance(found.get("records"), list):
        found["records"] = [_classed(record, back) for record in found["records"]]
    return found


def _strings(value: object, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise AdapterFault("schema", f"hello.{name} must be a list of strings")
    return value


@runtime_checkable
class Implementation(Protocol):
    """An in-process implementation under test (``python:MODULE:CLASS``).  The
    class is instantiated with no arguments."""

    def hello(self) -> Json:
        """The capabilities object (see :class:`Capabilities`)."""

    def reset(self, initial_state: Json) -> None:
        """Start over from an initial state; may raise EventRejected."""

    def step(self, event: Json) -> list[Json]:
        """Apply one event, return its outputs; may raise EventRejected."""


class Adapter(Protocol):
    """How the runner drives any implementation (in-process, stdio, HTTP)."""

    spec: str

    def hello(self) -> Capabilities: ...

    def reset(self, initial_state: Json) -> None: ...

    def step(self, event: Json) -> list[Json]: ...

    def restart(self) -> None:
        """Make the next call start from a fresh implementation (after a fault)."""

    def close(self) -> None: ...
