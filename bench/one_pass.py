"""Where one screening pass for one shipment spends its time (in process, no HTTP).

The service answers a one-shipment submission with one screening pass; its cost sets the latency
floor of ``bench/api.py``.  This script opens a fresh SQLite store, loads the screening context as
``interdictor serve`` does, and submits one-shipment manifest-CSV bodies (the rows of
``tests/fixtures/corridor_sample.csv`` under new shipment ids) to the service's screener one after
another, then times the parts alone: reading the CSV, each detector, all detectors side by side.

    .venv/bin/python bench/one_pass.py
    .venv/bin/python bench/one_pass.py --passes 1000
    .venv/bin/python bench/one_pass.py --batch 100 --passes 40   # passes of 100 submissions each

Passes are sequential (one request at a time), so the figures are the floor, not a loaded service.
``--batch N`` screens N one-shipment submissions in each pass, as the service's writer does with the
submissions that arrive while it is busy: what a pass costs per shipment under load.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from api import payloads as bodies  # noqa: E402  (bench/api.py: the same one-shipment bodies)

from interdictor.intake.base import ReadOptions  # noqa: E402
from interdictor.model import Batch  # noqa: E402
from interdictor.screen.registry import available, run_detectors  # noqa: E402
from interdictor.screening import assemble  # noqa: E402
from interdictor.service import coalesce  # noqa: E402
from interdictor.service.screening import Screener, Submission  # noqa: E402
from interdictor.settings import Settings  # noqa: E402
from interdictor.store.db import open_store  # noqa: E402


def timed(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return sorted(out)


def show(name: str, ms: list[float]) -> None:
    print(f"{name:<34} median {statistics.median(ms):6.1f} ms   p90 {ms[int(0.9 * len(ms))]:6.1f}   "
          f"p99 {ms[min(len(ms) - 1, int(0.99 * len(ms)))]:6.1f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--passes", type=int, default=400, help="passes to time (after 60 to warm up)")
    ap.add_argument("--batch", type=int, default=1, help="one-shipment submissions screened together in a pass")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="interdictor-pass-"))
    settings = Settings(data_dir=tmp)
    store = open_store(f"sqlite:///{tmp / 'pass.sqlite'}")
    screening = assemble(settings, store)
    screener = Screener(store, screening, settings)

    def sub(body: bytes) -> Submission:
        return Submission("bench", "one.csv", "manifest-csv", [], pending=coalesce.pending(body, None, None))

    def submit(group: list[bytes]) -> None:
        if len(group) == 1:
            screener.submit(sub(group[0]))
        else:  # what the writer thread does with the submissions waiting for it
            screener._screen("bench", [sub(b) for b in group])

    def groups(n: int, run: str) -> list[list[bytes]]:
        todo = bodies(n * args.batch, run)
        return [todo[i:i + args.batch] for i in range(0, len(todo), args.batch)]

    try:
        for group in groups(60, "W"):
            submit(group)
        todo = iter(groups(args.passes, "P"))
        cpu0, wall0 = time.process_time(), time.perf_counter()
        passes = timed(lambda: submit(next(todo)), args.passes)
        cpu = (time.process_time() - cpu0) / args.passes * 1000
        wall = (time.perf_counter() - wall0) / args.passes * 1000
    finally:
        screener.stop()
    what = "one shipment" if args.batch == 1 else f"{args.batch} one-shipment submissions"
    print(f"# {what} per pass, SQLite, {args.passes} passes, sequential")
    show("whole pass (read, screen, store)", passes)
    print(f"{'':<34} {cpu:.1f} ms of CPU a pass ({wall:.1f} ms wall)")

    if args.batch == 1:  # the parts of a one-shipment pass
        one = bodies(1, "R")[0]
        pending = coalesce.pending(one, None, None)
        assert pending is not None
        opts = ReadOptions(source_name="one.csv", chunk_rows=settings.chunk_rows)
        show("reading the CSV", timed(lambda: coalesce.read_joined([pending], ["one.csv"], opts), 200))
        chunks, _ = coalesce.read_joined([pending], ["one.csv"], opts)
        batch = chunks[0].batch

        def fresh() -> Batch:  # a new parties table each time: what the route detector locates is kept per table
            return replace(batch, parties=batch.parties.clone())

        for name, detect in available().items():
            show(f"detector {name} alone", timed(lambda detect=detect: detect(fresh(), screening.ctx), 200))  # type: ignore[misc]
        show("detectors side by side", timed(lambda: run_detectors(fresh(), screening.ctx), 200))
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
