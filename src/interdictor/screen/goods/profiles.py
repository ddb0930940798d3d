"""Declared versus physical: value per kg, kg per declared unit, kg per piece — per HS code and per
description family.

Profiles are robust statistics (median and scaled MAD of log10 values) learned from the store's own
traffic (``learn_from_histograms`` over the counts ``store.learned.line_histograms`` aggregates in SQL),
kept as versions; a code or family with too few lines falls back to the built-in priors of its heading
or chapter (a family: of the heading its goods belong under).  A line is judged twice, separately:
against what its *code* says (key ``8471``) and against what its *words* say (key ``fam:computer_peripherals``,
written ``fam:computer_peripherals|8471`` so that a family with no profile of its own falls back to its
heading's).  It is flagged only far outside a profile — the 60 kg carton of "keyboards", a fine chemical
at a token value — and only in the direction that hides goods.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from importlib import resources

import polars as pl
import yaml

from interdictor.model import empty
from interdictor.reference.kb import SAFE_LOADER, KnowledgeBaseError
from interdictor.reference.kb.schema import PriorDoc, PriorsDoc
from interdictor.screen.goods.memo import Memo
from interdictor.typed_config import parse_as

METRICS = ("usd_per_kg", "kg_per_unit", "kg_per_piece")
LEARNED_METRICS = (*METRICS, "pieces")  # pieces per shipment is learned and shown, never flagged on its own
FAMILY = "fam:"  # the key prefix of a description family's profile
BUCKETS_PER_DECADE = 20  # the histograms count log10 values in twentieths
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
    version: str = "prior"  # "learned-vN" once a stored set is used; recorded with every assessment
    # family → the chapters its goods are commonly declared under in the store's traffic (learned)
    usual_chapters: dict[str, frozenset[str]] = field(default_factory=dict)
    # heading → (metric → (key, median, spread, source, n)), filled as headings are met (the same ~1,000
    # codes come back every batch; the profiles never change)
    _found: Memo[str | None, dict[str, tuple[str, float, float, str, int]]] = field(
        default_factory=Memo, repr=False, compare=False
    )

    def families(self) -> list[str]:
        """The description families with a learned profile of their own."""
        keys = self.table.filter(pl.col("key").str.starts_with(FAMILY))["key"].unique()
        return keys.str.strip_prefix(FAMILY).sort().to_list()


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


def histograms(lines: pl.DataFrame) -> pl.DataFrame:
    """Lines (LINE_SCHEMA, with an optional ``description``) counted the way ``store.learned.line_histograms``
    counts them in SQL: ``hs_code, description, metric, bucket, n``."""
    m = line_metrics(lines)
    if "description" not in m.columns:
        m = m.with_columns(pl.lit(None, pl.String).alias("description"))
    long = m.unpivot(index=["hs_code", "description"], on=list(METRICS), variable_name="metric", value_name="x")
    return (
        long.drop_nulls("x")
        .with_columns((pl.col("x") * BUCKETS_PER_DECADE).round().cast(pl.Int64).alias("bucket"))
        .group_by("hs_code", "description", "metric", "bucket").agg(pl.len().cast(pl.Int64).alias("n"))
    )


def learn_from_histograms(hist: pl.DataFrame, families: pl.DataFrame | None = None, min_n: int = 30) -> pl.DataFrame:
    """Robust statistics per code prefix and per description family: ``kind, key, metric, median, spread, n``.

    ``hist``: ``hs_code, description, metric, bucket, n`` (bucket = round(log10 x × 20)); ``families``:
    ``description, family`` (the kind of goods the words name).  A key needs ``min_n`` lines.  The median
    and the median absolute deviation (× 1.4826, a standard deviation for normal data) are read off the
    counts, to a twentieth of a power of ten.
    """
    out_schema = {"kind": pl.String, "key": pl.String, "metric": pl.String, "median": pl.Float64,
                  "spread": pl.Float64, "n": pl.Int64}
    if hist.is_empty():
        return pl.DataFrame(schema=out_schema)
    h = hist.with_columns(pl.col("hs_code").fill_null("").str.replace_all(r"\D", "").alias("_d"))
    frames = [
        h.filter(pl.col("_d").str.len_chars() >= w).select(
            pl.lit("hs").alias("kind"), pl.col("_d").str.slice(0, w).alias("key"), "metric", "bucket", "n")
        for w in (2, 4, 6)
    ]
    if families is not None and families.height:
        fam = h.join(families.select("description", "family").unique("description"), on="description", how="inner")
        frames.append(fam.select(pl.lit("family").alias("kind"), pl.col("family").alias("key"), "metric", "bucket", "n"))
    g = ["kind", "key", "metric"]
    counts = pl.concat(frames).group_by(*g, "bucket").agg(pl.col("n").sum()).sort(*g, "bucket")
    totals = counts.group_by(g).agg(pl.col("n").sum().alias("total")).filter(pl.col("total") >= min_n)
    counts = counts.join(totals, on=g)
    med = _weighted_median(counts, "bucket").rename({"_m": "_med"})
    dev = counts.join(med, on=g).with_columns((pl.col("bucket") - pl.col("_med")).abs().alias("_dev")).sort(*g, "_dev")
    mad = _weighted_median(dev, "_dev").rename({"_m": "_mad"})
    return (
        med.join(mad, on=g).join(totals, on=g)
        .select(*g, (pl.col("_med") / BUCKETS_PER_DECADE).alias("median"),
                (1.4826 * pl.col("_mad") / BUCKETS_PER_DECADE).alias("spread"), pl.col("total").alias("n"))
        .cast(out_schema).sort(g)  # type: ignore[arg-type]
    )


def _weighted_median(counts: pl.DataFrame, col: str) -> pl.DataFrame:
    """``kind, key, metric, _m``: the first value of ``col`` (sorted within its group) at which half the
    counts are reached."""
    g = ["kind", "key", "metric"]
    return (
        counts.with_columns(pl.col("n").cum_sum().over(g).alias("_c"))
        .filter(pl.col("_c") * 2 >= pl.col("total"))
        .group_by(g).agg(pl.col(col).first().cast(pl.Float64).alias("_m"))
    )


USUAL_SHARE = 0.005  # a chapter carrying at least this share of a family's coded lines is usual for it
USUAL_MIN_N = 10  # ... and at least this many lines


def chapter_shares(hist: pl.DataFrame, families: pl.DataFrame | None) -> pl.DataFrame:
    """``kind`` "chapter", ``key`` "family|chapter", ``metric`` "share", ``median`` the chapter's share of the
    family's coded lines, ``n`` its lines (value-per-kg counts stand for the lines)."""
    out_schema = {"kind": pl.String, "key": pl.String, "metric": pl.String, "median": pl.Float64,
                  "spread": pl.Float64, "n": pl.Int64}
    if hist.is_empty() or families is None or families.is_empty():
        return pl.DataFrame(schema=out_schema)
    h = hist.filter(pl.col("metric") == "usd_per_kg").with_columns(
        pl.col("hs_code").fill_null("").str.replace_all(r"\D", "").str.slice(0, 2).alias("chapter")
    ).filter(pl.col("chapter").str.len_chars() == 2).join(families.unique("description"), on="description")
    per = h.group_by("family", "chapter").agg(pl.col("n").sum())
    return per.with_columns((pl.col("n") / pl.col("n").sum().over("family")).alias("median")).select(
        pl.lit("chapter").alias("kind"), pl.concat_str("family", pl.lit("|"), "chapter").alias("key"),
        pl.lit("share").alias("metric"), "median", pl.lit(0.0).alias("spread"), "n",
    ).cast(out_schema).sort("key")  # type: ignore[arg-type]


