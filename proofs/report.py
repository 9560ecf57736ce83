"""Reporting: the results of :func:`~.run.prove_all` as a text table, as JSON,
and counterexample traces in readable form.  The only layer that formats."""

from __future__ import annotations

from typing import Any

from mhhs_sec.model.clock import format_instant
from mhhs_sec.model.profile import PROFILE_OPTIONS
from mhhs_sec.model.tables import GENERATIONS

from .inputs import CODE_IDS, KINDS, OUT, PARTIES, ROLES, SRV_IDS
from .run import Result
from .solve import Trace
from .symbolic import EVENT_KINDS, NONE_TRT, PARAM_OPTIONS

EVERY_PROFILE = "every profile"


def as_json(results: list[Result], mutants: bool) -> dict[str, Any]:
    """``{"invariants": [{name, requirements, profile, status, seconds[, reason][, falsified_by]}]}``;
    ``profile`` maps an option to the value the invariant holds under (an option
    not named: every value)."""
    rows = []
    for r in results:
        row: dict[str, Any] = {
            "name": r.name,
            "requirements": list(r.requirements),
            "profile": dict(r.profile),
            "status": r.status,
            "seconds": round(r.seconds, 3),
        }
        if r.reason:
            row["reason"] = r.reason
        if mutants:
            row["falsified_by"] = list(r.falsified_by)
        rows.append(row)
    return {"invariants": rows}


def holds_under(r: Result) -> str:
    """'option=value, ...' the invariant is proved under, or 'every profile'."""
    return ", ".join(f"{o}={_value(v)}" for o, v in r.profile.items()) or EVERY_PROFILE


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def table(results: list[Result], mutants: bool) -> str:
    """A fixed-width table: invariant, requirements, status, seconds, the
    profile values it holds under; then why any is not proved."""
    width = max(len(r.name) for r in results)
    head = f"{'invariant':<{width}}  {'requirements':<28}{'status':<10}{'seconds':>8}  holds under"
    lines = [head + ("  | falsified by" if mutants else ""), "-" * len(head)]
    for r in results:
        line = f"{r.name:<{width}}  {', '.join(r.requirements):<28}{r.status:<10}{r.seconds:>8.3f}  {holds_under(r)}"
        if mutants:
            line += "  | " + (", ".join(r.falsified_by) or "-")
        lines.append(line)
    total = sum(r.seconds for r in results)
    proved = sum(r.status == "proved" for r in results)
    lines.append(f"{proved}/{len(results)} proved in {total:.2f} s")
    lines.append(_profile_note())
    lines += [f"{r.name} is {r.status}: {r.reason}" for r in results if r.reason]
    return "\n".join(lines)


def _profile_note() -> str:
    outside = [f"{o} ({PROFILE_OPTIONS[o][0]})" for o in PROFILE_OPTIONS if o not in PARAM_OPTIONS]
    note = ("proved for every reachable state of the abstraction (proofs/README.md: one MPAN with up to four MDRA "
            "appointments, one device with up to two schedules, one cache key, one piece of queued work; the rest "
            "checked at run time); "
            f"'{EVERY_PROFILE}': for every value of every interpretation option the proofs take as a parameter; "
            "an option not named in 'holds under' may take any value")  # fmt: skip
    return note + (f"; outside the abstraction: {', '.join(outside)}" if outside else "")


def describe_trace(trace: Trace) -> str:
    """A counterexample, one line per event."""
    rigid = trace.rigid
    lines = [
        f"  device: {GENERATIONS[int(rigid['gen'])]} {KINDS[int(rigid['kind'])]}; watched entry: "
        f"SRV {SRV_IDS[int(rigid['srv_w'])]} at {format_instant(int(rigid['ts_w']))}",
        f"  profile (non-default): {', '.join(o for o, v in trace.profile.items() if v) or 'none'}",
        f"  start: {format_instant(int(trace.initial['now']))}, incoming EFD day {_day(int(trace.initial['b_efd']))}",
    ]
    for n, step in enumerate(trace.steps, 1):
        lines.append(f"  {n}. {_event(step.event)}")
        lines.append(f"     -> {_output(step.output)}")
    return "\n".join(lines)


def _day(day: int) -> str:
    return str(format_instant(day * 86400))[:10]


def _chain(e: dict[str, int | bool]) -> str:
    """The MDRA chain of a load: each appointment's party and EFD (chain.py)."""
    n = int(e["new_len"])
    parties = [PARTIES[OUT], *[PARTIES[int(e[p])] for p in ("new_p1", "new_p2", "new_p3")]]
    efds = ["first day", *[_day(int(e[d])) for d in ("new_efd", "new_efd2", "new_efd3")]]
    etds = [_day(int(e[d])) for d in ("new_etd", "new_etd1", "new_etd2")]
    return "; ".join(f"{parties[k]} from {efds[k]}" + (f" to ETD {etds[k]}" if k < n - 1 else "") for k in range(n))


def _event(e: dict[str, int | bool]) -> str:
    kind = EVENT_KINDS[int(e["kind"])]
    if kind == "advance":
        return f"advance clock to {format_instant(int(e['to']))}"
    if kind == "load_registration":
        return "load registration: MDRA chain " + _chain(e)
    if kind == "device_comms":
        return f"the device goes {'on' if e['online'] else 'off'} line"
    if kind == "restrict_device":
        return "the device is restricted (C-8)"
    srv = SRV_IDS[int(e["srv"])]
    text = f"{PARTIES[int(e['user'])]} as {ROLES[int(e['role'])]} sends {srv} ForSettlement={bool(e['flag'])}"
    if int(e["pe"]) or int(e["ps"]):
        text += f" period {format_instant(int(e['ps']))}..{format_instant(int(e['pe']))}"
    if srv == "5.1":
        text += f" schedule {SRV_IDS[int(e['sched_srv'])]} from {_day(int(e['sched_start']))}"
    if e.get("x_on"):
        text += f" to execute at {format_instant(int(e['x_at']))}"
    return text


def _output(o: dict[str, int | bool]) -> str:
    parts = []
    if o["on"] and CODE_IDS[int(o["code"])] == "I99":
        parts.append(f"acknowledged (I99) to {PARTIES[int(o['user'])]}: queued for later execution")
    elif o["on"]:
        trt = "N/A" if int(o["trt"]) == NONE_TRT else f"{o['trt']} s"
        mode = "scheduled run" if o["scheduled"] else "response"
        parts.append(f"{mode} {CODE_IDS[int(o['code'])]} to {PARTIES[int(o['user'])]} for {SRV_IDS[int(o['srv'])]}"
                     f" TRT {trt}" + (" with the watched entry" if o["has_ts"] else "")
                     + (" (from the cache)" if o["ts_cached"] else ""))  # fmt: skip
    if o["alert"]:
        parts.append("alert MHHS-A1 to the outgoing MDRA")
    if o["reg_refused"]:
        parts.append("registration refused")
    return "; ".join(parts) or "no output"
