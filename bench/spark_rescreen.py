"""``interdictor spark rescreen`` beside ``interdictor screen --no-store`` on the same generated shipments.

Generates a day of traffic (default 20,000 shipments), writes it as an archive (the test helper's writer
until ``interdictor export --format parquet`` is used here), then times, each in a fresh process:

* ``interdictor screen DAY.csv --no-store --out x.parquet``
* ``interdictor spark rescreen --input ARCHIVE --out DIR --master local[2]`` (a fresh, empty store)

and reports wall seconds, CPU seconds of the process and everything it waited for (for Spark: the JVM;
Python workers the JVM did not reap are missed, so the Spark CPU figure is a lower bound), and
shipments per second of wall time.

    nice python bench/spark_rescreen.py --size 20000
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(label: str, cmd: list[str], size: int) -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 3):
        print(proc.stdout[-2000:], proc.stderr[-4000:])
        raise SystemExit(f"{label} failed with exit code {proc.returncode}")
    print(f"{label:<34} wall {wall:7.1f} s   cpu {cpu:7.1f} s   {size / wall:9,.0f} shipments/s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--dir", type=Path, default=None, help="work directory (default: a temporary one)")
    a = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.spark.archive import write_archive

    from interdictor.demo.generate import generate_manifest
    from interdictor.intake.base import ReadOptions
    from interdictor.intake.csv_manifest import read_manifest_csv
    from interdictor.model import Batch

    with tempfile.TemporaryDirectory() as tmp:
        w = a.dir or Path(tmp)
        day = w / "day.csv"
        generate_manifest(day, a.size, a.seed)
        with day.open("rb") as fh:
            batch = Batch.concat([c.batch for c in read_manifest_csv(fh, ReadOptions(source_name=day.name))])
        write_archive(w / "archive", {"bench": batch})
        print(f"{a.size:,} shipments; archive {sum(f.stat().st_size for f in (w / 'archive').rglob('*.parquet')) / 1e6:,.1f} MB")
        cli = [sys.executable, "-m", "interdictor.cli"]
        timed("screen --no-store", [*cli, "screen", str(day), "--no-store", "--partner", "bench",
                                    "--out", str(w / "single.parquet")], a.size)
        timed(f"spark rescreen --master {a.master}", [*cli, "spark", "rescreen", "--input", str(w / "archive"),
                                                        "--out", str(w / "spark"), "--master", a.master,
                                                        "--db", f"sqlite:///{w / 'empty.sqlite'}",
                                                        "--conf", "spark.ui.enabled=false",
                                                        "--conf", "spark.sql.shuffle.partitions=4"], a.size)


if __name__ == "__main__":
    main()
