"""Without Spark: the assembled screening pickles (it is broadcast to the executors) and screens the same
afterwards; a partner's filing day is screened in chunks, each shipment once."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import polars as pl
import pytest

from interdictor.archive.layout import CANONICAL, PARTITION, canonical_columns
from interdictor.demo.generate import generate_manifest
from interdictor.intake.base import ReadOptions
from interdictor.intake.csv_manifest import read_manifest_csv
from interdictor.model import Batch
from interdictor.screening import assemble
from interdictor.screening.batch import screen_batch
from interdictor.settings import Settings
from interdictor.spark.batches import ORDER, TABLE, group_columns, screen_group
from interdictor.store import open_store


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    path = tmp_path_factory.mktemp("day") / "day.csv"
    generate_manifest(path, 120, 5, day=dt.date(2026, 6, 1))
    with path.open("rb") as fh:
        return Batch.concat([c.batch for c in read_manifest_csv(fh, ReadOptions(source_name=path.name))])


def group(batch: Batch, partner: str = "acme") -> pl.DataFrame:
    """The batch as the job hands a group to ``screen_group``: the four tables' rows in one frame."""
    cols = group_columns()
    frames = []
    for table in CANONICAL:
        rows = getattr(batch, table).with_columns(pl.lit(partner).alias("partner"), pl.lit(1, pl.Int32).alias("version"))
        rows = rows.select(list(canonical_columns(table))).with_columns(
            pl.lit("2026-06-01").alias(PARTITION), pl.lit(table).alias(TABLE))
        frames.append(rows)
    out = pl.concat(frames, how="diagonal_relaxed").with_row_index(ORDER).with_columns(pl.col(ORDER).cast(pl.Int64))
    return out.select([pl.col(c).cast(t) for c, t in cols.items()])


def test_the_assembled_screening_pickles_and_screens_the_same(day: Batch, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERDICTOR_DATA_DIR", str(tmp_path / "data"))
    store = open_store(f"sqlite:///{tmp_path / 's.sqlite'}")
    try:
        screening = assemble(Settings(), store)
    finally:
        store.close()
    sc = screening
    before = screen_batch(day, sc.ctx, sc.ruleset, sc.corridors, None, sc.detectors, sc.calibration, "acme")
    copy = pickle.loads(pickle.dumps(screening))  # after a pass: the memos it filled are not shipped
    assert copy.versions == screening.versions
    assert len(copy.ctx.part("goods").profiles._found) == 0
    after = screen_batch(day, copy.ctx, copy.ruleset, copy.corridors, None, copy.detectors, copy.calibration, "acme")
    assert before[0].equals(after[0])
    assert before[1].sort(pl.all()).equals(after[1].sort(pl.all()))
    with pytest.raises(TypeError):  # read-only again
        copy.ctx.parts["route"] = None


def test_a_day_is_screened_in_chunks_each_shipment_once(day: Batch, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERDICTOR_DATA_DIR", str(tmp_path / "data"))
    screening = assemble(Settings(detectors="route,consistency"))
    whole = screen_group(group(day), screening)
    sc = screening
    assessed, _ = screen_batch(day, sc.ctx, sc.ruleset, sc.corridors, None, sc.detectors, sc.calibration, "acme")
    assert whole.sort("shipment_id").select("shipment_id", "score", "disposition").equals(
        assessed.sort("shipment_id").select("shipment_id", "score", "disposition"))
    chunked = screen_group(group(day), screening, chunk=50)
    assert chunked.height == len(day)
    assert chunked.get_column("shipment_id").n_unique() == len(day)
    assert chunked.get_column("rejected").null_count() == len(day)
