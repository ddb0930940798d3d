"""Combine reasons into a score (0–100) and a recommended disposition.

Per shipment, each reason code counts once (its strongest instance), with the
rule set's weight overriding the detector's proposal.  Weights combine as
independent evidence: ``score = 100 * (1 - prod(1 - w/100))`` — two 40-point
reasons make 64, not 80, and no pile of weak reasons passes 100.

Dispositions come from the corridor's thresholds, then **caps** (a mitigating
reason keeps the shipment at most at that level) and then **floors** (a hard
finding makes it at least that level); a floor wins over a cap.  The score is
clamped into the band of the final disposition so that ranking and disposition
never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from interdictor.model import DISPOSITIONS
from interdictor.reference.corridors import Thresholds
from interdictor.score.rules import RuleSet

_RANK = {d: i for i, d in enumerate(DISPOSITIONS)}


def weigh(reasons: pl.DataFrame, ruleset: RuleSet) -> pl.DataFrame:
    """Apply the rule set's weights to a reasons table (rule set has the last word)."""
    if reasons.is_empty():
        return reasons
    table = pl.DataFrame(
        {
            "code": list(ruleset.rules),
            "_w": [r.weight for r in ruleset.rules.values()],
        },
        schema={"code": pl.String, "_w": pl.Float64},
    )
    return (
        reasons.join(table, on="code", how="left")
        .with_columns(pl.coalesce("_w", "weight").clip(0, 100).alias("weight"))
        .drop("_w")
    )


def score(
    shipment_ids: pl.Series,
    reasons: pl.DataFrame,
    ruleset: RuleSet,
    corridor_of: pl.DataFrame,
    thresholds: Mapping[str, Thresholds],
) -> pl.DataFrame:
    """``shipment_id, score, disposition, corridor`` for every shipment id given.

    ``reasons`` must already be weighed; ``corridor_of`` maps shipment_id → corridor
    name; ``thresholds`` maps corridor name → thresholds.

    Each shipment's disposition depends on its own reasons and the thresholds alone, never on the other
    shipments of its batch; calibrated thresholds (``score.calibration``) arrive here as thresholds.
    """
    floors = {c: _RANK[r.floor] for c, r in ruleset.rules.items() if r.floor}
    caps = {c: _RANK[r.cap] for c, r in ruleset.rules.items() if r.cap}
    per_code = reasons.group_by("shipment_id", "code").agg(pl.col("weight").max())
    agg = per_code.group_by("shipment_id").agg(
        (100.0 * (1.0 - (1.0 - pl.col("weight") / 100.0).product())).alias("raw"),
        pl.col("code").replace_strict(floors, default=-1, return_dtype=pl.Int8).max().alias("floor"),
        pl.col("code").replace_strict(caps, default=99, return_dtype=pl.Int8).min().alias("cap"),
    )
    th = pl.DataFrame(
        {
            "corridor": list(thresholds),
            "t_review": [t.review for t in thresholds.values()],
            "t_exam": [t.exam for t in thresholds.values()],
            "t_hold": [t.hold for t in thresholds.values()],
        }
    )
    base = (
        pl.DataFrame({"shipment_id": shipment_ids.cast(pl.String)})
        .join(corridor_of, on="shipment_id", how="left")
        .join(agg, on="shipment_id", how="left")
        .join(th, on="corridor", how="left")
        .with_columns(
            pl.col("raw").fill_null(0.0),
            pl.col("floor").fill_null(-1),
            pl.col("cap").fill_null(99),
        )
    )
    by_score = (
        pl.when(pl.col("raw") >= pl.col("t_hold")).then(3)
        .when(pl.col("raw") >= pl.col("t_exam")).then(2)
        .when(pl.col("raw") >= pl.col("t_review")).then(1)
        .otherwise(0)
    )
    level = pl.max_horizontal(pl.min_horizontal(by_score, pl.col("cap")), pl.col("floor"))
    lower = pl.when(level == 3).then("t_hold").when(level == 2).then("t_exam").when(level == 1).then("t_review").otherwise(0.0)
    upper = (
        pl.when(level == 0).then(pl.col("t_review") - 0.01)
        .when(level == 1).then(pl.col("t_exam") - 0.01)
        .when(level == 2).then(pl.col("t_hold") - 0.01)
        .otherwise(100.0)
    )
    return (
        base.with_columns(level.alias("level"))
        .with_columns(
            pl.col("raw").clip(lower, upper).round(2).alias("score"),
            pl.col("level").replace_strict(dict(enumerate(DISPOSITIONS)), return_dtype=pl.String).alias("disposition"),
        )
        .select("shipment_id", "score", "disposition", "corridor")
    )
