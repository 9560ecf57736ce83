"""pytest plugin: the conformance vectors as pytest items.

``pytest --mhhs-adapter SPEC`` collects one item per selected vector (and
nothing else), so ``pytest -n auto`` (pytest-xdist) spreads them over cores;
each worker opens its own adapter (its own subprocess for ``cmd:``).  Filters:
``--mhhs-requirement``, ``--mhhs-tag``, ``--mhhs-vector``, ``--mhhs-profile``,
``--mhhs-shard i/n``, ``--mhhs-vectors PATH``.  A skipped vector is a pytest
skip with its reason (so the session passes, as ``conform`` exits 0, when
nothing failed or errored; ``--mhhs-fail-on-skip`` makes it a failure, as
``conform --fail-on-skip``); a failure shows expected vs actual, the vector's comment
and two rerun lines (``mhhs-sec conform ... --vector ID`` and ``pytest ...
'mhhs-vectors::ID'``); an implementation fault (hang, crash, garbage...) fails
the item with ``ERROR <cause>``.  Each item's node id is ``mhhs-vectors::ID``:
given back as an argument (``pytest --mhhs-adapter SPEC 'mhhs-vectors::ID'``)
it selects that vector, as ``--mhhs-vector ID`` does.

Without ``--mhhs-adapter`` the plugin does nothing at all.
"""

from __future__ import annotations

import functools
import gc
import shlex
from typing import Any, Final

import pytest

_KEY = "_mhhs_sec_conformance"
COLLECTOR: Final = "mhhs-vectors"  # the vector items' parent: node ids are 'mhhs-vectors::ID'


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mhhs-sec", "MHHS SEC conformance vectors")
    group.addoption("--mhhs-adapter", metavar="SPEC", help="run the conformance vectors against this adapter")
    group.addoption("--mhhs-vectors", metavar="PATH", help="vector file or folder (default: committed vectors)")
    group.addoption("--mhhs-requirement", action="append", default=[], metavar="ID", help="only this requirement")
    group.addoption("--mhhs-tag", action="append", default=[], metavar="TAG", help="only vectors with this tag")
    group.addoption("--mhhs-vector", action="append", default=[], metavar="ID", help="only this vector")
    group.addoption("--mhhs-profile", action="append", default=[], metavar="OPTION=VALUE", help="run profile")
    group.addoption("--mhhs-shard", metavar="I/N", help="only shard I of N")
    group.addoption("--mhhs-fail-on-skip", action="store_true",
                    help="a skipped vector fails its item (as conform --fail-on-skip)")  # fmt: skip
    group.addoption("--mhhs-timeout", type=float, default=10.0, metavar="SECONDS", help="per-call timeout")


def pytest_configure(config: pytest.Config) -> None:
    if _active(config):  # vector items carry the project's 'req' marker, also outside the project
        config.addinivalue_line("markers", "req(*ids): catalogue requirement IDs this test checks")
        _take_node_ids(config)


def _take_node_ids(config: pytest.Config) -> None:
    """Node ids given back as arguments ('mhhs-vectors::ID', as pytest prints
    them) select their vectors; they are no paths for pytest to collect."""
    prefix = f"{COLLECTOR}::"
    pasted = [arg for arg in config.args if arg.startswith(prefix)]
    if pasted:
        config.option.mhhs_vector = [*config.option.mhhs_vector, *(arg[len(prefix) :] for arg in pasted)]
        config.args = [arg for arg in config.args if not arg.startswith(prefix)]


def _active(config: pytest.Config) -> bool:
    return bool(config.getoption("--mhhs-adapter", default=None))


def pytest_ignore_collect(collection_path: Any, config: pytest.Config) -> bool | None:
    """With --mhhs-adapter, collect the vectors only (not the project's tests)."""
    return True if _active(config) else None


class _Session:
    """Per-process state: the selection, the adapter and its capabilities."""

    def __init__(self, config: pytest.Config) -> None:
        from mhhs_sec.conformance.runner import Selection, parse_profile_filter, parse_shard, rerun_prefix

        option = config.getoption
        self.spec: str = option("--mhhs-adapter")
        self.timeout: float = option("--mhhs-timeout")
        self.fail_on_skip: bool = option("--mhhs-fail-on-skip")
        self.profile = parse_profile_filter(option("--mhhs-profile"))
        shard = option("--mhhs-shard")
        self.selection = Selection(
            tuple(option("--mhhs-requirement")), tuple(option("--mhhs-tag")), tuple(option("--mhhs-vector")),
            self.profile, parse_shard(shard) if shard else None,
        )  # fmt: skip
        self.vectors_path: str | None = option("--mhhs-vectors")
        self.rerun = rerun_prefix(self.spec, self.vectors_path, self.profile)
        self.pytest_rerun = " ".join(
            ["pytest", "--mhhs-adapter", shlex.quote(self.spec)]
            + (["--mhhs-vectors", shlex.quote(self.vectors_path)] if self.vectors_path else [])
            + [f"--mhhs-profile {shlex.quote(pair)}" for pair in option("--mhhs-profile")]
        )
        self.adapter: Any = None
        self.capabilities: Any = None
        self.handshake_error: str | None = None

    def pytest_rerun_line(self, vector_id: str) -> str:
        """The pytest command that reruns one vector (its node id given back)."""
        return f"{self.pytest_rerun} {shlex.quote(f'{COLLECTOR}::{vector_id}')}"

    def open(self) -> None:
        from mhhs_sec.conformance.adapters import open_adapter
        from mhhs_sec.conformance.protocol import AdapterFault

        if self.adapter is not None:
            return
        self.adapter = open_adapter(self.spec, timeout_s=self.timeout)
        try:
            self.capabilities = self.adapter.hello()
        except AdapterFault as fault:
            self.adapter.restart()
            self.handshake_error = f"handshake failed: {fault}"

    def close(self) -> None:
        if self.adapter is not None:
            self.adapter.close()


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    if not _active(config):
        return
    from mhhs_sec.vectors.loader import vector_entries

    state = _Session(config)
    config.stash[_STASH] = state
    # from the index: selecting decodes nothing (each pytest-xdist worker collects every item); a
    # vector is decoded when its item runs. Vectors a user passes are decoded with the strict
    # codec, as ``conform --vectors`` does.
    chosen = state.selection.select(vector_entries(state.vectors_path, strict=state.vectors_path is not None))
    collector = VectorCollector.from_parent(session, name=COLLECTOR, nodeid=COLLECTOR)
    items[:] = [VectorItem.from_parent(collector, name=entry.id, entry=entry) for entry in chosen]
    gc.freeze()  # what is loaded now lives through the run: no full collection walks it again (unconfigure undoes)


