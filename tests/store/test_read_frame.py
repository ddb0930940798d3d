"""``Store.read_frame`` reads through ADBC as Arrow with its values bound (never written into the SQL):
a value with quotes and backslashes finds its row, a column that starts with nulls keeps its type, and
nothing falls back to the row-by-row path."""

from __future__ import annotations

import logging

import polars as pl
import pytest
from sqlalchemy import select

from interdictor.store import open_store
from interdictor.store import schema_network as n

TRICKY = ["O'BRIEN \\ SONS", "x' OR '1'='1", "李 明", "plain"]


def test_values_are_bound_and_types_kept(store_url: str, caplog: pytest.LogCaptureFixture) -> None:
    store = open_store(store_url)
    try:
        U = n.network_uses
        rows = pl.DataFrame({"variant": [f"v{i}" for i in range(3000)] + TRICKY,
                             "kind": ["phone"] * (3000 + len(TRICKY)),
                             "value": [str(i) for i in range(3000)] + TRICKY,
                             "name_key": ["k"] * (3000 + len(TRICKY)),
                             "shown": [None] * 3000 + TRICKY})  # the first 3,000 shown are null
        store.insert_frames([("network_uses", rows)])
        schema = {"variant": pl.String, "value": pl.String, "shown": pl.String}
        with caplog.at_level(logging.WARNING, logger="interdictor.store.db"):
            hit = store.read_frame(select(U.c.variant, U.c.value, U.c.shown).where(U.c.value.in_(TRICKY)), schema)
            whole = store.read_frame(select(U.c.variant, U.c.value, U.c.shown).order_by(U.c.variant), schema)
        assert not [r for r in caplog.records if "falls back" in r.getMessage()]
        assert sorted(hit["value"].to_list()) == sorted(TRICKY) and hit["shown"].to_list() == hit["value"].to_list()
        assert whole.height == 3000 + len(TRICKY) and whole["shown"].null_count() == 3000
        assert whole.schema == pl.Schema(schema)
    finally:
        store.close()
