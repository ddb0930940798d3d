"""Dismissing a match: "this party is not that list entry".

A dismissal names the party (its folded name and address) and the entry as it
was (its fingerprint).  The detector drops that pair until either changes: a
new address, a different spelling that folds differently, or a new version of
the entry (an added alias, address or programme) brings the alert back.  Every
dismissal and revocation is written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from interdictor.reference.watchlists import CURATED_LIST_ID, curated_list
from interdictor.reference.watchlists.model import Entry
from interdictor.reference.watchlists.repository import find_entry
from interdictor.screen.parties.addresses import address_key
from interdictor.screen.parties.list_reasons import party_key
from interdictor.store import schema_parties as tp
from interdictor.store.repo import audit


class DismissalError(ValueError):
    pass


@dataclass(frozen=True)
class PartyRef:
    name: str
    address: str | None = None
    postal_code: str | None = None
    country: str | None = None

    @property
    def key(self) -> str:
        return party_key(self.name, address_key(self.address, self.postal_code, self.country))


def _entry(conn: Connection, list_id: str, uid: str) -> Entry:
    entry = find_entry(conn, list_id, uid)
    if entry is None and list_id == CURATED_LIST_ID:
        entry = next((e for e in curated_list().entries if e.uid == uid), None)
    if entry is None:
        raise DismissalError(
            f"no current entry {uid!r} in list {list_id!r}; see `interdictor lists show {list_id}`"
        )
    return entry


def dismiss(conn: Connection, party: PartyRef, list_id: str, uid: str, reason: str, actor: str) -> int:
    if not reason.strip():
        raise DismissalError("a dismissal needs a reason (what shows this party is not the entry)")
    if not actor.strip():
        raise DismissalError("a dismissal needs the name of who dismisses it")
    entry = _entry(conn, list_id, uid)
    res = conn.execute(
        insert(tp.party_dismissals).values(
            party_key=party.key,
            party_name=party.name,
            party_address=party.address,
            list_id=list_id,
            uid=uid,
            fingerprint=entry.fingerprint,
            reason=reason.strip(),
            actor=actor,
            created_at=datetime.now(UTC),
        )
    )
    new_id = int(res.inserted_primary_key[0]) if res.inserted_primary_key else 0
    audit(
        conn,
        actor,
        "party.dismiss",
        "dismissal",
        str(new_id),
        {
            "party": party.name,
            "address": party.address,
            "list_id": list_id,
            "uid": uid,
            "entry": entry.name,
            "fingerprint": entry.fingerprint,
            "reason": reason.strip(),
        },
    )
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
