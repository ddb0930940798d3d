"""``interdictor spark network`` resolves the archive's parties into the actors ``interdictor network build``
resolves the same stored shipments into — the same partition of the parties, the same actor ids — with the
same hubs left out, and the same communities."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy import delete, select
from tests.network.traffic import MARKET, manifests
from typer.testing import CliRunner

from interdictor.archive.layout import PARTITION
from interdictor.cli import app
from interdictor.intake.base import ReadOptions
from interdictor.intake.csv_manifest import read_manifest_csv
from interdictor.network import NetworkConfig
from interdictor.network.actors import key_parties
from interdictor.screening import ScreenRun, assemble
from interdictor.settings import Settings
from interdictor.spark.batches import ORDER
from interdictor.spark.network import key_group
from interdictor.store import open_store
from interdictor.store import schema_network as n
from interdictor.store.network import communities

KEYS = ["partner", "shipment_id", "party"]


@dataclass
class World:
    url: str
    archive: Path
    parties: pl.DataFrame  # partner, shipment_id, party, actor_id as the store's network resolved them
    communities: pl.DataFrame  # the store's communities (COMMUNITY_SCHEMA)


def cli(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(app, list(args))
    return r.exit_code, r.stdout + r.stderr


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Two partners' traffic (a smuggling network, a consolidator whose address and phone 60 sellers use,
    background) stored, its network rebuilt at once by `interdictor network build`, the store exported."""
    w = tmp_path_factory.mktemp("net")
    url = f"sqlite:///{w / 'store.sqlite'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("INTERDICTOR_DATA_DIR", str(w / "data"))
        store = open_store(url)
        try:
            screening = assemble(Settings().model_copy(update={"detectors": "route"}), store)
            for partner, data in manifests(sellers=60, background=30).items():
                run = ScreenRun(screening, partner=partner, source=f"{partner}.csv", fmt="manifest-csv", store=store)
                for chunk in read_manifest_csv(io.BytesIO(data), ReadOptions(source_name=f"{partner}.csv")):
                    run.add(chunk)
                run.finish()
            with store.begin() as conn:  # the network grew partner by partner: build it again, from scratch
                for table in (n.network_parties, n.network_uses, n.network_variants):
                    conn.execute(delete(table))
        finally:
            store.close()
        code, text = cli("network", "build", "--db", url)
        assert code == 0 and "0 actors merged" in text, text
        code, text = cli("export", "--format", "parquet", "--out", str(w / "archive"), "--db", url)
        assert code == 0, text
        store = open_store(url)
        try:
            NP, V = n.network_parties, n.network_variants
            parties = store.read_frame(select(NP.c.partner, NP.c.shipment_id, NP.c.party, V.c.actor_id).select_from(
                NP.join(V, V.c.variant == NP.c.variant)), dict.fromkeys([*KEYS, "actor_id"], pl.String))
            summary = communities(store, NetworkConfig())[2]
        finally:
            store.close()
        yield World(url, w / "archive", parties, summary)


