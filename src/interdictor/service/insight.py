"""The day's ranked queue: the store's assessed shipments (``store/facts.py``) ranked per port by the
pure ``queue.build``, with each shipment's latest decision and top reasons."""

from __future__ import annotations

from datetime import date

import polars as pl
from sqlalchemy import Connection

from interdictor.queue.build import build_queue, empty_queue
from interdictor.reference.corridors import CorridorConfig
from interdictor.store import facts
from interdictor.store.config import Budgets
from interdictor.store.scope import Scope
from interdictor.store.shipments import day_bounds

PICK_ORDER = {"exam": 0, "explore": 1, "review": 2}


def queue(conn: Connection, scope: Scope, cfg: CorridorConfig, budgets: Budgets, *, corridor: str, day: date,
          port: str | None = None) -> pl.DataFrame:
    """The day's ranked queue of a corridor (each port with its own budget), with decisions and top reasons."""
    cfg.get(corridor)  # KeyError names the known corridors
    if scope.corridors is not None and corridor not in scope.corridors:
        return empty_queue()
    since, until = day_bounds(day)
    cand = facts.assessed(conn, scope, since, until, corridor, port)
    th = cfg.get(corridor).thresholds
    parts = []
    for (p,), g in cand.group_by(["port"], maintain_order=True):
        parts.append(build_queue(g, budget=budgets(corridor, p), thresholds=th, day=day, corridor=corridor, port=p))
    q = pl.concat(parts) if parts else empty_queue()
    q = (q.with_columns(pl.col("pick").replace_strict(PICK_ORDER, return_dtype=pl.Int8).alias("_o"))
         .sort(["_o", "score", "partner", "shipment_id"], descending=[False, True, False, False]).drop("_o")
         .with_columns(pl.int_range(1, pl.len() + 1).cast(pl.Int64).alias("rank")))
    return q.join(facts.decided(conn, q), on=["partner", "shipment_id"], how="left").join(
        facts.top_reasons(conn, cand, q), on=["partner", "shipment_id"], how="left")
