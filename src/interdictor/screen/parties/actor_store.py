"""Keeping actor links in the store, so an actor id outlives the batch that made it.

``record_links(conn, links)`` writes each variant's link once (``actor_links``)
and its actor (``actors``); a variant already linked keeps its first actor, so
ids are stable as new shipments arrive.  The network work reads these tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select, update

from interdictor.screen.parties.actors import Link
from interdictor.store import schema_parties as tp


def record_links(conn: Connection, links: Iterable[Link], role_of: dict[str, str] | None = None) -> int:
    """Store new links; returns how many were new."""
    now = datetime.now(UTC)
    new = 0
    for link in links:
        known = conn.execute(
            select(tp.actor_links.c.actor_id).where(tp.actor_links.c.party_key == link.variant)
        ).first()
        if known is not None:
            continue
        conn.execute(
            insert(tp.actor_links).values(
                actor_id=link.actor_id,
                party_key=link.variant,
                name=link.name,
                address=link.address,
                evidence=link.evidence,
                created_at=now,
            )
        )
        new += 1
        exists = conn.execute(
            select(tp.actors.c.actor_id).where(tp.actors.c.actor_id == link.actor_id)
        ).first()
        if exists is None:
            role = (role_of or {}).get(link.variant) or link.variant.split("|", 1)[0]
            conn.execute(
                insert(tp.actors).values(
                    actor_id=link.actor_id,
                    role=role,
                    name=link.name,
                    address=link.address,
                    first_seen=now,
                    last_seen=now,
                )
            )
        else:
            conn.execute(update(tp.actors).where(tp.actors.c.actor_id == link.actor_id).values(last_seen=now))
    return new
