"""A memo answers what compute would, asks compute only for keys it has not seen, and stays bounded."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from interdictor.screen.goods.memo import Memo


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
