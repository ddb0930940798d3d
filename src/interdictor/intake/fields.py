"""The manifest row contract and its vectorised validation.

Rows arrive as a table of strings (one row per item, shipment fields repeated)
with a ``line`` column.  ``validate_rows`` checks every field at once — types,
units, codes, lengths, conflicts between rows of one shipment — and returns the
cleaned rows plus one ``Reject`` per problem.  A bad *field* is emptied and the
row goes on; a row missing what identifies it (shipment id, item description)
is rejected whole.  Nothing is dropped without a reject naming line and field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Final

import polars as pl

from interdictor.intake import rules
from interdictor.intake.rules import ITEM_FIELDS, MONEY_UNITS, SHIPMENT_FIELDS, WEIGHT_UNITS
from interdictor.model import Batch, Reject
from interdictor.reference import countries
from interdictor.reference.countries import WHITESPACE

REQUIRED: Final = ("shipment_id", "item_description")
KNOWN: Final = ("shipment_id", *SHIPMENT_FIELDS, *ITEM_FIELDS)
DATE_FORMATS: Final = rules.DATE_FORMATS


@cache
def currency_codes() -> frozenset[str]:
    return rules.currency_codes()


@dataclass(frozen=True)
class Checked:
    """Result of checking one column: the clean value and a per-row problem (null = fine)."""

    value: pl.Expr
    problem: pl.Expr


def show(c: pl.Expr) -> pl.Expr:
    """A value quoted back in a reason, as ``validate.show`` quotes it: space folded, cut to 40."""
    flat = c.str.strip_chars(WHITESPACE).str.replace_all(rules.SPACE + "+", " ")
    cut = rules.SHOW_CHARS
    return pl.when(flat.str.len_chars() > cut).then(pl.concat_str(flat.str.head(cut - 1), pl.lit("…"))).otherwise(flat)


def say(key: str, c: pl.Expr, **values: pl.Expr | str | float) -> pl.Expr:
    """The reason ``rules.SAY[key]`` for each row; ``{raw}`` is the row's value (``show``)."""
    dyn: dict[str, pl.Expr | str | float] = {"raw": show(c), **values}
    parts: list[pl.Expr] = []
    for i, piece in enumerate(re.split(r"\{([a-z]+)\}", rules.SAY[key])):
        if i % 2 == 0:
            if piece:
                parts.append(pl.lit(piece))
        else:
            v = dyn[piece]
            parts.append(v.cast(pl.String) if isinstance(v, pl.Expr) else pl.lit(str(v)))
    return pl.concat_str(parts)