def from_learned(learned: pl.DataFrame, priors: Profiles, version: str = "learned") -> Profiles:
    """A learned set (``kind, key, metric, median, spread, n``) over the priors: a learned key replaces the
    prior of that key and metric; the rest of the priors stay."""
    if learned.is_empty():
        return replace(priors, version=version, _found=Memo())
    usual: dict[str, set[str]] = {}
    shares = learned.filter((pl.col("kind") == "chapter") & (pl.col("median") >= USUAL_SHARE)
                            & (pl.col("n") >= USUAL_MIN_N))
    for key in shares["key"].to_list():
        fam, _, ch = key.partition("|")
        usual.setdefault(fam, set()).add(ch)
    seen = {f: frozenset(c) for f, c in usual.items()}
    learned = learned.filter(pl.col("kind") != "chapter")
    if learned.is_empty():
        return replace(priors, version=version, usual_chapters=seen, _found=Memo())
    table = learned.filter(pl.col("metric").is_in(list(METRICS))).select(
        pl.when(pl.col("kind") == "family").then(pl.lit(FAMILY) + pl.col("key")).otherwise(pl.col("key")).alias("key"),
        "metric", "median", pl.col("spread").clip(lower_bound=MIN_SPREAD), pl.col("n").cast(pl.Int64),
        pl.lit("learned").alias("source"),
    )
    keep = priors.table.join(table.select("key", "metric"), on=["key", "metric"], how="anti")
    return Profiles(pl.concat([table, keep]), priors.default, version, seen)


