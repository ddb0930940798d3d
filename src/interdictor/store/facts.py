"""What the queue, the rule dashboard, backtests and metrics are computed from: assessed shipments,
the reasons they fired, decisions and outcomes, as polars frames (scoped where the reader is a person).

The figures themselves are computed by the pure functions in ``interdictor.queue``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import polars as pl
from sqlalchemy import Connection, Select, and_, func, or_, select

from interdictor.learn.loop import CODE as MODEL_CODE
from interdictor.learn.loop import said_by_model
from interdictor.queue import build, performance
from interdictor.queue.build import Budget, empty_queue
from interdictor.reference.corridors import CorridorConfig
from interdictor.store import schema as t
from interdictor.store import schema_service as sv
from interdictor.store.scope import Scope
from interdictor.store.shipments import day_bounds, latest_assessment, scoped

S, A, R = t.shipments, t.assessments, t.reasons


def frame(conn: Connection, stmt: Select[Any], schema: Any) -> pl.DataFrame:
    rows = [tuple(r) for r in conn.execute(stmt)]
    return pl.DataFrame(rows, schema=schema, orient="row")


def assessed(conn: Connection, scope: Scope, since: datetime, until: datetime, corridor: str | None = None,
             port: str | None = None) -> pl.DataFrame:
    """Current shipments received in [since, until) with their latest assessment."""
    return _assessed(conn, scope, [S.c.received_at >= since, S.c.received_at < until], corridor, port)


def filed_on(day: date) -> Any:
    """Shipments of a day: filed that day (UTC), or received that day when the filing time is unknown."""
    since, until = day_bounds(day)
    return or_(and_(S.c.filed_at >= since, S.c.filed_at < until),
               and_(S.c.filed_at.is_(None), S.c.received_at >= since, S.c.received_at < until))


def _assessed(conn: Connection, scope: Scope, when: list[Any], corridor: str | None, port: str | None) -> pl.DataFrame:
    cond = [S.c.is_current.is_(True), *when]
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


def day_queue(conn: Connection, scope: Scope, cfg: CorridorConfig, budgets: Callable[[str, str | None], Budget], *,
              day: date, corridor: str | None = None, port: str | None = None, budget: int | None = None,
              exploration: float | None = None) -> pl.DataFrame:
    """The day's exam queue (``queue.build.day_queue``) of the shipments filed that day (``filed_on``) that
    ``scope`` may read: one corridor's, or every corridor's when ``corridor`` is None.  ``QUEUE_COLUMNS``
    and the ``run_id`` of each ranked assessment (where its reasons are)."""
    if corridor is not None:
        cfg.get(corridor)  # KeyError names the known corridors
        if scope.corridors is not None and corridor not in scope.corridors:
            return empty_queue().with_columns(pl.lit(None, pl.String).alias("run_id"))
    cand = _assessed(conn, scope, [filed_on(day)], corridor, port)
    q = build.day_queue(cand, cfg=cfg, budgets=budgets, day=day, budget=budget, exploration=exploration)
    return q.join(cand.select("partner", "shipment_id", "run_id"), on=["partner", "shipment_id"], how="left")


PORTS_APART = 3  # a day's picks in more ports than this are read from the day's whole queue at once


def queue_picks(conn: Connection, scope: Scope, cfg: CorridorConfig, budgets: Callable[[str, str | None], Budget],
                ships: list[dict[str, Any]], *, otherwise: str) -> list[str]:
    """How each of ``ships`` (current shipment rows) was picked by its own day's queue (its filing day, its
    assessment's corridor): ``exploit`` or ``explore_*`` for the queue's exam and exploration picks, else
    ``otherwise``.  The queue is deterministic, so computing it again gives the picks a targeter saw.
    A port's picks are its own (its own budget): one decision needs its port's queue alone, while a bulk
    import touching many ports of a day reads that day's queue over every corridor once (it holds each
    port's queue) instead of one per port."""
    keyed: list[tuple[date, str, str | None] | None] = []
    for ship in ships:
        a = latest_assessment(conn, ship["partner"], ship["shipment_id"], ship["version"])
        if a is None or not a["corridor"]:
            keyed.append(None)
            continue
        when = ship.get("filed_at") or ship["received_at"]
        port = str(ship["destination_port"]).upper() if ship.get("destination_port") else None
        keyed.append((when.astimezone(UTC).date() if when.tzinfo else when.date(), str(a["corridor"]), port))
    ports: dict[date, set[tuple[str, str | None]]] = {}
    for key in keyed:
        if key is not None:
            ports.setdefault(key[0], set()).add(key[1:])
    queues: dict[tuple[date, str | None, str | None], dict[tuple[str, str], tuple[str, str | None]]] = {}
    out = []
    for ship, key in zip(ships, keyed, strict=True):
        if key is None:
            out.append(otherwise)
            continue
        whole = len(ports[key[0]]) > PORTS_APART
        at = (key[0], None, None) if whole else key
        if at not in queues:
            q = day_queue(conn, scope, cfg, budgets, day=at[0], corridor=at[1], port=at[2])
            queues[at] = {(p, s): (k, e) for p, s, k, e in q.select("partner", "shipment_id", "pick", "explore_kind")
                          .iter_rows()}
        pick, explore_kind = queues[at].get((ship["partner"], ship["shipment_id"]), (None, None))
        out.append(build.pick_kind(pick, explore_kind, otherwise))
    return out


