"""Closing the pre-notifications whose arrival window ended (``notification.unmatched``).

Safe to run from several processes at once: each notification is closed by an ``UPDATE ... WHERE status =
'open'`` in the same transaction as its audit row and its outbox event, so of two runs that reach the same
notification only the one whose update changed the row emits its event; the other finds nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection

from interdictor.reference.corridors import CorridorConfig
from interdictor.screening.assembly import choose_corridors
from interdictor.settings import Settings
from interdictor.store import notices as db
from interdictor.store.audit import audit
from interdictor.store.db import Store
from interdictor.store.events import emit


def close_due(conn: Connection, today: date, corridors: CorridorConfig, actor: str) -> list[dict[str, Any]]:
    """Close the notifications whose arrival window ended before ``today``; the ones no screened shipment
    matched are marked ``unmatched`` and returned, each with its ``authority`` organisation and ``corridor`` —
    the recipients of the ``notification.unmatched`` alert (the authority and the corridor's law
    enforcement).  Audited; a second run the same day finds nothing new."""
    unmatched = db.close_due(conn, today, corridors, datetime.now(UTC))
    for n in unmatched:
        audit(conn, actor, "notification.unmatched", "notification", f"{n['authority']}/{n['reference']}",
              {"corridor": n["corridor"], "arrival_to": n["arrival_to"]})
        emit(conn, "notification.unmatched", {"notification": _alert_body(n)}, corridor=n["corridor"],
             orgs=[n["authority"]])
    return unmatched


def close_windows(store: Store, settings: Settings, today: date | None = None,
                  actor: str = "background") -> list[dict[str, Any]]:
    """``close_due`` for today (UTC) in a transaction of its own, with the corridors screening places ports in."""
    with store.begin() as conn:
        return close_due(conn, today or datetime.now(UTC).date(), choose_corridors(conn, settings), actor)


def _alert_body(n: dict[str, Any]) -> dict[str, Any]:
    """What the ``notification.unmatched`` alert says: the notification as its authority filed it (only the
    authority, the targeting authority and the corridor's law enforcement hear of it)."""
    keys = ("authority", "reference", "exporter", "exporter_country", "importer", "importer_country", "goods",
            "quantity", "unit", "arrival_from", "arrival_to", "port", "corridor")
    return {k: (n[k].isoformat() if isinstance(n.get(k), date) else n.get(k)) for k in keys}
