"""A small archive written from canonical batches with the archive's own writer, for the Spark tests."""

from __future__ import annotations

from pathlib import Path

from interdictor.archive.layout import Manifest
from interdictor.archive.write import ArchiveWriter, write_batch
from interdictor.model import Batch


def write_archive(root: Path, batches: dict[str, Batch]) -> Manifest:
    """Each partner's batch as version 1 of its shipments, partitioned by filing day (one part file per table
    and day: ``part-00000.parquet``)."""
    with ArchiveWriter(root, source="test") as writer:
        for partner, batch in sorted(batches.items()):
            write_batch(writer, batch, partner=partner)
        return writer.close()
