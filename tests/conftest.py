"""Shared fixtures: settings on a temporary data dir, a store on each backend, a transaction on a fresh
embedded store (``conn``).

``store_url`` runs a test body on SQLite and on PostgreSQL (127.0.0.1:5432, or
``INTERDICTOR_TEST_PG``); the PostgreSQL tier skips, saying why, when no server
answers.  Each PostgreSQL test gets a database of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection

from interdictor.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
PG_ADMIN = os.environ.get("INTERDICTOR_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def shared_data(*parts: str) -> Path:
    """A file of the reference data beside the project, or skip the test saying so."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data {'/'.join(parts)} is absent (looked beside the project in ../shared/data)")
    return path


def _pg_reason() -> str | None:
    try:
        import psycopg

        url = PG_ADMIN.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url, connect_timeout=3):
            return None
    except Exception as exc:
        return f"PostgreSQL not reachable at {PG_ADMIN}: {exc}".splitlines()[0]


_PG_SKIP = _pg_reason()


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture()
def pg_url() -> Iterator[str]:
    if _PG_SKIP:
        pytest.skip(_PG_SKIP)
    import psycopg

    name = f"interdictor_test_{uuid.uuid4().hex[:12]}"
    admin = PG_ADMIN.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture()
def conn(tmp_path: Path) -> Iterator[Connection]:
    """One transaction on a fresh embedded (SQLite) store, created and migrated."""
    from interdictor.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    try:
        with store.begin() as c:
            yield c
    finally:
        store.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The Spark tests first.  PySpark forks its JVM from this process (it starts the gateway with a
    ``preexec_fn``, so a fork, not a vfork); after two thousand tests the process maps so much that the
    kernel refuses to copy it (``OSError: [Errno 12] Cannot allocate memory``).  Started first, the JVM
    comes from a small process, and the session-scoped Spark session serves the Spark tests from then on."""
    items.sort(key=lambda item: 0 if item.get_closest_marker("spark") is not None else 1)  # stable: else as collected
