"""Stored party intelligence: what past shipments say about parties, dismissed matches, actor links,
and the hits continuous screening raised.

Reads return plain values (polars frames, sets, dicts) that ``screen.parties`` builds its part from;
writes are audited in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
from sqlalchemy import Connection, exists, func, insert, or_, select, text, update

from interdictor.screen.parties.actors import Link
from interdictor.screen.parties.continuous import PARTY_COLUMNS, Hit
from interdictor.screen.parties.dismissals import DismissalError, PartyRef, check_dismissal, entry_or_curated
from interdictor.store import schema_parties as tp
from interdictor.store.audit import audit
from interdictor.store.shipments import contains_pattern
from interdictor.store.watchlists import find_entry

Dismissed = frozenset[tuple[str, str, str, str]]

# shipper addresses filed under two or more names, with every name used there
_SHARED_SQL = """
SELECT p.address AS address, p.postal_code AS postal_code, p.country AS country, p.name AS name
FROM parties p
JOIN (SELECT address, postal_code, country FROM parties
      WHERE party = 'shipper' AND address IS NOT NULL AND name IS NOT NULL
      GROUP BY address, postal_code, country HAVING COUNT(DISTINCT name) >= 2) g
  ON g.address = p.address AND COALESCE(g.postal_code, '') = COALESCE(p.postal_code, '')
 AND COALESCE(g.country, '') = COALESCE(p.country, '')
WHERE p.party = 'shipper' AND p.name IS NOT NULL
GROUP BY p.address, p.postal_code, p.country, p.name
"""
_CONSIGNEES_SQL = """
SELECT DISTINCT name, postal_code, country FROM parties WHERE party = 'consignee' AND name IS NOT NULL
"""
_RECENT_SQL = """
SELECT p.partner, p.shipment_id, p.version, p.party, p.name, p.address, p.city, p.state, p.postal_code,
       p.country, p.phone, p.email
FROM parties p JOIN shipments s
  ON s.partner = p.partner AND s.shipment_id = p.shipment_id AND s.version = p.version
WHERE s.is_current AND s.received_at >= :since
"""
_S = pl.String


def _frame(conn: Connection, sql: str, schema: dict[str, Any], **params: Any) -> pl.DataFrame:
    rows = conn.execute(text(sql), params).fetchall()
    return pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")


# ------------------------------------------------------------------ history (aggregates, never every row)


def shared_shipper_addresses(conn: Connection) -> pl.DataFrame:
    """``address, postal_code, country, name``: shipper addresses used by several names, one row a name."""
    return _frame(conn, _SHARED_SQL, {"address": _S, "postal_code": _S, "country": _S, "name": _S})


def seen_consignees(conn: Connection) -> pl.DataFrame:
    """``name, postal_code, country`` of every consignee seen before, once each."""
    return _frame(conn, _CONSIGNEES_SQL, {"name": _S, "postal_code": _S, "country": _S})


def shipments_seen(conn: Connection) -> int:
    """Shipment versions stored (every version counts, as the history reasons expect)."""
    return int(conn.execute(text("SELECT COUNT(*) FROM shipments")).scalar() or 0)


def recent_parties(conn: Connection, days: float) -> pl.DataFrame:
    """Parties of current shipments received in the last ``days`` (``PARTY_COLUMNS``)."""
    since = datetime.now(UTC) - timedelta(days=days)
    schema: dict[str, Any] = {c: _S for c in PARTY_COLUMNS} | {"version": pl.Int64}
    return _frame(conn, _RECENT_SQL, schema, since=since)


# ------------------------------------------------------------------ dismissals


def active_dismissals(conn: Connection) -> Dismissed:
    """``(party_key, list_id, uid, fingerprint)`` of every dismissal not revoked."""
    d = tp.party_dismissals.c
    q = select(d.party_key, d.list_id, d.uid, d.fingerprint).where(d.revoked_at.is_(None))
    return frozenset((r[0], r[1], r[2], r[3]) for r in conn.execute(q))


def dismiss(conn: Connection, party: PartyRef, list_id: str, uid: str, reason: str, actor: str) -> int:
    """Record that ``party`` is not entry ``uid`` of ``list_id`` as it is now; returns the dismissal's number."""
    check_dismissal(reason, actor)
    entry = entry_or_curated(find_entry(conn, list_id, uid), list_id, uid)
    res = conn.execute(
        insert(tp.party_dismissals).values(
            party_key=party.key, party_name=party.name, party_address=party.address, list_id=list_id, uid=uid,
            fingerprint=entry.fingerprint, reason=reason.strip(), actor=actor, created_at=datetime.now(UTC),
        )
    )
    new_id = int(res.inserted_primary_key[0]) if res.inserted_primary_key else 0
    audit(conn, actor, "party.dismiss", "dismissal", str(new_id), {
        "party": party.name, "address": party.address, "list_id": list_id, "uid": uid, "entry": entry.name,
        "fingerprint": entry.fingerprint, "reason": reason.strip(),
    })
    return new_id


def revoke(conn: Connection, dismissal_id: int, actor: str, reason: str = "") -> None:
    t = tp.party_dismissals.c
    res = conn.execute(
        update(tp.party_dismissals)
        .where(t.id == dismissal_id, t.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC), revoked_by=actor)
    )
    if res.rowcount == 0:
        raise DismissalError(f"no active dismissal {dismissal_id}")
    audit(conn, actor, "party.dismiss.revoke", "dismissal", str(dismissal_id), {"reason": reason})


