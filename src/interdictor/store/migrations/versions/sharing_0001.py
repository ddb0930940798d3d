"""sharing: incidents, sharing groups, watches, the outbox of events, alert subscriptions and deliveries

Revision ID: sharing_0001
Revises: 0001
Depends on: service_0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "sharing_0001"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = ("sharing",)
depends_on: str | Sequence[str] | None = "service_0002"

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("incident_id", sa.String(36), nullable=False),
        sa.Column("partner", sa.String(64)),
        sa.Column("shipment_id", sa.String(128)),
        sa.Column("version", sa.Integer()),
        sa.Column("outcome_id", sa.Integer()),
        sa.Column("corridor", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("identifiers", sa.Text(), nullable=False),
        sa.Column("non_nominal", sa.Text(), nullable=False),
        sa.Column("nominal", sa.Text(), nullable=False),
        sa.Column("opened_by", sa.String(128), nullable=False),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("updated_by", sa.String(128)),
        sa.Column("updated_at", TS),
        sa.PrimaryKeyConstraint("incident_id", name=op.f("pk_incidents")),
    )
    op.create_index("ix_incidents_shipment", "incidents", ["partner", "shipment_id"])
    op.create_index("ix_incidents_opened", "incidents", ["opened_at"])
    op.create_table(
        "sharing_groups",
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("corridor", sa.String(64)),
        sa.Column("policy", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("group_id", name=op.f("pk_sharing_groups")),
    )
    op.create_table(
        "sharing_members",
        sa.Column("group_id", sa.String(64), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("group_id", "org_id", name=op.f("pk_sharing_members")),
    )
    op.create_table(
        "watches",
        sa.Column("watch_id", sa.String(36), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("watch_id", name=op.f("pk_watches")),
    )
    op.create_index("ix_watches_org_id", "watches", ["org_id"])
    op.create_index("ix_watches_key", "watches", ["kind", "key"])
    op.create_table(
        "outbox_events",
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("event", sa.String(48), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("partner", sa.String(64)),
        sa.Column("shipment_id", sa.String(128)),
        sa.Column("corridor", sa.String(64)),
        sa.Column("orgs", sa.Text()),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("fanned_at", TS),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_outbox_events")),
    )
    op.create_index("ix_outbox_events_pending", "outbox_events", ["fanned_at", "created_at"])
    op.create_table(
        "alert_subscriptions",
        sa.Column("subscription_id", sa.String(36), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("events", sa.Text(), nullable=False),
        sa.Column("secret", sa.Text()),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("subscription_id", name=op.f("pk_alert_subscriptions")),
    )
    op.create_index("ix_alert_subscriptions_org_id", "alert_subscriptions", ["org_id"])
    op.create_table(
        "alert_deliveries",
        sa.Column("delivery_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("subscription_id", sa.String(36), nullable=False),
        sa.Column("event", sa.String(48), nullable=False),
        sa.Column("share", sa.String(16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_at", TS, nullable=False),
        sa.Column("lease_until", TS),
        sa.Column("last_error", sa.Text()),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("delivered_at", TS),
        sa.PrimaryKeyConstraint("delivery_id", name=op.f("pk_alert_deliveries")),
        sa.UniqueConstraint("event_id", "subscription_id", name=op.f("uq_alert_deliveries_event_id_subscription_id")),
    )
    op.create_index("ix_alert_deliveries_subscription_id", "alert_deliveries", ["subscription_id"])
    op.create_index("ix_alert_deliveries_due", "alert_deliveries", ["status", "next_at"])
    op.create_table(
        "alert_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("status_code", sa.Integer()),
        sa.Column("error", sa.Text()),
        sa.Column("ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_attempts")),
    )
    op.create_index("ix_alert_attempts_delivery_id", "alert_attempts", ["delivery_id"])


def downgrade() -> None:
    for table in ("alert_attempts", "alert_deliveries", "alert_subscriptions", "outbox_events", "watches",
                  "sharing_members", "sharing_groups", "incidents"):
        op.drop_table(table)
