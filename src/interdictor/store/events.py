"""The outbox: events written in the caller's transaction, fanned out to subscriptions by the deliverer.

``emit(conn, event, data, ...)`` is the one call that raises an event: the row is part of the
transaction that records its cause, so a rolled-back seizure raises nothing and a committed one is
never lost, whatever happens to the process after.  Bulk writers (a screened batch's watch hits)
append ``outbox_frame`` rows to the frames they write in one transaction.

``fan_out`` turns each new event into one delivery per subscription that may see it, the body cut by
the sharing policy (``answers/sharing.py``) and every share audited.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, insert, select, update

from interdictor.answers import sharing
from interdictor.store import schema_service as sv
from interdictor.store import schema_sharing as sh
from interdictor.store.audit import audit

OUTBOX_SCHEMA = pl.Schema({  # the columns of a bulk write's outbox rows
    "event_id": pl.String, "event": pl.String, "created_at": pl.Datetime("us", "UTC"), "partner": pl.String,
    "shipment_id": pl.String, "corridor": pl.String, "orgs": pl.String, "data": pl.String,
    "fanned_at": pl.Datetime("us", "UTC"),
})  # type: ignore[arg-type]


def _now() -> datetime:
    return datetime.now(UTC)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))


def emit(conn: Connection, event: str, data: dict[str, Any], *, partner: str | None = None,
         shipment_id: str | None = None, corridor: str | None = None, orgs: Sequence[str] = ()) -> str:
    """Raise ``event`` inside the caller's transaction; its id (what receivers de-duplicate on).

    ``data`` is whole, in the sections the sharing policy knows (``shipment``, ``non_nominal``,
    ``nominal``, ``internal``); ``partner``, ``corridor`` say whose shipment and which corridor it is
    about (who may hear of it); ``orgs`` names organisations that hear of it whatever the audience."""
    event_id = str(uuid.uuid4())
    conn.execute(insert(sh.outbox_events).values(
        event_id=event_id, event=event, created_at=_now(), partner=partner, shipment_id=shipment_id,
        corridor=corridor, orgs=_json(sorted(set(orgs))) if orgs else None, data=_json(data), fanned_at=None))
    return event_id


def outbox_frame(events: pl.DataFrame) -> pl.DataFrame:
    """Outbox rows for a bulk write, from ``event``, ``partner``, ``shipment_id``, ``corridor``, ``orgs``
    (a JSON list or null) and ``data`` (JSON) columns; each row gets its own event id."""
    now = _now()
    n = events.height
    return events.select(
        pl.Series("event_id", [str(uuid.uuid4()) for _ in range(n)], dtype=pl.String),
        pl.col("event").cast(pl.String),
        pl.lit(now).cast(pl.Datetime("us", "UTC")).alias("created_at"),
        *[pl.col(c).cast(pl.String) for c in ("partner", "shipment_id", "corridor", "orgs", "data")],
        pl.lit(None, pl.Datetime("us", "UTC")).alias("fanned_at"),
    )


def recipients(conn: Connection) -> list[sharing.Recipient]:
    """Every active organisation with its grants and sharing groups, as the policy takes them."""
    grants: dict[str, set[str]] = {}
    for org_id, corridor in conn.execute(select(sv.grants.c.org_id, sv.grants.c.corridor)):
        grants.setdefault(org_id, set()).add(corridor)
    groups: dict[str, list[sharing.Group]] = {}
    g, m = sh.sharing_groups, sh.sharing_members
    for org_id, gid, corridor, policy in conn.execute(
            select(m.c.org_id, g.c.group_id, g.c.corridor, g.c.policy).join(g, g.c.group_id == m.c.group_id)):
        groups.setdefault(org_id, []).append(sharing.Group(gid, corridor, policy))
    o = sv.organisations
    return [sharing.Recipient(r.org_id, r.kind, r.partner_code, frozenset(grants.get(r.org_id, ())),
                              tuple(groups.get(r.org_id, ())))
            for r in conn.execute(select(o.c.org_id, o.c.kind, o.c.partner_code).where(o.c.active.is_(True)))]


def _subscriptions(conn: Connection) -> dict[str, list[dict[str, Any]]]:
    s = sh.alert_subscriptions
    by_org: dict[str, list[dict[str, Any]]] = {}
    for r in conn.execute(select(s.c.subscription_id, s.c.org_id, s.c.events).where(s.c.active.is_(True))).mappings():
        by_org.setdefault(r["org_id"], []).append({**r, "events": set(r["events"].split(","))})
    return by_org


def body(event: str, event_id: str, created_at: datetime, data: dict[str, Any]) -> str:
    """The JSON a receiver gets: ``{"event", "id", "created_at", "data"}``."""
    at = created_at if created_at.tzinfo else created_at.replace(tzinfo=UTC)
    return _json({"event": event, "id": event_id, "created_at": at.isoformat(), "data": data})


def fan_out(conn: Connection, actor: str = "deliverer", limit: int = 500) -> int:
    """Make the deliveries of up to ``limit`` new events (each event claimed first, so two deliverers never
    fan out one event twice); the number of events fanned out."""
    e = sh.outbox_events
    pending = conn.execute(select(e).where(e.c.fanned_at.is_(None)).order_by(e.c.created_at, e.c.event_id)
                           .limit(limit)).mappings().all()
    if not pending:
        return 0
    orgs = recipients(conn)
    subs = _subscriptions(conn)
    now = _now()
    done = 0
    for ev in pending:
        claimed = conn.execute(update(e).where(e.c.event_id == ev["event_id"], e.c.fanned_at.is_(None))
                               .values(fanned_at=now)).rowcount
        if not claimed:
            continue
        done += 1
        meta = sharing.Event(ev["event"], ev["partner"], ev["corridor"], tuple(json.loads(ev["orgs"] or "[]")))
        data = json.loads(ev["data"])
        for who, share in sharing.recipients(meta, (o for o in orgs if o.org_id in subs)):
            for sub in subs[who.org_id]:
                if ev["event"] not in sub["events"]:
                    continue
                conn.execute(insert(sh.alert_deliveries).values(
                    event_id=ev["event_id"], subscription_id=sub["subscription_id"], event=ev["event"], share=share,
                    body=body(ev["event"], ev["event_id"], ev["created_at"], sharing.cut(data, share)),
                    status="pending", attempts=0, next_at=now, created_at=now))
                audit(conn, actor, "event.share", "event", ev["event_id"],
                      {"event": ev["event"], "org": who.org_id, "share": share,
                       "subscription": sub["subscription_id"],
                       "shipment": f"{ev['partner']}/{ev['shipment_id']}" if ev["shipment_id"] else None})
    return done


def events(conn: Connection, *, event: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Events newest first (for the authority's eyes: whole)."""
    e = sh.outbox_events
    q = select(e)
    if event:
        q = q.where(e.c.event == event)
    rows = conn.execute(q.order_by(e.c.created_at.desc()).limit(max(1, min(limit, 1000)))).mappings()
    return [{**r, "data": json.loads(r["data"]), "orgs": json.loads(r["orgs"] or "[]")} for r in rows]


def pending_count(conn: Connection, ids: Iterable[str] | None = None) -> int:
    e = sh.outbox_events
    q = select(e.c.event_id).where(e.c.fanned_at.is_(None))
    if ids is not None:
        q = q.where(e.c.event_id.in_(list(ids)))
    return len(conn.execute(q).all())
