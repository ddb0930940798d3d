"""``load_goods(conn, settings)``: the goods part, built before screening.

With a connection: the licence registry from ``goods_registrants`` / ``goods_transactions`` and HS
profiles learned from the most recent current lines in ``items`` + ``shipments``.  Without one (or
when a table is missing): the shipped knowledge base and the built-in priors — a working cold start.
"""

from __future__ import annotations

import logging
from typing import Any

import polars as pl
from sqlalchemy import Connection, select

from interdictor.screen.goods.context import GoodsContext, build_goods_context
from interdictor.screen.goods.licence import REGISTRANT_SCHEMA, TRANSACTION_SCHEMA, Registry
from interdictor.screen.goods.profiles import LINE_SCHEMA, Profiles, learn, load_priors
from interdictor.screen.goods.structure import find_opsin

log = logging.getLogger(__name__)
PROFILE_LINES = 500_000  # most recent current lines a profile is learned from
PROFILE_MIN_N = 30


def _frame(conn: Connection, stmt: Any, schema: pl.Schema) -> pl.DataFrame:
    res = conn.execute(stmt)
    rows = [tuple(r) for r in res.fetchall()]
    if not rows:
        return pl.DataFrame(schema=schema)
    return pl.DataFrame(rows, schema=list(res.keys()), orient="row", infer_schema_length=None).cast(
        {k: v for k, v in schema.items()}, strict=False
    ).select(list(schema))


def load_registry(conn: Connection) -> Registry:
    from interdictor.store.schema_goods import goods_registrants as gr
    from interdictor.store.schema_goods import goods_transactions as gt

    reg = _frame(conn, select(*[gr.c[c] for c in REGISTRANT_SCHEMA]), REGISTRANT_SCHEMA)
    tx = _frame(conn, select(*[gt.c[c] for c in TRANSACTION_SCHEMA]), TRANSACTION_SCHEMA)
    return Registry(reg, tx)


def load_profiles(conn: Connection, limit: int = PROFILE_LINES, min_n: int = PROFILE_MIN_N) -> Profiles:
    from interdictor.store.schema import items, shipments

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
        return load_priors()
    raw = pl.DataFrame(rows, schema=list(res.keys()), orient="row", infer_schema_length=None)
    n = pl.len().over("partner", "shipment_id", "version")
    # weight per piece is the line's only when the shipment has one line (as in detection)
    lines = raw.with_columns(
        pl.when((n == 1) & (pl.col("pieces").cast(pl.Float64) > 0))
        .then(pl.col("gross_weight_kg").cast(pl.Float64) / pl.col("pieces").cast(pl.Float64))
        .alias("kg_per_piece")
    ).cast({k: v for k, v in LINE_SCHEMA.items()}, strict=False).select(list(LINE_SCHEMA))
    return learn(lines, load_priors(), min_n=min_n)


def load_goods(conn: Connection | None, settings: Any) -> GoodsContext:
    notes: list[str] = []
    registry = Registry()
    profiles = load_priors()
    if conn is not None:
        try:
            registry = load_registry(conn)
        except Exception as exc:
            notes.append(f"licence registry not loaded ({type(exc).__name__}); every controlled good will be unnotified")
            log.warning(notes[-1])
        try:
            profiles = load_profiles(conn)
        except Exception as exc:
            notes.append(f"HS profiles not learned from the store ({type(exc).__name__}); built-in priors used")
            log.warning(notes[-1])
    names = find_opsin(getattr(settings, "opsin_jar", None))
    if names is None:
        notes.append("OPSIN unavailable: systematic names are not resolved to structures")
    return build_goods_context(
        profiles=profiles, registry=registry, names=names,
        sample_max_kg=float(getattr(settings, "goods_sample_max_kg", 2.0)), notes=tuple(notes),
    )
