"""What "passing a step" means: :func:`compare` checks the outputs an
implementation produced against a step's expected outputs, on the observables
the vector names only.  ``reason``, ``interp`` and ``requirements`` are
explanations, never compared (see ``docs/vector-format.md``).

Log entries are two observables: ``entries`` (which entries: their timestamps,
in order) and ``entry-values`` (their values).  Where an implementation cannot
expose ``entry-values``, :func:`entry_consistency` checks instead that every
response of a vector returns the same value for the same (device, SRV,
timestamp) (C-10)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from mhhs_sec.model.codec import encode_output

Json = dict[str, Any]

# output type -> observable -> fields it covers
FIELDS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "response": {
        "response-code": ("code", "user_id", "role", "srv", "device_id", "mode", "for_settlement"),
        "entries": ("entries",),
        "entry-values": ("entries",),
        "device-read": ("device_read",),
        "trt": ("trt_s",),
        "timing": ("submitted_at", "responded_at"),
        "schedules": ("schedule_ids",),
        "inventory": ("inventory",),
    },
    "acknowledgement": {"response-code": ("code", "user_id"), "timing": ("at", "execute_at")},
    "alert": {"alerts": ("code", "recipient", "device_id", "schedule_id"), "timing": ("at",)},
    "audit_extract": {"audit": ("user_id", "records")},
}


@dataclass(frozen=True, slots=True)
class Difference:
    """One difference of a step, field by field: ``output`` names the output
    (its type and key: ``response <request_id>``), ``kind`` its type,
    ``field`` what differs (``output`` for a missing or an unexpected output,
    ``entries`` / ``entry values`` for log entries), ``expected`` / ``got``
    the two values (for entries, where they first differ), ``text`` the
    human-readable line :func:`compare` returns."""

    output: str
    kind: str
    field: str
    expected: Any
    got: Any
    text: str


def normalise(item: object) -> Json:
    """An output as its codec JSON: accepts a model output, its JSON, or an
    expected-output object / dict (``{"output": ..., "why": ...}``)."""
    inner = getattr(item, "output", None)
    if inner is not None and not isinstance(item, Mapping):
        item = inner
    if isinstance(item, Mapping):
        if "output" in item and "type" not in item:
            item = item["output"]
        found: Json = dict(item.items()) if isinstance(item, Mapping) else {}
        return found
    return encode_output(item)  # type: ignore[arg-type]


# An ``acceptable`` code that stands for every rejection: any code but these.
ANY_REJECTION: Final = "*rejection*"
NOT_REJECTIONS: Final = frozenset({"I0", "I99"})


def acceptable_codes(item: object) -> frozenset[str]:
    """The codes of an expected output's ``acceptable`` list (the other answers
    that also conform); empty for a bare output."""
    entries = item.get("acceptable", ()) if isinstance(item, Mapping) else getattr(item, "acceptable", ())
    return frozenset(str(e["code"]) for e in entries or () if isinstance(e, Mapping) and "code" in e)


def admits(codes: frozenset[str], code: object) -> bool:
    """Is ``code`` one of the acceptable codes (the wildcard: any rejection)?"""
    if code in codes:
        return True
    return ANY_REJECTION in codes and isinstance(code, str) and code not in NOT_REJECTIONS


def as_rejection(expected: Json, code: str, flag: object) -> Json:
    """The expected response as an acceptable rejection with this code: the
    same request identity fields, no entries, no device read, no TRT, no
    schedule, no inventory; answered at the same instant.  In place of an
    answer, the ForSettlement flag is the one the request carried (``flag``:
    an answer carries the effective flag, FS-5)."""
    answered = expected.get("code") in NOT_REJECTIONS
    return {
        **expected, "code": code, "entries": [], "device_read": False, "trt_s": None, "schedule_ids": [],
        "inventory": None, "for_settlement": flag if answered else expected.get("for_settlement"),
    }  # fmt: skip


def _judged(
    label: str, expected: Json, codes: frozenset[str], actual: Json, observables: Sequence[str]
) -> list[Difference]:
    """Differences from the expected output, or from the acceptable rejection
    whose code the actual response carries."""
    code = actual.get("code")
    if expected.get("type") == "response" and code != expected.get("code") and admits(codes, code):
        return _differences(label, as_rejection(expected, str(code), actual.get("for_settlement")), actual, observables)
    return _differences(label, expected, actual, observables)


def observed(output: Json, observables: Iterable[str]) -> bool:
    """Is this output checked at all under these observables?"""
    covered = FIELDS.get(output.get("type", ""), {})
    return any(name in covered for name in observables if name != "timing")


def _key(output: Json) -> tuple[Any, ...]:
    kind = output.get("type")
    if kind in ("response", "acknowledgement"):
        return (kind, output.get("request_id"))
    if kind == "alert":
        return (kind, output.get("recipient"), output.get("device_id"), output.get("schedule_id"))
    return (kind, output.get("user_id"))


def _label(key: tuple[Any, ...]) -> str:
    return " ".join(str(part) for part in key)


def _fields(output: Json, observables: Iterable[str]) -> list[str]:
    covered = FIELDS.get(output.get("type", ""), {})
    names: list[str] = []
    for observable in observables:
        names.extend(covered.get(observable, ()))
    return list(dict.fromkeys(names))


def _audit_records(records: object, with_time: bool) -> object:
    if with_time or not isinstance(records, list):
        return records
    return [{k: v for k, v in r.items() if k != "at"} if isinstance(r, dict) else r for r in records]


def _differences(label: str, expected: Json, actual: Json, observables: Sequence[str]) -> list[Difference]:
    found = []
    kind = str(expected.get("type", ""))
    for name in _fields(expected, observables):
        want, got = expected.get(name), actual.get(name)
        if name == "records":
            want, got = (_audit_records(x, "timing" in observables) for x in (want, got))
        if want == got:
            continue
        if name == "entries" and isinstance(want, list) and isinstance(got, list):
            found.extend(_entry_differences(label, kind, want, got, observables))
        else:
            found.append(Difference(label, kind, name, want, got, f"{label}: {name} expected {want!r}, got {got!r}"))
    return found


def _stamp(entry: object) -> object:
    return entry.get("timestamp") if isinstance(entry, Mapping) else entry


def entry_differences(label: str, want: list[Any], got: list[Any], observables: Sequence[str]) -> list[str]:
    """``entries``: the same timestamps in the same order; ``entry-values``:
    the same values at them (checked once the timestamps agree, or alone)."""
    return [d.text for d in _entry_differences(label, "response", want, got, observables)]


def _entry_differences(label: str, kind: str, want: list[Any], got: list[Any],
                       observables: Sequence[str]) -> list[Difference]:  # fmt: skip
    if "entries" in observables:
        stamps = [_stamp(e) for e in want], [_stamp(e) for e in got]
        if stamps[0] != stamps[1]:
            first = _first_difference(*stamps)
            return [Difference(label, kind, "entries", *first, f"{label}: entries differ: {_entries_diff(*stamps)}")]
    if "entry-values" in observables and want != got:
        text = f"{label}: entry values differ: {_entries_diff(want, got)}"
        return [Difference(label, kind, "entry values", *_first_difference(want, got), text)]
    return []


def _first_difference(want: list[Any], got: list[Any]) -> tuple[str, str]:
    """Where two lists of entries first differ, as (expected, got) words."""
    for index, (a, b) in enumerate(zip(want, got, strict=False)):
        if a != b:
            return f"[{index}] {a!r} (of {len(want)})", f"[{index}] {b!r} (of {len(got)})"
    return f"{len(want)} entries", f"{len(got)} entries"


def entry_consistency(seen: dict[tuple[Any, ...], Any], actual_outputs: Iterable[object]) -> list[str]:
    """C-10: the entries of these responses agree with every entry seen before
    in the vector (``seen``: (device_id, srv, timestamp) -> value, updated):
    a cached answer equals the device's, and a device logs one value per timestamp."""
    found = []
    for output in map(normalise, actual_outputs):
        entries = output.get("entries") if output.get("type") == "response" else None
        for entry in entries if isinstance(entries, list) else ():
            if not isinstance(entry, Mapping):
                continue
            key = (output.get("device_id"), output.get("srv"), entry.get("timestamp"))
            value = seen.setdefault(key, entry.get("value"))
            if value != entry.get("value"):
                found.append(
                    f"entry-consistency: {key[0]} {key[1]} {key[2]}: value {entry.get('value')!r} "
                    f"in response {output.get('request_id')}, {value!r} earlier in the vector"
                )
    return found