@pytest.mark.spark
def test_spark_resolves_the_archive_into_the_stores_actors(spark: Any, world: World, tmp_path: Path) -> None:
    out = tmp_path / "net"
    code, text = cli("spark", "network", "--input", str(world.archive), "--out", str(out))
    assert code == 0, text
    report = json.loads((out / "_report.json").read_text())
    assert report["job"] == "network" and report["totals"]["partitions_rejected"] == 0
    assert report["totals"]["resolved"] == world.parties.height == report["totals"]["parties_in"]
    occ = pl.read_parquet(out / "occurrences" / f"{PARTITION}=*" / "*.parquet", hive_partitioning=True)
    both = world.parties.join(occ.select(*KEYS, pl.col("actor_id").alias("spark")), on=KEYS, how="full",
                              coalesce=True)
    assert both.height == world.parties.height and both.null_count().sum_horizontal().item() == 0
    # the same partition of the parties into actors: each store actor is one Spark actor and back
    assert both.group_by("actor_id").agg(pl.col("spark").n_unique())["spark"].max() == 1
    assert both.group_by("spark").agg(pl.col("actor_id").n_unique())["actor_id"].max() == 1
    assert both["actor_id"].n_unique() > 100
    # a one-shot resolution names an actor after its smallest variant, on both sides
    assert (both["actor_id"] == both["spark"]).all()

    def actor(sid: str, party: str) -> str:
        return str(occ.filter((pl.col("shipment_id") == sid) & (pl.col("party") == party))["actor_id"].item())

    assert actor("N0", "consignee") == actor("N2", "consignee")  # same phone
    assert actor("N1", "consignee") == actor("N3", "consignee")  # same e-mail
    assert actor("N0", "shipper") == actor("N1", "shipper")  # the company that moved
    # the consolidator's phone, used by 60 sellers' names, is a hub: it ties none of them together
    sellers = occ.filter(pl.col("shipment_id").str.starts_with("C") & (pl.col("party") == "shipper"))
    assert sellers.height == 60 and sellers["actor_id"].n_unique() == 60
    uses = pl.read_parquet(out / "uses" / "*.parquet")
    market = uses.filter((pl.col("kind") == "phone") & pl.col("shown").str.ends_with(MARKET[4][-4:]))
    assert market.height == 60 and market["hub"].all() and market["hub_names"].min() == 60
    actors = pl.read_parquet(out / "actors" / "*.parquet")
    assert actors.height == both["actor_id"].n_unique() and actors["parties"].sum() == occ.height
    company = actors.filter(pl.col("actor_id") == actor("N0", "shipper")).row(0, named=True)
    assert (company["variants"], company["shipments"], company["partners"]) == (2, 2, 1)
    # the communities of the store's network: the same groups, sizes and spans
    got = pl.read_parquet(out / "communities" / "*.parquet")
    cols = ["community", "actors", "shipments", "partners", "first_seen", "last_seen"]
    assert got.height == world.communities.height > 0
    assert got.select(cols).sort("community").equals(world.communities.select(cols).sort("community"))
    ring = actors.filter(pl.col("actor_id") == actor("N0", "consignee"))["community"].item()
    assert ring is not None and ring == actors.filter(pl.col("actor_id") == actor("N3", "shipper"))["community"].item()


def test_a_group_keeps_the_latest_version_and_counts_what_it_leaves_out() -> None:
    cols = ("partner", "shipment_id", "version", "party", "name", "address", "postal_code", "country", "phone", "email")
    rows = [("p", "S1", 1, "shipper", "OLD NAME LTD", "1 A RD", "1000", "CN", None, None),
            ("p", "S1", 2, "shipper", "NEW NAME LTD", "1 A RD", "1000", "CN", None, None),
            ("p", "S1", 2, "consignee", None, "2 B ST", "92154", "US", None, None),
            ("p", "S1", 2, "notify", "ANNA LEE", "3 C ST", "92154", "US", None, None),
            ("p", "S1", 2, "notify", "BOB KIM", "4 D ST", "92154", "US", None, None)]
    group = pl.DataFrame(rows, schema=list(cols), orient="row").with_columns(
        pl.lit("2026-11-24").alias(PARTITION), pl.int_range(pl.len()).cast(pl.Int64).alias(ORDER))
    got = key_group(group)
    occ = got.filter(pl.col("_what") == "occurrence")
    assert occ.select("party", "version").rows() == [("shipper", 2), ("notify", 2)]
    latest = group.filter(pl.col("version") == 2)
    expected = key_parties(latest.filter(pl.col("name").is_not_null())).occurrences
    assert occ["variant"].to_list() == expected["variant"].to_list()  # keyed by key_parties itself
    counts = dict(got.filter(pl.col("_what") == "count").select("kind", "n").iter_rows())
    assert counts == {"resolved": 2, "older_versions": 1, "unnamed": 1, "repeated": 1}
    assert sum(counts.values()) == group.height
