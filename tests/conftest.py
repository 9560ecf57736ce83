"""Shared pytest fixtures (kept small): where the shared, never-copied inputs are.

Tests that need ``../shared`` ask for one of these fixtures; it skips the test
with a clear reason when the folder is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mhhs_sec import settings


@pytest.fixture(scope="session")
def duis_matrix_file() -> Path:
    """The DUIS request matrix JSON (``../shared/duis``), or skip."""
    path = settings.duis_matrix_path()
    if path is None:
        pytest.skip("DUIS request matrix not found: set MHHS_SEC_DUIS_DIR or provide ../shared/duis")
    return path


@pytest.fixture(scope="session")
def catalogue_file() -> Path:
    """The requirement catalogue (``../shared/spec/requirements.md``), or skip."""
    path = settings.catalogue_path()
    if path is None:
        pytest.skip("requirement catalogue not found: set MHHS_SEC_CATALOGUE or provide ../shared/spec")
    return path
