"""The history a model's features are counted from at screening setup, aggregated by the database
(``store.models.history``), on SQLite and PostgreSQL: for a shipment later than the stored ones it
counts exactly what the shipment-by-shipment history counts (``learn.loop.history_of`` over every
stored shipment and outcome), and for any stored shipment never more — no later shipment or outcome."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl

from interdictor.intake.base import ReadOptions
from interdictor.intake.csv_manifest import read_manifest_csv
from interdictor.learn.loop import HISTORY, IDENTITIES, history_features, history_of
from interdictor.queue.outcomes import read_outcomes
from interdictor.screening import ScreenRun, assemble
from interdictor.screening.assembly import choose_corridors
from interdictor.settings import Settings
from interdictor.store import models, open_store
from interdictor.store.config import Budgets, port_budgets
from interdictor.store.decisions import import_outcomes

SAMPLE = Path(__file__).parents[1] / "fixtures" / "corridor_sample.csv"
DAY0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
COLUMNS = [f"{k}__{h}" for k in IDENTITIES for h in HISTORY]


def days_of_sample(days: int) -> bytes:
    """The sample's five shipments once a day for ``days`` days, two of them twice a day (same parties)."""
    header, *lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    cols = header.split(",")
    out = [header]
    for d in range(days):
        for copy, hour in ((0, 8), (1, 15)):
            for i, line in enumerate(lines):
                if copy and i > 1:
                    continue
                cells = line.split(",")
                cells[0] = f"D{d}C{copy}{cells[0]}"
                cells[cols.index("filed_at")] = (DAY0 + timedelta(days=d, hours=hour - 8, minutes=i)).isoformat()
                out.append(",".join(cells))
    return ("\n".join(out) + "\n").encode()


def outcomes(days: int) -> bytes:
    """Exams of every copy of the first two shipments, each in the evening: the first always seized."""
    rows = ["partner,shipment_id,result,examined_at,what"]
    for d in range(days):
        at = (DAY0 + timedelta(days=d, hours=12)).isoformat()
        for copy in (0, 1):
            rows.append(f"acme,D{d}C{copy}EX100001,seized,{at},precursor")
            rows.append(f"acme,D{d}C{copy}EX100002,nothing_found,{at},")
    return ("\n".join(rows) + "\n").encode()


def features(ships: pl.DataFrame, parties: pl.DataFrame, history: models.History) -> pl.DataFrame:
    return history_features(ships, parties, history).sort("shipment_id").select("shipment_id", *COLUMNS)


def test_the_databases_history_counts_what_the_shipment_by_shipment_history_counts(store_url: str) -> None:
    store = open_store(store_url)
    try:
        data = days_of_sample(4)
        run = ScreenRun(assemble(Settings(detectors="route,consistency"), store), partner="acme", source="m.csv",
                        fmt="manifest-csv", store=store)
        for chunk in read_manifest_csv(io.BytesIO(data), ReadOptions(source_name="m.csv")):
            run.add(chunk)
        run.finish()
        rows, rejects = read_outcomes(outcomes(4), "o.csv")
        with store.begin() as conn:
            cfg = choose_corridors(conn, Settings())
            done = import_outcomes(conn, "test", rows, cfg=cfg, budgets=Budgets(cfg, port_budgets(conn)), source="o.csv",
                                   notify=False)
        assert not rejects and not done.rejects
        with store.connect() as conn:
            stored = models.traffic(conn)
            in_sql = models.history(conn)
    finally:
        store.close()
    in_memory = history_of(stored)
    assert in_sql.size < in_memory.size  # grouped by the database, not one row per shipment

    later = stored.shipments.with_columns(pl.col("time") + timedelta(days=30))
    exact, grouped = features(later, stored.parties, in_memory), features(later, stored.parties, in_sql)
    assert exact["shipper__seized"].max() == 8 and exact["consignee__seen"].max() == 8  # something to see
    assert exact.equals(grouped)

    own = features(stored.shipments, stored.parties, in_memory)
    mine = features(stored.shipments, stored.parties, in_sql)
    assert (own["shipper__seized"] > 0).any()
    for col in COLUMNS:  # at its own time a stored shipment is never counted more than it can know
        assert (mine[col] <= own[col]).all(), col
    day_after = own.join(stored.shipments.select("shipment_id", "time"), on="shipment_id").filter(
        pl.col("shipment_id").str.starts_with("D3C0"))  # the first of a day: every earlier day is counted alike
    assert day_after.drop("time").equals(mine.filter(pl.col("shipment_id").str.starts_with("D3C0")))
