"""Column-mapping profiles added by an administrator (``interdictor profiles add``); shipped ones stay files.

A profile is never edited in place: adding one under a name already stored is its next version,
and the API screens with the latest.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String, Table, Text

from interdictor.store.schema import metadata

column_profiles = Table(
    "column_profiles",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("content", Text, nullable=False),  # the YAML as given, checked against the typed model
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(128), nullable=False),
)
