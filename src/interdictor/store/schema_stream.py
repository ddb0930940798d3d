"""Streaming intake's ledger: every message taken from the stream, once, with what became of it."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, String, Table, Text

from interdictor.store.schema import metadata

stream_messages = Table(
    "stream_messages",
    metadata,
    # sha256 of partner, format and payload: a redelivered message has the same key
    Column("msg_key", String(64), primary_key=True),
    Column("partner", String(64), nullable=False),
    Column("subject", String(256), nullable=False),
    Column("format", String(32)),
    Column("stream_seq", BigInteger),
    Column("status", String(16), nullable=False),  # processed | dead
    Column("reason", Text),
    Column("run_id", String(36)),
    Column("document_ids", Text),  # JSON list of shipment ids the message held
    Column("worker", String(64)),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_stream_messages_partner", "partner", "at"),
)
