"""End-to-end throughput and peak memory of ``interdictor screen``.

Generates a day of traffic with the demo generator (default 1,000,000 shipments, ~3 items and 2
parties each; shippers send many parcels a day, most consignees appear once), then times
``interdictor screen`` over it in a fresh process per configuration:

* ``--no-store``
* storing to a fresh SQLite file, then ``interdictor network build`` on it (screening stores the
  shipments; the network follows them when next read: the cost moved out of the screen)
* storing to a fresh PostgreSQL database (skipped when no server answers)

Each run reports wall seconds, shipments per second and the peak resident memory of the screening
process.  ``--detectors route,consistency`` limits the detectors (the core issue's figure);
the default runs them all.

    python bench/throughput.py --size 1000000
    python bench/throughput.py --size 200000 --detectors route,consistency --only no-store
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent


def generate(path: Path, size: int, seed: int) -> None:
    if path.exists():
        print(f"reusing {path} ({path.stat().st_size / 1e6:,.0f} MB)")
        return
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "interdictor.demo.generate", str(path), "--size", str(size), "--seed", str(seed)],
                   check=True)
    print(f"generated {size:,} shipments in {time.perf_counter() - t:,.1f} s → {path} ({path.stat().st_size / 1e6:,.0f} MB)")


def run_screen(path: Path, size: int, label: str, extra: list[str], env: dict[str, str]) -> None:
    out = path.with_suffix(f".{label}.csv")
    run_timed(size, label, ["screen", str(path), "--out", str(out), "--partner", f"bench-{uuid.uuid4().hex[:6]}", *extra],
              env)


def run_timed(size: int, label: str, args: list[str], env: dict[str, str]) -> None:
    """One ``interdictor`` command in a fresh process: wall, CPU, shipments per second, peak RSS."""
    cmd = [sys.executable, "-m", "interdictor.cli", *args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 3):
        print(f"{label}: failed ({proc.returncode})\n{proc.stderr[-2000:]}")
        return
    peak_mb = after.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux: the largest child so far
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"{label:>10}: {wall:7.1f} s wall, {cpu:7.1f} s CPU, {size / wall:>9,.0f} shipments/s, peak RSS ≤ {peak_mb:,.0f} MB")
    summary = [line for line in (proc.stderr + proc.stdout).splitlines()
               if "shipments from" in line or "shipments added" in line]
    if summary:
        print(f"            {summary[-1].strip()}")


def pg_url() -> str | None:
    admin = os.environ.get("INTERDICTOR_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        import psycopg

        name = f"interdictor_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(admin.replace("postgresql+psycopg://", "postgresql://"), autocommit=True, connect_timeout=3) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
    except Exception as exc:
        print(f"PostgreSQL: skipped ({str(exc).splitlines()[0]})")
        return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--dir", type=Path, default=HERE / "out")
    ap.add_argument("--detectors", default=None, help="comma-separated detectors (default: all)")
    ap.add_argument("--only", choices=["no-store", "sqlite", "postgres"], action="append")
    ap.add_argument("--no-network", action="store_true", help="skip the network build after the SQLite screen")
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    path = args.dir / f"day-{args.size}-seed{args.seed}.csv"
    generate(path, args.size, args.seed)
    env = dict(os.environ)
    if args.detectors:
        env["INTERDICTOR_DETECTORS"] = args.detectors
    print(f"detectors: {args.detectors or 'all'}; cores: {os.cpu_count()}")
    which = args.only or ["no-store", "sqlite", "postgres"]
    with tempfile.TemporaryDirectory() as tmp:
        if "no-store" in which:
            run_screen(path, args.size, "no-store", ["--no-store"], {**env, "INTERDICTOR_DATA_DIR": tmp})
        if "sqlite" in which:
            db = f"sqlite:///{tmp}/bench.sqlite"
            run_screen(path, args.size, "sqlite", ["--db", db], env)
            if not args.no_network:
                run_timed(args.size, "network", ["network", "build", "--db", db], env)
        if "postgres" in which:
            url = pg_url()
            if url:
                run_screen(path, args.size, "postgres", ["--db", url], env)


if __name__ == "__main__":
    main()
