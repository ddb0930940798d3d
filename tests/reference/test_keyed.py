from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from interdictor.reference import keyed
from interdictor.reference.keyed import Keyed

KEYS = st.sampled_from(["a", "b", "c", "d", "e", None])


def _table(keys: list[str | None]) -> pl.DataFrame:
    return pl.DataFrame({"k": keys, "v": list(range(len(keys)))}, schema={"k": pl.String, "v": pl.Int64})


@settings(max_examples=150, deadline=None)
@given(table=st.lists(KEYS, max_size=12), probe=st.lists(KEYS, max_size=8),
       how=st.sampled_from(["left", "inner", "semi", "anti"]), small=st.booleans())
def test_joins_like_the_whole_table(table: list, probe: list, how: str, small: bool) -> None:
    """Same rows, same order as joining the whole table — duplicate keys, nulls and misses included —
    whether the probe gathers rows (small) or hashes the table (large)."""
    right = _table(table)
    left = pl.DataFrame({"id": list(range(len(probe))), "k": probe}, schema={"id": pl.Int64, "k": pl.String})
    t = Keyed(right, "k")
    mp = pytest.MonkeyPatch()
    mp.setattr(keyed, "SMALL_PROBE", 10 if small else 0)
    try:
        got = t.join(left, how=how, maintain_order="left_right")
        plain = t.join(left, how=how)  # as the callers write it
    finally:
        mp.undo()
    want = left.join(right, on="k", how=how, maintain_order="left_right")
    assert_frame_equal(got, want)
    assert_frame_equal(plain, left.join(right, on="k", how=how), check_row_order=False)


def test_a_probe_meeting_no_row_gives_the_join_s_columns_without_one() -> None:
    t = Keyed(_table(["a", "b"]), "k")
    left = pl.DataFrame({"id": [1, 2], "k": ["x", None]})
    assert_frame_equal(t.join(left, how="left"), left.with_columns(pl.lit(None, pl.Int64).alias("v")))
    assert t.join(left).schema == left.join(t.frame, on="k").schema and t.join(left).is_empty()
    clash = pl.DataFrame({"k": ["x"], "v": [9]})  # a column of both sides: the join's suffix rules decide
    assert t.join(clash, how="left").columns == ["k", "v", "v_right"]


def test_a_small_probe_reads_only_its_keys_rows() -> None:
    t = Keyed(_table(["a", "b", "a", "c"]), "k")
    rows = t.rows_for(pl.Series(["a", "zz", None]))
    assert rows["v"].to_list() == [0, 2]
    assert t.rows_for(pl.Series([], dtype=pl.String)).is_empty()
    assert t.rows_for(pl.Series([], dtype=pl.String)).schema == t.frame.schema


def test_a_large_probe_joins_the_whole_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyed, "SMALL_PROBE", 1)
    t = Keyed(_table(["a", "b", "c"]), "k")
    assert t.rows_for(pl.Series(["a", "b"])) is t.frame
