"""Stored watchlists: versions with what each added, removed and changed; entries read back whole."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import Connection, text

from interdictor.reference.watchlists import Alias, read_list
from interdictor.store.watchlists import (
    current_entries,
    entries_of_version,
    removed_in_version,
    save_version,
    versions,
)

FIXTURES = Path(__file__).resolve().parents[1] / "reference" / "watchlists" / "fixtures"


def test_versions_report_added_removed_changed(conn: Connection) -> None:
    wl = read_list(FIXTURES / "official" / "SDN.CSV")
    first = save_version(conn, wl, "tester")
    assert first.version == 1 and len(first.diff.added) == 3
    again = save_version(conn, wl, "tester")
    assert again.version is None and again.diff.unchanged == 3  # nothing changed, no version
    entries = list(wl.entries)
    changed = replace(entries[0], aliases=(*entries[0].aliases, Alias("NEW ALIAS")))
    wl2 = replace(wl, entries=(changed, entries[1]))  # 99002 removed, 90380 changed
    second = save_version(conn, wl2, "tester")
    assert second.version == 2
    assert second.diff.changed == ("90380",) and second.diff.removed == ("99002",) and not second.diff.added
    current = {e.uid: e for e in current_entries(conn, ["ofac-sdn"])}
    assert set(current) == {"90380", "90401"}
    assert any(a.name == "NEW ALIAS" for a in current["90380"].aliases)
    assert [e.uid for e in entries_of_version(conn, "ofac-sdn", 2)] == ["90380"]
    assert removed_in_version(conn, "ofac-sdn", 2) == ["99002"]
    rows = versions(conn, "ofac-sdn")
    assert [(r["version"], r["added"], r["removed"], r["changed"]) for r in rows] == [
        (1, 3, 0, 0),
        (2, 0, 1, 1),
    ]
    audit = conn.execute(text("SELECT COUNT(*) FROM audit_log WHERE action = 'watchlist.import'")).scalar()
    assert audit == 2


def test_round_trip_keeps_everything(conn: Connection) -> None:
    wl = read_list(FIXTURES / "sdn.xml")
    save_version(conn, wl)
    stored = {e.uid: e for e in current_entries(conn)}
    for e in wl.entries:
        assert stored[e.uid] == e and stored[e.uid].fingerprint == e.fingerprint
