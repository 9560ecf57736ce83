"""The generated documents (`mhhs-sec docs`): current, and saying what the
model does: the code table's rules are those the model's answers cite."""

from __future__ import annotations

import io
import json
import re

import pytest
from mhhs_sec.conformance.reference import ReferenceImplementation
from mhhs_sec.conformance.stdio import serve_stdio
from mhhs_sec.model.outputs import CODES
from mhhs_sec.model.profile import PROFILE_OPTIONS
from mhhs_sec.vectors.format import JSON_DIR

from mhhs_sec.cli import main
from mhhs_sec.codes import code_rules, codes_markdown, is_reason_class
from mhhs_sec.commands.docs import stale
from mhhs_sec.requirements import REQUIREMENTS
from mhhs_sec.settings import PROJECT_ROOT, duis_dir


def test_generated_documents_are_current(capsys: pytest.CaptureFixture[str]) -> None:
    assert stale() == [], "run `mhhs-sec docs` and commit the files"
    assert main(["docs", "--check"]) == 0


def test_every_code_has_a_row_and_a_rule() -> None:
    text = codes_markdown()
    for code, meaning in CODES.items():
        assert f"| `{code}` |" in text and meaning in text
        assert code_rules()[code], f"{code}: no model check names its rules"


def test_the_rules_of_a_code_cover_every_answer_that_carries_it() -> None:
    """Every rejection and alert of the committed vectors cites only rules the
    table lists for its code (the table is read from the model's checks)."""
    rules = code_rules()
    cited: dict[str, set[str]] = {}
    for path in JSON_DIR.glob("*.json"):
        for vector in json.loads(path.read_text(encoding="utf-8"))["vectors"]:
            for step in vector["steps"]:
                for expected in step["expected"]:
                    output = expected["output"]
                    if output["type"] in ("response", "alert") and output["code"] != "I0":
                        cited.setdefault(output["code"], set()).update(output["requirements"])
    assert cited, "no rejection in the committed vectors"
    assert {code: sorted(ids - set(rules[code])) for code, ids in cited.items()} == {code: [] for code in cited}


def test_duis_codes_are_the_duis_ones() -> None:
    """A code that is not a reason class is one the DUIS notes name."""
    folder = duis_dir()
    if folder is None or not (folder / "README.md").is_file():
        pytest.skip("DUIS schema folder not found (MHHS_SEC_DUIS_DIR / ../shared/duis)")
    named = set(re.findall(r"\b([IE][0-9]+) \(", (folder / "README.md").read_text(encoding="utf-8")))
    assert {code for code in CODES if not is_reason_class(code)} <= named
    assert not {code for code in CODES if is_reason_class(code)} & named


@pytest.mark.parametrize("document", ["docs/timing.md", "docs/codes.md", "docs/rules.md"])
def test_documents_cite_only_catalogue_ids(document: str) -> None:
    text = (PROJECT_ROOT / document).read_text(encoding="utf-8")
    cited = set(re.findall(r"\b[A-Z][A-Z0-9]*-[0-9]+\b(?!-)", text)) - {"EUI-64"}
    assert cited, f"{document} cites no requirement"
    assert sorted(cited - set(REQUIREMENTS)) == []


_MESSAGE = re.compile(r"(runner|implementation) → (?:implementation|runner):\n```json\n(.*?)\n```", re.S)


def test_the_example_exchange_is_what_the_reference_answers() -> None:
    """docs/adapter-protocol.md section 8, replayed against `serve --stdio`'s
    loop: every documented answer is the reference's answer, word for word."""
    text = (PROJECT_ROOT / "docs/adapter-protocol.md").read_text(encoding="utf-8")
    section = text[text.index("## 8. ") : text.index("## 9. ")]
    messages = _MESSAGE.findall(section)
    assert [who for who, _ in messages] == ["runner", "implementation"] * (len(messages) // 2)
    requests = [json.loads(body) for who, body in messages if who == "runner"]
    documented = [json.loads(body) for who, body in messages if who == "implementation"]
    stdin, stdout = io.BytesIO(b"".join(json.dumps(r).encode() + b"\n" for r in requests)), io.BytesIO()
    serve_stdio(ReferenceImplementation(), stdin, stdout)
    assert [json.loads(line) for line in stdout.getvalue().splitlines()] == documented
    hello, reset = documented[0]["result"], requests[1]["params"]["initial_state"]
    assert "entry-values" in hello["observables"] and set(hello["profiles"]) == set(PROFILE_OPTIONS)
    assert reset["device_data"], "the example's reset carries device data"
