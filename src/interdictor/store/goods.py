"""Stored goods intelligence: the licence registry (DEA registrants and notified transactions); the profiles
learned from stored lines are ``store.learned``.

Reads return polars frames (or a ``Registry`` built from two) that ``screen.goods`` builds its part from.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import Connection, delete, func, insert, select

from interdictor.screen.goods.licence import REGISTRANT_SCHEMA, TRANSACTION_SCHEMA, Registry
from interdictor.store import notices
from interdictor.store.schema_goods import goods_registrants, goods_transactions

_TABLES = {"registrants": (goods_registrants, "registration"), "transactions": (goods_transactions, "transaction_id")}


def _frame(conn: Connection, stmt: Any, schema: pl.Schema) -> pl.DataFrame:
    res = conn.execute(stmt)
    rows = [tuple(r) for r in res.fetchall()]
    if not rows:
        return pl.DataFrame(schema=schema)
    return pl.DataFrame(rows, schema=list(res.keys()), orient="row", infer_schema_length=None).cast(
        {k: v for k, v in schema.items()}, strict=False
    ).select(list(schema))


def registry(conn: Connection) -> Registry:
    """Every registrant and notified transaction on record, and the exporting side's standing pre-notifications."""
    gr, gt = goods_registrants, goods_transactions
    reg = _frame(conn, select(*[gr.c[c] for c in REGISTRANT_SCHEMA]), REGISTRANT_SCHEMA)
    tx = _frame(conn, select(*[gt.c[c] for c in TRANSACTION_SCHEMA]), TRANSACTION_SCHEMA)
    return Registry(reg, tx, notices.standing(conn))


def import_registry(conn: Connection, kind: str, rows: list[dict[str, Any]]) -> int:
    """Store registry rows of ``kind`` (registrants | transactions); a row replaces the one with its key.
    Returns how many rows of that kind are on record."""
    table, key = _TABLES[kind]
    keys = [r[key] for r in rows]
    for i in range(0, len(keys), 500):
        conn.execute(delete(table).where(table.c[key].in_(keys[i:i + 500])))
    if rows:
        conn.execute(insert(table), rows)
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())
