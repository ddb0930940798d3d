"""notices: the exporting side's pre-notifications of lawful trade (goods_notifications)

Revision ID: notices_0001
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "notices_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("notices",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "goods_notifications",
        sa.Column("authority", sa.String(64), nullable=False),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("exporter", sa.Text(), nullable=False),
        sa.Column("exporter_country", sa.String(2), nullable=True),
        sa.Column("importer", sa.Text(), nullable=False),
        sa.Column("importer_country", sa.String(2), nullable=True),
        sa.Column("goods", sa.String(64), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(8), nullable=False),
        sa.Column("arrival_from", sa.Date(), nullable=False),
        sa.Column("arrival_to", sa.Date(), nullable=False),
        sa.Column("port", sa.String(16), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("authority", "reference", name=op.f("pk_goods_notifications")),
    )
    op.create_index("ix_goods_notifications_goods", "goods_notifications", ["goods"])
    op.create_index("ix_goods_notifications_due", "goods_notifications", ["status", "arrival_to"])


def downgrade() -> None:
    op.drop_index("ix_goods_notifications_due", table_name="goods_notifications")
    op.drop_index("ix_goods_notifications_goods", table_name="goods_notifications")
    op.drop_table("goods_notifications")
