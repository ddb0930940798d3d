"""Core tables (SQLAlchemy Core).  Changes go through Alembic migrations.

Every canonical record carries ``partner`` (the filer it came from) and a
``version``: an amendment is a new version, earlier ones are kept.  Raw bytes
are kept verbatim in ``raw_payloads`` (large ones zstd-compressed, losslessly:
``repo.raw_content`` gives back the bytes as received); shipments point at them by ``raw_id`` and
``line``.  ``audit_log`` is append-only (triggers refuse UPDATE and DELETE).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)


def _key() -> list[Column[object]]:
    return [
        Column("partner", String(64), primary_key=True),
        Column("shipment_id", String(), primary_key=True),
        Column("version", Integer, primary_key=True),
    ]


ingest_runs = Table(
    "ingest_runs",
    metadata,
    Column("run_id", String(36), primary_key=True),
    Column("partner", String(64), nullable=False),
    Column("source", Text, nullable=False),
    Column("format", String(32)),
    Column("ruleset", String(64)),
    Column("ruleset_version", Integer),
    Column("versions", Text),  # JSON: knowledge base, watchlists, model, corridors
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("rows", BigInteger),
    Column("shipments", BigInteger),
    Column("new_versions", BigInteger),
    Column("unchanged", BigInteger),
    Column("rejects", BigInteger),
    Column("status", String(16), nullable=False),  # running | done | failed | interrupted
    Column("owner", String(128)),  # host:pid of the process screening it
    Column("error", Text),  # why a failed run failed
    Column("trigger", String(200)),  # a re-assessment's cause (outcome:P/ID, list:ID@V, ...); None: a filing
)

raw_payloads = Table(
    "raw_payloads",
    metadata,
    Column("raw_id", String(96), primary_key=True),
    Column("run_id", String(36), nullable=False, index=True),
    Column("partner", String(64), nullable=False),
    Column("source", Text, nullable=False),
    Column("first_line", BigInteger),
    Column("last_line", BigInteger),
    Column("document_id", String()),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("content_codec", String(8)),  # NULL: content as received; "zstd": compressed (sha256 is of the original)
    Column("content_size", BigInteger),  # bytes as received
)

shipments = Table(
    "shipments",
    metadata,
    *_key(),
    Column("run_id", String(36), nullable=False),
    Column("raw_id", String(96)),
    Column("line", BigInteger),
    Column("content_hash", String(32), nullable=False),
    Column("is_current", Boolean, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("mode", String(16)),
    Column("filer", Text),
    Column("mawb", String()),
    Column("hawb", String()),
    Column("postal_item_id", String()),
    Column("filed_at", DateTime(timezone=True)),
    Column("carrier", Text),
    Column("origin_country", String(2)),
    Column("origin_port", String()),
    Column("destination_port", String()),
    Column("routing", Text),
    Column("pieces", BigInteger),
    Column("gross_weight_kg", Float),
    Column("declared_value", Float),
    Column("currency", String(3)),
    Column("extra", Text),
    Index("ix_shipments_received", "received_at"),
    Index("ix_shipments_mawb", "mawb"),
)

items = Table(
    "items",
    metadata,
    *_key(),
    Column("item", Integer, primary_key=True),
    Column("line", BigInteger),
    Column("description", Text),
    Column("hs_code", String()),
    Column("quantity", Float),
    Column("weight_kg", Float),
    Column("value", Float),
    Column("origin_country", String(2)),
    Column("cas_number", String()),
)

parties = Table(
    "parties",
    metadata,
    *_key(),
    Column("party", String(), primary_key=True),
    Column("name", Text),
    Column("address", Text),
    Column("city", Text),
    Column("state", Text),
    Column("postal_code", String()),
    Column("country", String(2)),
    Column("phone", String()),
    Column("email", Text),
    # no index on name: searches match lower(name) with LIKE, which no B-tree on name serves
)

assessments = Table(
    "assessments",
    metadata,
    *_key(),
    Column("run_id", String(36), primary_key=True),
    Column("score", Float, nullable=False),
    Column("disposition", String(8), nullable=False),
    Column("corridor", String()),
    Column("ruleset", String(64), nullable=False),
    Column("ruleset_version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_assessments_rank", "corridor", "score"),
)

reasons = Table(
    "reasons",
    metadata,
    Column("partner", String(64), nullable=False),
    Column("shipment_id", String(), nullable=False),
    Column("version", Integer, nullable=False),
    Column("run_id", String(36), nullable=False),
    Column("code", String(64), nullable=False),
    Column("weight", Float, nullable=False),
    Column("evidence", Text),
    Column("item", Integer),
    Column("party", String()),
    Index("ix_reasons_shipment", "partner", "shipment_id", "version"),
)

rejects = Table(
    "rejects",
    metadata,
    Column("run_id", String(36), nullable=False, index=True),
    Column("partner", String(64), nullable=False),
    Column("source", Text, nullable=False),
    Column("line", BigInteger),
    Column("field", String()),
    Column("reason", Text, nullable=False),
    Column("shipment_id", String()),
    Column("raw", Text),
    Column("kind", String(8), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("action", String(64), nullable=False),
    Column("object_type", String(32)),
    Column("object_id", String(256)),
    Column("detail", Text),
)

ruleset_versions = Table(
    "ruleset_versions",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("content", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("active", Boolean, nullable=False),
)
