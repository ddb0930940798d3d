"""History features: counts and smoothed rates per identifier, from strictly earlier rows and training labels only."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from interdictor.learn.history import feature_names, history

COLUMNS = [*feature_names("importer"), *feature_names("declarant")]


def run(table: pl.DataFrame) -> pl.DataFrame:
    return history(table, ["importer", "declarant"], time="t", label="y", known="known")


def random_table(seed: int, rows: int = 80) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    importer = [None if v == "-" else str(v) for v in rng.choice(["a", "b", "c", "-"], rows, p=[0.4, 0.3, 0.2, 0.1])]
    return pl.DataFrame({
        "importer": pl.Series(importer, dtype=pl.String),
        "declarant": rng.choice(["x", "y"], rows),
        "t": np.sort(rng.integers(0, 25, rows)),  # many rows share a time
        "y": rng.integers(0, 2, rows),
    }).with_columns(known=pl.col("t") < 18)


def test_hand_checked_counts_and_rates() -> None:
    # prior before t=2: (2 positives + 1) / (3 labelled + 2) = 0.6; before t=3: (3 + 1) / (4 + 2)
    table = pl.DataFrame({"importer": ["a", "a", "b", "a", "a", None], "t": [1, 1, 1, 2, 3, 3],
                          "y": [1, 0, 1, 1, 1, 1], "known": [True, True, True, True, False, False]})
    out = history(table, ["importer"], time="t", label="y", known="known")
    seen, positives, rate = feature_names("importer")
    assert out[seen].to_list() == [0, 0, 0, 2, 3, None]
    assert out[positives].to_list() == [0, 0, 0, 1, 2, None]
    expected = [0.5, 0.5, 0.5, (1 + 2 * 0.6) / (2 + 2), (2 + 2 * 4 / 6) / (3 + 2), None]
    assert out[rate].to_list() == pytest.approx(expected)  # type: ignore[arg-type]
    assert out.select("importer", "t", "y").equals(table.select("importer", "t", "y"))  # row order kept


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_row_never_sees_its_own_label_or_a_later_one(seed: int) -> None:
    table = random_table(seed)
    before = run(table)
    changed_later = 0
    for i, at in enumerate(table["t"].to_list()):
        flipped = table.with_columns(y=pl.when(pl.col("t") >= at).then(1 - pl.col("y")).otherwise(pl.col("y")))
        after = run(flipped)
        assert after.row(i, named=True) | {"y": None} == before.row(i, named=True) | {"y": None}, f"row {i}"
        changed_later += not after.select(COLUMNS).equals(before.select(COLUMNS))
    assert changed_later, "flipping labels changed no feature at all: the check proves nothing"


@pytest.mark.parametrize("seed", [4, 5])
def test_test_period_labels_feed_no_feature(seed: int) -> None:
    table = random_table(seed)
    flipped = table.with_columns(y=pl.when(pl.col("known")).then(pl.col("y")).otherwise(1 - pl.col("y")))
    assert run(flipped).select(COLUMNS).equals(run(table).select(COLUMNS))
    known_flipped = table.with_columns(y=1 - pl.col("y"))  # the training labels do feed them
    assert not run(known_flipped).select(COLUMNS).equals(run(table).select(COLUMNS))


def test_the_test_period_keeps_counting_rows_but_learns_no_label() -> None:
    table = pl.DataFrame({"importer": ["a"] * 4, "t": [1, 2, 3, 4], "y": [1, 1, 1, 1],
                          "known": [True, True, False, False]})
    out = history(table, ["importer"], time="t", label="y", known="known")
    seen, positives, rate = feature_names("importer")
    assert out[seen].to_list() == [0, 1, 2, 3]
    assert out[positives].to_list() == [0, 1, 2, 2]
    assert out[rate][2] == out[rate][3]  # nothing learned after the training period
