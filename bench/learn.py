"""The loop at scale: ``learn`` on 1 M stored shipments with 20,000 exam outcomes, and screening 1 M
shipments with the model active beside rules alone, in one run.

1. ``--days`` days of demo traffic (``interdictor.demo.generate``, ``--size`` shipments in all) are
   screened into a fresh SQLite store (``--detectors``, default route,consistency,goods) as
   ``interdictor screen`` does;
2. ``--outcomes`` exam outcomes are imported as ``interdictor outcomes import`` does: every day the
   top scores, every planted shipment (seized) and a random sample (nothing found);
3. ``interdictor learn --activate`` is timed in a process of its own (wall time and peak memory);
4. a further day of ``--size`` shipments is screened in this process by rules alone
   (``INTERDICTOR_MODEL=off``) and with the active model, side by side: without storing (the
   screening's own cost), then each stored into its own copy of the store (end to end, as
   ``interdictor screen`` runs); the setup (reference data, the model and its history aggregated in
   the database) is timed apart.

    nice python bench/learn.py                        # 1,000,000 shipments, 20,000 outcomes
    python bench/learn.py --size 50000 --outcomes 2000  # a quick look
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

from interdictor.demo.generate import generate_manifest  # noqa: E402
from interdictor.demo.loop import outcomes_csv, recall_at  # noqa: E402
from interdictor.intake.base import ReadOptions  # noqa: E402
from interdictor.intake.csv_manifest import read_manifest_csv  # noqa: E402
from interdictor.queue.outcomes import read_outcomes  # noqa: E402
from interdictor.screening import ScreenRun, assemble, prefetch  # noqa: E402
from interdictor.screening.assembly import choose_corridors  # noqa: E402
from interdictor.settings import Settings  # noqa: E402
from interdictor.store import open_store  # noqa: E402
from interdictor.store.config import Budgets, port_budgets  # noqa: E402
from interdictor.store.decisions import import_outcomes  # noqa: E402

START = dt.date(2026, 6, 1)


def screen(url: str, path: Path, settings: Settings, *, store_it: bool,
           partner: str = "bench") -> tuple[pl.DataFrame, float, float, float]:
    """(shipment_id, score, reasons; setup seconds; screening seconds; screening CPU seconds, every thread)."""
    store = open_store(url)
    try:
        t = time.perf_counter()
        screening = assemble(settings, store)
        setup = time.perf_counter() - t
        t, cpu = time.perf_counter(), time.process_time()
        out = []
        with path.open("rb") as fh, ScreenRun(screening, partner=partner, source=path.name, fmt="manifest-csv",
                                              store=store if store_it else None, write_behind=store_it) as run:
            for chunk in prefetch(read_manifest_csv(fh, ReadOptions(source_name=path.name))):
                out.append(run.add(chunk).select("shipment_id", "score", "reasons"))
            run.finish()
        return pl.concat(out), setup, time.perf_counter() - t, time.process_time() - cpu
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=1_000_000, help="stored shipments, and the screened day's (default 1,000,000)")
    ap.add_argument("--days", type=int, default=4, help="days the stored shipments are spread over (default 4)")
    ap.add_argument("--outcomes", type=int, default=20_000, help="exam outcomes to import (default 20,000)")
    ap.add_argument("--detectors", default="route,consistency,goods", help="detectors that screen (default route,consistency,goods)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--dir", type=Path, default=None, help="keep the files and the store here (default: a temporary folder)")
    ap.add_argument("--screen-only", action="store_true", help="with --dir: only screen the further day, on the store "
                                                                "and model a run before left there")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{folder / 'learn.sqlite'}"
        base = Settings().model_copy(update={"database_url": url, "detectors": args.detectors})
        rng = np.random.default_rng(args.seed)
        per_day, per_day_outcomes = args.size // args.days, args.outcomes // args.days
        t0 = time.perf_counter()
        for d in range(0 if args.screen_only else args.days):
            day = START + dt.timedelta(days=d)
            path = folder / f"day{d}.csv"
            t = time.perf_counter()
            stats = generate_manifest(path, per_day, seed=args.seed + d, day=day)
            gen = time.perf_counter() - t
            screened, setup, took, _ = screen(url, path, base.model_copy(update={"model": "off"}), store_it=True)
            planted = set(stats.positives)
            ranked = screened.sort("score", descending=True, maintain_order=True)["shipment_id"]
            top = ranked.head(per_day_outcomes // 2).to_list()
            chosen = set(top) | planted
            rest = np.setdiff1d(ranked.to_numpy(), np.array(sorted(chosen), dtype=object))
            chosen |= set(rng.choice(rest, size=max(0, per_day_outcomes - len(chosen)), replace=False).tolist())
            examined = pl.DataFrame({"shipment_id": sorted(chosen)}).with_columns(
                pl.col("shipment_id").is_in(list(planted)).alias("found"))
            t = time.perf_counter()
            rows, rejects = read_outcomes(outcomes_csv("bench", examined, dt.datetime.combine(day, dt.time(23), dt.UTC)),
                                          f"outcomes{d}.csv")
            store = open_store(url)
            try:
                with store.begin() as conn:
                    cfg = choose_corridors(conn, base)
                    done = import_outcomes(conn, "bench", rows, cfg=cfg, budgets=Budgets(cfg, port_budgets(conn)),
                                           source=f"outcomes{d}.csv", notify=False)
            finally:
                store.close()
            assert not rejects and not done.rejects, (rejects[:3], done.rejects[:3])
            print(f"day {d}: generated {per_day:,} in {gen:.1f} s, screened and stored in {setup + took:.1f} s, "
                  f"{len(rows):,} outcomes ({len(planted):,} found) imported in {time.perf_counter() - t:.1f} s",
                  flush=True)
        if args.screen_only:
            return screen_next(args, folder, url, base)
        print(f"store built in {time.perf_counter() - t0:.1f} s ({(folder / 'learn.sqlite').stat().st_size / 1e6:,.0f} MB)")

        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", "from interdictor.cli import app; app()", "learn", "--activate",
                               "--db", url], capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        print(f"learn: {wall:.1f} s wall, {cpu:.1f} s CPU, peak RSS ≤ {after.ru_maxrss / 1024:,.0f} MB (exit {proc.returncode})")
        print("  " + "\n  ".join(proc.stderr.strip().splitlines()[-4:]))
        if proc.returncode != 0:
            return 1
        return screen_next(args, folder, url, base)


def screen_next(args: argparse.Namespace, folder: Path, url: str, base: Settings) -> int:
    """Screen a further day by rules alone and with the active model, side by side."""
    path = folder / "next.csv"
    stats = generate_manifest(path, args.size, seed=args.seed + 1000, day=START + dt.timedelta(days=args.days))
    for stale in folder.glob("copy-*.sqlite*"):
        stale.unlink()
    for stored in (False, True):
        runs = {}
        for label, model_setting in (("rules alone", "off"), ("rules+model", None)):
            where = url
            if stored:  # each stores into its own copy of the store, so both meet the same one
                copy = folder / f"copy-{model_setting or 'model'}.sqlite"
                shutil.copyfile(folder / "learn.sqlite", copy)
                where = f"sqlite:///{copy}"
            runs[label] = screen(where, path, base.model_copy(update={"database_url": where, "model": model_setting}),
                                 store_it=stored, partner="next")
        print(f"screening {args.size:,} shipments {'stored to SQLite' if stored else 'without storing'} "
              f"({args.detectors}):")
        rt, rc = runs["rules alone"][2], runs["rules alone"][3]
        for label, (_, setup, took, cpu) in runs.items():
            print(f"  {label}:  setup {setup:5.1f} s, screening {took:6.1f} s wall ({args.size / took:,.0f} "
                  f"shipments/s), {cpu:6.1f} s CPU"
                  + (f"; {took / rt - 1:+.1%} wall, {cpu / rc - 1:+.1%} CPU against rules alone"
                     if label != "rules alone" else ""))
    rules, model = runs["rules alone"][0], runs["rules+model"][0]
    fired = int(model["reasons"].str.contains("MODEL_RISK:").sum())
    print(f"  MODEL_RISK on {fired:,} shipments")
    print(f"  recall of the {len(stats.positives):,} planted shipments in the top 1 %: rules "
          f"{recall_at(rules, set(stats.positives), 1):.3f}, rules+model {recall_at(model, set(stats.positives), 1):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
