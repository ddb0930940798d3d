"""What clusters within a day read from the store: the recent days' stored shipments (the day's earlier
files) and, for the identifiers they use, how many names used them before.

Reads only, aggregates where they can be: the history is counted in the database, and only
identifiers used by two names or more come back.  ``screen.parties.clusters`` keys and scores them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, and_, literal, select, text

from interdictor.store import schema as t

_S = pl.String
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


def _frame(conn: Connection, sql: str, schema: dict[str, Any], since: datetime) -> pl.DataFrame:
    # typed, so the time compares as the store writes it on every backend
    rows = conn.execute(text(sql), {"since": _when(conn, since)}).fetchall()
    return pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")


def recent_shipments(conn: Connection, since: datetime) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(shipments, items, parties) of current shipment versions received since ``since``, with ``partner``;
    a shipment's ``filed_at`` is its receipt when it was filed without one."""
    S, It, P = t.shipments, t.items, t.parties
    recent = and_(S.c.is_current.is_(True), S.c.received_at >= literal(_when(conn, since)))

    def joined(other: Any) -> Any:
        return S.join(other, and_(other.c.partner == S.c.partner, other.c.shipment_id == S.c.shipment_id,
                                  other.c.version == S.c.version))

    ships = _rows(conn, select(S.c.partner, S.c.shipment_id, S.c.filed_at, S.c.received_at, S.c.gross_weight_kg,
                               S.c.declared_value).where(recent),
                  {"partner": _S, "shipment_id": _S, "filed_at": pl.Datetime("us", "UTC"),
                   "received_at": pl.Datetime("us", "UTC"), "gross_weight_kg": pl.Float64,
                   "declared_value": pl.Float64})
    ships = ships.with_columns(pl.coalesce("filed_at", "received_at").alias("filed_at")).drop("received_at")
    items = _rows(conn, select(It.c.partner, It.c.shipment_id, It.c.item, It.c.description, It.c.hs_code, It.c.weight_kg,
                               It.c.value).select_from(joined(It)).where(recent),
                  {"partner": _S, "shipment_id": _S, "item": pl.Int32, "description": _S, "hs_code": _S,
                   "weight_kg": pl.Float64, "value": pl.Float64})
    cols = ("partner", "shipment_id", "party", "name", "address", "city", "state", "postal_code", "country", "phone",
            "email")
    parties = _rows(conn, select(*(P.c[c] for c in cols)).select_from(joined(P)).where(
        recent, P.c.party.in_(["shipper", "consignee"])), dict.fromkeys(cols, _S))
    return ships, items, parties


def _when(conn: Connection, at: datetime) -> Any:
    """``at`` as the backend compares it with a stored time: SQLite keeps ISO text with a ``T``, so a
    minute-exact comparison needs the same text (a bound datetime has a space, and sorts before it)."""
    if conn.dialect.name == "sqlite":
        return at.astimezone(UTC).replace(tzinfo=None).isoformat()
    return at


def _rows(conn: Connection, stmt: Any, schema: dict[str, Any]) -> pl.DataFrame:
    rows = [tuple(v.replace(tzinfo=UTC) if isinstance(v, datetime) and v.tzinfo is None else v for v in r)
            for r in conn.execute(stmt)]
    return pl.DataFrame(rows, schema=schema, orient="row")


def identifier_history(conn: Connection, since: datetime) -> pl.DataFrame:
    """``kind, raw, postal_code, country, names``: distinct shipper names per raw return address, phone,
    e-mail and consignee address in shipments received before ``since`` (identifiers of two names or more)."""
    frames = [
        _frame(conn, sql, {k: v for k, v in HISTORY_SCHEMA.items() if k != "kind"}, since=since)
        .with_columns(pl.lit(kind).alias("kind"))
        for kind, sql in _HISTORY_SQL.items()
    ]
    return pl.concat([f.select(list(HISTORY_SCHEMA)) for f in frames])
