"""stream: ledger of messages taken from the intake stream

Revision ID: stream_0001
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "stream_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("stream",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stream_messages",
        sa.Column("msg_key", sa.String(length=64), nullable=False),
        sa.Column("partner", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=256), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=True),
        sa.Column("stream_seq", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("run_id", sa.String(length=36), nullable=True),
        sa.Column("document_ids", sa.Text(), nullable=True),
        sa.Column("worker", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("msg_key", name=op.f("pk_stream_messages")),
    )
    op.create_index("ix_stream_messages_partner", "stream_messages", ["partner", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_stream_messages_partner", table_name="stream_messages")
    op.drop_table("stream_messages")
