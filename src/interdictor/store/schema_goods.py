"""Tables of goods intelligence: DEA registrants and the transactions they notified in advance.

``goods_registrants`` — who may import what (registration number, activities, validity);
``goods_transactions`` — each notified import (DEA Form 486 for List I chemicals, 357 for Schedule II
immediate precursors, 452 for tableting and encapsulating machines), with the goods as a knowledge-base
id and the arrival window.  Imported with ``interdictor registry import`` (columns in docs/registry.md).
"""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Float, Index, String, Table, Text

from interdictor.store.schema import metadata

goods_registrants = Table(
    "goods_registrants",
    metadata,
    Column("registration", String(32), primary_key=True),
    Column("name", Text, nullable=False),
    Column("city", Text),
    Column("state", String(8)),
    Column("country", String(2)),
    Column("activities", Text, nullable=False),  # ';'-separated: import_list_i, import_schedule_ii, import_machines
    Column("valid_from", Date),
    Column("valid_to", Date),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("source", Text),
)

goods_transactions = Table(
    "goods_transactions",
    metadata,
    Column("transaction_id", String(64), primary_key=True),
    Column("form", String(8), nullable=False),
    Column("registration", String(32), nullable=False),
    Column("importer", Text, nullable=False),
    Column("goods", String(64), nullable=False),  # knowledge-base id: npp, tablet_press, ...
    Column("quantity_kg", Float),
    Column("units", Float),
    Column("filed_on", Date),
    Column("arrival_from", Date),
    Column("arrival_to", Date),
    Column("exporter", Text),
    Column("port", String(16)),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("source", Text),
    Index("ix_goods_transactions_goods", "goods"),
)
