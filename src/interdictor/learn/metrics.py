"""Precision and recall at the top k % of a ranking, with ties shared out fairly.

Where rows tie on score at the cut, the ones taken are a random draw from the tie: the figures are
the expected ones over that draw, so no ranking gains from the order its rows happen to be in. A
ranking that scores every row the same is therefore the random ranking's expected value.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

SHARES: tuple[int, ...] = (1, 2, 5, 10)  # per cent of the test rows


def top_count(rows: int, share: int) -> int:
    """How many rows the top ``share`` % of ``rows`` is: rounded up, at least one."""
    return max(1, -(-rows * share // 100))


def at_shares(scores: np.ndarray, labels: np.ndarray, shares: Sequence[int] = SHARES) -> dict[str, float]:
    """``{"precision@1%": p, "recall@1%": r, ...}`` of ranking ``labels`` (0/1) by ``scores``, highest first."""
    scores = np.nan_to_num(np.asarray(scores, dtype=np.float64), nan=-np.inf)
    labels = np.asarray(labels, dtype=np.float64)
    n, positives = len(scores), float(labels.sum())
    if n == 0 or positives == 0:
        raise ValueError("a ranking needs rows and at least one positive label")
    order = np.argsort(-scores, kind="stable")
    ranked, y = scores[order], labels[order]
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])  # first row of each tie
    sizes = np.diff(np.r_[starts, n])
    hits = np.add.reduceat(y, starts)
    rows_through, hits_through = np.cumsum(sizes), np.cumsum(hits)
    out: dict[str, float] = {}
    for share in shares:
        k = top_count(n, share)
        g = int(np.searchsorted(rows_through, k))  # the tie the cut falls in
        taken = k - (rows_through[g] - sizes[g])
        found = hits_through[g] - hits[g] + taken * hits[g] / sizes[g]
        out[f"precision@{share}%"] = float(found / k)
        out[f"recall@{share}%"] = float(found / positives)
    return out
