"""``interdictor spark rescreen`` gives every shipment the score, disposition, corridor and reasons the single
machine gives it with the same store state, in Spark local mode; bad partitions and rows are reported per
partition while the rest is screened, nothing silently dropped."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from tests.spark.archive import write_archive
from typer.testing import CliRunner

from interdictor.archive.layout import CANONICAL, PARTITION, partition_dir
from interdictor.cli import app
from interdictor.demo.generate import generate_manifest
from interdictor.intake.base import IntakeChunk, ReadOptions
from interdictor.intake.csv_manifest import read_manifest_csv
from interdictor.model import Batch
from interdictor.screening import ScreenRun, assemble
from interdictor.settings import Settings
from interdictor.spark import submit
from interdictor.store import open_store

TODAY = dt.datetime.now(dt.UTC).date()
PARTNERS = {"acme": 31, "bolt": 32}


@dataclass
class World:
    url: str
    archive: Path
    batches: dict[str, Batch]
    settings: Settings


def chunks(path: Path) -> Iterator[IntakeChunk]:
    with path.open("rb") as fh:
        yield from read_manifest_csv(fh, ReadOptions(source_name=path.name))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Two earlier days of generated traffic screened into a store (its history), and the next day of two
    partners' traffic written to an archive."""
    w = tmp_path_factory.mktemp("world")
    url = f"sqlite:///{w / 'store.sqlite'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("INTERDICTOR_DATA_DIR", str(w / "data"))
        settings = Settings(database_url=url)
        store = open_store(url)
        try:
            for k in (3, 2):
                day = w / f"day{k}.csv"
                generate_manifest(day, 150, 20 + k, day=TODAY - dt.timedelta(days=k))
                with ScreenRun(assemble(settings, store), partner="acme", source=day.name, store=store) as run:
                    for c in chunks(day):
                        run.add(c)
                    run.finish()
        finally:
            store.close()
        batches = {}
        for partner, seed in PARTNERS.items():
            day = w / f"{partner}.csv"
            generate_manifest(day, 150, seed, day=TODAY - dt.timedelta(days=1))
            batches[partner] = Batch.concat([c.batch for c in chunks(day)])
        write_archive(w / "archive", batches)
        yield World(url, w / "archive", batches, settings)


def single_machine(world: World) -> tuple[pl.DataFrame, dict[str, str]]:
    """Each partner's shipments screened by ScreenRun with the store's screening (storing nothing)."""
    store = open_store(world.url)
    try:
        screening = assemble(world.settings, store)
    finally:
        store.close()
    out = []
    for partner, batch in world.batches.items():
        run = ScreenRun(screening, partner=partner, list_reasons=True)
        run.add(IntakeChunk(batch=batch, rows=len(batch), rejects=[]))
        out.append(run.finish().with_columns(pl.lit(partner).alias("partner")))
    return pl.concat(out), screening.versions


def reasons(rows: list[dict[str, Any]] | None) -> list[tuple[Any, ...]]:
    return [(r["code"], r["weight"], r["evidence"], r["item"], r["party"]) for r in rows or []]


