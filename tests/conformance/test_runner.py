"""Item 4: selection, skips with reasons, shards, reports, exit codes, the
pytest plugin; item 6: the self-check document."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from conform_kit import subset_folder
from mhhs_sec.conformance import conform_summary
from mhhs_sec.conformance.adapters import open_adapter
from mhhs_sec.conformance.faults import FAULTS_BY_NAME
from mhhs_sec.conformance.protocol import Capabilities
from mhhs_sec.conformance.reports import Progress, by_requirement, html, junit, verdict_text
from mhhs_sec.conformance.runner import Run, Selection, parse_shard, rerun_prefix, run_all, skip_reason
from mhhs_sec.conformance.selfcheck import healthy, selfcheck
from mhhs_sec.model import PROFILE_OPTIONS

from mhhs_sec.cli import main


def _run(spec: str, vectors: list[Any], profile: dict[str, Any] | None = None) -> Run:
    adapter = open_adapter(spec)
    try:
        name, verdicts = run_all(adapter, vectors, profile=profile)
    finally:
        adapter.close()
    return Run(spec, name, verdicts, len(vectors), rerun_prefix(spec, None, profile or {}))


def _failing(all_vectors: list[Any]) -> tuple[str, list[Any]]:
    """A fault and a handful of vectors, some of which it fails."""
    candidates = [v for v in all_vectors if "REG-4" in v.requirements][:150]
    verdicts = _run("fault:efd-compared-inclusive", candidates).verdicts
    failed = [v.vector_id for v in verdicts if v.status == "fail"]
    if not failed:
        pytest.skip("no committed vector exercises the EFD boundary yet")
    chosen = {*failed[:2], *(v.id for v in all_vectors[:3])}
    return "fault:efd-compared-inclusive", [v for v in all_vectors if v.id in chosen]


def test_missing_observable_and_other_profile_are_skipped_with_reason(all_vectors: list[Any]) -> None:
    vector = all_vectors[0]
    blind = Capabilities("blind", ())
    assert skip_reason(vector, blind, {}).startswith("missing capability: observable(s)")
    full = open_adapter("reference").hello()
    assert skip_reason(vector, full, {}) is None
    dependent = next((v for v in all_vectors if v.profile.requires), None)
    if dependent is None:
        pytest.skip("no committed vector depends on a profile option")
    option, value = sorted(dependent.profile.requires.items())[0]
    other = next(v for v in PROFILE_OPTIONS[option][1] if v != value)
    assert skip_reason(dependent, full, {option: other}).startswith("other profile")
    defaults_only = Capabilities("defaults", full.observables)
    if value != PROFILE_OPTIONS[option][1][0]:
        assert skip_reason(dependent, defaults_only, {}).startswith("other profile")


def test_skipped_vectors_are_reported_not_dropped(all_vectors: list[Any]) -> None:
    dependent = [v for v in all_vectors if v.profile.requires][:5]
    if not dependent:
        pytest.skip("no committed vector depends on a profile option")
    option, value = sorted(dependent[0].profile.requires.items())[0]
    other = next(v for v in PROFILE_OPTIONS[option][1] if v != value)
    run = _run("reference", dependent, {option: other})
    assert len(run.verdicts) == len(dependent)
    assert run.verdicts[0].status == "skip" and option in run.verdicts[0].reason
    assert run.ok  # nothing failed or errored: a skip is reported, not held against the implementation
    assert "skipped, not checked" in verdict_text(run) and verdict_text(run).startswith("CONFORMS under")
    strict = Run(run.adapter, run.implementation, run.verdicts, run.total_available, run.rerun_prefix,
                 {option: other}, fail_on_skip=True)  # fmt: skip
    assert not strict.ok and verdict_text(strict).startswith("DOES NOT CONFORM")


def test_shards_partition_the_selection(all_vectors: list[Any]) -> None:
    whole = [v.id for v in Selection().select(all_vectors)]
    parts = [[v.id for v in Selection(shard=(i, 3)).select(all_vectors)] for i in (1, 2, 3)]
    assert sorted(sum(parts, [])) == sorted(whole)
    assert all(parts)
    # stable: a shard does not depend on which other vectors exist
    assert [v.id for v in Selection(shard=(2, 3)).select(all_vectors[::2])] == [i for i in parts[1] if i in whole[::2]]
    for bad in ("0/3", "4/3", "x", "1/0"):
        with pytest.raises(ValueError):
            parse_shard(bad)


def test_filters_by_requirement_tag_and_id(all_vectors: list[Any]) -> None:
    vector = all_vectors[len(all_vectors) // 2]
    assert [v.id for v in Selection(vector_ids=(vector.id,)).select(all_vectors)] == [vector.id]
    by_req = Selection(requirements=(vector.requirements[0],)).select(all_vectors)
    assert vector in by_req and all(vector.requirements[0] in v.requirements for v in by_req)
    if vector.tags:
        assert all(vector.tags[0] in v.tags for v in Selection(tags=(vector.tags[0],)).select(all_vectors))


def test_reports_group_by_requirement_show_failures_and_are_deterministic(all_vectors: list[Any]) -> None:
    spec, vectors = _failing(all_vectors)
    first, second = _run(spec, vectors), _run(spec, vectors)
    assert junit(first) == junit(second) and html(first) == html(second)
    failed = [v for v in first.verdicts if v.status == "fail"]
    root = ET.fromstring(junit(first))
    cases = [c.get("name") for c in root.iter("testcase")]
    assert sorted(cases) == sorted(v.vector_id for v in first.verdicts)  # each vector once: exact CI counts
    suites = {s.find("properties/property[@name='requirement']").get("value"): s for s in root.iter("testsuite")}
    assert set(suites) == set(by_requirement(first.verdicts))
    for requirement, suite in suites.items():  # each vector sits under its primary requirement
        for case in suite.iter("testcase"):
            assert case.find("properties/property[@name='primary_requirement']").get("value") == requirement
    failure = next(root.iter("failure"))
    assert "expected" in failure.text and "got" in failure.text and "rerun: mhhs-sec conform" in failure.text
    page = html(first)
    for verdict in failed:
        assert f"<code>{verdict.vector_id}</code>" in page
    assert f"--vector {failed[0].vector_id}" in page and '<td class="got">' in page


def test_conform_cli_exit_codes_and_report_files(all_vectors: list[Any], tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    spec, vectors = _failing(all_vectors)
    folder = str(subset_folder(vectors, tmp_path / "vectors"))
    ids = [a for v in vectors for a in ("--vector", v.id)]
    junit_file, html_file = tmp_path / "r.xml", tmp_path / "r.html"
    assert main(["conform", "--quiet", "--vectors", folder]) == 0
    assert main(["conform", "--quiet", "--vectors", folder, "--adapter", spec, *ids, "--junit", str(junit_file),
                 "--html", str(html_file)]) == 1  # fmt: skip
    assert junit_file.is_file() and html_file.read_text().startswith("<!DOCTYPE html>")
    out = capsys.readouterr().out
    assert "FAIL" in out and f"rerun: mhhs-sec conform --adapter {spec} --vector" in out
    assert main(["conform", "--adapter", "nonsense", "--vectors", folder]) == 2
    capsys.readouterr()
    for cannot_start in ("cmd:/nonexistent/mhhs-implementation", "http://127.0.0.1:9"):  # nothing listens on 9
        assert main(["conform", "--adapter", cannot_start, "--vectors", folder]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "cannot start" in err, err
    assert main(["conform", "--vector", "no-such-vector", "--vectors", folder]) == 2
    assert "(mhhs-sec list vectors lists every id)" in capsys.readouterr().err
    assert main(["conform", "--vector", vectors[0].id + "x", "--vectors", folder]) == 2  # mistyped: named
    assert f"; did you mean {vectors[0].id}" in capsys.readouterr().err
    assert main(["conform", "--requirement", "NOPE-1", "--vectors", folder]) == 2
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "bad.json").write_text("{}", encoding="utf-8")
    assert main(["conform", "--vectors", str(tmp_path / "broken")]) == 2


def test_progress_is_plain_lines_off_a_terminal(few_vectors: list[Any]) -> None:
    stream = io.StringIO()
    progress = Progress(len(few_vectors), stream)
    _ = run_all(open_adapter("reference"), few_vectors, on_verdict=progress)
    lines = stream.getvalue().splitlines()
    assert lines and lines[-1].startswith(f"conform: {len(few_vectors)}/{len(few_vectors)} pass")
    assert "vectors/s" in lines[-1] and " s, " in lines[-1]  # elapsed time and rate
    assert "\r" not in stream.getvalue()


def test_conform_summary_for_check(few_vectors: list[Any], tmp_path: Path) -> None:
    summary = conform_summary("reference", vectors=str(subset_folder(few_vectors, tmp_path)))
    assert set(summary) == {"passed", "failed", "errors", "skipped"}
    assert summary == {"passed": len(few_vectors), "failed": 0, "errors": 0, "skipped": 0}
    faulty = conform_summary("fault:efd-compared-inclusive", vectors=str(subset_folder(few_vectors, tmp_path)))
    assert sum(faulty.values()) == len(few_vectors)


def test_selfcheck_document_shape_and_verdict(all_vectors: list[Any]) -> None:
    faults = [FAULTS_BY_NAME["efd-compared-inclusive"], FAULTS_BY_NAME["cache-kept-26h"]]
    vectors = all_vectors[:: max(1, len(all_vectors) // 40)]
    document = selfcheck(vectors, faults, jobs=2)
    assert document["reference"] == {"passed": len(vectors), "failed": 0, "errors": 0}
    assert [entry["name"] for entry in document["faulty"]] == [f.name for f in faults]
    assert all(set(entry) == {"name", "requirements", "caught_by"} for entry in document["faulty"])
    uncaught = {"reference": document["reference"], "faulty": [{"name": "x", "requirements": [], "caught_by": []}]}
    assert not healthy(uncaught)
    assert healthy({"reference": document["reference"], "faulty": [{"name": "x", "requirements": [],
                                                                     "caught_by": ["v"]}]})  # fmt: skip


def test_pytest_plugin_runs_vectors_as_items(all_vectors: list[Any], tmp_path: Path) -> None:
    spec, vectors = _failing(all_vectors)
    folder = str(subset_folder(vectors, tmp_path / "vectors"))
    ids = ["--mhhs-vectors", folder]
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path)]
    expected = _run(spec, vectors).counts()
    bad = subprocess.run([*command, "--mhhs-adapter", spec, *ids], capture_output=True, text=True, timeout=120,
                         cwd=tmp_path)  # fmt: skip
    assert bad.returncode == 1 and "rerun: mhhs-sec conform" in bad.stdout and "expected because: " in bad.stdout
    assert f"{expected['fail']} failed, {expected['pass']} passed" in bad.stdout, bad.stdout[-500:]
    inert = subprocess.run([*command, "--co"], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert "mhhs-vectors" not in inert.stdout  # without --mhhs-adapter the plugin collects nothing


def test_selfcheck_cli_json_shape(all_vectors: list[Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = str(subset_folder(all_vectors[:10], tmp_path / "vectors"))
    code = main(["selfcheck", "--json", "--fault", "efd-compared-inclusive", "--vectors", folder])
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"reference", "faulty"}
    assert set(document["reference"]) == {"passed", "failed", "errors"}
    assert code == (0 if healthy(document) else 1)
    assert main(["selfcheck", "--fault", "no-such-fault", "--vectors", folder]) == 2


def _with_skips(all_vectors: list[Any]) -> tuple[list[Any], str]:
    """Vectors some of which need a profile value the run does not use, and
    that ``--profile`` (the catalogue alternative the run declares)."""
    dependent = [v for v in all_vectors if v.profile.requires][:2]
    if not dependent:
        pytest.skip("no committed vector depends on a profile option")
    option, value = sorted(dependent[0].profile.requires.items())[0]
    other = next(v for v in PROFILE_OPTIONS[option][1] if v != value)
    plain = [v for v in all_vectors if not v.profile.requires][:2]
    return [*dependent, *plain], f"{option}={_word(other)}"


def _word(value: Any) -> str:
    return ("on" if value else "off") if isinstance(value, bool) else str(value)


def test_cli_and_pytest_plugin_agree_on_a_run_with_skips(all_vectors: list[Any], tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    vectors, profile = _with_skips(all_vectors)
    folder = str(subset_folder(vectors, tmp_path / "vectors"))
    cli = ["conform", "--quiet", "--vectors", folder, "--profile", profile]
    plugin = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
              "--mhhs-adapter", "reference", "--mhhs-vectors", folder, "--mhhs-profile", profile]  # fmt: skip
    for extra_cli, extra_plugin, verdict in (([], [], 0), (["--fail-on-skip"], ["--mhhs-fail-on-skip"], 1)):
        code = main([*cli, *extra_cli])
        out = capsys.readouterr().out
        assert "SKIP" in out and (("CONFORMS under" in out) == (verdict == 0)), out
        ran = subprocess.run([*plugin, *extra_plugin], capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert (code, ran.returncode) == (verdict, verdict), ran.stdout[-500:]
        assert ("mhhs-sec: CONFORMS under" in ran.stdout) == (verdict == 0), ran.stdout[-500:]


def test_json_summary_and_stopping_at_the_first_failure(all_vectors: list[Any], tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    spec, vectors = _failing(all_vectors)
    folder = str(subset_folder(vectors, tmp_path / "vectors"))
    expected = _run(spec, vectors)
    command = ["conform", "--quiet", "--json", "--vectors", folder, "--adapter", spec]
    assert main(command) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["conforms"] is False and document["counts"] == expected.summary()
    assert [p["vector"] for p in document["problems"]] == [v.vector_id for v in expected.verdicts
                                                           if v.status in ("fail", "error")]  # fmt: skip
    assert all(p["rerun"].startswith(f"mhhs-sec conform --adapter {spec}") for p in document["problems"])
    first = next(i for i, v in enumerate(expected.verdicts) if v.status in ("fail", "error"))
    assert main([*command, "-x"]) == 1
    stopped = json.loads(capsys.readouterr().out)
    assert len(stopped["problems"]) == 1 and stopped["not_run"] == len(vectors) - first - 1
    assert main(["conform", "--quiet", "--vectors", folder, "--adapter", spec, "--max-failures", "1"]) == 1
    assert "--max-failures reached" in capsys.readouterr().out
