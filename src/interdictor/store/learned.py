"""Goods profiles learned from stored traffic: the SQL aggregation they are learned from, and their versions.

``line_histograms`` lets the database do the counting: for every declared code and description of the
current lines it returns how many lines fall in each bucket (a twentieth of a power of ten) of each
metric — value per kg, kg per declared unit, kg per piece and pieces per shipment (the last two only for
a shipment of one line, whose parcel is that line's).  The robust statistics per code and per description
family are worked out from these counts above the store (``screen.goods.profiles.learn_from_histograms``);
``save_set`` keeps the result as the next version and ``latest_set`` reads it back for screening.
``recent_scores`` hands the calibration (``score.calibration``) the scores of recent assessments, learned
into the same set.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, Float, and_, case, cast, exists, func, insert, literal, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from interdictor.store.audit import audit
from interdictor.store.schema import assessments, items, reasons, shipments
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


def recent_scores(conn: Connection, since: datetime | None, floor_codes: Collection[str]) -> pl.DataFrame:
    """``corridor, score`` of the latest assessment of each current shipment received since ``since`` (all
    when None), leaving out those with a reason whose code is in ``floor_codes`` (a hard finding)."""
    a, s, r = assessments, shipments, reasons
    key = (a.c.partner, a.c.shipment_id, a.c.version)
    latest = select(*key, func.max(a.c.created_at).label("at")).group_by(*key).subquery()
    cond: list[ColumnElement[bool]] = [s.c.is_current.is_(True)]
    if since is not None:
        cond.append(s.c.received_at >= since)
    if floor_codes:
        cond.append(~exists().where(r.c.partner == a.c.partner, r.c.shipment_id == a.c.shipment_id,
                                    r.c.version == a.c.version, r.c.run_id == a.c.run_id,
                                    r.c.code.in_(sorted(floor_codes))))
    q = (
        select(a.c.corridor, a.c.score)
        .select_from(a.join(s, and_(s.c.partner == a.c.partner, s.c.shipment_id == a.c.shipment_id,
                                    s.c.version == a.c.version))
                     .join(latest, and_(latest.c.partner == a.c.partner, latest.c.shipment_id == a.c.shipment_id,
                                        latest.c.version == a.c.version, latest.c.at == a.c.created_at)))
        .where(*cond)
    )
    rows = [tuple(x) for x in conn.execute(q).fetchall()]
    return pl.DataFrame(rows, schema={"corridor": pl.String, "score": pl.Float64}, orient="row")


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


def latest_set(conn: Connection, kind: str | None = None) -> tuple[int, pl.DataFrame] | None:
    """(version, SET_SCHEMA rows — of ``kind`` only when given) of the newest learned set; None when nothing
    was learned yet."""
    version = conn.execute(select(func.max(S.c.version))).scalar_one()
    if version is None:
        return None
    return int(version), _rows(conn, int(version), kind)


def set_rows(conn: Connection, version: int, kind: str | None = None) -> pl.DataFrame | None:
    """SET_SCHEMA rows (of ``kind`` only when given) of learned set ``version``; None when there is no such set."""
    if conn.execute(select(S.c.version).where(S.c.version == version)).first() is None:
        return None
    return _rows(conn, version, kind)


def _rows(conn: Connection, version: int, kind: str | None = None) -> pl.DataFrame:
    q = select(*[P.c[k] for k in SET_SCHEMA]).where(P.c.version == version)
    res = conn.execute(q if kind is None else q.where(P.c.kind == kind))
    return pl.DataFrame([tuple(r) for r in res.fetchall()], schema=SET_SCHEMA, orient="row")


def list_sets(conn: Connection) -> list[dict[str, Any]]:
    """Every learned version, newest first, with how many profiles of each kind it holds (``corridors``: the
    corridors with a calibrated exam threshold)."""
    counts = (select(P.c.version, P.c.kind, func.count(func.distinct(P.c.key)).label("keys"))
              .group_by(P.c.version, P.c.kind).subquery())
    kinds: dict[int, dict[str, int]] = {}
    for v, kind, n in conn.execute(select(counts)).all():
        kinds.setdefault(int(v), {})[str(kind)] = int(n)
    out = []
    for r in conn.execute(select(S).order_by(S.c.version.desc())).mappings():
        out.append({**dict(r), "codes": kinds.get(r["version"], {}).get("hs", 0),
                    "families": kinds.get(r["version"], {}).get("family", 0),
                    "corridors": kinds.get(r["version"], {}).get("score", 0)})
    return out


def latest_version(conn: Connection) -> int | None:
    """The newest learned set's version (None: nothing learned yet): one small query, asked before each batch."""
    version = conn.execute(select(func.max(S.c.version))).scalar_one()
    return int(version) if version is not None else None


def since_latest(conn: Connection) -> tuple[int | None, datetime | None, int]:
    """(version, learned at, shipments received since) of the newest learned set; (None, None, every
    shipment stored) before anything was learned."""
    row = conn.execute(select(S.c.version, S.c.created_at).order_by(S.c.version.desc()).limit(1)).first()
    q = select(func.count()).select_from(shipments)
    if row is not None:
        q = q.where(shipments.c.received_at > row.created_at)
    n = int(conn.execute(q).scalar_one())
    return (int(row.version), row.created_at, n) if row is not None else (None, None, n)
