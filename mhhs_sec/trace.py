"""The spec trace: ``docs/spec-trace.md``, generated from tags, never by hand.

For each requirement of the registry it lists where the model implements it
(file, function and line, from docstrings and comments that cite the ID), the
tests that carry it in ``@pytest.mark.req(...)`` (file, function and line; those
naming fewest requirements first: the tests that check this rule before those
that check it among others), the proof obligations that name it
(:data:`mhhs_sec.proofs.OBLIGATIONS`) and how many committed vectors cite it,
with the command that lists them (from the vector index: nothing decoded).
Parts that are not installed yet are left out of the table rather than guessed.
"""

from __future__ import annotations

import ast
import importlib
import io
import re
import tokenize
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from .requirements import REQUIREMENTS
from .settings import PROJECT_ROOT

ID_RE: Final = re.compile(r"\b((?:REG|AC|FS|TRT|SCH|C|AUD|S1|CON|VOL)-\d+)\b")
CATALOGUE_ROW_RE: Final = re.compile(r"^\| ([A-Z][A-Z0-9]*-[0-9]+) \|", re.MULTILINE)
TRACE_PATH: Final = Path("docs/spec-trace.md")
MODEL_DIR: Final = Path("model")
TEST_DIR: Final = Path("tests")


@dataclass(frozen=True, order=True)
class Link:
    """A place in the sources: file, function (qualified; empty for the
    module) and the line it starts on."""

    path: str
    name: str
    line: int

    def markdown(self) -> str:
        where = f"{self.path}::{self.name}" if self.name else self.path
        return f"[`{where}` line {self.line}](../{self.path}#L{self.line})"


@dataclass(frozen=True, order=True)
class TestLink:
    """A test that carries a requirement, and how many requirements its
    marker names (the fewer, the more precisely it checks each)."""

    __test__ = False  # not a pytest class

    named: int
    link: Link


@dataclass
class Trace:
    """Everything the trace table shows, per requirement ID."""

    code: dict[str, set[Link]] = field(default_factory=lambda: defaultdict(set))
    tests: dict[str, set[TestLink]] = field(default_factory=lambda: defaultdict(set))
    invariants: dict[str, set[str]] | None = None
    vectors: dict[str, int] | None = None
    extra_sections: list[str] = field(default_factory=list)


def ids_in(text: str) -> set[str]:
    return set(ID_RE.findall(text))


# ---- code -------------------------------------------------------------------


