"""The coverage report of the committed vectors (``mhhs-sec generate
--report`` and the section of ``docs/spec-trace.md``): per requirement ID the
number of vectors, per decision its MC/DC coverage, per equivalence class its
witness count, the cell grid, and every gap with its reason.  Computed only
from the committed vector files, so it is deterministic."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from mhhs_sec.vectors.format import JSON_DIR

Json = dict[str, Any]


def _documents(folder: Path = JSON_DIR) -> list[Json]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


def _catalogue() -> dict[str, str]:
    """Requirement ID -> kind, from the project's registry (if present)."""
    try:
        from mhhs_sec.requirements import REQUIREMENTS
    except ImportError:  # pragma: no cover - registry owned elsewhere
        return {}
    return {r.id: r.kind for r in REQUIREMENTS.values()}


def _not_modelled() -> dict[str, str]:
    try:
        from mhhs_sec.requirements import REQUIREMENTS
    except ImportError:  # pragma: no cover
        return {}
    return {r.id: r.not_modelled for r in REQUIREMENTS.values() if r.not_modelled}


def requirement_counts(documents: list[Json]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for document in documents:
        for vector in document["vectors"]:
            counts.update(vector["requirements"])
    return counts


def mcdc_table(documents: list[Json]) -> dict[str, dict[str, str]]:
    """decision -> condition -> 'unique-cause' | 'masking' | 'gap: reason' |
    'missing: ...', checked against the vectors actually committed."""
    declared: Json = {}
    by_id: dict[str, Json] = {}
    for document in documents:
        declared.update(document.get("coverage", {}).get("decisions", {}))
        for vector in document["vectors"]:
            by_id[vector["id"]] = vector
    table: dict[str, dict[str, str]] = {}
    for name, decision in sorted(declared.items()):
        rows = {}
        for condition, fact in sorted(decision["conditions"].items()):
            if fact["mcdc"] == "gap":
                rows[condition] = f"gap: {fact['reason']}"
                continue
            rows[condition] = _pair_status(by_id, name, condition, fact)
        table[name] = rows
    return table


def _pair_status(by_id: dict[str, Json], decision: str, condition: str, fact: Json) -> str:
    pair = [v for v in by_id.values() if v.get("coverage", {}).get("decision") == decision
            and v["coverage"].get("flips") == condition]  # fmt: skip
    if len(pair) != 2:
        return f"missing: {len(pair)} of the 2 vectors of the pair are committed"
    a, b = (p["coverage"] for p in pair)
    if a["conditions"][condition] == b["conditions"][condition] or a["outcome"] == b["outcome"]:
        return "missing: the committed pair does not flip the outcome"
    moved = fact.get("moved") or []
    kind: str = fact["mcdc"]
    return kind + (f" (also moved: {', '.join(moved)})" if moved else "")


def class_table(documents: list[Json]) -> dict[str, tuple[int, str | None]]:
    """class -> (witness vectors committed, reason when empty)."""
    declared: Json = {}
    counts: Counter[str] = Counter()
    for document in documents:
        declared.update(document.get("coverage", {}).get("classes", {}))
        for vector in document["vectors"]:
            if "class" in vector.get("coverage", {}):
                counts[vector["coverage"]["class"]] += 1
    return {key: (counts[key], declared[key].get("reason")) for key in sorted(declared)}


def cell_table(documents: list[Json]) -> Json:
    facts: Json = {}
    generated = 0
    for document in documents:
        facts.update(document.get("coverage", {}).get("cells", {}))
        generated += sum(1 for v in document["vectors"] if v.get("coverage", {}).get("decision") == "cell")
    reasons = Counter((facts.get("not_expressible") or {}).values())
    return {"total": facts.get("total", 0), "generated": generated, "not_expressible": dict(reasons)}


# Rule rows a vector cannot observe, and why (the project's reading).
UNOBSERVABLE: dict[str, str] = {
    "REG-10": "the Remote Party Role is a property of the MDR's SMKI organisation certificate; a vector exchanges "
    "service requests and responses, not certificates",
}


def rule_gaps(documents: list[Json]) -> dict[str, str]:
    """Catalogue 'rule' rows with no vector, with the reason."""
    counts = requirement_counts(documents)
    reasons = {**_not_modelled(), **UNOBSERVABLE}
    return {
        rid: reasons.get(rid) or "no vector: the behaviour is not observable through the service interface"
        for rid, kind in sorted(_catalogue().items(), key=lambda kv: _sort_key(kv[0]))
        if kind == "rule" and counts[rid] == 0
    }


def _sort_key(rid: str) -> tuple[str, int]:
    prefix, _, number = rid.rpartition("-")
    return prefix, int(number) if number.isdigit() else 0


def report(folder: Path = JSON_DIR) -> Json:
    documents = _documents(folder)
    files = {d["provenance"]["group"]: len(d["vectors"]) for d in documents}
    return {
        "vectors": sum(files.values()),
        "files": files,
        "requirements": dict(sorted(requirement_counts(documents).items(), key=lambda kv: _sort_key(kv[0]))),
        "mcdc": mcdc_table(documents),
        "classes": class_table(documents),
        "cells": cell_table(documents),
        "rule_gaps": rule_gaps(documents),
    }


def trace_section(folder: Path = JSON_DIR) -> str:
    """The markdown section of ``docs/spec-trace.md`` (deterministic)."""
    data = report(folder)
    lines = ["## Vector coverage", "",
             f"{data['vectors']} committed vectors in {len(data['files'])} files "
             f"({', '.join(f'{k}: {v}' for k, v in data['files'].items())}); generated by `mhhs-sec generate`.", "",
             "### Vectors per requirement", "", "| requirement | vectors |", "|---|---|"]  # fmt: skip
    lines += [f"| {rid} | {n} |" for rid, n in data["requirements"].items()]
    lines += ["", "### MC/DC per decision", "", "| decision | condition | coverage |", "|---|---|---|"]
    for decision, rows in data["mcdc"].items():
        lines += [f"| {decision} | {condition} | {status} |" for condition, status in rows.items()]
    covered = sum(1 for rows in data["mcdc"].values() for s in rows.values() if not s.startswith(("gap", "missing")))
    total = sum(len(rows) for rows in data["mcdc"].values())
    lines += ["", f"MC/DC: {covered} of {total} conditions covered by a committed pair."]
    lines += _class_lines(data["classes"])
    cells = data["cells"]
    lines += ["", "### Cell grid (role x SRV x generation x mode x ForSettlement)", "",
              f"{cells['generated']} of {cells['total']} cells have a vector."]  # fmt: skip
    lines += [f"- {n} cells not generated: {reason}" for reason, n in sorted(cells["not_expressible"].items())]
    lines += ["", "### Gaps", ""]
    gap_lines = [f"- {rid}: {reason}" for rid, reason in data["rule_gaps"].items()]
    gap_lines += [f"- decision {d}, condition {c}: {s}" for d, rows in data["mcdc"].items() for c, s in rows.items()
                  if s.startswith(("gap", "missing"))]  # fmt: skip
    lines += gap_lines or ["- none: every rule row has a vector and every decision full MC/DC coverage"]
    return "\n".join(lines) + "\n"


def _class_lines(classes: dict[str, tuple[int, str | None]]) -> list[str]:
    empty = {k: r for k, (n, r) in classes.items() if n == 0}
    lines = ["", "### Equivalence classes", "",
             f"{len(classes)} classes, {len(classes) - len(empty)} with a witness, {len(empty)} empty.", "",
             "| class | witnesses | reason if empty |", "|---|---|---|"]  # fmt: skip
    lines += [f"| {key} | {n} | {reason or ''} |" for key, (n, reason) in classes.items()]
    return lines


def text_report(folder: Path = JSON_DIR) -> str:
    """A short plain-text summary for ``mhhs-sec generate --report``."""
    data = report(folder)
    by_reason: dict[str, int] = defaultdict(int)
    for _, reason in data["classes"].values():
        if reason:
            by_reason[reason] += 1
    covered = sum(1 for rows in data["mcdc"].values() for s in rows.values() if not s.startswith(("gap", "missing")))
    total = sum(len(rows) for rows in data["mcdc"].values())
    lines = [f"vectors: {data['vectors']} ({', '.join(f'{k} {v}' for k, v in data['files'].items())})",
             f"requirements with vectors: {len(data['requirements'])}",
             f"MC/DC: {covered}/{total} conditions covered",
             f"classes: {len(data['classes'])} ({sum(1 for n, _ in data['classes'].values() if n)} with a witness)",
             f"cells: {data['cells']['generated']}/{data['cells']['total']}"]  # fmt: skip
    lines += [f"  empty classes: {n} x {reason}" for reason, n in sorted(by_reason.items())]
    lines += [f"rule gap: {rid}: {reason}" for rid, reason in data["rule_gaps"].items()]
    return "\n".join(lines) + "\n"
