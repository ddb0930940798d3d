"""The migrations build exactly the schema the code declares, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from interdictor.store import open_store
from interdictor.store.db import all_metadata


def test_migrated_schema_matches_the_declared_tables(store_url: str) -> None:
    store = open_store(store_url)
    try:
        with store.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, all_metadata())
    finally:
        store.close()
    assert diff == []
