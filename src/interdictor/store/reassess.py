"""What a re-assessment reads and writes: the live versions of some shipments, their canonical records,
the intake reasons their last assessment carried, and the new assessments (``screening/reassess.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, select

from interdictor.model import ITEM_SCHEMA, PARTY_SCHEMA, REASON_SCHEMA, SHIPMENT_SCHEMA, Batch
from interdictor.score.rules import RuleSet
from interdictor.store import schema as t
from interdictor.store import schema_service as sv
from interdictor.store.db import Store
from interdictor.store.runs import RunSummary
from interdictor.store.shipments import filed_since

IN_CHUNK = 500
KEY_SCHEMA = {"partner": pl.String, "shipment_id": pl.String, "version": pl.Int32}
# reasons from reading the partner's file, not from the canonical record: carried into a re-assessment
CARRIED = ("DATA_ROW_REJECTED", "DATA_FIELD_REJECTED", "SHIPMENT_AMENDED")


def _in(conn: Connection, stmt: Any, col: Any, values: list[str], schema: dict[str, Any]) -> pl.DataFrame:
    parts = [pl.DataFrame([tuple(r) for r in conn.execute(stmt.where(col.in_(values[i:i + IN_CHUNK])))],
                          schema=schema, orient="row") for i in range(0, len(values), IN_CHUNK)]
    return pl.concat(parts) if parts else pl.DataFrame(schema=schema)


def live_versions(conn: Connection, keys: pl.DataFrame, since: datetime) -> pl.DataFrame:
    """``partner, shipment_id, version``: the current versions of ``keys`` (partner, shipment_id) filed since
    ``since`` (received since then when the filing time is unknown) on which no decision is recorded."""
    S, D = t.shipments, sv.decisions
    decided = select(D.c.id).where(D.c.partner == S.c.partner, D.c.shipment_id == S.c.shipment_id).exists()
    parts = [pl.DataFrame(schema=KEY_SCHEMA)]
    for (partner,), ids in keys.group_by("partner"):
        stmt = select(S.c.partner, S.c.shipment_id, S.c.version).where(
            S.c.partner == partner, S.c.is_current.is_(True), ~decided, filed_since(since))
        parts.append(_in(conn, stmt, S.c.shipment_id, ids["shipment_id"].unique().sort().to_list(), KEY_SCHEMA))
    return pl.concat(parts)


def stored_batch(conn: Connection, partner: str, versions: pl.DataFrame) -> Batch:
    """The canonical records of these (shipment_id, version) of one partner, as a reader gave them."""
    S, IT, P = t.shipments, t.items, t.parties
    ids = versions["shipment_id"].to_list()
    keep = versions.select("shipment_id", "version")

    def read(table: Any, schema: pl.Schema, order: list[str]) -> pl.DataFrame:
        cols = [c for c in schema if c != "line" or "line" in table.c]
        got = _in(conn, select(table.c.version, *[table.c[c] for c in cols]).where(table.c.partner == partner),
                  table.c.shipment_id, ids, {"version": pl.Int32, **{c: schema[c] for c in cols}})
        return got.join(keep, on=["shipment_id", "version"], how="semi").drop("version").sort(order)

    return Batch.build(read(S, SHIPMENT_SCHEMA, ["shipment_id"]), read(IT, ITEM_SCHEMA, ["shipment_id", "item"]),
                       read(P, PARTY_SCHEMA, ["shipment_id", "party"]))


def carried_reasons(conn: Connection, partner: str, versions: pl.DataFrame) -> pl.DataFrame:
    """The intake reasons (``CARRIED``) of the latest assessment of each of these (shipment_id, version)."""
    A, R = t.assessments, t.reasons
    ids = versions["shipment_id"].to_list()
    latest = _in(conn, select(A.c.shipment_id, A.c.version, A.c.run_id, A.c.created_at).where(A.c.partner == partner),
                 A.c.shipment_id, ids, {"shipment_id": pl.String, "version": pl.Int32, "run_id": pl.String,
                                        "created_at": pl.Datetime("us", "UTC")})
    latest = (latest.join(versions.select("shipment_id", "version"), on=["shipment_id", "version"], how="semi")
              .sort("created_at").unique(["shipment_id"], keep="last"))
    schema = {"shipment_id": pl.String, "version": pl.Int32, "run_id": pl.String, "code": pl.String,
              "weight": pl.Float64, "evidence": pl.String, "item": pl.Int32, "party": pl.String}
    found = _in(conn, select(R.c.shipment_id, R.c.version, R.c.run_id, R.c.code, R.c.weight, R.c.evidence, R.c.item,
                             R.c.party).where(R.c.partner == partner, R.c.code.in_(CARRIED)),
                R.c.shipment_id, ids, schema)
    return found.join(latest.select("shipment_id", "version", "run_id"), on=["shipment_id", "version", "run_id"],
                      how="semi").select(list(REASON_SCHEMA))


def write_assessments(store: Store, s: RunSummary, versions: pl.DataFrame, assessed: pl.DataFrame,
                      reasons: pl.DataFrame, ruleset: RuleSet, now: datetime) -> None:
    """New assessments (and their reasons) of stored versions, in run ``s``: the records are not written again."""
    key: list[pl.Expr | str] = [pl.lit(s.partner).alias("partner"), "shipment_id", "version"]
    ids = versions.select("shipment_id", "version")
    assess = assessed.join(ids, on="shipment_id").select(
        *key, pl.lit(s.run_id).alias("run_id"), "score", "disposition", "corridor",
        pl.lit(ruleset.name).alias("ruleset"), pl.lit(ruleset.version, pl.Int32).alias("ruleset_version"),
        pl.lit(now).dt.replace_time_zone("UTC").alias("created_at"))
    rsn = reasons.join(ids, on="shipment_id").select(
        *key, pl.lit(s.run_id).alias("run_id"), "code", "weight", "evidence", "item", "party")
    store.insert_frames([("assessments", assess.sort("shipment_id")), ("reasons", rsn.sort("shipment_id"))])
