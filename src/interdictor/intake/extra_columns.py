"""Columns a partner sends beyond the manifest contract ("extras"), checked in one pass.

A row of a wide file can hold hundreds of extras.  They are kept as attributes, so
they are cleaned and length-checked like any field — but with one expression over
all of them, never a table operation per column (each of which costs as much as
the table is wide: a per-column loop makes a file's cost grow with the square of
its width).  The readers take the extras out before the field checks of the known
columns and put them back, checked, by ``line``.
"""

from __future__ import annotations

import polars as pl

from interdictor.intake.fields import KNOWN
from interdictor.model import Reject

_KNOWN = frozenset(KNOWN)


def split_extras(rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """(the known columns with ``line``, the extras with ``line`` — None when there are none)."""
    extras = [c for c in rows.columns if c not in _KNOWN and c != "line"]
    if not extras:
        return rows, None
    return rows.drop(extras), rows.select("line", *extras)


def join_extras(clean: pl.DataFrame, extras: pl.DataFrame | None, source: str,
                max_chars: int) -> tuple[pl.DataFrame, list[Reject]]:
    """``clean`` (validated known columns) with its rows' extras: stripped, empty as null, a value
    over ``max_chars`` emptied with a field reject naming line and column."""
    if extras is None:
        return clean, []
    cols = [c for c in extras.columns if c != "line"]
    extras = extras.with_columns(pl.col(cols).str.strip_chars().replace("", None))
    joined = clean.join(extras, on="line", how="left", maintain_order="left")
    too_long = pl.col(cols).str.len_chars() > max_chars
    over = joined.select(pl.any_horizontal(too_long).alias("_over")).get_column("_over")
    if not over.any():
        return joined, []
    bad = (joined.filter(over).select("line", "shipment_id", *cols)
           .unpivot(index=["line", "shipment_id"], variable_name="field", value_name="value")
           .filter(pl.col("value").str.len_chars() > max_chars))
    rejects = [Reject(source, line, fld, f"field is longer than {max_chars} characters", shipment_id=sid,
                      kind="field") for line, sid, fld in bad.select("line", "shipment_id", "field").iter_rows()]
    return joined.with_columns(pl.when(too_long).then(None).otherwise(pl.col(cols)).name.keep()), rejects


__all__ = ["join_extras", "split_extras"]
