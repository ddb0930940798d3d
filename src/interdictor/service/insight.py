"""The day's ranked queue as the workspace shows it: ``store/facts.day_queue`` (the one queue
``interdictor queue`` writes too), with how a decision on each row would be picked, each shipment's
latest decision and its top reasons."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import Connection

from interdictor.queue.build import pick_kind_column
from interdictor.reference.corridors import CorridorConfig
from interdictor.store import facts
from interdictor.store.config import Budgets
from interdictor.store.scope import Scope


def queue(conn: Connection, scope: Scope, cfg: CorridorConfig, budgets: Budgets, *, corridor: str, day: date,
          port: str | None = None) -> pl.DataFrame:
    """The day's ranked queue of a corridor (each port with its own budget), with decisions and top reasons."""
    q = facts.day_queue(conn, scope, cfg, budgets, corridor=corridor, day=day, port=port)
    reasons = facts.top_reasons(conn, q)
    return (q.with_columns(pick_kind_column()).drop("run_id")
            .join(facts.decided(conn, q), on=["partner", "shipment_id"], how="left")
            .join(reasons, on=["partner", "shipment_id"], how="left"))


def queue_pick(conn: Connection, scope: Scope, cfg: CorridorConfig, budgets: Budgets, ship: dict[str, Any]) -> str:
    """How a targeter's decision on ``ship`` was picked: the queue's pick kind when the shipment is one of
    its day's exam or exploration picks, else ``manual``."""
    return facts.queue_picks(conn, scope, cfg, budgets, [ship], otherwise="manual")[0]