def learn(lines: pl.DataFrame, priors: Profiles, min_n: int = 30, families: pl.DataFrame | None = None) -> Profiles:
    """Profiles learned from in-memory lines (LINE_SCHEMA) over the priors — the same statistics as a
    stored set."""
    if lines.is_empty():
        return priors
    hist = histograms(lines)
    return from_learned(pl.concat([learn_from_histograms(hist, families, min_n), chapter_shares(hist, families)]), priors)


CHECK_SCHEMA = pl.Schema(
    {"row": pl.Int64, "metric": pl.String, "x": pl.Float64, "median": pl.Float64, "spread": pl.Float64,
     "key": pl.String, "source": pl.String, "n": pl.Int64}
)


def _candidates(heading: str | None) -> list[str]:
    """The keys that may profile ``heading``, most specific first: ``fam:x|8471`` → the family, then
    8471's prefixes; ``847160`` → 847160, 8471, 84."""
    if not heading:
        return []
    fam, _, digits = heading.rpartition("|") if heading.startswith(FAMILY) else ("", "", heading)
    return ([fam] if fam else []) + [digits[:w] for w in (6, 4, 2) if len(digits) >= w]


def _profile_of(headings: list[str | None], profiles: Profiles) -> pl.DataFrame:
    """``heading`` → the profile that applies to it, per metric (the most specific key wins).

    Worked out once per DISTINCT heading (a few thousand at most) and joined onto the lines.
    """
    def resolve(todo: list[str | None]) -> dict[str | None, dict[str, tuple[str, float, float, str, int]]]:
        table: dict[str, dict[str, tuple[float, float, str, int]]] = {m: {} for m in METRICS}
        for key, metric, med, spread, source, n in profiles.table.select(
            "key", "metric", "median", "spread", "source", "n"
        ).iter_rows():
            table[metric][key] = (med, spread, source, n)
        out: dict[str | None, dict[str, tuple[str, float, float, str, int]]] = {}
        for h in todo:
            per: dict[str, tuple[str, float, float, str, int]] = {}
            keys = _candidates(h)
            for metric in METRICS:
                d_med, d_spr = profiles.default.get(metric, (0.0, 1.0))
                hit = next((k for k in keys if k in table[metric]), None)
                med, spr, src, n = table[metric][hit] if hit is not None else (d_med, d_spr, "prior", 0)
                per[metric] = (hit or "default", med, spr, src, n)
            out[h] = per
        return out

    found = profiles._found.lookup(headings, resolve)
    cols: dict[str, list[object]] = {"heading": list(headings)}
    schema: dict[str, pl.DataType] = {"heading": pl.String()}
    for metric in METRICS:
        per_heading = [found[h][metric] for h in headings]
        cols |= {f"{metric}:key": [f[0] for f in per_heading], f"{metric}:median": [f[1] for f in per_heading],
                 f"{metric}:spread": [f[2] for f in per_heading], f"{metric}:source": [f[3] for f in per_heading],
                 f"{metric}:n": [f[4] for f in per_heading]}
        schema |= {f"{metric}:key": pl.String(), f"{metric}:median": pl.Float64(), f"{metric}:spread": pl.Float64(),
                   f"{metric}:source": pl.String(), f"{metric}:n": pl.Int64()}
    return pl.DataFrame(cols, schema=schema)


def check(lines: pl.DataFrame, profiles: Profiles) -> pl.DataFrame:
    """``row, metric, x, median, spread, key, source, n`` for lines far outside their profile.

    ``lines``: ``row`` (caller's id), ``heading`` (digits of the declared or inferred code, or
    ``fam:family|digits`` for the words' family; may be null) and the LINE_SCHEMA numbers.  The most
    specific profile wins: the family, 6 digits, 4, the chapter, then the default.
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
                pl.col(f"{metric}:n").alias("n"),
            )
        )
    return pl.concat(parts).cast(dict(CHECK_SCHEMA))  # type: ignore[arg-type]