def scan_code(root: Path, folder: Path) -> dict[str, set[Link]]:
    """ID -> {Link('model/file.py', function, line)} from docstrings and comments."""
    found: dict[str, set[Link]] = defaultdict(set)
    for path in sorted((root / folder).rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        source = path.read_text(encoding="utf-8")
        if not ID_RE.search(source):  # cites no requirement: nothing to parse
            continue
        for name, line, text in _tagged_blocks(source):
            for requirement in ids_in(text):
                found[requirement].add(Link(relative, name, line))
    return found


def _tagged_blocks(source: str) -> Iterable[tuple[str, int, str]]:
    """(qualified name, line, text) for each function/class docstring and the
    comments inside it; module-level comments go to the statement that follows
    them (the module itself, line 1, when none names a thing)."""
    tree = ast.parse(source)
    comments = _comments_by_line(source)
    spans: list[tuple[int, int, str]] = []
    for node, qualified in _definitions(tree):
        end = node.end_lineno or node.lineno
        spans.append((node.lineno, end, qualified))
        yield qualified, node.lineno, ast.get_docstring(node) or ""
    module_doc = ast.get_docstring(tree) or ""
    yield "", 1, module_doc
    for line, text in comments.items():
        owner = _innermost(spans, line) or _next_statement(tree, line)
        yield owner[0], owner[1], text


def _definitions(tree: ast.Module) -> Iterable[tuple[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, str]]:
    def walk(node: ast.AST, prefix: str) -> Iterable[tuple[Any, str]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                yield child, name
                yield from walk(child, f"{name}.")

    return walk(tree, "")


def _comments_by_line(source: str) -> dict[int, str]:
    found: dict[int, str] = {}
    if not any("#" in line and ID_RE.search(line) for line in source.splitlines()):
        return found  # no comment can cite a requirement: no need to tokenize
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            found[token.start[0]] = token.string
    return found


def _innermost(spans: list[tuple[int, int, str]], line: int) -> tuple[str, int] | None:
    inside = [s for s in spans if s[0] <= line <= s[1]]
    return (max(inside, key=lambda s: s[0])[2], max(s[0] for s in inside)) if inside else None


def _next_statement(tree: ast.Module, line: int) -> tuple[str, int]:
    for node in tree.body:
        if node.lineno >= line or (node.end_lineno or node.lineno) >= line:
            name = _statement_name(node)
            return (name, node.lineno) if name else ("", 1)
    return "", 1


def _statement_name(node: ast.stmt) -> str:
    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id
    if isinstance(node, ast.FunctionDef | ast.ClassDef):
        return node.name
    return ""


# ---- tests ------------------------------------------------------------------


def scan_tests(root: Path, folder: Path) -> dict[str, set[TestLink]]:
    """ID -> {TestLink(how many IDs the test names, Link('tests/file.py', test,
    line))} from ``pytest.mark.req(...)`` markers (on functions, classes, or a
    module's ``pytestmark``)."""
    found: dict[str, set[TestLink]] = defaultdict(set)
    for path in sorted((root / folder).rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        source = path.read_text(encoding="utf-8")
        if ".req(" not in source:  # no requirement marker at all: nothing to parse
            continue
        tree = ast.parse(source)
        module_ids = _module_marks(tree)
        for node, name in _definitions(tree):
            marked = set(_marker_ids(node.decorator_list)) | module_ids
            if not marked:
                continue
            if isinstance(node, ast.ClassDef) or name.split(".")[-1].startswith("test"):
                for requirement in marked:
                    found[requirement].add(TestLink(len(marked), Link(relative, name, node.lineno)))
    return found


def _marker_ids(decorators: Iterable[ast.expr]) -> Iterable[str]:
    for decorator in decorators:
        if isinstance(decorator, ast.Call) and _is_req(decorator.func):
            for arg in decorator.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    yield arg.value


def _is_req(func: ast.expr) -> bool:
    return isinstance(func, ast.Attribute) and func.attr == "req"


def _module_marks(tree: ast.Module) -> set[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets):
            values = node.value.elts if isinstance(node.value, ast.List | ast.Tuple) else [node.value]
            return set(_marker_ids(values))
    return set()


# ---- invariants, vectors, extra sections --------------------------------------


def _optional(module: str) -> Any | None:
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def scan_invariants() -> dict[str, set[str]] | None:
    proofs = _optional("mhhs_sec.proofs")
    if proofs is None or not hasattr(proofs, "OBLIGATIONS"):
        return None
    found: dict[str, set[str]] = defaultdict(set)
    for obligation in proofs.OBLIGATIONS:
        for requirement in obligation.requirements:
            found[requirement].add(obligation.name)
    return found


def count_vectors() -> dict[str, int] | None:
    loader = _optional("mhhs_sec.vectors.loader")
    if loader is None or not hasattr(loader, "vector_entries"):
        return None
    counts: dict[str, int] = defaultdict(int)
    for vector in loader.vector_entries():  # the index's entries: nothing decoded
        for requirement in vector.requirements:
            counts[requirement] += 1
    return counts


def coverage_section() -> list[str]:
    coverage = _optional("mhhs_sec.generate.coverage")
    if coverage is None or not hasattr(coverage, "trace_section"):
        return []
    return [coverage.trace_section().rstrip() + "\n"]


def collect(root: Path = PROJECT_ROOT) -> Trace:
    return Trace(
        code=scan_code(root, MODEL_DIR),
        tests=scan_tests(root, TEST_DIR),
        invariants=scan_invariants(),
        vectors=count_vectors(),
        extra_sections=coverage_section(),
    )


# ---- rendering ----------------------------------------------------------------


def render(trace: Trace) -> str:
    """The markdown of docs/spec-trace.md (deterministic)."""
    header = ["ID", "kind", "meaning (project's words)", "implemented in", "tests"]
    if trace.invariants is not None:
        header.append("invariants")
    if trace.vectors is not None:
        header.append("vectors")
    lines = [
        "# Spec trace",
        "",
        "Generated by `mhhs-sec trace` from the requirement registry (`mhhs_sec/requirements.py`), the",
        "requirement IDs cited in `model/` docstrings and comments, the `@pytest.mark.req` markers in `tests/`,",
        "the proof obligations and the committed vectors. Do not edit by hand; `mhhs-sec trace --check` fails",
        "when this file is stale, and when a `rule` or `interp` row has no test that asserts it.",
        "",
        "A test carries a requirement only when it asserts that requirement's behaviour. Each link names the",
        "file, the function and its line. Tests are listed with those naming the fewest requirements first:",
        "the tests that check the rule itself come before those that check it among others. The vectors",
        "column gives how many committed vectors cite the requirement and the command that lists them.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for requirement in REQUIREMENTS.values():
        lines.append("| " + " | ".join(_row(trace, requirement.id)) + " |")
    lines += ["", *_gaps(trace), *trace.extra_sections]
    return "\n".join(lines).rstrip() + "\n"


def _row(trace: Trace, requirement_id: str) -> list[str]:
    requirement = REQUIREMENTS[requirement_id]
    meaning = requirement.meaning + (f" *Not modelled: {requirement.not_modelled}*" if requirement.not_modelled else "")
    cells = [
        requirement_id,
        requirement.kind,
        meaning.replace("|", "\\|"),
        _list([link.markdown() for link in sorted(trace.code.get(requirement_id, set()))]),
        _list([test.link.markdown() for test in sorted(trace.tests.get(requirement_id, set()))], limit=6),
    ]
    if trace.invariants is not None:
        cells.append(_list([f"`{name}`" for name in sorted(trace.invariants.get(requirement_id, set()))]))
    if trace.vectors is not None:
        count = trace.vectors.get(requirement_id, 0)
        cells.append(f"{count}: `mhhs-sec list vectors --req {requirement_id}`" if count else "0")
    return cells


def _list(items: list[str], limit: int = 8) -> str:
    """The first ``limit`` of ``items`` (in their order) and how many more."""
    shown = items[:limit]
    if len(items) > limit:
        shown.append(f"(+{len(items) - limit} more)")
    return "<br>".join(shown) or "—"


def untested(trace: Trace) -> list[str]:
    """The ``rule`` and ``interp`` rows (what the model implements and a
    vector can observe) that no test asserts: ``trace --check`` fails on them."""
    return [
        f"{r.id} ({r.kind}): no test asserts it; mark the test that checks it with @pytest.mark.req({r.id!r})"
        for r in REQUIREMENTS.values()
        if r.kind in ("rule", "interp") and not trace.tests.get(r.id)
    ]


def gaps(trace: Trace) -> list[str]:
    """Modelled rows (rule, interp) with no implementation or no test."""
    found = []
    for requirement in REQUIREMENTS.values():
        if requirement.kind not in ("rule", "interp"):
            continue
        missing = [
            what for what, table in (("code", trace.code), ("tests", trace.tests)) if not table.get(requirement.id)
        ]
        if missing:
            found.append(f"{requirement.id}: no {' and no '.join(missing)}")
    return found


def _gaps(trace: Trace) -> list[str]:
    found = gaps(trace)
    if not found:
        return ["Every `rule` and `interp` row has code and tests.", ""]
    return ["## Gaps", "", *(f"- {gap}" for gap in found), ""]


# ---- catalogue ----------------------------------------------------------------


def catalogue_ids(path: Path) -> list[str]:
    """The IDs of the catalogue's table rows, in order."""
    return CATALOGUE_ROW_RE.findall(path.read_text(encoding="utf-8"))


def missing_from_registry(path: Path) -> list[str]:
    return [i for i in catalogue_ids(path) if i not in REQUIREMENTS]
