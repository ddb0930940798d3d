"""``interdictor export --format parquet``: the store's shipments as an archive (``layout``), streaming.

For each stored shipment the archive holds its current version (with its version number): its
canonical records (``shipments``, ``items``, ``parties``, and ``legs`` from its routing, as a reader
gives them), its latest assessment with that assessment's reasons (``assessments``), and every decision
and outcome recorded on it — all in the partition of its filing day.  The store is read a bounded slice
of shipments at a time (``store/archive.py``) and written through an ``ArchiveWriter``, so memory stays
flat whatever the store's size.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

from interdictor.archive.layout import PARTITION, REASON, Manifest
from interdictor.archive.write import BUFFER_BYTES, PART_ROWS, ArchiveWriter, filed_day
from interdictor.model import REASON_SCHEMA, legs_from_routing
from interdictor.screening.batch import reasons_lists
from interdictor.store import archive as stored
from interdictor.store.db import Store

SLICE_ROWS = 50_000  # shipments read from the store at a time
KEY = ["partner", "shipment_id", "version"]
RUNS_CACHED = 10_000  # the inputs of this many runs are kept between slices


@dataclass
class ExportSummary:
    root: Path
    manifest: Manifest
    seconds: float

    @property
    def line(self) -> str:
        """Rows per table, days and seconds, in one line."""
        m = self.manifest
        rows = ", ".join(f"{t} {n:,}" for t, n in m.tables.items())
        span = f"{len(m.days)} filing days ({m.days[0]} … {m.days[-1]})" if m.days else "no filing days"
        return f"exported {rows}; {span} in {self.seconds:.1f} s → {self.root}"


def _since(day: date | None) -> datetime | None:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None


def shipments_to_export(store: Store, since: date | None = None) -> int:
    """How many shipments an export of ``store`` (filed since ``since``) writes."""
    return stored.count_current(store, _since(since))


def export_store(store: Store, root: Path, *, since: date | None = None, replace: bool = False,
                 slice_rows: int = SLICE_ROWS, part_rows: int = PART_ROWS, buffer_bytes: int = BUFFER_BYTES,
                 progress: Callable[[int], None] | None = None) -> ExportSummary:
    """Write the archive of ``store`` (shipments filed since ``since``) at ``root``; ``progress`` is called
    with the number of shipments of each slice written.  An ``ArchiveError`` leaves ``root`` as it was."""
    started = time.perf_counter()
    after = _since(since)
    inputs: dict[str, str | None] = {}
    with ArchiveWriter(root, replace=replace, since=since, source=f"store {store.safe_url}", part_rows=part_rows,
                       buffer_bytes=buffer_bytes) as writer:
        for sl in stored.current_slices(store, after, slice_rows):
            _write_slice(writer, sl, inputs, store)
            if progress is not None:
                progress(sl.shipments.height)
        for table in ("decisions", "outcomes"):  # on shipments no longer stored, by when they were recorded
            orphans = stored.orphan_records(store, table, after)
            writer.add(table, orphans.with_columns(filed_day(pl.col("at"), pl.col("at"))))
        manifest = writer.close()
    return ExportSummary(root, manifest, time.perf_counter() - started)


def _write_slice(writer: ArchiveWriter, sl: stored.StoredSlice, inputs: dict[str, str | None], store: Store) -> None:
    ships = sl.shipments.with_columns(filed_day(pl.col("filed_at"), pl.col("received_at")))
    keys = ships.select(*KEY, PARTITION)
    writer.add("shipments", ships)
    writer.add("items", sl.items.join(keys, on=KEY))
    writer.add("parties", sl.parties.join(keys, on=KEY))
    writer.add("legs", legs_from_routing(ships.select("shipment_id", "routing")).join(keys, on="shipment_id"))
    writer.add("assessments", latest_assessments(sl.assessments, sl.reasons, inputs, store).join(keys, on=KEY))
    days = keys.select("partner", "shipment_id", PARTITION)
    writer.add("decisions", sl.decisions.join(days, on=["partner", "shipment_id"]))
    writer.add("outcomes", sl.outcomes.join(days, on=["partner", "shipment_id"]))


def latest_assessments(assessments: pl.DataFrame, reasons: pl.DataFrame, inputs: dict[str, str | None],
                       store: Store) -> pl.DataFrame:
    """Each shipment version's latest assessment (by time, as the queue and the workspace take it), of one
    partner's shipments, with its run's reasons as a list (strongest first, as ``screen --out x.parquet``
    lists them) and the versions of the inputs the run screened with (``inputs``: a bounded cache of them
    by run, filled from ``store``)."""
    latest = (assessments.sort("created_at", "run_id")
              .unique(["partner", "shipment_id", "version"], keep="last", maintain_order=True))
    runs = latest["run_id"].unique().to_list()
    missing = [r for r in runs if r not in inputs]
    if missing:
        if len(inputs) > RUNS_CACHED:
            inputs.clear()
        inputs.update(stored.run_inputs(store, missing))
    mine = reasons.join(latest.select(*KEY, "run_id"), on=[*KEY, "run_id"], how="semi")
    lists = reasons_lists(mine.select(list(REASON_SCHEMA)))
    versions = pl.DataFrame({"run_id": runs, "inputs": [inputs.get(r) for r in runs],
                             "model": [_model(inputs.get(r)) for r in runs]},
                            schema={"run_id": pl.String, "inputs": pl.String, "model": pl.String})
    return (latest.join(lists, on="shipment_id", how="left")
            .with_columns(pl.col("reasons").fill_null(pl.lit([], pl.List(REASON))))
            .join(versions, on="run_id", how="left"))


def _model(versions: str | None) -> str | None:
    """The model a run screened with ("none" without one), from the versions it recorded."""
    try:
        found = json.loads(versions) if versions else None
    except json.JSONDecodeError:
        return None
    return str(found.get("model", "none")) if isinstance(found, dict) else None