def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> bool | None:
    """A vector item is one call with nothing to set up or tear down: it makes
    one report, not three (under pytest-xdist each report is a message from a
    worker to the controller, which costs more than running a vector)."""
    if not isinstance(item, VectorItem):
        return None
    framed = not hasattr(item.config, "workerinput")  # an xdist worker: the controller shows the progress
    if framed:
        item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    call = pytest.CallInfo.from_call(item.runtest, when="call", reraise=(pytest.exit.Exception, KeyboardInterrupt))
    item.ihook.pytest_runtest_logreport(report=item.ihook.pytest_runtest_makereport(item=item, call=call))
    if framed:
        item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
    return True


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """The run's verdict in the words ``conform`` uses (the same exit code)."""
    if not _active(config):
        return
    from mhhs_sec.conformance.runner import Run, parse_profile_filter

    stats = terminalreporter.stats
    problems = len(stats.get("failed", [])) + len(stats.get("error", []))
    skipped, passed = len(stats.get("skipped", [])), len(stats.get("passed", []))
    if problems:
        verdict = f"DOES NOT CONFORM: {problems} failed or errored"
    else:
        profile = Run("", "", [], 0, "", parse_profile_filter(config.getoption("--mhhs-profile"))).profile_text()
        verdict = f"CONFORMS under {profile}: {passed} passed"
        verdict += f"; {skipped} skipped, not checked (each with its reason)" if skipped else ""
    terminalreporter.write_line(f"mhhs-sec: {verdict}")


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(_STASH, None)
    if state is not None:
        gc.unfreeze()
        state.close()


_STASH = pytest.StashKey[_Session]()


class VectorCollector(pytest.Collector):
    """The parent of the vector items (nothing to collect itself)."""

    def collect(self) -> list[Any]:
        return []


class VectorFailure(Exception):
    """A vector's fail or error verdict; its text is the failure report."""


@functools.cache
def _req_marker(requirements: tuple[str, ...]) -> pytest.MarkDecorator:
    """The 'req' marker of the vectors citing ``requirements`` (made once:
    every xdist worker collects every vector item)."""
    return pytest.mark.req(*requirements)


class VectorItem(pytest.Item):
    """One conformance vector run through the session's adapter."""

    def __init__(self, *, entry: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.entry = entry  # the vector's id, requirements and tags; decoded when it runs
        self.add_marker(_req_marker(entry.requirements))

    def runtest(self) -> None:
        from mhhs_sec.conformance.runner import Run, run_vector, skip_reason
        from mhhs_sec.vectors import compare
        from mhhs_sec.vectors.loader import decoded

        vector = decoded(self.entry)
        state: _Session = self.config.stash[_STASH]
        state.open()
        if state.handshake_error:
            raise VectorFailure(f"ERROR {state.handshake_error}")
        reason = skip_reason(vector, state.capabilities, state.profile)
        if reason and state.fail_on_skip:
            raise VectorFailure(f"SKIP {reason} (a failure under --mhhs-fail-on-skip)")
        if reason:
            pytest.skip(reason)
        verdict = run_vector(state.adapter, vector, compare, state.capabilities)
        if verdict.status == "pass":
            return
        from mhhs_sec.conformance.reports import failure_text

        run = Run(state.spec, state.capabilities.implementation, [verdict], 1, state.rerun)
        pytest_line = f"rerun with pytest: {state.pytest_rerun_line(verdict.vector_id)}"
        if verdict.status == "error":
            raise VectorFailure(f"ERROR {verdict.reason}\nrerun: {run.rerun(verdict.vector_id)}\n{pytest_line}")
        raise VectorFailure(f"{failure_text(verdict, run)}\n{pytest_line}")

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:
        if isinstance(excinfo.value, VectorFailure):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo, style))

    def reportinfo(self) -> tuple[str, int | None, str]:
        return COLLECTOR, None, f"vector {self.entry.id}"