def dismissals(conn: Connection, active_only: bool = True) -> list[dict[str, Any]]:
    t = tp.party_dismissals.c
    q = select(tp.party_dismissals).order_by(t.id)
    if active_only:
        q = q.where(t.revoked_at.is_(None))
    return [dict(r._mapping) for r in conn.execute(q)]


# ------------------------------------------------------------------ actors


def record_links(conn: Connection, links: Iterable[Link], role_of: dict[str, str] | None = None) -> int:
    """Store new actor links (a variant already linked keeps its first actor, so ids stay stable);
    returns how many were new."""
    now = datetime.now(UTC)
    new = 0
    for link in links:
        known = conn.execute(select(tp.actor_links.c.actor_id).where(tp.actor_links.c.party_key == link.variant)).first()
        if known is not None:
            continue
        conn.execute(insert(tp.actor_links).values(
            actor_id=link.actor_id, party_key=link.variant, name=link.name, address=link.address,
            evidence=link.evidence, created_at=now,
        ))
        new += 1
        seen = conn.execute(select(tp.actors.c.actor_id).where(tp.actors.c.actor_id == link.actor_id)).first()
        if seen is None:
            role = (role_of or {}).get(link.variant) or link.variant.split("|", 1)[0]
            conn.execute(insert(tp.actors).values(
                actor_id=link.actor_id, role=role, name=link.name, address=link.address, first_seen=now, last_seen=now,
            ))
        else:
            conn.execute(update(tp.actors).where(tp.actors.c.actor_id == link.actor_id).values(last_seen=now))
    return new


def search_actors(conn: Connection, name: str, limit: int = 50) -> list[dict[str, Any]]:
    """Actors (resolved parties across shipments) whose name or variants contain ``name``, latest first."""
    like = contains_pattern(name)
    a, links = tp.actors, tp.actor_links
    stmt = (select(a).where(or_(func.lower(a.c.name).like(like), exists().where(
        links.c.actor_id == a.c.actor_id, func.lower(links.c.name).like(like))))
        .order_by(a.c.last_seen.desc()).limit(max(1, min(limit, 500))))
    return [dict(r) for r in conn.execute(stmt).mappings()]


# ------------------------------------------------------------------ hits of continuous screening


def recorded_hits(conn: Connection, list_id: str, version: int) -> set[tuple[str, str, int, str, str]]:
    """``(partner, shipment_id, shipment_version, uid, code)`` already raised for this list version."""
    h = tp.watchlist_hits.c
    q = select(h.partner, h.shipment_id, h.shipment_version, h.uid, h.code).where(
        h.list_id == list_id, h.version == version)
    return {(r[0], r[1], int(r[2]), r[3], r[4]) for r in conn.execute(q)}


def record_hits(conn: Connection, list_id: str, version: int, hits: list[Hit], actor: str,
                detail: dict[str, Any]) -> None:
    """Store a re-screening's new hits and audit the re-screening (``detail`` plus the hit count)."""
    now = datetime.now(UTC)
    for hit in hits:
        conn.execute(insert(tp.watchlist_hits).values(
            list_id=list_id, version=version, uid=hit.uid, partner=hit.partner, shipment_id=hit.shipment_id,
            shipment_version=hit.shipment_version, party=hit.party, code=hit.code, weight=hit.weight,
            evidence=hit.evidence, created_at=now,
        ))
    audit(conn, actor, "watchlist.rescreen", "watchlist", f"{list_id}:v{version}", {**detail, "hits": len(hits)})
    emit_list_hits(conn, list_id, version, hits)


def emit_list_hits(conn: Connection, list_id: str, version: int, hits: list[Hit]) -> None:
    """One ``list.hit`` event per shipment of ``hits``, raised in the transaction that stores them (the outbox):
    the shipment's identifiers, its route and goods (non-nominal), the parties that matched (nominal) and the
    list, codes and weights (internal)."""
    from interdictor.store.events import emit
    from interdictor.store.incidents import from_shipment

    by_shipment: dict[tuple[str, str], list[Hit]] = {}
    for hit in hits:
        by_shipment.setdefault((hit.partner, hit.shipment_id), []).append(hit)
    for (partner, shipment_id), found in by_shipment.items():
        parts = from_shipment(conn, partner, shipment_id, what=None, quantity=None, unit=None) or {}
        data = {
            "shipment": parts.get("identifiers") or {"partner": partner, "shipment_id": shipment_id},
            "non_nominal": {"how": (parts.get("non_nominal") or {}).get("how")},
            "nominal": {"who": (parts.get("nominal") or {}).get("who"),
                        "matched": [{"party": h.party, "evidence": h.evidence} for h in found]},
            "internal": {"list_id": list_id, "version": version,
                         "hits": [{"code": h.code, "weight": h.weight, "uid": h.uid, "party": h.party,
                                   "shipment_version": h.shipment_version} for h in found]},
        }
        emit(conn, "list.hit", data, partner=partner, shipment_id=shipment_id, corridor=parts.get("corridor"))
