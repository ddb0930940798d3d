"""Route detector: where the goods come from, how they travel, where they end up.

The pattern of concern runs from a source country in Asia (often re-routed via a
third country), through a US gateway, to a consignee near the US–Mexico border
— often a warehouse or forwarder — or on to Mexico.  Each piece is a weak reason
alone; the full chain is a reason of its own.  Distances come from the
consignee's postal code (or city) to the boundary line.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Final

import polars as pl

from interdictor.model import REASON_SCHEMA, Batch, empty
from interdictor.reference.geo import Geo
from interdictor.screen.context import Context

# source countries named in the public record for precursors and pill presses
SOURCE_COUNTRIES: Final = frozenset({"CN", "HK", "IN"})
ASIA: Final = frozenset({"CN", "HK", "IN", "VN", "TH", "MY", "SG", "PH", "ID", "KH", "LA", "MM", "KR", "TW",
                         "JP", "MO", "BD", "PK", "LK"})
BUSINESS_NODE: Final = (
    r"(?i)\b(warehouse|wh\b|logistic|forward|freight|bodega|storage|fulfil+ment|fulfil+|export|import|cargo|"
    r"shipping|transport|distribut|courier|customs broker|3pl|consolidat|almacen|paqueter)"
)


@dataclass(frozen=True)
class RoutePart:
    geo: Geo
    border_area_km: float = 100.0


def _country_of_points(legs: pl.DataFrame, geo: Geo) -> pl.DataFrame:
    return geo.airport_countries.join(legs, how="left").with_columns(
        pl.when(pl.col("point").str.len_chars() == 5).then(pl.col("point").str.slice(0, 2))
        .otherwise(pl.col("ap_country")).alias("country")
    )


@cache
def _rules(area: float) -> tuple[list[pl.Expr], dict[str, float]]:
    """(a struct column per rule, null where the rule does not hold; each rule's weight): built once."""
    in_area = pl.col("border_km") <= area
    business = pl.concat_str([pl.col("c_name").fill_null(""), pl.col("c_addr").fill_null("")], separator=" ").str.contains(BUSINESS_NODE)
    from_source = pl.col("origin").is_in(list(SOURCE_COUNTRIES))
    from_asia = pl.col("origin").is_in(list(ASIA))
    has_gateway = pl.col("us_gateway").is_not_null()
    place = pl.concat_str([pl.col("c_city").fill_null("?"), pl.col("c_state").fill_null("")], separator=", ")
    km = pl.col("border_km").round(0).cast(pl.Int64).cast(pl.String)
    # (code, weight, when, evidence): one pass over the shipments, one row per reason that holds
    rules = [
        ("ROUTE_ORIGIN_CONCERN", 4.0, from_source,
         pl.format("goods originate in {}, a source country for precursors and pill presses", pl.col("origin"))),
        ("ROUTE_TRANSIT_CONCERN", 8.0, from_asia & (pl.col("third").list.len() > 0),
         pl.format("routing {} transits {} between origin {} and the US", pl.col("routing"),
                   pl.col("third").list.join("/"), pl.col("origin"))),
        ("ROUTE_BORDER_AREA", 8.0, in_area,
         pl.format("consignee in {} is {} km from the US–Mexico border (located by {})", place, km,
                   pl.col("located_by"))),
        ("ROUTE_BORDER_WAREHOUSE", 18.0, in_area.fill_null(False) & business.fill_null(False),
         pl.format("consignee '{}' in {} looks like a warehouse/forwarder/logistics business {} km from the border",
                   pl.col("c_name"), place, km)),
        ("ROUTE_ASIA_GATEWAY_BORDER", 10.0, from_asia.fill_null(False) & has_gateway & in_area.fill_null(False),
         pl.format("{} → US gateway {} → consignee {} km from the border ({})", pl.col("origin"),
                   pl.col("us_gateway"), km, place)),
        ("ROUTE_MEXICO_AFTER_US", 22.0,
         (pl.col("c_country") == "MX").fill_null(False)
         & (has_gateway | (pl.col("destination_port").is_not_null() & pl.col("us_gateway").is_not_null())),
         pl.format("consignee in Mexico ({}) but the goods enter through US gateway {}", place, pl.col("us_gateway"))),
    ]
    holds = [pl.when(when.fill_null(False)).then(pl.struct(text.alias("evidence"))).alias(code)
             for code, _, when, text in rules]
    return holds, {code: weight for code, weight, _, _ in rules}


def detect(batch: Batch, ctx: Context) -> pl.DataFrame:
    part: RoutePart | None = ctx.part("route")
    if part is None or batch.shipments.is_empty():
        return empty(REASON_SCHEMA)
    geo = part.geo
    legs = _country_of_points(batch.legs, geo)
    per = legs.sort("seq").group_by("shipment_id").agg(
        pl.col("point"), pl.col("country"),
        pl.col("point").filter(pl.col("country") == "US").first().alias("us_gateway"),
    )
    cons = batch.parties.filter(pl.col("party") == "consignee").select(
        "shipment_id", pl.col("name").alias("c_name"), pl.col("address").alias("c_addr"),
        pl.col("city").alias("c_city"), pl.col("state").alias("c_state"), pl.col("country").alias("c_country"),
    ).unique("shipment_id", keep="first")
    located = geo.locate_consignees(batch.parties)
    s = (
        batch.shipments.select("shipment_id", "origin_country", "routing", "destination_port")
        .join(per, on="shipment_id", how="left")
        .join(cons, on="shipment_id", how="left")
        .join(located, on="shipment_id", how="left")
        .with_columns(pl.coalesce("origin_country", pl.col("country").list.first()).alias("origin"))
        .with_columns(
            # transit countries: neither the origin nor the US
            pl.col("country").list.slice(1, pl.col("country").list.len() - 2)
            .list.eval(pl.element().filter(pl.element().is_not_null())).alias("mid"),
        )
        .with_columns(
            pl.col("mid").list.set_difference(pl.concat_list(pl.col("origin").fill_null(""), pl.lit("US")))
            .list.unique(maintain_order=True).alias("third"),
        )
    )
    holds, weights = _rules(part.border_area_km)
    found = (  # a struct per rule: null where the rule does not hold (its evidence may itself be null)
        s.select("shipment_id", *holds)
        .unpivot(index="shipment_id", variable_name="code", value_name="_r")
        .drop_nulls("_r")
    )
    return found.select(
        "shipment_id", "code", pl.col("code").replace_strict(weights, return_dtype=pl.Float64).alias("weight"),
        pl.col("_r").struct.field("evidence"), pl.lit(None, pl.Int32).alias("item"), pl.lit(None, pl.String).alias("party"),
    )
