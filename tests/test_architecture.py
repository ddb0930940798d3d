"""Imports run one way: down the layers of docs/architecture.md, and never in a cycle.

Every module of ``src/interdictor`` is parsed (imports at module level and inside functions alike);
each import of ``interdictor.X...`` is an edge from the importing module's top-level package to ``X``.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "interdictor"

# The layers, top to bottom: a package may import any package on a lower level.  On one level,
# imports are allowed (the cycle check still holds) except where the level is in ISOLATED.
# A new top-level module or package must be placed here before it can import anything.
LEVELS: dict[str, int] = {
    # the edges: the command line, output files, the demo, the generated docs
    "cli": 8, "cli_common": 8, "cli_goods": 8, "cli_learn": 8, "cli_lists": 8, "cli_profiles": 8, "cli_service": 8, "cli_stream": 8,
    "cli_loop": 8, "cli_network": 8, "cli_notices": 8, "cli_alerts": 8, "cli_spark": 8, "cli_archive": 8,
    "output": 8, "demo": 8, "devdocs": 8,
    # entry points
    "service": 7, "stream": 7, "spark": 7,
    # the screening assembly: versions from the store, the read-only context, one screening pass
    "screening": 6,
    # the Parquet archive: its layout, its writer, the export of the store (which reads the store)
    "archive": 6,
    # pushing events out: the deliverer of the outbox (webhooks, e-mail), run by the entry points
    "alerts": 6,
    # what serve and worker do by themselves: close notification windows, refresh the learned set
    "background": 6,
    # schema, migrations, repositories, audit: the only SQL
    "store": 5,
    # rule sets, combination, dispositions, budgets, partner-safe codes; model training and evaluation
    # (pure over tables the store or a file hands in); actors and the graph of shipments (the same)
    "score": 4, "queue": 4, "answers": 4, "learn": 4, "network": 4,
    # detectors
    "screen": 3,
    # readers, field validation, the format registry
    "intake": 2,
    # knowledge base and list parsers: pure, no store
    "reference": 1,
    # canonical tables and types, the one settings object, the version; web/ holds only templates
    # and static files, read as package data by service/
    "model": 0, "settings": 0, "typed_config": 0, "__init__": 0, "web": 0,
}
ISOLATED = {LEVELS["service"]}  # entry points: none imports another

# Imports the target layering forbids that the code still has, as (importing file, package it
# imports).  An entry that no longer occurs fails test_known_violations_are_still_real: remove it then.
KNOWN_VIOLATIONS: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Edge:
    source: str  # top-level package of the importing module
    target: str  # top-level package imported
    file: str  # path under src/
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.source} -> {self.target}"

    @property
    def known(self) -> bool:
        return (self.file, self.target) in KNOWN_VIOLATIONS


def top_level(path: Path) -> str:
    """The top-level package (or module) of ``interdictor`` a source file belongs to."""
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 or rel.name != "__init__.py" else "__init__"


def module_name(path: Path) -> list[str]:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def imported_names(tree: ast.AST, path: Path) -> Iterator[tuple[str, int]]:
    """Absolute dotted names of everything a module imports, with the line."""
    here = module_name(path)
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = here if is_package else here[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:  # `from interdictor import cli_goods` imports a submodule
                yield f"{module}.{alias.name}", node.lineno


def target_of(name: str) -> str | None:
    parts = name.split(".")
    if parts[0] != "interdictor":
        return None
    if len(parts) == 1:
        return "__init__"
    head = parts[1]
    if (PACKAGE / head).is_dir() or (PACKAGE / f"{head}.py").exists():
        return head
    return "__init__"  # a name defined in interdictor/__init__.py, e.g. __version__


def edges() -> list[Edge]:
    found: dict[Edge, None] = {}  # one edge per line, however many names it imports
    for path in sorted(PACKAGE.rglob("*.py")):
        source = top_level(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name, line in imported_names(tree, path):
            target = target_of(name)
            if target is not None and target != source:
                found[Edge(source, target, str(path.relative_to(PACKAGE.parents[1])), line)] = None
    return list(found)


def forbidden(edge: Edge) -> str | None:
    """Why the layering forbids this edge, or None when it may stay."""
    s, t = LEVELS.get(edge.source), LEVELS.get(edge.target)
    if s is None or t is None:
        unknown = edge.source if s is None else edge.target
        return f"`{unknown}` has no level: place it in LEVELS (and in docs/architecture.md)"
    if s < t:
        return f"upward: {edge.source} (level {s}) may not import {edge.target} (level {t})"
    if s == t and s in ISOLATED:
        return f"sideways between entry points: {edge.source} may not import {edge.target}"
    return None


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one package (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = itertools.count()

    def visit(v: str) -> None:
        index[v] = low[v] = next(counter)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return groups


def graph_of(found: list[Edge]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for e in found:
        graph.setdefault(e.source, set()).add(e.target)
    return graph


@pytest.fixture(scope="module")
def all_edges() -> list[Edge]:
    found = edges()
    assert found, f"no imports found under {PACKAGE}"
    return found


def test_imports_run_down_the_layers(all_edges: list[Edge]) -> None:
    bad = [f"{e}  ({why})" for e in all_edges
           if (why := forbidden(e)) and not e.known]
    assert not bad, "imports against the layering of docs/architecture.md:\n" + "\n".join(bad)


def test_no_cycles_between_packages(all_edges: list[Edge]) -> None:
    allowed = [e for e in all_edges if not (e.known and forbidden(e))]
    graph = graph_of(allowed)
    found = cycles(graph)
    detail = []
    for group in found:
        members = set(group)
        detail.append(" <-> ".join(group) + "\n" + "\n".join(
            f"    {e}" for e in allowed if e.source in members and e.target in members))
    assert not found, "import cycles between packages:\n" + "\n".join(detail)


def test_known_violations_are_still_real(all_edges: list[Edge]) -> None:
    present = {(e.file, e.target) for e in all_edges if forbidden(e)}
    stale = sorted(KNOWN_VIOLATIONS - present)
    assert not stale, f"KNOWN_VIOLATIONS no longer occur; remove them: {stale}"


def test_every_package_has_a_level() -> None:
    packages = {top_level(p) for p in PACKAGE.rglob("*.py")}
    assert not sorted(packages - LEVELS.keys()), "place these in LEVELS and docs/architecture.md"


@pytest.mark.parametrize(("source", "target", "allowed"), [
    ("cli", "service", True),
    ("service", "store", True),
    ("store", "model", True),
    ("score", "queue", True),  # same level, outside the entry points
    ("service", "stream", False),
    ("stream", "service", False),
    ("store", "screening", False),
    ("reference", "store", False),
    ("model", "settings", True),
    ("intake", "nowhere", False),
])
def test_the_rule_itself(source: str, target: str, allowed: bool) -> None:
    assert (forbidden(Edge(source, target, "f.py", 1)) is None) is allowed


@pytest.mark.parametrize(("graph", "expected"), [
    ({"a": {"b"}, "b": {"c"}}, []),
    ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
])
def test_cycle_finder(graph: dict[str, set[str]], expected: list[list[str]]) -> None:
    assert cycles(graph) == expected


def test_relative_and_function_level_imports_are_seen() -> None:
    code = "from ...store import repo\n\ndef f():\n    from interdictor.service import app\n"
    names = sorted(imported_names(ast.parse(code), PACKAGE / "screen" / "goods" / "x.py"))
    assert names == [("interdictor.service.app", 4), ("interdictor.store.repo", 1)]
    assert [target_of(n) for n, _ in names] == ["service", "store"]
