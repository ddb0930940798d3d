"""What clusters within a day read from the store: the recent days' stored shipments (the day's earlier
files) and, for the identifiers they use, how many names used them before.

Reads only, aggregates where they can be: the history is counted in the database, and only
identifiers used by two names or more come back.  ``screen.parties.clusters`` keys and scores them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, text

_S = pl.String
_RECENT = """
FROM shipments s
WHERE s.is_current AND s.received_at >= :since
"""
_SHIPMENTS_SQL = f"""
SELECT s.partner, s.shipment_id, COALESCE(s.filed_at, s.received_at) AS filed_at, s.gross_weight_kg,
       s.declared_value {_RECENT}
"""
_PARTIES_SQL = """
SELECT p.partner, p.shipment_id, p.party, p.name, p.address, p.city, p.state, p.postal_code, p.country, p.phone,
       p.email
FROM parties p JOIN shipments s ON s.partner = p.partner AND s.shipment_id = p.shipment_id AND s.version = p.version
WHERE s.is_current AND s.received_at >= :since AND p.party IN ('shipper', 'consignee')
"""
_ITEMS_SQL = """
SELECT i.partner, i.shipment_id, i.item, i.description, i.hs_code, i.weight_kg, i.value
FROM items i JOIN shipments s ON s.partner = i.partner AND s.shipment_id = i.shipment_id AND s.version = i.version
WHERE s.is_current AND s.received_at >= :since
"""
# distinct shipper names per raw identifier before ``since`` (two or more: one name is no cluster's history)
_BEFORE = """
FROM parties p JOIN shipments s ON s.partner = p.partner AND s.shipment_id = p.shipment_id AND s.version = p.version
WHERE s.received_at < :since AND p.party = 'shipper' AND p.name IS NOT NULL
"""
_HISTORY_SQL = {
    "address": f"""SELECT p.address, p.postal_code, p.country, COUNT(DISTINCT p.name) {_BEFORE}
        AND p.address IS NOT NULL GROUP BY p.address, p.postal_code, p.country HAVING COUNT(DISTINCT p.name) >= 2""",
    "phone": f"""SELECT p.phone, NULL, NULL, COUNT(DISTINCT p.name) {_BEFORE}
        AND p.phone IS NOT NULL GROUP BY p.phone HAVING COUNT(DISTINCT p.name) >= 2""",
    "email": f"""SELECT p.email, NULL, NULL, COUNT(DISTINCT p.name) {_BEFORE}
        AND p.email IS NOT NULL GROUP BY p.email HAVING COUNT(DISTINCT p.name) >= 2""",
    "consignee": """SELECT c.address, c.postal_code, c.country, COUNT(DISTINCT p.name)
        FROM parties p JOIN shipments s ON s.partner = p.partner AND s.shipment_id = p.shipment_id
             AND s.version = p.version
        JOIN parties c ON c.partner = p.partner AND c.shipment_id = p.shipment_id AND c.version = p.version
             AND c.party = 'consignee'
        WHERE s.received_at < :since AND p.party = 'shipper' AND p.name IS NOT NULL AND c.address IS NOT NULL
        GROUP BY c.address, c.postal_code, c.country HAVING COUNT(DISTINCT p.name) >= 2""",
}
HISTORY_SCHEMA = {"kind": _S, "raw": _S, "postal_code": _S, "country": _S, "names": pl.Int64}


def _frame(conn: Connection, sql: str, schema: dict[str, Any], **params: Any) -> pl.DataFrame:
    rows = conn.execute(text(sql), params).fetchall()
    return pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")


def recent_shipments(conn: Connection, since: datetime) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(shipments, items, parties) of current shipment versions received since ``since``, with ``partner``;
    a shipment's ``filed_at`` is its receipt when it was filed without one."""
    ships = _frame(conn, _SHIPMENTS_SQL, {"partner": _S, "shipment_id": _S, "filed_at": pl.Datetime("us", "UTC"),
                                          "gross_weight_kg": pl.Float64, "declared_value": pl.Float64}, since=since)
    items = _frame(conn, _ITEMS_SQL, {"partner": _S, "shipment_id": _S, "item": pl.Int32, "description": _S,
                                      "hs_code": _S, "weight_kg": pl.Float64, "value": pl.Float64}, since=since)
    cols = ("partner", "shipment_id", "party", "name", "address", "city", "state", "postal_code", "country", "phone",
            "email")
    parties = _frame(conn, _PARTIES_SQL, dict.fromkeys(cols, _S), since=since)
    return ships, items, parties


def identifier_history(conn: Connection, since: datetime) -> pl.DataFrame:
    """``kind, raw, postal_code, country, names``: distinct shipper names per raw return address, phone,
    e-mail and consignee address in shipments received before ``since`` (identifiers of two names or more)."""
    frames = [
        _frame(conn, sql, {k: v for k, v in HISTORY_SCHEMA.items() if k != "kind"}, since=since)
        .with_columns(pl.lit(kind).alias("kind"))
        for kind, sql in _HISTORY_SQL.items()
    ]
    return pl.concat([f.select(list(HISTORY_SCHEMA)) for f in frames])
