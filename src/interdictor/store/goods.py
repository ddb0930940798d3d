"""Stored goods intelligence: the licence registry (DEA registrants and notified transactions) and the
recent item lines HS profiles are learned from.

Reads return polars frames (or a ``Registry`` built from two) that ``screen.goods`` builds its part from.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import Connection, delete, func, insert, select

from interdictor.screen.goods.licence import REGISTRANT_SCHEMA, TRANSACTION_SCHEMA, Registry
from interdictor.store import notices
from interdictor.store.schema import items, shipments
from interdictor.store.schema_goods import goods_registrants, goods_transactions

PROFILE_LINES = 500_000  # most recent current lines a profile is learned from
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


def profile_lines(conn: Connection, limit: int = PROFILE_LINES) -> pl.DataFrame:
    """The ``limit`` most recent current item lines with an HS code: ``partner, shipment_id, version,
    hs_code, weight_kg, value, quantity`` and their shipment's ``gross_weight_kg, pieces`` (an empty frame
    without columns when there are none)."""
    stmt = (
        select(
            items.c.partner, items.c.shipment_id, items.c.version,
            items.c.hs_code, items.c.weight_kg, items.c.value, items.c.quantity,
            shipments.c.gross_weight_kg, shipments.c.pieces,
        )
        .join(
            shipments,
            (shipments.c.partner == items.c.partner) & (shipments.c.shipment_id == items.c.shipment_id)
            & (shipments.c.version == items.c.version),
        )
        .where(shipments.c.is_current.is_(True), items.c.hs_code.is_not(None))
        .order_by(shipments.c.received_at.desc())
        .limit(limit)
    )
    res = conn.execute(stmt)
    rows = [tuple(r) for r in res.fetchall()]
    if not rows:
        return pl.DataFrame()
    return pl.DataFrame(rows, schema=list(res.keys()), orient="row", infer_schema_length=None)
