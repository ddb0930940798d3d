"""A simulated loop over generated days: screen, examine, import the outcomes, learn.

Shared by ``bench/loop.py`` and the end-to-end test: days of demo traffic screened into a store,
each day's exams being the rules' top picks, a random exploration sample and every planted
shipment (a planted one is seized, anything else nothing_found), imported as ``interdictor
outcomes import`` imports them; then ``interdictor learn``.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from interdictor.demo.generate import generate_manifest
from interdictor.learn.metrics import top_count


def screen_day(url: str, path: Path, partner: str, *, model: str | None = None) -> pl.DataFrame:
    """Screen the manifest at ``path`` into the store as ``partner``; ``shipment_id, score`` (``model``:
    the INTERDICTOR_MODEL setting, e.g. ``off`` for rules alone)."""
    from interdictor.intake.base import ReadOptions
    from interdictor.intake.csv_manifest import read_manifest_csv
    from interdictor.screening import ScreenRun, assemble
    from interdictor.settings import Settings
    from interdictor.store import open_store

    store = open_store(url)
    try:
        settings = Settings().model_copy(update={"database_url": url, "model": model})
        run = ScreenRun(assemble(settings, store), partner=partner, source=path.name, fmt="manifest-csv", store=store)
        with path.open("rb") as fh:
            out = [run.add(chunk).select("shipment_id", "score", "reasons")
                   for chunk in read_manifest_csv(fh, ReadOptions(source_name=path.name))]
        run.finish()
    finally:
        store.close()
    return pl.concat(out)


def exams(day: pl.DataFrame, planted: set[str], rng: np.random.Generator, *, top: int, explore: float) -> pl.DataFrame:
    """The day's exams: the top ``top`` % by score, a random ``explore`` share, and every planted shipment."""
    ranked = day.sort("score", descending=True, maintain_order=True)
    chosen = set(ranked["shipment_id"].head(top_count(day.height, top)).to_list())
    chosen |= set(rng.choice(day["shipment_id"].to_numpy(), size=max(1, int(day.height * explore)), replace=False))
    chosen |= planted
    return pl.DataFrame({"shipment_id": sorted(chosen)}).with_columns(
        pl.col("shipment_id").is_in(list(planted)).alias("found"))


def outcomes_csv(partner: str, examined: pl.DataFrame, at: dt.datetime) -> bytes:
    buf = io.StringIO()
    buf.write("partner,shipment_id,result,examined_at,what\n")
    for sid, found in examined.iter_rows():
        buf.write(f"{partner},{sid},{'seized' if found else 'nothing_found'},{at.isoformat()},"
                  f"{'precursor' if found else ''}\n")
    return buf.getvalue().encode()


def simulate(url: str, folder: Path, *, days: int, size: int, share: float, seed: int, start: dt.date,
             top: int = 2, explore: float = 0.02) -> dict[str, Any]:
    """Screen and examine ``days`` generated days, then ``interdictor learn``; what learn said."""
    from interdictor.queue.outcomes import read_outcomes
    from interdictor.screening.assembly import choose_corridors
    from interdictor.settings import Settings
    from interdictor.store import models, open_store
    from interdictor.store.config import Budgets, port_budgets
    from interdictor.store.decisions import import_outcomes

    rng = np.random.default_rng(seed)
    partner = "acme"
    for d in range(days):
        day = start + dt.timedelta(days=d)
        path = folder / f"day{d}.csv"
        stats = generate_manifest(path, size, seed=seed + d, day=day, seeded_share=share)
        screened = screen_day(url, path, partner)
        examined = exams(screened, stats.positives, rng, top=top, explore=explore)
        data = outcomes_csv(partner, examined, dt.datetime.combine(day, dt.time(23, 0), tzinfo=dt.UTC))
        rows, rejects = read_outcomes(data, f"outcomes{d}.csv")
        store = open_store(url)
        try:
            with store.begin() as conn:
                cfg = choose_corridors(conn, Settings())
                done = import_outcomes(conn, "demo", rows, cfg=cfg, budgets=Budgets(cfg, port_budgets(conn)),
                                       source=f"outcomes{d}.csv", notify=False)
        finally:
            store.close()
        if rejects or done.rejects:
            raise RuntimeError(f"outcomes rejected: {[*rejects, *done.rejects][:3]}")
    store = open_store(url)
    try:
        with store.begin() as conn:
            learned = models.learn(conn, "demo")
    finally:
        store.close()
    return {"version": learned.version, "active": learned.active, "validation": learned.why}


def recall_at(scored: pl.DataFrame, planted: set[str], share: int) -> float:
    """The planted shipments' recall in the top ``share`` % by score (ties in file order)."""
    k = top_count(scored.height, share)
    top = scored.sort("score", descending=True, maintain_order=True)["shipment_id"].head(k)
    return round(len(set(top.to_list()) & planted) / max(1, len(planted)), 4)
