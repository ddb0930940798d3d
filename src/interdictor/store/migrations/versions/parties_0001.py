"""parties: watchlist versions and entries, dismissals, actors, watchlist hits

Revision ID: parties_0001
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "parties_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("parties",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "watchlist_versions",
        sa.Column("list_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("published", sa.String(64), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("list_id", "version", name=op.f("pk_watchlist_versions")),
    )
    op.create_table(
        "watchlist_entries",
        sa.Column("list_id", sa.String(64), nullable=False),
        sa.Column("uid", sa.String(128), nullable=False),
        sa.Column("first_version", sa.Integer(), nullable=False),
        sa.Column("last_version", sa.Integer(), nullable=True),
        sa.Column("fingerprint", sa.String(32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("programs", sa.Text(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("list_id", "uid", "first_version", name=op.f("pk_watchlist_entries")),
    )
    op.create_index("ix_watchlist_entries_current", "watchlist_entries", ["list_id", "last_version"])
    op.create_table(
        "party_dismissals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("party_key", sa.String(64), nullable=False),
        sa.Column("party_name", sa.Text(), nullable=False),
        sa.Column("party_address", sa.Text(), nullable=True),
        sa.Column("list_id", sa.String(64), nullable=False),
        sa.Column("uid", sa.String(128), nullable=False),
        sa.Column("fingerprint", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(128), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_dismissals")),
    )
    op.create_index("ix_party_dismissals_key", "party_dismissals", ["party_key", "list_id", "uid"])
    op.create_table(
        "actors",
        sa.Column("actor_id", sa.String(32), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("actor_id", name=op.f("pk_actors")),
    )
    op.create_table(
        "actor_links",
        sa.Column("actor_id", sa.String(32), nullable=False),
        sa.Column("party_key", sa.String(64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("actor_id", "party_key", name=op.f("pk_actor_links")),
    )
    op.create_index("ix_actor_links_key", "actor_links", ["party_key"])
    op.create_table(
        "watchlist_hits",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("list_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(128), nullable=False),
        sa.Column("partner", sa.String(64), nullable=False),
        sa.Column("shipment_id", sa.String(128), nullable=False),
        sa.Column("shipment_version", sa.Integer(), nullable=False),
        sa.Column("party", sa.String(16), nullable=True),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watchlist_hits")),
    )
    op.create_index("ix_watchlist_hits_shipment", "watchlist_hits", ["partner", "shipment_id"])


def downgrade() -> None:
    op.drop_index("ix_watchlist_hits_shipment", table_name="watchlist_hits")
    op.drop_table("watchlist_hits")
    op.drop_index("ix_actor_links_key", table_name="actor_links")
    op.drop_table("actor_links")
    op.drop_table("actors")
    op.drop_index("ix_party_dismissals_key", table_name="party_dismissals")
    op.drop_table("party_dismissals")
    op.drop_index("ix_watchlist_entries_current", table_name="watchlist_entries")
    op.drop_table("watchlist_entries")
    op.drop_table("watchlist_versions")
