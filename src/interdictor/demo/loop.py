"""A simulated loop over generated days: screen, examine, import the outcomes, learn.

Shared by ``interdictor demo --days``, ``bench/loop.py`` and the end-to-end test: days of demo
traffic screened into a store (with the active model, and again by rules alone for comparison),
each day's exams being its queue's exam and exploration picks (as ``interdictor queue`` builds it)
and every planted shipment the queue missed (found later); a planted shipment is seized, anything
else nothing_found, imported as ``interdictor outcomes import`` imports them; then ``interdictor
learn``, so the next day screens with what this one taught.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import polars as pl
from sqlalchemy import Connection

from interdictor.demo.generate import generate_manifest
from interdictor.learn.metrics import top_count
from interdictor.reference.corridors import CorridorConfig

EXAM_SHARE = 0.02  # each port examines 2 % of its traffic (its budget, set from the first day)


def screen_day(url: str, path: Path, partner: str, *, model: str | None = None, store_it: bool = True) -> pl.DataFrame:
    """Screen the manifest at ``path`` as ``partner`` (into the store unless not ``store_it``);
    ``shipment_id, score, reasons`` (``model``: the INTERDICTOR_MODEL setting, e.g. ``off`` for rules alone)."""
    from interdictor.intake.base import ReadOptions
    from interdictor.intake.csv_manifest import read_manifest_csv
    from interdictor.screening import ScreenRun, assemble
    from interdictor.settings import Settings
    from interdictor.store import open_store

    store = open_store(url)
    try:
        settings = Settings().model_copy(update={"database_url": url, "model": model})
        run = ScreenRun(assemble(settings, store), partner=partner, source=path.name, fmt="manifest-csv",
                        store=store if store_it else None)
        with path.open("rb") as fh:
            out = [run.add(chunk).select("shipment_id", "score", "reasons")
                   for chunk in read_manifest_csv(fh, ReadOptions(source_name=path.name))]
        run.finish()
    finally:
        store.close()
    return pl.concat(out)


def exams(queue: pl.DataFrame, planted: set[str]) -> pl.DataFrame:
    """The day's exams: the queue's exam and exploration picks, and every planted shipment the queue missed
    (found later, at delivery or on a tip, and imported all the same). ``shipment_id, found``."""
    picked = set(queue.filter(pl.col("pick").is_in(["exam", "explore"]))["shipment_id"].to_list())
    return pl.DataFrame({"shipment_id": sorted(picked | planted)}, schema={"shipment_id": pl.String}).with_columns(
        pl.col("shipment_id").is_in(list(planted)).alias("found"))


def outcomes_csv(partner: str, examined: pl.DataFrame, at: dt.datetime) -> bytes:
    buf = io.StringIO()
    buf.write("partner,shipment_id,result,examined_at,what\n")
    for sid, found in examined.iter_rows():
        buf.write(f"{partner},{sid},{'seized' if found else 'nothing_found'},{at.isoformat()},"
                  f"{'precursor' if found else ''}\n")
    return buf.getvalue().encode()


@dataclass(frozen=True)
class Day:
    """One simulated day: what screened it, how the planted shipments ranked, what the exams found, what
    ``learn`` made of every outcome so far."""

    day: dt.date
    shipments: int
    planted: int
    model: str  # the model version that screened the day ("none": rules alone)
    rules: float  # the planted shipments' recall in the top 1 %, rules alone
    combined: float | None  # the same with the model (None when no model was active)
    exams: int
    found: int
    picked_found: int  # of them, found by the queue's own picks
    learned: str  # what learn did after the day, in short ("v3 active", "v4 kept inactive", "nothing")
    why: str  # and why (its validation, or why nothing could be learned)


def set_budgets(conn: Connection, cfg: CorridorConfig, day: dt.date, exams: int) -> None:
    """Ports' daily exam budgets summing to about ``exams``: each corridor's share by its queue on ``day``,
    split evenly over the ports it serves (each port's budget is its corridor's ``*`` row)."""
    from interdictor.store import facts
    from interdictor.store.config import Budgets, set_port_budget
    from interdictor.store.scope import Scope

    none = Budgets(cfg, {})
    queue = facts.day_queue(conn, Scope.everything(), cfg, lambda c, p: replace(none(c, p), exams_per_day=0),
                            day=day)
    per = queue.group_by("corridor").agg(pl.len().alias("n"), pl.col("port").n_unique().alias("ports"))
    for corridor, n, ports in per.iter_rows():
        each = max(1, round(exams * n / max(1, queue.height) / max(1, ports)))
        set_port_budget(conn, corridor, "*", each, none(corridor, None).exploration_share, "demo")


def run_day(url: str, folder: Path, d: int, *, size: int, share: float, seed: int, start: dt.date,
            partner: str = "demo", exam_share: float = EXAM_SHARE,
            progress: Callable[[str], None] | None = None) -> Day:
    """Day ``d`` of the loop: generate it, screen it into the store (with the active model, if any) and
    again without storing by rules alone, build its queue (on day 0 each port's exam budget is set to
    ``exam_share`` of its traffic), examine, import the outcomes, learn."""
    from interdictor.learn.loop import ModelError
    from interdictor.queue.outcomes import read_outcomes
    from interdictor.screening.assembly import choose_corridors
    from interdictor.settings import Settings
    from interdictor.store import facts, models, open_store
    from interdictor.store.config import Budgets, port_budgets
    from interdictor.store.decisions import import_outcomes
    from interdictor.store.scope import Scope

    def say(what: str) -> None:
        if progress is not None:
            progress(what)

    day = start + dt.timedelta(days=d)
    path = folder / f"day{d}.csv"
    say("generating traffic")
    stats = generate_manifest(path, size, seed=seed + d, day=day, seeded_share=share)
    planted = set(stats.positives)
    store = open_store(url)
    try:
        with store.connect() as conn:
            version = models.active_version(conn)
        say("screening" if version is None else f"screening with model v{version}")
        screened = screen_day(url, path, partner)
        rules = screened
        if version is not None:
            say("screening by rules alone, for comparison")
            rules = screen_day(url, path, partner, model="off", store_it=False)
        say("building the queue, examining")
        with store.begin() as conn:
            cfg = choose_corridors(conn, Settings())
            if d == 0:
                set_budgets(conn, cfg, day, round(size * exam_share))
            queue = facts.day_queue(conn, Scope.everything(), cfg, Budgets(cfg, port_budgets(conn)), day=day)
        examined = exams(queue, planted)
        data = outcomes_csv(partner, examined, dt.datetime.combine(day, dt.time(23, 0), tzinfo=dt.UTC))
        rows, rejects = read_outcomes(data, f"outcomes{d}.csv")
        with store.begin() as conn:
            done = import_outcomes(conn, "demo", rows, cfg=cfg, budgets=Budgets(cfg, port_budgets(conn)),
                                   source=f"outcomes{d}.csv", notify=False)
        if rejects or done.rejects:
            raise RuntimeError(f"outcomes rejected: {[*rejects, *done.rejects][:3]}")
        say("learning")
        try:
            with store.begin() as conn:
                got = models.learn(conn, "demo")
            learned, why = f"v{got.version} {'active' if got.active else 'kept inactive'}", got.why
        except ModelError as exc:
            learned, why = "nothing", str(exc)
    finally:
        store.close()
    picked = set(queue.filter(pl.col("pick").is_in(["exam", "explore"]))["shipment_id"].to_list())
    return Day(day, screened.height, len(planted), "none" if version is None else f"v{version}",
               recall_at(rules, planted, 1), None if version is None else recall_at(screened, planted, 1),
               examined.height, int(examined["found"].sum()), len(picked & planted), learned, why)


def simulate(url: str, folder: Path, *, days: int, size: int, share: float, seed: int, start: dt.date,
             exam_share: float = EXAM_SHARE, progress: Callable[[int, str], None] | None = None) -> list[Day]:
    """``days`` days of the loop, each screened with what the days before taught (see ``run_day``)."""
    def told(d: int) -> Callable[[str], None] | None:
        return None if progress is None else partial(progress, d)

    return [run_day(url, folder, d, size=size, share=share, seed=seed, start=start, exam_share=exam_share,
                    progress=told(d)) for d in range(days)]


def recall_at(scored: pl.DataFrame, planted: set[str], share: int) -> float:
    """The planted shipments' recall in the top ``share`` % by score (ties in file order)."""
    k = top_count(scored.height, share)
    top = scored.sort("score", descending=True, maintain_order=True)["shipment_id"].head(k)
    return round(len(set(top.to_list()) & planted) / max(1, len(planted)), 4)
