"""The ranked exam queue of one corridor (or port) for one day, with exploration picks.

Exams are scarce: a port examines at most its daily budget.  Most of the budget
goes to the highest scores the rules recommend for exam or hold ("exploit");
a configurable share (default 10 %) goes to **exploration** — half to the most
uncertain shipments (the best-scored ones just under the exam threshold), half
to a random draw from the rest — so that recorded outcomes keep teaching us about
what the rules do not see yet.  Pure exploitation collapses the outcome data onto
what the rules already believe.

The random draw is a keyed hash of (day, corridor, port, shipment), not a random
generator over a list: the queue is the same on every refresh, and a shipment
arriving later does not reshuffle the picks already made.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date

import polars as pl

from interdictor.reference.corridors import Thresholds

CANDIDATE_SCHEMA = pl.Schema({
    "partner": pl.String, "shipment_id": pl.String, "version": pl.Int64, "score": pl.Float64,
    "disposition": pl.String, "corridor": pl.String, "port": pl.String,
})

QUEUE_COLUMNS = ("rank", "partner", "shipment_id", "version", "score", "disposition", "corridor", "port",
                 "pick", "exploration", "explore_kind")


@dataclass(frozen=True)
class Budget:
    """Exams a port may order in a day, and the share of them kept for exploration."""

    exams_per_day: int
    exploration_share: float = 0.10

    def __post_init__(self) -> None:
        if self.exams_per_day < 0:
            raise ValueError("exams_per_day must be >= 0")
        if not 0.0 <= self.exploration_share <= 1.0:
            raise ValueError("exploration_share must be within 0..1")

    @property
    def explore(self) -> int:
        """Exploration picks: the share of the budget, rounded half up (never more than the budget)."""
        return min(self.exams_per_day, math.floor(self.exams_per_day * self.exploration_share + 0.5))

    @property
    def exploit(self) -> int:
        return self.exams_per_day - self.explore


def draw_key(day: date, corridor: str, port: str | None, partner: str, shipment_id: str) -> int:
    """A stable pseudo-random number per (day, corridor, port, shipment)."""
    text = f"{day.isoformat()}\x1f{corridor}\x1f{port or '*'}\x1f{partner}\x1f{shipment_id}"
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def build_queue(
    candidates: pl.DataFrame,
    *,
    budget: Budget,
    thresholds: Thresholds,
    day: date,
    corridor: str,
    port: str | None = None,
) -> pl.DataFrame:
    """Rank one day's candidates: exam picks, exploration picks, then the rest of the review band.

    ``candidates`` has ``CANDIDATE_SCHEMA`` (one row per shipment, its latest
    assessment).  Shipments recommended ``clear`` enter the queue only as random
    exploration picks.  Returns ``QUEUE_COLUMNS``; ``pick`` is ``exam`` (within
    budget), ``explore`` or ``review`` (including exam recommendations beyond the
    budget, which stay in the queue for a targeter to look at).
    """
    c = candidates.select([pl.col(k).cast(v) for k, v in CANDIDATE_SCHEMA.items()]).unique(
        ["partner", "shipment_id"], keep="first", maintain_order=True)
    order = ["score", "partner", "shipment_id"]
    desc = [True, False, False]
    hot = c.filter(pl.col("disposition").is_in(["exam", "hold"])).sort(order, descending=desc)
    exam = hot.head(budget.exploit)
    over = hot.slice(budget.exploit)
    rest = c.filter(~pl.col("disposition").is_in(["exam", "hold"]))
    # uncertain: the best-scored shipments under the exam threshold (the rules' grey zone)
    n_uncertain = math.ceil(budget.explore / 2)
    uncertain = (rest.filter((pl.col("score") < thresholds.exam) & (pl.col("score") > 0))
                 .sort(order, descending=desc).head(n_uncertain))
    left = rest.join(uncertain.select("partner", "shipment_id"), on=["partner", "shipment_id"], how="anti")
    keys = [draw_key(day, corridor, port, p, s) for p, s in zip(left.get_column("partner").to_list(),
                                                                 left.get_column("shipment_id").to_list(), strict=True)]
    random = (left.with_columns(pl.Series("_draw", keys, dtype=pl.UInt64))
              .sort("_draw").head(budget.explore - uncertain.height).drop("_draw"))
    explored = pl.concat([uncertain.with_columns(pl.lit("uncertain").alias("explore_kind")),
                          random.with_columns(pl.lit("random").alias("explore_kind"))])
    taken = explored.select("partner", "shipment_id")
    review = (pl.concat([over, rest.filter(pl.col("disposition") == "review")])
              .join(taken, on=["partner", "shipment_id"], how="anti").sort(order, descending=desc))
    parts = [
        exam.with_columns(pl.lit("exam").alias("pick"), pl.lit(False).alias("exploration"),
                          pl.lit(None, pl.String).alias("explore_kind")),
        explored.sort(order, descending=desc).with_columns(pl.lit("explore").alias("pick"),
                                                            pl.lit(True).alias("exploration")),
        review.with_columns(pl.lit("review").alias("pick"), pl.lit(False).alias("exploration"),
                            pl.lit(None, pl.String).alias("explore_kind")),
    ]
    out = pl.concat([p.select(*CANDIDATE_SCHEMA, "pick", "exploration", "explore_kind") for p in parts])
    return out.with_columns(pl.int_range(1, pl.len() + 1).cast(pl.Int64).alias("rank")).select(QUEUE_COLUMNS)


def empty_queue() -> pl.DataFrame:
    schema = pl.Schema([*CANDIDATE_SCHEMA.items(), ("pick", pl.String()), ("exploration", pl.Boolean()),
                        ("explore_kind", pl.String()), ("rank", pl.Int64())])
    return pl.DataFrame(schema=schema).select(QUEUE_COLUMNS)
