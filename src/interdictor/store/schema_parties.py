"""Tables of party and address intelligence: watchlist versions and entries,
dismissed matches, actors linked across shipments, and hits raised when a new
list version is screened against recent shipments.

Watchlist entries are kept as validity ranges: a row is an entry's content from
``first_version`` up to ``last_version`` (NULL while current), so a version's
additions, removals and changes are plain queries and unchanged entries are
stored once.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Float, Index, Integer, String, Table, Text

from interdictor.store.schema import metadata

watchlist_versions = Table(
    "watchlist_versions",
    metadata,
    Column("list_id", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("source", Text, nullable=False),
    Column("format", String(32), nullable=False),
    Column("published", String(64)),
    Column("sha256", String(64), nullable=False),
    Column("entries", Integer, nullable=False),
    Column("added", Integer, nullable=False),
    Column("removed", Integer, nullable=False),
    Column("changed", Integer, nullable=False),
)

watchlist_entries = Table(
    "watchlist_entries",
    metadata,
    Column("list_id", String(64), primary_key=True),
    Column("uid", String(128), primary_key=True),
    Column("first_version", Integer, primary_key=True),
    Column("last_version", Integer),  # NULL: still in the current version
    Column("fingerprint", String(32), nullable=False),
    Column("name", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("programs", Text),  # '; '-joined
    Column("data", Text, nullable=False),  # JSON: aliases, addresses, phones, emails, countries, remarks
    Index("ix_watchlist_entries_current", "list_id", "last_version"),
)

party_dismissals = Table(
    "party_dismissals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("party_key", String(64), nullable=False),  # hash of the folded name and address
    Column("party_name", Text, nullable=False),
    Column("party_address", Text),
    Column("list_id", String(64), nullable=False),
    Column("uid", String(128), nullable=False),
    Column("fingerprint", String(32), nullable=False),  # the entry as it was when dismissed
    Column("reason", Text, nullable=False),
    Column("actor", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("revoked_by", String(128)),
    Index("ix_party_dismissals_key", "party_key", "list_id", "uid"),
)

actors = Table(
    "actors",
    metadata,
    Column("actor_id", String(32), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("name", Text, nullable=False),
    Column("address", Text),
    Column("country", String(2)),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
)

actor_links = Table(
    "actor_links",
    metadata,
    Column("actor_id", String(32), primary_key=True),
    Column("party_key", String(64), primary_key=True),  # one name+address variant of the actor
    Column("name", Text, nullable=False),
    Column("address", Text),
    Column("evidence", Text, nullable=False),  # why this variant is this actor
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_actor_links_key", "party_key"),
)

watchlist_hits = Table(
    "watchlist_hits",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("list_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("uid", String(128), nullable=False),
    Column("partner", String(64), nullable=False),
    Column("shipment_id", String(128), nullable=False),
    Column("shipment_version", Integer, nullable=False),
    Column("party", String(16)),
    Column("code", String(64), nullable=False),
    Column("weight", Float, nullable=False),
    Column("evidence", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_watchlist_hits_shipment", "partner", "shipment_id"),
)
