"""network: actors (variants), the identifiers they use and the parties of stored shipments

Revision ID: network_0001
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "network_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("network",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "network_variants",
        sa.Column("variant", sa.String(), nullable=False),
        sa.Column("actor_id", sa.String(32), nullable=False),
        sa.Column("name", sa.Text()),
        sa.Column("name_key", sa.String(), nullable=False),
        sa.Column("evidence", sa.Text()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("variant", name=op.f("pk_network_variants")),
    )
    op.create_index("ix_network_variants_actor", "network_variants", ["actor_id"])
    op.create_table(
        "network_uses",
        sa.Column("variant", sa.String(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.Column("name_key", sa.String(), nullable=False),
        sa.Column("shown", sa.Text()),
        sa.PrimaryKeyConstraint("variant", "kind", "value", name=op.f("pk_network_uses")),
    )
    op.create_index("ix_network_uses_identifier", "network_uses", ["kind", "value"])
    op.create_table(
        "network_parties",
        sa.Column("partner", sa.String(64), nullable=False),
        sa.Column("shipment_id", sa.String(), nullable=False),
        sa.Column("party", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("variant", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("partner", "shipment_id", "party", name=op.f("pk_network_parties")),
    )
    op.create_index("ix_network_parties_variant", "network_parties", ["variant"])


def downgrade() -> None:
    op.drop_table("network_parties")
    op.drop_table("network_uses")
    op.drop_table("network_variants")
