"""``interdictor spark network`` beside ``interdictor network build`` (and ``network communities``) on the
same shipments.

Takes an archive (``bench/archive.py`` builds one), loads its shipments' keys and parties into a fresh
SQLite store without screening (not timed), then times, each in a fresh process, with the CPU seconds
and peak memory of every process in the tree (``spark_rescreen.timed``):

* ``interdictor network build`` — the store's network from scratch (actors, uses, parties stored);
* ``interdictor network communities`` — the graph read and built, its communities (what ``spark network``
  also writes);
* ``interdictor spark network --no-communities`` and ``interdictor spark network`` on the archive.

    nice python bench/archive.py --size 200000 --out /tmp/a200k
    nice python bench/spark_network.py --archive /tmp/a200k --dir /tmp/net-bench
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from spark_rescreen import timed

from interdictor.store import open_store

PARTY_COLUMNS = ("partner", "shipment_id", "version", "party", "name", "address", "city", "state", "postal_code",
                 "country", "phone", "email")


def load(archive: Path, url: str) -> int:
    """The archive's shipments (keys only) and parties stored as current versions; the shipments loaded."""
    ships = pl.scan_parquet(archive / "shipments" / "*" / "*.parquet", hive_partitioning=True).select(
        "partner", "shipment_id", "version", "filed_at").collect()
    now = datetime.now(UTC)
    stored = ships.select("partner", "shipment_id", "version", pl.lit("bench").alias("run_id"),
                          pl.lit("x").alias("content_hash"), pl.lit(True).alias("is_current"),
                          pl.lit(now).dt.replace_time_zone("UTC").alias("received_at"), "filed_at")
    parties = pl.scan_parquet(archive / "parties" / "*" / "*.parquet", hive_partitioning=True).select(
        PARTY_COLUMNS).collect()
    store = open_store(url)
    try:
        store.insert_frames([("shipments", stored), ("parties", parties)])
    finally:
        store.close()
    return ships.height


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--archive", type=Path, required=True, help="an archive (bench/archive.py)")
    ap.add_argument("--dir", type=Path, required=True, help="a work directory (the store, the outputs)")
    ap.add_argument("--master", default="local[2]")
    args = ap.parse_args()
    work: Path = args.dir
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    url = f"sqlite:///{work / 'store.sqlite'}"
    t0 = time.perf_counter()
    size = load(args.archive, url)
    print(f"loaded {size:,} shipments into {url} ({time.perf_counter() - t0:.1f} s, not counted)", flush=True)
    exe = [sys.executable, "-m", "interdictor.cli"]
    timed("interdictor network build", [*exe, "network", "build", "--db", url], size)
    timed("interdictor network communities", [*exe, "network", "communities", "--db", url, "--out",
                                              str(work / "communities.csv")], size)
    for label, extra in (("spark network --no-communities", ["--no-communities"]), ("spark network", [])):
        timed(label, [*exe, "spark", "network", "--input", str(args.archive), "--out", str(work / "net"),
                      "--master", args.master, *extra], size)


if __name__ == "__main__":
    main()
