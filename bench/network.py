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
    rnd = random.Random(seed)
    now = datetime.now(UTC)
    companies, people = max(n // 50, 10), max(n // 3, 10)
    ships, parts = [], []
    for i in range(start, start + n):
        partner, sid = ("acme", "bolt")[i % 2], f"S{i}"
        ships.append({"partner": partner, "shipment_id": sid, "version": 1, "run_id": "bench", "content_hash": "x",
                      "is_current": True, "received_at": now})
        c = rnd.randrange(companies)
        consolidator = rnd.random() < 0.05
        parts.append({"partner": partner, "shipment_id": sid, "version": 1, "party": "shipper",
                      "name": f"SELLER {i} SHOP" if consolidator else f"COMPANY {c} TRADING CO LTD",
                      "address": "88 HUAQIANGBEI RD" if consolidator else f"{c} INDUSTRY RD",
                      "postal_code": "518031", "country": "CN",
                      "phone": "+86 755 8888 8888" if consolidator else None, "email": None})
        p = rnd.randrange(people)
        parts.append({"partner": partner, "shipment_id": sid, "version": 1, "party": "consignee",
                      "name": f"PERSON {p} DOE{p % 97}", "address": f"{p} OAK ST", "postal_code": f"{10000 + p % 89999}",
                      "country": "US", "phone": f"+1 555 {p % 10_000_000:07d}" if p % 4 else None,
                      "email": f"p{p // 2}@gmail.com" if p % 5 == 0 else None})
    store.insert_frames([("shipments", pl.DataFrame(ships)), ("parties", pl.DataFrame(parts))])


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
        t0 = time.perf_counter()
        done = update(store, cfg)
        t1 = time.perf_counter()
        print(f"resolve {args.size} shipments: {t1 - t0:.1f} s ({done.variants} variants)")
        extra = max(args.size // 100, 1)
        store_traffic(store, args.size, extra, 2)
        t0 = time.perf_counter()
        update(store, cfg)
        print(f"incremental update of {extra} more: {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        tables = graph_tables(store, cfg)
        t1 = time.perf_counter()
        graph = build(*tables, cfg)
        t2 = time.perf_counter()
        print(f"graph: read {t1 - t0:.1f} s, build {t2 - t1:.1f} s "
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
        t0 = time.perf_counter()
        stored_backtrack(store, cfg, "acme", "S0", args.depth)
        print(f"first backtrack through the store (brings the network up to date, reads and builds the graph): "
              f"{time.perf_counter() - t0:.1f} s")
        times = []
        for _ in range(args.backtracks):
            i = rnd.randrange(args.size)
            t0 = time.perf_counter()
            stored_backtrack(store, cfg, ("acme", "bolt")[i % 2], f"S{i}", args.depth)
            times.append(time.perf_counter() - t0)
        print(f"backtrack through the store, graph kept: median {statistics.median(times) * 1000:.0f} ms, "
              f"max {max(times) * 1000:.0f} ms (ranked, risk read, paths in words)")
        t0 = time.perf_counter()
        _, _, summary = communities(store, cfg)
        print(f"communities: {time.perf_counter() - t0:.1f} s ({summary.height} of two actors or more, largest "
              f"{summary['actors'].max()} actors)")
        print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        store.close()


if __name__ == "__main__":
    main()
