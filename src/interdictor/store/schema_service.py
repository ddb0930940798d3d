"""Service tables: who may see what, and what people decided and found.

Organisations are the partners (carriers, couriers, the post, forwarders), the
targeting authority itself and law-enforcement agencies.  A partner organisation's
``partner_code`` is the ``partner`` value its filings carry in the core tables —
that column is what partner scoping filters on.  Law-enforcement organisations see
the corridors they are granted.

API keys and sessions are stored only as keyed hashes (HMAC-SHA256 with the
service's secret key): a stolen table grants nothing, and checking a key costs a
microsecond rather than the ~50 ms of a password hash per request.

Decisions, outcomes and referrals are append-mostly records of the work: the
queue, the rule dashboard and the backtests are computed from them.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Float, Index, Integer, String, Table, Text, UniqueConstraint

from interdictor.store.schema import metadata

organisations = Table(
    "organisations",
    metadata,
    Column("org_id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(24), nullable=False),  # authority | partner | law_enforcement | export_authority
    Column("partner_code", String(64), unique=True),  # filer code on shipments (partners only)
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("user_id", String(36), primary_key=True),
    Column("org_id", String(64), nullable=False, index=True),
    Column("username", String(128), nullable=False, unique=True),
    Column("display_name", Text),
    Column("role", String(24), nullable=False),  # admin | targeter | analyst | law_enforcement | partner | notifier
    Column("password_hash", Text),  # scrypt; NULL for machine-only users
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(24), primary_key=True),  # public part of the key, used for lookup
    Column("key_hash", String(64), nullable=False),  # HMAC-SHA256(secret_key, whole key)
    Column("org_id", String(64), nullable=False, index=True),
    Column("role", String(24), nullable=False),
    Column("name", Text, nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", String(36), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(128), nullable=False),
    Column("client", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_login_failures_user_at", "username", "at"),
    Index("ix_login_failures_client_at", "client", "at"),
)

grants = Table(
    "grants",
    metadata,
    Column("org_id", String(64), primary_key=True),
    Column("corridor", String(64), primary_key=True),
    Column("granted_by", String(128), nullable=False),
    Column("granted_at", DateTime(timezone=True), nullable=False),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("partner", String(64), nullable=False),
    Column("shipment_id", String(128), nullable=False),
    Column("version", Integer, nullable=False),
    Column("decision", String(8), nullable=False),  # release | review | exam | hold
    Column("reason", Text, nullable=False),
    Column("answer", String(32), nullable=False),  # what the partner is told
    Column("corridor", String(64)),
    Column("score", Float),
    Column("recommended", String(8)),
    Column("exploration", Boolean, nullable=False),  # an exploration pick of the queue
    # how it was picked: exploit | explore_uncertain | explore_random | manual | imported (NULL: before it was kept)
    Column("pick_kind", String(24)),
    Column("ruleset", String(96)),
    Column("decided_by", String(128), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Index("ix_decisions_shipment", "partner", "shipment_id"),
    Index("ix_decisions_at", "decided_at"),
)

outcomes = Table(
    "outcomes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("partner", String(64), nullable=False),
    Column("shipment_id", String(128), nullable=False),
    Column("version", Integer, nullable=False),
    Column("decision_id", Integer),
    Column("result", String(16), nullable=False),  # nothing_found | seized | referred
    Column("what", Text),
    Column("quantity", Float),
    Column("unit", String(16)),
    Column("agency", Text),
    Column("note", Text),
    Column("examined_at", DateTime(timezone=True)),  # when the exam took place, when known (imports say)
    Column("recorded_by", String(128), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Index("ix_outcomes_shipment", "partner", "shipment_id"),
)

referrals = Table(
    "referrals",
    metadata,
    Column("referral_id", String(36), primary_key=True),
    Column("partner", String(64), nullable=False, index=True),
    Column("shipment_id", String(128), nullable=False),
    Column("version", Integer, nullable=False),
    Column("hawb", String(64)),
    Column("mawb", String(32)),
    Column("kind", String(32), nullable=False),  # request_for_information | hold_for_screening | do_not_load
    Column("reason_codes", Text, nullable=False),  # JSON list of partner-safe codes
    Column("asked", Text),  # JSON list of the data fields asked for
    Column("message", Text),
    Column("status", String(16), nullable=False),  # open | acknowledged | answered | withdrawn
    Column("decision_id", Integer),
    Column("created_by", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("acknowledged_by", String(128)),
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("response", Text),  # JSON object: field -> value
    Column("responded_by", String(128)),
    Column("responded_at", DateTime(timezone=True)),
    UniqueConstraint("partner", "shipment_id", "version", "kind", "decision_id"),
)

port_budgets = Table(
    "port_budgets",
    metadata,
    Column("corridor", String(64), primary_key=True),
    Column("port", String(8), primary_key=True),  # destination port, upper case; "*" for every port
    Column("exam_budget_per_day", Integer, nullable=False),
    Column("exploration_share", Float, nullable=False),
    Column("updated_by", String(128), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

config_versions = Table(
    "config_versions",
    metadata,
    Column("kind", String(32), primary_key=True),  # corridors
    Column("version", Integer, primary_key=True),
    Column("content", Text, nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("active", Boolean, nullable=False),
)
