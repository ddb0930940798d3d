"""The network at scale: resolving N stored shipments into actors, building the graph, backtracking.

Stores N synthetic shipments (two partners; shippers drawn from a pool of companies, consignees from a
pool of people with phones and e-mails, some shared; one consolidator address used by many sellers)
straight into a fresh SQLite store, without screening, then times ``interdictor network build``
(``store.network.update``), one incremental update of 1 % more, the graph build, and backtracks from
random shipments: on the graph itself, and through ``store.network.backtrack`` as the API and CLI call it
(the graph kept in the process after the first; each answer ranked with its risk and its paths in
words); then the communities.  Peak RSS at the end.

    .venv/bin/python bench/network.py --size 200000
    .venv/bin/python bench/network.py --size 1000000 --backtracks 20
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from interdictor.network import NetworkConfig  # noqa: E402
from interdictor.network.graph import backtrack, build  # noqa: E402
from interdictor.store import open_store  # noqa: E402
from interdictor.store.db import Store  # noqa: E402
from interdictor.store.network import backtrack as stored_backtrack  # noqa: E402
from interdictor.store.network import communities, graph_tables, update  # noqa: E402


def store_traffic(store: Store, start: int, n: int, seed: int) -> None:
    """``n`` shipments from ``start`` on, made column by column (the bench's own memory stays small)."""
    rnd = np.random.default_rng(seed)
    companies, people = max(n // 50, 10), max(n // 3, 10)
    i = pl.int_range(start, start + n, eager=True).alias("i")
    c = pl.Series("c", rnd.integers(0, companies, n))
    p = pl.Series("p", rnd.integers(0, people, n))
    consolidator = pl.Series("x", rnd.random(n) < 0.05)
    base = pl.DataFrame([i, c, p, consolidator]).with_columns(
        pl.when(pl.col("i") % 2 == 0).then(pl.lit("acme")).otherwise(pl.lit("bolt")).alias("partner"),
        (pl.lit("S") + pl.col("i").cast(pl.String)).alias("shipment_id"), pl.lit(1, pl.Int32).alias("version"))
    now = datetime.now(UTC)
    ships = base.select("partner", "shipment_id", "version", pl.lit("bench").alias("run_id"),
                        pl.lit("x").alias("content_hash"), pl.lit(True).alias("is_current"),
                        pl.lit(now).dt.replace_time_zone("UTC").alias("received_at"))
    cs, ps = pl.col("c").cast(pl.String), pl.col("p").cast(pl.String)
    x = pl.col("x")
    shippers = base.select(
        "partner", "shipment_id", "version", pl.lit("shipper").alias("party"),
        pl.when(x).then(pl.lit("SELLER ") + pl.col("i").cast(pl.String) + " SHOP")
        .otherwise(pl.lit("COMPANY ") + cs + " TRADING CO LTD").alias("name"),
        pl.when(x).then(pl.lit("88 HUAQIANGBEI RD")).otherwise(cs + " INDUSTRY RD").alias("address"),
        pl.lit("518031").alias("postal_code"), pl.lit("CN").alias("country"),
        pl.when(x).then(pl.lit("+86 755 8888 8888")).otherwise(pl.lit(None, pl.String)).alias("phone"),
        pl.lit(None, pl.String).alias("email"))
    consignees = base.select(
        "partner", "shipment_id", "version", pl.lit("consignee").alias("party"),
        (pl.lit("PERSON ") + ps + " DOE" + (pl.col("p") % 97).cast(pl.String)).alias("name"),
        (ps + " OAK ST").alias("address"), (10000 + pl.col("p") % 89999).cast(pl.String).alias("postal_code"),
        pl.lit("US").alias("country"),
        pl.when(pl.col("p") % 4 != 0).then(pl.lit("+1 555 ") + (pl.col("p") % 10_000_000).cast(pl.String).str.zfill(7))
        .otherwise(pl.lit(None, pl.String)).alias("phone"),
        pl.when(pl.col("p") % 5 == 0).then(pl.lit("p") + (pl.col("p") // 2).cast(pl.String) + "@gmail.com")
        .otherwise(pl.lit(None, pl.String)).alias("email"))
    store.insert_frames([("shipments", ships), ("parties", pl.concat([shippers, consignees]))])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=200_000)
    ap.add_argument("--backtracks", type=int, default=10)
    ap.add_argument("--depth", type=int, default=2)
    args = ap.parse_args()
    cfg = NetworkConfig()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.sqlite")
        store_traffic(store, 0, args.size, 1)
        t0, c0 = time.perf_counter(), time.process_time()
        done = update(store, cfg)
        t1 = time.perf_counter()
        print(f"resolve {args.size} shipments: {t1 - t0:.1f} s ({time.process_time() - c0:.1f} s CPU; "
              f"{done.variants} variants)")
        extra = max(args.size // 100, 1)
        store_traffic(store, args.size, extra, 2)
        t0, c0 = time.perf_counter(), time.process_time()
        update(store, cfg)
        print(f"incremental update of {extra} more: {time.perf_counter() - t0:.1f} s "
              f"({time.process_time() - c0:.1f} s CPU)")
        t0, c0 = time.perf_counter(), time.process_time()
        tables = graph_tables(store, cfg)
        t1, c1 = time.perf_counter(), time.process_time()
        graph = build(*tables, cfg)
        t2, c2 = time.perf_counter(), time.process_time()
        print(f"graph: read {t1 - t0:.1f} s ({c1 - c0:.1f} s CPU), build {t2 - t1:.1f} s ({c2 - c1:.1f} s CPU) "
              f"({graph.num_nodes} nodes, {graph.num_edges} edges, {len(graph.crowded)} crowded)")
        rnd = random.Random(3)
        times, found = [], []
        for _ in range(args.backtracks):
            i = rnd.randrange(args.size)
            t0 = time.perf_counter()
            f = backtrack(graph, ("acme", "bolt")[i % 2], f"S{i}", args.depth, cfg)
            times.append(time.perf_counter() - t0)
            found.append(f.links.height)
        print(f"backtrack depth {args.depth} on the graph: median {statistics.median(times) * 1000:.0f} ms, "
              f"max {max(times) * 1000:.0f} ms, linked shipments median {statistics.median(found):.0f}")
        del graph, tables
        t0, c0 = time.perf_counter(), time.process_time()
        stored_backtrack(store, cfg, "acme", "S0", args.depth)
        print(f"first backtrack through the store (brings the network up to date, reads and builds the graph): "
              f"{time.perf_counter() - t0:.1f} s ({time.process_time() - c0:.1f} s CPU)")
        times, cpu = [], []
        for _ in range(args.backtracks):
            i = rnd.randrange(args.size)
            t0, c0 = time.perf_counter(), time.process_time()
            stored_backtrack(store, cfg, ("acme", "bolt")[i % 2], f"S{i}", args.depth)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        print(f"backtrack through the store, graph kept: median {statistics.median(times) * 1000:.0f} ms, "
              f"max {max(times) * 1000:.0f} ms; CPU median {statistics.median(cpu) * 1000:.0f} ms "
              "(ranked, risk read, paths in words)")
        t0 = time.perf_counter()
        _, _, summary = communities(store, cfg)
        print(f"communities: {time.perf_counter() - t0:.1f} s ({summary.height} of two actors or more, largest "
              f"{summary['actors'].max()} actors)")
        print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        store.close()


if __name__ == "__main__":
    main()
