"""Sharing groups (a corridor task force, a national group, an industry group) and their members."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from interdictor.store import schema_sharing as sh
from interdictor.store.audit import audit


def exists(conn: Connection, group_id: str) -> bool:
    g = sh.sharing_groups
    return conn.execute(select(g.c.group_id).where(g.c.group_id == group_id)).first() is not None


def insert_group(conn: Connection, actor: str, group_id: str, name: str, kind: str, corridor: str | None,
                 policy: str) -> None:
    conn.execute(insert(sh.sharing_groups).values(group_id=group_id, name=name, kind=kind, corridor=corridor,
                                                  policy=policy, created_by=actor, created_at=datetime.now(UTC)))
    audit(conn, actor, "group.create", "group", group_id, {"kind": kind, "corridor": corridor, "policy": policy})


def add_member(conn: Connection, actor: str, group_id: str, org_id: str) -> bool:
    """Add ``org_id`` to the group; False when it is a member already."""
    m = sh.sharing_members
    if conn.execute(select(m.c.org_id).where(m.c.group_id == group_id, m.c.org_id == org_id)).first() is not None:
        return False
    conn.execute(insert(m).values(group_id=group_id, org_id=org_id))
    audit(conn, actor, "group.member", "group", group_id, {"org": org_id})
    return True


def list_groups(conn: Connection) -> list[dict[str, Any]]:
    g, m = sh.sharing_groups, sh.sharing_members
    members: dict[str, list[str]] = {}
    for gid, org in conn.execute(select(m.c.group_id, m.c.org_id).order_by(m.c.org_id)):
        members.setdefault(gid, []).append(org)
    return [{**dict(r), "members": members.get(r["group_id"], [])}
            for r in conn.execute(select(g).order_by(g.c.group_id)).mappings()]
