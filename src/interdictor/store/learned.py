"""Goods profiles learned from stored traffic: the SQL aggregation they are learned from, and their versions.

``line_histograms`` lets the database do the counting: for every declared code and description of the
current lines it returns how many lines fall in each bucket (a twentieth of a power of ten) of each
metric — value per kg, kg per declared unit, kg per piece and pieces per shipment (the last two only for
a shipment of one line, whose parcel is that line's).  The robust statistics per code and per description
family are worked out from these counts above the store (``screen.goods.profiles.learn_from_histograms``);
``save_set`` keeps the result as the next version and ``latest_set`` reads it back for screening.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, Float, and_, case, cast, func, insert, literal, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from interdictor.store.audit import audit
from interdictor.store.schema import items, shipments
from interdictor.store.schema_learned import learned_profile_sets as S
from interdictor.store.schema_learned import learned_profiles as P

BUCKETS_PER_DECADE = 20
HISTOGRAM_SCHEMA = pl.Schema({"hs_code": pl.String, "description": pl.String, "metric": pl.String,
                              "bucket": pl.Int64, "n": pl.Int64})
SET_SCHEMA = pl.Schema({"kind": pl.String, "key": pl.String, "metric": pl.String, "median": pl.Float64,
                        "spread": pl.Float64, "n": pl.Int64})


def line_histograms(conn: Connection, since: datetime | None = None) -> pl.DataFrame:
    """``hs_code, description, metric, bucket, n`` over the current lines received since ``since`` (all
    when None): ``bucket`` is round(log10(x) × 20) of the metric."""
    i, s = items, shipments
    per = (select(i.c.partner, i.c.shipment_id, i.c.version, func.count().label("n_lines"))
           .group_by(i.c.partner, i.c.shipment_id, i.c.version).subquery())
    lone = per.c.n_lines == 1
    cond: list[ColumnElement[bool]] = [s.c.is_current.is_(True)]
    if since is not None:
        cond.append(s.c.received_at >= since)
    lines = (
        select(
            i.c.hs_code, i.c.description,
            case((lone, func.coalesce(i.c.weight_kg, s.c.gross_weight_kg)), else_=i.c.weight_kg).label("w"),
            case((lone, func.coalesce(i.c.value, s.c.declared_value)), else_=i.c.value).label("v"),
            i.c.quantity.label("q"),
            case((and_(lone, s.c.pieces > 0), s.c.gross_weight_kg), else_=None).label("gw"),
            case((lone, s.c.pieces), else_=None).label("pieces"),
        )
        .select_from(i.join(s, and_(s.c.partner == i.c.partner, s.c.shipment_id == i.c.shipment_id,
                                    s.c.version == i.c.version))
                     .join(per, and_(per.c.partner == i.c.partner, per.c.shipment_id == i.c.shipment_id,
                                     per.c.version == i.c.version)))
        .where(*cond)
        .subquery()
    )
    c = lines.c
    metrics: dict[str, tuple[ColumnElement[Any], ColumnElement[bool]]] = {
        "usd_per_kg": (cast(c.v, Float) / c.w, and_(c.v > 0, c.w > 0)),
        "kg_per_unit": (cast(c.w, Float) / c.q, and_(c.w > 0, c.q > 0)),
        "kg_per_piece": (cast(c.gw, Float) / c.pieces, and_(c.gw > 0, c.pieces > 0)),
        "pieces": (cast(c.pieces, Float), c.pieces > 0),
    }
    parts = []
    for name, (x, ok) in metrics.items():
        bucket = cast(func.round(func.log10(x) * BUCKETS_PER_DECADE), Float).label("bucket")
        parts.append(select(c.hs_code, c.description, literal(name).label("metric"), bucket,
                            func.count().label("n")).where(ok).group_by(c.hs_code, c.description, bucket))
    res = conn.execute(union_all(*parts))
    rows = [tuple(r) for r in res.fetchall()]
    if not rows:
        return pl.DataFrame(schema=HISTOGRAM_SCHEMA)
    return pl.DataFrame(rows, schema=list(HISTOGRAM_SCHEMA), orient="row", infer_schema_length=None).cast(
        HISTOGRAM_SCHEMA, strict=False)


def save_set(conn: Connection, table: pl.DataFrame, *, actor: str, lines: int, min_n: int, knowledge_base: str,
             since: datetime | None = None, note: str | None = None) -> int:
    """Store ``table`` (SET_SCHEMA) as the next version; returns it."""
    version = int(conn.execute(select(func.max(S.c.version))).scalar_one() or 0) + 1
    conn.execute(insert(S).values(version=version, created_at=datetime.now(UTC), created_by=actor, since=since,
                                  lines=lines, min_n=min_n, knowledge_base=knowledge_base, note=note))
    rows = [{"version": version, **r} for r in table.select(list(SET_SCHEMA)).iter_rows(named=True)]
    for k in range(0, len(rows), 1000):
        conn.execute(insert(P), rows[k:k + 1000])
    audit(conn, actor, "profiles.learn", "learned_profile_set", f"v{version}",
          {"profiles": len(rows), "lines": lines, "min_n": min_n})
    return version


def latest_set(conn: Connection) -> tuple[int, pl.DataFrame] | None:
    """(version, SET_SCHEMA rows) of the newest learned set; None when nothing was learned yet."""
    version = conn.execute(select(func.max(S.c.version))).scalar_one()
    if version is None:
        return None
    return int(version), _rows(conn, int(version))


def set_rows(conn: Connection, version: int) -> pl.DataFrame | None:
    """SET_SCHEMA rows of learned set ``version``; None when there is no such set."""
    if conn.execute(select(S.c.version).where(S.c.version == version)).first() is None:
        return None
    return _rows(conn, version)


def _rows(conn: Connection, version: int) -> pl.DataFrame:
    res = conn.execute(select(*[P.c[k] for k in SET_SCHEMA]).where(P.c.version == version))
    return pl.DataFrame([tuple(r) for r in res.fetchall()], schema=SET_SCHEMA, orient="row")


def list_sets(conn: Connection) -> list[dict[str, Any]]:
    """Every learned version, newest first, with how many profiles of each kind it holds."""
    counts = (select(P.c.version, P.c.kind, func.count(func.distinct(P.c.key)).label("keys"))
              .group_by(P.c.version, P.c.kind).subquery())
    kinds: dict[int, dict[str, int]] = {}
    for v, kind, n in conn.execute(select(counts)).all():
        kinds.setdefault(int(v), {})[str(kind)] = int(n)
    out = []
    for r in conn.execute(select(S).order_by(S.c.version.desc())).mappings():
        out.append({**dict(r), "codes": kinds.get(r["version"], {}).get("hs", 0),
                    "families": kinds.get(r["version"], {}).get("family", 0)})
    return out
