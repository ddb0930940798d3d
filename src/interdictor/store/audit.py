"""The audit log: append a line (inside the caller's transaction) and read lines back, newest first.

Needs only the schema, so any repository or entry point can log an event without importing the writer.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from interdictor.store.schema import audit_log


def audit(conn: Connection, actor: str, action: str, kind: str | None = None, target: str | None = None,
          detail: dict[str, Any] | None = None) -> None:
    """Append one line: who (``actor``) did what (``action``) to which object (``kind``, ``target``)."""
    conn.execute(insert(audit_log).values(
        at=datetime.now(UTC), actor=actor, action=action, object_type=kind, object_id=target,
        detail=json.dumps(detail, default=str) if detail else None,
    ))


def audit_entries(conn: Connection, *, actor: str | None = None, action: str | None = None,
                  object_id: str | None = None, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
    """Lines matching every given field, newest first (``limit`` capped at 1,000)."""
    a = audit_log
    q = select(a)
    if actor:
        q = q.where(a.c.actor == actor)
    if action:
        q = q.where(a.c.action == action)
    if object_id:
        q = q.where(a.c.object_id == object_id)
    q = q.order_by(a.c.id.desc()).limit(max(1, min(limit, 1000))).offset(max(0, offset))
    return [dict(r) for r in conn.execute(q).mappings()]
