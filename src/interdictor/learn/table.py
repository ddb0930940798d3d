"""The labelled table ``evaluate`` works on: which columns are what, checked all at once.

A file's columns arrive as the user named them; ``prepare`` checks them and returns the table with
three columns of its own — the label as 0/1, the time as a naive UTC datetime, and whether the row
is in the training period — or raises ``EvaluateError`` naming every problem it found.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import UTC, datetime

import polars as pl

LABEL, TIME, TRAIN = "__interdictor_label", "__interdictor_time", "__interdictor_train"


class EvaluateError(ValueError):
    """The table or the options cannot be evaluated; the message names the fix."""


@dataclass(frozen=True)
class Spec:
    """What the user said about the table: the label and time columns, where the test period starts,
    the identifier columns (history features, lookup fallbacks) and the columns to leave out."""

    label: str
    time: str
    test_from: datetime
    ids: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()


def parse_test_from(text: str) -> datetime:
    """``--test-from``: an ISO date or date-time; one with an offset is taken in UTC."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise EvaluateError(f"--test-from {text!r} is not a date: give it as YYYY-MM-DD "
                            "(or YYYY-MM-DDTHH:MM)") from None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _missing(name: str, option: str, columns: list[str]) -> str:
    close = difflib.get_close_matches(name, columns, n=1)
    hint = f" — did you mean {close[0]!r}?" if close else f" (columns: {', '.join(columns[:12])}" + (
        ", …)" if len(columns) > 12 else ")")
    return f"{option} {name!r} is not a column of the file{hint}"


def _check_names(frame: pl.DataFrame, spec: Spec) -> list[str]:
    columns = frame.columns
    problems = []
    for option, name in (("--label", spec.label), ("--time", spec.time),
                         *(("--id", c) for c in spec.ids), *(("--drop", c) for c in spec.drop)):
        if name not in columns:
            problems.append(_missing(name, option, columns))
    if spec.label == spec.time:
        problems.append(f"--label and --time both name {spec.label!r}: the label and the time are two columns")
    for option, names in (("--id", spec.ids), ("--drop", spec.drop)):
        for name in names:
            if name in (spec.label, spec.time):
                problems.append(f"{option} {name!r} is the {'label' if name == spec.label else 'time'} column; "
                                f"leave it out of {option}")
    for name in sorted(set(spec.ids) & set(spec.drop)):
        problems.append(f"{name!r} is both an --id and a --drop column: an identifier is kept for its history")
    return problems


def _rows(mask: pl.Series, limit: int = 3) -> str:
    """The first data rows (1 = the first row after a header) where ``mask`` holds."""
    rows = (mask.arg_true() + 1).head(limit).to_list()
    return ", ".join(str(r) for r in rows) + (", …" if mask.sum() > limit else "")


def _label(series: pl.Series) -> tuple[pl.Series | None, str | None]:
    name = series.name
    if series.null_count():
        return None, (f"--label {name!r} is empty on {series.null_count():,} rows (rows {_rows(series.is_null())}); "
                      "every row needs a 0 or 1 (drop the unlabelled rows first)")
    if series.dtype == pl.Boolean:
        return series.cast(pl.Int8), None
    if series.dtype.is_numeric():
        bad = ~series.cast(pl.Float64).is_in([0.0, 1.0])
    elif series.dtype == pl.String:
        series = series.str.strip_chars()
        bad = ~series.is_in(["0", "1"])
    else:
        return None, f"--label {name!r} holds {series.dtype} values; it must be 0 or 1 on every row"
    if bad.any():
        values = ", ".join(repr(v) for v in series.filter(bad).unique(maintain_order=True).head(5).to_list())
        return None, (f"--label {name!r} must be 0 or 1 on every row; found {values} "
                      f"(rows {_rows(bad)}): map it to 0/1 first")
    return series.cast(pl.Float64).cast(pl.Int8), None