def _entries_diff(want: list[Any], got: list[Any]) -> str:
    for index, (a, b) in enumerate(zip(want, got, strict=False)):
        if a != b:
            return f"first difference at [{index}]: expected {a!r}, got {b!r}"
    return f"expected {len(want)} entries, got {len(got)}"


def compare(
    expected_outputs: Iterable[object], actual_outputs: Iterable[object], observables: Iterable[str]
) -> list[str]:
    """Human-readable differences between expected and actual outputs of one
    step (empty list = the step passes).  Outputs are matched by type and
    request id (alerts by recipient, device and schedule; audit extracts by
    user), regardless of order; only outputs and fields the observables cover
    are checked.  A response whose code is one of the expected output's
    ``acceptable`` codes is compared as that rejection."""
    return [d.text for d in differences(expected_outputs, actual_outputs, observables)]


def differences(
    expected_outputs: Iterable[object], actual_outputs: Iterable[object], observables: Iterable[str]
) -> list[Difference]:
    """:func:`compare`, field by field (:class:`Difference`)."""
    names = list(dict.fromkeys(observables))
    expected = [(normalise(o), acceptable_codes(o)) for o in expected_outputs]
    wanted = [(o, codes) for o, codes in expected if observed(o, names)]
    produced = [o for o in map(normalise, actual_outputs) if observed(o, names)]
    pool: dict[tuple[Any, ...], list[Json]] = {}
    for output in produced:
        pool.setdefault(_key(output), []).append(output)
    problems: list[Difference] = []
    for output, codes in wanted:
        key = _key(output)
        candidates = pool.get(key)
        if not candidates:
            code = output.get("code", "-")
            problems.append(Difference(_label(key), str(key[0]), "output", f"code {code}", "none",
                                       f"missing {_label(key)} (expected code {code})"))  # fmt: skip
            continue
        problems.extend(_judged(_label(key), output, codes, candidates.pop(0), names))
    for key, rest in sorted(pool.items(), key=lambda kv: repr(kv[0])):
        problems.extend(Difference(_label(key), str(key[0]), "output", "none", f"code {o.get('code', '-')}",
                                   f"unexpected {_label(key)} (code {o.get('code', '-')})") for o in rest)  # fmt: skip
    return problems
