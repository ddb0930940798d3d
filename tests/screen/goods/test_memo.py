"""A memo answers what compute would, asks compute only for keys it has not seen, and stays bounded."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from interdictor.screen.goods import memo as memo_module
from interdictor.screen.goods.memo import FrameMemo, Memo


def _double(keys: list[int]) -> dict[int, int]:
    return {k: 2 * k for k in keys}


@given(st.lists(st.lists(st.integers(0, 40), max_size=15), max_size=8), st.integers(1, 30))
def test_answers_as_compute_and_bounded(batches: list[list[int]], limit: int) -> None:
    memo: Memo[int, int] = Memo(limit)
    for keys in batches:
        assert memo.lookup(keys, _double) == {k: 2 * k for k in keys}
        assert len(memo) <= limit


def test_asks_only_for_keys_not_seen() -> None:
    asked: list[list[int]] = []

    def compute(keys: list[int]) -> dict[int, int]:
        asked.append(keys)
        return _double(keys)

    memo: Memo[int, int] = Memo()
    memo.lookup([1, 2, 2, 3], compute)
    memo.lookup([3, 4, 1], compute)
    assert asked == [[1, 2, 3], [4]]


def _rows_of(new: pl.DataFrame) -> pl.DataFrame:
    """Answer rows per key: key k has k % 3 rows (so some keys have none)."""
    rows = [(k, j) for k in new["key"].to_list() for j in range(int(k) % 3)]
    return pl.DataFrame(rows, schema={"key": pl.String, "j": pl.Int64}, orient="row")


def _fresh(keys: pl.DataFrame) -> set[tuple[object, ...]]:
    return set(keys.join(_rows_of(keys.unique("key")), on="key").iter_rows())


@given(st.lists(st.lists(st.integers(0, 30), max_size=12), max_size=8), st.integers(1, 25), st.booleans())
def test_frame_memo_answers_as_compute_and_bounded(batches: list[list[int]], limit: int, small: bool) -> None:
    """The same answers whether a lookup gathers its keys' rows (small) or joins all remembered ones."""
    mp = pytest.MonkeyPatch()
    mp.setattr(memo_module, "SMALL_PROBE", 100 if small else 0)
    try:
        memo = FrameMemo("key", limit)
        for batch in batches:
            keys = pl.DataFrame({"pos": list(range(len(batch))), "key": [str(k) for k in batch]},
                                schema={"pos": pl.Int64, "key": pl.String})
            got = memo.lookup(keys, _rows_of)
            assert sorted(got.iter_rows()) == sorted(_fresh(keys))
            assert got["pos"].to_list() == sorted(got["pos"].to_list())  # in the order of the keys
            assert got.columns == ["pos", "key", "j"]
            assert len(memo) <= limit
    finally:
        mp.undo()


def test_frame_memo_asks_only_for_new_keys_and_never_doubles_rows() -> None:
    asked: list[list[str]] = []

    def compute(new: pl.DataFrame) -> pl.DataFrame:
        asked.append(new["key"].to_list())
        return _rows_of(new)

    memo = FrameMemo("key")
    keys = pl.DataFrame({"key": ["5", "2", "5", "4"]})
    memo.lookup(keys, compute)
    memo.lookup(pl.DataFrame({"key": ["4", "8"]}), compute)
    assert asked == [["5", "2", "4"], ["8"]]
    # a lookup that read the memo before another one landed remembers only what is still new
    memo._remember(["8", "11"], _rows_of(pl.DataFrame({"key": ["8", "11"]})), generation=-1)
    again = memo.lookup(pl.DataFrame({"key": ["8", "11"]}), compute)
    assert sorted(again.iter_rows()) == [("11", 0), ("11", 1), ("8", 0), ("8", 1)]
    assert len(asked) == 2  # both were remembered: nothing asked again
