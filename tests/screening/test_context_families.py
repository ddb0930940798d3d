"""The context families of the issue "Context", planted from the held-out seed and template set (goods,
vague words, cities, name words and gateways the tuning set does not use) into a demo day: each family
ranks in the top 1 % and 5 % of the day, while ordinary traffic is almost never sent to exam or hold and
a legitimate consolidator's sellers raise no cluster."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import polars as pl

from interdictor.demo.chunk import MANIFEST_COLUMNS
from interdictor.demo.context_cases import FAMILIES, consolidator_rows, plant
from interdictor.demo.generate import DEFAULT_DAY, generate_manifest
from interdictor.intake.base import ReadOptions
from interdictor.intake.csv_manifest import read_manifest_csv
from interdictor.reference.watchlists import curated_list
from interdictor.screening import ScreenRun, assemble
from interdictor.settings import Settings

HOLDOUT_SEED = 29


def test_held_out_families_rank_at_the_top_and_ordinary_traffic_stays_clear(tmp_path: Path) -> None:
    path = tmp_path / "day.csv"
    generate_manifest(path, 10_000, HOLDOUT_SEED, seeded_share=0.0)
    listed = [e.name for e in curated_list().entries if getattr(e, "kind", "") == "entity"]
    planted = plant(HOLDOUT_SEED, True, DEFAULT_DAY, 10, listed)
    sellers = consolidator_rows(HOLDOUT_SEED, DEFAULT_DAY, 150, True)
    buf = io.StringIO()
    csv.DictWriter(buf, list(MANIFEST_COLUMNS), extrasaction="ignore", lineterminator="\n").writerows(
        planted.rows + sellers)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(buf.getvalue())

    with ScreenRun(assemble(Settings()), partner="test", source=path.name) as run, path.open("rb") as fh:
        for chunk in read_manifest_csv(fh, ReadOptions(source_name=path.name)):
            run.add(chunk)
        ranked = run.finish()

    truth = pl.DataFrame({"shipment_id": list(planted.truth), "family": list(planted.truth.values())})
    r = (ranked.sort("score", descending=True).with_row_index("rank")
         .join(truth, on="shipment_id", how="left").with_columns(pl.col("family").fill_null("ordinary")))
    top1, top5 = math.ceil(r.height * 0.01), math.ceil(r.height * 0.05)
    by = r.group_by("family").agg(((pl.col("rank") < top1).mean()).alias("top1"),
                                  ((pl.col("rank") < top5).mean()).alias("top5"),
                                  pl.col("disposition").is_in(["exam", "hold"]).mean().alias("exam_or_hold"))
    got = {row["family"]: row for row in by.iter_rows(named=True)}
    assert set(FAMILIES) <= set(got), got
    for family in FAMILIES:
        assert got[family]["top1"] >= 0.85 and got[family]["top5"] >= 0.95, (family, got[family])
    assert got["ordinary"]["exam_or_hold"] < 0.02, got["ordinary"]
    seller_ids = {row["shipment_id"] for row in sellers}
    of_sellers = r.filter(pl.col("shipment_id").is_in(list(seller_ids)))
    assert of_sellers.height == len(seller_ids)
    assert not of_sellers["reasons"].cast(pl.String).fill_null("").str.contains("CLUSTER_").any()
