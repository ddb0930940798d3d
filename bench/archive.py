"""Build a large archive straight from a partner file, with no store: how fast, how much memory.

Generates a day of traffic with the demo generator (``throughput.generate``: the same CSV, reused when it
is there, as ``bench/throughput.py`` screens), reads it through the intake reader ``interdictor screen``
uses (``read_source`` with read-ahead, the same chunks) and writes each chunk's canonical batch into an
archive (``archive.write.write_batch``: shipments, items, parties, legs of one partner, version 1,
partitioned by filing day).  The Spark re-screen benchmark reads that archive and compares itself with
``interdictor screen --no-store`` on the same CSV (``--csv`` keeps it where you say).

Reports wall and CPU seconds of reading and writing (generation not counted), shipments per second,
the process's peak resident memory and the archive's size on disk.

    nice python bench/archive.py --size 1000000 --out /tmp/archive-1m
    nice python bench/archive.py --size 10000000 --out /tmp/archive-10m --csv /tmp/day-10m.csv
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

from throughput import generate

from interdictor.archive.write import ArchiveWriter, write_batch
from interdictor.intake.base import ReadOptions
from interdictor.intake.dispatch import read_source
from interdictor.screening import prefetch
from interdictor.settings import Settings

HERE = Path(__file__).resolve().parent


def build(csvs: list[Path], out: Path, *, partner: str, replace: bool) -> None:
    """An archive of ``csvs`` (one partner's files, each read as ``interdictor screen`` reads it) at ``out``."""
    settings = Settings()
    started, cpu0 = time.perf_counter(), time.process_time()
    shipments = rejects = 0
    with ArchiveWriter(out, replace=replace, source="files " + ", ".join(c.name for c in csvs)) as writer:
        for csv in csvs:
            with csv.open("rb") as fh:
                _, chunks = read_source(fh, "manifest-csv",
                                        ReadOptions(source_name=csv.name, chunk_rows=settings.chunk_rows), None)
                for chunk in prefetch(chunks):
                    write_batch(writer, chunk.batch, partner=partner)
                    shipments += len(chunk.batch)
                    rejects += len(chunk.rejects)
                    print(f"\r{shipments:,} shipments", end="", file=sys.stderr)
        manifest = writer.close()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu0
    print(file=sys.stderr)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    size_mb = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6
    csv_mb = sum(c.stat().st_size for c in csvs) / 1e6
    print(f"archive: {wall:,.1f} s wall, {cpu:,.1f} s CPU, {shipments / wall:,.0f} shipments/s, "
          f"peak RSS {peak_mb:,.0f} MB, {size_mb:,.0f} MB on disk ({csv_mb:,.0f} MB of CSV)")
    print("rows: " + ", ".join(f"{t} {n:,}" for t, n in manifest.tables.items() if n)
          + f"; days {', '.join(manifest.days)}; {rejects:,} rejects → {out}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=1_000_000, help="shipments to generate (default 1,000,000)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, required=True, help="the archive's directory (new, empty, or an archive)")
    ap.add_argument("--csv", type=Path, default=None,
                    help="the generated manifest, kept (default bench/out/day-SIZE-seedSEED.csv; reused when there)")
    ap.add_argument("--partner", default="bench", help="the partner the shipments are archived under")
    ap.add_argument("--force", action="store_true", help="replace an archive already in --out")
    args = ap.parse_args()
    csv = args.csv or HERE / "out" / f"day-{args.size}-seed{args.seed}.csv"
    csv.parent.mkdir(parents=True, exist_ok=True)
    generate(csv, args.size, args.seed)
    build([csv], args.out, partner=args.partner, replace=args.force)


if __name__ == "__main__":
    main()
