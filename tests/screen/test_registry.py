"""The detectors of a small batch run side by side; what they find, and in what order, is what they find
one by one."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from interdictor.intake.base import ReadOptions
from interdictor.intake.csv_manifest import read_manifest_csv
from interdictor.model import Batch
from interdictor.screen import registry
from interdictor.screen.context import Context
from interdictor.screening.loaders import load_context
from interdictor.settings import Settings

SAMPLE = Path(__file__).parents[1] / "fixtures" / "corridor_sample.csv"


@pytest.fixture(scope="module")
def ctx() -> Context:
    return load_context(Settings(), None)


@pytest.fixture(scope="module")
def batch() -> Batch:
    chunks = read_manifest_csv(io.BytesIO(SAMPLE.read_bytes()), ReadOptions(source_name=SAMPLE.name))
    return Batch.concat([c.batch for c in chunks])


def test_side_by_side_finds_what_one_by_one_finds(ctx: Context, batch: Batch, monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(batch) <= registry.SMALL_BATCH
    together = registry.run_detectors(batch, ctx)
    assert set(together["code"].str.split("_").list.first()) >= {"ROUTE", "GOODS", "VALUE"}  # three detectors
    monkeypatch.setattr(registry, "SMALL_BATCH", 0)
    alone = registry.run_detectors(batch, ctx)
    assert_frame_equal(together, alone, check_row_order=False)
    # stacked detector by detector, in the order named (route, consistency, ..., goods)
    family = together["code"].str.split("_").list.first().to_list()
    rank = {"ROUTE": 0, "VALUE": 1, "WEIGHT": 1, "GOODS": 3}
    assert [rank[f] for f in family] == sorted(rank[f] for f in family)


def test_a_failing_detector_is_logged_and_the_others_still_report(
    ctx: Context, batch: Batch, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real = registry.available()

    def broken(b: Batch, c: Context) -> pl.DataFrame:
        raise RuntimeError("a bug")

    monkeypatch.setattr(registry, "available", lambda: {**real, "consistency": broken})
    with caplog.at_level(logging.ERROR, logger=registry.__name__):
        got = registry.run_detectors(batch, ctx)
    assert "detector 'consistency' failed" in caplog.text
    assert not got.filter(pl.col("code").str.starts_with("GOODS_")).is_empty()
    assert not got.filter(pl.col("code").str.starts_with("ROUTE_")).is_empty()
    assert got.filter(pl.col("code").str.starts_with("VALUE_")).is_empty()


def test_an_unknown_detector_name_is_logged_not_raised(
    ctx: Context, batch: Batch, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger=registry.__name__):
        got = registry.run_detectors(batch, ctx, ["route", "nosuch", "goods"])
    assert "detector 'nosuch' failed" in caplog.text
    assert set(got["code"].str.split("_").list.first()) == {"ROUTE", "GOODS"}
