"""Reference tables joined on one key, cheap for the few keys of a small batch.

A hash join hashes the whole of its right side on every call: joining one
shipment's postal code to the 40,000-row postal-code table costs about as much
as joining ten thousand.  ``Keyed`` keeps a key → row-numbers index of the
table (built once, on first use) and, for a probe of few keys, joins with just
the rows of those keys, which gives the same rows as joining the whole table.
Large probes join the whole table as before.
"""

from __future__ import annotations

import threading
from typing import Any

import polars as pl

SMALL_PROBE = 2_000  # distinct keys up to which gathering rows beats hashing the table


class Keyed:
    def __init__(self, frame: pl.DataFrame, key: str) -> None:
        self.frame = frame
        self.key = key
        self._index: dict[Any, list[int]] | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> tuple[pl.DataFrame, str]:
        """Pickled (a context broadcast to Spark executors) as its frame and key; the index is built again."""
        return self.frame, self.key

    def __setstate__(self, state: tuple[pl.DataFrame, str]) -> None:
        self.frame, self.key = state
        self._index = None
        self._lock = threading.Lock()

    def _rows(self) -> dict[Any, list[int]]:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    index: dict[Any, list[int]] = {}
                    for i, k in enumerate(self.frame.get_column(self.key).to_list()):
                        if k is not None:
                            index.setdefault(k, []).append(i)
                    self._index = index
        return self._index

    def rows_for(self, keys: pl.Series) -> pl.DataFrame:
        """The table's rows whose key is among ``keys`` (in table order); the whole table for a large probe."""
        wanted = keys.drop_nulls().unique()
        if wanted.len() > SMALL_PROBE:
            return self.frame
        index = self._rows()
        at = sorted(i for k in wanted.to_list() for i in index.get(k, ()))
        return self.frame[at] if at else self.frame.clear()

    def join(self, left: pl.DataFrame, **kwargs: Any) -> pl.DataFrame:
        """``left.join(table, on=key, **kwargs)``: left must have the key column under the same name."""
        right = self.rows_for(left.get_column(self.key))
        if right.is_empty() and set(kwargs) <= {"how", "maintain_order"}:
            missed = _missed(left, right, self.key, kwargs.get("how", "inner"))
            if missed is not None:
                return missed
        return left.join(right, on=self.key, **kwargs)


def _missed(left: pl.DataFrame, right: pl.DataFrame, key: str, how: str) -> pl.DataFrame | None:
    """What a join with no row of the table gives, without a join (None where it would take one)."""
    if how == "anti":
        return left
    if how == "semi":
        return left.clear()
    added = [c for c in right.columns if c != key]
    if how not in ("inner", "left") or set(added) & set(left.columns):
        return None
    base = left if how == "left" else left.clear()
    return base.with_columns(pl.lit(None, right.schema[c]).alias(c) for c in added)
