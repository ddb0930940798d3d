"""Alert subscriptions and their deliveries: who is pushed which events, how, and what became of each try.

A delivery is claimed with a lease before it is sent, so several deliverers (``serve``, ``worker``,
``alerts deliver`` from cron) can run at once without sending one delivery twice at the same time;
a deliverer that dies mid-send leaves a lease that runs out, and the delivery is sent again
(at-least-once: receivers de-duplicate on the event id).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from interdictor.store import schema_sharing as sh
from interdictor.store.audit import audit


def _now() -> datetime:
    return datetime.now(UTC)


def add_subscription(conn: Connection, actor: str, *, org_id: str, channel: str, target: str, events: list[str],
                     secret: str | None) -> str:
    sid = str(uuid.uuid4())
    conn.execute(insert(sh.alert_subscriptions).values(
        subscription_id=sid, org_id=org_id, channel=channel, target=target, events=",".join(events), secret=secret,
        active=True, created_by=actor, created_at=_now()))
    audit(conn, actor, "alert.subscribe", "subscription", sid,
          {"org": org_id, "channel": channel, "target": target, "events": events})
    return sid


def _sub(r: Any) -> dict[str, Any]:
    d = dict(r)
    d["events"] = d["events"].split(",")
    d["signed"] = bool(d.pop("secret", None))
    return d


def list_subscriptions(conn: Connection, org_id: str | None = None) -> list[dict[str, Any]]:
    """Subscriptions (their secrets left out)."""
    s = sh.alert_subscriptions
    q = select(s)
    if org_id is not None:
        q = q.where(s.c.org_id == org_id)
    return [_sub(r) for r in conn.execute(q.order_by(s.c.org_id, s.c.created_at)).mappings()]


def get_subscription(conn: Connection, subscription_id: str) -> dict[str, Any] | None:
    s = sh.alert_subscriptions
    r = conn.execute(select(s).where(s.c.subscription_id == subscription_id)).mappings().first()
    return _sub(r) if r else None


def deactivate(conn: Connection, actor: str, subscription_id: str) -> bool:
    s = sh.alert_subscriptions
    done = conn.execute(update(s).where(s.c.subscription_id == subscription_id, s.c.active.is_(True))
                        .values(active=False)).rowcount
    if done:
        audit(conn, actor, "alert.unsubscribe", "subscription", subscription_id)
    return bool(done)


def claim_due(conn: Connection, *, limit: int, lease: float, now: datetime | None = None) -> list[dict[str, Any]]:
    """Pending deliveries that are due and not being sent, leased to the caller for ``lease`` seconds,
    with their subscription's channel, target and secret."""
    now = now or _now()
    d, s = sh.alert_deliveries, sh.alert_subscriptions
    free = or_(d.c.lease_until.is_(None), d.c.lease_until < now)
    rows = conn.execute(
        select(d.c.delivery_id, d.c.event_id, d.c.event, d.c.body, d.c.attempts, s.c.channel, s.c.target,
               s.c.secret, s.c.org_id)
        .join(s, s.c.subscription_id == d.c.subscription_id)
        .where(d.c.status == "pending", d.c.next_at <= now, free)
        .order_by(d.c.next_at, d.c.delivery_id).limit(limit)).mappings().all()
    until = now + timedelta(seconds=lease)
    out = []
    for r in rows:
        if conn.execute(update(d).where(d.c.delivery_id == r["delivery_id"], d.c.status == "pending", free)
                        .values(lease_until=until)).rowcount:
            out.append(dict(r))
    return out


def record_attempt(conn: Connection, delivery_id: int, *, ok: bool, status_code: int | None, error: str | None,
                   ms: int, retry_at: datetime | None) -> str:
    """Log one try; the delivery is then delivered (``ok``), pending again at ``retry_at``, or dead (no
    ``retry_at``: that was the last try).  Its new status."""
    now = _now()
    d = sh.alert_deliveries
    conn.execute(insert(sh.alert_attempts).values(delivery_id=delivery_id, at=now, ok=ok, status_code=status_code,
                                                  error=(error or None) and error[:2000], ms=ms))
    status = "delivered" if ok else ("pending" if retry_at is not None else "dead")
    conn.execute(update(d).where(d.c.delivery_id == delivery_id).values(
        status=status, attempts=d.c.attempts + 1, lease_until=None, last_error=None if ok else (error or "")[:2000],
        next_at=retry_at if retry_at is not None else d.c.next_at, delivered_at=now if ok else None))
    return status


def retry_dead(conn: Connection, actor: str, subscription_id: str | None = None) -> int:
    """Dead deliveries (of one subscription) go back to pending, due now; how many."""
    d = sh.alert_deliveries
    cond = [d.c.status == "dead"]
    if subscription_id:
        cond.append(d.c.subscription_id == subscription_id)
    n = conn.execute(update(d).where(and_(*cond)).values(status="pending", attempts=0, next_at=_now(),
                                                          lease_until=None)).rowcount
    if n:
        audit(conn, actor, "alert.retry_dead", "subscription", subscription_id, {"deliveries": n})
    return int(n)


def delivery_log(conn: Connection, *, org_id: str | None = None, status: str | None = None,
                 limit: int = 100) -> list[dict[str, Any]]:
    """Deliveries newest first, with their subscription's organisation, channel and target and the last
    try's outcome."""
    d, s, a = sh.alert_deliveries, sh.alert_subscriptions, sh.alert_attempts
    last = (select(a.c.delivery_id, func.max(a.c.id).label("last_id")).group_by(a.c.delivery_id)).subquery()
    q = (select(d.c.delivery_id, d.c.event_id, d.c.event, d.c.share, d.c.status, d.c.attempts, d.c.next_at,
                d.c.last_error, d.c.created_at, d.c.delivered_at, s.c.subscription_id, s.c.org_id, s.c.channel,
                s.c.target, a.c.status_code.label("last_status_code"), a.c.at.label("last_try_at"))
         .join(s, s.c.subscription_id == d.c.subscription_id)
         .outerjoin(last, last.c.delivery_id == d.c.delivery_id)
         .outerjoin(a, a.c.id == last.c.last_id))
    if org_id is not None:
        q = q.where(s.c.org_id == org_id)
    if status is not None:
        q = q.where(d.c.status == status)
    q = q.order_by(d.c.created_at.desc(), d.c.delivery_id.desc()).limit(max(1, min(limit, 1000)))
    return [dict(r) for r in conn.execute(q).mappings()]


def delivered_bodies(conn: Connection, subscription_id: str) -> list[str]:
    """The bodies delivered to one subscription, oldest first."""
    d = sh.alert_deliveries
    return [str(r[0]) for r in conn.execute(select(d.c.body).where(
        d.c.subscription_id == subscription_id, d.c.status == "delivered").order_by(d.c.delivery_id))]


def counts(conn: Connection) -> dict[str, int]:
    d = sh.alert_deliveries
    return {str(k): int(v) for k, v in conn.execute(select(d.c.status, func.count()).group_by(d.c.status))}
