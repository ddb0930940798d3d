"""SQL has one home: ``store/``.  No other module builds or runs SQL, and the pure packages below the
store (``reference/``, ``screen/``) never import it.

The walk reads every module of the package with ``ast``: importing anything from SQLAlchemy but the
connection types and its errors counts as building SQL, and so does any ``.execute(...)`` call.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "interdictor"

# what a module outside the store may take from SQLAlchemy: types to annotate a connection with, and errors
ALLOWED_FROM_SQLALCHEMY = {"sqlalchemy": {"Connection", "Engine"}, "sqlalchemy.exc": None}  # None: any name
RUNS_SQL = {"execute", "executemany", "exec_driver_sql"}

# modules outside store/ that may hold SQL, each with why (none: a new one needs a reason here)
EXCEPTIONS: dict[str, str] = {}
def sql_in(source: str) -> list[str]:
    """Where ``source`` builds or runs SQL, one line each."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"line {node.lineno}: import {a.name}" for a in node.names if a.name.split(".")[0] == "sqlalchemy"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "sqlalchemy":
            module = node.module or ""
            allowed = ALLOWED_FROM_SQLALCHEMY.get(module, set())
            found += [f"line {node.lineno}: from {module} import {a.name}" for a in node.names
                      if allowed is not None and a.name not in allowed]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in RUNS_SQL:
            found.append(f"line {node.lineno}: .{node.func.attr}(...)")
    return found


def modules() -> list[tuple[str, str]]:
    """``(path under the package, source)`` of every module outside ``store/``."""
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if not rel.startswith("store/"):
            out.append((rel, path.read_text(encoding="utf-8")))
    return out


@pytest.mark.parametrize(("source", "flagged"), [
    ("from sqlalchemy import Connection, Engine\n", False),
    ("from sqlalchemy.exc import SQLAlchemyError\n", False),
    ("df.select('a').update(other)\n", False),  # polars, not SQL
    ("from sqlalchemy import Connection, select\n", True),
    ("from sqlalchemy import text\n", True),
    ("import sqlalchemy\n", True),
    ("from sqlalchemy.dialects.sqlite import insert\n", True),
    ("def f(conn):\n    return conn.execute(stmt)\n", True),
    ("cur.executemany(q, rows)\n", True),
])
def test_the_walk_sees_sql(source: str, flagged: bool) -> None:
    assert bool(sql_in(source)) is flagged


def test_only_the_store_holds_sql() -> None:
    offenders = {rel: found for rel, source in modules() if (found := sql_in(source)) and rel not in EXCEPTIONS}
    assert not offenders, "SQL outside store/ (move it into a store repository): " + "; ".join(
        f"{rel} ({', '.join(found[:3])})" for rel, found in offenders.items())


def test_every_exception_still_holds_sql() -> None:
    # once a listed module's SQL has moved, its exception goes too
    sources = dict(modules())
    stale = [rel for rel in EXCEPTIONS if rel not in sources or not sql_in(sources[rel])]
    assert not stale, f"no SQL left in {', '.join(stale)}: remove them from EXCEPTIONS"
