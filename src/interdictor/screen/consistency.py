"""Consistency basics: do weight, pieces and declared value fit each other and the mode?

Norms are per mode (a postal piece over 30 kg is unusual; an express parcel of
80 kg declared at $5 is not a real sale).  The values are deliberately loose:
this detector finds the gross misfits — a token value on a heavy box, items that
do not add up — and leaves commodity-level profiles to the goods detector.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import polars as pl

from interdictor.model import REASON_SCHEMA, Batch, conform, empty
from interdictor.screen.context import Context


@dataclass(frozen=True)
class ModeNorm:
    max_kg_per_piece: float
    token_value_per_kg: float  # below this many USD per kg, a declared value is a token
    token_min_kg: float  # ... for shipments at least this heavy


DEFAULT_NORMS: Final = {
    "postal": ModeNorm(max_kg_per_piece=30.0, token_value_per_kg=1.0, token_min_kg=5.0),
    "express": ModeNorm(max_kg_per_piece=70.0, token_value_per_kg=1.0, token_min_kg=10.0),
    "air": ModeNorm(max_kg_per_piece=1500.0, token_value_per_kg=0.25, token_min_kg=50.0),
    "ocean": ModeNorm(max_kg_per_piece=30000.0, token_value_per_kg=0.05, token_min_kg=500.0),
    "truck": ModeNorm(max_kg_per_piece=30000.0, token_value_per_kg=0.05, token_min_kg=500.0),
}
UNKNOWN_MODE: Final = ModeNorm(max_kg_per_piece=70.0, token_value_per_kg=0.5, token_min_kg=20.0)
# rough USD per unit of the commonest currencies; only used to judge a "token" value
USD_PER: Final = {"USD": 1.0, "CNY": 0.14, "HKD": 0.13, "EUR": 1.08, "GBP": 1.27, "JPY": 0.0067, "KRW": 0.00073,
                  "MXN": 0.055, "CAD": 0.73, "TWD": 0.031, "VND": 0.00004, "INR": 0.012, "THB": 0.028, "MYR": 0.21}


@dataclass(frozen=True)
class ConsistencyPart:
    norms: dict[str, ModeNorm] = field(default_factory=lambda: dict(DEFAULT_NORMS))


def _norm_table(part: ConsistencyPart) -> pl.DataFrame:
    modes = list(part.norms)
    return pl.DataFrame({
        "mode": modes,
        "n_max_kpp": [part.norms[m].max_kg_per_piece for m in modes],
        "n_token_vpk": [part.norms[m].token_value_per_kg for m in modes],
        "n_token_kg": [part.norms[m].token_min_kg for m in modes],
    })


def detect(batch: Batch, ctx: Context) -> pl.DataFrame:
    part: ConsistencyPart | None = ctx.part("consistency")
    if part is None or batch.shipments.is_empty():
        return empty(REASON_SCHEMA)
    items = batch.items.group_by("shipment_id").agg(
        pl.col("weight_kg").sum().alias("items_kg"),
        pl.col("weight_kg").is_not_null().all().alias("all_w"),
        pl.col("value").sum().alias("items_value"),
        pl.col("value").is_not_null().all().alias("all_v"),
    )
    s = (
        batch.shipments.select("shipment_id", "mode", "pieces", "gross_weight_kg", "declared_value", "currency")
        .join(items, on="shipment_id", how="left")
        .join(_norm_table(part), on="mode", how="left")
        .with_columns(
            pl.col("n_max_kpp").fill_null(UNKNOWN_MODE.max_kg_per_piece),
            pl.col("n_token_vpk").fill_null(UNKNOWN_MODE.token_value_per_kg),
            pl.col("n_token_kg").fill_null(UNKNOWN_MODE.token_min_kg),
            pl.coalesce("gross_weight_kg", pl.when(pl.col("all_w")).then(pl.col("items_kg"))).alias("kg"),
            pl.coalesce("declared_value", pl.when(pl.col("all_v")).then(pl.col("items_value"))).alias("val"),
            pl.col("currency").fill_null("USD").replace_strict(USD_PER, default=None, return_dtype=pl.Float64).alias("fx"),
        )
        .with_columns((pl.col("val") * pl.col("fx")).alias("usd"))
    )
    mode = pl.col("mode").fill_null("unknown mode")
    kg = pl.col("kg").round(1).cast(pl.String)
    reasons = [
        s.filter((pl.col("kg") >= pl.col("n_token_kg")) & (pl.col("usd") < pl.col("kg") * pl.col("n_token_vpk"))).select(
            "shipment_id", pl.lit("VALUE_TOKEN_FOR_WEIGHT").alias("code"), pl.lit(22.0).alias("weight"),
            pl.format("declared value {} {} for {} kg ({} USD/kg; {} goods of this weight are rarely under {} USD/kg)",
                      pl.col("val").round(2), pl.col("currency").fill_null("USD"), kg,
                      (pl.col("usd") / pl.col("kg")).round(2), mode, pl.col("n_token_vpk")).alias("evidence"),
        ),
        s.filter((pl.col("pieces") > 0) & (pl.col("kg") / pl.col("pieces") > pl.col("n_max_kpp"))).select(
            "shipment_id", pl.lit("WEIGHT_PER_PIECE_UNUSUAL").alias("code"), pl.lit(12.0).alias("weight"),
            pl.format("{} kg per piece ({} kg in {} pieces) is above the {} norm of {} kg",
                      (pl.col("kg") / pl.col("pieces")).round(1), kg, pl.col("pieces"), mode, pl.col("n_max_kpp")).alias("evidence"),
        ),
        s.filter(
            pl.col("all_w") & (pl.col("gross_weight_kg") > 0) & (pl.col("items_kg") > 0)
            & ((pl.col("gross_weight_kg") - pl.col("items_kg")).abs() > 5)
            & ((pl.col("gross_weight_kg") - pl.col("items_kg")).abs() > 0.5 * pl.max_horizontal("gross_weight_kg", "items_kg"))
        ).select(
            "shipment_id", pl.lit("WEIGHT_ITEMS_MISMATCH").alias("code"), pl.lit(12.0).alias("weight"),
            pl.format("items weigh {} kg in all but the shipment's gross weight is {} kg",
                      pl.col("items_kg").round(1), pl.col("gross_weight_kg").round(1)).alias("evidence"),
        ),
        s.filter(
            pl.col("all_v") & (pl.col("declared_value") > 0) & (pl.col("items_value") > 0)
            & ((pl.col("declared_value") - pl.col("items_value")).abs() > 50)
            & ((pl.col("declared_value") - pl.col("items_value")).abs() > 0.5 * pl.max_horizontal("declared_value", "items_value"))
        ).select(
            "shipment_id", pl.lit("VALUE_ITEMS_MISMATCH").alias("code"), pl.lit(8.0).alias("weight"),
            pl.format("items are valued at {} in all but the declared value is {} {}", pl.col("items_value").round(2),
                      pl.col("declared_value").round(2), pl.col("currency").fill_null("")).alias("evidence"),
        ),
    ]
    names = batch.parties.group_by("shipment_id").agg(
        (pl.col("party").eq("shipper") & pl.col("name").is_not_null()).any().alias("has_shipper"),
        (pl.col("party").eq("consignee") & pl.col("name").is_not_null()).any().alias("has_consignee"),
    )
    missing = batch.shipments.select("shipment_id").join(names, on="shipment_id", how="left").with_columns(
        pl.concat_str([pl.when(~pl.col("has_shipper").fill_null(False)).then(pl.lit("shipper name")),
                       pl.when(~pl.col("has_consignee").fill_null(False)).then(pl.lit("consignee name"))],
                      separator=", ", ignore_nulls=True).alias("what")
    ).filter(pl.col("what") != "")
    reasons.append(missing.select(
        "shipment_id", pl.lit("DATA_MISSING_CRITICAL").alias("code"), pl.lit(10.0).alias("weight"),
        pl.format("missing {}", pl.col("what")).alias("evidence"),
    ))
    frames = [conform(r, REASON_SCHEMA) for r in reasons if r.height]
    return pl.concat(frames) if frames else empty(REASON_SCHEMA)
