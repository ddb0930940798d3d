"""Columns of any labelled table turned into a numeric matrix LightGBM can learn from.

Numbers stay as they are, booleans become 0/1, dates and times give their month, day of the week
and hour, and anything else is a category: the ``MAX_CATEGORIES`` values most frequent in the
training rows (each at least ``MIN_CATEGORY_ROWS`` times) keep a code of their own, every other
value shares one code, and an empty cell stays missing. Only training rows choose the categories,
and no label is read. A column of lists or records is left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

MAX_CATEGORIES = 100
MIN_CATEGORY_ROWS = 5


@dataclass(frozen=True)
class Matrix:
    """Training and test rows as float matrices (NaN for missing), with the feature names and the
    positions of the categorical ones."""

    train: np.ndarray
    test: np.ndarray
    names: tuple[str, ...]
    categorical: tuple[int, ...]
    categories: dict[str, tuple[str, ...]] = field(default_factory=dict)  # a category column's kept values, in code order


def _temporal(column: str, dtype: pl.DataType) -> list[pl.Expr]:
    parts = [pl.col(column).dt.month().alias(f"{column}__month"),
             pl.col(column).dt.weekday().alias(f"{column}__weekday")]
    if isinstance(dtype, pl.Datetime):
        parts.append(pl.col(column).dt.hour().alias(f"{column}__hour"))
    return parts


def _categories(train: pl.Series) -> pl.Series:
    """The values of a training column that keep a code of their own, most frequent first."""
    counts = train.drop_nulls().value_counts(sort=True)
    name = train.name
    kept = counts.filter(pl.col("count") >= MIN_CATEGORY_ROWS).sort(["count", name], descending=[True, False])
    return kept[name].head(MAX_CATEGORIES)


def encode(train: pl.DataFrame, test: pl.DataFrame, columns: Sequence[str], *,
           numeric: Sequence[str] = (), categories: Mapping[str, Sequence[str]] | None = None) -> Matrix:
    """Encode ``columns`` of both periods the same way; ``numeric`` columns (such as history
    features) are taken as numbers whatever their type. ``categories`` (a trained model's
    ``Matrix.categories``) fixes each category column's codes instead of choosing them from ``train``."""
    exprs: list[pl.Expr] = []
    categorical: list[str] = []
    chosen: dict[str, tuple[str, ...]] = {}
    for column in columns:
        dtype = train.schema[column]
        if dtype.is_nested():
            continue
        if column in numeric or dtype.is_numeric() or dtype == pl.Boolean:
            exprs.append(pl.col(column).cast(pl.Float64))
        elif dtype.is_temporal() and dtype != pl.Duration and dtype != pl.Time:
            exprs.extend(e.cast(pl.Float64) for e in _temporal(column, dtype))
        else:
            text = pl.col(column).cast(pl.String)
            kept = (pl.Series(column, list(categories[column]), dtype=pl.String) if categories is not None
                    else _categories(train.select(text)[column]))
            chosen[column] = tuple(kept.cast(pl.String).to_list())
            coded = text.replace_strict(kept.cast(pl.String), pl.Series(range(len(kept)), dtype=pl.Float64),
                                        default=float(len(kept)), return_dtype=pl.Float64)
            # replace_strict gives an empty cell the shared code: it stays missing instead
            exprs.append(pl.when(text.is_null()).then(None).otherwise(coded).alias(column))
            categorical.append(column)
    left, right = train.select(exprs), test.select(exprs)
    names = tuple(left.columns)
    return Matrix(
        train=left.fill_null(float("nan")).to_numpy().astype(np.float64, copy=False),
        test=right.fill_null(float("nan")).to_numpy().astype(np.float64, copy=False),
        names=names,
        categorical=tuple(names.index(c) for c in categorical),
        categories=chosen,
    )
