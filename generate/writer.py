"""Vector files: deterministic text (sorted keys, fixed indentation, no run
timestamps) written atomically (temp file + rename)."""

from __future__ import annotations

import json
from typing import Any

from mhhs_sec.vectors.format import FORMAT_NAME, FORMAT_VERSION, GENERATOR_NAME, GENERATOR_VERSION, model_revision

Json = dict[str, Any]


def document(generator: str, group: str, description: str, vectors: list[Json], seed: int | None = None) -> Json:
    """A vector file: header (format, generator, model revision, provenance) and vectors."""
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "generator": {"name": GENERATOR_NAME, "version": GENERATOR_VERSION},
        "model_revision": model_revision(),
        "provenance": {
            "generator": generator,
            "group": group,
            "description": description,
            "seed": seed,
            "source": "mhhs_sec.model (expected outputs computed by the reference model)",
        },
        "vectors": sorted(vectors, key=lambda v: v["id"]),
    }


def dumps(data: Json) -> str:
    """Canonical JSON text of a vector file: the header indented, then one
    vector per line (compact, sorted keys), so diffs show whole vectors."""
    header = {k: v for k, v in data.items() if k != "vectors"}
    head = json.dumps(header, indent=1, sort_keys=True, ensure_ascii=False)
    lines = [json.dumps(v, sort_keys=True, ensure_ascii=False, separators=(",", ":")) for v in data["vectors"]]
    body = ",\n".join(lines)
    # "vectors" sorts last among the header keys, so appending keeps key order.
    return f'{head[:-2]},\n "vectors": [\n{body}\n ]\n}}\n' if lines else f'{head[:-2]},\n "vectors": []\n}}\n'
