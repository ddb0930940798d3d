"""Stored pre-notifications: add or amend (idempotent on the authority's reference), list, withdraw, the
standing ones screening matches against, and the closing of windows that ended.

Plain reads and writes on an open connection inside the caller's transaction; who may do what is decided
in ``service/notices.py`` and the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, and_, false, func, insert, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from interdictor.reference.corridors import CorridorConfig
from interdictor.screen.goods.notified import NOTIFICATION_SCHEMA, evidence_prefix
from interdictor.store.schema import assessments, reasons
from interdictor.store.schema_notices import goods_notifications as gn
from interdictor.store.scope import Scope

CONTENT = ("exporter", "exporter_country", "importer", "importer_country", "goods", "quantity", "unit",
           "arrival_from", "arrival_to", "port")
MATCH_CODE = "NOTIFIED_TRADE"


@dataclass
class Stored:
    added: list[str] = field(default_factory=list)
    amended: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # reference → why


def upsert(conn: Connection, authority: str, rows: list[dict[str, Any]], now: datetime, source: str | None) -> Stored:
    """Add new references, amend changed open ones, leave identical ones alone (importing twice is a no-op);
    a notification already closed or withdrawn is not changed."""
    out = Stored()
    refs = [r["reference"] for r in rows]
    have: dict[str, dict[str, Any]] = {}
    for i in range(0, len(refs), 500):
        q = select(gn).where(gn.c.authority == authority, gn.c.reference.in_(refs[i:i + 500]))
        have.update({r["reference"]: dict(r) for r in conn.execute(q).mappings()})
    new = []
    for r in rows:
        old = have.get(r["reference"])
        if old is None:
            new.append({**r, "authority": authority, "status": "open", "created_at": now, "updated_at": now,
                        "closed_at": None, "source": source})
            out.added.append(r["reference"])
        elif all(old[c] == r[c] for c in CONTENT):
            out.unchanged.append(r["reference"])
        elif old["status"] != "open":
            out.refused[r["reference"]] = f"is {old['status']} and can no longer be changed"
        else:
            conn.execute(update(gn).where(gn.c.authority == authority, gn.c.reference == r["reference"])
                         .values(**{c: r[c] for c in CONTENT}, updated_at=now, source=source))
            out.amended.append(r["reference"])
    if new:
        conn.execute(insert(gn), new)
    return out


def in_corridors(granted: frozenset[str], corridors: CorridorConfig) -> ColumnElement[bool]:
    """The notifications whose port of entry lies in one of the ``granted`` corridors, as ``corridor_of``
    places them: the first corridor holding the port; the default corridor for no port or a port in none."""
    mine: set[str] = set()
    taken: set[str] = set()
    for c in corridors.corridors:
        fresh = c.ports - taken
        taken |= c.ports
        if c.name in granted:
            mine |= fresh
    port = func.upper(gn.c.port)
    cond: list[ColumnElement[bool]] = [port.in_(sorted(mine))] if mine else []
    if corridors.default.name in granted:
        cond.append(gn.c.port.is_(None))
        cond.append(port.not_in(sorted(taken)) if taken else gn.c.port.is_not(None))
    return or_(*cond) if cond else false()


def listed(conn: Connection, authority: str | None = None, status: str | None = None, limit: int = 1000,
           scope: Scope | None = None, corridors: CorridorConfig | None = None) -> list[dict[str, Any]]:
    """Notifications (of one authority when given; of the scope's corridors when it has some, which takes
    ``corridors`` to place them), latest arrival window first."""
    q = select(gn)
    if scope is not None and scope.corridors is not None:
        assert corridors is not None, "a corridor scope needs the corridors to place notifications"
        q = q.where(in_corridors(scope.corridors, corridors))
    if authority is not None:
        q = q.where(gn.c.authority == authority)
    if status is not None:
        q = q.where(gn.c.status == status)
    q = q.order_by(gn.c.arrival_to.desc(), gn.c.authority, gn.c.reference).limit(limit)
    return [dict(r) for r in conn.execute(q).mappings()]


def get(conn: Connection, authority: str, reference: str, scope: Scope | None = None,
        corridors: CorridorConfig | None = None) -> dict[str, Any] | None:
    """One notification (None when there is none, or it lies outside the scope's corridors)."""
    q = select(gn).where(gn.c.authority == authority, gn.c.reference == reference)
    if scope is not None and scope.corridors is not None:
        assert corridors is not None, "a corridor scope needs the corridors to place notifications"
        q = q.where(in_corridors(scope.corridors, corridors))
    row = conn.execute(q).mappings().first()
    return dict(row) if row else None


def withdraw(conn: Connection, authority: str, reference: str, now: datetime) -> bool:
    """True when an open notification is withdrawn now."""
    done = conn.execute(update(gn).where(gn.c.authority == authority, gn.c.reference == reference,
                                         gn.c.status == "open")
                        .values(status="withdrawn", updated_at=now, closed_at=now)).rowcount
    return bool(done)


def standing(conn: Connection) -> pl.DataFrame:
    """Every notification not withdrawn (``NOTIFICATION_SCHEMA``), for the goods part of the screening context."""
    res = conn.execute(select(*[gn.c[c] for c in NOTIFICATION_SCHEMA]).where(gn.c.status != "withdrawn"))
    rows = [tuple(r) for r in res.fetchall()]
    if not rows:
        return pl.DataFrame(schema=NOTIFICATION_SCHEMA)
    return pl.DataFrame(rows, schema=NOTIFICATION_SCHEMA, orient="row")


def arrivals(conn: Connection, authority: str, reference: str, limit: int = 50,
             scope: Scope | None = None) -> list[dict[str, Any]]:
    """The stored shipments screening matched to this notification (``partner, shipment_id, version``,
    with the corridor and the time of the assessment); only those assessed in the scope's corridors."""
    q = (select(reasons.c.partner, reasons.c.shipment_id, reasons.c.version, assessments.c.corridor,
                assessments.c.created_at)
         .join(assessments, and_(assessments.c.run_id == reasons.c.run_id, assessments.c.partner == reasons.c.partner,
                                 assessments.c.shipment_id == reasons.c.shipment_id,
                                 assessments.c.version == reasons.c.version))
         .where(reasons.c.code == MATCH_CODE,
                reasons.c.evidence.startswith(evidence_prefix(authority, reference), autoescape=True))
         .order_by(assessments.c.created_at).limit(limit))
    if scope is not None and scope.corridors is not None:
        q = q.where(assessments.c.corridor.in_(sorted(scope.corridors)))
    return [dict(r) for r in conn.execute(q).mappings()]


def corridor_of(port: str | None, corridors: CorridorConfig) -> str:
    """The corridor holding the notified port of entry (the default corridor when none does or no port is given)."""
    p = (port or "").upper()
    return next((c.name for c in corridors.corridors if p and p in c.ports), corridors.default.name)


def close_due(conn: Connection, today: date, corridors: CorridorConfig, now: datetime) -> list[dict[str, Any]]:
    """Close every open notification whose window ended before ``today``: ``arrived`` when a screened shipment
    matched it, else ``unmatched``.  Returns the unmatched ones (each with its ``authority`` organisation and
    ``corridor``), closed now, for the ``notification.unmatched`` alert; a second run returns nothing."""
    due = conn.execute(select(gn).where(gn.c.status == "open", gn.c.arrival_to < today)
                       .order_by(gn.c.arrival_to, gn.c.authority, gn.c.reference)).mappings().all()
    unmatched: list[dict[str, Any]] = []
    for row in due:
        n = dict(row)
        status = "arrived" if arrivals(conn, n["authority"], n["reference"], limit=1) else "unmatched"
        done = conn.execute(update(gn).where(gn.c.authority == n["authority"], gn.c.reference == n["reference"],
                                             gn.c.status == "open")
                            .values(status=status, closed_at=now, updated_at=now)).rowcount
        if done and status == "unmatched":
            unmatched.append({**n, "status": status, "closed_at": now, "corridor": corridor_of(n["port"], corridors)})
    return unmatched
