"""What the queue, the rule dashboard, backtests and metrics are computed from: assessed shipments,
the reasons they fired, decisions and outcomes, as polars frames (scoped where the reader is a person).

The figures themselves are computed by the pure functions in ``interdictor.queue``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import polars as pl
from sqlalchemy import Connection, Select, and_, func, select

from interdictor.queue import performance
from interdictor.store import schema as t
from interdictor.store import schema_service as sv
from interdictor.store.scope import Scope
from interdictor.store.shipments import day_bounds, scoped

S, A, R = t.shipments, t.assessments, t.reasons


def frame(conn: Connection, stmt: Select[Any], schema: Any) -> pl.DataFrame:
    rows = [tuple(r) for r in conn.execute(stmt)]
    return pl.DataFrame(rows, schema=schema, orient="row")


def assessed(conn: Connection, scope: Scope, since: datetime, until: datetime, corridor: str | None = None,
             port: str | None = None) -> pl.DataFrame:
    """Current shipments received in [since, until) with their latest assessment."""
    cond = [S.c.is_current.is_(True), S.c.received_at >= since, S.c.received_at < until]
    if corridor:
        cond.append(A.c.corridor == corridor)
    if port:
        cond.append(func.upper(S.c.destination_port) == port.upper())
    stmt = scoped(select(S.c.partner, S.c.shipment_id, S.c.version, func.upper(S.c.destination_port), S.c.received_at,
                         A.c.score, A.c.disposition, A.c.corridor, A.c.run_id, A.c.created_at)
                  .select_from(S.join(A, and_(A.c.partner == S.c.partner, A.c.shipment_id == S.c.shipment_id,
                                              A.c.version == S.c.version))).where(*cond), scope)
    df = frame(conn, stmt, {"partner": pl.String, "shipment_id": pl.String, "version": pl.Int64, "port": pl.String,
                            "received_at": pl.Datetime("us"), "score": pl.Float64, "disposition": pl.String,
                            "corridor": pl.String, "run_id": pl.String, "created_at": pl.Datetime("us")})
    return (df.sort("created_at").unique(["partner", "shipment_id"], keep="last", maintain_order=True)
            .with_columns(pl.col("received_at").dt.date().alias("day")))


def decided(conn: Connection, q: pl.DataFrame) -> pl.DataFrame:
    """The latest decision on each shipment of ``q`` (``partner, shipment_id, decision``)."""
    schema: Any = {"partner": pl.String, "shipment_id": pl.String, "decision": pl.String, "decided_at": pl.Datetime("us")}
    ids = q.get_column("shipment_id").unique().to_list()
    if not ids:
        return pl.DataFrame(schema=schema).drop("decided_at")
    d = sv.decisions
    rows = []
    for i in range(0, len(ids), 900):
        rows.append(frame(conn, select(d.c.partner, d.c.shipment_id, d.c.decision, d.c.decided_at)
                          .where(d.c.shipment_id.in_(ids[i:i + 900])), schema))
    return pl.concat(rows).sort("decided_at").unique(["partner", "shipment_id"], keep="last").drop("decided_at")


def top_reasons(conn: Connection, cand: pl.DataFrame, q: pl.DataFrame) -> pl.DataFrame:
    """The four strongest reasons of each shipment of ``q`` (with the item or party each is about), from its
    assessment in ``cand``."""
    schema = {"partner": pl.String, "shipment_id": pl.String, "run_id": pl.String, "code": pl.String,
              "weight": pl.Float64, "evidence": pl.String, "item": pl.Int64, "party": pl.String}
    keys = q.select("partner", "shipment_id").join(cand.select("partner", "shipment_id", "run_id"),
                                                    on=["partner", "shipment_id"])
    parts = [pl.DataFrame(schema=schema)]
    # per partner, so the lookups use the (partner, shipment_id, version) index
    for (partner,), group in keys.group_by("partner"):
        ids = group.get_column("shipment_id").unique().to_list()
        for i in range(0, len(ids), 900):
            parts.append(frame(conn, select(R.c.partner, R.c.shipment_id, R.c.run_id, R.c.code, R.c.weight,
                                            R.c.evidence, R.c.item, R.c.party)
                               .where(R.c.partner == partner, R.c.shipment_id.in_(ids[i:i + 900])), schema))
    r = pl.concat(parts).join(keys, on=["partner", "shipment_id", "run_id"], how="semi")
    return (r.sort("weight", descending=True).group_by(["partner", "shipment_id"], maintain_order=True)
            .agg(pl.struct("code", "weight", "evidence", "item", "party").head(4).alias("top_reasons")))


def performance_facts(conn: Connection, days: int, today: date | None = None) -> performance.Facts:
    """What the rule dashboard is computed from: the last ``days`` days of shipments, decisions, outcomes."""
    today = today or datetime.now(UTC).date()
    since, _ = day_bounds(today - timedelta(days=days - 1))
    _, until = day_bounds(today)
    a = assessed(conn, Scope.everything(), since, until)
    ships = a.select("partner", "shipment_id", "version", "score", "day", "corridor", "port", "disposition", "run_id")
    fired = pl.DataFrame(schema={"partner": pl.String, "shipment_id": pl.String, "code": pl.String})
    if ships.height:
        stmt = (select(R.c.partner, R.c.shipment_id, R.c.run_id, R.c.code)
                .select_from(R.join(S, and_(S.c.partner == R.c.partner, S.c.shipment_id == R.c.shipment_id,
                                            S.c.version == R.c.version)))
                .where(S.c.is_current.is_(True), S.c.received_at >= since, S.c.received_at < until))
        raw = frame(conn, stmt, {"partner": pl.String, "shipment_id": pl.String, "run_id": pl.String, "code": pl.String})
        fired = raw.join(ships.select("partner", "shipment_id", "run_id"), on=["partner", "shipment_id", "run_id"],
                         how="semi").select("partner", "shipment_id", "code")
    d, o = sv.decisions, sv.outcomes
    decisions = frame(conn, select(d.c.partner, d.c.shipment_id, d.c.decision, d.c.exploration, d.c.decided_at)
                      .where(d.c.decided_at >= since),
                      {"partner": pl.String, "shipment_id": pl.String, "decision": pl.String, "exploration": pl.Boolean,
                       "decided_at": pl.Datetime("us")})
    outcomes = frame(conn, select(o.c.partner, o.c.shipment_id, o.c.result, o.c.what).where(o.c.recorded_at >= since),
                     {"partner": pl.String, "shipment_id": pl.String, "result": pl.String, "what": pl.String})
    return performance.Facts(ships, fired, decisions, outcomes)


def backtest_inputs(conn: Connection, days: int, today: date | None = None) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(assessed, reasons, found) of the last ``days`` days for ``queue.backtest.backtest``."""
    f = performance_facts(conn, days, today)
    today = today or datetime.now(UTC).date()
    since, _ = day_bounds(today - timedelta(days=days - 1))
    _, until = day_bounds(today)
    stmt = (select(R.c.partner, R.c.shipment_id, R.c.version, R.c.run_id, R.c.code, R.c.weight)
            .select_from(R.join(S, and_(S.c.partner == R.c.partner, S.c.shipment_id == R.c.shipment_id,
                                        S.c.version == R.c.version)))
            .where(S.c.is_current.is_(True), S.c.received_at >= since, S.c.received_at < until))
    reasons = frame(conn, stmt, {"partner": pl.String, "shipment_id": pl.String, "version": pl.Int64,
                                 "run_id": pl.String, "code": pl.String, "weight": pl.Float64})
    reasons = reasons.join(f.shipments.select("partner", "shipment_id", "run_id"),
                           on=["partner", "shipment_id", "run_id"], how="semi").drop("run_id")
    found = f.outcomes.filter(pl.col("result").is_in(performance.FOUND)).select("partner", "shipment_id", "what")
    return f.shipments.drop("run_id"), reasons, found


def metrics(conn: Connection) -> dict[str, Any]:
    def counts(col: Any, table: Any, *where: Any) -> dict[str, int]:
        stmt = select(col, func.count()).select_from(table).where(*where).group_by(col)
        return {str(k): int(v) for k, v in conn.execute(stmt)}

    since = datetime.now(UTC) - timedelta(days=1)
    return {
        "shipments": int(conn.execute(select(func.count()).select_from(S).where(S.c.is_current.is_(True))).scalar_one()),
        "shipments_last_24h": int(conn.execute(select(func.count()).select_from(S)
                                               .where(S.c.received_at >= since.replace(tzinfo=None))).scalar_one()),
        "recommendations": counts(A.c.disposition, A),
        "decisions": counts(sv.decisions.c.decision, sv.decisions),
        "outcomes": counts(sv.outcomes.c.result, sv.outcomes),
        "referrals": counts(sv.referrals.c.status, sv.referrals),
        "rejects": int(conn.execute(select(func.count()).select_from(t.rejects)).scalar_one()),
        "ingest_runs": int(conn.execute(select(func.count()).select_from(t.ingest_runs)).scalar_one()),
    }
