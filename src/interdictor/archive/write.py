"""Writing an archive: frames per table and filing day into Hive-partitioned Parquet (``layout``), streaming.

``ArchiveWriter(root)`` takes frames of any size, in any order of days, and keeps at most a bounded
amount in memory: a table's day is written out as a part file (``part-00000.parquet``, ``part-00001``,
...) whenever its buffer passes ``part_rows`` rows, and the largest buffers are written out whenever all
of them together pass ``buffer_bytes``; so memory stays flat whatever the archive's size, at the price
of more part files for an archive whose rows arrive in no order of day.

Where it writes, and what it refuses:

* the archive is written into a directory beside ``root`` (``.NAME.partial-XXXX``) and renamed into
  place by ``close()``; an error (or ``abort()``) removes it, so a failed or interrupted write never
  leaves half an archive at ``root`` (a killed process leaves the hidden directory, never ``root``);
* ``root`` absent or an empty directory: written;
* ``root`` an archive (it has a manifest, of any layout): replaced only with ``replace=True``
  (``interdictor export --force``), once the new one is complete;
* anything else — a file, a directory with other things in it — is refused, even with ``replace``:
  the writer never deletes what it did not write.

``write_batch`` puts the canonical batches of one partner's file into a writer, with no store between
(``bench/archive.py`` builds large archives that way).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from interdictor.archive.layout import (
    MANIFEST,
    PARTITION,
    TABLES,
    ArchiveError,
    Manifest,
    columns,
    partition_dir,
)
from interdictor.model import Batch, conform

PART_ROWS = 200_000  # a table's day is written out as a part file when its buffer passes this many rows
BUFFER_BYTES = 256 * 2**20  # and the largest buffers whenever all of them together pass this size


def filed_day(filed_at: pl.Expr, received_at: pl.Expr | datetime) -> pl.Expr:
    """The partition of a shipment: the UTC day it was filed, else the UTC day it was received."""
    received = received_at if isinstance(received_at, pl.Expr) else pl.lit(received_at.astimezone(UTC))
    return (pl.coalesce(filed_at.dt.convert_time_zone("UTC"), received.dt.convert_time_zone("UTC"))
            .dt.date().alias(PARTITION))


def check_target(root: Path, *, replace: bool) -> None:
    """Refuse, before any work, an output directory the writer may not fill or replace (an ``ArchiveError``
    saying why and what to do)."""
    if not root.exists():
        return
    if not root.is_dir():
        raise ArchiveError(f"{root} is a file, not a directory: give a new or empty directory for the archive")
    if not any(root.iterdir()):
        return
    if not (root / MANIFEST).is_file():
        raise ArchiveError(f"{root} is not empty and holds no archive ({MANIFEST} is missing): give a new or "
                           "empty directory; an existing archive is the only thing the export replaces")
    if not replace:
        raise ArchiveError(f"{root} holds an archive already: pass --force to replace it, or give another "
                           "directory")


class ArchiveWriter:
    """Append frames (each with a ``filed_day`` date column and the table's ``layout.columns``) per table;
    ``close()`` writes the manifest and puts the archive in place."""

    def __init__(self, root: Path, *, replace: bool = False, since: date | None = None, source: str = "",
                 part_rows: int = PART_ROWS, buffer_bytes: int = BUFFER_BYTES) -> None:
        self.root = Path(root)
        self.since, self.source = since, source
        self.part_rows, self.buffer_bytes = part_rows, buffer_bytes
        self._replace = replace
        check_target(self.root, replace=replace)
        try:
            self.root.parent.mkdir(parents=True, exist_ok=True)
            self._tmp = Path(tempfile.mkdtemp(prefix=f".{self.root.name}.partial-", dir=self.root.parent))
        except OSError as exc:
            raise ArchiveError(f"cannot write the archive beside {self.root}: {exc.strerror or exc}") from exc
        self._buffers: dict[tuple[str, date], list[pl.DataFrame]] = {}
        self._buffered_rows: dict[tuple[str, date], int] = {}
        self._buffered_bytes: dict[tuple[str, date], int] = {}
        self._parts: dict[tuple[str, date], int] = {}
        self.rows: dict[str, int] = dict.fromkeys(TABLES, 0)  # rows taken per table
        self._closed = False

    def __enter__(self) -> ArchiveWriter:
        return self

    def __exit__(self, exc_type: Any, *_: object) -> None:
        if exc_type is not None:
            self.abort()

    @property
    def buffered_bytes(self) -> int:
        return sum(self._buffered_bytes.values())

    def add(self, table: str, frame: pl.DataFrame) -> None:
        """Append ``frame``'s rows to ``table``: its columns are cast to the layout's (absent ones null,
        others dropped); ``filed_day`` says each row's partition and must not be null."""
        if self._closed:
            raise ArchiveError("the archive is closed")
        if table not in TABLES:
            raise ArchiveError(f"{table!r} is not a table of the archive ({', '.join(TABLES)})")
        if frame.is_empty():
            return
        if PARTITION not in frame.columns or frame[PARTITION].null_count():
            raise ArchiveError(f"rows for {table} need a {PARTITION} (the UTC filing day) on every row")
        frame = conform(frame, pl.Schema({**columns(table), PARTITION: pl.Date()}))
        for (day,), part in frame.partition_by(PARTITION, as_dict=True, include_key=False).items():
            assert isinstance(day, date)
            key = (table, day)
            self._buffers.setdefault(key, []).append(part)
            self._buffered_rows[key] = self._buffered_rows.get(key, 0) + part.height
            self._buffered_bytes[key] = self._buffered_bytes.get(key, 0) + int(part.estimated_size())
            if self._buffered_rows[key] >= self.part_rows:
                self._flush(key)
        self.rows[table] += frame.height
        if self.buffered_bytes > self.buffer_bytes:  # the largest first, down to half the budget
            for key in sorted(self._buffered_bytes, key=self._buffered_bytes.__getitem__, reverse=True):
                self._flush(key)
                if self.buffered_bytes <= self.buffer_bytes // 2:
                    break

    def _flush(self, key: tuple[str, date]) -> None:
        frames = self._buffers.pop(key, [])
        self._buffered_rows.pop(key, None)
        self._buffered_bytes.pop(key, None)
        if not frames:
            return
        table, day = key
        n = self._parts.get(key, 0)
        self._parts[key] = n + 1
        where = partition_dir(self._tmp, table, day.isoformat())
        try:
            where.mkdir(parents=True, exist_ok=True)
            pl.concat(frames, rechunk=False).write_parquet(where / f"part-{n:05d}.parquet", compression="zstd",
                                                           statistics=True)
        except OSError as exc:
            raise ArchiveError(f"cannot write {table} of {day} beside {self.root}: {exc.strerror or exc}") from exc

    def close(self) -> Manifest:
        """Write what is buffered and the manifest, and put the archive at ``root`` (replacing the archive
        there when the writer may); the manifest."""
        if self._closed:
            raise ArchiveError("the archive is closed")
        try:
            for key in list(self._buffers):
                self._flush(key)
            for table in TABLES:  # every table has its directory, rows or none
                (self._tmp / table).mkdir(exist_ok=True)
            manifest = Manifest(
                exported_at=datetime.now(UTC).isoformat(timespec="seconds"),
                since=self.since.isoformat() if self.since else None,
                tables=dict(self.rows), days=sorted({d.isoformat() for _, d in self._parts}), source=self.source,
            )
            manifest.write(self._tmp)
            self._put_in_place()
        except BaseException:
            self.abort()
            raise
        self._closed = True
        return manifest

    def _put_in_place(self) -> None:
        check_target(self.root, replace=self._replace)  # nothing else has taken the place meanwhile
        old = None
        try:
            if self.root.exists() and any(self.root.iterdir()):  # an archive the writer may replace
                old = Path(tempfile.mkdtemp(prefix=f".{self.root.name}.old-", dir=self.root.parent))
                self.root.rename(old / self.root.name)
            self._tmp.rename(self.root)  # over an empty directory, or none
        except OSError as exc:
            if old is not None and not self.root.exists():  # put the old archive back
                (old / self.root.name).rename(self.root)
            raise ArchiveError(f"cannot put the archive at {self.root}: {exc.strerror or exc}") from exc
        finally:
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        """Drop what was written: ``root`` stays as it was."""
        self._closed = True
        self._buffers.clear()
        self._buffered_rows.clear()
        self._buffered_bytes.clear()
        with contextlib.suppress(OSError):
            shutil.rmtree(self._tmp)


def write_batch(writer: ArchiveWriter, batch: Batch, *, partner: str, version: int = 1,
                received_at: datetime | None = None) -> None:
    """Put a canonical batch of ``partner``'s shipments into the archive as version ``version``, each in the
    partition of its filing day (``received_at``'s day, default now, when the filing gave no time)."""
    if not len(batch):
        return
    ships = batch.shipments.with_columns(
        pl.lit(partner, pl.String).alias("partner"), pl.lit(version, pl.Int32).alias("version"),
        filed_day(pl.col("filed_at"), received_at or datetime.now(UTC)))
    writer.add("shipments", ships)
    keys = ships.select("shipment_id", "partner", "version", PARTITION).unique("shipment_id", keep="last")
    for table, frame in (("items", batch.items), ("parties", batch.parties), ("legs", batch.legs)):
        writer.add(table, frame.join(keys, on="shipment_id", how="inner"))


def write_batches(writer: ArchiveWriter, batches: Iterable[Batch], *, partner: str, version: int = 1,
                  received_at: datetime | None = None) -> None:
    """``write_batch`` for each of ``batches``, all with the same received time (default: now)."""
    received_at = received_at or datetime.now(UTC)
    for batch in batches:
        write_batch(writer, batch, partner=partner, version=version, received_at=received_at)

