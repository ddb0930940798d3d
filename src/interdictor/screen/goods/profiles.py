"""Declared versus physical: value per kg, kg per declared unit, kg per piece, per HS heading.

Profiles are robust statistics (median and scaled MAD of log10 values) learned from the lines already
in the store; a heading with too few lines falls back to the built-in priors of its heading or
chapter.  A line is flagged only far outside its profile — the 175 lb box of "keyboards", a fine
chemical at a token value — and only in the direction that hides goods.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources

import polars as pl
import yaml

from interdictor.model import empty
from interdictor.reference.kb import SAFE_LOADER, KnowledgeBaseError
from interdictor.reference.kb.schema import PriorDoc, PriorsDoc
from interdictor.screen.goods.memo import Memo
from interdictor.typed_config import parse_as

METRICS = ("usd_per_kg", "kg_per_unit", "kg_per_piece")
PROFILE_SCHEMA = pl.Schema(
    {"key": pl.String, "metric": pl.String, "median": pl.Float64, "spread": pl.Float64, "n": pl.Int64,
     "source": pl.String}
)
MIN_SPREAD = 0.25  # log10: nothing is priced or weighed tighter than about ±80 %
MIN_FACTOR = 0.7  # log10: never flag less than a factor of five off
Z = 3.0
# which way hides goods: value too low, weight too high
DIRECTION = {"usd_per_kg": -1, "kg_per_unit": 1, "kg_per_piece": 1}
LINE_SCHEMA = pl.Schema(
    {"hs_code": pl.String, "weight_kg": pl.Float64, "value": pl.Float64, "quantity": pl.Float64,
     "kg_per_piece": pl.Float64}
)


@dataclass(frozen=True)
class Profiles:
    table: pl.DataFrame  # PROFILE_SCHEMA
    default: dict[str, tuple[float, float]]
    # heading → (metric → (key, median, spread, source)), filled as headings are met (the same ~1,000
    # codes come back every batch; the profiles never change)
    _found: Memo[str | None, dict[str, tuple[str, float, float, str]]] = field(
        default_factory=Memo, repr=False, compare=False
    )


def load_priors() -> Profiles:
    """The shipped priors (``profiles.yaml``, checked against ``PriorsDoc``: a misspelt metric is an error)."""
    raw = yaml.load(
        resources.files("interdictor.reference.kb").joinpath("profiles.yaml").read_bytes(), Loader=SAFE_LOADER
    )
    doc = parse_as(PriorsDoc, raw, "profiles.yaml", KnowledgeBaseError)
    rows = [
        {"key": key, "metric": m, "median": v[0], "spread": v[1], "n": 0, "source": "prior"}
        for key, prior in doc.profiles.items()
        for m, v in _metrics(prior)
    ]
    return Profiles(pl.DataFrame(rows, schema=PROFILE_SCHEMA), dict(_metrics(doc.default)))


def _metrics(prior: PriorDoc) -> list[tuple[str, tuple[float, float]]]:
    return [(m, v) for m in METRICS if (v := getattr(prior, m)) is not None]


def line_metrics(lines: pl.DataFrame) -> pl.DataFrame:
    """Add log10 metrics (null where a number is missing or not positive)."""
    def lg(num: pl.Expr, den: pl.Expr) -> pl.Expr:
        return pl.when((num > 0) & (den > 0)).then((num / den).log10()).otherwise(None)

    lines = lines.with_columns(
        [pl.col(c).cast(pl.Float64, strict=False) for c in ("value", "weight_kg", "quantity", "kg_per_piece")]
    )
    return lines.with_columns(
        lg(pl.col("value"), pl.col("weight_kg")).alias("usd_per_kg"),
        lg(pl.col("weight_kg"), pl.col("quantity")).alias("kg_per_unit"),
        pl.when(pl.col("kg_per_piece") > 0).then(pl.col("kg_per_piece").log10()).otherwise(None).alias("kg_per_piece"),
    )


def learn(lines: pl.DataFrame, priors: Profiles, min_n: int = 30) -> Profiles:
    """Profiles learned from history lines (LINE_SCHEMA columns), over the priors."""
    if lines.is_empty():
        return priors
    m = line_metrics(lines).with_columns(
        pl.col("hs_code").str.replace_all(r"\D", "").alias("_d")
    )
    frames = []
    for width in (4, 6):
        keyed = m.filter(pl.col("_d").str.len_chars() >= width).with_columns(pl.col("_d").str.slice(0, width).alias("key"))
        long = keyed.unpivot(index="key", on=list(METRICS), variable_name="metric", value_name="x").drop_nulls("x")
        frames.append(
            long.group_by("key", "metric").agg(
                pl.col("x").median().alias("median"),
                (1.4826 * (pl.col("x") - pl.col("x").median()).abs().median()).alias("spread"),
                pl.len().cast(pl.Int64).alias("n"),
            ).filter(pl.col("n") >= min_n)
        )
    learned = pl.concat(frames).with_columns(
        pl.col("spread").clip(lower_bound=MIN_SPREAD), pl.lit("learned").alias("source")
    ).select(list(PROFILE_SCHEMA))
    keep = priors.table.join(learned.select("key", "metric"), on=["key", "metric"], how="anti")
    return Profiles(pl.concat([learned, keep]), priors.default)


CHECK_SCHEMA = pl.Schema(
    {"row": pl.Int64, "metric": pl.String, "x": pl.Float64, "median": pl.Float64, "spread": pl.Float64,
     "key": pl.String, "source": pl.String}
)


def _profile_of(headings: list[str | None], profiles: Profiles) -> pl.DataFrame:
    """``heading`` → the profile that applies to it, per metric (the most specific key wins).

    Worked out once per DISTINCT heading (a few thousand at most) and joined onto the lines.
    """
    def resolve(todo: list[str | None]) -> dict[str | None, dict[str, tuple[str, float, float, str]]]:
        table: dict[str, dict[str, tuple[float, float, str]]] = {m: {} for m in METRICS}
        for key, metric, med, spread, source in profiles.table.select(
            "key", "metric", "median", "spread", "source"
        ).iter_rows():
            table[metric][key] = (med, spread, source)
        out: dict[str | None, dict[str, tuple[str, float, float, str]]] = {}
        for h in todo:
            per: dict[str, tuple[str, float, float, str]] = {}
            for metric in METRICS:
                d_med, d_spr = profiles.default.get(metric, (0.0, 1.0))
                hit = next((h[:w] for w in (6, 4, 2) if h and h[:w] in table[metric]), None)
                med, spr, src = table[metric][hit] if hit is not None else (d_med, d_spr, "prior")
                per[metric] = (hit or "default", med, spr, src)
            out[h] = per
        return out

    found = profiles._found.lookup(headings, resolve)
    cols: dict[str, list[object]] = {"heading": list(headings)}
    schema: dict[str, pl.DataType] = {"heading": pl.String()}
    for metric in METRICS:
        per_heading = [found[h][metric] for h in headings]
        cols |= {f"{metric}:key": [f[0] for f in per_heading], f"{metric}:median": [f[1] for f in per_heading],
                 f"{metric}:spread": [f[2] for f in per_heading], f"{metric}:source": [f[3] for f in per_heading]}
        schema |= {f"{metric}:key": pl.String(), f"{metric}:median": pl.Float64(), f"{metric}:spread": pl.Float64(),
                   f"{metric}:source": pl.String()}
    return pl.DataFrame(cols, schema=schema)


def check(lines: pl.DataFrame, profiles: Profiles) -> pl.DataFrame:
    """``row, metric, x, median, spread, key, source`` for lines far outside their profile.

    ``lines``: ``row`` (caller's id), ``heading`` (digits of the declared or inferred code, may be
    null) and the LINE_SCHEMA numbers.  The most specific profile wins: 6 digits, 4, the chapter,
    then the default.
    """
    m = line_metrics(lines).select("row", "heading", *METRICS)
    # a line with no usable number can never be flagged
    m = m.filter(pl.any_horizontal(pl.col(c).is_not_null() for c in METRICS))
    if m.is_empty():
        return empty(CHECK_SCHEMA)
    lookup = _profile_of(m["heading"].unique().to_list(), profiles)
    # every line is compared with one threshold per metric (joined on three columns); only the few lines
    # beyond one get the rest of their profile
    limit = {metric: pl.max_horizontal(Z * pl.col(f"{metric}:spread").clip(lower_bound=MIN_SPREAD), pl.lit(MIN_FACTOR))
             for metric in METRICS}
    thresholds = lookup.select(
        "heading", *[(pl.col(f"{metric}:median") + DIRECTION[metric] * limit[metric]).alias(f"{metric}:t") for metric in METRICS]
    )
    beyond = [(pl.col(metric) - pl.col(f"{metric}:t")) * DIRECTION[metric] > 0 for metric in METRICS]
    out = (
        m.join(thresholds, on="heading", how="left", nulls_equal=True)
        .filter(pl.any_horizontal([b.fill_null(False) for b in beyond]))
        .select("row", "heading", *METRICS)
    )
    if out.is_empty():
        return empty(CHECK_SCHEMA)
    out = out.join(lookup, on="heading", how="left", nulls_equal=True)
    parts = []
    for metric in METRICS:
        x, med, spr = pl.col(metric), pl.col(f"{metric}:median"), pl.col(f"{metric}:spread")
        parts.append(
            out.filter(x.is_not_null() & ((x - med) * DIRECTION[metric] > limit[metric])).select(
                "row", pl.lit(metric).alias("metric"), x.alias("x"), med.alias("median"), spr.alias("spread"),
                pl.col(f"{metric}:key").alias("key"), pl.col(f"{metric}:source").alias("source"),
            )
        )
    return pl.concat(parts).cast(dict(CHECK_SCHEMA))  # type: ignore[arg-type]
