"""Pre-notified lawful trade: an export authority files, amends and withdraws its own notifications;
the targeting authority reads them all; law enforcement reads those of its granted corridors (the
``notification.unmatched`` alert goes to it); partners never see them.  Every change is audited.  The SQL
lives in ``store/notices.py``; closing the windows that ended in ``background/windows.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from interdictor.background.windows import close_due
from interdictor.reference.corridors import CorridorConfig
from interdictor.reference.kb import load_kb
from interdictor.screen.goods.notification_file import check_notification
from interdictor.screen.goods.registry_file import goods_ids
from interdictor.service.principal import Principal
from interdictor.store import accounts as orgs
from interdictor.store import notices as db
from interdictor.store.audit import audit

NOTIFYING_KIND = "export_authority"


class NoticeError(ValueError):
    """A notification request that cannot be carried out: ``status`` is the HTTP status, ``fields`` the
    problem of each field (422)."""

    def __init__(self, message: str, status: int = 422, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.fields = fields or {}


def check_notifier(conn: Connection, org_id: str) -> None:
    """The organisation exists and is an export authority (only they pre-notify)."""
    org = orgs.get_org(conn, org_id)
    if org is None:
        raise NoticeError(f"no organisation {org_id!r}", 404)
    if org["kind"] != NOTIFYING_KIND:
        raise NoticeError(f"organisation {org_id!r} is a {org['kind']} organisation; only an {NOTIFYING_KIND} "
                          "pre-notifies trade", 409)


def store_rows(conn: Connection, authority: str, rows: list[dict[str, Any]], actor: str, source: str | None) -> db.Stored:
    """Store checked rows for ``authority`` (idempotent on the reference) and audit what changed."""
    check_notifier(conn, authority)
    done = db.upsert(conn, authority, rows, datetime.now(UTC), source)
    for action, refs in (("notification.add", done.added), ("notification.amend", done.amended)):
        for ref in refs:
            audit(conn, actor, action, "notification", f"{authority}/{ref}", {"source": source})
    return done


def file_one(conn: Connection, me: Principal, raw: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """One notification posted by an export authority's user or key: (added | amended | unchanged, stored row)."""
    row, bad = check_notification(raw, goods_ids(load_kb()))
    if row is None:
        raise NoticeError("the notification has problems: " + "; ".join(f"{f}: {p}" for f, p in bad.items()), 422, bad)
    done = store_rows(conn, me.org_id, [row], me.actor, "api")
    if done.refused:
        raise NoticeError(f"notification {row['reference']!r} {done.refused[row['reference']]}", 409)
    result = "added" if done.added else "amended" if done.amended else "unchanged"
    stored = db.get(conn, me.org_id, row["reference"])
    assert stored is not None
    return result, stored


def visible(conn: Connection, me: Principal, corridors: CorridorConfig, status: str | None = None,
            limit: int = 1000) -> list[dict[str, Any]]:
    """An export authority's own notifications; law enforcement's those whose port lies in its granted
    corridors (``corridors`` places them); every notification for the targeting authority."""
    return db.listed(conn, me.org_id if me.role == "notifier" else None, status, limit, me.scope, corridors)


def one(conn: Connection, me: Principal, authority: str, reference: str,
        corridors: CorridorConfig) -> dict[str, Any]:
    """One notification with the shipments matched to it; another authority's, or for law enforcement one
    outside its corridors, is not found (404)."""
    if me.role == "notifier" and authority != me.org_id:
        raise NoticeError(f"no notification {authority}/{reference}", 404)
    row = db.get(conn, authority, reference, me.scope, corridors)
    if row is None:
        raise NoticeError(f"no notification {authority}/{reference}", 404)
    # the authority learns that its trade arrived; which partner carried it is the targeting side's business;
    # law enforcement sees the arrivals assessed in its corridors, as it sees those shipments
    arrived = db.arrivals(conn, authority, reference, scope=me.scope if me.role != "notifier" else None)
    row["arrivals"] = ([{"shipment_id": a["shipment_id"], "screened_at": a["created_at"]} for a in arrived]
                       if me.role == "notifier" else arrived)
    return row


def withdraw(conn: Connection, me: Principal, authority: str, reference: str,
             corridors: CorridorConfig) -> dict[str, Any]:
    """Withdraw one's own open notification (audited); it stops matching from the next screening."""
    current = one(conn, me, authority, reference, corridors)
    if me.role != "notifier" or authority != me.org_id:
        raise NoticeError(f"only {authority} withdraws its notifications", 403)
    if not db.withdraw(conn, authority, reference, datetime.now(UTC)):
        raise NoticeError(f"notification {authority}/{reference} is {current['status']} and cannot be withdrawn", 409)
    audit(conn, me.actor, "notification.withdraw", "notification", f"{authority}/{reference}")
    return one(conn, me, authority, reference, corridors)


__all__ = ["NoticeError", "check_notifier", "close_due", "file_one", "one", "store_rows", "visible", "withdraw"]