def cli(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(app, list(args))
    return r.exit_code, r.stdout + r.stderr


@pytest.mark.spark
def test_spark_gives_every_shipment_what_the_single_machine_gives_it(spark: Any, world: World, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERDICTOR_DATA_DIR", str(world.archive.parent / "data"))
    out = tmp_path / "out"
    code, text = cli("spark", "rescreen", "--input", str(world.archive), "--out", str(out), "--db", world.url)
    assert code == 0, text
    expected, versions = single_machine(world)
    got = pl.read_parquet(out / f"{PARTITION}=*" / "*.parquet", hive_partitioning=True)
    assert got.columns == ["partner", "shipment_id", "version", "score", "disposition", "corridor", "reasons",
                           PARTITION]
    assert got.schema["reasons"] == expected.schema["reasons"]  # the lists of `screen --out x.parquet`
    assert got.height == expected.height == sum(len(b) for b in world.batches.values())
    both = expected.join(got, on=["partner", "shipment_id"], how="inner", suffix="_spark")
    assert both.height == expected.height
    for row in both.iter_rows(named=True):
        sid = row["shipment_id"]
        assert (row["score"], row["disposition"], row["corridor"]) == (
            row["score_spark"], row["disposition_spark"], row["corridor_spark"]), sid
        assert reasons(row["reasons"]) == reasons(row["reasons_spark"]), sid
    assert both.filter(pl.col("reasons").list.len() > 0).height > 50  # the comparison is not of empty lists
    assert got.get_column("version").unique().to_list() == [1]
    # ranked: within the day, the highest score first
    assert got.get_column("score").to_list() == sorted(got.get_column("score").to_list(), reverse=True)
    report = json.loads((out / "_report.json").read_text())
    assert report["versions"] == versions  # the same rule set, model, lists and history mark
    assert "history" in report["versions"] and "history mark" in report["history"]
    day = f"{TODAY - dt.timedelta(days=1):%Y-%m-%d}"
    assert report["partitions"][day]["screened"] == 300
    assert report["partitions"][day]["partners"] == {"acme": {"screened": 150, "rejected": 0},
                                                     "bolt": {"screened": 150, "rejected": 0}}
    assert report["partitions"][day]["errors"] == []
    # run again into the same --out: it replaces the earlier re-screen
    code, text = cli("spark", "rescreen", "--input", str(world.archive), "--out", str(out), "--db", world.url)
    assert code == 0, text
    assert pl.read_parquet(out / f"{PARTITION}=*" / "*.parquet").height == 300


def shifted(batch: Batch, days: int, n: int) -> Batch:
    """The first ``n`` shipments of ``batch``, filed ``days`` earlier."""
    ships = batch.shipments.head(n).with_columns(pl.col("filed_at").dt.offset_by(f"-{days}d"))
    keep = ships.select("shipment_id")
    return Batch(ships, *(getattr(batch, t).join(keep, on="shipment_id", how="semi") for t in ("items", "parties", "legs")))


@pytest.mark.spark
def test_bad_partitions_and_rows_are_reported_and_the_rest_screened(spark: Any, world: World, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERDICTOR_DATA_DIR", str(world.archive.parent / "data"))
    root = tmp_path / "archive"
    acme, bolt = world.batches["acme"], world.batches["bolt"]
    manifest = write_archive(root, {"acme": shifted(acme, 10, 40), "bolt": shifted(bolt, 11, 30),
                                    "cargo": shifted(acme, 12, 20)})
    good, corrupt, typed = manifest.days[2], manifest.days[1], manifest.days[0]
    # a part file that is not Parquet
    (partition_dir(root, "items", corrupt) / "part-00000.parquet").write_bytes(b"PAR1 this is not parquet at all")
    # a weight written as text: not the layout's column type
    f = partition_dir(root, "items", typed) / "part-00000.parquet"
    pl.read_parquet(f).with_columns(pl.col("weight_kg").cast(pl.String)).write_parquet(f)
    # rows that fail validation: no shipment_id, a shipment archived twice, an item whose shipment is absent
    ships = pl.read_parquet(partition_dir(root, "shipments", good) / "part-00000.parquet")
    twice = ships.head(1).with_columns(pl.lit(2, pl.Int32).alias("version"))
    nameless = ships.slice(1, 1).with_columns(pl.lit(None, pl.String).alias("shipment_id"))
    pl.concat([twice, nameless]).write_parquet(partition_dir(root, "shipments", good) / "part-00009.parquet")
    items = pl.read_parquet(partition_dir(root, "items", good) / "part-00000.parquet")
    items.head(1).with_columns(pl.lit("NO-SUCH-SHIPMENT").alias("shipment_id")).write_parquet(
        partition_dir(root, "items", good) / "part-00009.parquet")

    out = tmp_path / "out"
    code = submit.main(["--input", str(root), "--out", str(out), "--db", world.url])  # the spark-submit module
    assert code == 3
    report = json.loads((out / "_report.json").read_text())
    parts = report["partitions"]
    assert parts[corrupt]["status"] == "rejected"
    assert any(f"items/{PARTITION}={corrupt}/part-00000.parquet: cannot be read as Parquet" in e
               for e in parts[corrupt]["errors"])
    assert parts[corrupt]["rejected"] == 30 and parts[corrupt]["screened"] == 0
    assert parts[typed]["status"] == "rejected"
    assert any("column weight_kg is String, the layout has Float64" in e for e in parts[typed]["errors"])
    # the good partition: every shipment row in is screened or rejected, with why
    g = parts[good]
    assert g["status"] == "screened"
    assert g["rows_in"]["shipments"] == 42 == g["screened"] + g["rejected"]
    assert (g["screened"], g["rejected"]) == (40, 2)
    text = "\n".join(g["errors"])
    assert "1 shipments rows rejected: shipment_id is empty" in text
    assert "1 shipments rows rejected: an older version" in text
    assert "1 items rows rejected: items row whose shipment is not in the partition" in text
    rejects = pl.read_parquet(out / "_rejects" / "**" / "*.parquet", hive_partitioning=True)
    assert rejects.height == 3
    assert rejects.filter(pl.col("shipment_id") == "NO-SUCH-SHIPMENT").get_column("table").to_list() == ["items"]
    got = pl.read_parquet(out / f"{PARTITION}=*" / "*.parquet", hive_partitioning=True)
    assert got.height == 40  # only the good partition's screened shipments
    assert got.filter(pl.col("shipment_id") == twice["shipment_id"][0]).get_column("version").to_list() == [2]


def test_an_archive_of_another_layout_or_none_is_refused(tmp_path: Path, world: World) -> None:
    code, text = cli("spark", "rescreen", "--input", str(tmp_path), "--out", str(tmp_path / "out"))
    assert code == 2
    assert "is not an Interdictor archive" in text
    other = tmp_path / "other"
    shutil.copytree(world.archive, other)
    data = json.loads((other / "_archive.json").read_text())
    (other / "_archive.json").write_text(json.dumps({**data, "schema": 99}))
    code, text = cli("spark", "rescreen", "--input", str(other), "--out", str(tmp_path / "out"))
    assert code == 2
    assert "written with archive layout 99" in text
    assert not (tmp_path / "out").exists()


def test_an_out_directory_holding_something_else_is_refused(tmp_path: Path, world: World) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    code, text = cli("spark", "rescreen", "--input", str(world.archive), "--out", str(tmp_path))
    assert code == 2
    assert "is not an earlier re-screen's output" in text
    assert (tmp_path / "mine.txt").read_text() == "keep me"
    assert set(CANONICAL) <= {p.name for p in world.archive.iterdir()}


def test_one_jobs_output_is_never_replaced_by_the_other(tmp_path: Path, world: World) -> None:
    network, rescreened = tmp_path / "network", tmp_path / "rescreened"
    network.mkdir()
    (network / "_report.json").write_text(json.dumps({"job": "network"}))
    code, text = cli("spark", "rescreen", "--input", str(world.archive), "--out", str(network))
    assert code == 2
    assert "holds the output of another job (network)" in text
    assert json.loads((network / "_report.json").read_text()) == {"job": "network"}
    rescreened.mkdir()
    (rescreened / "_report.json").write_text(json.dumps({"job": "rescreen"}))
    code, text = cli("spark", "network", "--input", str(world.archive), "--out", str(rescreened))
    assert code == 2
    assert "holds the output of another job (rescreen)" in text
    assert (rescreened / "_report.json").is_file()


@pytest.mark.spark
def test_a_day_larger_than_a_chunk_is_screened_in_groups_each_shipment_once(spark: Any, world: World, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from interdictor.spark.job import options, run

    monkeypatch.setenv("INTERDICTOR_DATA_DIR", str(world.archive.parent / "data"))
    out = tmp_path / "out"
    opts = options(world.archive, out, db=world.url)
    opts.chunk = 40  # 150 shipments a partner: ceil(300 / 40) = 8 buckets of the day, several groups each
    report = run(opts, say=lambda _: None)
    got = pl.read_parquet(out / f"{PARTITION}=*" / "*.parquet", hive_partitioning=True)
    expected = {(p, s) for p, b in world.batches.items() for s in b.shipments.get_column("shipment_id")}
    assert got.height == len(expected)
    assert set(zip(got.get_column("partner"), got.get_column("shipment_id"), strict=True)) == expected
    assert report.totals["screened"] == len(expected) and report.totals["rejected"] == 0
    # the reasons that need no batch mates are the single machine's: a listed party, a precursor, a route
    single, _ = single_machine(world)
    both = single.join(got, on=["partner", "shipment_id"], suffix="_spark")
    same = both.filter(pl.col("reasons").list.eval(pl.element().struct.field("code").str.starts_with("CLUSTER_"))
                       .list.any().not_())
    assert same.height > 250
    assert same.filter(pl.col("score") != pl.col("score_spark")).is_empty()
