"""The independent double's test registers its marker here (no shared config change)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: runs the whole conformance suite (about half a minute)")
