"""Backtest a rule-set version on the last N days before an admin activates it.

The stored reasons of every shipment are re-weighed with the candidate rule set
and re-scored with the corridor thresholds the shipment was scored under; then
each day's queue is rebuilt per corridor and port with the same exam budgets.
The result says how the queue would have looked (how many recommendations
change, which shipments enter or leave the exam picks) and how many of the
recorded seizures it would still have picked for exam.

A caveat the report carries: outcomes exist only for shipments someone
examined, so a backtest can show a candidate losing known seizures but cannot
show the seizures it would have found among shipments nobody opened — the
exploration share is what slowly fills that gap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from interdictor.queue.build import Budget, build_queue
from interdictor.reference.corridors import Thresholds
from interdictor.score.rules import RuleSet
from interdictor.score.scorer import score, weigh

KEY = ["partner", "shipment_id"]
SEP = "\x1f"

CAVEAT = ("Outcomes exist only for shipments that were examined: the backtest shows which known seizures a rule "
          "set would keep or lose, not what it would find among shipments nobody opened.")


@dataclass
class BacktestResult:
    ruleset: str
    baseline: str
    days: int
    shipments: int
    changed: int  # recommendation changed
    old_picks: int
    new_picks: int
    seizures: int  # recorded seizures / referrals in the window
    old_caught: int
    new_caught: int
    entered: int  # shipments that become exam picks
    left: int  # shipments that stop being exam picks
    per_day: list[dict[str, Any]] = field(default_factory=list)
    lost: list[dict[str, Any]] = field(default_factory=list)  # seizures picked before, not by the candidate
    weight_changes: list[dict[str, Any]] = field(default_factory=list)
    caveat: str = CAVEAT

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def rescore(assessed: pl.DataFrame, reasons: pl.DataFrame, ruleset: RuleSet,
            thresholds: Mapping[str, Thresholds]) -> pl.DataFrame:
    """``assessed`` with ``new_score`` and ``new_disposition`` under ``ruleset``."""
    def keyed(df: pl.DataFrame) -> pl.DataFrame:
        return df.with_columns(pl.concat_str([pl.col("partner"), pl.col("shipment_id"),
                                              pl.col("version").cast(pl.String)], separator=SEP).alias("_k"))

    a = keyed(assessed)
    r = keyed(reasons).select(pl.col("_k").alias("shipment_id"), "code", "weight")
    corridor_of = a.select(pl.col("_k").alias("shipment_id"), pl.col("corridor").fill_null(""))
    # corridor files give whole numbers, defaults are floats: one dtype for the scorer's threshold table
    th = {k: Thresholds(float(v.review), float(v.exam), float(v.hold)) for k, v in thresholds.items()}
    scored = score(a.get_column("_k"), weigh(r, ruleset), ruleset, corridor_of, th)
    return a.join(scored.select(pl.col("shipment_id").alias("_k"), pl.col("score").alias("new_score"),
                                pl.col("disposition").alias("new_disposition")), on="_k", how="left").drop("_k")


def _picks(df: pl.DataFrame, score_col: str, disp_col: str, budget_of: Callable[[str, str | None], Budget],
           thresholds: Mapping[str, Thresholds], default: Thresholds) -> pl.DataFrame:
    out = []
    for (day, corridor, port), g in df.group_by(["day", "corridor", "port"], maintain_order=True):
        cand = g.select(*KEY, "version", pl.col(score_col).alias("score"), pl.col(disp_col).alias("disposition"),
                        "corridor", "port")
        q = build_queue(cand, budget=budget_of(str(corridor), port), thresholds=thresholds.get(str(corridor), default),
                        day=day if isinstance(day, date) else date.fromisoformat(str(day)), corridor=str(corridor),
                        port=port)
        out.append(q.filter(pl.col("pick") == "exam").select(*KEY, pl.lit(day).alias("day")))
    if not out:
        return pl.DataFrame(schema={"partner": pl.String, "shipment_id": pl.String, "day": pl.Date})
    return pl.concat(out)


def backtest(
    assessed: pl.DataFrame,
    reasons: pl.DataFrame,
    found: pl.DataFrame,
    *,
    candidate: RuleSet,
    baseline: RuleSet,
    thresholds: Mapping[str, Thresholds],
    budget_of: Callable[[str, str | None], Budget],
) -> BacktestResult:
    """Compare the queues of ``baseline`` (as recorded) and ``candidate`` over the window given.

    ``assessed``: partner, shipment_id, version, score, disposition, corridor, port,
    day — one row per shipment (its current assessment); ``reasons``: partner,
    shipment_id, version, code, weight; ``found``: partner, shipment_id, what — the
    recorded seizures and referrals.
    """
    default = Thresholds()
    a = rescore(assessed.with_columns(pl.col("corridor").fill_null("")), reasons, candidate, thresholds)
    old = _picks(a, "score", "disposition", budget_of, thresholds, default)
    new = _picks(a, "new_score", "new_disposition", budget_of, thresholds, default)
    seized = found.select(*KEY, "what").unique(KEY)
    seized = seized.join(a.select(*KEY), on=KEY, how="semi")
    old_caught = seized.join(old, on=KEY, how="semi")
    new_caught = seized.join(new, on=KEY, how="semi")
    lost = old_caught.join(new_caught, on=KEY, how="anti")
    per_day = []
    for day in sorted(set(a.get_column("day").to_list())):
        o = old.filter(pl.col("day") == day)
        n = new.filter(pl.col("day") == day)
        per_day.append({
            "day": str(day), "shipments": a.filter(pl.col("day") == day).height,
            "old_picks": o.height, "new_picks": n.height,
            "old_caught": seized.join(o, on=KEY, how="semi").height,
            "new_caught": seized.join(n, on=KEY, how="semi").height,
        })
    changes = []
    for code in sorted(set(candidate.rules) | set(baseline.rules)):
        before = baseline.rules.get(code)
        after = candidate.rules.get(code)
        wb = before.weight if before else None
        wa = after.weight if after else None
        if wb != wa:
            changes.append({"code": code, "before": wb, "after": wa})
    return BacktestResult(
        ruleset=candidate.label, baseline=baseline.label, days=len(per_day), shipments=a.height,
        changed=a.filter(pl.col("disposition") != pl.col("new_disposition")).height,
        old_picks=old.height, new_picks=new.height, seizures=seized.height,
        old_caught=old_caught.height, new_caught=new_caught.height,
        entered=new.join(old, on=KEY, how="anti").height, left=old.join(new, on=KEY, how="anti").height,
        per_day=per_day, lost=lost.to_dicts(), weight_changes=changes,
    )
