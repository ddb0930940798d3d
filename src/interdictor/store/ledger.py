"""The stream's message ledger: which messages were handled, so a redelivery is a no-op."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from interdictor.store.db import Store
from interdictor.store.schema_stream import stream_messages


def seen(store: Store, keys: Sequence[str]) -> set[str]:
    if not keys:
        return set()
    with store.connect() as conn:
        q = select(stream_messages.c.msg_key).where(stream_messages.c.msg_key.in_(list(keys)))
        return {r[0] for r in conn.execute(q)}


def record(store: Store, rows: list[dict[str, Any]]) -> None:
    """Ledger rows; a key already there (another worker got there first) is left as it is."""
    if not rows:
        return
    ins = (pg_insert if store.dialect == "postgresql" else sqlite_insert if store.dialect == "sqlite" else insert)
    stmt = ins(stream_messages).values(rows)
    if hasattr(stmt, "on_conflict_do_nothing"):
        stmt = stmt.on_conflict_do_nothing(index_elements=["msg_key"])
    with store.begin() as conn:
        conn.execute(stmt)
