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

``day_queue`` is the day's queue the workspace and ``interdictor queue`` show, over
any number of corridors and ports; a decision taken on one of its rows records how
the shipment was picked (``pick_kind``).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date

import polars as pl

from interdictor.reference.corridors import CorridorConfig, Thresholds

CANDIDATE_SCHEMA = pl.Schema({
    "partner": pl.String, "shipment_id": pl.String, "version": pl.Int64, "score": pl.Float64,
    "disposition": pl.String, "corridor": pl.String, "port": pl.String,
})

QUEUE_COLUMNS = ("rank", "partner", "shipment_id", "version", "score", "disposition", "corridor", "port",
                 "pick", "exploration", "explore_kind")
PICK_ORDER = {"exam": 0, "explore": 1, "review": 2}
# how a decision's shipment was picked: by the queue (its exam or exploration picks), by a targeter's own
# choice, or by an imported outcome of a shipment the queue did not pick
PICK_KINDS = ("exploit", "explore_uncertain", "explore_random", "manual", "imported")


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
    thresholds: Thresholds | Mapping[str, Thresholds],
    day: date,
    corridor: str | None,
    port: str | None = None,
) -> pl.DataFrame:
    """Rank one day's candidates: exam picks, exploration picks, then the rest of the review band.

    ``candidates`` has ``CANDIDATE_SCHEMA`` (one row per shipment, its latest
    assessment).  Shipments recommended ``clear`` enter the queue only as random
    exploration picks.  Returns ``QUEUE_COLUMNS``; ``pick`` is ``exam`` (within
    budget), ``explore`` or ``review`` (including exam recommendations beyond the
    budget, which stay in the queue for a targeter to look at).

    One corridor and port share a budget when ``corridor`` is given.  With ``corridor``
    None the candidates may come from several corridors and ports under one budget:
    ``thresholds`` then maps each corridor to its own, and each shipment's random draw
    is keyed by its own corridor and port.
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
    uncertain = (rest.filter((pl.col("score") < _exam_at(thresholds)) & (pl.col("score") > 0))
                 .sort(order, descending=desc).head(n_uncertain))
    left = rest.join(uncertain.select("partner", "shipment_id"), on=["partner", "shipment_id"], how="anti")
    if corridor is not None:
        keys = [draw_key(day, corridor, port, p, s) for p, s in zip(left.get_column("partner").to_list(),
                                                                     left.get_column("shipment_id").to_list(), strict=True)]
    else:
        keys = [draw_key(day, c, pt, p, s) for c, pt, p, s in left.select("corridor", "port", "partner", "shipment_id")
                .iter_rows()]
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


def _exam_at(thresholds: Thresholds | Mapping[str, Thresholds]) -> pl.Expr:
    """The exam threshold of each candidate's corridor (one for all when one is given)."""
    if isinstance(thresholds, Thresholds):
        return pl.lit(float(thresholds.exam))
    return pl.col("corridor").replace_strict({k: float(v.exam) for k, v in thresholds.items()},
                                             default=None, return_dtype=pl.Float64)


def pick_kind(pick: str | None, explore_kind: str | None, otherwise: str) -> str:
    """How a decision on a queue row was picked: the queue's ``exploit`` or ``explore_<kind>`` for its exam
    and exploration picks; ``otherwise`` (``manual``, ``imported``) for a review row or a shipment not queued."""
    if pick == "exam":
        return "exploit"
    if pick == "explore" and explore_kind in ("uncertain", "random"):
        return f"explore_{explore_kind}"
    return otherwise


def pick_kind_column() -> pl.Expr:
    """``pick_kind`` of each row of a queue, as ``pick_kind`` gives it (null for a review row: a targeter
    who acts on one picked it by hand)."""
    return (pl.when(pl.col("pick") == "exam").then(pl.lit("exploit"))
            .when(pl.col("pick") == "explore").then(pl.lit("explore_") + pl.col("explore_kind"))
            .otherwise(pl.lit(None, pl.String)).alias("pick_kind"))


def day_queue(candidates: pl.DataFrame, *, cfg: CorridorConfig, budgets: Callable[[str, str | None], Budget],
              day: date, budget: int | None = None, exploration: float | None = None) -> pl.DataFrame:
    """One day's queue over every corridor and port of ``candidates``, ranked: exam picks, then exploration
    picks, then the review band, each by score (rank from 1).

    Without ``budget``, each corridor's port keeps its own budget (``budgets(corridor, port)``), as in the
    workspace, so the whole queue is capped by their sum; ``exploration`` then replaces each port's share.
    With ``budget``, one budget of that many exams spans every corridor and port of the queue, its share
    ``exploration`` or else the ports' shares weighted by their budgets.  Extra candidate columns are dropped.
    """
    parts = []
    groups = candidates.group_by(["corridor", "port"], maintain_order=True)
    if budget is None:
        for (c, p), g in groups:
            b = budgets(str(c), p)
            if exploration is not None:
                b = replace(b, exploration_share=exploration)
            parts.append(build_queue(g, budget=b, thresholds=_thresholds(cfg, str(c)), day=day, corridor=str(c),
                                     port=p))
    elif candidates.height:
        if exploration is None:
            each = [budgets(str(c), p) for (c, p), _ in groups]
            total = sum(b.exams_per_day for b in each)
            exploration = (sum(b.exams_per_day * b.exploration_share for b in each) / total if total
                           else each[0].exploration_share)
        names = {str(c) for c in candidates.get_column("corridor").unique().to_list()}
        parts.append(build_queue(candidates, budget=Budget(budget, exploration), day=day, corridor=None,
                                 thresholds={c: _thresholds(cfg, c) for c in names}))
    q = pl.concat(parts) if parts else empty_queue()
    return (q.with_columns(pl.col("pick").replace_strict(PICK_ORDER, return_dtype=pl.Int8).alias("_o"))
            .sort(["_o", "score", "partner", "shipment_id"], descending=[False, True, False, False]).drop("_o")
            .with_columns(pl.int_range(1, pl.len() + 1).cast(pl.Int64).alias("rank")))


def _thresholds(cfg: CorridorConfig, corridor: str) -> Thresholds:
    try:
        return cfg.get(corridor).thresholds
    except KeyError:  # a corridor since removed from the configuration: the default one's
        return cfg.default.thresholds


def empty_queue() -> pl.DataFrame:
    schema = pl.Schema([*CANDIDATE_SCHEMA.items(), ("pick", pl.String()), ("exploration", pl.Boolean()),
                        ("explore_kind", pl.String()), ("rank", pl.Int64())])
    return pl.DataFrame(schema=schema).select(QUEUE_COLUMNS)
