"""The exporting side's pre-notifications of lawful trade (PEN-style), the licence registry's third table.

``goods_notifications`` — one row per notification, keyed by the notifying authority's organisation and
its reference: exporter, importer (with countries), the goods as a knowledge-base id, the quantity in the
unit notified, the expected arrival window and port.  ``status`` is ``open`` until the window closes, then
``arrived`` (a screened shipment matched it) or ``unmatched`` (none did: closed by ``serve`` and ``worker``
``background`` chores, or ``interdictor notifications due``);
``withdrawn`` by its authority at any time.  Imported with ``interdictor notifications import`` or posted
through the API (columns in docs/registry.md).
"""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Float, Index, String, Table, Text

from interdictor.store.schema import metadata

goods_notifications = Table(
    "goods_notifications",
    metadata,
    Column("authority", String(64), primary_key=True),  # the notifying organisation's id
    Column("reference", String(64), primary_key=True),
    Column("exporter", Text, nullable=False),
    Column("exporter_country", String(2)),
    Column("importer", Text, nullable=False),
    Column("importer_country", String(2)),
    Column("goods", String(64), nullable=False),  # knowledge-base id: npp, tablet_press, ...
    Column("quantity", Float, nullable=False),
    Column("unit", String(8), nullable=False),  # kg | g | mg | t | l | ml | pcs
    Column("arrival_from", Date, nullable=False),
    Column("arrival_to", Date, nullable=False),
    Column("port", String(16)),
    Column("status", String(16), nullable=False),  # open | arrived | unmatched | withdrawn
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True)),
    Column("source", Text),
    Index("ix_goods_notifications_goods", "goods"),
    Index("ix_goods_notifications_due", "status", "arrival_to"),
)
