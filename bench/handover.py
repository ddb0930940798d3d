"""What one polars operation on a few rows costs: mostly handing the work to polars' thread pool.

A screening pass for one shipment is a few hundred such operations (``bench/one_pass.py``).  This
times a few of them on one-row tables, in this process, so that runs on one CPU and on every CPU can
be compared (``docs/service.md``, "Pin the service on a small machine"):

    .venv/bin/python bench/handover.py
    taskset -c 0 .venv/bin/python bench/handover.py

Each figure is the median of five rounds of 2,000 calls.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import polars as pl


def per_call_us(fn: Callable[[], object], calls: int) -> float:
    rounds = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(calls):
            fn()
        rounds.append((time.perf_counter() - t) / calls * 1e6)
    return statistics.median(rounds)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=2_000, help="calls per round")
    args = ap.parse_args()
    left = pl.DataFrame({"shipment_id": ["S1"], "hs_code": ["293339"], "weight": [1.5]})
    right = pl.DataFrame({"shipment_id": ["S1"], "score": [12.0]})
    ops: dict[str, Callable[[], object]] = {
        "join (left, one key)": lambda: left.join(right, on="shipment_id", how="left"),
        "filter": lambda: left.filter(pl.col("weight") > 1),
        "group_by + agg": lambda: left.group_by("shipment_id").agg(pl.col("weight").sum()),
        "select (a string op)": lambda: left.select(pl.col("hs_code").str.slice(0, 4)),
        "to_list (no pool)": lambda: left.get_column("shipment_id").to_list(),
    }
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    print(f"# one-row tables, {args.calls:,} calls x 5 rounds, CPUs {cpus}, polars pool of {pl.thread_pool_size()}")
    for name, fn in ops.items():
        fn()
        print(f"{name:<24} {per_call_us(fn, args.calls):8.1f} µs a call")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
