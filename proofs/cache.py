"""The proof cache: what :func:`~.run.prove_all` found, kept under the content
hash of every source the result depends on, so that ``mhhs-sec prove`` (and
``mhhs-sec check``) answer at once when nothing has changed since the last run.

The key covers every file of the model package (the tables, the rules, the
profile options: the model and the tables the encoding reads) and of the
proofs package (the encoding, the obligations, the seeded faults, the solver
settings), the Z3 and Python versions, the cache format and the run's options
(seeded faults or not, BMC depth).  Any change to any of them gives another
key, so a cached answer is never stale; a file that cannot be read back is
ignored and the proofs run again.

Where: ``$MHHS_SEC_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/mhhs-sec`` (by
default ``~/.cache/mhhs-sec``), folder ``proofs/``, one JSON file per key.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Final

import z3

from mhhs_sec.files import write_atomic

from .run import Result
from .solve import Step, Trace

CACHE_ENV: Final = "MHHS_SEC_CACHE_DIR"
FORMAT: Final = 1  # bump when the stored shape changes
KEEP: Final = 16  # entries kept; older ones are removed
PACKAGES: Final = ("mhhs_sec.model", "mhhs_sec.proofs")
# proofs/vectors/ holds what ``prove --vectors`` writes: an output, not a source
OUTPUTS: Final = ("vectors",)


def cache_dir() -> Path:
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured) / "proofs"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mhhs-sec" / "proofs"


def source_roots() -> list[Path]:
    """The folders of the packages the proofs are built from."""
    return [Path(sys.modules[name].__file__ or "").parent for name in PACKAGES]


def sources(roots: Iterable[Path]) -> list[tuple[str, Path]]:
    """Every file under the roots (sorted, by relative name), byte code and
    outputs excepted."""
    found = []
    for root in roots:
        for path in root.rglob("*"):
            parts = path.relative_to(root).parts
            if path.is_file() and "__pycache__" not in parts and parts[0] not in OUTPUTS:
                found.append((f"{root.name}/{path.relative_to(root).as_posix()}", path))
    return sorted(found)


def key(roots: Iterable[Path], mutants: bool, depth: int) -> str:
    """The content hash of the sources, tool versions and run options."""
    digest = hashlib.sha256()
    versions = f"format {FORMAT}; python {sys.version_info[:3]}; z3 {z3.get_full_version()}"
    digest.update(f"{versions}; mutants {mutants}; depth {depth}".encode())
    for name, path in sources(roots):
        data = path.read_bytes()
        digest.update(f"\n{name} {len(data)}\n".encode())
        digest.update(data)
    return digest.hexdigest()


@dataclasses.dataclass(frozen=True)
class Cached:
    results: list[Result]
    hit: bool  # read from the cache (not proved in this run)
    key: str


def cached(prove: Callable[[], list[Result]], mutants: bool, depth: int, use: bool = True) -> Cached:
    """The results under the current key, from the cache when there, else
    ``prove()`` (stored for next time).  ``use=False`` proves again and
    stores."""
    digest = key(source_roots(), mutants, depth)
    path = cache_dir() / f"prove-{digest[:32]}.json"
    if use:
        results = _load(path, digest)
        if results is not None:
            return Cached(results, True, digest)
    results = prove()
    _store(path, digest, results)
    return Cached(results, False, digest)


def _load(path: Path, digest: str) -> list[Result] | None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document["key"] != digest:
            return None
        return [_result(row) for row in document["results"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _store(path: Path, digest: str, results: list[Result]) -> None:
    document = {"key": digest, "results": [dataclasses.asdict(r) for r in results]}
    try:
        write_atomic(path, json.dumps(document, sort_keys=True))
        for old in sorted(path.parent.glob("prove-*.json"), key=lambda p: p.stat().st_mtime)[:-KEEP]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a cache that cannot be written only costs time next run


def _trace(data: dict[str, Any]) -> Trace:
    steps = tuple(Step(**step) for step in data["steps"])
    return Trace(data["rigid"], data["profile"], data["initial"], steps, tuple(data["bst_days"]))


def _result(data: dict[str, Any]) -> Result:
    data = dict(data)
    data["requirements"] = tuple(data["requirements"])
    data["counterexample"] = None if data["counterexample"] is None else _trace(data["counterexample"])
    data["mutant_traces"] = {name: _trace(t) for name, t in data["mutant_traces"].items()}
    return Result(**data)


__all__ = ["CACHE_ENV", "Cached", "cache_dir", "cached", "key", "source_roots", "sources"]
