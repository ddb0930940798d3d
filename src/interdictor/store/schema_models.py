"""Risk models trained on stored exam outcomes (``interdictor learn``), one row per version.

A version is never edited: training again adds the next one. ``card`` is the model's JSON card
(features, code version, data window, validation figures), ``content`` LightGBM's own text format
— no pickle. At most one version is active; screening uses it.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Integer, String, Table, Text

from interdictor.store.schema import metadata

model_versions = Table(
    "model_versions",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("card", Text, nullable=False),  # JSON
    Column("content", Text, nullable=False),  # LightGBM text format
    Column("active", Boolean, nullable=False),
)
