"""Precision and recall at the top k %: hand-checkable rankings, ties shared out by expectation."""

from __future__ import annotations

import numpy as np
import pytest

from interdictor.learn.metrics import at_shares, top_count


@pytest.mark.parametrize(("rows", "share", "k"), [
    (100, 1, 1), (150, 1, 2), (10, 1, 1), (200, 5, 10), (7, 10, 1), (1000, 10, 100), (101, 10, 11),
])
def test_top_count_rounds_up_and_takes_at_least_one(rows: int, share: int, k: int) -> None:
    assert top_count(rows, share) == k


def ranking(scores: list[float], labels: list[int], share: int) -> tuple[float, float]:
    got = at_shares(np.array(scores, dtype=float), np.array(labels), [share])
    return got[f"precision@{share}%"], got[f"recall@{share}%"]


@pytest.mark.parametrize(("scores", "labels", "share", "precision", "recall"), [
    # 20 rows, 10 % = the top 2: the best row positive, the second negative
    ([9, 8, *[0] * 18], [1, 0, 1, *[0] * 17], 10, 0.5, 0.5),
    # the same labels in reverse order of score: both positives last
    ([*range(20)], [1, *[0] * 18, 1], 10, 0.5, 0.5),
    ([*range(20)], [*[1] * 2, *[0] * 18], 10, 0.0, 0.0),
    # a tie at the cut: one row above it (positive), two tied for the last place (one positive)
    ([3, 2, 2, *[0] * 17], [1, 1, 0, *[0] * 17], 10, 0.75, 0.75),
    # every score equal: the random ranking's expected value, precision = the base rate
    ([0.5] * 20, [1, 1, 1, 1, *[0] * 16], 10, 0.2, 0.1),
    # an empty (NaN) score ranks last
    ([np.nan, 1, *[0] * 18], [1, 0, 0, 0, *[1] * 16], 5, 0.0, 0.0),
])
def test_hand_checked_rankings(scores: list[float], labels: list[int], share: int, precision: float,
                               recall: float) -> None:
    assert ranking(scores, labels, share) == pytest.approx((precision, recall))


def test_keys_come_in_share_order() -> None:
    got = at_shares(np.arange(200.0), np.r_[np.zeros(199), 1.0])
    assert list(got) == [f"{m}@{s}%" for s in (1, 2, 5, 10) for m in ("precision", "recall")]
    assert got["recall@1%"] == 1.0 and got["precision@1%"] == 0.5


def test_a_ranking_without_positives_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        at_shares(np.arange(5.0), np.zeros(5))
