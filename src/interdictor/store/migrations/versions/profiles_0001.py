"""profiles: column-mapping profiles stored by name and version

Revision ID: profiles_0001
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "profiles_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("profiles",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "column_profiles",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("name", "version", name=op.f("pk_column_profiles")),
    )


def downgrade() -> None:
    op.drop_table("column_profiles")
