"""The fuzz harness in CI: a small, derandomized Hypothesis budget per
target.  Every input, made from the committed vectors and the protocol
schemas and mutated, ends in a typed refusal or an acceptance: never an
untyped exception, an ``internal`` answer, a missing, extra or echoing
answer, or a report that does not parse.  No wall-clock limit: the inputs
are bounded by size (strings of at most 1.1 MB, nesting of at most 200,000
brackets), and an input outside the model's input domain (``model/domain.py``)
is refused at once like any other.  The counting script is
``benchmarks/fuzz.py``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mhhs_sec.vectors.format import JSON_DIR
from mhhs_sec.vectors.loader import load_vectors

from mhhs_sec.fuzz.harness import Target, judge, make_target
from mhhs_sec.fuzz.mutate import Corpus, DrawChooser
from mhhs_sec.fuzz.targets import ACCEPTED, REFUSED, Inputs

# A slice of the committed vectors: every event kind, refusals included.
CORPUS_FILES = ("negative.json", "targeted.json")
FUZZ = settings(
    max_examples=100, derandomize=True, deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)  # fmt: skip


@pytest.fixture(scope="module")
def inputs() -> Inputs:
    return Inputs(Corpus([v for name in CORPUS_FILES for v in load_vectors(JSON_DIR / name, strict=False)]))


@pytest.fixture(params=["codec", "step", "stdio", "http", "runner"])
def target(request: pytest.FixtureRequest, inputs: Inputs) -> Iterator[Target]:
    made = make_target(request.param, inputs)
    yield made
    made.close()


def test_every_input_is_refused_or_accepted(target: Target) -> None:
    @FUZZ
    @given(st.data())
    def check(data: st.DataObject) -> None:
        case = target.make(DrawChooser(data))
        assert judge(target, case) in (REFUSED, ACCEPTED)

    check()
