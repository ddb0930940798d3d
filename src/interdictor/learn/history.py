"""History features for identifier columns, computed strictly from earlier rows.

For each row and each identifier column (importer, declarant, seller …): how many earlier rows had
the same identifier (``seen``), how many of those were positive (``positives``), and the smoothed
rate of positives among the earlier rows whose label is known (``rate``). *Earlier* means at a
strictly earlier time: rows at the same time never see one another's labels, and a row never sees
its own. Only labels marked known (the training period) count: in the test period, history keeps
counting rows but learns no label of that period.

The rate is smoothed towards a prior that obeys the same rule — the rate of positives over every
earlier known label, with one pseudo-positive in two pseudo-rows — so a feature depends on no
label at or after its row's time, not even through the prior.

Whole columns at a time: one group-by per identifier, cumulative sums within each identifier in
time order, and a join back onto the rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

SMOOTHING = 2.0  # pseudo-rows at the prior rate added to an identifier's history
PRIOR = "__interdictor_prior"


def feature_names(column: str) -> tuple[str, str, str]:
    return f"{column}__seen", f"{column}__positives", f"{column}__rate"


def _exclusive(column: str, over: str | None = None) -> pl.Expr:
    """The running total of ``column`` over the earlier groups only (the group's own rows left out)."""
    total = pl.col(column).cum_sum()
    return (total if over is None else total.over(over)) - pl.col(column)


def history(table: pl.DataFrame, ids: Sequence[str], *, time: str, label: str, known: str,
            smoothing: float = SMOOTHING) -> pl.DataFrame:
    """``table`` with three history columns per identifier in ``ids`` (``feature_names``), in the
    same row order. ``label`` is 0/1; ``known`` says whether the row's label may be learned from.
    A row whose identifier is empty gets empty history."""
    positive = pl.when(pl.col(known)).then(pl.col(label)).otherwise(0).cast(pl.Int64)
    counted = pl.col(known).cast(pl.Int64)
    prior = (
        table.group_by(time).agg(labelled=counted.sum(), pos=positive.sum())
        .sort(time)
        .select(time, ((_exclusive("pos") + 1) / (_exclusive("labelled") + 2)).alias(PRIOR))
    )
    out = table.join(prior, on=time, how="left", maintain_order="left")
    for column in ids:
        seen, positives, rate = feature_names(column)
        groups = (
            table.filter(pl.col(column).is_not_null())
            .group_by(column, time).agg(rows=pl.len(), labelled=counted.sum(), pos=positive.sum())
            .sort(column, time)
            .select(column, time, _exclusive("rows", column).alias(seen),
                    _exclusive("pos", column).alias(positives), _exclusive("labelled", column).alias("labelled"))
        )
        out = (
            out.join(groups, on=[column, time], how="left", maintain_order="left")
            .with_columns(((pl.col(positives) + smoothing * pl.col(PRIOR)) / (pl.col("labelled") + smoothing))
                          .alias(rate))
            .drop("labelled")
        )
    return out.drop(PRIOR)
