"""The lookup baseline: exact feature tuple, then each identifier in --id order, then the overall rate."""

from __future__ import annotations

import polars as pl
import pytest

from interdictor.learn.baselines import lookup_levels

# overall training rate 2/4 = 0.5; smoothing adds two pseudo-rows at that rate
TRAIN = pl.DataFrame({
    "importer": ["a", "a", "b", None],
    "declarant": ["x", "y", "y", "z"],
    "hs": [29, 85, 29, 29],
    "y": [1, 1, 0, 0],
})
FEATURES = ["importer", "declarant", "hs"]


@pytest.mark.parametrize(("row", "ids", "level", "score"), [
    # the exact tuple was seen once, positive: (1 + 2 × 0.5) / (1 + 2)
    (("a", "x", 29), ["importer", "declarant"], "tuple", 2 / 3),
    # empty cells are part of a tuple too
    ((None, "z", 29), ["importer", "declarant"], "tuple", 1 / 3),
    # a new tuple: the importer's two rows, both positive: (2 + 1) / (2 + 2)
    (("a", "z", 7), ["importer", "declarant"], "importer", 3 / 4),
    # an importer never seen: the declarant (y: one of two positive)
    (("c", "y", 7), ["importer", "declarant"], "declarant", 2 / 4),
    # the order of --id decides which identifier answers first
    (("b", "x", 7), ["importer", "declarant"], "importer", 1 / 3),
    (("b", "x", 7), ["declarant", "importer"], "declarant", 2 / 3),
    # an empty identifier is no match: the next one answers
    ((None, "y", 7), ["importer", "declarant"], "declarant", 2 / 4),
    # nothing seen: the overall training rate
    (("c", "w", 7), ["importer", "declarant"], "overall", 0.5),
    (("a", "w", 7), [], "overall", 0.5),
])
def test_fallback_order(row: tuple[object, ...], ids: list[str], level: str, score: float) -> None:
    test = pl.DataFrame([dict(zip([*FEATURES, "y"], [*row, 0], strict=True))], schema=TRAIN.schema)
    got = lookup_levels(TRAIN, test, FEATURES, ids, "y")
    assert got.row(0) == (pytest.approx(score), level)


def test_test_labels_play_no_part() -> None:
    test = pl.DataFrame({"importer": ["a", "c", "b"], "declarant": ["x", "y", "q"], "hs": [29, 1, 2],
                         "y": [0, 0, 0]})
    flipped = test.with_columns(y=1 - pl.col("y"))
    ids = ["importer", "declarant"]
    assert lookup_levels(TRAIN, test, FEATURES, ids, "y").equals(lookup_levels(TRAIN, flipped, FEATURES, ids, "y"))
