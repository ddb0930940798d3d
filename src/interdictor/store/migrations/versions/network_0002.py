"""network: variants found by their folded name (a company under one name is one actor)

Revision ID: network_0002
Revises: network_0001
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "network_0002"
down_revision: str | Sequence[str] | None = "network_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_network_variants_name", "network_variants", ["name_key"])


def downgrade() -> None:
    op.drop_index("ix_network_variants_name", table_name="network_variants")
