"""The proofs tests keep the proof cache in a folder of their own, never the
user's (``MHHS_SEC_CACHE_DIR``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from mhhs_sec.proofs.cache import CACHE_ENV


@pytest.fixture(autouse=True)
def _own_proof_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "proof-cache"))
