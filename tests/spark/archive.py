"""A small archive in the layout (``archive.layout``) written from canonical batches, for the Spark tests.

Stands in for the archive writer (``interdictor export --format parquet``) until it is merged: each
partner's batch becomes its rows of the four canonical tables (version 1), one part file per partner and
filing day (the UTC day of ``filed_at``), and the manifest.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from interdictor.archive.layout import CANONICAL, PARTITION, Manifest, canonical_columns, partition_dir
from interdictor.model import Batch


def write_archive(root: Path, batches: dict[str, Batch]) -> Manifest:
    days: set[str] = set()
    rows = dict.fromkeys(CANONICAL, 0)
    for k, (partner, batch) in enumerate(sorted(batches.items())):
        day_of = batch.shipments.select(
            "shipment_id", pl.col("filed_at").dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%d").alias(PARTITION))
        for table in CANONICAL:
            frame = getattr(batch, table).join(day_of, on="shipment_id", how="left", maintain_order="left").with_columns(
                pl.lit(partner).alias("partner"), pl.lit(1, pl.Int32).alias("version"))
            for (day,), part in frame.group_by(PARTITION, maintain_order=True):
                d = partition_dir(root, table, str(day))
                d.mkdir(parents=True, exist_ok=True)
                part.select(list(canonical_columns(table))).write_parquet(d / f"part-{k:05d}.parquet")
                days.add(str(day))
                rows[table] += part.height
    manifest = Manifest(exported_at="test", tables=rows, days=sorted(days))
    manifest.write(root)
    return manifest
