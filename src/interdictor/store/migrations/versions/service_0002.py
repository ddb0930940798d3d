"""service: how each decision was picked (``decisions.pick_kind``) and when an exam took place
(``outcomes.examined_at``)

``pick_kind`` is ``exploit``, ``explore_uncertain``, ``explore_random``, ``manual`` or ``imported``;
decisions stored before it was kept have none (only their ``exploration`` flag).  ``examined_at`` is
given by imported outcomes, and is what makes importing the same file twice a no-op.

Revision ID: service_0002
Revises: service_0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "service_0002"
down_revision: str | Sequence[str] | None = "service_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pick_kind", sa.String(length=24), nullable=True))
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("examined_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outcomes", schema=None) as batch_op:
        batch_op.drop_column("examined_at")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_column("pick_kind")
