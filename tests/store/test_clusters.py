"""Clusters across a day's files: the store's earlier file of the day is read once per setup, a later file
raises its cluster, and ``grown`` names the stored shipments to re-assess."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy import select
from tests.screen.parties.test_clusters import fake_cluster

from interdictor.intake.base import ReadOptions
from interdictor.intake.csv_manifest import read_manifest_csv
from interdictor.screen.parties.clusters import grown
from interdictor.screening import ScreenRun, assemble
from interdictor.settings import Settings
from interdictor.store import open_store
from interdictor.store import schema as t
from interdictor.store.clusters import identifier_history
from interdictor.store.db import Store

SETTINGS = Settings(detectors="parties,route")


@pytest.fixture()
def store(store_url: str) -> Iterator[Store]:
    s = open_store(store_url)  # SQLite and PostgreSQL: one test body
    yield s
    s.close()


def manifest(cases: list[dict[str, Any]]) -> bytes:
    cols = ["shipment_id", "mode", "filed_at", "gross_weight_kg", "declared_value", "currency", "item_description",
            "item_weight_kg"] + [f"{r}_{f}" for r in ("shipper", "consignee")
                                 for f in ("name", "address", "city", "state", "postal_code", "country")]
    out = io.StringIO()
    w = csv.DictWriter(out, cols, extrasaction="ignore")
    w.writeheader()
    for c in cases:
        row = {"shipment_id": c["id"], "mode": "express", "filed_at": c["at"].isoformat(),
               "gross_weight_kg": round(c["kg"], 1), "declared_value": round(c["value"], 2), "currency": "USD",
               "item_description": c["items"][0]["description"], "item_weight_kg": round(c["kg"], 1)}
        for r in ("shipper", "consignee"):
            row |= {f"{r}_{k}": v for k, v in c[r].items()}
        w.writerow(row)
    return out.getvalue().encode()


def screen(store: Store, data: bytes, name: str) -> tuple[pl.DataFrame, Any, ScreenRun]:
    screening = assemble(SETTINGS, store)
    batches = []
    with ScreenRun(screening, store=store, partner="courier-a", source=name) as run:
        for chunk in read_manifest_csv(io.BytesIO(data), ReadOptions(source_name=name)):
            batches.append(chunk.batch)
            run.add(chunk)
        ranked = run.finish()
    return ranked, (screening, batches), run


def test_a_later_file_of_the_day_raises_the_earlier_parcels(store: Store) -> None:
    now = datetime.now(UTC).replace(hour=0, minute=5, second=0, microsecond=0)  # one day, whatever the hour
    cases = fake_cluster(random.Random(4), 11, "P", start=now)
    first, _, _ = screen(store, manifest(cases[:3]), "morning.csv")
    assert "CLUSTER_COMMINGLED" not in " ".join(first["reasons"].cast(pl.String).to_list())
    later, (screening, batches), _ = screen(store, manifest(cases[3:]), "afternoon.csv")
    hit = later.filter(pl.col("reasons").cast(pl.String).str.contains("CLUSTER_COMMINGLED"))
    assert hit.height == 8
    assert "one of 11 parcels" in str(hit["reasons"][0])
    # the earlier file's three parcels are the ones to re-assess
    again = grown(batches[0], screening.ctx)
    assert sorted(again.rows()) == [("courier-a", f"P{i}") for i in range(3)]


def test_the_earlier_parcels_are_reassessed_when_the_cluster_grows(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    try:
        now = datetime.now(UTC).replace(hour=0, minute=5, second=0, microsecond=0)
        cases = fake_cluster(random.Random(4), 9, "R", start=now)
        _, _, first = screen(store, manifest(cases[:3]), "morning.csv")
        assert first.reassessed is None  # nothing stored earlier grew
        later, _, run = screen(store, manifest(cases[3:]), "afternoon.csv")
        assert later.filter(pl.col("reasons").str.contains("CLUSTER_COMMINGLED")).height == 6
        assert run.reassessed is not None and run.reassessed.live == 3
        with store.connect() as conn:
            rows = conn.execute(
                select(t.assessments.c.shipment_id, t.ingest_runs.c.trigger, t.reasons.c.code)
                .join(t.ingest_runs, t.ingest_runs.c.run_id == t.assessments.c.run_id)
                .join(t.reasons, (t.reasons.c.run_id == t.assessments.c.run_id)
                      & (t.reasons.c.shipment_id == t.assessments.c.shipment_id))
                .where(t.ingest_runs.c.trigger.is_not(None))).all()
    finally:
        store.close()
    assert {r[1] for r in rows} == {f"cluster:{run.summary.run_id}"}
    clustered = {r[0] for r in rows if r[2] == "CLUSTER_COMMINGLED"}
    assert clustered == {"R0", "R1", "R2"}  # the earlier file's parcels, not the afternoon's own


def test_history_counts_names_before_the_day(store: Store) -> None:
    earlier = datetime.now(UTC) - timedelta(hours=2)
    screen(store, manifest(fake_cluster(random.Random(8), 5, "H", start=earlier)), "old.csv")
    with store.connect() as conn:
        before = identifier_history(conn, datetime.now(UTC) + timedelta(minutes=1))
        none = identifier_history(conn, earlier - timedelta(days=1))
    address = before.filter(pl.col("kind") == "address")
    assert address["names"].to_list() == [5]
    assert none.is_empty()
