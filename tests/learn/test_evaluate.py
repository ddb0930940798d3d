"""``evaluate`` end to end on small generated sets: the model learns what drives the label, beats random,
gives the same report twice, and its features never see a test label or a row's own or later label."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import polars as pl
import pytest

from interdictor.learn.evaluate import encoded, evaluate
from interdictor.learn.table import Spec, prepare

CUT = datetime(2024, 4, 1)


def generated(rows: int = 3000, seed: int = 11) -> pl.DataFrame:
    """Half a year of declarations; a positive is grade C with a high x, whoever the importer."""
    rng = np.random.default_rng(seed)
    grade = rng.choice(list("ABCDE"), rows)
    x = rng.random(rows)
    rate = np.where((grade == "C") & (x > 0.7), 0.8, 0.02)
    return pl.DataFrame({
        "at": [datetime(2024, 1, 1) + timedelta(hours=int(h)) for h in np.sort(rng.integers(0, 24 * 120, rows))],
        "importer": [f"I{i}" for i in rng.integers(0, 300, rows)],
        "grade": grade,
        "x": x,
        "noise": rng.normal(size=rows),
        "hit": (rng.random(rows) < rate).astype(np.int8),
    })


SPEC = Spec("hit", "at", CUT, ids=("importer",))


def test_the_model_beats_random_where_a_feature_drives_the_label() -> None:
    report = evaluate(generated(), SPEC).to_json()
    model, rnd = report["model"], report["random"]
    assert isinstance(model, dict) and isinstance(rnd, dict)
    assert model["precision@5%"] > 3 * rnd["precision@5%"]
    assert model["recall@5%"] > 3 * rnd["recall@5%"]


def test_the_report_is_shaped_as_designed_and_the_same_twice() -> None:
    frame = generated(1500, seed=5)
    first, second = evaluate(frame, SPEC).to_json(), evaluate(frame, SPEC).to_json()
    assert first == second
    assert list(first) == ["rows", "positives", "model", "random", "lookup"]
    rows = first["rows"]
    assert isinstance(rows, dict) and rows["train"] + rows["test"] == 1500
    for name in ("model", "random", "lookup"):
        figures = first[name]
        assert isinstance(figures, dict)
        assert list(figures) == [f"{m}@{s}%" for s in (1, 2, 5, 10) for m in ("precision", "recall")]
        assert all(0.0 <= v <= 1.0 for v in figures.values())


def test_identifiers_enter_through_their_history_only() -> None:
    table, features = prepare(generated(300), SPEC)
    names = encoded(table, SPEC, features).names
    assert "importer" not in names
    assert {"importer__seen", "importer__positives", "importer__rate", "grade", "x", "at__weekday"} <= set(names)


def matrices(frame: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    table, features = prepare(frame, SPEC)
    m = encoded(table, SPEC, features)
    return m.train, m.test


def test_test_labels_change_no_feature() -> None:
    frame = generated(600)
    flipped = frame.with_columns(hit=pl.when(pl.col("at") >= CUT).then(1 - pl.col("hit")).otherwise(pl.col("hit")))
    for before, after in zip(matrices(frame), matrices(flipped), strict=True):
        np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize("row", [40, 200, 399])
def test_a_training_row_never_sees_its_own_label_or_a_later_one(row: int) -> None:
    frame = generated(600).sort("at")
    at = frame["at"][row]
    assert at < CUT
    flipped = frame.with_columns(hit=pl.when(pl.col("at") >= at).then(1 - pl.col("hit")).otherwise(pl.col("hit")))
    (before, _), (after, _) = matrices(frame), matrices(flipped)
    np.testing.assert_array_equal(before[row], after[row])
    assert not np.array_equal(before, after)  # the flip reached later rows' features: the check has teeth


def test_a_column_of_lists_is_left_out_not_fatal() -> None:
    frame = generated(600).with_columns(tags=pl.concat_list(pl.col("grade"), pl.col("importer")))
    table, features = prepare(frame, SPEC)
    assert "tags" in features and "tags" not in encoded(table, SPEC, features).names
