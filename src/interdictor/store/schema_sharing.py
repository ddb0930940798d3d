"""Sharing tables: incidents, sharing groups, watches, the outbox of events and their deliveries.

An *incident* is what a seizure teaches others: a **non-nominal** part (the goods, the route, the
modus operandi — shareable with industry partners for awareness), a **nominal** part (names,
addresses, phones, e-mails — law enforcement only) and the shipment's identifiers (house and
master bill, filer), kept apart so that a share can leave any of them out.

The **outbox** (``outbox_events``) is written in the same transaction as what caused each event (a
seizure, a referral, a screened batch that touches a watch), so an event exists exactly when its
cause does.  The deliverer fans each event out to the subscriptions that may see it — one
``alert_deliveries`` row per (event, subscription), its body rendered once by the sharing policy and
audited — and sends it until it is delivered or dead; every try is a line of ``alert_attempts``.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, String, Table, Text, UniqueConstraint

from interdictor.store.schema import metadata

incidents = Table(
    "incidents",
    metadata,
    Column("incident_id", String(36), primary_key=True),
    Column("partner", String(64)),  # the shipment it is about (NULL: opened by hand without one)
    Column("shipment_id", String(128)),
    Column("version", Integer),
    Column("outcome_id", Integer),
    Column("corridor", String(64)),
    Column("status", String(16), nullable=False),  # open | withdrawn
    Column("source", String(16), nullable=False),  # outcome | import | manual
    Column("identifiers", Text, nullable=False),  # JSON: partner, shipment_id, hawb, mawb, postal_item_id
    Column("non_nominal", Text, nullable=False),  # JSON: what (goods) and how (route, modus operandi)
    Column("nominal", Text, nullable=False),  # JSON: who (parties: names, addresses, phones, e-mails)
    Column("opened_by", String(128), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(128)),
    Column("updated_at", DateTime(timezone=True)),
    Index("ix_incidents_shipment", "partner", "shipment_id"),
    Index("ix_incidents_opened", "opened_at"),
)

sharing_groups = Table(
    "sharing_groups",
    metadata,
    Column("group_id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(24), nullable=False),  # task_force | national | industry
    Column("corridor", String(64)),  # NULL: every corridor (a national group)
    Column("policy", String(16), nullable=False),  # whole | non_nominal
    Column("created_by", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

sharing_members = Table(
    "sharing_members",
    metadata,
    Column("group_id", String(64), primary_key=True),
    Column("org_id", String(64), primary_key=True),
)

watches = Table(
    "watches",
    metadata,
    Column("watch_id", String(36), primary_key=True),
    Column("org_id", String(64), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # account | name | address | phone | email
    Column("value", Text, nullable=False),  # as the organisation gave it
    Column("key", Text, nullable=False),  # normalised as the party matcher keys parties
    Column("note", Text),
    Column("created_by", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_watches_key", "kind", "key"),
)

outbox_events = Table(
    "outbox_events",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("event", String(48), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("partner", String(64)),  # the filer of the shipment it is about
    Column("shipment_id", String(128)),
    Column("corridor", String(64)),
    Column("orgs", Text),  # JSON list: organisations named as recipients (a watch's owner, an authority)
    Column("data", Text, nullable=False),  # JSON, whole: the policy cuts each recipient's share from it
    Column("fanned_at", DateTime(timezone=True)),  # NULL until its deliveries are made
    Index("ix_outbox_events_pending", "fanned_at", "created_at"),
)

alert_subscriptions = Table(
    "alert_subscriptions",
    metadata,
    Column("subscription_id", String(36), primary_key=True),
    Column("org_id", String(64), nullable=False, index=True),
    Column("channel", String(8), nullable=False),  # webhook | email
    Column("target", Text, nullable=False),  # URL or e-mail address
    Column("events", Text, nullable=False),  # comma-separated event names
    Column("secret", Text),  # HMAC key of a webhook's signature (it must sign, so it is kept as given)
    Column("active", Boolean, nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

alert_deliveries = Table(
    "alert_deliveries",
    metadata,
    Column("delivery_id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False),
    Column("subscription_id", String(36), nullable=False, index=True),
    Column("event", String(48), nullable=False),
    Column("share", String(16), nullable=False),  # whole | filer | anonymous: what the policy gave
    Column("body", Text, nullable=False),  # the exact bytes sent (signed), the same on every try
    Column("status", String(12), nullable=False),  # pending | delivered | dead
    Column("attempts", Integer, nullable=False),
    Column("next_at", DateTime(timezone=True), nullable=False),
    Column("lease_until", DateTime(timezone=True)),  # a deliverer is sending it until then
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True)),
    UniqueConstraint("event_id", "subscription_id"),
    Index("ix_alert_deliveries_due", "status", "next_at"),
)

alert_attempts = Table(
    "alert_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("delivery_id", Integer, nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("status_code", Integer),
    Column("error", Text),
    Column("ms", Integer, nullable=False),
)
