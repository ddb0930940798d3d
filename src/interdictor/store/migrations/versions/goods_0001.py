"""goods: DEA registrants and notified transactions

Revision ID: goods_0001
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "goods_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("goods",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "goods_registrants",
        sa.Column("registration", sa.String(32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("city", sa.Text(), nullable=True),
        sa.Column("state", sa.String(8), nullable=True),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("activities", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("registration", name=op.f("pk_goods_registrants")),
    )
    op.create_table(
        "goods_transactions",
        sa.Column("transaction_id", sa.String(64), nullable=False),
        sa.Column("form", sa.String(8), nullable=False),
        sa.Column("registration", sa.String(32), nullable=False),
        sa.Column("importer", sa.Text(), nullable=False),
        sa.Column("goods", sa.String(64), nullable=False),
        sa.Column("quantity_kg", sa.Float(), nullable=True),
        sa.Column("units", sa.Float(), nullable=True),
        sa.Column("filed_on", sa.Date(), nullable=True),
        sa.Column("arrival_from", sa.Date(), nullable=True),
        sa.Column("arrival_to", sa.Date(), nullable=True),
        sa.Column("exporter", sa.Text(), nullable=True),
        sa.Column("port", sa.String(16), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("transaction_id", name=op.f("pk_goods_transactions")),
    )
    op.create_index("ix_goods_transactions_goods", "goods_transactions", ["goods"])


def downgrade() -> None:
    op.drop_index("ix_goods_transactions_goods", table_name="goods_transactions")
    op.drop_table("goods_transactions")
    op.drop_table("goods_registrants")
