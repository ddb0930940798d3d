"""network: how far the network has grown (screening stores shipments; the network follows them)

Revision ID: network_0003
Revises: network_0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "network_0003"
down_revision: str | Sequence[str] | None = "network_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "network_state",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("mark", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_network_state")),
    )


def downgrade() -> None:
    op.drop_table("network_state")
