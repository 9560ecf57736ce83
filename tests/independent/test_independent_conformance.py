"""The independent double (``python -m tests.independent``, written from the
documents alone) runs the whole suite through the ``cmd:`` adapter: every
vector passes, compared in full (entry values included: every vector carries
``device_data``).  A vector that fails points at a place where the documents
are not enough: note it in ``GAPS.md`` and fix the documents."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from mhhs_sec.conformance.adapters import open_adapter
from mhhs_sec.conformance.runner import Verdict, run_all
from mhhs_sec.vectors import load_vectors

from tests.independent.users import _duis_dir

# The double takes the existing roles' SRVs from the DUIS request matrix, as a
# vendor would: without the shared DUIS folder it cannot run.
pytestmark = pytest.mark.skipif(
    not (_duis_dir() / "duis-request-matrix.json").is_file(),
    reason="the independent double needs the DUIS request matrix (../shared/duis or MHHS_SEC_DUIS_DIR)",
)

REPO = Path(__file__).resolve().parents[2]


def run_suite() -> list[Verdict]:
    """Every committed vector through ``cmd:``: the verdicts."""
    vectors = load_vectors(strict=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)  # ``-m tests.independent`` resolves from the repository root
        adapter = open_adapter(f"cmd:{sys.executable} -m tests.independent")
        try:
            verdicts: list[Verdict] = run_all(adapter, vectors)[1]
        finally:
            adapter.close()
    return verdicts


@pytest.mark.slow
@pytest.mark.req("REG-1", "AC-1", "AC-3", "FS-2", "TRT-1", "SCH-4", "SCH-5", "C-5", "C-10", "AUD-2")
def test_every_vector_passes_against_the_double_written_from_the_documents() -> None:
    found = run_suite()
    assert found, "no vector ran"
    failing = [f"{v.vector_id}: {v.reason}" for v in found if v.status != "pass"]
    assert not failing, f"{len(failing)} vector(s) fail (see GAPS.md):\n" + "\n".join(failing[:20])
