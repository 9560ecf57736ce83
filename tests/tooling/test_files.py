"""Files are written whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from mhhs_sec.files import write_atomic


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "vectors.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(target, "new \udcff")  # a lone surrogate cannot be encoded
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["vectors.json"]


def test_a_write_replaces_the_file_and_creates_folders(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "junit.xml"
    write_atomic(target, "a\nb\n")
    assert target.read_bytes() == b"a\nb\n"
    assert target.stat().st_mode & 0o044  # readable by others, not mkstemp's 0600
