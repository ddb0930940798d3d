"""``interdictor spark rescreen`` beside ``interdictor screen --no-store`` on the same shipments, growing.

Generates days of traffic with the demo generator (``--per-day`` shipments a day, one CSV per day,
reused when there), and for each scale in ``--scales`` (a number of days) builds an archive of the first
that many days with the archive's writer (``bench/archive.py``) and times, each in a fresh process:

* ``interdictor screen ALL.csv --no-store --out x.parquet`` — the same days as one file (single process)
* ``interdictor spark rescreen --input ARCHIVE --out DIR --master local[2]`` (against an empty store)

For each it reports wall seconds, shipments per second and CPU seconds of every process in the tree
(sampled from ``/proc`` each half second: Spark's JVM and its Python workers included; a worker that
lived less than half a second is missed), and peak resident memory: of the screening process, and for
Spark of the JVM (driver and executor, in local mode one process) and of the largest Python worker.

    nice python bench/spark_rescreen.py --per-day 20000 --scales 1
    nice python bench/spark_rescreen.py --per-day 1000000 --scales 1,10 --dir /tmp/spark-bench
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from archive import build

HERE = Path(__file__).resolve().parent
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Tree:
    """What the processes under one pid used: CPU seconds per pid (the last sample) and peak RSS per kind."""

    root: int
    cpu: dict[int, float] = field(default_factory=dict)
    peak: dict[str, float] = field(default_factory=dict)  # MB

    def sample(self) -> None:
        children: dict[int, list[int]] = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
        todo, seen = [self.root], []
        while todo:
            pid = todo.pop()
            seen.append(pid)
            todo.extend(children.get(pid, []))
        for pid in seen:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                rss = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE / 1e6
            except (OSError, IndexError, ValueError):
                continue
            self.cpu[pid] = (int(fields[11]) + int(fields[12])) / TICK  # utime + stime
            kind = "jvm" if "java" in cmd.split(" ", 1)[0] else ("python worker" if "pyspark" in cmd and pid != self.root
                                                                  else "main" if pid == self.root else "other")
            self.peak[kind] = max(self.peak.get(kind, 0.0), rss)


def timed(label: str, cmd: list[str], size: int) -> None:
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    tree, done = Tree(proc.pid), threading.Event()

    def watch() -> None:
        while not done.is_set():
            tree.sample()
            done.wait(0.5)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    done.set()
    watcher.join()
    if proc.returncode not in (0, 3):
        print(out[-2000:], err[-4000:])
        raise SystemExit(f"{label} failed with exit code {proc.returncode}")
    peaks = ", ".join(f"{k} {v:,.0f} MB" for k, v in sorted(tree.peak.items()))
    print(f"{label:<34} {wall:8.1f} s wall  {sum(tree.cpu.values()):8.1f} s CPU  {size / wall:9,.0f} shipments/s  "
          f"peak RSS: {peaks}", flush=True)


def day_csv(work: Path, day: int, per_day: int, seed: int) -> Path:
    path = work / f"day{day:02d}-{per_day}.csv"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        subprocess.run([sys.executable, "-m", "interdictor.demo.generate", str(tmp), "--size", str(per_day),
                        "--seed", str(seed + day), "--day", f"2026-06-{day:02d}"], check=True, capture_output=True)
        tmp.rename(path)
    return path


def joined(work: Path, days: list[Path]) -> Path:
    """The days as one manifest (one header)."""
    if len(days) == 1:
        return days[0]
    path = work / f"days{len(days):02d}-{days[0].stem.split('-')[1]}.csv"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as out:
            for k, day in enumerate(days):
                with day.open("rb") as fh:
                    header = fh.readline()
                    if k == 0:
                        out.write(header)
                    while block := fh.read(1 << 24):
                        out.write(block)
        tmp.rename(path)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-day", type=int, default=20_000, help="shipments generated per day (default 20,000)")
    ap.add_argument("--scales", default="1", help="comma-separated numbers of days to time (default 1)")
    ap.add_argument("--seed", type=int, default=100)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--driver-memory", default="6g", help="spark.driver.memory (local mode: the executor too)")
    ap.add_argument("--dir", type=Path, default=HERE / "out" / "spark", help="work directory (kept for reuse)")
    ap.add_argument("--skip-single", action="store_true", help="time only the Spark re-screen")
    a = ap.parse_args()
    a.dir.mkdir(parents=True, exist_ok=True)
    cli = [sys.executable, "-m", "interdictor.cli"]
    for scale in (int(s) for s in a.scales.split(",")):
        days = [day_csv(a.dir, d, a.per_day, a.seed) for d in range(1, scale + 1)]
        size = scale * a.per_day
        archive = a.dir / f"archive-{scale}x{a.per_day}"
        if not archive.exists():
            build(days, archive, partner="bench", replace=False)
        print(f"== {size:,} shipments ({scale} day(s) of {a.per_day:,}); archive "
              f"{sum(f.stat().st_size for f in archive.rglob('*.parquet')) / 1e6:,.0f} MB", flush=True)
        if not a.skip_single:
            timed("screen --no-store", [*cli, "screen", str(joined(a.dir, days)), "--no-store", "--partner", "bench",
                                        "--out", str(a.dir / f"single-{scale}.parquet")], size)
        store = a.dir / f"empty-{scale}.sqlite"
        store.unlink(missing_ok=True)
        timed(f"spark rescreen --master {a.master}",
              [*cli, "spark", "rescreen", "--input", str(archive), "--out", str(a.dir / f"spark-{scale}"),
               "--master", a.master, "--db", f"sqlite:///{store}", "--conf", "spark.ui.enabled=false",
               "--conf", f"spark.driver.memory={a.driver_memory}"], size)


if __name__ == "__main__":
    main()
