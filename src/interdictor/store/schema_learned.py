"""Goods profiles learned from the store's own traffic (``interdictor profiles learn``), one set per version.

A set is never edited: learning again adds the next version, and screening reads the latest.  Each row is
one robust statistic — the median and scaled MAD (log10 units) of one metric over the lines of one HS
code prefix (``kind`` "hs", ``key`` "8471") or of one description family (``kind`` "family", ``key``
"computer_peripherals") — with how many lines it was learned from.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Float, ForeignKey, Integer, String, Table, Text

from interdictor.store.schema import metadata

learned_profile_sets = Table(
    "learned_profile_sets",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("since", DateTime(timezone=True), nullable=True),  # lines received from then on (None: all)
    Column("lines", Integer, nullable=False),  # lines the set was learned from
    Column("min_n", Integer, nullable=False),  # lines a profile needs to replace the prior
    Column("knowledge_base", String(64), nullable=False),  # the families were named with this version
    Column("note", Text, nullable=True),
)

learned_profiles = Table(
    "learned_profiles",
    metadata,
    Column("version", Integer, ForeignKey("learned_profile_sets.version"), primary_key=True),
    Column("kind", String(8), primary_key=True),  # hs | family
    Column("key", String(64), primary_key=True),
    Column("metric", String(16), primary_key=True),
    Column("median", Float, nullable=False),
    Column("spread", Float, nullable=False),
    Column("n", Integer, nullable=False),
)
