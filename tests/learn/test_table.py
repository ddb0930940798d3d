"""``prepare``: a label of 0/1, a time, two non-empty periods — or one error naming every problem and the fix."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest

from interdictor.learn.table import LABEL, TIME, TRAIN, EvaluateError, Spec, parse_test_from, prepare

CUT = datetime(2024, 3, 1)


def table(**overrides: list[object]) -> pl.DataFrame:
    columns: dict[str, list[object]] = {
        "when": ["2024-01-05", "2024-02-01", "2024-02-01", "2024-03-01", "2024-03-09"],
        "seized": [1, 0, 0, 1, 0],
        "importer": ["a", "b", "a", "c", "a"],
        "ref": ["r1", "r2", "r3", "r4", "r5"],
        "value": [1.0, 2.0, 3.0, 4.0, 5.0],
    }
    return pl.DataFrame(columns | overrides, strict=False)


def spec(**overrides: object) -> Spec:
    base: dict[str, object] = {"label": "seized", "time": "when", "test_from": CUT, "ids": ("importer",),
                               "drop": ("ref",)}
    return Spec(**(base | overrides))  # type: ignore[arg-type]


def test_a_good_table() -> None:
    out, features = prepare(table(), spec())
    assert features == ("importer", "value")
    assert out[TRAIN].to_list() == [True, True, True, False, False]  # the cut day itself is tested
    assert out[LABEL].dtype == pl.Int8 and out[TIME].dtype == pl.Datetime("us")


@pytest.mark.parametrize("label", [
    [True, False, False, True, False], [1.0, 0.0, 0.0, 1.0, 0.0], ["1", "0", " 0", "1", "0"],
])
def test_labels_that_are_zero_or_one_in_any_type(label: list[object]) -> None:
    out, _ = prepare(table(seized=label), spec())
    assert out[LABEL].to_list() == [1, 0, 0, 1, 0]


@pytest.mark.parametrize(("when", "first"), [
    ([date(2024, 1, 5), date(2024, 2, 1), date(2024, 2, 1), date(2024, 3, 1), date(2024, 3, 9)],
     datetime(2024, 1, 5)),
    (["2024-01-05T10:00:00+05:00", "2024-02-01T00:00:00Z", "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z",
      "2024-03-09T00:00:00Z"], datetime(2024, 1, 5, 5, 0)),  # in UTC
])
def test_times_as_dates_or_with_offsets(when: list[object], first: datetime) -> None:
    out, _ = prepare(table(when=when), spec())
    assert out[TRAIN].sum() == 3
    assert out[TIME][0] == first


def test_rows_come_in_time_order_ties_in_file_order() -> None:
    frame = table(when=["2024-03-09", "2024-01-05", "2024-02-01", "2024-03-01", "2024-02-01"],
                  seized=[0, 1, 0, 1, 0])
    out, _ = prepare(frame, spec())
    assert out["value"].to_list() == [2.0, 3.0, 5.0, 4.0, 1.0]


@pytest.mark.parametrize(("frame", "options", "message"), [
    (table(), {"label": "seizd"}, "--label 'seizd' is not a column of the file — did you mean 'seized'?"),
    (table(), {"time": "date"}, "--time 'date' is not a column of the file"),
    (table(), {"ids": ("importer", "seller")}, "--id 'seller' is not a column"),
    (table(), {"drop": ("reff",)}, "--drop 'reff' is not a column"),
    (table(), {"ids": ("seized",)}, "--id 'seized' is the label column"),
    (table(), {"drop": ("importer",)}, "'importer' is both an --id and a --drop column"),
    (table(), {"time": "seized"}, "--label and --time both name 'seized'"),
    (table(seized=[1, 0, 2, 1, 0]), {}, "--label 'seized' must be 0 or 1 on every row; found 2 (rows 3)"),
    (table(seized=["yes", "no", "no", "yes", "no"]), {}, "found 'yes', 'no'"),
    (table(seized=[1, None, 0, 1, 0]), {}, "--label 'seized' is empty on 1 rows (rows 2)"),
    (table(when=["2024-01-05", "soon", "2024-02-01", "2024-03-01", "2024-03-09"]), {},
     "--time 'when' has 1 values that are not dates in the file's format, e.g. 'soon' (rows 2)"),
    (table(when=[1, 2, 3, 4, 5]), {}, "--time 'when' holds Int64 values, not dates"),
    (table(when=["2024-01-05", None, "2024-02-01", "2024-03-01", "2024-03-09"]), {}, "--time 'when' is empty on 1"),
    (table(), {"test_from": datetime(2023, 1, 1)}, "no rows before --test-from 2023-01-01 (the file runs from "
                                                     "2024-01-05 to 2024-03-09): choose a later --test-from"),
    (table(), {"test_from": datetime(2025, 1, 1)}, "no rows on or after --test-from 2025-01-01"),
    (table(seized=[0, 0, 0, 1, 0]), {}, "no positive labels before --test-from"),
    (table(seized=[1, 0, 0, 0, 0]), {}, "no positive labels on or after --test-from 2024-03-01: recall"),
    (table().select("when", "seized"), {"ids": (), "drop": ()}, "no feature columns are left"),
    (table().head(0), {}, "the file has a header but no rows"),
])
def test_bad_input_is_one_clear_error(frame: pl.DataFrame, options: dict[str, object], message: str) -> None:
    with pytest.raises(EvaluateError) as caught:
        prepare(frame, spec(**options))
    assert message in str(caught.value)


def test_every_naming_problem_at_once() -> None:
    with pytest.raises(EvaluateError) as caught:
        prepare(table(), spec(label="x", ids=("y",), drop=("z",)))
    assert all(f"{opt} '{name}'" in str(caught.value) for opt, name in (("--label", "x"), ("--id", "y"),
                                                                         ("--drop", "z")))


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-10-01", datetime(2024, 10, 1)),
    ("2024-10-01T06:30", datetime(2024, 10, 1, 6, 30)),
    ("2024-10-01T06:30+02:00", datetime(2024, 10, 1, 4, 30)),
])
def test_test_from(text: str, expected: datetime) -> None:
    assert parse_test_from(text) == expected


def test_test_from_that_is_no_date() -> None:
    with pytest.raises(EvaluateError, match="--test-from 'October' is not a date"):
        parse_test_from("October")