def decided(conn: Connection, q: pl.DataFrame) -> pl.DataFrame:
    """The latest decision on each shipment of ``q`` (``partner, shipment_id, decision, decided_pick``: the
    decision and how its shipment was picked)."""
    schema: Any = {"partner": pl.String, "shipment_id": pl.String, "decision": pl.String,
                   "decided_pick": pl.String, "decided_at": pl.Datetime("us")}
    ids = q.get_column("shipment_id").unique().to_list()
    if not ids:
        return pl.DataFrame(schema=schema).drop("decided_at")
    d = sv.decisions
    rows = []
    for i in range(0, len(ids), 900):
        rows.append(frame(conn, select(d.c.partner, d.c.shipment_id, d.c.decision, d.c.pick_kind, d.c.decided_at)
                          .where(d.c.shipment_id.in_(ids[i:i + 900])), schema))
    return pl.concat(rows).sort("decided_at").unique(["partner", "shipment_id"], keep="last").drop("decided_at")


def top_reasons(conn: Connection, q: pl.DataFrame) -> pl.DataFrame:
    """The four strongest reasons of each shipment of ``q`` (with the item or party each is about), from the
    assessment its ``run_id`` made; and the risk model's part: ``model_weight``, ``model_version``,
    ``model_probability`` (null when the model gave it no reason)."""
    schema = {"partner": pl.String, "shipment_id": pl.String, "run_id": pl.String, "code": pl.String,
              "weight": pl.Float64, "evidence": pl.String, "item": pl.Int64, "party": pl.String}
    keys = q.select("partner", "shipment_id", "run_id")
    parts = [pl.DataFrame(schema=schema)]
    # per partner, so the lookups use the (partner, shipment_id, version) index
    for (partner,), group in keys.group_by("partner"):
        ids = group.get_column("shipment_id").unique().to_list()
        for i in range(0, len(ids), 900):
            parts.append(frame(conn, select(R.c.partner, R.c.shipment_id, R.c.run_id, R.c.code, R.c.weight,
                                            R.c.evidence, R.c.item, R.c.party)
                               .where(R.c.partner == partner, R.c.shipment_id.in_(ids[i:i + 900])), schema))
    r = pl.concat(parts).join(keys, on=["partner", "shipment_id", "run_id"], how="semi")
    model = pl.col("code") == MODEL_CODE
    return (r.sort("weight", descending=True).group_by(["partner", "shipment_id"], maintain_order=True)
            .agg(pl.struct("code", "weight", "evidence", "item", "party").head(4).alias("top_reasons"),
                 pl.col("weight").filter(model).first().alias("model_weight"),
                 pl.col("evidence").filter(model).first().alias("model_evidence"))
            .with_columns(said_by_model(pl.col("model_evidence"))).drop("model_evidence"))


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
