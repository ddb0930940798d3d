"""Actors and the links between shipments (``interdictor network``).

A *variant* is one way a party appears (role-free: folded name key and address key); variants are
grouped into *actors*, each variant carrying why it joined its actor.  ``network_uses`` says which
identifiers (address, phone, e-mail; an e-mail's domain is derived when read) a variant was seen with,
and ``network_parties`` which variant was which party of a stored shipment.  An identifier is a hub
when it is used by too many distinct names; that is counted from ``network_uses``, never stored, so it
follows the traffic.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Table, Text

from interdictor.store.schema import metadata

network_variants = Table(
    "network_variants",
    metadata,
    Column("variant", String(), primary_key=True),  # name key|address key
    Column("actor_id", String(32), nullable=False),
    Column("name", Text),  # the name as first seen
    Column("name_key", String(), nullable=False),
    Column("evidence", Text),  # why this variant is part of its actor (None: it is the actor's first)
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_network_variants_actor", "actor_id"),
    Index("ix_network_variants_name", "name_key"),
)

network_uses = Table(
    "network_uses",
    metadata,
    Column("variant", String(), primary_key=True),
    Column("kind", String(16), primary_key=True),  # address | phone | email (a domain is derived from the e-mail)
    Column("value", String(), primary_key=True),
    Column("name_key", String(), nullable=False),
    Column("shown", Text),  # the identifier as a person reads it
    Index("ix_network_uses_identifier", "kind", "value"),
)

network_parties = Table(
    "network_parties",
    metadata,
    Column("partner", String(64), primary_key=True),
    Column("shipment_id", String(), primary_key=True),
    Column("party", String(), primary_key=True),  # shipper | consignee | notify
    Column("version", Integer, nullable=False),  # the shipment version these parties are of
    Column("variant", String(), nullable=False),
    Index("ix_network_parties_variant", "variant"),
)

network_state = Table(
    "network_state",
    metadata,
    Column("name", String(32), primary_key=True),  # grown: the shipments stored up to ``mark`` are in the network
    Column("mark", DateTime(timezone=True), nullable=False),
)
