"""Stored watchlists: every import a version, with what it added, removed and changed.

The lists are parsed (``reference.watchlists``) before they get here; this module only keeps and
reads them back as ``Entry`` values.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update

from interdictor.reference.watchlists.model import Diff, Entry, WatchList, diff_entries
from interdictor.store import schema_parties as tp
from interdictor.store.audit import audit

_CHUNK = 500


@dataclass(frozen=True)
class ImportReport:
    list_id: str
    version: int | None  # None: nothing changed, no version written
    entries: int
    diff: Diff
    problems: int

    def line(self) -> str:
        d = self.diff
        if self.version is None:
            return f"{self.list_id}: unchanged ({self.entries:,} entries); no new version"
        return (
            f"{self.list_id} v{self.version}: {self.entries:,} entries — {len(d.added):,} added, "
            f"{len(d.removed):,} removed, {len(d.changed):,} changed, {d.unchanged:,} unchanged"
        )


def _row(e: Entry, version: int) -> dict[str, Any]:
    data = e.to_json()
    for k in ("uid", "name", "kind", "programs"):
        data.pop(k)
    return {
        "list_id": e.list_id,
        "uid": e.uid,
        "first_version": version,
        "last_version": None,
        "fingerprint": e.fingerprint,
        "name": e.name,
        "kind": e.kind,
        "programs": "; ".join(e.programs),
        "data": json.dumps(data, ensure_ascii=False, sort_keys=True),
    }


def _entry(r: Any) -> Entry:
    data = json.loads(r.data)
    data.update(
        uid=r.uid, name=r.name, kind=r.kind, programs=[p for p in (r.programs or "").split("; ") if p]
    )
    return Entry.from_json(r.list_id, data)


def latest_version(conn: Connection, list_id: str) -> int:
    v = conn.execute(
        select(func.max(tp.watchlist_versions.c.version)).where(tp.watchlist_versions.c.list_id == list_id)
    ).scalar()
    return int(v or 0)


def current_fingerprints(conn: Connection, list_id: str) -> dict[str, str]:
    e = tp.watchlist_entries.c
    q = select(e.uid, e.fingerprint).where(e.list_id == list_id, e.last_version.is_(None))
    return {r.uid: r.fingerprint for r in conn.execute(q)}


def save_version(conn: Connection, wl: WatchList, actor: str = "cli") -> ImportReport:
    """Store ``wl`` as the next version of its list (no version when nothing changed)."""
    old = current_fingerprints(conn, wl.list_id)
    diff = diff_entries(old, wl.entries)
    if diff.empty and old:
        return ImportReport(wl.list_id, None, len(wl.entries), diff, len(wl.problems))
    version = latest_version(conn, wl.list_id) + 1
    e = tp.watchlist_entries.c
    closing = [*diff.removed, *diff.changed]
    for i in range(0, len(closing), _CHUNK):
        conn.execute(
            update(tp.watchlist_entries)
            .where(e.list_id == wl.list_id, e.last_version.is_(None), e.uid.in_(closing[i : i + _CHUNK]))
            .values(last_version=version - 1)
        )
    new_uids = set(diff.added) | set(diff.changed)
    rows = [_row(x, version) for x in wl.entries if x.uid in new_uids]
    for i in range(0, len(rows), _CHUNK):
        conn.execute(insert(tp.watchlist_entries), rows[i : i + _CHUNK])
    conn.execute(
        insert(tp.watchlist_versions).values(
            list_id=wl.list_id,
            version=version,
            imported_at=datetime.now(UTC),
            actor=actor,
            source=wl.source,
            format=wl.fmt,
            published=wl.published,
            sha256=wl.fingerprint,
            entries=len(wl.entries),
            added=len(diff.added),
            removed=len(diff.removed),
            changed=len(diff.changed),
        )
    )
    audit(
        conn,
        actor,
        "watchlist.import",
        "watchlist",
        f"{wl.list_id}:v{version}",
        {
            "source": wl.source,
            "format": wl.fmt,
            "entries": len(wl.entries),
            "added": len(diff.added),
            "removed": len(diff.removed),
            "changed": len(diff.changed),
            "problems": len(wl.problems),
        },
    )
    return ImportReport(wl.list_id, version, len(wl.entries), diff, len(wl.problems))


def current_entries(conn: Connection, list_ids: Sequence[str] | None = None) -> list[Entry]:
    e = tp.watchlist_entries.c
    q = select(tp.watchlist_entries).where(e.last_version.is_(None))
    if list_ids:
        q = q.where(e.list_id.in_(list(list_ids)))
    return [_entry(r) for r in conn.execute(q)]


def entries_of_version(conn: Connection, list_id: str, version: int) -> list[Entry]:
    """Entries that version ``version`` added or changed (what continuous screening re-screens)."""
    e = tp.watchlist_entries.c
    q = select(tp.watchlist_entries).where(e.list_id == list_id, e.first_version == version)
    return [_entry(r) for r in conn.execute(q)]


def removed_in_version(conn: Connection, list_id: str, version: int) -> list[str]:
    e = tp.watchlist_entries.c
    closed = select(e.uid).where(e.list_id == list_id, e.last_version == version - 1)
    reopened = select(e.uid).where(e.list_id == list_id, e.first_version == version)
    gone = {r.uid for r in conn.execute(closed)} - {r.uid for r in conn.execute(reopened)}
    return sorted(gone)


def versions(conn: Connection, list_id: str | None = None) -> list[dict[str, Any]]:
    v = tp.watchlist_versions.c
    q = select(tp.watchlist_versions).order_by(v.list_id, v.version)
    if list_id:
        q = q.where(v.list_id == list_id)
    return [dict(r._mapping) for r in conn.execute(q)]


def current_versions(conn: Connection) -> dict[str, int]:
    v = tp.watchlist_versions.c
    q = select(v.list_id, func.max(v.version)).group_by(v.list_id)
    return {r[0]: int(r[1]) for r in conn.execute(q)}


def find_entry(conn: Connection, list_id: str, uid: str) -> Entry | None:
    e = tp.watchlist_entries.c
    r = conn.execute(
        select(tp.watchlist_entries).where(and_(e.list_id == list_id, e.uid == uid, e.last_version.is_(None)))
    ).first()
    return _entry(r) if r is not None else None


def uids(entries: Iterable[Entry]) -> set[tuple[str, str]]:
    return {(e.list_id, e.uid) for e in entries}
