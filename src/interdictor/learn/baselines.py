"""The lookup (memorisation) baseline: what a model that only remembers the training rows would say.

A test row scores the smoothed training label rate of its exact feature tuple (every feature column
together, empty cells included) when that tuple was seen in training; otherwise that of its first
identifier column (in ``--id`` order) whose value was seen in training; otherwise the training rate
as a whole. Published customs data sets are known to reward this: a model should be judged beside
it. The random baseline needs no code of its own: a ranking with every score equal is the random
ranking's expected value (``metrics``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

SMOOTHING = 2.0  # pseudo-rows at the overall training rate added to each tuple's or identifier's rows
KEY, SCORE = "__interdictor_key", "__interdictor_score"


def _rates(train: pl.DataFrame, key: str, label: str, prior: float, smoothing: float) -> pl.DataFrame:
    return (
        train.filter(pl.col(key).is_not_null())
        .group_by(key).agg(rows=pl.len(), pos=pl.col(label).sum())
        .select(key, ((pl.col("pos") + smoothing * prior) / (pl.col("rows") + smoothing)).alias(SCORE))
    )


def lookup_levels(train: pl.DataFrame, test: pl.DataFrame, features: Sequence[str], ids: Sequence[str],
                  label: str, smoothing: float = SMOOTHING) -> pl.DataFrame:
    """For each test row, its lookup score and the level it came from: ``tuple``, an identifier's
    column name, or ``overall``."""
    prior = float(train[label].mean())  # type: ignore[arg-type]
    key = pl.struct(list(features)).hash(seed=0)
    levels: list[tuple[str, pl.Expr]] = [("tuple", key), *((c, pl.col(c)) for c in ids)]
    score = pl.Series(SCORE, [None] * test.height, dtype=pl.Float64)
    level = pl.Series("level", [None] * test.height, dtype=pl.String)
    for name, expr in levels:
        rates = _rates(train.select(expr.alias(KEY), label), KEY, label, prior, smoothing)
        found = test.select(expr.alias(KEY)).join(rates, on=KEY, how="left", maintain_order="left")[SCORE]
        fill = score.is_null() & found.is_not_null()
        score = pl.select(pl.when(fill).then(found).otherwise(score)).to_series()
        level = pl.select(pl.when(fill).then(pl.lit(name)).otherwise(level)).to_series()
    return pl.DataFrame({
        "score": score.fill_null(prior),
        "level": level.fill_null("overall"),
    })


def lookup_scores(train: pl.DataFrame, test: pl.DataFrame, features: Sequence[str], ids: Sequence[str],
                  label: str, smoothing: float = SMOOTHING) -> np.ndarray:
    return lookup_levels(train, test, features, ids, label, smoothing)["score"].to_numpy()
