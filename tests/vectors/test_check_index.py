"""generate --check --full compares the vector index by content: its ``inputs``
line records the environment the files were written in, not what they hold."""

from __future__ import annotations

from mhhs_sec.generate.check import _content
from mhhs_sec.vectors.index import INDEX_FILE

INDEX = "# note\nschema\tsha256:aa\ninputs\tsha256:{inputs}\nfile\tx.json\tsha256:{file}\n"


def test_an_index_written_with_other_library_versions_is_current() -> None:
    here, there = INDEX.format(inputs="11", file="ff"), INDEX.format(inputs="22", file="ff")
    assert _content(INDEX_FILE, here) == _content(INDEX_FILE, there)


def test_an_index_whose_file_hashes_differ_is_not() -> None:
    here, there = INDEX.format(inputs="11", file="ff"), INDEX.format(inputs="11", file="ee")
    assert _content(INDEX_FILE, here) != _content(INDEX_FILE, there)


def test_other_files_are_compared_whole() -> None:
    text = "inputs\tsha256:11\n"
    assert _content(INDEX_FILE.with_name("walks.json"), text) == text
