"""bulk-load economy: large raw payloads stored zstd-compressed; two indexes no query used dropped

``raw_payloads`` records the codec and the size as received.  ``ix_parties_name``
and ``ix_reasons_code`` served no query (name searches match ``lower(name)``;
reasons are read by shipment), yet every stored row paid for them.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("raw_payloads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_codec", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("content_size", sa.BigInteger(), nullable=True))
    op.drop_index("ix_parties_name", table_name="parties")
    op.drop_index("ix_reasons_code", table_name="reasons")


def downgrade() -> None:
    op.create_index("ix_reasons_code", "reasons", ["code"], unique=False)
    op.create_index("ix_parties_name", "parties", ["name"], unique=False)
    with op.batch_alter_table("raw_payloads", schema=None) as batch_op:
        batch_op.drop_column("content_size")
        batch_op.drop_column("content_codec")