def _time(series: pl.Series) -> tuple[pl.Series | None, str | None]:
    name = series.name
    parsed: pl.Series
    if series.dtype == pl.Date:
        parsed = series.cast(pl.Datetime("us"))
    elif isinstance(series.dtype, pl.Datetime):
        parsed = series
    elif series.dtype == pl.String:
        text = series.str.strip_chars()
        try:
            parsed = text.str.to_datetime(strict=False, time_unit="us")
        except pl.exceptions.PolarsError:
            first = text.drop_nulls().head(1).to_list()
            return None, (f"--time {name!r} is not a date or time (first value {first[0]!r} if any): "
                          "give ISO dates such as 2024-03-31 or 2024-03-31T14:05" if first else
                          f"--time {name!r} is empty: every row needs a date or time")
        bad = parsed.is_null() & text.is_not_null()
        if bad.any():
            values = ", ".join(repr(v) for v in text.filter(bad).head(3).to_list())
            return None, (f"--time {name!r} has {bad.sum():,} values that are not dates in the file's format, "
                          f"e.g. {values} (rows {_rows(bad)}): write every time in one ISO format")
    else:
        return None, (f"--time {name!r} holds {series.dtype} values, not dates: "
                      "give ISO dates such as 2024-03-31 or 2024-03-31T14:05")
    if isinstance(parsed.dtype, pl.Datetime) and parsed.dtype.time_zone is not None:
        parsed = parsed.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    if parsed.null_count():
        return None, (f"--time {name!r} is empty on {parsed.null_count():,} rows (rows {_rows(parsed.is_null())}); "
                      "every row needs a date or time")
    return parsed.cast(pl.Datetime("us")), None


def _span(times: pl.Series) -> str:
    low, high = times.min(), times.max()
    assert isinstance(low, datetime) and isinstance(high, datetime)
    return f"{low:%Y-%m-%d} to {high:%Y-%m-%d}"


def prepare(frame: pl.DataFrame, spec: Spec) -> tuple[pl.DataFrame, tuple[str, ...]]:
    """The table with its label, time and period columns added, sorted by time (ties in file order),
    and its feature columns: every column but the label, the time and those dropped."""
    problems = _check_names(frame, spec)
    if not problems and frame.height == 0:
        problems = ["the file has a header but no rows"]
    if problems:
        raise EvaluateError("; ".join(problems))
    label, label_problem = _label(frame[spec.label])
    time, time_problem = _time(frame[spec.time])
    problems = [p for p in (label_problem, time_problem) if p]
    if problems:
        raise EvaluateError("; ".join(problems))
    assert label is not None and time is not None
    features = tuple(c for c in frame.columns if c not in {spec.label, spec.time, *spec.drop})
    if not features:
        raise EvaluateError("no feature columns are left once the label, time and --drop columns are set aside")
    table = frame.select(features).with_columns(
        label.alias(LABEL), time.alias(TIME), (time < spec.test_from).alias(TRAIN),
    ).sort(TIME, maintain_order=True)
    train = table[TRAIN]
    cut = f"{spec.test_from:%Y-%m-%d %H:%M}".removesuffix(" 00:00")
    if not train.any():
        raise EvaluateError(f"no rows before --test-from {cut} (the file runs from {_span(table[TIME])}): "
                            "choose a later --test-from so some rows train the model")
    if train.all():
        raise EvaluateError(f"no rows on or after --test-from {cut} (the file runs from {_span(table[TIME])}): "
                            "choose an earlier --test-from so some rows are left to test on")
    y = table[LABEL]
    if not (y.filter(train) == 1).any():
        raise EvaluateError(f"no positive labels before --test-from {cut}: nothing to learn from; "
                            "choose a later --test-from")
    if not (y.filter(~train) == 1).any():
        raise EvaluateError(f"no positive labels on or after --test-from {cut}: recall cannot be measured; "
                            "choose an earlier --test-from")
    return table, features

