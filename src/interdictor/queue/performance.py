"""How well the rules work, measured on recorded exam outcomes.

For each rule: how often it fired, how many of those shipments were examined,
how many exams have an outcome recorded, and the share of those that found
something (a seizure or a referral to an agency).  The same by score band, for
exploration picks against the rest, and over time.  Every figure is computed
from the tables the service records, so a rule nobody reviews still shows its
yield.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

EXAMINED = ("exam", "hold")
FOUND = ("seized", "referred")

KEY = ["partner", "shipment_id"]


@dataclass(frozen=True)
class Facts:
    """The recorded facts the figures come from (one window of days).

    ``shipments``: partner, shipment_id, version, score, day (date) — the current
    assessment of each shipment; ``fired``: partner, shipment_id, code (the reasons
    of that assessment); ``decisions``: partner, shipment_id, decision, exploration,
    decided_at; ``outcomes``: partner, shipment_id, result.
    """

    shipments: pl.DataFrame
    fired: pl.DataFrame
    decisions: pl.DataFrame
    outcomes: pl.DataFrame


def shipment_facts(f: Facts) -> pl.DataFrame:
    """One row per shipment: score, day, examined, exploration, resolved (outcome known), found."""
    last = (f.decisions.sort("decided_at").group_by(KEY, maintain_order=True)
            .agg(pl.col("decision").is_in(EXAMINED).any().alias("examined"),
                 pl.col("exploration").any().alias("exploration")))
    res = f.outcomes.group_by(KEY).agg(pl.len().alias("_n"), pl.col("result").is_in(FOUND).any().alias("found"))
    return (f.shipments.join(last, on=KEY, how="left").join(res, on=KEY, how="left")
            .with_columns(pl.col("examined").fill_null(False), pl.col("exploration").fill_null(False),
                          pl.col("_n").is_not_null().alias("resolved"), pl.col("found").fill_null(False))
            .drop("_n"))


def _tally(df: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    return (df.group_by(by).agg(
        pl.len().alias("fired"),
        pl.col("examined").sum().alias("examined"),
        (pl.col("examined") & pl.col("resolved")).sum().alias("resolved"),
        (pl.col("examined") & pl.col("found")).sum().alias("found"),
    ).with_columns(
        pl.when(pl.col("resolved") > 0).then(pl.col("found") / pl.col("resolved")).otherwise(None).alias("yield"),
        pl.when(pl.col("fired") > 0).then(pl.col("examined") / pl.col("fired")).otherwise(None).alias("exam_rate"),
    ))


def by_rule(f: Facts) -> pl.DataFrame:
    """``code, fired, examined, resolved, found, yield, exam_rate`` — most fired first."""
    s = shipment_facts(f)
    fired = f.fired.select(*KEY, "code").unique().join(s, on=KEY, how="inner")
    return _tally(fired, ["code"]).sort(["fired", "code"], descending=[True, False])


def band_of(score: pl.Expr, width: int = 10) -> pl.Expr:
    lo = (score.clip(0, 99.999) // width * width).cast(pl.Int64)
    return pl.format("{}–{}", lo, lo + width)


def by_band(f: Facts, width: int = 10) -> pl.DataFrame:
    """The same figures per score band (``0–10`` … ``90–100``), lowest band first."""
    s = shipment_facts(f).with_columns(band_of(pl.col("score"), width).alias("band"),
                                       (pl.col("score").clip(0, 99.999) // width).cast(pl.Int64).alias("_o"))
    return _tally(s, ["band", "_o"]).sort("_o").drop("_o").rename({"fired": "shipments"})


def by_exploration(f: Facts) -> pl.DataFrame:
    """Exams that were exploration picks against the rest: ``exploration, examined, resolved, found, yield``."""
    s = shipment_facts(f).filter(pl.col("examined"))
    return _tally(s, ["exploration"]).drop("fired", "exam_rate").sort("exploration")


def trend(f: Facts, period: str = "1w", codes: list[str] | None = None) -> pl.DataFrame:
    """``period_start, code, fired, examined, resolved, found, yield`` per period (``1d``, ``1w``).

    ``code`` ``*`` is every shipment; pass ``codes`` for per-rule lines too.
    """
    s = shipment_facts(f).with_columns(pl.col("day").cast(pl.Date).dt.truncate(period).alias("period_start"))
    parts = [_tally(s.with_columns(pl.lit("*").alias("code")), ["period_start", "code"])]
    if codes:
        fired = f.fired.filter(pl.col("code").is_in(codes)).select(*KEY, "code").unique().join(s, on=KEY, how="inner")
        parts.append(_tally(fired, ["period_start", "code"]))
    return pl.concat(parts).drop("exam_rate").sort(["code", "period_start"])


def totals(f: Facts) -> dict[str, int | float | None]:
    s = shipment_facts(f)
    t = _tally(s.with_columns(pl.lit(1).alias("_all")), ["_all"])
    if t.is_empty():
        return {"shipments": 0, "examined": 0, "resolved": 0, "found": 0, "yield": None}
    row = t.row(0, named=True)
    return {"shipments": row["fired"], "examined": row["examined"], "resolved": row["resolved"],
            "found": row["found"], "yield": row["yield"]}
