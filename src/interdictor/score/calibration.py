"""Calibrated dispositions: exam thresholds learned from the store's own traffic.

Whatever the weights, ordinary traffic recommended for exam or hold should stay under ``EXAM_SHARE`` of a
day.  Per corridor, ``learn_exam_scores`` finds the lowest score that the top ``EXAM_SHARE`` of recent
stored assessments reach (those a floor — a hard finding — put there left out: they are not ordinary
traffic and keep their level anyway).  The rows are kept in the learned set (``interdictor profiles
learn``, kind ``score``) and so share its version; screening then uses, per corridor,
``max(the corridor's exam threshold, the learned score)`` — the threshold moves, the scores do not (the
ranking stays by raw score), and a shipment's disposition depends on nothing but its own score and that
version, never on the batch it arrived in.  With no history the corridors' thresholds apply unchanged.
The port's exam budget still limits exams at the queue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from interdictor.reference.corridors import Thresholds
from interdictor.score.rules import RuleSet

EXAM_SHARE = 0.02  # at most this share of a corridor's ordinary traffic to exam or hold on score alone
MIN_N = 500  # scores a corridor needs before its own exam threshold is learned (1 / EXAM_SHARE × 10)
KIND = "score"  # the learned set's rows of calibrated thresholds: key = corridor, metric = "exam"
METRIC = "exam"
STEP = 0.01  # scores are stored to two decimals
SET_SCHEMA = {"kind": pl.String, "key": pl.String, "metric": pl.String, "median": pl.Float64,
              "spread": pl.Float64, "n": pl.Int64}


def hard_floors(ruleset: RuleSet) -> frozenset[str]:
    """The codes whose floor is exam or hold: shipments with one are left out of what is learned (a review
    floor sends nothing to exam, so its shipments are ordinary traffic)."""
    return frozenset(c for c, r in ruleset.rules.items() if r.floor in ("exam", "hold"))


def learn_exam_scores(scores: pl.DataFrame, share: float = EXAM_SHARE, min_n: int = MIN_N) -> pl.DataFrame:
    """Learned-set rows (``kind`` "score", ``key`` corridor, ``metric`` "exam", ``median`` the score, ``n``
    the scores it was learned from) from ``corridor, score`` of recent unfloored assessments.

    The learned score is the lowest distinct score ``s`` such that at most ``share`` of the corridor's
    scores are ``>= s`` — ties never push the share over (a crowd of equal scores at the quantile stays
    below it).  When even the top score alone is more than the share, it is the top score plus a step.
    """
    if scores.is_empty():
        return pl.DataFrame(schema=SET_SCHEMA)
    s = scores.select(pl.col("corridor").fill_null("").cast(pl.String), pl.col("score").cast(pl.Float64).round(2))
    per = (
        s.group_by("corridor", "score").agg(pl.len().alias("k"))
        .sort("corridor", "score", descending=[False, True])
        .with_columns(pl.col("k").cum_sum().over("corridor").alias("above"), pl.col("k").sum().over("corridor").alias("n"))
        .filter(pl.col("n") >= min_n)
    )
    if per.is_empty():
        return pl.DataFrame(schema=SET_SCHEMA)
    within = per.filter(pl.col("above") <= share * pl.col("n")).group_by("corridor").agg(pl.col("score").min().alias("_s"))
    top = per.group_by("corridor").agg(pl.col("score").max().alias("_top"), pl.col("n").first())
    return (
        top.join(within, on="corridor", how="left")
        .select(pl.lit(KIND).alias("kind"), pl.col("corridor").alias("key"), pl.lit(METRIC).alias("metric"),
                pl.coalesce("_s", (pl.col("_top") + STEP).clip(upper_bound=100.0)).alias("median"),
                pl.lit(0.0).alias("spread"), pl.col("n").cast(pl.Int64))
        .cast(SET_SCHEMA).sort("key")  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class Calibration:
    """Per corridor, the exam score learned from its traffic; ``version`` is the learned set's ("none": the
    corridors' thresholds apply unchanged)."""

    exam_at: Mapping[str, float] = field(default_factory=dict)
    version: str = "none"

    @property
    def calibrated(self) -> bool:
        return bool(self.exam_at)

    def thresholds(self, configured: Mapping[str, Thresholds]) -> dict[str, Thresholds]:
        """The thresholds screening uses: a corridor's exam threshold raised to its learned score (never
        lowered), hold kept as far above it as configured (at most 100); review unchanged."""
        out = {}
        for name, t in configured.items():
            exam = max(t.exam, min(self.exam_at.get(name, 0.0), 100.0 - STEP))
            out[name] = Thresholds(t.review, exam, max(t.hold, min(100.0, exam + (t.hold - t.exam))))
        return out


def from_learned(table: pl.DataFrame, version: str) -> Calibration:
    """The calibration in a learned set's rows (other kinds ignored); none when it holds no score rows."""
    rows = table.filter((pl.col("kind") == KIND) & (pl.col("metric") == METRIC)) if table.height else table
    if rows.is_empty():
        return Calibration()
    return Calibration({str(k): float(v) for k, v in rows.select("key", "median").iter_rows()}, version)