def number_parts(c: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(number, unit) read from text like '1,234.5 kg', '$12', '12,5' (``validate.number_parts``)."""
    num = c.str.extract(rules.NUMBER_THEN_UNIT, 1)
    unit = c.str.extract(rules.NUMBER_THEN_UNIT, 2).str.strip_chars(WHITESPACE)
    before = c.str.extract(rules.UNIT_THEN_NUMBER, 1)
    unit = pl.when(num.is_null()).then(before).otherwise(unit).str.to_lowercase()
    num = pl.when(num.is_null()).then(c.str.extract(rules.UNIT_THEN_NUMBER, 2)).otherwise(num)
    thousands = num.str.contains(rules.THOUSANDS)
    num = pl.when(thousands).then(num.str.replace_all(",", "", literal=True)).otherwise(
        num.str.replace(",", ".", literal=True))
    return num.cast(pl.Float64, strict=False), unit


def _check_number(c: pl.Expr, rule: rules.NumberRule) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    num, unit = number_parts(c)
    static = {"what": rule.what, "low": rules.bound_text(rule.low), "high": rules.bound_text(rule.high)}
    if rule.units == "weight":
        factor = unit.replace_strict(dict(WEIGHT_UNITS), default=None, return_dtype=pl.Float64)
        known = factor.is_not_null()
        value = num * factor
        unit_say = say("weight_unit", c, unit=unit, **static)
    elif rule.units == "money":
        known = unit.is_in(list(MONEY_UNITS)) | unit.str.to_uppercase().is_in(list(currency_codes()))
        value = num
        unit_say = say("money_unit", c, unit=unit, **static)
    else:
        known = unit == ""
        value = num
        unit_say = say("whole" if rule.integral else "plain", c, **static)
    low_bad = (value <= rule.low) if rule.low_open else (value < rule.low)
    integral = (value.round(0) == value) if rule.integral else pl.lit(True)
    bad = num.is_null() | ~known | (num < 0) | low_bad | ~integral | (value > rule.high)
    msg = (
        pl.when(num.is_null()).then(say("number", c, **static))
        .when(~known).then(unit_say)
        .when(num < 0).then(say("negative", c, **static))
        .when(~integral).then(say("whole", c, **static))
        .when(low_bad).then(say("not_positive" if rule.low == 0 else "below", c, **static))
        .otherwise(say("beyond", c, **static))
    )
    return value, bad, msg


def _check_code(c: pl.Expr, rule: rules.CodeRule) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    if rule.table == "country":
        value = countries.column(c)
        return value, value.is_null(), say("country", c)
    if rule.table:
        value = countries.fold_column(c).replace_strict(dict(rules.code_table(rule.table)), default=None,
                                                       return_dtype=pl.String)
        return value, value.is_null(), say(rule.table, c)
    up = c.str.to_uppercase()
    if rule.remove:
        up = up.str.replace_all(rule.remove, "")
    if rule.join:
        up = up.str.replace_all(rule.join, "-").str.strip_chars("-")
    fits = up.str.contains(rule.pattern)
    banned = pl.any_horizontal([up.str.starts_with(p) for p in rule.not_prefixes]) if rule.not_prefixes else pl.lit(False)
    value = pl.when(fits & ~banned).then(up)
    if rule.shape:
        msg = _say_shape(rule, c)
    else:  # HS codes say which part is wrong
        msg = (
            pl.when(~up.str.contains("^[0-9]+$")).then(say("hs_digits", c))
            .when(~fits).then(say("hs_length", c, n=up.str.len_chars()))
            .otherwise(say("hs_chapter", c, chapter=up.str.head(2)))
        )
    return value, value.is_null(), msg


def _say_shape(rule: rules.CodeRule, c: pl.Expr) -> pl.Expr:
    head, _, tail = rule.shape.partition("{raw}")
    return pl.concat_str(pl.lit(head), show(c), pl.lit(tail))


def _check_date(c: pl.Expr, rule: rules.DateRule) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    s = c.str.replace(r"Z$", "+00:00")
    parsed = pl.coalesce([s.str.to_datetime(f, strict=False, time_unit="us", time_zone="UTC") for f in rule.formats])
    leap = c.str.contains(rule.leap_second)
    out = ~parsed.is_between(pl.lit(rule.earliest), pl.lit(rule.latest))
    bad = parsed.is_null() | leap | out
    msg = (
        pl.when(parsed.is_null()).then(say("date", c))
        .when(leap).then(say("leap_second", c))
        .otherwise(say("date_range", c))
    )
    return pl.when(~bad).then(parsed), bad, msg


def check(col: str, kind: str, max_chars: int) -> Checked:
    """The rule of ``kind`` (``rules.RULES``) applied to column ``col`` (stripped, empty = null)."""
    c = pl.col(col)
    present = c.is_not_null()
    too_long = present & (c.str.len_chars() > max_chars)
    long_msg = pl.format("field is {} characters long (limit {})", c.str.len_chars(), pl.lit(max_chars))

    value: pl.Expr
    bad: pl.Expr
    msg: pl.Expr
    rule = rules.RULES.get(kind)
    if kind in ("text", "id"):
        value, bad, msg = c, pl.lit(False), pl.lit(None, pl.String)
    elif isinstance(rule, rules.NumberRule):
        value, bad, msg = _check_number(c, rule)
    elif isinstance(rule, rules.CodeRule):
        value, bad, msg = _check_code(c, rule)
    elif isinstance(rule, rules.DateRule):
        value, bad, msg = _check_date(c, rule)
    else:  # pragma: no cover - a programming error in the field table
        raise ValueError(f"unknown field kind {kind!r}")

    bad = present & ~too_long & bad.fill_null(True)
    problem = pl.when(too_long).then(long_msg).when(bad).then(msg).otherwise(None)
    value = pl.when(too_long | bad).then(None).otherwise(value)
    return Checked(value=value, problem=problem)


def _fast(col: str, kind: str) -> pl.Expr:
    """A cheap parse that handles well-formed values; null means 'look closer' (see ``check``).

    Whatever it accepts, ``check`` accepts with the same value."""
    c = pl.col(col)
    rule = rules.RULES.get(kind)
    if kind in ("text", "id"):
        return c
    if isinstance(rule, rules.NumberRule):
        v = c.cast(pl.Int64 if rule.integral else pl.Float64, strict=False)
        low = (v > rule.low) if rule.low_open else (v >= rule.low)
        return pl.when(low & (v <= rule.high)).then(v)
    if isinstance(rule, rules.DateRule):
        v = c.str.to_datetime("%Y-%m-%dT%H:%M:%S%#z", strict=False, time_unit="us", time_zone="UTC")
        # a leap second ':60' is read as the next second: let the full check refuse it
        return pl.when(v.is_between(pl.lit(rule.earliest), pl.lit(rule.latest))
                       & ~c.str.contains(":60", literal=True)).then(v)
    if kind == "hs":
        digits = c.str.replace_all(".", "", literal=True)
        return pl.when(digits.str.contains(r"^[0-9]{4,10}$") & ~digits.str.starts_with("00")
                       & ~digits.str.starts_with("77")).then(digits)
    if kind == "point":
        return pl.when(c.str.contains(rules.POINT)).then(c)
    if kind == "routing":
        return pl.when(c.str.contains(rules.ROUTE)).then(c)
    if kind == "currency":
        return pl.when(c.is_in(list(currency_codes()))).then(c)
    return check(col, kind, 1 << 30).value


@cache
def _fast_exprs(kinds: tuple[tuple[str, str], ...]) -> list[pl.Expr]:
    """The fast-parse expressions, built once per field table."""
    return [_fast(c, k).cast(_out_dtype(k), strict=False).alias(f"_v_{c}") for c, k in kinds]


@cache
def _needs_expr(kinds: tuple[tuple[str, str], ...], long: tuple[str, ...], max_chars: int) -> pl.Expr:
    """'Needs a closer look': a value the fast parse could not read, or one of the ``long`` columns
    (those that might hold a field over the limit) over the limit."""
    parsed = [pl.col(c).is_not_null() & pl.col(f"_v_{c}").is_null() for c, k in kinds if k not in ("text", "id")]
    too_long = [(pl.col(c).str.len_chars() > max_chars).fill_null(False) for c in long]  # an empty field is not long
    return pl.any_horizontal([*parsed, *too_long, pl.lit(False)]).alias("_slow")


def _narrowed(df: pl.DataFrame, kinds: tuple[tuple[str, str], ...], values: list[pl.Expr]) -> list[pl.Expr]:
    """Code-like columns (countries, modes, currencies, HS codes, CAS numbers, ports, routings) read
    by their distinct values.

    A day of traffic writes a few hundred distinct values of each in millions of rows: each distinct
    value is read once — by the same expression (or, for countries, the same ``countries.fold`` the
    message path uses) — and the column is mapped through that small table. A column with too many
    distinct values for that to pay keeps its row-by-row expression."""
    out = list(values)
    table = countries.table()
    for i, (c, k) in enumerate(kinds):
        if k in _ROW_BY_ROW or df.schema.get(c) != pl.String:
            continue
        distinct = df.get_column(c).drop_nulls().unique()
        if distinct.len() * 8 > df.height:
            continue
        dtype = _out_dtype(k)
        if k == "country":
            hit = {v: code for v in distinct.to_list() if (code := table.get(countries.fold(v))) is not None}
            keys, got = pl.Series(list(hit), dtype=pl.String), pl.Series(list(hit.values()), dtype=pl.String)
        else:
            read = pl.DataFrame({c: distinct}).select(pl.col(c), values[i].alias("_v")).drop_nulls("_v")
            keys, got = read.get_column(c), read.get_column("_v")
        out[i] = pl.col(c).replace_strict(keys, got, default=None, return_dtype=dtype).alias(f"_v_{c}")
    return out


_ROW_BY_ROW: Final = frozenset({"text", "id", "datetime", "weight", "money", "quantity", "count"})


@cache
def _slow_exprs(kinds: tuple[tuple[str, str], ...], max_chars: int) -> tuple[list[pl.Expr], list[pl.Expr]]:
    checks = {c: check(c, k, max_chars) for c, k in kinds}
    money_unit = number_parts(pl.col("declared_value"))[1].replace_strict(
        {k: v for k, v in MONEY_UNITS.items() if v}, default=None, return_dtype=pl.String
    )
    problems = [*(chk.problem.alias(f"_p_{c}") for c, chk in checks.items()), money_unit.alias("_money_unit")]
    values = [chk.value.cast(_out_dtype(k), strict=False).alias(c) for (c, k), chk in zip(kinds, checks.values(), strict=True)]
    return problems, values


@cache
def _no_problems(kinds: tuple[tuple[str, str], ...]) -> list[pl.Expr]:
    return [*(pl.lit(None, pl.String).alias(f"_p_{c}") for c, _k in kinds), pl.lit(None, pl.String).alias("_money_unit")]


def _check_columns(df: pl.DataFrame, kinds: dict[str, str], max_chars: int) -> tuple[pl.DataFrame, bool]:
    """(typed values, whether any row took the full check).  Well-formed rows take the fast parse;
    only rows where some field needs a closer look go through the full check, and only then are
    there ``_p_<col>`` problem columns."""
    table = tuple(kinds.items())
    # a column whose string data is shorter than the limit cannot hold a field over it (a small batch's
    # columns never can): only the others are measured field by field
    long = tuple(c for c in kinds if df.schema[c] == pl.String and df.get_column(c).estimated_size() > max_chars)
    fast = df.with_columns(*_narrowed(df, table, _fast_exprs(table))).with_columns(_needs_expr(table, long, max_chars))
    typed = _typed(tuple(df.columns), table)
    if not fast.get_column("_slow").any():  # the usual case: every row read the fast way, nothing to report
        return fast.select(*typed, pl.lit(None, pl.String).alias("_money_unit")), False
    slow_rows = fast.filter(pl.col("_slow")).drop([f"_v_{c}" for c in kinds], "_slow")
    good = fast.filter(~pl.col("_slow")).select(typed).with_columns(_no_problems(table))
    problems, checked = _slow_exprs(table, max_chars)
    slow = slow_rows.with_columns(*problems).with_columns(*checked)
    return pl.concat([good, slow.select(good.columns)], how="vertical_relaxed").sort("line"), True


@lru_cache(maxsize=64)
def _typed(columns: tuple[str, ...], kinds: tuple[tuple[str, str], ...]) -> list[pl.Expr]:
    """The fast parse's typed values under their own names, after the columns that are not checked."""
    checked = {c for c, _k in kinds}
    return [*(pl.col(c) for c in columns if c not in checked), *(pl.col(f"_v_{c}").alias(c) for c, _k in kinds)]


def _out_dtype(kind: str) -> pl.DataType:
    if kind in ("weight", "money", "quantity"):
        return pl.Float64()
    if kind == "count":
        return pl.Int64()
    if kind == "datetime":
        return pl.Datetime("us", "UTC")
    return pl.String()


@lru_cache(maxsize=64)
def _clean_exprs(columns: tuple[str, ...]) -> tuple[list[pl.Expr], pl.Expr]:
    """(values stripped, empty to null, absent known columns added; the row's problem) for a header.

    Built once per header: a few hundred expressions cost more to build than to run on a few rows."""
    # polars' default strip is Unicode White_Space, the set WHITESPACE names, and cheaper than the named set
    clean = [pl.col(c).str.strip_chars().replace("", None) for c in columns if c != "line"]
    clean += [pl.lit(None, pl.String).alias(c) for c in KNOWN if c not in columns]
    # rows missing what identifies them are rejected whole
    missing = pl.concat_str(
        [pl.when(pl.col(r).is_null()).then(pl.lit(r)) for r in REQUIRED], separator=", ", ignore_nulls=True
    )
    sid_long = pl.col("shipment_id").str.len_chars() > 128
    row_problem = (
        pl.when(missing != "").then(pl.format("missing required field(s): {}", missing))
        .when(sid_long).then(pl.lit("shipment_id is longer than 128 characters"))
    )
    return clean, row_problem.alias("_row_problem")


@cache
def _bad_count(problem_cols: tuple[str, ...]) -> pl.Expr:
    return pl.sum_horizontal([pl.col(c).is_not_null().cast(pl.Int32) for c in problem_cols]).alias("_rejected_fields")


def validate_rows(
    rows: pl.DataFrame, source: str, max_field_chars: int
) -> tuple[pl.DataFrame, list[Reject]]:
    """Clean a table of string rows (with ``line``); return good rows + rejects.

    The returned table has every column of ``KNOWN`` with its typed value, plus
    ``line``, ``_money_unit`` (currency implied by a '$' etc.), ``_rejected_fields``
    (count of fields emptied on the row) and any unknown columns (kept as strings).
    Conflicts between rows of one shipment are checked by ``resolve_conflicts``
    once all of a shipment's rows are together.
    """
    rejects: list[Reject] = []
    clean, row_problem = _clean_exprs(tuple(rows.columns))
    df = rows.with_columns(clean).with_columns(row_problem)
    bad_rows = df.filter(pl.col("_row_problem").is_not_null())
    for r in bad_rows.select("line", "_row_problem", "shipment_id").iter_rows():
        rejects.append(Reject(source, r[0], None, r[1], shipment_id=r[2] if r[2] and len(r[2]) <= 128 else None))
    df = df.filter(pl.col("_row_problem").is_null()).drop("_row_problem")

    kinds = {**SHIPMENT_FIELDS, **ITEM_FIELDS}
    df, checked = _check_columns(df, kinds, max_field_chars)
    if checked:
        df = _field_rejects(df, rows, kinds, source, rejects)
    else:
        df = df.with_columns(pl.lit(0, pl.Int32).alias("_rejected_fields"))

    # unknown columns stay as attributes but must not be absurd either
    extra_cols = [c for c in df.columns if c not in KNOWN and not c.startswith("_") and c != "line"]
    for c in extra_cols:
        too_long = df.filter(pl.col(c).str.len_chars() > max_field_chars)
        for line, sid in too_long.select("line", "shipment_id").iter_rows():
            rejects.append(Reject(source, line, c, f"field is longer than {max_field_chars} characters",
                                  shipment_id=sid, kind="field"))
        if too_long.height:
            df = df.with_columns(pl.when(pl.col(c).str.len_chars() > max_field_chars).then(None)
                                 .otherwise(pl.col(c)).alias(c))
    return df, rejects


def _field_rejects(df: pl.DataFrame, rows: pl.DataFrame, kinds: dict[str, str], source: str,
                   rejects: list[Reject]) -> pl.DataFrame:
    """Rejects for the fields the full check emptied (with their raw text); ``_rejected_fields`` per row."""
    problem_cols = [f"_p_{c}" for c in kinds]
    problems = df.select(
        "line", "shipment_id", *(pl.col(f"_p_{c}").alias(c) for c in kinds)
    ).unpivot(index=["line", "shipment_id"], variable_name="field", value_name="reason").drop_nulls("reason")
    if problems.height:
        raw_vals = rows.select("line", *[c for c in kinds if c in rows.columns])
        long = raw_vals.unpivot(index="line", variable_name="field", value_name="raw")
        problems = problems.join(long, on=["line", "field"], how="left")
        for pr in problems.sort("line").iter_rows(named=True):
            raw = pr.get("raw")
            rejects.append(
                Reject(source, pr["line"], pr["field"], pr["reason"], shipment_id=pr["shipment_id"],
                       raw=raw[:200] if isinstance(raw, str) else None, kind="field")
            )
    return df.with_columns(_bad_count(tuple(problem_cols))).drop(problem_cols)


SHIPMENT_LEVEL: Final = (*SHIPMENT_FIELDS, "_money_unit")


def varied_shipments(df: pl.DataFrame) -> pl.DataFrame:
    """Shipment ids whose rows do not all carry identical shipment-level values (the rare case).

    Rows of a shipment usually follow each other: compare each row with the one
    before it.  When a shipment's rows are scattered, fall back to hashing them.
    """
    cols = [c for c in SHIPMENT_LEVEL if c in df.columns]
    ids = df.get_column("shipment_id")
    if ids.n_unique() == df.height:  # one row per shipment (or none): nothing to disagree
        return ids.clear().to_frame()
    sid = pl.col("shipment_id")
    runs, ids = df.select((sid != sid.shift(1)).fill_null(True).sum().alias("runs"), sid.n_unique().alias("ids")).row(0)
    if runs == ids:
        same = sid == sid.shift(1)
        differs = pl.any_horizontal([pl.col(c).ne_missing(pl.col(c).shift(1)) for c in cols])
        return df.filter((same & differs).fill_null(False)).select("shipment_id").unique()
    h = df.select("shipment_id", pl.struct(cols).hash().alias("_h"))
    return h.group_by("shipment_id").agg(pl.col("_h").n_unique().alias("_n")).filter(pl.col("_n") > 1).select("shipment_id")


def resolve_conflicts(df: pl.DataFrame, source: str, varied: pl.DataFrame | None = None) -> tuple[pl.DataFrame, list[Reject]]:
    """Shipment-level fields must agree across the rows of one shipment.

    The first non-empty value (by line) wins; a row that says otherwise has that
    field rejected with the line it disagrees with.
    """
    if df.is_empty():
        return df, []
    cols = list(SHIPMENT_FIELDS)
    df = df.sort("line")
    if varied is None:
        varied = varied_shipments(df)
    if varied.is_empty():
        return df, []
    first = df.join(varied, on="shipment_id", how="semi").group_by("shipment_id", maintain_order=True).agg(
        *(pl.col(c).drop_nulls().first().alias(f"_f_{c}") for c in cols),
        *(pl.col("line").filter(pl.col(c).is_not_null()).first().alias(f"_fl_{c}") for c in cols),
        pl.len().alias("_rows"),
    )
    multi = first.filter(pl.col("_rows") > 1)
    if multi.is_empty():
        return df, []
    joined = df.join(multi, on="shipment_id", how="inner")
    conflict_exprs = [
        pl.when(pl.col(c).is_not_null() & (pl.col(c) != pl.col(f"_f_{c}")))
        .then(pl.format("conflicts with '{}' on line {} of the same shipment; first value kept",
                        pl.col(f"_f_{c}").cast(pl.String), pl.col(f"_fl_{c}")))
        .alias(c)
        for c in cols
    ]
    conflicts = (
        joined.select("line", "shipment_id", *conflict_exprs)
        .unpivot(index=["line", "shipment_id"], variable_name="field", value_name="reason")
        .drop_nulls("reason")
    )
    rejects = [
        Reject(source, line, field, reason, shipment_id=sid, kind="field")
        for line, sid, field, reason in conflicts.sort("line").iter_rows()
    ]
    if conflicts.height:
        bad = conflicts.group_by("line").agg(pl.col("field"), pl.len().alias("_n"))
        df = df.join(bad, on="line", how="left").with_columns(
            *(pl.when(pl.col("field").list.contains(c).fill_null(False)).then(None).otherwise(pl.col(c)).alias(c)
              for c in cols),
            (pl.col("_rejected_fields") + pl.col("_n").fill_null(0)).alias("_rejected_fields"),
        ).drop("field", "_n")
    return df, rejects


def rows_to_batch(df: pl.DataFrame, varied: pl.DataFrame | None = None) -> Batch:
    """Validated rows (all rows of each shipment present) -> canonical batch."""
    if df.is_empty():
        return Batch.empty()
    extra_cols = [c for c in df.columns if c not in KNOWN and not c.startswith("_") and c != "line"]
    ship_cols = [c for c in SHIPMENT_FIELDS if not c.startswith(("shipper_", "consignee_"))]
    party_cols = [c for c in SHIPMENT_FIELDS if c.startswith(("shipper_", "consignee_"))]
    cols = [*ship_cols, *party_cols, "_money_unit"]
    # most shipments repeat identical values on every row: their first row is the shipment
    if varied is None:
        varied = varied_shipments(df)
    firsts = df.unique("shipment_id", keep="first", maintain_order=True)
    per = firsts.select("shipment_id", "line", *cols,
                        *([pl.struct(extra_cols).struct.json_encode().alias("extra")] if extra_cols else []))
    if varied.height:
        aggs = [pl.col("line").min(), *(pl.col(c).drop_nulls().first() for c in cols)]
        if extra_cols:
            aggs.append(pl.struct(extra_cols).first().struct.json_encode().alias("extra"))
        merged = df.join(varied, on="shipment_id", how="semi").group_by("shipment_id", maintain_order=True).agg(aggs)
        per = per.update(merged.select(per.columns), on="shipment_id", include_nulls=True)
    shipments = per.with_columns(
        pl.coalesce("currency", "_money_unit").alias("currency"),
        *([] if extra_cols else [pl.lit(None, pl.String).alias("extra")]),
    )
    items = df.select(
        "shipment_id",
        pl.int_range(pl.len()).over("shipment_id").cast(pl.Int32).alias("item"),
        "line",
        pl.col("item_description").alias("description"),
        "hs_code",
        pl.col("item_quantity").alias("quantity"),
        pl.col("item_weight_kg").alias("weight_kg"),
        pl.col("item_value").alias("value"),
        pl.col("origin_country"),
        "cas_number",
    )
    frames = []
    for role in ("shipper", "consignee"):
        cols = [c for c in party_cols if c.startswith(role + "_")]
        sel = per.select("shipment_id", *(pl.col(c).alias(c[len(role) + 1 :]) for c in cols))
        present = pl.any_horizontal([pl.col(c[len(role) + 1 :]).is_not_null() for c in cols])
        frames.append(sel.filter(present).with_columns(pl.lit(role).alias("party")))
    parties = pl.concat(frames, how="diagonal_relaxed")
    return Batch.build(shipments, items, parties)
