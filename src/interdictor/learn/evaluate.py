"""``interdictor evaluate``: train on the rows before a date, rank the rest three ways, measure each.

The model is LightGBM over the table's own columns (``features``) and the history of each
identifier column (``history``); beside it, a random ranking and the lookup baseline
(``baselines``). Test-period labels are read only to measure the rankings, never to make them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from interdictor.learn.baselines import lookup_scores
from interdictor.learn.booster import SEED, THREADS, fit_predict
from interdictor.learn.features import Matrix, encode
from interdictor.learn.history import feature_names, history
from interdictor.learn.metrics import SHARES, at_shares
from interdictor.learn.table import LABEL, TIME, TRAIN, Spec, prepare

RANKINGS = ("model", "random", "lookup")


@dataclass(frozen=True)
class Report:
    train_rows: int
    test_rows: int
    train_positives: int
    test_positives: int
    features: tuple[str, ...]  # what the model learned from, after encoding
    rankings: dict[str, dict[str, float]]  # model, random, lookup → precision@k% / recall@k%

    def to_json(self) -> dict[str, object]:
        """The report as DESIGN.md sets it out, with the positives of each period beside the rows."""
        return {
            "rows": {"train": self.train_rows, "test": self.test_rows},
            "positives": {"train": self.train_positives, "test": self.test_positives},
            **{name: {k: round(v, 4) for k, v in self.rankings[name].items()} for name in RANKINGS},
        }


def model_features(table: pl.DataFrame, spec: Spec, features: tuple[str, ...]) -> tuple[pl.DataFrame, list[str],
                                                                                       list[str]]:
    """The table with history and time-of-week features added; the columns the model learns from; which
    of them are numbers whatever their type. Identifiers enter through their history only (their raw
    values would let the model memorise), and the time through its weekday and hour only (the test
    period lies outside the training one)."""
    clock = [f"{spec.time}__weekday", f"{spec.time}__hour"]
    table = history(table, spec.ids, time=TIME, label=LABEL, known=TRAIN).with_columns(
        pl.col(TIME).dt.weekday().alias(clock[0]), pl.col(TIME).dt.hour().alias(clock[1]))
    past = [name for c in spec.ids for name in feature_names(c)]
    own = [c for c in features if c not in spec.ids]
    return table, [*own, *clock, *past], [*clock, *past]


def encoded(table: pl.DataFrame, spec: Spec, features: tuple[str, ...]) -> Matrix:
    """The model's matrix for both periods (the leakage tests read it)."""
    table, columns, numeric = model_features(table, spec, features)
    return encode(table.filter(pl.col(TRAIN)), table.filter(~pl.col(TRAIN)), columns, numeric=numeric)


def evaluate(frame: pl.DataFrame, spec: Spec, *, seed: int = SEED, threads: int = THREADS,
             progress: Callable[[str], None] = lambda _: None) -> Report:
    """Measure the model, a random ranking and the lookup baseline on ``frame``'s test period.
    Raises ``EvaluateError`` when the table or the spec cannot be evaluated."""
    table, features = prepare(frame, spec)
    train, test = table.filter(pl.col(TRAIN)), table.filter(~pl.col(TRAIN))
    y_train, y_test = train[LABEL].to_numpy(), test[LABEL].to_numpy()
    progress(f"train {train.height:,} rows ({int(y_train.sum()):,} positive), "
             f"test {test.height:,} rows ({int(y_test.sum()):,} positive)")
    matrix = encoded(table, spec, features)
    progress(f"training LightGBM on {len(matrix.names)} features")
    model = fit_predict(matrix, y_train, seed=seed, threads=threads)
    lookup = lookup_scores(train, test, features, spec.ids, LABEL)
    rankings = {
        "model": at_shares(model, y_test, SHARES),
        "random": at_shares(np.zeros(test.height), y_test, SHARES),
        "lookup": at_shares(lookup, y_test, SHARES),
    }
    return Report(train.height, test.height, int(y_train.sum()), int(y_test.sum()), matrix.names, rankings)
