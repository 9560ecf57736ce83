"""AUD-1: the audit trail is a persistent list: every version keeps exactly the
records it had, newest first, however long the trail grows."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mhhs_sec.model import AuditRecord
from mhhs_sec.model.state import AuditRow, AuditTrail

_RECORDS = st.builds(
    AuditRecord,
    st.integers(0, 2**31),
    st.sampled_from(("U1", "U2")),
    st.sampled_from(("request", "response", "alert")),
    st.text(min_size=1, max_size=4),
    st.sampled_from(("I0", "I99", "E4")),
)


def _rows(records: Iterable[AuditRecord]) -> tuple[AuditRow, ...]:
    return tuple((r.at, r.user_id, r.kind, r.reference, r.code) for r in records)


@pytest.mark.req("AUD-1")
@given(st.lists(st.lists(_RECORDS, max_size=6), max_size=120), st.integers(0, 600))
def test_every_version_keeps_its_records_newest_first(batches: list[list[AuditRecord]], padding: int) -> None:
    # A long prefix (up to 600 records) so that the trail spans several of its internal chunks.
    versions = [AuditTrail().appended(_rows(AuditRecord(i, "U0", "request", f"P{i}", "I99") for i in range(padding)))]
    expected = [[AuditRecord(i, "U0", "request", f"P{i}", "I99") for i in range(padding)]]
    for batch in batches:
        versions.append(versions[-1].appended(_rows(batch)))
        expected.append(expected[-1] + batch)
    for trail, records in zip(versions, expected, strict=True):
        assert list(trail) == records[::-1]
        assert len(trail) == len(records)
    assert versions[-1] == AuditTrail().appended(_rows(expected[-1]))
    assert (versions[0] == versions[-1]) == (expected[0] == expected[-1])
