"""learned: goods profiles learned from the store's traffic, one set per version

Revision ID: learned_0001
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "learned_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("learned",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "learned_profile_sets",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("min_n", sa.Integer(), nullable=False),
        sa.Column("knowledge_base", sa.String(64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_learned_profile_sets")),
    )
    op.create_table(
        "learned_profiles",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("metric", sa.String(16), nullable=False),
        sa.Column("median", sa.Float(), nullable=False),
        sa.Column("spread", sa.Float(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["version"], ["learned_profile_sets.version"],
                                name=op.f("fk_learned_profiles_version_learned_profile_sets")),
        sa.PrimaryKeyConstraint("version", "kind", "key", "metric", name=op.f("pk_learned_profiles")),
    )


def downgrade() -> None:
    op.drop_table("learned_profiles")
    op.drop_table("learned_profile_sets")
