"""Same inputs, same counterexample: a BMC trace does not depend on Python's
hash seed (set iteration order), so regenerated vector files are byte-identical."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SCRIPT = """
import dataclasses, json
from mhhs_sec.proofs.mutants import MUTANTS
from mhhs_sec.proofs.obligations import OBLIGATIONS
from mhhs_sec.proofs.solve import Unrolling
mutant = next(m for m in MUTANTS if m.name == "cache-ttl-26h")
ob = next(o for o in OBLIGATIONS if "C-5" in o.requirements)
print(json.dumps(dataclasses.asdict(Unrolling(mutant.inputs()).search(ob).trace), sort_keys=True))
"""


@pytest.mark.req("C-5")
def test_counterexample_does_not_depend_on_the_hash_seed() -> None:
    traces = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        traces.append(done.stdout)
    assert traces[0] == traces[1]
